"""A create that failed leaves nothing that costs money. The template retains its KMS key (DeletionPolicy Retain: data
encrypted with it must stay readable after a destroy), so a create that rolled back keeps a key that, if the endpoint
was never created, never encrypted anything served: it is scheduled for deletion with KMS's longest waiting period,
and the command says so with the commands that cancel it. A key of a stack whose endpoint was created, even one whose
create then failed, is kept, as a destroy keeps it (AWS does not say what a half-made stack's endpoint wrote with it:
captured data, async responses; the safe side keeps it).

"If you include a value, it must be between 7 and 30, inclusive." (ScheduleKeyDeletion, PendingWindowInDays, KMS API
Reference.) "When this operation succeeds, the key state of the KMS key is Disabled. To enable the KMS key, use
EnableKey." (CancelKeyDeletion, KMS API Reference.)
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.deploy.context import DeployContext
from generator.deploy.errors import DeployFailed
from generator.deploy.progress import StackEvent
from generator.deploy.steps import step

FAILED_CREATE = "ROLLBACK_COMPLETE"  # a create that failed and rolled back: only a delete can follow
ENDPOINT_TYPE, KEY_TYPE = "AWS::SageMaker::Endpoint", "AWS::KMS::Key"
LONGEST_WAIT_DAYS = 30


def endpoint_created(events: Iterable[StackEvent]) -> bool:
    """Whether the stack's Endpoint ever finished being created: then it may have served, with the key."""
    return any(e.resource_type == ENDPOINT_TYPE and e.status == "CREATE_COMPLETE" for e in events)


def kept_keys(events: Iterable[StackEvent]) -> list[str]:
    """The KMS keys a failed create left behind: created (CREATE_COMPLETE) or skipped by the rollback
    (DELETE_SKIPPED: DeletionPolicy Retain), and never deleted (a template without Retain deletes its key)."""
    keys = [e for e in events if e.resource_type == KEY_TYPE and e.physical_id]
    deleted = {e.physical_id for e in keys if e.status == "DELETE_COMPLETE"}
    kept = (e.physical_id for e in keys if e.status in ("CREATE_COMPLETE", "DELETE_SKIPPED"))
    return [key for key in dict.fromkeys(kept) if key not in deleted]


def retire_keys(context: DeployContext, events: list[StackEvent]) -> list[str]:
    """Schedule the deletion of the keys a failed create kept, unless its endpoint was created; what was done, a
    line each."""
    keys = kept_keys(events)
    if endpoint_created(events):
        return [
            f"kept the KMS key {key}: the endpoint was created before the stack failed, and may have encrypted data "
            f"with it. To delete it: aws kms schedule-key-deletion --key-id {key} --pending-window-in-days "
            f"{LONGEST_WAIT_DAYS} --region {context.aws.region_name}"
            for key in keys
        ]
    return [schedule_deletion(context, key) for key in keys]


def schedule_deletion(context: DeployContext, key: str) -> str:
    """ScheduleKeyDeletion with the longest wait, unless it is scheduled already; what was done, or why not."""
    kms, region = context.aws.client("kms"), context.aws.region_name
    cancel = f"aws kms cancel-key-deletion --key-id {key} --region {region} && aws kms enable-key --key-id {key} " \
             f"--region {region}"  # fmt: skip
    try:
        with step(f"reading the KMS key {key}"):
            state = kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"]
        if state == "PendingDeletion":
            return f"the KMS key {key} the failed create kept is already scheduled for deletion (to keep it: {cancel})"
        with step(f"scheduling the deletion of the KMS key {key}"):
            kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=LONGEST_WAIT_DAYS)
    except DeployFailed as error:  # the stack's outcome stands; the key is named with what to do
        return (
            f"could not schedule the deletion of the KMS key {key} the failed create kept ({error}): it costs money "
            f"while it exists. Run: aws kms schedule-key-deletion --key-id {key} --pending-window-in-days "
            f"{LONGEST_WAIT_DAYS} --region {region}"
        )
    return (
        f"scheduled the deletion of the KMS key {key} in {LONGEST_WAIT_DAYS} days: the failed create kept it, and it "
        f"never encrypted anything served. To keep it: {cancel}"
    )
