"""Plans are CloudFormation change sets: made, read into resource changes with their causes, shown, and
executed or deleted. What CloudFormation would do is what it says, not our guess."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console

ENDPOINT_TYPE = "AWS::SageMaker::Endpoint"
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
SYMBOLS = {"Add": "+", "Modify": "~", "Replace": "-/+", "May replace": "-/+?", "Remove": "-"}
STYLES = {"Add": "green", "Modify": "yellow", "Replace": "red", "May replace": "red", "Remove": "red"}


@dataclass(frozen=True)
class ResourceChange:
    action: str  # CloudFormation's: Add, Modify, Remove, Import, Dynamic
    logical_id: str
    resource_type: str
    replacement: str = ""  # True, False or Conditional, for Modify
    causes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """How a person reads it: a Modify that replaces is a Replace."""
        if self.action == "Modify" and self.replacement == "True":
            return "Replace"
        if self.action == "Modify" and self.replacement == "Conditional":
            return "May replace"
        return self.action

    @property
    def replaces_endpoint(self) -> bool:
        return self.resource_type == ENDPOINT_TYPE and self.kind in ("Replace", "May replace")


@dataclass
class Plan:
    stack_name: str
    change_set_id: str
    change_type: str  # CREATE or UPDATE
    stack_id: str
    changes: list[ResourceChange] = field(default_factory=list)
    no_changes: bool = False
    notes: list[str] = field(default_factory=list)  # parameters old -> new, what --resolve-latest resolves to

    @property
    def replaces_endpoint(self) -> bool:
        return any(change.replaces_endpoint for change in self.changes)

    @property
    def destructive(self) -> bool:
        """Whether executing it replaces or removes anything (what terraform and rain ask about first)."""
        return any(change.kind in ("Replace", "May replace", "Remove") for change in self.changes)

    def summary(self) -> str:
        counts = {kind: sum(1 for c in self.changes if c.kind == kind) for kind in SYMBOLS}
        replace = counts["Replace"] + counts["May replace"]
        return (
            f"Plan: {counts['Add']} to add, {counts['Modify']} to modify, {replace} to replace, "
            f"{counts['Remove']} to remove."
        )


def create_plan(cloudformation: CloudFormation, request: dict[str, Any], change_type: str) -> Plan:
    """Create the change set and wait for CloudFormation to compute it."""
    name = f"sagemaker-endpoint-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:6]}"
    change_set_id, stack_id = cloudformation.create_change_set(name, change_type, request)
    plan = Plan(request["StackName"], change_set_id, change_type, stack_id)
    failure = cloudformation.wait_for_change_set(change_set_id)
    if failure is not None:
        if any(marker in failure for marker in NO_CHANGES):
            plan.no_changes = True
            return plan
        raise ChangeSetFailed(plan, failure)
    plan.changes = [_resource_change(raw) for raw in cloudformation.resource_changes(change_set_id)]
    return plan


class ChangeSetFailed(Exception):
    def __init__(self, plan: Plan, reason: str) -> None:
        super().__init__(reason)
        self.plan = plan
        self.reason = reason


def _resource_change(raw: dict[str, Any]) -> ResourceChange:
    causes = tuple(dict.fromkeys(_cause(detail) for detail in _causing_details(raw.get("Details", []))))
    return ResourceChange(
        raw["Action"], raw["LogicalResourceId"], raw["ResourceType"], raw.get("Replacement", ""), causes
    )


def _causing_details(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The details without the Dynamic twin that CloudFormation adds beside each Static change to the same Target
    (a Ref to a changed parameter, say): the User Guide's "Example change sets" say to read the static one."""
    static_targets = [d.get("Target") for d in details if d.get("Evaluation") == "Static"]
    return [
        d
        for d in details
        if not (d.get("Evaluation") == "Dynamic" and d.get("ChangeSource") == "DirectModification"
                and d.get("Target") in static_targets)
    ]  # fmt: skip


def _cause(detail: dict[str, Any]) -> str:
    source, entity = detail.get("ChangeSource", ""), detail.get("CausingEntity", "")
    target = detail.get("Target", {})
    what = target.get("Name") or target.get("Attribute", "")
    if source == "ParameterReference":
        return f"parameter {entity}"
    if source == "ResourceAttribute" and entity.split(".")[0] == "LatestApprovedModelPackage":
        return "re-resolved model package"
    if source == "ResourceAttribute":
        return f"new {entity}"
    if source == "ResourceReference":
        return f"replaced {entity}"
    if source == "DirectModification":
        return f"template change{f' to {what}' if what else ''}"
    return source or "CloudFormation"


def show_plan(plan: Plan, console: Console) -> None:
    what = "create" if plan.change_type == "CREATE" else "update"
    console.line(f"Plan to {what} stack {plan.stack_name}:", "bold")
    for note in plan.notes:
        console.line(f"  {note}")
    width = max((len(c.logical_id) for c in plan.changes), default=0)
    type_width = max((len(c.resource_type) for c in plan.changes), default=0)
    for change in plan.changes:
        kind = change.kind
        because = f"  <- {', '.join(change.causes)}" if change.causes else ""
        row = f"  {SYMBOLS.get(kind, '?'):<4} {kind:<11} {change.logical_id:<{width}}  "
        row += f"{change.resource_type:<{type_width}}"
        console.line(f"{row}{because}".rstrip(), STYLES.get(kind))
    console.line(plan.summary())
    if plan.replaces_endpoint:
        console.warning(
            "this plan REPLACES the Endpoint: CloudFormation creates a new endpoint and deletes the old one, "
            "so callers of the old name fail. deploy refuses it without --allow-endpoint-replacement."
        )
