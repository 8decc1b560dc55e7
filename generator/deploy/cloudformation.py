"""The one place the deploy client calls CloudFormation: stacks, change sets, resources and events, with botocore's
waiters and paginators wherever they fit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from generator.deploy.interrupts import Cleanup, Undo
from generator.deploy.steps import step

CHANGE_SET_POLL_SECONDS = 2
CHANGE_SET_MAX_POLLS = 450  # 15 minutes: CloudFormation computes a change set in seconds, rarely minutes
STACK_DELETE_POLL_SECONDS = 2


@dataclass(frozen=True)
class DeployedStack:
    """A stack as DescribeStacks returns it."""

    raw: dict[str, Any]

    @property
    def stack_id(self) -> str:
        return str(self.raw["StackId"])

    @property
    def status(self) -> str:
        return str(self.raw["StackStatus"])

    @property
    def created(self) -> datetime:
        created: datetime = self.raw["CreationTime"]  # botocore parses timestamps
        return created

    @property
    def busy(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")

    @property
    def parameters(self) -> dict[str, str]:
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in self.raw.get("Parameters") or []}

    @property
    def outputs(self) -> dict[str, str]:
        return {o["OutputKey"]: o["OutputValue"] for o in self.raw.get("Outputs") or []}


class CloudFormation:
    """A CloudFormation client, seen as the operations the verbs need."""

    def __init__(self, client: Any, cleanup: Cleanup | None = None) -> None:
        self.client = client
        self.cleanup = cleanup or Cleanup()

    def describe(self, name: str) -> DeployedStack | None:
        """The stack, or None when there is none of that name."""
        with step(f"reading stack {shown(name)}"):
            try:
                (raw,) = self.client.describe_stacks(StackName=name)["Stacks"]
            except ClientError as error:
                if "does not exist" in error.response["Error"].get("Message", ""):
                    return None
                raise
        return DeployedStack(raw)

    def create_change_set(self, name: str, change_type: str, request: dict[str, Any]) -> tuple[str, str]:
        """(change set id, stack id) of a new change set; CloudFormation computes it in the background. The name is
        also the request's token, so botocore's retry of a request whose answer was lost is known as the same
        ("Specify this token if you plan to retry requests so that CloudFormation knows that you're not attempting to
        create another change set with the same name", CloudFormation API Reference, CreateChangeSet)."""
        stack = request["StackName"]
        self.cleanup.add(name, self._change_set_undo(name, stack, creates_stack=change_type == "CREATE"))
        with step(f"creating change set {name} for stack {stack}"):
            created = self.client.create_change_set(
                ChangeSetName=name, ChangeSetType=change_type, ClientToken=name, **request
            )
        return str(created["Id"]), str(created["StackId"])

    def wait_for_change_set(self, change_set_id: str) -> str | None:
        """None once the change set is computed; CloudFormation's reason when it failed (e.g. no changes)."""
        waiter = self.client.get_waiter("change_set_create_complete")
        config = {"Delay": CHANGE_SET_POLL_SECONDS, "MaxAttempts": CHANGE_SET_MAX_POLLS}
        with step(f"waiting for change set {shown(change_set_id)}"):
            try:
                waiter.wait(ChangeSetName=change_set_id, WaiterConfig=config)
            except WaiterError as error:
                if error.last_response.get("Status") == "FAILED":
                    return str(error.last_response.get("StatusReason", ""))
                raise
        return None

    def resource_changes(self, change_set_id: str) -> list[dict[str, Any]]:
        """Every ResourceChange of the change set, all pages."""
        with step(f"reading change set {shown(change_set_id)}"):
            pages = self.client.get_paginator("describe_change_set").paginate(ChangeSetName=change_set_id)
            return [change["ResourceChange"] for page in pages for change in page.get("Changes", [])]

    def execute_change_set(self, change_set_id: str) -> None:
        """With the change set's name as the request's token, for the same reason (ExecuteChangeSet's
        ClientRequestToken); the id is `arn:...:changeSet/<name>/<uuid>`."""
        name = shown(change_set_id)
        with step(f"executing change set {name}"):
            self.client.execute_change_set(ChangeSetName=change_set_id, ClientRequestToken=name)
        self.cleanup.done(name)  # CloudFormation works on it now: an interruption leaves it to finish

    def delete_change_set(self, change_set_id: str) -> None:
        with step(f"deleting change set {shown(change_set_id)}"):
            self.client.delete_change_set(ChangeSetName=change_set_id)

    def _change_set_undo(self, name: str, stack: str, *, creates_stack: bool) -> Undo:
        """Delete the change set (by its name and stack: its id may never have come back), and the stack a CREATE
        change set made, if it is still in REVIEW_IN_PROGRESS with no other change set (someone else's)."""

        def undo() -> str | None:
            done = []
            try:
                self.client.delete_change_set(ChangeSetName=name, StackName=stack)
                done.append(f"deleted change set {name} of stack {stack}")
            except ClientError as error:
                if error.response["Error"]["Code"] not in ("ChangeSetNotFound", "ChangeSetNotFoundException"):
                    raise
            held = self.describe(stack) if creates_stack else None
            if held and held.status == "REVIEW_IN_PROGRESS" and not self.change_sets(held.stack_id):
                self.client.delete_stack(StackName=held.stack_id)
                done.append(f"deleted stack {stack}, which its CREATE change set made (it was REVIEW_IN_PROGRESS)")
            return " and ".join(done) or None

        left = f"change set {name} of stack {stack}: aws cloudformation delete-change-set --stack-name {stack} " \
               f"--change-set-name {name}"  # fmt: skip
        if creates_stack:
            left += f"; then the stack, if in REVIEW_IN_PROGRESS: sagemaker-endpoint destroy --stack-name {stack}"
        return Undo(undo, left)

    def change_sets(self, stack_id: str) -> list[dict[str, Any]]:
        """The stack's change sets, all pages."""
        with step(f"listing the change sets of stack {shown(stack_id)}"):
            pages = self.client.get_paginator("list_change_sets").paginate(StackName=stack_id)
            return [summary for page in pages for summary in page["Summaries"]]

    def delete_stack(self, stack_id: str, role_arn: str | None = None) -> None:
        with step(f"deleting stack {shown(stack_id)}"):
            self.client.delete_stack(StackName=stack_id, **({"RoleARN": role_arn} if role_arn else {}))

    def wait_until_deleted(self, stack_id: str) -> None:
        waiter = self.client.get_waiter("stack_delete_complete")
        with step(f"waiting for stack {shown(stack_id)} to be deleted"):
            waiter.wait(StackName=stack_id, WaiterConfig={"Delay": STACK_DELETE_POLL_SECONDS})

    def resources(self, stack_id: str) -> list[dict[str, Any]]:
        """The stack's resource summaries, all pages."""
        with step(f"listing the resources of stack {shown(stack_id)}"):
            pages = self.client.get_paginator("list_stack_resources").paginate(StackName=stack_id)
            return [summary for page in pages for summary in page["StackResourceSummaries"]]

    def event_pages(self, stack_id: str) -> Iterator[list[dict[str, Any]]]:
        """The stack's events, newest first, a page at a time: a follower stops at the first one it has seen."""
        with step(f"reading the events of stack {shown(stack_id)}"):
            for page in self.client.get_paginator("describe_stack_events").paginate(StackName=stack_id):
                yield page["StackEvents"]

    def status(self, stack_id: str) -> str:
        with step(f"reading stack {shown(stack_id)}"):
            (stack,) = self.client.describe_stacks(StackName=stack_id)["Stacks"]
        return str(stack["StackStatus"])

    def latest_event_id(self, stack_id: str) -> str | None:
        """The newest event so far: following starts after it."""
        with step(f"reading the events of stack {shown(stack_id)}"):
            events = self.client.describe_stack_events(StackName=stack_id).get("StackEvents", [])
        return str(events[0]["EventId"]) if events else None


def shown(name_or_arn: str) -> str:
    """A stack or change set as a person names it: `arn:...:stack/<name>/<uuid>` and
    `arn:...:changeSet/<name>/<uuid>` by their name."""
    if name_or_arn.startswith("arn:") and ("stack/" in name_or_arn or "changeSet/" in name_or_arn):
        return name_or_arn.split(":", 5)[5].split("/")[1]
    return name_or_arn
