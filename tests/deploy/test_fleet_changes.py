"""`fleet deploy` and `fleet destroy` on a fleet that exists, as a user runs them on botocore Stubbers (any call not
queued fails the test, so an UpdateStackSet nobody expected fails it): only what differs from what StackSets holds
is applied (the stack set's values, an instance's overrides, a new Region's instances), in that order, each operation
followed; nothing is applied when nothing differs, when the permission model would change, or when a person says no."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.context import DeployContext
from generator.deploy.fleet.request import FleetRequest
from generator.deploy.template_file import EndpointTemplate
from generator.deploy.verbs import fleet
from tests.support.stubbed_aws import (
    ACCOUNT,
    ENDPOINT_LIKE,
    SAFE_ROLLOUT,
    StubbedAws,
    expect_new_fleet,
    expect_operation,
    instances_call,
    parameter_list,
    run_with,
    terminal_console,
)

HOME, OTHER = "eu-west-1", "us-east-1"
HOME_V3, HOME_V4 = (f"arn:aws:sagemaker:{HOME}:{ACCOUNT}:model-package/churn/{n}" for n in (3, 4))
OTHER_V3, OTHER_V4 = (f"arn:aws:sagemaker:{OTHER}:{ACCOUNT}:model-package/churn/{n}" for n in (3, 4))
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/churn-stackset-admin"
DEPLOY = ["fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME, "--accounts", ACCOUNT]
NAME = {"StackSetName": "churn-fleet"}
VPC_A, VPC_B = "vpc-0aaaaaaaaaaaaaaaa", "vpc-0bbbbbbbbbbbbbbbb"
HELD = {"DeployOnApproval": "false", "EndpointName": "", "ModelPackageArn": HOME_V3, "ModelPackageGroupName": ""}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_stack_set(cloudformation: Stubber, held: dict[str, str], **more: str) -> None:
    """DescribeStackSet of churn-fleet: self-managed, the template as sent, `held` values and `more` settings."""
    stack_set = {"StackSetName": "churn-fleet", "Status": "ACTIVE", "PermissionModel": "SELF_MANAGED",
                 "TemplateBody": ENDPOINT_LIKE.body, "Parameters": parameter_list(held), **more}  # fmt: skip
    cloudformation.add_response("describe_stack_set", {"StackSet": stack_set}, NAME)


def expect_instances(cloudformation: Stubber, overrides: dict[str, dict[str, str]]) -> None:
    """ListStackInstances: one instance of this account in each Region given, then each one's overrides
    (DescribeStackInstance), in the order given."""
    summaries = [{"Account": ACCOUNT, "Region": region, "Status": "CURRENT"} for region in overrides]
    cloudformation.add_response("list_stack_instances", {"Summaries": summaries}, NAME)
    for region, values in overrides.items():
        instance = {"StackSetId": "churn-fleet:1", "Region": region, "Account": ACCOUNT,
                    "ParameterOverrides": parameter_list(values)}  # fmt: skip
        where = NAME | {"StackInstanceAccount": ACCOUNT, "StackInstanceRegion": region}
        cloudformation.add_response("describe_stack_instance", {"StackInstance": instance}, where)


def expect_report(cloudformation: Stubber) -> None:
    cloudformation.add_response("list_stack_instances", {"Summaries": []}, NAME)


def test_a_changed_value_updates_the_stack_set_then_a_changed_override_updates_its_instances(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """UpdateStackSet carries every value and, for a stack set made with customised roles, both roles again
    (UpdateStackSet AdministrationRoleARN: "If you specified a customized administrator role when you created the
    StackSet, you must specify a customized administrator role, even if it is the same",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStackSet.html); naming them again
    is not a change. The Region whose override changed gets UpdateStackInstances after it, with its new override."""
    cloudformation = stubbed["cloudformation"]
    roles = {"AdministrationRoleARN": ADMIN, "ExecutionRoleName": "churn-execution"}
    expect_stack_set(cloudformation, HELD, **roles)
    expect_instances(cloudformation, {HOME: {}, OTHER: {"ModelPackageArn": OTHER_V3}})
    update = {"TemplateBody": ENDPOINT_LIKE.body, "Capabilities": [], **roles,
              "Parameters": parameter_list(dict(sorted((HELD | {"ModelPackageArn": HOME_V4}).items()))),
              "OperationPreferences": SAFE_ROLLOUT | {"RegionOrder": [HOME, OTHER]}}  # fmt: skip
    expect_operation(cloudformation, "update_stack_set", update, [(ACCOUNT, HOME, "SUCCEEDED"),
                                                                 (ACCOUNT, OTHER, "SUCCEEDED")])  # fmt: skip
    overridden = instances_call({"Accounts": [ACCOUNT]}, [OTHER], {"ModelPackageArn": OTHER_V4})
    expect_operation(cloudformation, "update_stack_instances", overridden, [(ACCOUNT, OTHER, "SUCCEEDED")], id="op-2")
    expect_report(cloudformation)
    code = main([*DEPLOY, "--regions", f"{HOME},{OTHER}", "--param", f"ModelPackageArn={HOME_V4}",
                 "--override", f"{OTHER}:ModelPackageArn={OTHER_V4}", "--administration-role-arn", ADMIN,
                 "--execution-role-name", "churn-execution"])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "[]\n")
    lines = err.splitlines()
    assert lines[:3] == [
        "Plan for stack set churn-fleet:",
        "  ~    update the stack set and every instance: ModelPackageArn",
        f"  ~    update instances' overrides: {ACCOUNT} in {OTHER} (overrides: ModelPackageArn={OTHER_V4})",
    ]
    assert [line for line in lines if "(operation" in line] == [
        "Updating the stack set and its instances (operation op-1)",
        f"Updating overrides: {ACCOUNT} in {OTHER} (overrides: ModelPackageArn={OTHER_V4}) (operation op-2)",
    ]


def test_a_fleet_that_already_matches_is_left_alone_and_its_instances_reported(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same template, same values, same overrides: no operation is started (none is queued)."""
    cloudformation = stubbed["cloudformation"]
    expect_stack_set(cloudformation, HELD)
    expect_instances(cloudformation, {HOME: {}, OTHER: {"ModelPackageArn": OTHER_V3}})
    expect_report(cloudformation)
    code = main([*DEPLOY, "--regions", f"{HOME},{OTHER}", "--param", f"ModelPackageArn={HOME_V3}",
                 "--override", f"{OTHER}:ModelPackageArn={OTHER_V3}"])  # fmt: skip
    stubbed.done()
    assert (code, *capsys.readouterr()) == (
        0, "[]\n", "No changes: stack set churn-fleet and its instances already match.\n"
    )  # fmt: skip


@pytest.mark.parametrize("status", ["SUCCEEDED", "FAILED"])
def test_a_new_region_creates_only_its_instances_and_a_failed_creation_exits_1_naming_it(
    status: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack set's values are unchanged, so no UpdateStackSet: only CreateStackInstances for the Region added.
    When StackSets stops (FAILED: the failures exceed the tolerance, StackSetOperation Status,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperation.html) each failed
    instance is named with its reason, then why the operation stopped."""
    cloudformation = stubbed["cloudformation"]
    expect_stack_set(cloudformation, HELD)
    expect_instances(cloudformation, {HOME: {}})
    created = instances_call({"Accounts": [ACCOUNT]}, [OTHER], {"ModelPackageArn": OTHER_V3})
    reason = "ResourceLogicalId:Endpoint, ResourceType:AWS::SageMaker::Endpoint, ResourceStatusReason:Quota exceeded."
    result = (ACCOUNT, OTHER, "SUCCEEDED") if status == "SUCCEEDED" else (ACCOUNT, OTHER, "FAILED", reason)
    expect_operation(cloudformation, "create_stack_instances", created, [result], status=status)
    expect_report(cloudformation)
    code = main([*DEPLOY, "--regions", f"{HOME},{OTHER}", "--param", f"ModelPackageArn={HOME_V3}",
                 "--override", f"{OTHER}:ModelPackageArn={OTHER_V3}"])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert lines[:2] == [
        "Plan for stack set churn-fleet:",
        f"  +    create instances: {ACCOUNT} in {OTHER} (overrides: ModelPackageArn={OTHER_V3})",
    ]
    if status == "SUCCEEDED":
        assert (code, out) == (0, "[]\n")
    else:
        assert (code, out) == (1, "[]\n")
        assert lines[-2:] == [
            f"error: {ACCOUNT} {OTHER}: FAILED: {reason}",
            "error: the operation ended FAILED: StackSets stops a Region once its failures exceed the tolerance",
        ]


def test_a_stack_set_of_the_other_permission_model_is_not_touched_and_deploy_exits_1(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A StackSet's PermissionModel is set at creation (UpdateStackSet has no such parameter)."""
    expect_stack_set(stubbed["cloudformation"], HELD, PermissionModel="SERVICE_MANAGED")
    code = main([*DEPLOY, "--regions", HOME, "--param", f"ModelPackageArn={HOME_V3}"])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: stack set churn-fleet is SERVICE_MANAGED; a StackSet's permission model cannot change: deploy a new "
        "one under another name, or use --permission-model to match it\n"
    ))  # fmt: skip


