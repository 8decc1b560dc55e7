"""`sagemaker-endpoint plan/deploy/outputs/destroy`, run as a user runs them, against the local AWS.

moto's change sets, rollbacks, resource events and updates are bent to behave as CloudFormation's
(tests/e2e/moto_change_sets.py); what the command prints and does is its own.
"""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest

from generator.common.lambda_zip import build_resolver_package
from generator.common.names import OUTPUT_KEYS
from generator.deploy import request as deploy_request
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.request import DeployRequest
from generator.deploy.template_file import EndpointTemplate, load_template
from generator.deploy.verbs import deploy
from tests.support.e2e import (
    LocalAws,
    arn_mode,
    cli,
    group_mode,
    outputs_of,
    params,
    run_on_terminal,
    serving,
    stack_of,
)
from tests.support.local_aws import REGION, register_versions

ESCAPE = re.compile(r"\x1b\[")
MOTO_ACCOUNT = "123456789012"  # the account moto's STS answers for
DEFAULT_BUCKET = f"sagemaker-endpoint-artifacts-{MOTO_ACCOUNT}-{REGION}"
TEMPLATE_KEY = f"templates/sagemaker-endpoint-{hashlib.sha256(load_template().body.encode()).hexdigest()}.yaml"


# --- create ------------------------------------------------------------------------------------------------


def test_given_an_arn_then_deploy_creates_the_stack_and_prints_the_seven_outputs_on_stdout(aws: LocalAws) -> None:
    run = cli(aws, "deploy", "--stack-name", "churn-arn", *params(arn_mode(aws)), "--tag", "team=ml")

    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    stack = stack_of(aws, "churn-arn")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert list(printed) == list(OUTPUT_KEYS)
    assert printed == {key: outputs_of(aws, "churn-arn")[key] for key in OUTPUT_KEYS}
    assert printed["ModelPackageArn"] == aws.versions[0]
    assert serving(aws, printed["EndpointName"])[2] == aws.versions[0]
    assert stack["Tags"] == [{"Key": "team", "Value": "ml"}]

    lines = run.stderr.splitlines()
    assert "Plan to create stack churn-arn:" in lines
    assert "Plan: 11 to add, 0 to modify, 0 to replace, 0 to remove." in lines
    assert any(re.fullmatch(r" *\d+:\d\d  CREATE_COMPLETE +Endpoint +AWS::SageMaker::Endpoint", line) for line in lines)
    assert lines[-1] == "Stack churn-arn: CREATE_COMPLETE"
    assert not ESCAPE.search(run.stderr)  # not a terminal: plain lines, no colour, no bar


