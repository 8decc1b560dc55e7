"""The stack's CloudWatch dashboard, and its URL as an output.

Its body is generated last, from the template's own resources: the endpoint's and variant's names, the functions'
error metrics, every alarm the template declares (each only where its Condition holds), the approval queues, and an
asynchronous endpoint's request queue.
So it cannot drift from what the stack makes. `layout_table()` draws its layout for docs/operations.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from troposphere import Equals, GetAtt, If, Join, NoValue, Or, Output, Ref, Sub
from troposphere.cloudwatch import Alarm, Dashboard

from generator.endpoint.alarms import ENDPOINT_METRICS_NAMESPACE
from generator.endpoint.autoscaling import MAX_INSTANCES, MIN_INSTANCES
from generator.endpoint.context import EndpointStack, Stack, add_condition
from generator.endpoint.deploy_on_approval import DEAD_LETTER_QUEUE, QUEUE
from generator.endpoint.variant import INITIAL_INSTANCE_COUNT, VARIANT_NAME

NAME_PREFIX = "sagemaker-endpoint-"  # + the stack name and Region; a deployer role is scoped to it
WIDTH, HEIGHT = 12, 6  # two widgets per row of CloudWatch's 24-column grid
# The console's host per partition; the URL output exists only where one is known.
CONSOLE_HOSTS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}
SAGEMAKER = "AWS/SageMaker"
VARIANT = ["EndpointName", "${Endpoint}", "VariantName", "${Variant}"]
QUEUES = {"Queue": QUEUE, "DeadLetters": DEAD_LETTER_QUEUE}  # Sub variable -> the queue's logical id


@dataclass(frozen=True)
class Widget:
    title: str
    properties: dict[str, object]
    kind: str = "metric"
    only_with: str = ""  # the feature whose resources it shows, for the layout table

    def placed(self, index: int) -> dict[str, object]:
        position = {"x": (index % 2) * WIDTH, "y": (index // 2) * HEIGHT, "width": WIDTH, "height": HEIGHT}
        return {"type": self.kind, **position, "properties": {"title": self.title, **self.properties}}


def endpoint_widgets() -> list[Widget]:
    """What every stack shows: traffic, errors, latency, instances against the scaling bounds, utilization, alarms."""

    def metrics(namespace: str, *names: str, **options: str) -> list[list[object]]:
        return [[namespace, name, *VARIANT, {**options, "label": name}] for name in names]

    common = {"region": "${AWS::Region}", "view": "timeSeries", "period": 60}
    instances = [
        [SAGEMAKER, "Invocations", *VARIANT, {"id": "calls", "stat": "Sum", "visible": False}],
        [SAGEMAKER, "InvocationsPerInstance", *VARIANT, {"id": "per", "stat": "Sum", "visible": False}],
        [{"expression": "calls / per", "label": "Instances (invocations / invocations per instance)"}],
    ]
    return [
        Widget("Invocations", {**common, "stat": "Sum", "metrics": metrics(SAGEMAKER, "Invocations")}),
        Widget("Errors: 4xx and 5xx", {**common, "stat": "Sum",
                                       "metrics": metrics(SAGEMAKER, "Invocation4XXErrors", "Invocation5XXErrors")}),
        Widget("Latency, p99 (microseconds)", {**common, "stat": "p99",
                                                "metrics": metrics(SAGEMAKER, "ModelLatency", "OverheadLatency")}),
        Widget("Instances against the scaling bounds", {**common, "metrics": instances,
                                                        "annotations": {"horizontal": "@InstanceBounds@"}}),
        Widget("CPU, memory and disk (%)", {**common, "stat": "Average", "metrics": metrics(
            ENDPOINT_METRICS_NAMESPACE, "CPUUtilization", "MemoryUtilization", "DiskUtilization")}),
        Widget("Alarms", {"alarms": "@Alarms@"}, kind="alarm"),
    ]  # fmt: skip


def approval_widgets() -> list[Widget]:
    """Deploy on approval: changes waiting in the queue, and those that need a person."""
    queue = {"region": "${AWS::Region}", "view": "timeSeries", "period": 300, "stat": "Maximum"}
    sqs = "AWS/SQS"
    return [
        Widget("Approval queue", {**queue, "metrics": [
            [sqs, "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue}", {"label": "waiting"}],
            [sqs, "ApproximateNumberOfMessagesNotVisible", "QueueName", "${Queue}", {"label": "being applied"}],
        ]}, only_with="DeployOnApproval"),
        Widget("Dead letters: approvals that need a person", {**queue, "metrics": [
            [sqs, "ApproximateNumberOfMessagesVisible", "QueueName", "${DeadLetters}", {"label": "dead letters"}],
        ]}, only_with="DeployOnApproval"),
    ]  # fmt: skip


def async_widgets() -> list[Widget]:
    """An asynchronous endpoint's queue: what waits, per instance, and whether it waits with no instance at all."""
    endpoint = ["EndpointName", "${Endpoint}"]
    common = {"region": "${AWS::Region}", "view": "timeSeries", "period": 60, "stat": "Average"}
    return [
        Widget("Async requests waiting", {**common, "metrics": [
            [SAGEMAKER, "ApproximateBacklogSize", *endpoint, {"label": "waiting"}],
            [SAGEMAKER, "ApproximateBacklogSizePerInstance", *endpoint, {"label": "waiting per instance"}],
        ]}, only_with="EndpointType Async"),
        Widget("Async requests waiting with no instance", {**common, "metrics": [
            [SAGEMAKER, "HasBacklogWithoutCapacity", *endpoint, {"label": "1: waiting, no instance"}],
        ]}, only_with="EndpointType Async"),
    ]  # fmt: skip


