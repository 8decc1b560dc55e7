"""`status` without AWS: what it reads (botocore Stubbers: any call not expected fails), how it judges, what it
prints where, and its exit code."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from botocore.stub import Stubber
from rich.console import Console as RichConsole

from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.template_file import load_template
from generator.deploy.verbs import status
from tests.support.stubbed_aws import shared_session

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
PACKAGE = "arn:aws:sagemaker:eu-west-1:444455556666:model-package/churn/4"
SINCE = datetime(2026, 11, 30, 14, 2, 11, tzinfo=UTC)


def stubbed(stack_status: str, endpoint_status: str, alarm_state: str) -> dict[str, Any]:
    session = shared_session()
    clients = {name: session.client(name) for name in ("cloudformation", "sagemaker", "cloudwatch")}
    cfn, sm, cw = (Stubber(clients[name]) for name in ("cloudformation", "sagemaker", "cloudwatch"))
    cfn.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "churn",
                    "StackId": STACK_ID,
                    "CreationTime": SINCE,
                    "StackStatus": stack_status,
                    "Outputs": [{"OutputKey": "EndpointName", "OutputValue": "churn-prod"}],
                }
            ]
        },
        {"StackName": "churn"},
    )
    cfn.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "DiskUtilizationAlarm",
                    "PhysicalResourceId": "churn-Disk-1A2B",
                    "ResourceType": "AWS::CloudWatch::Alarm",
                    "LastUpdatedTimestamp": SINCE,
                    "ResourceStatus": "CREATE_COMPLETE",
                },
            ]
        },
        {"StackName": STACK_ID},
    )
    sm.add_response(
        "describe_endpoint",
        {
            "EndpointName": "churn-prod",
            "EndpointArn": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn-prod",
            "EndpointConfigName": "config-2",
            "EndpointStatus": endpoint_status,
            "CreationTime": SINCE,
            "LastModifiedTime": SINCE,
            "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentInstanceCount": 2, "DesiredInstanceCount": 3}],
        },
        {"EndpointName": "churn-prod"},
    )
    sm.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": "config-2",
            "EndpointConfigArn": "arn:aws:sagemaker:eu-west-1:1:endpoint-config/c",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "model-2"}],
            "CreationTime": SINCE,
        },
        {"EndpointConfigName": "config-2"},
    )
    sm.add_response(
        "describe_model",
        {
            "ModelName": "model-2",
            "ModelArn": "arn:aws:sagemaker:eu-west-1:1:model/model-2",
            "CreationTime": SINCE,
            "PrimaryContainer": {"ModelPackageName": PACKAGE},
        },
        {"ModelName": "model-2"},
    )
    cw.add_response(
        "describe_alarms",
        {"MetricAlarms": [{"AlarmName": "churn-Disk-1A2B", "StateValue": alarm_state}]},
        {"AlarmNames": ["churn-Disk-1A2B"]},
    )
    for stub in (cfn, sm, cw):
        stub.activate()
    return clients  # fmt: skip


def run(clients: dict[str, Any], *, terminal: bool = False) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(err)
    if terminal:
        console.rich = RichConsole(file=err, force_terminal=True, color_system="standard", highlight=False)
    context = DeployContext(Aws("eu-west-1", clients=clients), load_template(), console, out)
    code = status.run(context, "churn")
    return code, json.loads(out.getvalue()), err.getvalue()


def test_healthy_exits_0_with_the_json_and_nothing_on_stderr_off_a_terminal() -> None:
    code, report, err = run(stubbed("UPDATE_COMPLETE", "InService", "OK"))
    assert (code, err) == (0, "")
    assert report == {
        "StackStatus": "UPDATE_COMPLETE", "EndpointStatus": "InService", "ModelPackageArn": PACKAGE,
        "ServingSince": "2026-11-30T14:02:11+00:00", "Instances": {"AllTraffic": {"Current": 2, "Desired": 3}},
        "Alarms": {"churn-Disk-1A2B": "OK"},
    }  # fmt: skip


def test_unhealthy_exits_4_naming_what_is_wrong_most_urgent_first() -> None:
    code, report, err = run(stubbed("UPDATE_ROLLBACK_FAILED", "Updating", "ALARM"))
    assert code == 4
    assert report["EndpointStatus"] == "Updating"
    assert err.splitlines() == [
        "error: endpoint churn-prod is Updating, not InService",
        "error: alarm churn-Disk-1A2B is in ALARM",
        "error: stack churn is UPDATE_ROLLBACK_FAILED and needs a person (its events say why)",
    ]


def test_on_a_terminal_a_summary_follows_with_states_in_colour() -> None:
    code, _, err = run(stubbed("UPDATE_COMPLETE", "InService", "ALARM"), terminal=True)
    assert code == 4
    assert "\x1b[32mendpoint  InService\x1b[0m" in err  # green
    assert "\x1b[31malarm     churn-Disk-1A2B: ALARM\x1b[0m" in err  # red
    assert "instances AllTraffic: 2 of 3 desired" in err


def test_an_alarm_with_insufficient_data_is_healthy_only_alarm_is_unhealthy() -> None:
    """INSUFFICIENT_DATA is a new alarm, or a metric with no data points (an idle endpoint), not an outage, so it must
    not page anyone: "This is the initial state of a new alarm ... This is normal and might not necessarily mean that
    there is a problem" (https://docs.aws.amazon.com/autoscaling/application/userguide/cloudwatch-alarm-notifications.html);
    DescribeAlarms' StateValue is OK, ALARM or INSUFFICIENT_DATA
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html)."""
    code, report, err = run(stubbed("UPDATE_COMPLETE", "InService", "INSUFFICIENT_DATA"))
    assert (code, err) == (0, "")
    assert report["Alarms"] == {"churn-Disk-1A2B": "INSUFFICIENT_DATA"}