def test_given_a_group_then_deploy_creates_the_artifacts_bucket_uploads_the_zip_and_serves_the_latest_approved(
    aws: LocalAws,
) -> None:
    run = cli(aws, "deploy", "--stack-name", "churn-group", *params(group_mode(aws)))

    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert printed == {key: outputs_of(aws, "churn-group")[key] for key in OUTPUT_KEYS}
    assert printed["ModelPackageArn"] == aws.versions[2]  # v3: the newest Approved
    assert serving(aws, printed["EndpointName"])[2] == aws.versions[2]

    zip_key = f"resolver/{build_resolver_package().file_name}"
    used = {p["ParameterKey"]: p["ParameterValue"] for p in stack_of(aws, "churn-group")["Parameters"]}
    assert (used["ResolverCodeS3Bucket"], used["ResolverCodeS3Key"]) == (DEFAULT_BUCKET, zip_key)
    s3 = aws.client("s3")
    assert s3.get_object(Bucket=DEFAULT_BUCKET, Key=zip_key)["Body"].read() == build_resolver_package().content
    assert f"Resolver code: s3://{DEFAULT_BUCKET}/{zip_key}" in run.stderr.splitlines()

    encryption = s3.get_bucket_encryption(Bucket=DEFAULT_BUCKET)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert s3.get_public_access_block(Bucket=DEFAULT_BUCKET)["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    assert s3.get_bucket_versioning(Bucket=DEFAULT_BUCKET)["Status"] == "Enabled"
    (deny,) = json.loads(s3.get_bucket_policy(Bucket=DEFAULT_BUCKET)["Policy"])["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=DEFAULT_BUCKET)["Rules"]}
    assert rules["old-versions-and-uploads"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert rules["unused-resolver-zips"]["Expiration"] == {"Days": 365}


def test_given_the_same_parameters_again_then_deploy_says_no_changes_and_prints_the_outputs(aws: LocalAws) -> None:
    first = cli(aws, "deploy", "--stack-name", "churn-same", *params(arn_mode(aws)))
    assert first.returncode == 0, first.stderr

    again = cli(aws, "deploy", "--stack-name", "churn-same", *params(arn_mode(aws)))

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert again.stderr.splitlines() == [
        f"Template: over the inline limit, sent as s3://{DEFAULT_BUCKET}/{TEMPLATE_KEY}",
        "No changes: stack churn-same already matches the template and parameters.",
    ]
    assert aws.client("cloudformation").list_change_sets(StackName="churn-same")["Summaries"] == []


# --- plan and updates --------------------------------------------------------------------------------------


def test_given_a_new_package_arn_then_plan_shows_model_and_config_replaced_and_the_endpoint_modified(
    aws: LocalAws,
) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-plan", *params(arn_mode(aws))).returncode == 0
    before = serving(aws, outputs_of(aws, "churn-plan")["EndpointName"])

    run = cli(aws, "plan", "--stack-name", "churn-plan", "--param", f"ModelPackageArn={aws.versions[2]}")

    assert (run.returncode, run.stdout) == (0, "")
    assert run.stderr.splitlines() == [
        f"Template: over the inline limit, sent as s3://{DEFAULT_BUCKET}/{TEMPLATE_KEY}",
        "Plan to update stack churn-plan:",
        f"  ModelPackageArn: {aws.versions[0]} -> {aws.versions[2]}",  # the one parameter changed, old -> new
        "  -/+  Replace     Model               AWS::SageMaker::Model           <- parameter ModelPackageArn",
        "  -/+  Replace     EndpointConfig      AWS::SageMaker::EndpointConfig  <- replaced Model",
        # the rollback alarms move to the new config's fleet; the dashboard lists them by ARN
        "  ~    Modify      Invocation5xxAlarm  AWS::CloudWatch::Alarm          <- replaced EndpointConfig",
        "  ~    Modify      ModelLatencyAlarm   AWS::CloudWatch::Alarm          <- replaced EndpointConfig",
        "  ~    Modify      Dashboard           AWS::CloudWatch::Dashboard      <- new Invocation5xxAlarm.Arn, new "
        "ModelLatencyAlarm.Arn",
        "  ~    Modify      Endpoint            AWS::SageMaker::Endpoint        <- replaced EndpointConfig",
        "Plan: 0 to add, 4 to modify, 2 to replace, 0 to remove.",
    ]
    assert aws.client("cloudformation").list_change_sets(StackName="churn-plan")["Summaries"] == []
    assert serving(aws, outputs_of(aws, "churn-plan")["EndpointName"]) == before  # a plan changes nothing


def test_given_a_new_endpoint_name_then_plan_warns_and_deploy_refuses_without_the_flag(aws: LocalAws) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-rename", *params(arn_mode(aws))).returncode == 0
    old_name = outputs_of(aws, "churn-rename")["EndpointName"]

    plan = cli(aws, "plan", "--stack-name", "churn-rename", "--param", "EndpointName=churn-v2")
    deploy = cli(aws, "deploy", "--stack-name", "churn-rename", "--param", "EndpointName=churn-v2")

    assert plan.returncode == 0
    assert "  -/+  Replace     Endpoint" in plan.stderr
    assert plan.stderr.splitlines()[-1].startswith("warning: this plan REPLACES the Endpoint")
    assert (deploy.returncode, deploy.stdout) == (5, "")  # refused by the command's rule, not a failure in AWS
    assert deploy.stderr.splitlines()[-1].startswith("error: refused: the plan replaces the Endpoint.")
    assert outputs_of(aws, "churn-rename")["EndpointName"] == old_name
    assert stack_of(aws, "churn-rename")["StackStatus"] == "CREATE_COMPLETE"
    assert aws.client("cloudformation").list_change_sets(StackName="churn-rename")["Summaries"] == []

    allowed = cli(
        aws, "deploy", "--stack-name", "churn-rename", "--param", "EndpointName=churn-v2",
        "--allow-endpoint-replacement",
    )  # fmt: skip
    assert allowed.returncode == 0, allowed.stderr
    assert stack_of(aws, "churn-rename")["StackStatus"] == "UPDATE_COMPLETE"


def test_given_a_newly_approved_version_then_resolve_latest_deploys_it_and_with_nothing_newer_touches_nothing(
    aws: LocalAws,
) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-cd", *params(group_mode(aws))).returncode == 0
    endpoint = outputs_of(aws, "churn-cd")["EndpointName"]
    v3_serving = serving(aws, endpoint)
    aws.client("sagemaker").update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")

    newer = cli(aws, "deploy", "--stack-name", "churn-cd", "--resolve-latest")

    assert newer.returncode == 0, newer.stderr
    assert json.loads(newer.stdout)["ModelPackageArn"] == aws.versions[3]
    v4_serving = serving(aws, endpoint)
    assert v4_serving[2] == aws.versions[3]
    assert v4_serving[:2] != v3_serving[:2]  # a new Model and EndpointConfig behind the same endpoint
    assert "  -/+? May replace Model                       AWS::SageMaker::Model" in newer.stderr
    assert "<- re-resolved model package" in newer.stderr

    unchanged = cli(aws, "deploy", "--stack-name", "churn-cd", "--resolve-latest")

    assert unchanged.returncode == 0, unchanged.stderr
    assert json.loads(unchanged.stdout)["ModelPackageArn"] == aws.versions[3]
    assert serving(aws, endpoint) == v4_serving
    sagemaker_events = [
        line for line in unchanged.stderr.splitlines() if "AWS::SageMaker::" in line and "_COMPLETE" in line
    ]
    assert sagemaker_events == []  # the resolver answered the same package: no SageMaker resource touched
    assert stack_of(aws, "churn-cd")["StackStatus"] == "UPDATE_COMPLETE"


# --- failure -----------------------------------------------------------------------------------------------


def test_given_a_group_with_nothing_approved_then_deploy_exits_1_with_the_resolvers_reason_first(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live preflight refuses this group first (test_given_a_subnet_of_another_vpc_and_a_group_with_nothing_
    approved_then_the_preflight_exits_2_and_creates_nothing); it is stood aside here to reach the resolver's own
    refusal, which a version rejected between the preflight and the create meets the same way."""
    monkeypatch.setattr(deploy_request, "preflight", lambda *_a, **_k: None)
    register_versions(aws.client("sagemaker"), "fresh", ["PendingManualApproval"])

    run = cli(
        aws, "deploy", "--stack-name", "fresh-endpoint",
        *params({**group_mode(aws), "ModelPackageGroupName": "fresh"}),
    )  # fmt: skip

    assert (run.returncode, run.stdout) == (1, "")
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith(
        "error: LatestApprovedModelPackage (Custom::LatestApprovedModelPackage) CREATE_FAILED: "
        "Received response status [FAILED] from custom resource. Message returned: "
    )
    assert errors[0].endswith(
        "Model package group 'fresh' has no Approved model package: approve a version "
        "(aws sagemaker update-model-package --model-approval-status Approved) and deploy again."
    )
    assert stack_of(aws, "fresh-endpoint")["StackStatus"] == "ROLLBACK_COMPLETE"
    (key,) = aws.client("kms").list_keys()["Keys"]  # the one resource that outlives its stack, by design
    key_id, region = key["KeyId"], REGION
    assert run.stderr.splitlines()[-2:] == [
        f"rolled back (ROLLBACK_COMPLETE): nothing was left behind but the KMS key {key_id}, retained by "
        "design (below); the next deploy replaces the empty stack.",
        f"scheduled the deletion of the KMS key {key_id} in 30 days: the failed create kept it, and it never "
        f"encrypted anything served. To keep it: aws kms cancel-key-deletion --key-id {key_id} --region {region} "
        f"&& aws kms enable-key --key-id {key_id} --region {region}",
    ]
    assert aws.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert aws.client("sagemaker").list_models()["Models"] == []
    assert aws.client("sagemaker").list_endpoints()["Endpoints"] == []
    assert aws.client("iam").list_roles()["Roles"] == []
    assert aws.client("lambda").list_functions()["Functions"] == []


# --- bad input ---------------------------------------------------------------------------------------------


def test_given_a_subnet_of_another_vpc_and_a_group_with_nothing_approved_then_the_preflight_exits_2_and_creates_nothing(
    aws: LocalAws,
) -> None:
    """The live preflight on the local AWS: DescribeSubnets answers each subnet's VpcId, ListModelPackages the
    group's Approved versions; both problems at once, before any bucket, stack or change set exists."""
    ec2 = aws.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    stray = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{REGION}c")
    subnets = [aws.subnet_ids[0], stray["Subnet"]["SubnetId"]]
    register_versions(aws.client("sagemaker"), "fresh", ["PendingManualApproval"])
    buckets_before = aws.client("s3").list_buckets()["Buckets"]

    run = cli(
        aws, "deploy", "--stack-name", "fresh-endpoint",
        *params({**group_mode(aws), "ModelPackageGroupName": "fresh", "SubnetIds": ",".join(subnets)}),
    )  # fmt: skip

    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines() == [
        "error: ModelPackageGroupName='fresh': no Approved model package in the group (or no such group): approve "
        "a version (aws sagemaker update-model-package --model-approval-status Approved)",
        f"error: SubnetIds: {subnets[1]} not in VpcId {aws.vpc_id}: give subnets of {aws.vpc_id}",
        "2 problem(s) found in the account; nothing was created or deleted.",
    ]
    assert aws.client("cloudformation").list_stacks()["StackSummaries"] == []
    assert aws.client("s3").list_buckets()["Buckets"] == buckets_before


def test_given_bad_input_then_exit_2_lists_every_problem_and_nothing_reaches_aws(aws: LocalAws) -> None:
    buckets_before = aws.client("s3").list_buckets()["Buckets"]
    run = cli(
        aws, "deploy", "--stack-name", "bad",
        *params({
            **aws.placement(),
            "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model/churn",
            "ModelPackageGroupName": "churn",
            "Instancetype": "ml.m5.large",
            "ManagedInstanceScaling": "true",
            "ScalingMinInstanceCount": "30",
            "ScalingMaxInstanceCount": "20",
            "InitialInstanceCount": "25",
        }),
    )  # fmt: skip

    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines() == [
        "error: Instancetype: not a parameter of the template; did you mean InstanceType?",
        "error: ModelPackageArn='arn:aws:sagemaker:eu-west-1:111122223333:model/churn': must be a SageMaker model "
        "package ARN (arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>), or empty",
        "error: ScalingMinInstanceCount='30': must be a whole number from 0 to 10",
        "error: Set only one of ModelPackageArn and ModelPackageGroupName: both are set; clear the one you do not "
        "want.",
        "error: With ManagedInstanceScaling, InitialInstanceCount must be at most 10: start smaller and let "
        "autoscaling add instances.",
        "error: ScalingMaxInstanceCount is below ScalingMinInstanceCount: raise the maximum or lower the minimum.",
        "error: InitialInstanceCount is below ScalingMinInstanceCount: start with at least the minimum.",
        "error: InitialInstanceCount is above ScalingMaxInstanceCount: start with at most the maximum.",
        "8 problem(s) in the input; nothing was sent to AWS.",
    ]
    assert aws.client("cloudformation").list_stacks()["StackSummaries"] == []
    assert aws.client("s3").list_buckets()["Buckets"] == buckets_before


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"ModelPackageGroupName": "churn", "ModelPackageArn": "PLACEHOLDER"}, "Set only one of ModelPackageArn"),
        ({"ModelPackageArn": "PLACEHOLDER", "InstanceTyp": "ml.m5.large"}, "did you mean InstanceType?"),
        (
            {"ModelPackageArn": "PLACEHOLDER", "ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "9",
             "ScalingMaxInstanceCount": "5", "InitialInstanceCount": "5"},
            "ScalingMaxInstanceCount is below ScalingMinInstanceCount",
        ),
        ({"ModelPackageArn": "arn:aws:s3:::churn"}, "ModelPackageArn='arn:aws:s3:::churn': must be a SageMaker"),
        ({}, "Set ModelPackageArn (deploy that version) or ModelPackageGroupName"),
    ],
)  # fmt: skip
def test_each_bad_input_alone_exits_2_naming_it(aws: LocalAws, values: dict[str, str], problem: str) -> None:
    values = {k: aws.versions[0] if v == "PLACEHOLDER" else v for k, v in values.items()}
    run = cli(aws, "deploy", "--stack-name", "bad", *params({**aws.placement(), **values}))
    assert run.returncode == 2
    assert problem in run.stderr
    assert aws.client("cloudformation").list_stacks()["StackSummaries"] == []


