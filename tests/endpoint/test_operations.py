"""Operations, offline: every alarm notifies AlarmTopicArn when it is given and nobody when not; the functions' error
alarms and the disk alarm; the dashboard's body, read back from the evaluated template, names the stack's own
endpoint, variant, queues and alarms; its URL in each partition."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.endpoint.dashboard import layout_table
from tests.support.iam_eval import allows
from tests.support.inputs import ARN_MODE, GROUP_MODE
from tests.support.paths import ROOT
from tests.support.template_eval import Evaluator, as_text

Deploy = Callable[..., Evaluator]
TOPIC = "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts"
ROLE = "arn:aws:iam::111122223333:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
EVERYTHING = {**GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ROLE, "ManagedInstanceScaling": "true"}
ENDPOINT = "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
ALARMS = {"Invocation5xxAlarm", "ModelLatencyAlarm", "DiskUtilizationAlarm", "PackageResolverErrorsAlarm",
          "ApprovalUpdaterErrorsAlarm", "ApprovalDeadLettersAlarm", "ApprovalDeadLettersExpiringAlarm",
          "ApprovalUndeliveredAlarm", "ApprovalUndeliveredExpiringAlarm", "ApprovalQueueStuckAlarm",
          "ApprovalRuleFailedInvocationsAlarm", "StackStatusRuleFailedInvocationsAlarm",
          "ApprovalUpdaterFailedInvocationsAlarm"}  # fmt: skip


def alarms(stack: Evaluator) -> dict[str, dict[str, Any]]:
    return {n: r["Properties"] for n, r in stack.resources().items() if r["Type"] == "AWS::CloudWatch::Alarm"}


@pytest.mark.parametrize("values", [ARN_MODE, GROUP_MODE, EVERYTHING], ids=["arn", "group", "everything"])
def test_every_alarm_notifies_the_topic_of_alarm_and_ok_when_given_and_nobody_when_not(
    deploy: Deploy, values: dict[str, str]
) -> None:
    with_topic = alarms(deploy(**values, AlarmTopicArn=TOPIC))
    assert {name: (a["AlarmActions"], a["OKActions"]) for name, a in with_topic.items()} == dict.fromkeys(
        with_topic, ([TOPIC], [TOPIC])
    )
    without = alarms(deploy(**values))
    assert set(without) == set(with_topic)
    assert [name for name, a in without.items() if {"AlarmActions", "OKActions"} & set(a)] == []


def test_the_alarms_cover_the_endpoint_its_disk_and_each_function_that_exists(deploy: Deploy) -> None:
    assert set(alarms(deploy(**EVERYTHING))) == ALARMS
    assert set(alarms(deploy(**ARN_MODE))) == {"Invocation5xxAlarm", "ModelLatencyAlarm", "DiskUtilizationAlarm"}
    disk = alarms(deploy(**ARN_MODE))["DiskUtilizationAlarm"]
    assert (disk["Namespace"], disk["MetricName"], disk["Statistic"], disk["Threshold"]) == (
        "/aws/sagemaker/Endpoints", "DiskUtilization", "Maximum", 85,
    )  # fmt: skip
    assert disk["Dimensions"] == [
        {"Name": "EndpointName", "Value": ENDPOINT},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]


@pytest.mark.parametrize(("function", "log_group"), [("PackageResolver", "package-resolver"),
                                                     ("ApprovalUpdater", "approval-updater")])  # fmt: skip
def test_a_functions_error_alarm_counts_the_errors_its_own_log_group_holds(
    deploy: Deploy, function: str, log_group: str
) -> None:
    resources = deploy(**EVERYTHING).resources()
    metric_filter = resources[f"{function}ErrorsFilter"]["Properties"]
    assert metric_filter["LogGroupName"] == {"Ref": f"{function}LogGroup"}
    assert (
        resources[f"{function}LogGroup"]["Properties"]["LogGroupName"] == f"/sagemaker-endpoint/ml-endpoint/{log_group}"
    )
    assert metric_filter["FilterPattern"] == '"[ERROR]"'
    (transformation,) = metric_filter["MetricTransformations"]
    alarm = resources[f"{function}ErrorsAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transformation["MetricNamespace"],
        transformation["MetricName"],
    )
    assert alarm["MetricName"] == f"ml-endpoint-{function}Errors"


def body(stack: Evaluator) -> dict[str, Any]:
    text = as_text(stack.resources()["Dashboard"]["Properties"]["DashboardBody"])
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def test_the_dashboard_names_the_stacks_own_endpoint_queues_and_alarms(deploy: Deploy) -> None:
    stack = deploy(**EVERYTHING)
    widgets = body(stack)["widgets"]
    metrics = [m for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"] if isinstance(m[0], str)]
    dimensions = {tuple(m[2:-1]) for m in metrics}
    assert dimensions == {
        ("EndpointName", ENDPOINT, "VariantName", "AllTraffic"),
        ("QueueName", "<ApprovalQueue.QueueName>"),
        ("QueueName", "<ApprovalDeadLetterQueue.QueueName>"),
    }
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    assert sorted(alarm_widget["properties"]["alarms"]) == sorted(f"<{name}.Arn>" for name in alarms(stack))
    assert {w["properties"]["region"] for w in widgets if w["type"] == "metric"} == {"eu-west-1"}
    bounds = next(w for w in widgets if w["properties"]["title"].startswith("Instances"))["properties"]["annotations"]
    assert bounds == {
        "horizontal": [{"label": "Scaling minimum", "value": 1}, {"label": "Scaling maximum", "value": 10}]
    }


def test_without_deploy_on_approval_the_dashboard_has_no_queue_and_no_function_it_lacks(deploy: Deploy) -> None:
    stack = deploy(**ARN_MODE)
    widgets = body(stack)["widgets"]
    assert [w["properties"]["title"] for w in widgets] == [
        "Invocations", "Errors: 4xx and 5xx", "Latency, p99 (microseconds)", "Instances against the scaling bounds",
        "CPU, memory and disk (%)", "Alarms",
    ]  # fmt: skip
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    assert sorted(alarm_widget["properties"]["alarms"]) == [
        "<DiskUtilizationAlarm.Arn>", "<Invocation5xxAlarm.Arn>", "<ModelLatencyAlarm.Arn>",
    ]  # fmt: skip
    instances = widgets[3]["properties"]["annotations"]
    assert instances == {"horizontal": [{"label": "Instance count (no autoscaling)", "value": 1}]}


@pytest.mark.parametrize(
    ("partition", "url"),
    [("aws", "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/<Dashboard>"),
     ("aws-cn", "https://console.amazonaws.cn/cloudwatch/home?region=eu-west-1#dashboards/dashboard/<Dashboard>"),
     ("aws-us-gov",
      "https://console.amazonaws-us-gov.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/<Dashboard>"),
     ("aws-iso", None)],
)  # fmt: skip
def test_the_dashboard_url_is_the_partitions_console_or_absent_where_none_is_known(
    template: dict[str, Any], partition: str, url: str | None
) -> None:
    outputs = Evaluator(template, ARN_MODE, {"AWS::Partition": partition}).outputs()
    assert (as_text(outputs["DashboardUrl"]) if "DashboardUrl" in outputs else None) == url
    assert {"ModelExecutionRoleArn", "ModelName", "EndpointName", "ModelPackageArn", "EndpointUrl", "KmsKeyId",
            "SecurityGroupId"} <= set(outputs)  # fmt: skip


def test_the_operations_guide_shows_the_dashboards_layout_as_generated() -> None:
    assert layout_table() in (ROOT / "docs" / "operations.md").read_text()


def test_the_topic_policy_the_guide_gives_admits_the_workloads_alarms_and_updaters_only() -> None:
    """The statements docs/operations.md tells a topic's owner to add, read from the page, evaluated."""
    guide = (ROOT / "docs" / "operations.md").read_text()
    section = guide.split("### What the topic's owner grants", 1)[1]
    statements = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    topic = "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts"

    def may_publish(principal: dict[str, str], context: dict[str, str]) -> bool:
        mine = [s for s in statements if s["Principal"] == principal]
        return allows(mine, "sns:Publish", topic, context)

    cloudwatch, workload = {"Service": "cloudwatch.amazonaws.com"}, {"AWS": "arn:aws:iam::111122223333:root"}
    alarm = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:churn-prod-DiskUtilizationAlarm-1A2B3C"
    assert may_publish(cloudwatch, {"aws:SourceArn": alarm, "aws:SourceAccount": "111122223333"})
    assert not may_publish(cloudwatch, {"aws:SourceArn": alarm.replace("111122223333", "777788889999"),
                                        "aws:SourceAccount": "777788889999"})  # fmt: skip
    assert not may_publish(cloudwatch, {})  # no source: a confused deputy
    updater = "arn:aws:iam::111122223333:role/sagemaker-endpoint/churn-prod-ApprovalUpdaterRole-P0O9I8"
    assert may_publish(workload, {"aws:PrincipalArn": updater})
    assert not may_publish(workload, {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/developer"})
    assert not allows(statements, "sns:Subscribe", topic, {"aws:PrincipalArn": updater})
