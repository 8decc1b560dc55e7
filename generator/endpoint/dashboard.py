"""The stack's CloudWatch dashboard, and its URL as an output.

Its body is generated last, from the template's own resources: the endpoint's and variant's names, every alarm the
template declares (each only where its Condition holds) and the approval queues. There is one body per endpoint type,
chosen by Fn::If, each with only the metrics SageMaker publishes for that type (an asynchronous endpoint's request
queue among them).
So it cannot drift from what the stack makes. `layout_table()` draws its layout for docs/operations.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from troposphere import Equals, GetAtt, If, Join, NoValue, Or, Output, Ref, Sub, encode_to_dict
from troposphere.cloudwatch import Alarm, Dashboard

from generator.endpoint.alarms import ENDPOINT_METRICS_NAMESPACE
from generator.endpoint.autoscaling import MAX_INSTANCES, MIN_INSTANCES
from generator.endpoint.context import EndpointStack, Stack, add_condition
from generator.endpoint.deploy_on_approval import DEAD_LETTER_QUEUE, QUEUE
from generator.endpoint.types import ASYNC, ENDPOINT_TYPE, REAL_TIME, SERVERLESS
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


COMMON = {"region": "${AWS::Region}", "view": "timeSeries", "period": 60}
# What SageMaker publishes differs per endpoint type, and each type's list in its guide is exhaustive (Serverless,
# https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html: "Any metric not listed below
# is not published for serverless endpoints."; Async, https://docs.aws.amazon.com/sagemaker/latest/dg/
# async-inference-monitor.html: "Any metric not listed below is not published if the endpoint is enabled for
# asynchronous inference. Such metrics include (but are not limited to): OverheadLatency Invocations
# InvocationsPerInstance"). So each type's dashboard shows only what its type publishes.


def _metrics(namespace: str, *names: str, **options: str) -> list[list[object]]:
    return [[namespace, name, *VARIANT, {**options, "label": name}] for name in names]


def _errors() -> Widget:
    errors = _metrics(SAGEMAKER, "Invocation4XXErrors", "Invocation5XXErrors")
    return Widget("Errors: 4xx and 5xx", {**COMMON, "stat": "Sum", "metrics": errors})


def _latency(*names: str) -> Widget:
    return Widget("Latency, p99 (microseconds)", {**COMMON, "stat": "p99", "metrics": _metrics(SAGEMAKER, *names)})


def _invocations() -> Widget:
    return Widget("Invocations", {**COMMON, "stat": "Sum", "metrics": _metrics(SAGEMAKER, "Invocations")})


def _host() -> Widget:
    return Widget("CPU, memory and disk (%)", {**COMMON, "stat": "Average", "metrics": _metrics(
        ENDPOINT_METRICS_NAMESPACE, "CPUUtilization", "MemoryUtilization", "DiskUtilization")})  # fmt: skip


def _alarms() -> Widget:
    return Widget("Alarms", {"alarms": "@Alarms@"}, kind="alarm")


def real_time_widgets() -> list[Widget]:
    """RealTime: traffic, errors, latency, instances against the scaling bounds, utilization, alarms."""
    instances = [
        [SAGEMAKER, "Invocations", *VARIANT, {"id": "calls", "stat": "Sum", "visible": False}],
        [SAGEMAKER, "InvocationsPerInstance", *VARIANT, {"id": "per", "stat": "Sum", "visible": False}],
        [{"expression": "calls / per", "label": "Instances (invocations / invocations per instance)"}],
    ]
    return [
        _invocations(), _errors(), _latency("ModelLatency", "OverheadLatency"),
        Widget("Instances against the scaling bounds", {**COMMON, "metrics": instances,
                                                        "annotations": {"horizontal": "@InstanceBounds@"}}),
        _host(), _alarms(),
    ]  # fmt: skip


def serverless_widgets() -> list[Widget]:
    """Serverless: no instances, so no instance count and no CPU or disk. The guide's list: "Serverless endpoints can
    also use the Invocations4XXErrors, Invocations5XXErrors, Invocations, ModelLatency, ModelSetupTime and
    MemoryUtilization metrics", OverheadLatency (cold starts included) and ServerlessConcurrentExecutionsUtilization."""
    return [
        _invocations(), _errors(), _latency("ModelLatency", "OverheadLatency"),
        Widget("Concurrency in use (of the maximum)", {**COMMON, "stat": "Maximum", "metrics": _metrics(
            SAGEMAKER, "ServerlessConcurrentExecutionsUtilization")}),
        Widget("Memory (%)", {**COMMON, "stat": "Average", "metrics": _metrics(
            ENDPOINT_METRICS_NAMESPACE, "MemoryUtilization")}),
        Widget("Cold starts: model setup time (microseconds)", {**COMMON, "stat": "Maximum", "metrics": _metrics(
            SAGEMAKER, "ModelSetupTime")}),
        _alarms(),
    ]  # fmt: skip


