"""Constraints AWS documents for the deploy client's calls that docs/aws-constraints.md lists and no other test held:
the capabilities CreateChangeSet needs for each template we ship, and DescribeAlarms' 100 names a call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import boto3
import pytest
from botocore.stub import Stubber

from generator.cfn.rendering import render
from generator.deploy.context import DeployContext
from generator.deploy.health import _alarm_states
from generator.deploy.template_file import EndpointTemplate, load_template
from generator.deployer.permissions import derive_deployer_policy
from generator.deployer.stackset_roles import build_administration_role_template, build_execution_role_template
from generator.endpoint.template import build_template


@pytest.mark.parametrize(
    ("template", "capabilities"),
    [
        (load_template(), ["CAPABILITY_IAM"]),
        (load_template(name="registry-access"), ["CAPABILITY_IAM"]),
        (EndpointTemplate(render(build_administration_role_template())), ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]),
        (
            EndpointTemplate(render(build_execution_role_template(derive_deployer_policy(build_template().to_dict())))),
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        ),
    ],
    ids=["endpoint", "registry kit", "stackset administration role", "stackset execution role"],
)
def test_the_capabilities_asked_are_those_iam_resources_need(
    template: EndpointTemplate, capabilities: list[str]
) -> None:
    """CreateChangeSet (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html),
    Capabilities: "If you have IAM resources, you can specify either capability. If you have IAM resources with
    custom names, you must specify CAPABILITY_NAMED_IAM." Our templates name roles only in the StackSets kits."""
    assert template.capabilities == capabilities


def test_status_asks_for_at_most_100_alarm_names_a_call() -> None:
    """DescribeAlarms (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html),
    botocore cloudwatch `AlarmNames`: `"max": 100` ("The names of the alarms to retrieve information about."). A
    stack's alarms are asked for in calls of at most 100 names; each state comes back whatever call read it."""
    names = [f"alarm-{n:03d}" for n in range(101)]
    resources = {
        name: {"ResourceType": "AWS::CloudWatch::Alarm", "LogicalResourceId": name, "PhysicalResourceId": name}
        for name in names
    }
    cloudwatch = boto3.session.Session(region_name="eu-west-1").client("cloudwatch")
    with Stubber(cloudwatch) as stub:
        for batch in (names[:100], names[100:]):
            alarms = [{"AlarmName": name, "StateValue": "OK"} for name in batch]
            stub.add_response("describe_alarms", {"MetricAlarms": alarms}, {"AlarmNames": batch})
        context = cast(DeployContext, SimpleNamespace(aws=SimpleNamespace(client=lambda _: cloudwatch)))
        states: dict[str, Any] = _alarm_states(context, resources)
        stub.assert_no_pending_responses()
    assert states == dict.fromkeys(names, "OK")
