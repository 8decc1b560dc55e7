"""From what a person asks to the change set CloudFormation gets, as `plan` runs it on botocore Stubbers (any call
not queued fails the test): the service role, tags, a fresh resolution token, seed-farmer's deployer role and
permissions boundary, what happens to a change set that cannot be planned, and the stacks that are not planned."""

from __future__ import annotations

from typing import Any

import pytest

from generator.cli import main
from generator.common.lambda_zip import build_resolver_package
from generator.deploy.template_file import EndpointTemplate
from tests.support.published_change_sets import replacing_the_endpoint
from tests.support.seedfarmer_env import CONTEXT
from tests.support.stubbed_aws import (
    ACCOUNT,
    ENDPOINT_LIKE,
    GROUP_LIKE,
    SAGEMAKER,
    Matching,
    StubbedAws,
    adding_the_endpoint,
    expect_discard,
    expect_identity,
    expect_plan,
    no_stack,
    parameter_list,
    run_with,
    stacks,
)

V3 = f"{SAGEMAKER}:model-package/churn/3"
PLAN = ["plan", "--stack-name", "churn", "--region", "eu-west-1"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-deployer"
ARN_MODE = {"ModelPackageArn": V3, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}


def stubbed_with(monkeypatch: pytest.MonkeyPatch, template: EndpointTemplate = ENDPOINT_LIKE) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, template)
    return aws


def inline(template: EndpointTemplate, values: dict[str, str]) -> dict[str, Any]:
    """CreateChangeSet's template and parameters for a template sent inline."""
    return {"TemplateBody": template.body, "Capabilities": [], "Parameters": parameter_list(values)}


def test_a_new_stack_is_planned_with_the_role_and_tags_then_its_change_set_and_empty_stack_deleted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--role-arn is the change set's RoleARN and each --tag a stack tag. A CREATE change set makes a stack in
    REVIEW_IN_PROGRESS ("CloudFormation creates a stack with a unique stack ID, but no template or resources",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html): plan deletes both."""
    stubbed = stubbed_with(monkeypatch)
    no_stack(stubbed["cloudformation"], "churn")
    answer = adding_the_endpoint()
    tags = [{"Key": "team", "Value": "ml"}, {"Key": "cost-center", "Value": "42"}]
    request = inline(ENDPOINT_LIKE, {"ModelPackageArn": V3}) | {"RoleARN": ROLE, "Tags": tags}
    expect_plan(stubbed["cloudformation"], "CREATE", request, answer)
    expect_discard(stubbed["cloudformation"], answer, created=True)
    code = main([*PLAN, "--param", f"ModelPackageArn={V3}", "--role-arn", ROLE, "--tag", "team=ml",
                 "--tag", "cost-center=42"])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert err.splitlines()[0] == "Plan to create stack churn:"


@pytest.mark.parametrize("existing", [True, False], ids=["update", "create"])
def test_a_change_set_cloudformation_cannot_plan_is_deleted_and_its_reason_given_with_exit_1(
    existing: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FAILED change set (DescribeChangeSet Status, with StatusReason) is not left behind: deleted, and after a
    create the empty stack too, so the next plan starts clean."""
    stubbed = stubbed_with(monkeypatch)
    cloudformation = stubbed["cloudformation"]
    if existing:
        cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", ARN_MODE),
                                    {"StackName": "churn"})  # fmt: skip
    else:
        no_stack(cloudformation, "churn")
    reason = "Template format error: Unresolved resource dependencies [ModelRole] in the Resources block"
    failed = replacing_the_endpoint() | {"StackName": "churn", "Status": "FAILED", "StatusReason": reason}
    sent = ARN_MODE if existing else {"ModelPackageArn": V3}  # an update sends every value, a create the new ones
    expect_plan(cloudformation, "UPDATE" if existing else "CREATE", inline(ENDPOINT_LIKE, sent), failed)
    expect_discard(cloudformation, failed, created=not existing)
    code = main([*PLAN, "--param", f"ModelPackageArn={V3}"])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", f"error: CloudFormation could not plan the change: {reason}\n")