# --- outputs and destroy -----------------------------------------------------------------------------------


def test_outputs_prints_the_same_json_and_destroy_deletes_the_stack_and_names_the_kept_key(aws: LocalAws) -> None:
    deployed = cli(aws, "deploy", "--stack-name", "churn-gone", *params(group_mode(aws)))
    assert deployed.returncode == 0, deployed.stderr
    shown = cli(aws, "outputs", "--stack-name", "churn-gone")
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, deployed.stdout, "")
    key = json.loads(shown.stdout)["KmsKeyId"]

    destroyed = cli(aws, "destroy", "--stack-name", "churn-gone")

    assert (destroyed.returncode, destroyed.stdout) == (0, "")
    lines = destroyed.stderr.splitlines()
    assert "Stack churn-gone: DELETE_COMPLETE" in lines
    assert lines[-1] == (
        f"Kept the KMS key {key} (DeletionPolicy Retain: data encrypted with it stays readable). To delete it after "
        f"a 30-day wait: aws kms schedule-key-deletion --key-id {key} --pending-window-in-days 30 --region {REGION}"
    )
    assert any(re.fullmatch(r" *\d+:\d\d  DELETE_COMPLETE +Endpoint +AWS::SageMaker::Endpoint", line) for line in lines)
    assert aws.client("sagemaker").list_endpoints()["Endpoints"] == []
    assert aws.client("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"

    again = cli(aws, "destroy", "--stack-name", "churn-gone")
    assert (again.returncode, again.stderr) == (0, f"No stack named churn-gone in {REGION}: nothing to destroy.\n")
    missing = cli(aws, "outputs", "--stack-name", "churn-gone")
    assert (missing.returncode, missing.stderr) == (1, f"error: no stack named churn-gone in {REGION}\n")


def test_on_a_terminal_the_progress_has_colour_and_a_bar_and_stdout_stays_json(aws: LocalAws) -> None:
    code, stdout, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-tty", *params(arn_mode(aws)))

    assert code == 0, terminal
    assert json.loads(stdout)["ModelPackageArn"] == aws.versions[0]
    assert "\x1b[32mStack churn-tty: CREATE_COMPLETE\x1b[0m" in terminal  # colour
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    assert re.search(r"resources ━+ 11/11 0:00:0\d", plain)  # the bar, resources done out of the plan's total
    assert re.search(r"resources [━╸╺]+ ([1-9]|10)/11", plain)  # redrawn as resources complete, not only at the end


def test_a_template_over_the_inline_limit_is_sent_from_the_artifacts_bucket(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template grows toward 51,200 bytes; past it the deploy still works, from S3."""
    for name, value in {"AWS_ENDPOINT_URL": aws.endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    committed = load_template()
    large = EndpointTemplate(committed.body.replace("Description: ", f"Description: {'x' * 4000} ", 1))
    assert not large.fits_inline
    out, err = io.StringIO(), io.StringIO()
    context = DeployContext(Aws(REGION), large, Console(err), out)

    code = deploy.run(context, DeployRequest("churn-large", arn_mode(aws)))

    assert code == 0, err.getvalue()
    key = f"templates/sagemaker-endpoint-{hashlib.sha256(large.body.encode()).hexdigest()}.yaml"
    assert f"Template: over the inline limit, sent as s3://{DEFAULT_BUCKET}/{key}" in err.getvalue().splitlines()
    body = aws.client("s3").get_object(Bucket=DEFAULT_BUCKET, Key=key)["Body"].read().decode()
    assert body == large.body
    assert aws.client("cloudformation").get_template(StackName="churn-large")["TemplateBody"] == large.body
    assert json.loads(out.getvalue())["ModelPackageArn"] == aws.versions[0]


def test_given_a_failing_update_then_deploy_exits_1_and_says_what_the_endpoint_still_serves(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live preflight would refuse group 'ghost' first (exit 2); it is stood aside for the update to reach the
    resolver, as a group deleted between the preflight and the update would."""
    assert cli(aws, "deploy", "--stack-name", "churn-fails", *params(group_mode(aws))).returncode == 0
    before = serving(aws, outputs_of(aws, "churn-fails")["EndpointName"])
    monkeypatch.setattr(deploy_request, "preflight", lambda *_a, **_k: None)

    run = cli(aws, "deploy", "--stack-name", "churn-fails", "--param", "ModelPackageGroupName=ghost")

    assert (run.returncode, run.stdout) == (1, "")
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith("error: LatestApprovedModelPackage (Custom::LatestApprovedModelPackage) UPDATE_FAILED:")
    assert "Model package group 'ghost' does not exist in this account and Region" in errors[0]
    assert run.stderr.splitlines()[-1] == (
        f"rolled back (UPDATE_ROLLBACK_COMPLETE): the endpoint still serves {aws.versions[2]}"
    )
    assert stack_of(aws, "churn-fails")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert serving(aws, outputs_of(aws, "churn-fails")["EndpointName"]) == before
