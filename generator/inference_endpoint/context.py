"""What the shared endpoint's builders are handed: the endpoint template's HostingStack, with the one Condition more
they switch on, data capture, and the Conditions themselves."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, Equals, Export, Join, Not, Output, Sub, Template

from generator.cfn.conditions import add_named_condition, is_empty
from generator.common.names import ENDPOINT_EXPORT_PREFIX
from generator.endpoint import alarms, artifacts, data_capture
from generator.endpoint.context import PERMISSIONS_BOUNDARY, HostingConditions, HostingStack
from generator.endpoint.network import SUBNET_IDS, VPC


@dataclass(frozen=True)
class SharedEndpointConditions(HostingConditions):
    data_capture_enabled: str


@dataclass(frozen=True)
class SharedEndpointStack(HostingStack):
    conditions: SharedEndpointConditions


def add_conditions(template: Template) -> SharedEndpointConditions:
    """The network and the capture bucket are tested too, as the Rules require them: so cfn-lint sees them set
    wherever they are used."""
    return SharedEndpointConditions(
        has_permissions_boundary=add_named_condition(
            template, "HasPermissionsBoundary", Not(is_empty(PERMISSIONS_BOUNDARY))
        ),
        alarm_topic=add_named_condition(template, "HasAlarmTopic", Not(is_empty(alarms.ALARM_TOPIC))),
        in_vpc=add_named_condition(
            template, "InVpc", And(Not(is_empty(VPC)), Not(Equals(Join("", SUBNET_IDS.ref()), "")))
        ),
        data_capture_enabled=add_named_condition(
            template,
            "DataCaptureEnabled",
            And(Not(Equals(data_capture.SAMPLING_PERCENTAGE.ref(), "0")), Not(is_empty(artifacts.BUCKET))),
        ),
    )


def add_component_output(stack: SharedEndpointStack, key: str, value: object, description: str) -> None:
    """An output its components import, exported as `sagemaker-endpoint:<endpoint name>:<key>`: a component names the
    endpoint it joins, and finds the rest by that name. While a component imports it, CloudFormation refuses to
    delete or change it, so the endpoint's name, role, variant and isolation stay what the component was made with."""
    stack.template.add_output(
        Output(
            key,
            Description=description,
            Value=value,
            Export=Export(Sub(f"{ENDPOINT_EXPORT_PREFIX}${{Name}}:{key}", Name=stack.endpoint_name)),
        )
    )
