"""What `status` and `promote` can and cannot see, as a user runs them, on botocore Stubbers (a call not queued fails
the test): an endpoint serving a config SageMaker no longer describes is reported, not a crash; a composite alarm
given to --alarm is read as one; the Async stack's scale-from-zero trigger is not health; alarm history older than
CloudWatch keeps is said to be unseen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from generator.cli import main
from generator.common.names import SCALING_TRIGGER_ALARMS
from generator.deploy.template_file import load_template
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    SAGEMAKER,
    StubbedAws,
    expect_config_package,
    expect_endpoint,
    resources,
    run_with,
    stack_id,
    stacks,
)

V3 = f"{SAGEMAKER}:model-package/churn/3"
STAGING, PROD = "churn-staging", "churn-prod"
PROMOTE = ["promote", "--from-stack", STAGING, "--to-stack", PROD, "--region", "eu-west-1"]
STATUS = ["status", "--stack-name", STAGING, "--region", "eu-west-1"]
DISK, BACKLOG = "churn-staging-Disk-1A2B", "churn-staging-Backlog-3C4D"
BOTH_TYPES = ["CompositeAlarm", "MetricAlarm"]
# What CloudWatch answers for each alarm, by the AlarmTypes asked: without them, metric alarms only ("If you omit
# this parameter, only metric alarms are returned, even if composite alarms or log alarms exist in the account",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def source_stack(stubbed: StubbedAws, *, since: datetime = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) -> None:
    """The staging stack with two alarms: the disk alarm, and the Async stack's scale-out-from-zero trigger."""
    outputs = {"EndpointName": "churn-staging-ep", "ModelPackageArn": V3}
    stubbed["cloudformation"].add_response("describe_stacks", stacks(STAGING, "UPDATE_COMPLETE", outputs=outputs),
                                           {"StackName": STAGING})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-staging-ep", "staging-config", since=since)


def alarm_resources(stubbed: StubbedAws) -> None:
    stubbed["cloudformation"].add_response("list_stack_resources", resources(
        ("DiskUtilizationAlarm", DISK, "AWS::CloudWatch::Alarm"),
        ("BacklogWithoutCapacityAlarm", BACKLOG, "AWS::CloudWatch::Alarm"),
    ), {"StackName": stack_id(STAGING)})  # fmt: skip


def config_gone(stubbed: StubbedAws) -> None:
    """SageMaker's answer for a config it does not know: ValidationException ("Could not find endpoint
    configuration"), as the SageMaker API Reference's common errors give it for an invalid input."""
    stubbed["sagemaker"].add_client_error(
        "describe_endpoint_config", "ValidationException", 'Could not find endpoint configuration "staging-config".',
        400, {"EndpointConfigName": "staging-config"},
    )  # fmt: skip


