"""A fleet past the sizes where StackSets and S3 stop: an Organization's many OUs, many accounts' read grant, and a
stack set with its own roles, as a user runs `fleet`, on botocore Stubbers (a call not queued fails the test).

- "The maximum number of organizational unit (OUs) supported by a CreateStackInstances operation is 50" (the same
  for DeleteStackInstances; https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/
  API_CreateStackInstances.html), which advises "Batch processing: ... split up the operations into multiple calls".
- "To be considered non-public, a bucket policy must grant access only to fixed values (values that don't contain a
  wildcard or an AWS Identity and Access Management Policy Variable) for one or more of the following: An AWS
  principal, user, role, or service principal (e.g. aws:PrincipalOrgID) ..." (https://docs.aws.amazon.com/AmazonS3/
  latest/userguide/access-control-block-public-access.html); the code bucket blocks public policies.
- "Bucket policies are limited to 20 KB in size." (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
  access-policy-language-overview.html)
- "If you specified a customized administrator role when you created the StackSet, you must specify a customized
  administrator role, even if it is the same customized administrator role used with this StackSet previously."
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStackSet.html)"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployFailed
from generator.deploy.fleet.code import READ_SID, grant_reads, readers_of
from generator.deploy.verbs import fleet
from tests.support.stubbed_aws import (
    StubbedAws,
    endpoint_like_with,
    expect_endpoint,
    resources,
    run_with,
    stack_id,
    stacks,
)

HOME, ACCOUNT = "eu-west-1", "111122223333"
ORGANIZATION = "o-a1b2c3d4e5"
OUS = [f"ou-ab12-{n:08d}" for n in range(51)]
FLEET_LIKE = endpoint_like_with({"ResolverCodeS3Bucket": "", "ResolverCodeS3Key": ""})
CODE_KEY, CODE_BUCKET = "resolver/resolver-0123abcd.zip", f"code-{HOME}"
NAME = {"StackSetName": "churn-fleet"}
SAFE = {"RegionConcurrencyType": "SEQUENTIAL", "FailureTolerancePercentage": 0, "MaxConcurrentCount": 1}
# S3's list of condition keys whose fixed values make a policy non-public (the page above).
NON_PUBLIC_KEYS = {"aws:PrincipalOrgID", "aws:SourceIp", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce",
                   "aws:SourceOwner", "aws:SourceAccount", "aws:userid"}  # fmt: skip


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, FLEET_LIKE)
    return aws


def expect_identity(stubbed: StubbedAws) -> None:
    stubbed["sts"].add_response("get_caller_identity", {"Arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "Account": ACCOUNT})


def public_by_s3s_definition(statement: dict[str, Any]) -> bool:
    """S3 starts from public; a statement is not when it names fixed principals, or when a condition holds fixed
    values (no `*`, `?` or `${`) of a key S3 lists."""

    def fixed(value: object) -> bool:
        return not any(mark in str(value) for mark in ("*", "?", "${"))

    principal = statement["Principal"]
    if principal != "*" and all(fixed(p) for p in json.dumps(principal).split('"')):
        return False
    for operator, conditions in statement.get("Condition", {}).items():
        for key, value in conditions.items():
            values = value if isinstance(value, list) else [value]
            if operator in ("StringEquals", "ArnEquals") and key in NON_PUBLIC_KEYS and all(map(fixed, values)):
                return False
    return True


def expect_operation(cloudformation: Stubber, verb: str, arguments: dict[str, Any], n: int) -> None:
    cloudformation.add_response(verb, {"OperationId": f"op-{n}"}, {**NAME, **arguments})
    operation = {**NAME, "OperationId": f"op-{n}"}
    cloudformation.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": "SUCCEEDED"}},
                                operation)  # fmt: skip
    cloudformation.add_response("list_stack_set_operation_results", {"Summaries": []}, operation)


def test_an_organizations_fleet_grants_its_code_to_the_organization_by_id_and_targets_50_ous_a_call(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """51 OUs: two CreateStackInstances, of 50 and 1. The code bucket's read grant names the Organization by its fixed
    ID, which S3 does not call public (the OU paths did: wildcards, and a key S3 does not list)."""
    granted: list[Any] = []

    def upload(_aws: Aws, _console: Console, regions: list[str], readers: Any) -> tuple[str, dict[str, str]]:
        granted.append(readers)
        return CODE_KEY, {region: f"code-{region}" for region in regions}

    monkeypatch.setattr(fleet, "upload_resolver_everywhere", upload)
    expect_identity(stubbed)
    stubbed["organizations"].add_response("describe_organization", {"Organization": {"Id": ORGANIZATION}})
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_client_error("describe_stack_set", "StackSetNotFoundException", "not found")
    values = {"DeployOnApproval": "false", "EndpointName": "", "ModelPackageArn": "", "ModelPackageGroupName": "churn",
              "ResolverCodeS3Bucket": CODE_BUCKET, "ResolverCodeS3Key": CODE_KEY}  # fmt: skip
    cloudformation.add_response("create_stack_set", {"StackSetId": "churn-fleet:1"}, {
        **NAME, "Description": "sagemaker-endpoint fleet", "TemplateBody": FLEET_LIKE.body,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())],
        "Capabilities": [], "PermissionModel": "SERVICE_MANAGED", "AutoDeployment": {"Enabled": False},
    })  # fmt: skip
    for n, ous in enumerate((OUS[:50], OUS[50:])):
        expect_operation(cloudformation, "create_stack_instances", {
            "DeploymentTargets": {"OrganizationalUnitIds": ous}, "Regions": [HOME],
            "ParameterOverrides": [{"ParameterKey": "ResolverCodeS3Bucket", "ParameterValue": CODE_BUCKET}],
            "OperationPreferences": {**SAFE, "RegionOrder": [HOME]},
        }, n)  # fmt: skip
    cloudformation.add_response("list_stack_instances", {"Summaries": []}, NAME)
    code = main(["fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME, "--regions", HOME,
                 "--organizational-units", ",".join(OUS), "--param", "ModelPackageGroupName=churn"])  # fmt: skip
    stubbed.done()
    assert code == 0, capsys.readouterr().err
    (readers,) = granted
    assert readers == {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}}}
    assert not public_by_s3s_definition(readers)
    assert public_by_s3s_definition({"Principal": {"AWS": "*"}, "Condition": {
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORGANIZATION}/*/{OUS[0]}/*"]}}})  # fmt: skip


def test_fleet_destroy_deletes_the_instances_of_51_ous_in_calls_of_50_and_1(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet",
                                                                    "Status": "ACTIVE"}}, NAME)  # fmt: skip
    instances = [{"Account": f"{n:012d}", "Region": HOME, "OrganizationalUnitId": ou} for n, ou in enumerate(OUS)]
    cloudformation.add_response("list_stack_instances", {"Summaries": instances}, NAME)
    for n, ous in enumerate((OUS[:50], OUS[50:])):
        expect_operation(cloudformation, "delete_stack_instances", {
            "DeploymentTargets": {"OrganizationalUnitIds": ous}, "Regions": [HOME], "RetainStacks": False,
            "OperationPreferences": {**SAFE, "RegionOrder": [HOME]},
        }, n)  # fmt: skip
    cloudformation.add_response("delete_stack_set", {}, NAME)
    code = main(["fleet", "destroy", "--stack-set-name", "churn-fleet", "--region", HOME])
    stubbed.done()
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize("accounts", [600, 700])
def test_a_read_grant_that_would_take_the_bucket_policy_past_20_kb_is_refused_before_it_is_sent(accounts: int) -> None:
    """The policy is sent without spaces: 600 accounts fit in 20,480 bytes, 700 do not, and then nothing is put."""
    others = [f"{n:012d}" for n in range(1, accounts + 1)]
    readers = readers_of(others, ACCOUNT, "aws", None)
    assert readers is not None
    s3 = boto3.client("s3", region_name=HOME)
    owned = {"Bucket": CODE_BUCKET, "ExpectedBucketOwner": ACCOUNT}
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "none", 404, owned)
        if accounts == 600:
            statement = {"Sid": READ_SID, "Effect": "Allow", **readers, "Action": "s3:GetObject",
                         "Resource": f"arn:aws:s3:::{CODE_BUCKET}/resolver/*"}  # fmt: skip
            policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
            assert len(policy) <= 20 * 1024
            stub.add_response("put_bucket_policy", {}, {**owned, "Policy": policy})
            grant_reads(s3, CODE_BUCKET, (ACCOUNT, "aws"), readers)
        else:
            with pytest.raises(DeployFailed, match=r"^granting the fleet's accounts read access makes the policy of "
                               r"bucket code-eu-west-1 2\d{4} bytes, over S3's 20 KB \(20480 bytes\) for a bucket "
                               r"policy: deploy to --organizational-units"):  # fmt: skip
                grant_reads(s3, CODE_BUCKET, (ACCOUNT, "aws"), readers)
        stub.assert_no_pending_responses()


def test_an_update_names_the_stack_sets_own_administration_and_execution_roles_again(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack set was made with a team's roles; this run names none, and its template changed: UpdateStackSet
    carries both roles as DescribeStackSet gives them."""
    values = {"DeployOnApproval": "false", "EndpointName": "", "ModelPackageArn": f"arn:aws:sagemaker:{HOME}:"
              f"{ACCOUNT}:model-package/churn/3", "ModelPackageGroupName": "", "ResolverCodeS3Bucket": "",
              "ResolverCodeS3Key": ""}  # fmt: skip
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]
    roles = {"AdministrationRoleARN": f"arn:aws:iam::{ACCOUNT}:role/TeamA-StackSetAdmin",
             "ExecutionRoleName": "TeamA-StackSetExecution"}  # fmt: skip
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stack_set", {"StackSet": {
        "StackSetName": "churn-fleet", "Status": "ACTIVE", "PermissionModel": "SELF_MANAGED",
        "TemplateBody": "an older template", "Parameters": parameters, **roles}}, NAME)  # fmt: skip
    present = {"Account": ACCOUNT, "Region": HOME, "Status": "CURRENT"}
    cloudformation.add_response("list_stack_instances", {"Summaries": [present]}, NAME)
    cloudformation.add_response("describe_stack_instance", {"StackInstance": {"ParameterOverrides": []}},
                                {**NAME, "StackInstanceAccount": ACCOUNT, "StackInstanceRegion": HOME})  # fmt: skip
    expect_operation(cloudformation, "update_stack_set", {
        "TemplateBody": FLEET_LIKE.body, "Parameters": parameters, "Capabilities": [], **roles,
        "OperationPreferences": {**SAFE, "RegionOrder": [HOME]},
    }, 0)  # fmt: skip
    cloudformation.add_response("list_stack_instances", {"Summaries": [present]}, NAME)
    code = main(["fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME, "--regions", HOME,
                 "--accounts", ACCOUNT, "--param", f"ModelPackageArn={values['ModelPackageArn']}"])  # fmt: skip
    stubbed.done()
    assert code == 0, capsys.readouterr().err


