"""The request-shape harness itself: the validator finds what botocore's own lets pass, the translations leave
nothing unchecked, and the stand-ins and sources it leans on are what it says."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from generator.deployer.aws_reference import handler_permissions
from tests.support.deploy_time import LONG_STACK_NAME, PSEUDO_SETS, DeployTimeEvaluator, generated_name, in_partition
from tests.support.request_shapes import PROSE_RULES, Request, member_shape, readable_pattern, service_model
from tests.support.resource_requests import TRANSLATIONS, check


def botocore_accepts(sent: Request) -> bool:
    shape = service_model(sent.service).operation_model(sent.operation).input_shape
    assert shape is not None
    try:
        validate_parameters(sent.params, shape)
    except ParamValidationError:
        return False
    return True


TARGET = {"Id": "ApprovalQueue", "Arn": "arn:aws:sqs:eu-west-1:111122223333:q.fifo"}
GROUP_ID_101 = {**TARGET, "SqsParameters": {"MessageGroupId": "g" * 101}}
BEYOND_BOTOCORE = {
    "a string above its max": (
        Request("events", "PutTargets", {"Rule": "r", "Targets": [GROUP_ID_101]}),
        "length 101 above its maximum 100",
    ),
    "a string not in its enum": (Request("events", "PutRule", {"Name": "r", "State": "ON"}), "'ON' is not one of"),
    "a string off its pattern": (Request("events", "PutRule", {"Name": "my rule"}), "'my rule' does not match"),
    "a list above its max": (
        Request("lambda", "CreateFunction", {"FunctionName": "f", "Role": "arn:aws:iam::111122223333:role/r",
                                              "Code": {}, "Architectures": ["arm64", "x86_64"]}),
        "2 items, above its maximum 1",
    ),
    "a map below its min": (Request("logs", "CreateLogGroup", {"logGroupName": "g", "tags": {}}), "0 items, below"),
    "a number above its max": (
        Request("lambda", "CreateFunction", {"FunctionName": "f", "Role": "arn:aws:iam::111122223333:role/r",
                                              "Code": {}, "Timeout": 5401}),
        "5401 above its maximum 5400",
    ),
    "a map key not in its enum": (
        Request("sqs", "CreateQueue", {"QueueName": "q", "Attributes": {"Colour": "blue"}}), "'Colour' is not one of"
    ),
}  # fmt: skip


@pytest.mark.parametrize(("sent", "problem"), BEYOND_BOTOCORE.values(), ids=BEYOND_BOTOCORE.keys())
def test_the_validator_finds_what_botocores_own_lets_pass(sent: Request, problem: str) -> None:
    assert botocore_accepts(sent)
    assert any(problem in found for found in sent.problems()), sent.problems()


def test_botocores_own_checks_still_apply() -> None:
    sent = Request("sagemaker", "CreateModel", {"EnableNetworkIsolation": "yes"})
    assert sent.problems() == [
        'CreateModel: Missing required parameter in input: "ModelName"',
        "CreateModel: Invalid type for parameter EnableNetworkIsolation, value: yes, type: <class 'str'>, "
        "valid types: <class 'bool'>",
    ]


def test_a_pattern_pythons_re_reads_otherwise_than_java_is_not_checked() -> None:
    """`\\p{Print}` (PutScalingPolicy's PolicyName) is a Java class `re` refuses: guessing would be a false alarm."""
    policy_name = member_shape("application-autoscaling", "PutScalingPolicy", "PolicyName")
    assert policy_name.metadata["pattern"] == "\\p{Print}+"
    assert readable_pattern(policy_name.metadata["pattern"]) is None
    assert readable_pattern("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}") is not None


def test_cloudformation_conversions_take_canonical_spellings_only() -> None:
    """A Number parameter's Ref is a string: `"2"` reaches the API as 2, `"2.5"` cannot be an integer."""
    ok = Request("application-autoscaling", "RegisterScalableTarget",
                 {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/e/variant/v",
                  "ScalableDimension": "sagemaker:variant:DesiredInstanceCount", "MinCapacity": "2"})  # fmt: skip
    assert ok.problems() == []
    fraction = Request(ok.service, ok.operation, {**ok.params, "MinCapacity": "2.5"})
    assert fraction.problems() == [
        "RegisterScalableTarget: Invalid type for parameter MinCapacity, value: 2.5, type: <class 'str'>, "
        "valid types: <class 'int'>"
    ]


@pytest.mark.parametrize("rule", PROSE_RULES, ids=[f"{r.operation}.{r.member}" for r in PROSE_RULES])
def test_each_prose_rule_quotes_the_models_documentation_of_its_member(rule: Any) -> None:
    assert rule.quote in rule.documentation()


@pytest.mark.parametrize("resource_type", sorted(TRANSLATIONS))
def test_each_translation_calls_what_the_types_cloudformation_handlers_may_call(resource_type: str) -> None:
    """The registry schema's handler permissions (cfn-lint ships them) list the actions CloudFormation calls."""
    translation = TRANSLATIONS[resource_type]
    actions = {f"{translation.iam_prefix}:{operation}" for operation in translation.operations}
    assert actions <= handler_permissions(resource_type)


def test_the_long_stack_name_is_the_longest_cloudformation_takes() -> None:
    documentation = " ".join(member_shape("cloudformation", "CreateStack", "StackName").documentation.split())
    assert "It must start with an alphabetical character and can't be longer than 128 characters." in documentation
    assert len(LONG_STACK_NAME) == 128
    assert re.fullmatch(r"[A-Za-z][-A-Za-z0-9]*", LONG_STACK_NAME)


def test_a_generated_name_is_cut_to_the_services_limit_keeping_its_unique_part() -> None:
    assert generated_name("ml-endpoint", "Model", 63) == "ml-endpoint-Model-abcdefghijk1"
    cut = generated_name(LONG_STACK_NAME, "Model", 63)
    assert len(cut) == 63
    assert cut.startswith(LONG_STACK_NAME[:50])
    assert cut.endswith("-abcdefghijk1")


def test_the_test_values_move_to_the_partition_and_region_of_the_pseudo_parameters() -> None:
    values = {"ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3", "Name": "x"}
    assert in_partition(values, PSEUDO_SETS["the aws-cn partition"]) == {
        "ModelPackageArn": "arn:aws-cn:sagemaker:cn-northwest-1:111122223333:model-package/churn/3",
        "Name": "x",
    }


def template(resources: dict[str, Any], conditions: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"Parameters": {}, "Conditions": conditions or {}, "Resources": resources}


QUEUE_PROPERTIES: dict[str, Any] = {"QueueName": "approvals.fifo", "FifoQueue": True}
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": QUEUE_PROPERTIES}


def test_a_property_no_translation_takes_is_reported() -> None:
    queue = {**QUEUE, "Properties": {**QUEUE_PROPERTIES, "Colour": "blue"}}
    checked = check(DeployTimeEvaluator(template({"Queue": queue}), {}), "Queue")
    assert checked.problems == ["Colour: not translated for AWS::SQS::Queue: add it to its translation"]


def test_a_nested_member_the_api_does_not_know_is_reported() -> None:
    properties = {
        "FunctionName": "f",
        "Role": "arn:aws:iam::111122223333:role/r",
        "Code": {"S3Bucket": "bucket", "Key": "k"},
    }
    function = {"Type": "AWS::Lambda::Function", "Properties": properties}
    checked = check(DeployTimeEvaluator(template({"Function": function}), {}), "Function")
    (problem,) = checked.problems
    assert problem.startswith('CreateFunction: Unknown parameter in Code: "Key", must be one of: ZipFile, S3Bucket')


def test_a_fifo_queue_name_without_its_suffix_is_reported() -> None:
    queue = {**QUEUE, "Properties": {**QUEUE_PROPERTIES, "QueueName": "approvals"}}
    checked = check(DeployTimeEvaluator(template({"Queue": queue}), {}), "Queue")
    assert checked.problems == ["CreateQueue: FIFO queue name 'approvals' does not end with .fifo"]


def test_references_become_stand_ins_shaped_as_aws_makes_them() -> None:
    target = {"Id": "Q", "Arn": {"Fn::GetAtt": ["Queue", "Arn"]}, "Input": {"Fn::Sub": "${Queue}|${Queue.QueueName}"}}
    rule = {"Type": "AWS::Events::Rule", "Properties": {"Targets": [target]}}
    evaluator = DeployTimeEvaluator(template({"Queue": QUEUE, "Rule": rule}), {}, PSEUDO_SETS["the aws-cn partition"])
    ((sent,),) = [r.params["Targets"] for r in check(evaluator, "Rule").requests if "Targets" in r.params]
    assert sent["Arn"] == "arn:aws-cn:sqs:cn-northwest-1:111122223333:approvals.fifo"
    assert sent["Input"] == "https://sqs.cn-northwest-1.amazonaws.com.cn/111122223333/approvals.fifo|approvals.fifo"
    assert (
        evaluator.stand_in("Rule", "Arn")
        == "arn:aws-cn:events:cn-northwest-1:111122223333:rule/ml-endpoint-Rule-abcdefghijk1"
    )


def test_a_reference_to_a_resource_these_values_do_not_create_is_reported() -> None:
    absent = {**QUEUE, "Condition": "Never"}
    mapping = {"Type": "AWS::Lambda::EventSourceMapping",
               "Properties": {"FunctionName": "f", "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}}  # fmt: skip
    never = {"Never": {"Fn::Equals": ["a", "b"]}}
    checked = check(DeployTimeEvaluator(template({"Queue": absent, "Mapping": mapping}, never), {}), "Mapping")
    assert checked.problems == ["Queue.Arn: Queue is not created for these values"]


def test_a_reference_with_no_stand_in_is_reported() -> None:
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": {"Fn::GetAtt": ["Queue", "ReceiveCount"]}, "EvaluationPeriods": 1}}  # fmt: skip
    checked = check(DeployTimeEvaluator(template({"Queue": QUEUE, "Alarm": alarm}), {}), "Alarm")
    assert checked.problems == ["no stand-in for ReceiveCount of a AWS::SQS::Queue: add one to STAND_INS"]
