"""`destroy` as a user runs it, on botocore Stubbers (any call not queued fails, so a DeleteStack nobody expected fails
the test): the stack is deleted by its ID and followed to its end, the endpoint configs and models earlier deploys kept
are removed, the KMS key it keeps is named with the command that deletes it, and nothing is deleted when there is
nothing to delete or the stack is busy."""

from __future__ import annotations

import io
from typing import Any

import pytest

from generator.cli import main
from generator.deploy.context import DeployContext
from generator.deploy.progress import Follower, Outcome
from generator.deploy.verbs import destroy
from tests.support.stubbed_aws import (
    ACCOUNT,
    ENDPOINT_LIKE,
    SAGEMAKER,
    StubbedAws,
    expect_all_removed,
    expect_followed,
    no_stack,
    resources,
    run_with,
    stack_event,
    stack_id,
    stacks,
    terminal_console,
    timeless,
)

DESTROY = ["destroy", "--stack-name", "churn", "--region", "eu-west-1"]
KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-deployer"
STACK = "AWS::CloudFormation::Stack"
BEFORE = stack_event("churn", "e-0", "churn", STACK, "UPDATE_COMPLETE")


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_deletion_started(stubbed: StubbedAws, delete_params: dict[str, Any]) -> None:
    """What destroy reads before it deletes (the stack, its resources, the newest event), then DeleteStack."""
    cloudformation, sid = stubbed["cloudformation"], {"StackName": stack_id("churn")}
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE"), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", resources(
        ("EncryptionKey", KEY, "AWS::KMS::Key"),
        ("Endpoint", f"{SAGEMAKER}:endpoint/churn-prod", "AWS::SageMaker::Endpoint"),
        ("EndpointConfig", f"{SAGEMAKER}:endpoint-config/config-3", "AWS::SageMaker::EndpointConfig"),
    ), sid)  # fmt: skip
    cloudformation.add_response("describe_stack_events", {"StackEvents": [BEFORE]}, sid)
    cloudformation.add_response("delete_stack", {}, delete_params)


