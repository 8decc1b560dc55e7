"""Whether a stage's package may go further: what the source stack really serves and since when, and the gates a
promotion must pass (in service, baked long enough, no alarm since it started serving). Read only.

CloudWatch keeps an alarm's history for a limited time ("Amazon CloudWatch retains the history of active and deleted
alarms for two weeks", https://docs.aws.amazon.com/AmazonCloudWatch/latest/cli/cli-mon-describe-alarm-history.html;
the API reference names no duration). A package served for longer than that has an alarm gate that cannot see its
first weeks, and `promote` says so rather than pass in silence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from custom_resource.contract import Outputs
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.health import alarm_names, served_package
from generator.deploy.serving import ConfigGone

PACKAGE_OUTPUT = Outputs.MODEL_PACKAGE_ARN
# DescribeAlarms and DescribeAlarmHistory without AlarmTypes return metric alarms only ("If you omit this parameter,
# only metric alarms are returned, even if composite alarms or log alarms exist in the account", CloudWatch API
# Reference, DescribeAlarms): an --alarm may be either.
ALARM_TYPES = ["CompositeAlarm", "MetricAlarm"]
ALARM_HISTORY_KEPT = timedelta(days=14)


@dataclass(frozen=True)
class Served:
    """What a stack's endpoint serves: the package, since when, in which state, watched by which alarms."""

    stack_name: str
    endpoint_name: str
    package: str
    since: datetime
    endpoint_status: str
    alarms: tuple[str, ...]


def read_served(context: DeployContext, stack_name: str) -> Served:
    stack = context.cloudformation.describe(stack_name)
    if stack is None:
        raise DeployFailed(f"no stack named {stack_name} in {context.aws.region_name}")
    endpoint_name = stack.outputs.get(Outputs.ENDPOINT_NAME)
    if not endpoint_name or PACKAGE_OUTPUT not in stack.outputs:
        raise DeployFailed(f"stack {stack_name} has no EndpointName and ModelPackageArn outputs: not an endpoint stack")
    endpoint = context.aws.client("sagemaker").describe_endpoint(EndpointName=endpoint_name)
    try:
        package = served_package(context, endpoint)
    except ConfigGone as gone:
        raise DeployFailed(
            f"endpoint {endpoint_name} serves {gone}: what it serves cannot be told, and nothing is promoted from a "
            f"stage that is not what it says. Deploy {stack_name} again, then promote"
        ) from None
    if package is None or package.lower() != stack.outputs[PACKAGE_OUTPUT].lower():  # SageMaker's ARNs: lower case
        raise DeployFailed(
            f"endpoint {endpoint_name} serves {package}, not its stack's {stack.outputs[PACKAGE_OUTPUT]}: "
            "SageMaker rolled it back; nothing is promoted from a stage that is not what it says"
        )
    resources = context.cloudformation.resources(stack.stack_id)
    alarms = tuple(alarm_names(resources))
    return Served(stack_name, endpoint_name, package, endpoint["LastModifiedTime"], endpoint["EndpointStatus"], alarms)


def refusals(
    context: DeployContext, served: Served, *, bake: timedelta, more_alarms: list[str], now: datetime
) -> list[str]:
    """Every reason not to promote, all at once: nothing means go."""
    reasons = []
    if served.endpoint_status != "InService":
        reasons.append(f"{served.stack_name}'s endpoint is {served.endpoint_status}, not InService")
    baked = now - served.since
    if baked < bake:
        minutes = int(baked.total_seconds() // 60)
        reasons.append(
            f"{served.stack_name} has served {served.package} for {minutes} minutes, less than --bake-minutes "
            f"{int(bake.total_seconds() // 60)}: promote after {(served.since + bake).isoformat(timespec='minutes')}"
        )
    for alarm in (*served.alarms, *more_alarms):
        when = alarmed_since(context, alarm, served.since)
        if when:
            reasons.append(f"alarm {alarm} went to ALARM at {when} while {served.package} was served")
    return reasons


def unseen_history(served: Served, now: datetime) -> str | None:
    """What the alarm gate could not see: the part of the serving time older than CloudWatch's alarm history."""
    kept_since = now - ALARM_HISTORY_KEPT
    if served.since >= kept_since:
        return None
    return (
        f"{served.stack_name} has served {served.package} since {served.since.isoformat(timespec='minutes')}, but "
        "CloudWatch keeps alarm history for two weeks: the alarm gate saw each alarm's state now and its changes "
        f"since {kept_since.isoformat(timespec='minutes')} only"
    )


def alarmed_since(context: DeployContext, alarm: str, since: datetime) -> str | None:
    """When the alarm was last in ALARM since `since` (now, or a state change in its history), or None. A metric or
    a composite alarm, its history asked of its own type."""
    cloudwatch = context.aws.client("cloudwatch")
    described = cloudwatch.describe_alarms(AlarmNames=[alarm], AlarmTypes=ALARM_TYPES)
    composite = described.get("CompositeAlarms", [])
    found = described.get("MetricAlarms", []) + composite
    if not found:
        raise DeployFailed(f"no alarm named {alarm} in {context.aws.region_name}: fix --alarm")
    if found[0]["StateValue"] == "ALARM":
        return "now"
    pages = cloudwatch.get_paginator("describe_alarm_history").paginate(
        AlarmName=alarm,
        AlarmTypes=["CompositeAlarm" if composite else "MetricAlarm"],
        HistoryItemType="StateUpdate",
        StartDate=since,
    )
    for item in (item for page in pages for item in page["AlarmHistoryItems"]):
        if _new_state(item) == "ALARM":
            return str(item["Timestamp"].isoformat(timespec="seconds"))
    return None


def _new_state(item: dict[str, Any]) -> str:
    """A StateUpdate's new state, from its HistoryData (CloudWatch API Reference, DescribeAlarmHistory example)."""
    try:
        return str(json.loads(item.get("HistoryData") or "{}").get("newState", {}).get("stateValue", ""))
    except json.JSONDecodeError:
        return ""