def test_a_busy_stack_is_not_planned_and_the_command_to_watch_it_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CloudFormation takes no change set of a stack in progress; no CreateChangeSet is queued."""
    stubbed = stubbed_with(monkeypatch)
    stubbed["cloudformation"].add_response(
        "describe_stacks", stacks("churn", "UPDATE_ROLLBACK_IN_PROGRESS", ARN_MODE), {"StackName": "churn"}
    )
    code = main([*PLAN, "--param", f"ModelPackageArn={V3}"])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: stack churn is busy (UPDATE_ROLLBACK_IN_PROGRESS): wait for it, or watch it with "
        "`sagemaker-endpoint follow --stack-name churn`\n"
    ))  # fmt: skip


def test_a_stack_left_in_review_by_an_earlier_plan_is_planned_as_a_create(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """REVIEW_IN_PROGRESS is a stack that was never created (a CREATE change set not executed): it has no template
    to update, so the change set is a CREATE again (CloudFormation reuses the stack), sending only what differs
    from the defaults."""
    stubbed = stubbed_with(monkeypatch)
    stubbed["cloudformation"].add_response(
        "describe_stacks", stacks("churn", "REVIEW_IN_PROGRESS"), {"StackName": "churn"}
    )
    answer = adding_the_endpoint()
    expect_plan(stubbed["cloudformation"], "CREATE", inline(ENDPOINT_LIKE, {"ModelPackageArn": V3}), answer)
    expect_discard(stubbed["cloudformation"], answer, created=True)
    code = main([*PLAN, "--param", f"ModelPackageArn={V3}"])
    stubbed.done()
    assert (code, capsys.readouterr().out) == (0, "")


def re_resolving() -> dict[str, Any]:
    """A computed change set after a new token: the resolver may answer another package, so CloudFormation can only
    say the Model, and what refers to it, may be replaced (Replacement Conditional)."""
    answer = replacing_the_endpoint("Conditional") | {"StackName": "churn"}
    change = answer["Changes"][0]
    model = {"Action": "Modify", "LogicalResourceId": "Model", "ResourceType": "AWS::SageMaker::Model",
             "Replacement": "Conditional", "Details": [{
                 "Target": {"Attribute": "Properties", "Name": "PrimaryContainer", "RequiresRecreation": "Always"},
                 "Evaluation": "Dynamic", "ChangeSource": "ResourceAttribute",
                 "CausingEntity": "LatestApprovedModelPackage.ModelPackageArn"}]}  # fmt: skip
    config = {"Action": "Modify", "LogicalResourceId": "EndpointConfig",
              "ResourceType": "AWS::SageMaker::EndpointConfig", "Replacement": "Conditional", "Details": [{
                  "Target": {"Attribute": "Properties", "Name": "ProductionVariants", "RequiresRecreation": "Always"},
                  "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": "Model"}]}  # fmt: skip
    answer["Changes"] = [change | {"ResourceChange": model}, change | {"ResourceChange": config}]
    return answer


def test_resolve_latest_plans_with_a_fresh_token_and_the_zip_in_the_named_bucket(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--resolve-latest sets PackageResolutionToken to the time and a random part, new each run, so the resolver
    runs again; every other value is the stack's. The zip is uploaded again (a deploy keeps the zip in use current),
    and the plan names the re-resolution as the Model's cause, as docs/commands.md shows."""
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    resolver_key = f"resolver/{build_resolver_package().file_name}"
    group_mode = {"ResolverCodeS3Bucket": "team-artifacts", "ResolverCodeS3Key": resolver_key,
                  "PackageResolutionToken": "20261130T100000Z-0a1b2c3d", "PermissionsBoundaryArn": "",
                  "ModelPackageArn": "", "ModelPackageGroupName": "churn", "DeployOnApproval": "false",
                  "EndpointName": ""}  # fmt: skip
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", group_mode),
                                {"StackName": "churn"})  # fmt: skip
    stubbed["s3"].add_response("head_bucket", {}, {"Bucket": "team-artifacts"})
    put = {"Bucket": "team-artifacts", "Key": resolver_key, "Body": build_resolver_package().content}
    stubbed["s3"].add_response("put_object", {"ETag": '"0123"'}, put)
    expect_identity(stubbed["sts"])
    answer = re_resolving()
    token = Matching(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
    sent = inline(GROUP_LIKE, group_mode)
    sent["Parameters"][2]["ParameterValue"] = token
    expect_plan(cloudformation, "UPDATE", sent, answer)
    expect_discard(cloudformation, answer, created=False)
    code = main([*PLAN, "--resolve-latest", "--artifacts-bucket", "team-artifacts"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"Resolver code: s3://team-artifacts/{resolver_key}",
        "Plan to update stack churn:",
        "  -/+? May replace Model           AWS::SageMaker::Model           <- re-resolved model package",
        "  -/+? May replace EndpointConfig  AWS::SageMaker::EndpointConfig  <- replaced Model",
        "Plan: 0 to add, 0 to modify, 2 to replace, 0 to remove.",
    ]


@pytest.mark.usefixtures("no_aws_session")
def test_resolve_latest_with_a_token_of_its_own_exits_2_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*PLAN, "--param", "ModelPackageGroupName=churn", "--resolve-latest",
                 "--param", "PackageResolutionToken=mine"])  # fmt: skip
    assert (code, *capsys.readouterr()) == (2, "", (
        "error: --resolve-latest sets PackageResolutionToken itself: drop --param PackageResolutionToken\n"
        "1 problem(s) in the input; nothing was sent to AWS.\n"
    ))  # fmt: skip


