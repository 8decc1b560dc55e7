"""`sagemaker-endpoint status` run as a user runs it, on the local AWS: a healthy stack exits 0 with its JSON, an
alarm set to ALARM makes it exit 4 naming that alarm first, and it changes nothing (no change set, no update)."""

from __future__ import annotations

import json
from typing import Any

from tests.support.e2e import LocalAws, cli, deploy_role, outputs


def status(aws: LocalAws, stack: str) -> tuple[int, dict[str, Any], list[str]]:
    run = cli(aws, "status", "--stack-name", stack)
    return run.returncode, json.loads(run.stdout), run.stderr.splitlines()


def test_a_healthy_endpoint_exits_0_and_an_alarm_in_alarm_exits_4_naming_it_first(aws: LocalAws) -> None:
    role = deploy_role(aws)["DeployerRoleArn"]
    stack = aws.create_stack(
        "churn-watched", {**aws.group_mode(), "DeployOnApproval": "true", "DeploymentRoleArn": role}
    )
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    code, report, err = status(aws, "churn-watched")

    assert (code, err) == (0, [])
    endpoint = outputs(stack)["EndpointName"]
    described = aws.client("sagemaker").describe_endpoint(EndpointName=endpoint)
    assert report == {
        "StackStatus": "CREATE_COMPLETE",
        "EndpointStatus": "InService",
        "ModelPackageArn": aws.versions[2],
        "ServingSince": described["LastModifiedTime"].isoformat(),
        "Instances": {"AllTraffic": {"Current": 1, "Desired": 1}},
        "Alarms": report["Alarms"],
        "ApprovalQueue": {"Waiting": 0, "DeadLetters": 0},
    }
    cloudwatch = aws.client("cloudwatch")
    names = sorted(a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"])
    assert sorted(report["Alarms"]) == names
    assert len(names) == 13  # 5xx, latency, disk, resolver errors, and deploy on approval's 9 (its guide)
    assert set(report["Alarms"].values()) <= {"OK", "INSUFFICIENT_DATA"}

    (disk,) = [name for name in names if "DiskUtilization" in name]
    cloudwatch.set_alarm_state(AlarmName=disk, StateValue="ALARM", StateReason="disk at 93 % for 15 minutes")
    events_before = aws.client("cloudformation").describe_stack_events(StackName="churn-watched")["StackEvents"]
    code, report, err = status(aws, "churn-watched")

    assert code == 4
    assert err[0] == f"error: alarm {disk} is in ALARM"
    assert report["Alarms"][disk] == "ALARM"
    events_after = aws.client("cloudformation").describe_stack_events(StackName="churn-watched")["StackEvents"]
    assert events_after == events_before  # read only
    assert aws.client("cloudformation").list_change_sets(StackName="churn-watched")["Summaries"] == []


def test_a_stack_that_is_not_there_exits_1_naming_it(aws: LocalAws) -> None:
    run = cli(aws, "status", "--stack-name", "nothing-here")
    assert run.returncode == 1
    assert run.stderr.strip() == "error: no stack named nothing-here in eu-west-1"