def async_endpoint_widgets() -> list[Widget]:
    """Async: no Invocations, InvocationsPerInstance or OverheadLatency. The instance count is CPUUtilization's
    sample count a minute, as the async troubleshooting guide counts instances ("check the sample count statistic
    for a 1 minute period. The count should be equal to the number of active instances.",
    https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-troubleshooting.html); async inference "also
    includes host-level metrics"."""
    instances = [[ENDPOINT_METRICS_NAMESPACE, "CPUUtilization", *VARIANT,
                  {"stat": "SampleCount", "label": "Instances (CPU samples a minute)"}]]  # fmt: skip
    failures = ("InvocationFailures", "RequestDownloadFailures", "ResponseUploadFailures", "NotificationFailures",
                "ExpiredRequests")  # fmt: skip
    return [
        Widget("Async requests failed", {**COMMON, "stat": "Sum", "metrics": _metrics(SAGEMAKER, *failures)}),
        _errors(), _latency("ModelLatency"),
        Widget("Instances against the scaling bounds", {**COMMON, "metrics": instances,
                                                        "annotations": {"horizontal": "@InstanceBounds@"}}),
        _host(), _alarms(),
    ]  # fmt: skip


def endpoint_widgets(endpoint_type: str) -> list[Widget]:
    return {REAL_TIME: real_time_widgets, SERVERLESS: serverless_widgets, ASYNC: async_all_widgets}[endpoint_type]()


def async_all_widgets() -> list[Widget]:
    return [*async_endpoint_widgets(), *async_widgets()]


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
    """An asynchronous endpoint's queue: what waits, per instance, for how long, and whether it waits with no
    instance at all (published with the EndpointName dimension only)."""
    endpoint = ["EndpointName", "${Endpoint}"]
    common = {**COMMON, "stat": "Average"}
    return [
        Widget("Async requests waiting", {**common, "metrics": [
            [SAGEMAKER, "ApproximateBacklogSize", *endpoint, {"label": "waiting"}],
            [SAGEMAKER, "ApproximateBacklogSizePerInstance", *endpoint, {"label": "waiting per instance"}],
        ]}),
        Widget("Async requests waiting with no instance", {**common, "metrics": [
            [SAGEMAKER, "HasBacklogWithoutCapacity", *endpoint, {"label": "1: waiting, no instance"}],
        ]}),
        Widget("Oldest async request waiting (seconds)", {**common, "stat": "Maximum", "metrics": [
            [SAGEMAKER, "ApproximateAgeOfOldestRequest", *endpoint, {"label": "oldest request"}],
        ]}),
    ]  # fmt: skip