REQUIRED_VPC = EndpointTemplate(ENDPOINT_LIKE.body.replace("Parameters:\n", "Parameters:\n  VpcId: {Type: String}\n"))


def test_a_required_parameter_neither_given_nor_held_by_the_stack_exits_2_before_any_change_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a stack holds counts only once it is read: a new stack has nothing, so the missing value is named after
    that read and before anything is changed."""
    stubbed = stubbed_with(monkeypatch, REQUIRED_VPC)
    no_stack(stubbed["cloudformation"], "churn")
    code = main([*PLAN, "--param", f"ModelPackageArn={V3}"])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (2, "", (
        "error: VpcId: required, it has no default; pass --param VpcId=...\n"
        "1 problem(s) in the input; nothing was sent to AWS.\n"
    ))  # fmt: skip


SEED_STACK = "MLOps-prod-sagemaker-endpoints-endpoint-cfn"
DEPLOYER_PATH = "/sagemaker-endpoint-deployer/mlops/prod/sagemaker-endpoints-endpoint/"  # as seed-farmer made it


def seedfarmer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (CONTEXT | {"SEEDFARMER_PROJECT_NAME": "MLOps"}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SEEDFARMER_PARAMETER_MODEL_PACKAGE_ARN", V3)
    monkeypatch.setenv("SEEDFARMER_PARAMETER_PERMISSIONS_BOUNDARY_NAME", "team-boundary")


def role(name: str, path: str) -> dict[str, Any]:
    return {"Path": path, "RoleName": name, "RoleId": "AROAEXAMPLEROLEID0001",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role{path}{name}", "CreateDate": "2026-11-30T10:00:00Z"}  # fmt: skip


def test_a_seedfarmer_deployment_plans_with_its_modules_deployer_role_and_the_boundary_as_an_arn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """seed-farmer's module role is the one role under the module's IAM path (another module's role is under its
    own path; seed-farmer lower-cases the project there, so the path is matched whatever its case); the boundary is
    given by name and set as the policy's ARN in this account; the seed-farmer tags name the deployment."""
    seedfarmer_env(monkeypatch)
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, SEED_STACK)
    expect_identity(stubbed["sts"])
    ours = role("deployer", DEPLOYER_PATH)
    theirs = role("deployer", "/sagemaker-endpoint-deployer/mlops/prod/other-module/")
    stubbed["iam"].add_response(
        "list_roles", {"Roles": [theirs, ours]}, {"PathPrefix": "/sagemaker-endpoint-deployer/"}
    )
    answer = adding_the_endpoint(SEED_STACK)
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/team-boundary"
    tags = [{"Key": "SeedFarmerProjectName", "Value": "MLOps"}, {"Key": "SeedFarmerDeploymentName", "Value": "prod"},
            {"Key": "SeedFarmerModuleName", "Value": "sagemaker-endpoints-endpoint"}]  # fmt: skip
    sent = inline(GROUP_LIKE, {"PermissionsBoundaryArn": boundary, "ModelPackageArn": V3})
    expect_plan(cloudformation, "CREATE", sent | {"RoleARN": ours["Arn"], "Tags": tags}, answer)
    expect_discard(cloudformation, answer, created=True)
    code = main(["plan", "--from-seedfarmer-env", "--region", "eu-west-1"])
    stubbed.done()
    assert (code, capsys.readouterr().out) == (0, "")


def test_a_seedfarmer_deployment_without_its_deployer_role_exits_1_naming_the_path_and_what_creates_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without modulestack.yaml deployed there is no role to hand CloudFormation; nothing is planned."""
    seedfarmer_env(monkeypatch)
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], SEED_STACK)
    expect_identity(stubbed["sts"])
    other = role("deployer", "/sagemaker-endpoint-deployer/mlops/prod/other-module/")
    stubbed["iam"].add_response("list_roles", {"Roles": [other]}, {"PathPrefix": "/sagemaker-endpoint-deployer/"})
    code = main(["plan", "--from-seedfarmer-env", "--region", "eu-west-1"])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: expected one deployer role under the IAM path /sagemaker-endpoint-deployer/MLOps/prod/"
        "sagemaker-endpoints-endpoint/, found 0: deploy the module's modulestack.yaml (seed-farmer does, before the "
        "module)\n"
    ))  # fmt: skip
