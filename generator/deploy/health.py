"""What a stack's endpoint is doing now, read only: the stack, the endpoint and the package it serves, its instances,
its alarms and, with deploy on approval, its queues. What `status` prints, and what it judges unhealthy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from custom_resource.contract import LogicalIds, Outputs
from generator.common.names import SCALING_TRIGGER_ALARMS
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.progress import endpoint_stage
from generator.deploy.serving import ConfigGone, config_package
from generator.deploy.steps import step

QUEUES = {LogicalIds.APPROVAL_QUEUE: "Waiting", LogicalIds.APPROVAL_DEAD_LETTER_QUEUE: "DeadLetters"}  # -> JSON key
FAILED_STACK = ("_FAILED", "ROLLBACK_COMPLETE")  # a stack in these needs a person whatever its endpoint does


@dataclass
class Health:
    """The JSON `status` prints, and what is wrong, most urgent first (nothing: healthy)."""

    report: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def read_health(context: DeployContext, stack_name: str) -> Health:
    stack = context.cloudformation.describe(stack_name)
    if stack is None:
        raise DeployFailed(f"no stack named {stack_name} in {context.aws.region_name}")
    resources = {r["LogicalResourceId"]: r for r in context.cloudformation.resources(stack.stack_id)}
    endpoint_name = stack.outputs.get(Outputs.ENDPOINT_NAME) or _endpoint_name(resources)
    endpoint = _describe_endpoint(context, endpoint_name)
    package, gone = _package_or_problem(context, endpoint_name, endpoint)
    report: dict[str, Any] = {
        "StackStatus": stack.status,
        "EndpointStatus": endpoint_stage(endpoint) if endpoint else "Missing",
        "ModelPackageArn": package,
        "ServingSince": endpoint["LastModifiedTime"].isoformat() if endpoint else None,
        "Instances": {
            v["VariantName"]: {"Current": v.get("CurrentInstanceCount"), "Desired": v.get("DesiredInstanceCount")}
            for v in (endpoint or {}).get("ProductionVariants", [])
        },
        "Alarms": _alarm_states(context, resources),
    }
    if QUEUES.keys() <= resources.keys():
        report["ApprovalQueue"] = _queue_depths(context, resources)
    return Health(report, _problems(stack_name, endpoint_name, report, gone))


def _package_or_problem(
    context: DeployContext, endpoint_name: str | None, endpoint: dict[str, Any] | None
) -> tuple[str | None, list[str]]:
    """The package the endpoint serves; or none, and why, when SageMaker no longer describes its config."""
    if not endpoint:
        return None, []
    try:
        return served_package(context, endpoint), []
    except ConfigGone as gone:
        return None, [
            f"endpoint {endpoint_name} serves {gone}: its package cannot be told. Deploy the stack again (a new "
            "package, or --resolve-latest) to move the endpoint to a config that exists"
        ]


def no_endpoint(stack_name: str, status: str) -> str:
    """A stack without an endpoint, by the state that explains why, with what to do."""
    why = {
        "REVIEW_IN_PROGRESS": "a change set was made and never executed (a stopped plan or deploy)",
        "ROLLBACK_COMPLETE": "its create failed and rolled back (its events say why)",
    }.get(status, "it has not created one")
    return (
        f"stack {stack_name} is {status} and has no endpoint: {why}. Deploy it again, or remove it with "
        f"`sagemaker-endpoint destroy --stack-name {stack_name}`"
    )


def _problems(stack_name: str, endpoint_name: str | None, report: dict[str, Any], gone: list[str]) -> list[str]:
    problems = []
    if endpoint_name is None:
        return [no_endpoint(stack_name, report["StackStatus"])]
    if report["EndpointStatus"] != "InService":
        problems.append(f"endpoint {endpoint_name} is {report['EndpointStatus']}, not InService")
    problems += gone
    problems += [f"alarm {name} is in ALARM" for name, state in report["Alarms"].items() if state == "ALARM"]
    if report["StackStatus"].endswith(FAILED_STACK):
        problems.append(f"stack {stack_name} is {report['StackStatus']} and needs a person (its events say why)")
    return problems


def _endpoint_name(resources: dict[str, dict[str, Any]]) -> str | None:
    """Before the outputs exist: the name at the end of the Endpoint's physical id, its ARN (Ref of
    AWS::SageMaker::Endpoint); DescribeEndpoint takes only the name."""
    resource = resources.get(LogicalIds.ENDPOINT)
    physical = resource.get("PhysicalResourceId") if resource else None
    return str(physical).rsplit("/", 1)[-1] if physical else None


def _describe_endpoint(context: DeployContext, name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    with step(f"reading endpoint {name}"):
        try:
            described: dict[str, Any] = context.aws.client("sagemaker").describe_endpoint(EndpointName=name)
        except ClientError as error:
            if error.response["Error"].get("Code") == "ValidationException":  # SageMaker's answer for no such one
                return None
            raise
    return described


def served_package(context: DeployContext, endpoint: dict[str, Any]) -> str | None:
    """The package behind what the endpoint serves now; ConfigGone when SageMaker no longer describes its config."""
    return config_package(context, str(endpoint["EndpointConfigName"]))


def alarm_names(resources: Iterable[dict[str, Any]]) -> list[str]:
    """The alarms among a stack's resource summaries that say something is wrong, by name (their physical id):
    not those that only trigger scaling."""
    return sorted(
        r["PhysicalResourceId"]
        for r in resources
        if r["ResourceType"] == "AWS::CloudWatch::Alarm" and r["LogicalResourceId"] not in SCALING_TRIGGER_ALARMS
    )


def _alarm_states(context: DeployContext, resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    return alarm_states(context, alarm_names(resources.values()))


def alarm_states(context: DeployContext, names: list[str]) -> dict[str, str]:
    """Each alarm's state by name; UNKNOWN for one CloudWatch does not describe."""
    states: dict[str, str] = dict.fromkeys(names, "UNKNOWN")
    cloudwatch = context.aws.client("cloudwatch")
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
        with step(f"reading the states of alarms {', '.join(names[start : start + 100])}"):
            pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNames=names[start : start + 100])
            states |= {a["AlarmName"]: a["StateValue"] for page in pages for a in page["MetricAlarms"]}
    return states


def _queue_depths(context: DeployContext, resources: dict[str, dict[str, Any]]) -> dict[str, int]:
    sqs = context.aws.client("sqs")
    depths = {}
    for logical_id, key in QUEUES.items():
        url = resources[logical_id]["PhysicalResourceId"]
        with step(f"reading queue {url}"):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]
        depths[key] = int(attributes["ApproximateNumberOfMessages"])
    return depths