def test_on_a_terminal_deploy_shows_the_plan_asks_and_a_no_exits_6_applying_nothing(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only DescribeStackSet is queued: a CreateStackSet after the "n" would fail the test."""
    stubbed["cloudformation"].add_client_error(
        "describe_stack_set", "StackSetNotFoundException", "StackSet churn-fleet not found", 404, NAME
    )
    monkeypatch.setattr("builtins.input", lambda: "n")
    err, out = io.StringIO(), io.StringIO()
    context = DeployContext(stubbed.aws(), ENDPOINT_LIKE, terminal_console(err), out)
    request = FleetRequest("churn-fleet", [HOME], accounts=[ACCOUNT], given={"ModelPackageArn": HOME_V3})
    code = fleet.deploy(context, request)
    stubbed.done()
    assert (code, out.getvalue()) == (6, "")  # declined
    assert err.getvalue().splitlines() == [
        "Plan for stack set churn-fleet:",
        "  +    create the stack set",
        f"  +    create instances: {ACCOUNT} in {HOME}",
        "Apply it to the fleet? [y/N] Not executed: nothing was changed.",
    ]


REQUIRED_VPC = EndpointTemplate(ENDPOINT_LIKE.body.replace("Parameters:\n", "Parameters:\n  VpcId: {Type: String}\n"))


def test_a_required_value_given_per_region_by_overrides_is_held_by_the_stack_set_as_the_first_regions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A VPC is per Region (and account), so it comes as overrides; a stack set still needs a value for a parameter
    without a default: it holds the first Region's, and every instance gets its own as an override."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, REQUIRED_VPC)
    values = HELD | {"VpcId": VPC_A}
    expect_new_fleet(stubbed["cloudformation"], REQUIRED_VPC, values, [
        ([ACCOUNT], [HOME], {"VpcId": VPC_A}),
        ([ACCOUNT], [OTHER], {"ModelPackageArn": OTHER_V3, "VpcId": VPC_B}),
    ])  # fmt: skip
    code = main([*DEPLOY, "--regions", f"{HOME},{OTHER}", "--param", f"ModelPackageArn={HOME_V3}",
                 "--override", f"{HOME}:VpcId={VPC_A}", "--override", f"{OTHER}:VpcId={VPC_B}",
                 "--override", f"{OTHER}:ModelPackageArn={OTHER_V3}"])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "[]\n"), err


def test_a_required_value_missing_in_one_region_exits_2_before_anything_is_created(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the stack set is read; the problem says both ways to give the value."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, REQUIRED_VPC)
    stubbed["cloudformation"].add_client_error(
        "describe_stack_set", "StackSetNotFoundException", "StackSet churn-fleet not found", 404, NAME
    )
    code = main([*DEPLOY, "--regions", f"{HOME},{OTHER}", "--param", f"ModelPackageArn={HOME_V3}",
                 "--override", f"{HOME}:VpcId={VPC_A}",
                 "--override", f"{OTHER}:ModelPackageArn={OTHER_V3}"])  # fmt: skip
    stubbed.done()
    assert (code, *capsys.readouterr()) == (2, "", (
        "error: VpcId: required, it has no default; pass --param VpcId=..., or --override REGION:KEY=VALUE for every "
        "Region\n1 problem(s) in the input; nothing was sent to AWS.\n"
    ))  # fmt: skip


DESTROY = ["fleet", "destroy", "--stack-set-name", "churn-fleet", "--region", HOME]


def test_destroying_no_fleet_exits_0_and_a_fleet_without_instances_deletes_only_the_stack_set(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second destroy finds nothing; a stack set left without instances (all deleted before) needs no operation,
    only DeleteStackSet."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_client_error(
        "describe_stack_set", "StackSetNotFoundException", "StackSet churn-fleet not found", 404, NAME
    )
    assert (main(DESTROY), *capsys.readouterr()) == (
        0, "", f"No stack set named churn-fleet in {HOME}: nothing to delete.\n"
    )  # fmt: skip
    expect_stack_set(cloudformation, HELD)
    cloudformation.add_response("list_stack_instances", {"Summaries": []}, NAME)
    cloudformation.add_response("delete_stack_set", {}, NAME)
    assert (main(DESTROY), *capsys.readouterr()) == (0, "", "Stack set churn-fleet: deleted, with its 0 instance(s).\n")
    stubbed.done()


def test_a_stack_set_busy_with_another_operation_is_left_alone_and_destroy_exits_1_saying_how_to_watch(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """StackSets runs one operation at a time (OperationInProgressException, e.g. DeleteStackInstances,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStackInstances.html)."""
    cloudformation = stubbed["cloudformation"]
    expect_stack_set(cloudformation, HELD)
    cloudformation.add_response("list_stack_instances", {"Summaries": [{"Account": ACCOUNT, "Region": HOME}]}, NAME)
    deleted: dict[str, Any] = {"Accounts": [ACCOUNT], "Regions": [HOME], "RetainStacks": False,
                               "OperationPreferences": SAFE_ROLLOUT | {"RegionOrder": [HOME]}}  # fmt: skip
    cloudformation.add_client_error("delete_stack_instances", "OperationInProgressException",
                                    "Another Operation on StackSet churn-fleet is in progress", 409,
                                    NAME | deleted)  # fmt: skip
    code = main(DESTROY)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: stack set churn-fleet is busy with another operation: wait for it (the console's StackSets page, or "
        "`aws cloudformation list-stack-set-operations --stack-set-name churn-fleet`), then run this again\n"
    ))  # fmt: skip
