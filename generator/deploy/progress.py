"""Follow a stack operation live: one line per resource event, a bar of resources done out of the total, and
while the Endpoint is being created or updated, SageMaker's own status, because that step takes minutes.

Polling is the engine's (generator.deploy.engine.follow): at once, then about 2 s, backing off to 10 s while nothing
happens; any new event brings it back to 2 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.deploy.aws import Aws
from generator.deploy.change_sets import ENDPOINT_TYPE
from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console
from generator.deploy.engine import Display, Note, follow

STACK_TYPE = "AWS::CloudFormation::Stack"
CASCADE_REASONS = ("Resource creation cancelled", "Resource update cancelled", "Resource deletion cancelled")


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    logical_id: str
    resource_type: str
    status: str
    reason: str
    physical_id: str

    @classmethod
    def of(cls, raw: dict[str, Any]) -> StackEvent:
        return cls(
            raw["EventId"],
            raw["LogicalResourceId"],
            raw["ResourceType"],
            raw["ResourceStatus"],
            raw.get("ResourceStatusReason") or "",
            raw.get("PhysicalResourceId") or "",
        )

    @property
    def is_stack(self) -> bool:
        return self.resource_type == STACK_TYPE

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


@dataclass
class Outcome:
    status: str
    events: list[StackEvent] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE", "IMPORT_COMPLETE")

    @property
    def root_cause(self) -> StackEvent | None:
        """The earliest failure with a reason of its own: a resource's before the stack's summary."""
        failures = [e for e in self.events if e.failed and e.reason and not e.reason.startswith(CASCADE_REASONS)]
        resources = [e for e in failures if not e.is_stack]
        earliest = resources or failures
        return earliest[0] if earliest else None

    def physical_ids(self, resource_type: str) -> list[str]:
        return list(
            dict.fromkeys(e.physical_id for e in self.events if e.resource_type == resource_type and e.physical_id)
        )


def is_terminal(status: str) -> bool:
    return not status.endswith("_IN_PROGRESS")


class Follower:
    """A stack operation followed by the engine's follower and shown on its display: resource events as lines, the
    resources done out of the plan's total on the bar, and the endpoint's own stage beside it."""

    def __init__(
        self,
        aws: Aws,
        console: Console,
        stack_id: str,
        total: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cloudformation = CloudFormation(aws.client("cloudformation"))
        self.aws = aws
        self.stack_id = stack_id
        self.total = max(total, 1)
        self.sleep = sleep
        self.seen: set[str] = set()
        self.done: set[str] = set()
        self.endpoint_status = ""
        self.display: Display[StackEvent] = Display(console, "resources", line=self.line, style=_style, clock=clock)

    def follow(self, since_event_id: str | None) -> Outcome:
        """Until the stack settles; events up to `since_event_id` (older ones) are not shown."""
        if since_event_id:
            self.seen.add(since_event_id)
            self._skip_older_than(since_event_id)
        outcome = Outcome("")

        def look() -> tuple[list[StackEvent | Note], bool]:
            new = self._new_events()
            outcome.events += new
            stage = self._endpoint_stage(outcome)
            status = self.cloudformation.status(self.stack_id)
            if is_terminal(status):
                last = self._new_events()  # the last ones, written as the stack settled
                outcome.events += last
                outcome.status = status
                return [*new, *stage, *last], True
            return [*new, *stage], False

        with self.display.shown(self.total):
            follow(look, self._show, sleep=self.sleep)
        return outcome

    def _show(self, item: StackEvent | Note) -> None:
        """An event as a line (a resource settled counts as done), or the endpoint's stage as a note."""
        if isinstance(item, Note):
            self.display.note(item, done=min(len(self.done), self.total), total=self.total)
            return
        if not item.is_stack and is_terminal(item.status):
            self.done.add(item.logical_id)
        self.display.item(item, done=min(len(self.done), self.total), total=self.total)

    def _skip_older_than(self, marker: str) -> None:
        """Mark every event up to the marker as seen: they belong to earlier operations."""
        for page in self.cloudformation.event_pages(self.stack_id):
            ids = [e["EventId"] for e in page]
            if marker in ids:
                self.seen.update(ids[ids.index(marker) :])
                return

    def _new_events(self) -> list[StackEvent]:
        """Events not shown yet, oldest first (CloudFormation lists them newest first)."""
        fresh: list[StackEvent] = []
        for page in self.cloudformation.event_pages(self.stack_id):
            for raw in page:
                if raw["EventId"] in self.seen:
                    fresh.reverse()
                    return fresh
                self.seen.add(raw["EventId"])
                fresh.append(StackEvent.of(raw))
        fresh.reverse()
        return fresh

    def _endpoint_stage(self, outcome: Outcome) -> list[Note]:
        """While the Endpoint resource is in progress, SageMaker's own stage, once each time it changes."""
        latest = [e for e in outcome.events if e.resource_type == ENDPOINT_TYPE]
        if not latest or is_terminal(latest[-1].status) or ":endpoint/" not in latest[-1].physical_id:
            return []
        name = latest[-1].physical_id.rsplit("/", 1)[1]
        try:
            status = endpoint_stage(self.aws.client("sagemaker").describe_endpoint(EndpointName=name))
        except Exception:  # only a progress hint: never let it stop the follow
            return []
        if status == self.endpoint_status:
            return []
        self.endpoint_status = status
        return [Note(f"endpoint {name}: {status}")]

    def line(self, event: StackEvent) -> str:
        reason = f"  {event.reason}" if event.reason else ""
        return f"{event.status:<32} {event.logical_id:<30} {event.resource_type}{reason}"


def _style(event: StackEvent) -> str | None:
    return "red" if event.failed else ("green" if event.status.endswith("_COMPLETE") else None)


def endpoint_stage(described: dict[str, Any]) -> str:
    """`Updating (variant AllTraffic: Baking)`: the endpoint's status and, in a blue/green update, the stage."""
    status = str(described.get("EndpointStatus", "Unknown"))
    variants = (described.get("PendingDeploymentSummary") or {}).get("ProductionVariants") or described.get(
        "ProductionVariants", []
    )
    stages = [
        f"variant {v.get('VariantName', '?')}: {v['VariantStatus'][-1]['Status']}"
        for v in variants
        if v.get("VariantStatus")
    ]
    return f"{status} ({'; '.join(stages)})" if stages else status
