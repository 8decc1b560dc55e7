"""`fleet`: input refused offline with every problem, targets grouped into as few StackSet calls as their overrides
allow, the resolver code's read grant merged into a bucket policy, and failed instances named with exit code 1.
AWS is a botocore Stubber: every call is checked against the API model, and an unexpected one fails the test."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.fleet.code import READ_SID, grant_reads, readers_of
from generator.deploy.fleet.request import FleetRequest, parse_overrides
from generator.deploy.fleet.stack_set import StackSets
from generator.deploy.fleet.targets import batches, desired, preferences
from generator.deploy.template_file import EndpointTemplate, load_template
from generator.deploy.verbs import fleet
from tests.support.stubbed_aws import ENDPOINT_LIKE, Batched, StubbedAws, expect_new_fleet, run_with, terminal_console

HOME, OTHER = "eu-west-1", "us-east-1"
ACCOUNT, PEER = "111122223333", "444455556666"


@pytest.mark.usefixtures("no_aws_session")
def test_bad_input_exits_2_with_every_problem_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME,
        "--accounts", ACCOUNT, "--organizational-units", "ou-ab12-cdefgh34", "--regions", f"{HOME},{OTHER}",
        "--param", "InstanceTyp=ml.m5.large", "--param", "DeployOnApproval=true",
        "--param", f"ModelPackageArn=arn:aws:sagemaker:{HOME}:{ACCOUNT}:model-package/churn/3",
        "--override", "ap-south-1:InitialInstanceCount=2", "--override", f"{OTHER}:InitialInstanceCount=0",
    ])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --accounts and --organizational-units: give one of them, not both",
        "error: --override ap-south-1:InitialInstanceCount: Region ap-south-1 is not in --regions",
        "error: InstanceTyp: not a parameter of the template; did you mean InstanceType?",
        "error: InitialInstanceCount='0': must be a whole number from 1 to 9999",
        "error: DeployOnApproval=true: a fleet's instances belong to their StackSet and are never updated one by "
        "one; let approvals deploy a staging stack, then carry its package with `promote` or `fleet deploy`",
        f"error: {OTHER}: ModelPackageArn is a package of {HOME}; model packages are regional: give this Region "
        f"its own with --override {OTHER}:ModelPackageArn=...",
        "6 problem(s) in the input; nothing was sent to AWS.",
    ]


def test_an_override_is_written_account_slash_region_colon_assignment() -> None:
    overrides, problems = parse_overrides([f"{PEER}/{OTHER}:VpcId=vpc-0abc", f"{HOME}:SubnetIds=a,b", "VpcId=x"])
    assert [(o.account, o.region, o.key, o.value) for o in overrides] == [
        (PEER, OTHER, "VpcId", "vpc-0abc"),
        (None, HOME, "SubnetIds", "a,b"),
    ]
    assert problems == ["--override 'VpcId=x': write it as [ACCOUNT/]REGION:KEY=VALUE, e.g. eu-west-1:InstanceCount=2"]


def request(**changes: Any) -> FleetRequest:
    return FleetRequest("churn-fleet", [HOME, OTHER], accounts=[ACCOUNT, PEER], **changes)


def test_instances_sharing_their_overrides_share_one_call_across_regions() -> None:
    (batch,) = batches(request(), desired(request(), {}))
    assert batch.arguments(preferences(request())) == {
        "Accounts": [ACCOUNT, PEER],
        "Regions": [HOME, OTHER],
        "ParameterOverrides": [],
        "OperationPreferences": {
            "RegionConcurrencyType": "SEQUENTIAL",
            "RegionOrder": [HOME, OTHER],
            "FailureTolerancePercentage": 0,
            "MaxConcurrentCount": 1,
        },
    }


def test_per_region_values_and_an_accounts_own_value_split_the_calls_in_region_order() -> None:
    overrides, _ = parse_overrides([f"{OTHER}:InitialInstanceCount=2", f"{PEER}/{OTHER}:InitialInstanceCount=3"])
    fleet_request = request(overrides=overrides)
    code_buckets = {HOME: {"ResolverCodeS3Bucket": "code-eu"}, OTHER: {"ResolverCodeS3Bucket": "code-us"}}
    found = [
        (b.accounts, b.regions, dict(b.overrides)) for b in batches(fleet_request, desired(fleet_request, code_buckets))
    ]
    assert found == [
        ((ACCOUNT, PEER), (HOME,), {"ResolverCodeS3Bucket": "code-eu"}),
        ((ACCOUNT,), (OTHER,), {"ResolverCodeS3Bucket": "code-us", "InitialInstanceCount": "2"}),
        ((PEER,), (OTHER,), {"ResolverCodeS3Bucket": "code-us", "InitialInstanceCount": "3"}),
    ]


def test_an_organizations_fleet_targets_its_ous_and_rolls_out_as_asked() -> None:
    ous = FleetRequest("churn-fleet", [HOME, OTHER], organizational_units=["ou-ab12-cdefgh34"], region_order="parallel",
                       max_concurrent_percent=25, failure_tolerance_percent=10)  # fmt: skip
    (batch,) = batches(ous, desired(ous, {}))
    arguments = batch.arguments(preferences(ous))
    assert arguments["DeploymentTargets"] == {"OrganizationalUnitIds": ["ou-ab12-cdefgh34"]}
    assert arguments["OperationPreferences"] == {
        "RegionConcurrencyType": "PARALLEL",
        "RegionOrder": [HOME, OTHER],
        "FailureTolerancePercentage": 10,
        "MaxConcurrentPercentage": 25,
    }


def test_the_read_grant_is_merged_by_its_sid_and_keeps_every_other_statement() -> None:
    s3 = boto3.client("s3", region_name=HOME)
    theirs = {"Sid": "TheirAudit", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PEER}:root"},
              "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::code-eu"}  # fmt: skip
    stale_ours = {"Sid": READ_SID, "Effect": "Allow", "Principal": {"AWS": "old"}, "Action": "s3:GetObject",
                  "Resource": "x"}  # fmt: skip
    readers = readers_of([ACCOUNT, PEER], ACCOUNT, "aws", None)
    assert readers == {"Principal": {"AWS": [f"arn:aws:iam::{PEER}:root"]}}
    ours = {"Sid": READ_SID, "Effect": "Allow", **readers, "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::code-eu/resolver/*"}  # fmt: skip
    with Stubber(s3) as stub:
        existing = {"Version": "2012-10-17", "Statement": [theirs, stale_ours]}
        owned = {"Bucket": "code-eu", "ExpectedBucketOwner": ACCOUNT}
        stub.add_response("get_bucket_policy", {"Policy": json.dumps(existing)}, owned)
        merged = {"Version": "2012-10-17", "Statement": [theirs, ours]}
        stub.add_response("put_bucket_policy", {}, owned | {"Policy": json.dumps(merged, separators=(",", ":"))})
        grant_reads(s3, "code-eu", (ACCOUNT, "aws"), readers)
        stub.assert_no_pending_responses()


def test_readers_are_nobody_for_a_fleet_of_this_account_and_the_organization_for_one_of_ous() -> None:
    assert readers_of([ACCOUNT], ACCOUNT, "aws", None) is None
    assert readers_of([], ACCOUNT, "aws", "o-abc1234567") == {
        "Principal": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc1234567"}},
    }


def stubbed_context(client: Any, err: io.StringIO, out: io.StringIO) -> DeployContext:
    sts = boto3.client("sts", region_name=HOME)
    stub = Stubber(sts)
    stub.add_response(
        "get_caller_identity", {"Arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "Account": ACCOUNT, "UserId": "AIDA"}
    )
    stub.activate()
    aws = Aws(HOME, clients={"cloudformation": client, "sts": sts})
    return DeployContext(aws, load_template(), Console(err), out)


@pytest.mark.parametrize(("operation_status", "tolerance"), [("FAILED", 0), ("SUCCEEDED", 50)])
def test_a_failed_deletion_names_each_instance_with_its_reason_exits_1_and_keeps_the_stack_set(
    operation_status: str, tolerance: int
) -> None:
    """With a failure tolerance above 0 the operation itself SUCCEEDED though an instance failed ("SUCCEEDED: The
    operation completed ... without exceeding the failure tolerance", StackSetOperation Status,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperation.html): that instance is
    still there, so no DeleteStackSet ("Before you can delete a StackSet, all its member stack instances must be
    deleted", https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStackSet.html). None is
    queued: the Stubber fails the test if it is called."""
    cloudformation = boto3.client("cloudformation", region_name=HOME)
    err, out = io.StringIO(), io.StringIO()
    name = {"StackSetName": "churn-fleet"}
    with Stubber(cloudformation) as stub:
        stub.add_response("describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet", "Status": "ACTIVE"}}, name)
        stub.add_response("list_stack_instances", {"Summaries": [
            {"Account": ACCOUNT, "Region": HOME, "Status": "CURRENT"},
            {"Account": PEER, "Region": OTHER, "Status": "CURRENT"},
        ]}, name)  # fmt: skip
        stub.add_response("delete_stack_instances", {"OperationId": "op-1"}, {
            **name, "Accounts": [ACCOUNT, PEER], "Regions": [HOME, OTHER], "RetainStacks": False,
            "OperationPreferences": {"RegionConcurrencyType": "SEQUENTIAL", "RegionOrder": [HOME, OTHER],
                                     "FailureTolerancePercentage": tolerance, "MaxConcurrentCount": 1},
        })  # fmt: skip
        operation = {**name, "OperationId": "op-1"}
        stub.add_response(
            "describe_stack_set_operation", {"StackSetOperation": {"Status": operation_status}}, operation
        )
        reason = "ResourceLogicalId:EncryptionKey, ResourceType:AWS::KMS::Key, ResourceStatusReason:AccessDenied."
        stub.add_response("list_stack_set_operation_results", {"Summaries": [
            {"Account": ACCOUNT, "Region": HOME, "Status": "SUCCEEDED"},
            {"Account": PEER, "Region": OTHER, "Status": "FAILED", "StatusReason": reason},
        ]}, {**name, "OperationId": "op-1"})  # fmt: skip
        request = FleetRequest("churn-fleet", [], failure_tolerance_percent=tolerance)
        code = fleet.destroy(stubbed_context(cloudformation, err, out), request)
        stub.assert_no_pending_responses()
    assert code == 1
    lines = err.getvalue().splitlines()
    assert lines[0] == "Deleting 2 instance(s) (operation op-1)"
    assert lines[1].endswith(f"{ACCOUNT}  {HOME}       SUCCEEDED")
    assert lines[2].endswith(f"{PEER}  {OTHER}       FAILED  {reason}")
    assert lines[3:] == [
        f"error: {PEER} {OTHER}: FAILED: {reason}",
        "stack set churn-fleet is kept: it still has instances. Fix the cause, then destroy again.",
    ]


def test_an_instance_left_outdated_is_reported_in_the_json_and_named_with_exit_1() -> None:
    cloudformation = boto3.client("cloudformation", region_name=HOME)
    err, out = io.StringIO(), io.StringIO()
    outdated = {"Account": PEER, "Region": OTHER, "Status": "OUTDATED", "StatusReason": "Account gate failed",
                "StackInstanceStatus": {"DetailedStatus": "FAILED"}}  # fmt: skip
    with Stubber(cloudformation) as stub:
        stub.add_response("list_stack_instances", {"Summaries": [outdated]}, {"StackSetName": "churn-fleet"})
        context = stubbed_context(cloudformation, err, out)
        stack_sets = StackSets(context.aws, context.console)
        code = fleet._report(fleet._Fleet(context, FleetRequest("churn-fleet", []), stack_sets), [])
    assert code == 1
    (instance,) = json.loads(out.getvalue())
    nothing_read = dict.fromkeys(context.template.output_keys)
    assert instance == {"Account": PEER, "Region": OTHER, "Status": "OUTDATED", "DetailedStatus": "FAILED",
                        "StatusReason": "Account gate failed", **nothing_read}  # fmt: skip
    assert err.getvalue().splitlines() == [f"error: {PEER} {OTHER}: OUTDATED FAILED: Account gate failed"]


def test_on_a_terminal_each_instance_line_comes_with_a_bar_of_the_instances_done() -> None:
    err = io.StringIO()
    console = terminal_console(err)
    cloudformation = boto3.client("cloudformation", region_name=HOME)
    operation = {"StackSetName": "churn-fleet", "OperationId": "op-1"}
    with Stubber(cloudformation) as stub:
        stub.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": "RUNNING"}}, operation)
        stub.add_response("list_stack_set_operation_results", {"Summaries": [
            {"Account": ACCOUNT, "Region": HOME, "Status": "SUCCEEDED"},
            {"Account": PEER, "Region": HOME, "Status": "RUNNING"},
        ]}, operation)  # fmt: skip
        stub.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": "SUCCEEDED"}}, operation)
        stub.add_response("list_stack_set_operation_results", {"Summaries": [
            {"Account": ACCOUNT, "Region": HOME, "Status": "SUCCEEDED"},
            {"Account": PEER, "Region": HOME, "Status": "SUCCEEDED"},
        ]}, operation)  # fmt: skip
        stack_sets = StackSets(Aws(HOME, clients={"cloudformation": cloudformation}), console, sleep=lambda _: None)
        outcome = stack_sets.follow("churn-fleet", "op-1")
    assert (outcome.status, outcome.failures) == ("SUCCEEDED", [])
    shown = err.getvalue()
    assert f"{ACCOUNT}  {HOME}       SUCCEEDED" in shown
    assert f"{PEER}  {HOME}       RUNNING" in shown
    assert "instances" in shown
    assert "1/2" in shown  # the bar, redrawn as instances finish


def test_on_a_terminal_destroy_asks_and_a_no_exits_6_deleting_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    console = terminal_console(err)
    monkeypatch.setattr("builtins.input", lambda: "n")
    cloudformation = boto3.client("cloudformation", region_name=HOME)
    name = {"StackSetName": "churn-fleet"}
    with Stubber(cloudformation) as stub:  # a delete call would not be expected: it would fail the test
        stub.add_response("describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet", "Status": "ACTIVE"}}, name)
        stub.add_response("list_stack_instances", {"Summaries": [{"Account": ACCOUNT, "Region": HOME}]}, name)
        context = DeployContext(
            Aws(HOME, clients={"cloudformation": cloudformation}), load_template(), console, io.StringIO()
        )
        code = fleet.destroy(context, FleetRequest("churn-fleet", []))
        stub.assert_no_pending_responses()
    assert code == 6  # declined: nothing was changed
    shown = err.getvalue()
    assert "Delete stack set churn-fleet and its 1 instance(s), with their endpoints? [y/N]" in shown
    assert "Not executed: nothing was changed." in shown


def test_once_every_instance_is_deleted_the_stack_set_is_deleted_too() -> None:
    cloudformation = boto3.client("cloudformation", region_name=HOME)
    err = io.StringIO()
    name = {"StackSetName": "churn-fleet"}
    with Stubber(cloudformation) as stub:
        stub.add_response("describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet", "Status": "ACTIVE"}}, name)
        stub.add_response("list_stack_instances", {"Summaries": [{"Account": ACCOUNT, "Region": HOME}]}, name)
        stub.add_response("delete_stack_instances", {"OperationId": "op-1"}, {
            **name, "Accounts": [ACCOUNT], "Regions": [HOME], "RetainStacks": False,
            "OperationPreferences": {"RegionConcurrencyType": "SEQUENTIAL", "RegionOrder": [HOME],
                                     "FailureTolerancePercentage": 0, "MaxConcurrentCount": 1},
        })  # fmt: skip
        operation = {**name, "OperationId": "op-1"}
        stub.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": "SUCCEEDED"}}, operation)
        stub.add_response("list_stack_set_operation_results", {"Summaries": [
            {"Account": ACCOUNT, "Region": HOME, "Status": "SUCCEEDED"}]}, operation)  # fmt: skip
        stub.add_response("delete_stack_set", {}, name)
        code = fleet.destroy(stubbed_context(cloudformation, err, io.StringIO()), FleetRequest("churn-fleet", []))
        stub.assert_no_pending_responses()
    assert code == 0
    assert err.getvalue().splitlines()[-1] == "Stack set churn-fleet: deleted, with its 1 instance(s)."


FLEET_LIKE = EndpointTemplate(
    ENDPOINT_LIKE.body.replace(
        "Parameters:\n",
        "Parameters:\n  ResolverCodeS3Bucket: {Type: String, Default: ''}\n"
        "  ResolverCodeS3Key: {Type: String, Default: ''}\n",
        1,
    )
)
HOME_PACKAGE = f"arn:aws:sagemaker:{HOME}:{ACCOUNT}:model-package/churn/3"
OTHER_PACKAGE = f"arn:aws:sagemaker:{OTHER}:{ACCOUNT}:model-package/churn/3"
CODE_KEY = "resolver/resolver-0123abcd.zip"


NO_CODE = {"DeployOnApproval": "false", "EndpointName": "", "ResolverCodeS3Bucket": "", "ResolverCodeS3Key": ""}
FOLLOWED_IN = {
    "a Region's override sets a group the shared values do not have": (
        ["--param", f"ModelPackageArn={HOME_PACKAGE}", "--accounts", ACCOUNT,
         "--override", f"{OTHER}:ModelPackageArn=", "--override", f"{OTHER}:ModelPackageGroupName=churn"],
        [OTHER],
        {"ModelPackageArn": HOME_PACKAGE, "ModelPackageGroupName": "", "ResolverCodeS3Bucket": f"code-{OTHER}"},
        [([ACCOUNT], [HOME], {}),
         ([ACCOUNT], [OTHER], {"ModelPackageArn": "", "ModelPackageGroupName": "churn",
                               "ResolverCodeS3Bucket": f"code-{OTHER}"})],
    ),
    "a Region's override clears the shared group": (
        ["--param", "ModelPackageGroupName=churn", "--accounts", ACCOUNT,
         "--override", f"{OTHER}:ModelPackageGroupName=", "--override", f"{OTHER}:ModelPackageArn={OTHER_PACKAGE}"],
        [HOME],
        {"ModelPackageArn": "", "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": f"code-{HOME}"},
        [([ACCOUNT], [HOME], {"ResolverCodeS3Bucket": f"code-{HOME}"}),
         ([ACCOUNT], [OTHER], {"ModelPackageArn": OTHER_PACKAGE, "ModelPackageGroupName": ""})],
    ),
    "one account's override clears the group, the other account there still follows it": (
        ["--param", "ModelPackageGroupName=churn", "--accounts", f"{ACCOUNT},{PEER}",
         "--override", f"{ACCOUNT}/{OTHER}:ModelPackageGroupName=",
         "--override", f"{ACCOUNT}/{OTHER}:ModelPackageArn={OTHER_PACKAGE}"],
        [HOME, OTHER],
        {"ModelPackageArn": "", "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": f"code-{HOME}"},
        [([ACCOUNT, PEER], [HOME], {"ResolverCodeS3Bucket": f"code-{HOME}"}),
         ([ACCOUNT], [OTHER], {"ModelPackageArn": OTHER_PACKAGE, "ModelPackageGroupName": "",
                               "ResolverCodeS3Bucket": f"code-{OTHER}"}),
         ([PEER], [OTHER], {"ResolverCodeS3Bucket": f"code-{OTHER}"})],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("options", "uploaded_in", "shared", "created"), FOLLOWED_IN.values(), ids=FOLLOWED_IN.keys())
def test_fleet_deploy_uploads_the_resolver_code_exactly_where_an_instance_follows_a_group(
    *,
    options: list[str],
    uploaded_in: list[str],
    shared: dict[str, str],
    created: list[Batched],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Whether a Region follows a group is decided from its instances' values, the overrides first: the code goes to
    each such Region's bucket (a function reads its code from a bucket of its own Region, AWS::Lambda::Function Code,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html),
    and the instances there get that bucket as an override."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, FLEET_LIKE)
    uploads: list[list[str]] = []

    def upload(_aws: Aws, _console: Console, regions: list[str], _readers: object) -> tuple[str, dict[str, str]]:
        uploads.append(regions)
        return CODE_KEY, {region: f"code-{region}" for region in regions}

    monkeypatch.setattr(fleet, "upload_resolver_everywhere", upload)
    stubbed["sts"].add_response("get_caller_identity", {"Arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "Account": ACCOUNT})
    expect_new_fleet(stubbed["cloudformation"], FLEET_LIKE, NO_CODE | shared | {"ResolverCodeS3Key": CODE_KEY}, created)
    code = main(["fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME, "--regions", f"{HOME},{OTHER}",
                 *options])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, []), err
    assert uploads == [uploaded_in]


BAD_FLEETS = {
    "accounts, service-managed": (
        ["--stack-set-name", "1churn", "--accounts", f"{ACCOUNT},12345", "--regions", f"{HOME},{HOME},moon-1",
         "--permission-model", "service-managed", "--administration-role-arn", "admin",
         "--execution-role-name", "bad!name", "--max-concurrent-percent", "0", "--failure-tolerance-percent", "101",
         "--override", f"{PEER}/{HOME}:InitialInstanceCount=2"],
        ["--stack-set-name '1churn': a letter, then letters, digits and hyphens (128 at most)",
         "--accounts '12345': an account ID is 12 digits",
         "--regions 'moon-1': not a Region name (e.g. eu-west-1)",
         "--regions names a Region twice: the order given is the rollout order",
         f"--override {PEER}/...: account {PEER} is not in --accounts",
         "--accounts needs --permission-model self-managed; a service-managed fleet targets OUs",
         "--administration-role-arn and --execution-role-name are for self-managed StackSets; service-managed ones "
         "use the Organization's roles",
         "--administration-role-arn 'admin': an IAM role ARN",
         "--execution-role-name 'bad!name': an IAM role name (letters, digits and +=,.@_-, 64 at most)",
         "--max-concurrent-percent 0: a percentage from 1 to 100",
         "--failure-tolerance-percent 101: a percentage from 0 to 100"],
    ),
    "OUs, self-managed": (
        ["--stack-set-name", "churn-fleet", "--organizational-units", "ou-bad,ou-ab12-cdefgh34", "--regions", ",",
         "--permission-model", "self-managed", "--delegated-admin",
         "--override", f"{ACCOUNT}/{HOME}:InitialInstanceCount=2"],
        ["--organizational-units 'ou-bad': an OU ID (ou-xxxx-yyyyyyyy) or a root ID (r-xxxx)",
         "--regions: give at least one Region",
         f"--override {HOME}:InitialInstanceCount: Region {HOME} is not in --regions",
         f"--override {ACCOUNT}/...: an account's override needs --accounts (self-managed); a fleet of OUs takes "
         "overrides per Region",
         "--organizational-units needs --permission-model service-managed (AWS Organizations)",
         "--delegated-admin is for service-managed StackSets run from a delegated administrator"],
    ),
    "no targets": (
        ["--stack-set-name", "churn-fleet", "--regions", HOME],
        ["no targets: give --accounts A,B (self-managed) or --organizational-units OU,... (service-managed)"],
    ),
}  # fmt: skip


@pytest.mark.usefixtures("no_aws_session")
@pytest.mark.parametrize(("options", "problems"), BAD_FLEETS.values(), ids=BAD_FLEETS.keys())
def test_bad_targets_and_options_exit_2_with_every_problem_as_the_api_would_refuse_them(
    options: list[str], problems: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each is what CloudFormation's StackSets API would refuse one call at a time, well into a rollout: names and
    IDs by the API model's patterns (StackSetName, Account ^[0-9]{12}$, OrganizationalUnitId, ExecutionRoleName),
    percentages by its ranges (MaxConcurrentPercentage 1-100, FailureTolerancePercentage 0-100), and options of
    the other permission model. All of them come at once, before any AWS call."""
    code = main(["fleet", "deploy", "--region", HOME, *options])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        *(f"error: {problem}" for problem in problems),
        f"{len(problems)} problem(s) in the input; nothing was sent to AWS.",
    ]