def add_dashboard(stack: EndpointStack) -> Dashboard:
    """The dashboard named `sagemaker-endpoint-<stack>-<Region>`, and the DashboardUrl output where a console is known.
    Dashboards are global to the account ("a dashboard can include graphs from different Regions"; PutDashboard:
    "A dashboard with the same name ... replaces"): the Region keeps two Regions' stacks of one name apart. The body
    is the endpoint type's own (see `endpoint_widgets`)."""
    bodies = {kind: _body(stack, kind) for kind in (REAL_TIME, SERVERLESS, ASYNC)}
    dashboard = stack.template.add_resource(
        Dashboard(
            "Dashboard",
            DashboardName=Sub(f"{NAME_PREFIX}${{AWS::StackName}}-${{AWS::Region}}"),
            DashboardBody=If(
                stack.conditions.serverless,
                bodies[SERVERLESS],
                If(stack.conditions.asynchronous, bodies[ASYNC], bodies[REAL_TIME]),
            ),
        )
    )
    add_url_output(stack, dashboard)
    return dashboard


def _body(stack: EndpointStack, endpoint_type: str) -> Sub:
    """One type's body: its widgets, then the approval widgets where deploy on approval is on."""
    endpoint, approval = endpoint_widgets(endpoint_type), approval_widgets()
    placed = [widget.placed(i) for i, widget in enumerate(endpoint + approval)]
    widgets, approval_text = widgets_json(placed[: len(endpoint)]), widgets_json(placed[len(endpoint) :])
    text = '{"widgets":' + widgets[:-1] + "${ApprovalWidgets}]}"
    variables = {
        "Endpoint": stack.endpoint_name,
        "Variant": VARIANT_NAME.ref(),
        "InstanceBounds": _instance_bounds(stack),
        "Alarms": alarm_list(stack, endpoint_type),
        "ApprovalWidgets": _approval_widgets(stack, approval_text),
    }
    return Sub(text, **{name: value for name, value in variables.items() if f"${{{name}}}" in text})


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


def alarm_list(stack: Stack, endpoint_type: str | None = None) -> Join:
    """Every alarm the template declares that a stack of this type can have (any type: all of them), as quoted ARNs;
    an alarm with a Condition only where it holds."""
    entries: list[object] = []
    for resource in stack.template.resources.values():
        if isinstance(resource, Alarm):
            quoted = Sub('"${Arn}"', Arn=GetAtt(resource, "Arn"))
            condition = resource.resource.get("Condition")
            if not condition:
                entries.append(quoted)
            elif endpoint_type is None or _possible_for(stack, condition, endpoint_type):
                entries.append(If(condition, quoted, NoValue))
    return Join(",", entries)


def _possible_for(stack: Stack, condition: str, endpoint_type: str) -> bool:
    """False when the Condition requires another endpoint type: one of its conjuncts, followed through named
    Conditions, is `EndpointType = <another>` or `EndpointType != <this one>`."""
    endpoint_type_is = {"Ref": ENDPOINT_TYPE.name}

    def conjuncts(node: Any) -> list[Any]:
        if isinstance(node, dict) and "Fn::And" in node:
            return [c for part in node["Fn::And"] for c in conjuncts(part)]
        if isinstance(node, dict) and "Condition" in node:
            return conjuncts(encode_to_dict(stack.template.conditions[node["Condition"]]))
        return [node]

    for part in conjuncts({"Condition": condition}):
        if part.get("Fn::Equals", [None])[0] == endpoint_type_is and part["Fn::Equals"][1] != endpoint_type:
            return False
        if part == {"Fn::Not": [{"Fn::Equals": [endpoint_type_is, endpoint_type]}]}:
            return False
    return True


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
    """The dashboard's layout per endpoint type as a Markdown table, widgets in order (docs/operations.md shows
    it)."""
    columns = {kind: [w.title for w in endpoint_widgets(kind)] for kind in (REAL_TIME, SERVERLESS, ASYNC)}
    approval = [f"{w.title} (with `{w.only_with}`)" for w in approval_widgets()]
    rows = max(len(titles) for titles in columns.values())
    lines = ["| # | RealTime | Serverless | Async |", "|---|---|---|---|"]
    for row in range(rows):
        cells = [titles[row] if row < len(titles) else "" for titles in columns.values()]
        lines.append(f"| {row + 1} | " + " | ".join(cells) + " |")
    lines += [f"| then | {title} | same | same |" for title in approval]
    return "\n".join(lines)
