"""The promotion gates one by one, with `now` given: in service, baked to the second, and no alarm in ALARM, now or
at any time since the package started serving. CloudWatch is a botocore Stubber: an alarm read that was not
expected, or one expected and not made, fails the test."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.gates import Served, read_served, refusals
from tests.support.stubbed_aws import ENDPOINT_LIKE, REGION, StubbedAws, stacks

SINCE = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
ALARM_TYPES = ["CompositeAlarm", "MetricAlarm"]  # both, or DescribeAlarms answers metric alarms only
PACKAGE = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
OWN, NAMED = "churn-staging-ModelLatency-1A2B", "churn-staging-Invocation5XX"


def served(status: str = "InService", alarms: tuple[str, ...] = ()) -> Served:
    return Served("churn-staging", "churn-staging-ep", PACKAGE, SINCE, status, alarms)


def context(cloudwatch: object) -> DeployContext:
    return DeployContext(Aws(REGION, clients={"cloudwatch": cloudwatch}), ENDPOINT_LIKE, Console(), io.StringIO())


def state_update(old: str, new: str, at: datetime) -> dict[str, object]:
    """A StateUpdate item as the AWS CLI reference's describe-alarm-history example prints one
    (https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/describe-alarm-history.html): HistoryData is a JSON
    string with oldState and newState, each with its stateValue."""
    data = {"version": "1.0", "oldState": {"stateValue": old, "stateReason": "was"},
            "newState": {"stateValue": new, "stateReason": "Threshold Crossed: 1 datapoint"}}  # fmt: skip
    return {"Timestamp": at, "HistoryItemType": "StateUpdate", "AlarmName": OWN, "HistoryData": json.dumps(data),
            "HistorySummary": f"Alarm updated from {old} to {new}"}  # fmt: skip


CHANGED = datetime(2026, 11, 30, 14, 20, tzinfo=UTC)  # StateUpdatedTimestamp: when an alarm in ALARM went to it


def expect_alarm(stub: Stubber, name: str, state: str, history: list[dict[str, object]] | None = None) -> None:
    alarm = {"AlarmName": name, "StateValue": state, "StateUpdatedTimestamp": CHANGED}
    stub.add_response("describe_alarms", {"MetricAlarms": [alarm]},
                      {"AlarmNames": [name], "AlarmTypes": ALARM_TYPES})  # fmt: skip
    if history is not None:  # only asked when the alarm is not in ALARM now; from when the package started serving
        stub.add_response("describe_alarm_history", {"AlarmHistoryItems": history},
                          {"AlarmName": name, "AlarmTypes": ["MetricAlarm"], "HistoryItemType": "StateUpdate",
                           "StartDate": SINCE})  # fmt: skip


@pytest.mark.parametrize(("served_for", "refused"), [(timedelta(seconds=90), True), (timedelta(seconds=119), True),
                                                    (timedelta(minutes=2), False)])  # fmt: skip
def test_the_bake_gate_counts_minutes_to_the_second(served_for: timedelta, refused: bool) -> None:
    """--bake-minutes 2 holds a package until it has served 120 s, not "some minute" of it."""
    reasons = refusals(context(None), served(), bake=timedelta(minutes=2), more_alarms=[], now=SINCE + served_for)
    shown = (
        f"churn-staging has served {PACKAGE} for 1 minutes, less than --bake-minutes 2: promote after "
        "2026-11-30T14:02+00:00"
    )
    assert reasons == ([shown] if refused else [])


def test_an_endpoint_not_in_service_is_refused_whatever_else_passes() -> None:
    reasons = refusals(context(None), served("Updating"), bake=timedelta(0), more_alarms=[], now=SINCE)
    assert reasons == ["churn-staging's endpoint is Updating, not InService"]


def test_the_stacks_own_alarms_and_each_named_one_are_checked_and_every_refusal_is_given() -> None:
    """Its own alarm fired and cleared since serving began (its history says so), a named one is in ALARM now."""
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    fired = SINCE + timedelta(minutes=7)
    with Stubber(cloudwatch) as stub:
        expect_alarm(stub, OWN, "OK", [state_update("ALARM", "OK", fired + timedelta(minutes=3)),
                                       state_update("OK", "ALARM", fired)])  # fmt: skip
        expect_alarm(stub, NAMED, "ALARM")
        reasons = refusals(context(cloudwatch), served(alarms=(OWN,)), bake=timedelta(0), more_alarms=[NAMED],
                           now=SINCE + timedelta(hours=1))  # fmt: skip
        stub.assert_no_pending_responses()
    assert reasons == [
        f"alarm {OWN} went to ALARM at 2026-11-30T14:07:00+00:00 while {PACKAGE} was served",
        f"alarm {NAMED} went to ALARM at 2026-11-30T14:20:00+00:00 (still in ALARM) while {PACKAGE} was served",
    ]


def test_insufficient_data_since_serving_began_is_no_refusal() -> None:
    """INSUFFICIENT_DATA is a new alarm or a metric with no data points (an idle endpoint), not an alarm that fired:
    "This is the initial state of a new alarm ... This is normal and might not necessarily mean that there is a
    problem" (https://docs.aws.amazon.com/autoscaling/application/userguide/cloudwatch-alarm-notifications.html)."""
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    with Stubber(cloudwatch) as stub:
        expect_alarm(stub, OWN, "INSUFFICIENT_DATA", [state_update("OK", "INSUFFICIENT_DATA", SINCE)])
        reasons = refusals(context(cloudwatch), served(alarms=(OWN,)), bake=timedelta(0), more_alarms=[], now=SINCE)
        stub.assert_no_pending_responses()
    assert reasons == []


def test_a_named_alarm_that_does_not_exist_fails_naming_the_option() -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    with Stubber(cloudwatch) as stub:
        stub.add_response(
            "describe_alarms",
            {"MetricAlarms": [], "CompositeAlarms": []},
            {"AlarmNames": ["typo"], "AlarmTypes": ALARM_TYPES},
        )
        with pytest.raises(DeployFailed, match=r"^no alarm named typo in eu-west-1: fix --alarm$"):
            refusals(context(cloudwatch), served(), bake=timedelta(0), more_alarms=["typo"], now=SINCE)


def test_a_source_that_is_not_an_endpoint_stack_fails_before_sagemaker_is_asked() -> None:
    stubbed = StubbedAws()
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn-registry", "CREATE_COMPLETE"),
                                           {"StackName": "churn-registry"})  # fmt: skip
    source = DeployContext(stubbed.aws(), ENDPOINT_LIKE, Console(), io.StringIO())
    with pytest.raises(DeployFailed, match=r"^stack churn-registry has no EndpointName and ModelPackageArn outputs"):
        read_served(source, "churn-registry")
    stubbed.done()
