"""The StackSets calls a fleet needs, and following one operation to its end with a line per instance.

Only one operation runs on a stack set at a time, so each is followed before the next starts, by the engine's
follower (generator.deploy.engine: at once, then 2 s, backing off to 10 s while no instance changes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployFailed, Stopped
from generator.deploy.engine import Display, follow
from generator.deploy.steps import step

DONE = ("SUCCEEDED", "FAILED", "STOPPED")  # a stack set operation's final states


@dataclass(frozen=True)
class InstanceResult:
    """One account and Region in an operation: PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED."""

    account: str
    region: str
    status: str
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("FAILED", "CANCELLED")


@dataclass
class OperationOutcome:
    status: str
    results: list[InstanceResult]

    @property
    def failures(self) -> list[InstanceResult]:
        return [r for r in self.results if r.failed]


class StackSets:
    """A CloudFormation client in the stack set's home Region; `delegated_admin` adds CallAs where it applies."""

    def __init__(
        self, aws: Aws, console: Console, *, delegated_admin: bool = False, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.client = aws.client("cloudformation")
        self.console = console
        self.call_as = {"CallAs": "DELEGATED_ADMIN"} if delegated_admin else {}
        self.sleep = sleep

    def describe(self, name: str) -> dict[str, Any] | None:
        with step(f"reading stack set {name}"):
            try:
                stack_set: dict[str, Any] = self.client.describe_stack_set(StackSetName=name, **self.call_as)[
                    "StackSet"
                ]
            except ClientError as error:
                if error.response["Error"]["Code"] == "StackSetNotFoundException":
                    return None
                raise
        return None if stack_set.get("Status") == "DELETED" else stack_set

    def instances(self, name: str) -> list[dict[str, Any]]:
        with step(f"listing the instances of stack set {name}"):
            pages = self.client.get_paginator("list_stack_instances").paginate(StackSetName=name, **self.call_as)
            return [summary for page in pages for summary in page["Summaries"]]

    def overrides(self, name: str, account: str, region: str) -> dict[str, str]:
        with step(f"reading the instance of stack set {name} in {account} {region}"):
            instance = self.client.describe_stack_instance(
                StackSetName=name, StackInstanceAccount=account, StackInstanceRegion=region, **self.call_as
            )["StackInstance"]
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in instance.get("ParameterOverrides") or []}

    def create(self, request: dict[str, Any]) -> None:
        with step(f"creating stack set {request['StackSetName']}"):
            self.client.create_stack_set(**request, **self.call_as)

    def run(self, verb: str, name: str, arguments: dict[str, Any], what: str) -> OperationOutcome:
        """Start an operation (`create_stack_instances`, `update_stack_set`, ...) and follow it to its end."""
        with step(f"{what[0].lower()}{what[1:]} (stack set {name})"):
            try:
                operation_id = getattr(self.client, verb)(StackSetName=name, **arguments, **self.call_as)["OperationId"]
            except ClientError as error:
                if error.response["Error"]["Code"] == "OperationInProgressException":
                    raise DeployFailed(
                        f"stack set {name} is busy with another operation: wait for it (the console's StackSets page, "
                        f"or `aws cloudformation list-stack-set-operations --stack-set-name {name}`), then run this "
                        "again"
                    ) from None
                raise
        self.console.line(f"{what} (operation {operation_id})")
        try:
            return self.follow(name, operation_id)
        except KeyboardInterrupt:
            self.console.line()
            self.console.warning(
                f"stopped following; StackSets carries on with operation {operation_id} of stack set {name}. See "
                f"it with: aws cloudformation describe-stack-set-operation --stack-set-name {name} --operation-id "
                f"{operation_id}"
            )
            raise Stopped from None

    def delete(self, name: str) -> None:
        with step(f"deleting stack set {name}"):
            self.client.delete_stack_set(StackSetName=name, **self.call_as)

    def follow(self, name: str, operation_id: str) -> OperationOutcome:
        """The operation to its end, on the engine's follower and display: a line per instance that changes, the
        instances done out of those in the operation on the bar."""
        shown: dict[tuple[str, str], str] = {}
        outcome = OperationOutcome("", [])
        display: Display[InstanceResult] = Display(self.console, "instances", line=_line, style=_style)

        def look() -> tuple[list[InstanceResult], bool]:
            with step(f"reading operation {operation_id} of stack set {name}"):
                outcome.status = self.client.describe_stack_set_operation(
                    StackSetName=name, OperationId=operation_id, **self.call_as
                )["StackSetOperation"]["Status"]
                outcome.results = self._results(name, operation_id)
            changed = [r for r in outcome.results if shown.get((r.account, r.region)) != r.status]
            shown.update({(r.account, r.region): r.status for r in changed})
            return changed, outcome.status in DONE

        def show(result: InstanceResult) -> None:
            done = sum(r.status in ("SUCCEEDED", "FAILED", "CANCELLED") for r in outcome.results)
            display.item(result, done=done, total=len(outcome.results))

        with display.shown(None):
            follow(look, show, sleep=self.sleep)
        return outcome

    def _results(self, name: str, operation_id: str) -> list[InstanceResult]:
        pages = self.client.get_paginator("list_stack_set_operation_results").paginate(
            StackSetName=name, OperationId=operation_id, **self.call_as
        )
        return [
            InstanceResult(s["Account"], s["Region"], s["Status"], s.get("StatusReason") or "")
            for page in pages
            for s in page["Summaries"]
        ]


def _line(result: InstanceResult) -> str:
    reason = f"  {result.reason}" if result.reason else ""
    return f"{result.account}  {result.region:<15} {result.status}{reason}"


def _style(result: InstanceResult) -> str | None:
    return "red" if result.failed else ("green" if result.status == "SUCCEEDED" else None)
