"""The shared endpoint's CloudWatch dashboard: what its components reserve of the instances, how busy the instances
are, and every alarm of the stack; built as the endpoint template's is (generator.endpoint.dashboard).

The reservation metrics are per endpoint and variant in /aws/sagemaker/Endpoints: "This metric is provided only for
endpoints that host active inference components" (SageMaker Developer Guide, "Amazon SageMaker AI metrics in Amazon
CloudWatch", CPUReservation)."""

from __future__ import annotations

from troposphere import Sub
from troposphere.cloudwatch import Dashboard

from generator.endpoint.alarms import ENDPOINT_METRICS_NAMESPACE
from generator.endpoint.dashboard import NAME_PREFIX, VARIANT, Widget, add_url_output, alarm_list, widgets_json
from generator.inference_endpoint.context import SharedEndpointStack
from generator.inference_endpoint.instances import VARIANT_NAME


def shared_endpoint_widgets() -> list[Widget]:
    def metrics(*names: str) -> list[list[object]]:
        return [[ENDPOINT_METRICS_NAMESPACE, name, *VARIANT, {"label": name}] for name in names]

    common = {"region": "${AWS::Region}", "view": "timeSeries", "period": 60, "stat": "Average"}
    return [
        Widget("Reserved by the components (%)", {**common, "metrics": metrics(
            "CPUReservation", "MemoryReservation", "GPUReservation")}),
        Widget("CPU, memory and disk (%)", {**common, "metrics": metrics(
            "CPUUtilization", "MemoryUtilization", "DiskUtilization")}),
        Widget("Alarms", {"alarms": "@Alarms@"}, kind="alarm"),
    ]  # fmt: skip


def add_shared_endpoint_dashboard(stack: SharedEndpointStack) -> Dashboard:
    """Named as the endpoint template's (`sagemaker-endpoint-<stack>-<Region>`), to which the deployer role is
    scoped."""
    placed = [widget.placed(i) for i, widget in enumerate(shared_endpoint_widgets())]
    dashboard = stack.template.add_resource(
        Dashboard(
            "Dashboard",
            DashboardName=Sub(f"{NAME_PREFIX}${{AWS::StackName}}-${{AWS::Region}}"),
            DashboardBody=Sub(
                '{"widgets":' + widgets_json(placed) + "}",
                Endpoint=stack.endpoint_name,
                Variant=VARIANT_NAME.ref(),
                Alarms=alarm_list(stack),
            ),
        )
    )
    add_url_output(stack, dashboard)
    return dashboard
