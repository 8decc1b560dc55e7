"""What AWS refuses that the template's parameters cannot express, refused by the command before any AWS call (exit
2, every problem at once, each naming the input and the fix). Sources:

- Stack tags: CloudFormation's Tag shapes ("max": 128 / "max": 256, "min": 1) and "You can specify a maximum of 50
  tags" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html), "Tags owned by
  Amazon Web Services have the reserved prefix: aws:" (API_Tag.html); IAM's and SageMaker's Tag shapes, which
  CloudFormation passes them to ("CloudFormation also propagates these tags to resources in the stack"): pattern
  `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`, at most 50 per resource (https://docs.aws.amazon.com/IAM/latest/APIReference/
  API_Tag.html, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html); `aws:` tags "do not count
  against your tags-per-resource limit" (https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html).
- SubnetIds: VpcConfig.Subnets `"max":16, "min":1` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/
  API_VpcConfig.html).
- Topics: an alarm's SNS action is `arn:aws:sns:region:account-id:sns-topic-name`
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html) and PutMetricAlarm
  refuses another Region's ("Invalid region ca-central-1 specified. Only us-west-2 is supported.", as observed in
  cds-snc/notification-terraform#128); AWS says nothing of an endpoint's async topics (only an inference router's
  "can be in any Amazon Region"), so the safe side: the same Region.
- Blue/green: MaximumExecutionTimeoutInSeconds "should be larger than the total waiting time specified in
  TerminationWaitInSeconds and WaitIntervalInSeconds"; ALL_AT_ONCE shifts "in a single step", CANARY "in two steps",
  LINEAR "in n steps of a configurable size" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/
  API_BlueGreenUpdatePolicy.html, API_TrafficRoutingConfig.html).
- InferenceAmiVersion: each AMI's accelerator, in ProductionVariant.InferenceAmiVersion's documentation (botocore's
  sagemaker service model): "Accelerator: GPU" for the gpu AMIs, "Accelerator: Inferentia2 and Trainium" for
  al2-ami-sagemaker-inference-neuron-2. SageMaker's GPU families are ml.g* and ml.p*; its Inferentia2 and Trainium
  families ml.inf2 and ml.trn*.
- ServerlessProvisionedConcurrency: "Should be less than or equal to MaxConcurrency"
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html)."""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.deploy.service_limits import deployment_time_problems, tag_problems, value_problems
from tests.support.stubbed_aws import StubbedAws, endpoint_like_with, run_with

SUBNETS = ",".join(f"subnet-{n:017x}" for n in range(17))
US_TOPIC = "arn:aws:sns:us-east-1:111122223333:ml-alerts"
EU_TOPIC = "arn:aws:sns:eu-west-1:111122223333:ml-alerts"
LINEAR_AT_DEFAULTS = {
    "DeploymentStrategy": "LINEAR", "DeploymentTrafficStepPercent": "10", "DeploymentWaitIntervalSeconds": "300",
    "DeploymentBakeSeconds": "600", "DeploymentTimeoutSeconds": "3600",
}  # fmt: skip
LINEAR_PROBLEM = (
    "DeploymentTimeoutSeconds=3600: a LINEAR deployment waits 10 x 300 s (DeploymentWaitIntervalSeconds) and 600 s "
    "(DeploymentBakeSeconds), 3600 s, and SageMaker wants its timeout larger than its waits; with 600 s to provision "
    "the new fleet it needs 4200 s: raise DeploymentTimeoutSeconds to at least 4200, or shorten the waits"
)


