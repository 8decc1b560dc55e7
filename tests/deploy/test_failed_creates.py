"""A create that rolled back leaves nothing that costs money: the KMS key the template retains is scheduled for
deletion with KMS's longest waiting period, and the command names the commands that cancel it. KMS is a botocore
Stubber, so a ScheduleKeyDeletion nobody expected (a key of an endpoint that served) fails the test.

ScheduleKeyDeletion's PendingWindowInDays: "If you include a value, it must be between 7 and 30, inclusive. If you do
not include a value, it defaults to 30." (https://docs.aws.amazon.com/kms/latest/APIReference/
API_ScheduleKeyDeletion.html). CancelKeyDeletion: "When this operation succeeds, the key state of the KMS key is
Disabled. To enable the KMS key, use EnableKey." (https://docs.aws.amazon.com/kms/latest/APIReference/
API_CancelKeyDeletion.html)."""

from __future__ import annotations

import io

import boto3
import pytest
from botocore.stub import Stubber

from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.progress import Outcome, StackEvent
from generator.deploy.report import report
from tests.support.stubbed_aws import ENDPOINT_LIKE, stacks

KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"
CANCEL = (f"aws kms cancel-key-deletion --key-id {KEY} --region eu-west-1 && aws kms enable-key --key-id {KEY} "
          "--region eu-west-1")  # fmt: skip
FAILED = StackEvent("e-3", "Endpoint", "AWS::SageMaker::Endpoint", "CREATE_FAILED", "Image not found", "")
KEPT = StackEvent("e-5", "EncryptionKey", "AWS::KMS::Key", "DELETE_SKIPPED", "", KEY)
SERVED = StackEvent("e-2", "Endpoint", "AWS::SageMaker::Endpoint", "CREATE_COMPLETE", "", "churn-ep")


def run_report(kms: object, events: list[StackEvent], status: str = "ROLLBACK_COMPLETE") -> tuple[int, list[str]]:
    err = io.StringIO()
    clients = {"cloudformation": boto3.client("cloudformation", region_name="eu-west-1"), "kms": kms}
    context = DeployContext(Aws("eu-west-1", clients=clients), ENDPOINT_LIKE, Console(err), io.StringIO())
    code = report(context, Outcome(status, events), "churn")
    return code, err.getvalue().splitlines()


def test_the_key_a_failed_create_kept_is_scheduled_for_deletion_in_30_days_with_the_cancel_command() -> None:
    kms = boto3.client("kms", region_name="eu-west-1")
    with Stubber(kms) as stub:
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": KEY, "KeyState": "Enabled"}}, {"KeyId": KEY})
        stub.add_response("schedule_key_deletion", {}, {"KeyId": KEY, "PendingWindowInDays": 30})
        code, lines = run_report(kms, [KEPT, FAILED])
        stub.assert_no_pending_responses()
    assert code == 1
    assert lines[1:] == [
        f"rolled back (ROLLBACK_COMPLETE): nothing was left behind but the KMS key {KEY}, retained by design "
        "(below); the next deploy replaces the empty stack.",
        f"scheduled the deletion of the KMS key {KEY} in 30 days: the failed create kept it, and it never encrypted "
        f"anything served. To keep it: {CANCEL}",
    ]


def test_a_key_already_pending_deletion_is_not_scheduled_again() -> None:
    kms = boto3.client("kms", region_name="eu-west-1")
    with Stubber(kms) as stub:
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": KEY, "KeyState": "PendingDeletion"}},
                          {"KeyId": KEY})  # fmt: skip
        _, lines = run_report(kms, [KEPT, FAILED])
        stub.assert_no_pending_responses()
    assert lines[-1] == (
        f"the KMS key {KEY} the failed create kept is already scheduled for deletion (to keep it: {CANCEL})"
    )


def test_the_key_of_a_failed_create_whose_endpoint_was_created_is_kept_and_named() -> None:
    """The endpoint existed, so it may have written data with the key (captured data, async responses): AWS does not
    say what, so the safe side keeps the key, as a destroy does, and names the command that deletes it."""
    kms = boto3.client("kms", region_name="eu-west-1")
    with Stubber(kms):  # no call queued: any KMS call fails the test
        _, lines = run_report(kms, [KEPT, FAILED, SERVED])
    assert lines[-1] == (
        f"kept the KMS key {KEY}: the endpoint was created before the stack failed, and may have encrypted data with "
        f"it. To delete it: aws kms schedule-key-deletion --key-id {KEY} --pending-window-in-days 30 --region eu-west-1"
    )


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_COMPLETE", "DELETE_FAILED"])
def test_the_key_of_a_stack_that_is_not_a_failed_create_is_never_touched(status: str) -> None:
    kms = boto3.client("kms", region_name="eu-west-1")
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    err = io.StringIO()
    context = DeployContext(Aws("eu-west-1", clients={"cloudformation": cloudformation, "kms": kms}), ENDPOINT_LIKE,
                            Console(err), io.StringIO())  # fmt: skip
    with Stubber(kms), Stubber(cloudformation) as cfn:  # no KMS call queued: any fails the test
        cfn.add_response("describe_stacks", stacks("churn", status), {"StackName": "churn"})
        assert report(context, Outcome(status, [KEPT, FAILED]), "churn") == 1
    assert "KMS" not in err.getvalue().split("\n", 1)[1]


def test_a_refused_schedule_names_the_key_and_the_command_to_run() -> None:
    kms = boto3.client("kms", region_name="eu-west-1")
    with Stubber(kms) as stub:
        stub.add_response("describe_key", {"KeyMetadata": {"KeyId": KEY, "KeyState": "Enabled"}}, {"KeyId": KEY})
        stub.add_client_error("schedule_key_deletion", "AccessDeniedException", "not allowed", 400)
        code, lines = run_report(kms, [KEPT, FAILED])
    assert code == 1
    assert lines[-1].startswith(f"could not schedule the deletion of the KMS key {KEY} the failed create kept (")
    assert lines[-1].endswith(
        f": it costs money while it exists. Run: aws kms schedule-key-deletion --key-id {KEY} "
        "--pending-window-in-days 30 --region eu-west-1"
    )


def test_a_key_the_rollback_deleted_is_not_scheduled() -> None:
    """Only a key the rollback left (DELETE_SKIPPED, or created and never deleted) costs money; one it deleted is
    gone, and a KMS call on it would fail."""
    created = StackEvent("e-1", "EncryptionKey", "AWS::KMS::Key", "CREATE_COMPLETE", "", KEY)
    deleted = StackEvent("e-6", "EncryptionKey", "AWS::KMS::Key", "DELETE_COMPLETE", "", KEY)
    kms = boto3.client("kms", region_name="eu-west-1")
    with Stubber(kms):  # no call queued: any KMS call fails the test
        _, lines = run_report(kms, [deleted, FAILED, created])
    assert (
        lines[-1]
        == "rolled back (ROLLBACK_COMPLETE): nothing was left behind; the next deploy replaces the empty stack."
    )