def add_dashboard(stack: EndpointStack) -> Dashboard:
    """The dashboard named `sagemaker-endpoint-<stack>-<Region>`, and the DashboardUrl output where a console is known.
    Dashboards are global to the account ("a dashboard can include graphs from different Regions"; PutDashboard:
    "A dashboard with the same name ... replaces"): the Region keeps two Regions' stacks of one name apart."""
    endpoint, approval, asynchronous = endpoint_widgets(), approval_widgets(), async_widgets()
    placed = [widget.placed(i) for i, widget in enumerate(endpoint + approval + asynchronous)]
    widgets, approval_text = (
        widgets_json(placed[: len(endpoint)]),
        widgets_json(placed[len(endpoint) : -len(asynchronous)]),
    )
    async_text = widgets_json(placed[-len(asynchronous) :])
    variables = {
        "Endpoint": stack.endpoint_name,
        "Variant": VARIANT_NAME.ref(),
        "InstanceBounds": _instance_bounds(stack),
        "Alarms": alarm_list(stack),
        "ApprovalWidgets": _approval_widgets(stack, approval_text),
        "AsyncWidgets": If(
            stack.conditions.asynchronous, Sub("," + async_text[1:-1], Endpoint=stack.endpoint_name), ""
        ),
    }
    dashboard = stack.template.add_resource(
        Dashboard(
            "Dashboard",
            DashboardName=Sub(f"{NAME_PREFIX}${{AWS::StackName}}-${{AWS::Region}}"),
            DashboardBody=Sub('{"widgets":' + widgets[:-1] + "${ApprovalWidgets}${AsyncWidgets}]}", **variables),
        )
    )
    add_url_output(stack, dashboard)
    return dashboard


def _approval_widgets(stack: EndpointStack, approval_text: str) -> If | str:
    """The approval queues' widgets while deploy on approval is on; none in a template without its queues (a
    SageMaker Projects template leaves the feature out)."""
    if not all(title in stack.template.resources for title in QUEUES.values()):
        return ""
    queues = {name: GetAtt(stack.template.resources[title], "QueueName") for name, title in QUEUES.items()}
    return If(stack.conditions.deploy_on_approval, Sub("," + approval_text[1:-1], **queues), "")


def widgets_json(widgets: list[dict[str, object]]) -> str:
    """Compact JSON with the markers of values that are not strings made `Sub` variables."""
    text = json.dumps(widgets, separators=(",", ":"))
    return text.replace('"@InstanceBounds@"', "${InstanceBounds}").replace('"@Alarms@"', "[${Alarms}]")


def _instance_bounds(stack: EndpointStack) -> If:
    """Lines at the scaling bounds, or at the fixed count without autoscaling."""
    return If(
        stack.conditions.scaling_enabled,
        Sub(
            '[{"label":"Scaling minimum","value":${Min}},{"label":"Scaling maximum","value":${Max}}]',
            Min=MIN_INSTANCES.ref(),
            Max=MAX_INSTANCES.ref(),
        ),
        Sub('[{"label":"Instance count (no autoscaling)","value":${Count}}]', Count=INITIAL_INSTANCE_COUNT.ref()),
    )


def alarm_list(stack: Stack) -> Join:
    """Every alarm the template declares, as quoted ARNs; an alarm with a Condition only where it holds."""
    entries: list[object] = []
    for resource in stack.template.resources.values():
        if isinstance(resource, Alarm):
            quoted = Sub('"${Arn}"', Arn=GetAtt(resource, "Arn"))
            condition = resource.resource.get("Condition")
            entries.append(If(condition, quoted, NoValue) if condition else quoted)
    return Join(",", entries)


def add_url_output(stack: Stack, dashboard: Dashboard) -> None:
    """The console link, in the partitions whose console host is known; elsewhere the dashboard is there, unlinked."""
    partition = Ref("AWS::Partition")
    known = add_condition(stack, "ConsoleKnown", Or(*(Equals(partition, name) for name in CONSOLE_HOSTS)))
    china = add_condition(stack, "ChinaConsole", Equals(partition, "aws-cn"))
    govcloud = add_condition(stack, "GovCloudConsole", Equals(partition, "aws-us-gov"))
    host = If(china, CONSOLE_HOSTS["aws-cn"], If(govcloud, CONSOLE_HOSTS["aws-us-gov"], CONSOLE_HOSTS["aws"]))
    stack.template.add_output(
        Output(
            "DashboardUrl",
            Condition=known,
            Description="The stack's CloudWatch dashboard",
            Value=Sub(
                "https://${Host}/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Name}",
                Host=host,
                Name=Ref(dashboard),
            ),
        )
    )


def layout_table() -> str:
    """The dashboard's layout as a Markdown table, rows top to bottom (docs/operations.md shows it)."""
    widgets = [*endpoint_widgets(), *approval_widgets(), *async_widgets()]
    lines = ["| Row | Left | Right |", "|---|---|---|"]
    for row in range(0, len(widgets), 2):
        cells = [w.title + (f" (with `{w.only_with}`)" if w.only_with else "") for w in widgets[row : row + 2]]
        lines.append(f"| {row // 2 + 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