@pytest.mark.usefixtures("no_aws_session")
def test_every_limit_the_template_cannot_say_is_refused_at_once_before_any_aws_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = {
        "SubnetIds": SUBNETS, "AlarmTopicArn": US_TOPIC, "AsyncErrorTopicArn": EU_TOPIC,
        "AsyncSuccessTopicArn": US_TOPIC, **LINEAR_AT_DEFAULTS,
        "EndpointType": "Serverless", "ServerlessMaxConcurrency": "30", "ServerlessProvisionedConcurrency": "50",
    }  # fmt: skip
    params = [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
    tags = ["--tag", "team=ML (prod)", "--tag", "owner=", "--tag", "aws:cost=1", "--tag", f"{'k' * 129}=v"]
    code = main(["deploy", "--stack-name", "churn", "--region", "eu-west-1", *params, *tags])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    expected = [
        "error: ServerlessProvisionedConcurrency is above ServerlessMaxConcurrency: lower it, or raise the maximum.",
        "error: SubnetIds: 17 subnets; SageMaker's VpcConfig takes at most 16: give 16 or fewer, in two or more "
        "Availability Zones",
        f"error: AlarmTopicArn='{US_TOPIC}': a topic of Region us-east-1, but the stack deploys to eu-west-1; alarms "
        "and SageMaker notify topics of their own Region: give a topic of eu-west-1",
        f"error: AsyncSuccessTopicArn='{US_TOPIC}': a topic of Region us-east-1, but the stack deploys to eu-west-1; "
        "alarms and SageMaker notify topics of their own Region: give a topic of eu-west-1",
        f"error: {LINEAR_PROBLEM}",
        "error: tag 'team'='ML (prod)': IAM and SageMaker refuse '(' ')' in the tags CloudFormation passes on to them; "
        "use letters, digits, spaces and _ . : / = + - @ only",
        "error: tag 'owner': a value of 0 characters; CloudFormation takes 1 to 256",
        "error: tag 'aws:cost': the aws: prefix is reserved for AWS; choose another key",
        f"error: tag '{'k' * 129}': a key of 129 characters; at most 128",
    ]
    assert [line for line in err if line in expected] == expected  # each, in this order
    assert not [line for line in err if line.startswith("error: AsyncErrorTopicArn=")]  # a topic of this Region
    assert err[-1].endswith("problem(s) in the input; nothing was sent to AWS.")


def test_letters_digits_spaces_and_the_six_symbols_of_any_script_pass_and_others_are_named() -> None:
    assert tag_problems({"Équipe": "données ML", "部署": "機械学習 2", "cost-center": "a_b.c:d/e=f+g-h@i"}, 5) == []
    assert tag_problems({"note": "x!#,"}, 5) == [
        "tag 'note'='x!#,': IAM and SageMaker refuse '!' '#' ',' in the tags CloudFormation passes on to them; use "
        "letters, digits, spaces and _ . : / = + - @ only"
    ]


def test_stack_tags_leave_room_for_the_templates_own_on_every_resource() -> None:
    """The endpoint template's Model carries up to five tags of its own (four sagemaker:* and the stack id): 45
    stack tags fit, 46 do not; past 50 CloudFormation itself refuses."""
    assert tag_problems({f"k{n}": "v" for n in range(45)}, 5) == []
    assert tag_problems({f"k{n}": "v" for n in range(46)}, 5) == [
        "46 tags: CloudFormation puts them on every resource of the stack, where IAM and SageMaker take at most 50 "
        "tags and the template's own resources carry up to 5 of their own; give at most 45"
    ]
    assert tag_problems({f"k{n}": "v" for n in range(51)}, 0) == [
        "51 tags: CloudFormation takes at most 50 stack tags; drop some"
    ]


CASES = {  # strategy, step %, wait, bake -> the least timeout that passes
    "all at once: the bake only": ("ALL_AT_ONCE", 10, 300, 600, 1200),
    "canary: one wait": ("CANARY", 10, 300, 600, 1500),
    "linear at 30 %: four steps": ("LINEAR", 30, 300, 600, 2400),
    "linear at 10 %: ten steps": ("LINEAR", 10, 300, 600, 4200),
}


@pytest.mark.parametrize(("strategy", "step", "wait", "bake", "least"), CASES.values(), ids=CASES.keys())
def test_the_timeout_must_hold_each_steps_wait_the_bake_and_ten_minutes_to_provision(
    strategy: str, step: int, wait: int, bake: int, least: int
) -> None:
    values = {
        "DeploymentStrategy": strategy, "DeploymentTrafficStepPercent": str(step),
        "DeploymentWaitIntervalSeconds": str(wait), "DeploymentBakeSeconds": str(bake),
    }  # fmt: skip
    assert deployment_time_problems({**values, "DeploymentTimeoutSeconds": str(least)}) == []
    (problem,) = deployment_time_problems({**values, "DeploymentTimeoutSeconds": str(least - 1)})
    assert problem.endswith(
        f"it needs {least} s: raise DeploymentTimeoutSeconds to at least {least}, or shorten the waits"
    )


def test_waits_that_no_timeout_can_hold_say_so_and_unknown_values_are_not_judged() -> None:
    """LINEAR at 1 % with an hour between steps: 100 hours, past the 28800 s SageMaker allows."""
    values = {**LINEAR_AT_DEFAULTS, "DeploymentTrafficStepPercent": "1", "DeploymentWaitIntervalSeconds": "3600"}
    (problem,) = deployment_time_problems(values | {"DeploymentTimeoutSeconds": "28800"})
    assert problem.endswith("that is over the 28800 s SageMaker allows: shorten the waits or take larger steps")
    assert deployment_time_problems({**LINEAR_AT_DEFAULTS, "DeploymentTimeoutSeconds": None}) == []


def test_linear_at_its_defaults_is_refused_once_the_stack_is_known_to_be_new(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only DeploymentStrategy given: the other values are the template's defaults once DescribeStacks says there is
    no stack, and they do not fit. Nothing is uploaded or created (no other call is queued)."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, endpoint_like_with({**LINEAR_AT_DEFAULTS, "DeploymentStrategy": "ALL_AT_ONCE"}))
    stubbed["cloudformation"].add_client_error("describe_stacks", "ValidationError", "Stack with id churn does not "
                                               "exist", 400, {"StackName": "churn"})  # fmt: skip
    code = main(["plan", "--stack-name", "churn", "--region", "eu-west-1", "--param", "DeploymentStrategy=LINEAR"])
    stubbed.done()
    assert code == 2
    assert f"error: {LINEAR_PROBLEM}" in capsys.readouterr().err.splitlines()


@pytest.mark.usefixtures("no_aws_session")
@pytest.mark.parametrize("name", ["churn_prod", "1churn", "c" * 129])
def test_a_stack_name_cloudformation_would_refuse_is_named_before_any_upload(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "A stack name can contain only alphanumeric characters (case sensitive) and hyphens. It must start with an
    alphabetical character and can't be longer than 128 characters."
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html)"""
    code = main(["plan", "--stack-name", name, "--region", "eu-west-1"])
    assert code == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"error: stack name {name!r}: a letter, then letters, digits and hyphens, 128 characters at most"
    )


@pytest.mark.parametrize(
    ("ami", "instance_type", "problems"),
    [
        ("al2-ami-sagemaker-inference-gpu-3-1", "ml.g5.xlarge", []),
        ("al2023-ami-sagemaker-inference-gpu-4-1", "ml.p5.48xlarge", []),
        ("al2-ami-sagemaker-inference-neuron-2", "ml.inf2.xlarge", []),
        ("al2-ami-sagemaker-inference-neuron-2", "ml.trn1.2xlarge", []),
        ("", "ml.m5.xlarge", []),
        ("al2-ami-sagemaker-inference-gpu-2", "ml.m5.xlarge", [
            "InferenceAmiVersion=al2-ami-sagemaker-inference-gpu-2: an AMI for ml.g* or ml.p* instances, but "
            "InstanceType is ml.m5.xlarge: choose an InstanceType with its accelerator, or clear InferenceAmiVersion"]),
        ("al2-ami-sagemaker-inference-neuron-2", "ml.g5.xlarge", [
            "InferenceAmiVersion=al2-ami-sagemaker-inference-neuron-2: an AMI for ml.inf2* or ml.trn* instances, but "
            "InstanceType is ml.g5.xlarge: choose an InstanceType with its accelerator, or clear "
            "InferenceAmiVersion"]),
        ("al2-ami-sagemaker-inference-neuron-2", "ml.inf1.xlarge", [
            "InferenceAmiVersion=al2-ami-sagemaker-inference-neuron-2: an AMI for ml.inf2* or ml.trn* instances, but "
            "InstanceType is ml.inf1.xlarge: choose an InstanceType with its accelerator, or clear "
            "InferenceAmiVersion"]),
    ],
)  # fmt: skip
def test_an_inference_ami_needs_an_instance_with_its_accelerator(
    ami: str, instance_type: str, problems: list[str]
) -> None:
    assert value_problems({"InferenceAmiVersion": ami, "InstanceType": instance_type}, "eu-west-1") == problems