def test_status_reports_an_endpoint_whose_config_sagemaker_no_longer_describes_with_exit_4(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """UpdateEndpoint: "If you delete the EndpointConfig of an endpoint that is active or being created or updated
    you may lose visibility into the instance type the endpoint is using"
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpoint.html). The JSON still comes, the
    package as null, and the problem says what to do."""
    source_stack(stubbed)
    alarm_resources(stubbed)
    config_gone(stubbed)
    stubbed["cloudwatch"].add_response("describe_alarms", {"MetricAlarms": [{"AlarmName": DISK, "StateValue": "OK"}]},
                                       {"AlarmNames": [DISK]})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (code, report["ModelPackageArn"], report["Alarms"]) == (4, None, {DISK: "OK"})
    assert err.splitlines() == [
        "error: endpoint churn-staging-ep serves staging-config, which SageMaker no longer describes (deleted while "
        "the endpoint uses it): its package cannot be told. Deploy the stack again (a new package, or "
        "--resolve-latest) to move the endpoint to a config that exists"
    ]


def test_promote_from_an_endpoint_whose_config_is_gone_fails_naming_it_and_reads_nothing_more(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    source_stack(stubbed)
    config_gone(stubbed)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: endpoint churn-staging-ep serves staging-config, which SageMaker no longer describes (deleted while "
        "the endpoint uses it): what it serves cannot be told, and nothing is promoted from a stage that is not what "
        f"it says. Deploy {STAGING} again, then promote"
    ]


def test_status_leaves_the_scale_out_from_zero_trigger_out_of_health(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """BacklogWithoutCapacityAlarm's action is the scale-out-from-zero policy: it goes to ALARM whenever requests
    wait at zero instances, which SageMaker documents as normal ("Requests that are received when there are zero
    instances are queued for processing once the endpoint scales up",
    https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html). DescribeAlarms is asked for
    the disk alarm only (the Stubber checks AlarmNames)."""
    source_stack(stubbed)
    alarm_resources(stubbed)
    expect_config_package(stubbed["sagemaker"], "staging-config", V3)
    stubbed["cloudwatch"].add_response("describe_alarms", {"MetricAlarms": [{"AlarmName": DISK, "StateValue": "OK"}]},
                                       {"AlarmNames": [DISK]})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["Alarms"] == {DISK: "OK"}


def expect_alarm(stubbed: StubbedAws, name: str, kind: str, history: list[dict[str, Any]], since: datetime) -> None:
    """DescribeAlarms with both types, then the history of the alarm's own type since the package started serving."""
    key = "CompositeAlarms" if kind == "CompositeAlarm" else "MetricAlarms"
    cloudwatch = stubbed["cloudwatch"]
    cloudwatch.add_response("describe_alarms", {key: [{"AlarmName": name, "StateValue": "OK"}]},
                            {"AlarmNames": [name], "AlarmTypes": BOTH_TYPES})  # fmt: skip
    cloudwatch.add_response("describe_alarm_history", {"AlarmHistoryItems": history},
                            {"AlarmName": name, "AlarmTypes": [kind], "HistoryItemType": "StateUpdate",
                             "StartDate": since})  # fmt: skip


def went_to_alarm(name: str, at: datetime) -> dict[str, Any]:
    """A StateUpdate item as the AWS CLI reference's describe-alarm-history example prints one."""
    data = {"version": "1.0", "oldState": {"stateValue": "OK"}, "newState": {"stateValue": "ALARM"}}
    return {"Timestamp": at, "HistoryItemType": "StateUpdate", "AlarmName": name, "HistoryData": json.dumps(data),
            "HistorySummary": "Alarm updated from OK to ALARM"}  # fmt: skip


def test_promote_reads_a_composite_alarm_and_its_history_as_one_and_refuses_when_it_fired(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """DescribeAlarmHistory too answers metric alarms only without AlarmTypes ("If you omit this parameter, only
    metric alarms are returned", https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
    API_DescribeAlarmHistory.html): the composite alarm's history is asked for as a composite's. The stack's own
    scale-out trigger is not read at all."""
    since = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    source_stack(stubbed, since=since)
    expect_config_package(stubbed["sagemaker"], "staging-config", V3)
    alarm_resources(stubbed)
    expect_alarm(stubbed, DISK, "MetricAlarm", [], since)
    fired = since + timedelta(hours=2)
    expect_alarm(stubbed, "churn-health", "CompositeAlarm", [went_to_alarm("churn-health", fired)], since)
    prod = {"ModelPackageArn": "", "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}
    stubbed["cloudformation"].add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", prod),
                                           {"StackName": PROD})  # fmt: skip
    code = main([*PROMOTE, "--alarm", "churn-health"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert f"error: refused: alarm churn-health went to ALARM at {fired.isoformat()} while {V3} was served" in (
        err.splitlines()
    )


def test_promote_says_which_part_of_a_long_serving_time_its_alarm_gate_could_not_see(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """CloudWatch keeps alarm history for a limited time ("Amazon CloudWatch retains the history of active and
    deleted alarms for two weeks", https://docs.aws.amazon.com/AmazonCloudWatch/latest/cli/
    cli-mon-describe-alarm-history.html; the API reference gives no duration, so we take the two weeks). A package
    served for 40 days has passed a gate that saw 14 of them: said, not passed in silence."""
    since = datetime.now(UTC) - timedelta(days=40)
    source_stack(stubbed, since=since)
    expect_config_package(stubbed["sagemaker"], "staging-config", V3)
    alarm_resources(stubbed)
    expect_alarm(stubbed, DISK, "MetricAlarm", [], since)
    stubbed["cloudformation"].add_client_error("describe_stacks", "ValidationError", f"Stack with id {PROD} does not "
                                               "exist", 400, {"StackName": PROD})  # fmt: skip
    code = main(PROMOTE)
    stubbed.done()
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    assert err[0].startswith(
        f"warning: {STAGING} has served {V3} since {since.isoformat(timespec='minutes')}, but CloudWatch keeps alarm "
        "history for two weeks: the alarm gate saw each alarm's state now and its changes since "
    )
    assert err[0].endswith(" only")


def test_the_scaling_triggers_left_out_of_health_are_the_templates_alarms_whose_action_is_a_scaling_policy() -> None:
    """The list the deploy client skips (generator.common.names.SCALING_TRIGGER_ALARMS) is read against the rendered
    template: an alarm added later that scales, or one renamed, fails here rather than page someone."""
    triggers = set()
    for template in ("sagemaker-endpoint", "inference-component"):
        resources_ = load_template(name=template).document["Resources"]
        policies = {n for n, r in resources_.items() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"}
        triggers |= {
            name
            for name, resource in resources_.items()
            if resource["Type"] == "AWS::CloudWatch::Alarm"
            and any(action == {"Ref": p} for p in policies for action in resource["Properties"].get("AlarmActions", []))
        }
    assert triggers == set(SCALING_TRIGGER_ALARMS) == {"BacklogWithoutCapacityAlarm", "NoCapacityAlarm"}