@pytest.mark.parametrize("role", [None, ROLE], ids=["own-credentials", "service-role"])
def test_destroy_deletes_the_stack_by_id_follows_it_and_names_the_kept_key_with_its_deletion_command(
    role: str | None, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key has DeletionPolicy Retain (CloudFormation skips it: DELETE_SKIPPED), so data encrypted with it stays
    readable; the line names how to schedule its deletion (ScheduleKeyDeletion's window is 7 to 30 days,
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html). --role-arn is DeleteStack's
    RoleARN; without it no RoleARN is sent (CloudFormation then uses the stack's own role or the caller's). Once the
    stack is gone, so is its endpoint, and the config and model an earlier deploy kept (UpdateReplacePolicy Retain)
    are removed before the key is named."""
    expect_deletion_started(stubbed, {"StackName": stack_id("churn")} | ({"RoleARN": role} if role else {}))
    operation = [
        stack_event("churn", "e-4", "Endpoint", "AWS::SageMaker::Endpoint", "DELETE_COMPLETE"),
        stack_event("churn", "e-3", "EncryptionKey", "AWS::KMS::Key", "DELETE_SKIPPED"),
        stack_event("churn", "e-2", "Endpoint", "AWS::SageMaker::Endpoint", "DELETE_IN_PROGRESS"),
        stack_event("churn", "e-1", "churn", STACK, "DELETE_IN_PROGRESS", reason="User Initiated"),
    ]
    settled = stack_event("churn", "e-5", "churn", STACK, "DELETE_COMPLETE")
    expect_followed(stubbed["cloudformation"], "churn", BEFORE, operation, "DELETE_COMPLETE", late=(settled,))
    expect_all_removed(stubbed, {"config-2": "model-2"})
    code = main([*DESTROY, "--role-arn", role] if role else DESTROY)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert timeless(err) == [
        "Deleting stack churn (3 resources)...",
        "m:ss  DELETE_IN_PROGRESS               churn                          AWS::CloudFormation::Stack"
        "  User Initiated",
        "m:ss  DELETE_IN_PROGRESS               Endpoint                       AWS::SageMaker::Endpoint",
        "m:ss  DELETE_SKIPPED                   EncryptionKey                  AWS::KMS::Key",
        "m:ss  DELETE_COMPLETE                  Endpoint                       AWS::SageMaker::Endpoint",
        "m:ss  DELETE_COMPLETE                  churn                          AWS::CloudFormation::Stack",
        "Stack churn: DELETE_COMPLETE",
        "Removed what earlier deploys kept, its endpoint deleted: endpoint config(s) config-2; model(s) model-2.",
        f"Kept the KMS key {KEY} (DeletionPolicy Retain: data encrypted with it stays readable). To delete it after "
        f"a 30-day wait: aws kms schedule-key-deletion --key-id {KEY} --pending-window-in-days 30 --region eu-west-1",
    ]


def test_a_role_that_cannot_read_tags_after_the_deletion_gets_a_warning_and_destroy_still_exits_0(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack is gone, which is what destroy was asked for; a config or model it kept costs nothing unused, so a
    role without tag:GetResources (the Resource Groups Tagging API answers AccessDeniedException) is a warning that
    says how to remove them by hand, and the kept key is still named."""
    expect_deletion_started(stubbed, {"StackName": stack_id("churn")})
    operation = [stack_event("churn", "e-1", "churn", STACK, "DELETE_COMPLETE")]
    expect_followed(stubbed["cloudformation"], "churn", BEFORE, operation, "DELETE_COMPLETE")
    stubbed["resourcegroupstaggingapi"].add_client_error(
        "get_resources", "AccessDeniedException", "not authorized to perform: tag:GetResources", 400
    )
    code = main(DESTROY)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert timeless(err)[-3:-1] == [
        "Stack churn: DELETE_COMPLETE",
        "warning: could not remove the endpoint configs and models earlier deploys kept (An error occurred "
        "(AccessDeniedException) when calling the GetResources operation: not authorized to perform: "
        "tag:GetResources): unused, they cost nothing; the next deploy tries again, or remove those tagged "
        "sagemaker-endpoint:stack-id with this stack's id yourself",
    ]
    assert timeless(err)[-1].startswith(f"Kept the KMS key {KEY}")


def test_a_failed_deletion_exits_1_with_its_cause_and_names_no_key_while_the_stack_is_still_there(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """DELETE_FAILED leaves the stack with its resources: the key is still the stack's, so no deletion command."""
    expect_deletion_started(stubbed, {"StackName": stack_id("churn")})
    denied = "User is not authorized to perform: sagemaker:DeleteEndpoint"
    operation = [
        stack_event("churn", "e-3", "churn", STACK, "DELETE_FAILED", reason="The following resource(s) failed"),
        stack_event("churn", "e-2", "Endpoint", "AWS::SageMaker::Endpoint", "DELETE_FAILED", reason=denied),
        stack_event("churn", "e-1", "churn", STACK, "DELETE_IN_PROGRESS", reason="User Initiated"),
    ]
    expect_followed(stubbed["cloudformation"], "churn", BEFORE, operation, "DELETE_FAILED")
    code = main(DESTROY)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert timeless(err)[-2:] == [
        f"error: Endpoint (AWS::SageMaker::Endpoint) DELETE_FAILED: {denied}",
        "stack churn ended in DELETE_FAILED",
    ]


def test_destroying_a_stack_that_is_not_there_exits_0_saying_so_and_deletes_nothing(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second destroy, or a typo: DescribeStacks answers ValidationError "does not exist" (DescribeStacks,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html: "If the stack doesn't
    exist, a ValidationError is returned"). Nothing else is called: no DeleteStack is queued."""
    no_stack(stubbed["cloudformation"], "churn")
    code = main(DESTROY)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (0, "", "No stack named churn in eu-west-1: nothing to destroy.\n")


def test_a_busy_stack_is_not_deleted_and_destroy_exits_1_saying_to_wait(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stack being updated is left to finish; deleting it then would cancel the update half way."""
    stubbed["cloudformation"].add_response(
        "describe_stacks", stacks("churn", "UPDATE_IN_PROGRESS"), {"StackName": "churn"}
    )
    code = main(DESTROY)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (
        1,
        "",
        "error: stack churn is busy (UPDATE_IN_PROGRESS): wait for it, then destroy\n",
    )


def test_ctrl_c_while_deleting_exits_130_leaving_cloudformation_deleting_and_names_no_key_yet(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deletion goes on without us; whether the key is all that is left is not known yet."""
    expect_deletion_started(stubbed, {"StackName": stack_id("churn")})

    def interrupted(*_: object) -> Outcome:
        raise KeyboardInterrupt

    monkeypatch.setattr(Follower, "follow", interrupted)
    code = main(DESTROY)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (130, "")
    assert err.splitlines() == [
        "Deleting stack churn (3 resources)...",
        "",
        "warning: stopped following; CloudFormation carries on with stack churn. Follow it again with: "
        "sagemaker-endpoint follow --stack-name churn",
    ]


@pytest.mark.usefixtures("no_aws_session")
def test_a_malformed_role_arn_exits_2_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*DESTROY, "--role-arn", "churn-deployer"])
    assert (code, *capsys.readouterr()) == (
        2,
        "",
        "error: --role-arn 'churn-deployer': must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)\n"
        "1 problem(s) in the input; nothing was sent to AWS.\n",
    )


def test_on_a_terminal_destroy_shows_what_it_deletes_and_a_no_exits_6_deleting_nothing(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As deploy asks before a replacement, and terraform before destroying: no DeleteStack is queued."""
    cloudformation, sid = stubbed["cloudformation"], {"StackName": stack_id("churn")}
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE"), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", resources(
        ("EncryptionKey", KEY, "AWS::KMS::Key"),
        ("Endpoint", f"{SAGEMAKER}:endpoint/churn-prod", "AWS::SageMaker::Endpoint"),
    ), sid)  # fmt: skip
    monkeypatch.setattr("builtins.input", lambda: "n")
    err = io.StringIO()
    code = destroy.run(DeployContext(stubbed.aws(), ENDPOINT_LIKE, terminal_console(err), io.StringIO()), "churn")
    stubbed.done()
    assert code == 6
    assert err.getvalue().splitlines() == [
        "Stack churn (UPDATE_COMPLETE) and its 2 resources will be deleted:",
        "  - EncryptionKey (AWS::KMS::Key) (kept: DeletionPolicy Retain)",
        "  - Endpoint (AWS::SageMaker::Endpoint)",
        "Delete stack churn? [y/N] Not executed: nothing was changed.",
    ]


@pytest.mark.parametrize("status", ["REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"])
def test_a_never_executed_plan_or_an_endpointless_failed_create_is_deleted_by_destroy(
    status: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """REVIEW_IN_PROGRESS is a stack whose change set was never executed: it never changes by itself, so it is not
    "busy" ("REVIEW_IN_PROGRESS: Ongoing creation of one or more stacks with an expected StackId but without any
    templates or resources.", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html);
    ROLLBACK_COMPLETE accepts only a delete. Neither holds an endpoint."""
    cloudformation, sid = stubbed["cloudformation"], {"StackName": stack_id("churn")}
    cloudformation.add_response("describe_stacks", stacks("churn", status), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", resources(), sid)
    cloudformation.add_response("describe_stack_events", {"StackEvents": [BEFORE]}, sid)
    cloudformation.add_response("delete_stack", {}, {"StackName": stack_id("churn")})
    operation = [stack_event("churn", "e-1", "churn", STACK, "DELETE_IN_PROGRESS", reason="User Initiated")]
    settled = stack_event("churn", "e-2", "churn", STACK, "DELETE_COMPLETE")
    expect_followed(cloudformation, "churn", BEFORE, operation, "DELETE_COMPLETE", late=(settled,))
    code = main(DESTROY)
    stubbed.done()
    assert code == 0
    assert timeless(capsys.readouterr().err)[-1] == "Stack churn: DELETE_COMPLETE"