def test_fleet_outputs_checks_what_an_instance_serves_and_removes_nothing(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """It reads through a read-only role: no tagging read, no delete is queued."""
    instance_stack = stack_id("StackSet-churn-fleet-1")
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet",
                                                                    "Status": "ACTIVE"}}, NAME)  # fmt: skip
    instance = {"Account": ACCOUNT, "Region": HOME, "Status": "CURRENT", "StackId": instance_stack}
    cloudformation.add_response("list_stack_instances", {"Summaries": [instance]}, NAME)
    outputs = {"EndpointName": "churn-ep", "ModelPackageArn": "v3"}
    described = stacks("StackSet-churn-fleet-1", "UPDATE_COMPLETE", outputs=outputs)
    for _ in range(2):  # its outputs, then the serving check
        cloudformation.add_response("describe_stacks", described, {"StackName": instance_stack})
    cloudformation.add_response("list_stack_resources", resources(
        ("Endpoint", "churn-ep", "AWS::SageMaker::Endpoint"),
        ("EndpointConfig", "config-3", "AWS::SageMaker::EndpointConfig")), {"StackName": instance_stack})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-ep", "config-3")
    expect_identity(stubbed)
    code = main(["fleet", "outputs", "--stack-set-name", "churn-fleet", "--region", HOME])
    stubbed.done()
    out, err = capsys.readouterr()
    assert code == 0, err
    (reported,) = json.loads(out)
    assert (reported["Status"], reported["StatusReason"], reported["EndpointName"]) == ("CURRENT", "", "churn-ep")
