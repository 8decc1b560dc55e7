"""`promote` as a user runs it, on botocore Stubbers (any call not queued fails): each gate refuses with exit code 3,
says why and changes nothing; the package carried is the one SageMaker says the source endpoint serves; the target
is pinned to it by ARN, even when it followed a group."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from generator.cli import main
from tests.support.published_change_sets import expect_change_set, replacing_the_endpoint
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    SAGEMAKER,
    WHEN,
    StubbedAws,
    endpoint_stack_resources,
    expect_config_package,
    expect_endpoint,
    expect_execution,
    expect_retained,
    run_with,
    stack_id,
    stacks,
)

V2, V3 = f"{SAGEMAKER}:model-package/churn/2", f"{SAGEMAKER}:model-package/churn/3"
STAGING, PROD = "churn-staging", "churn-prod"
OWN_ALARM = "churn-staging-ModelLatency-1A2B"
PROMOTE = ["promote", "--from-stack", STAGING, "--to-stack", PROD, "--region", "eu-west-1"]
PROD_ARN_MODE = {"ModelPackageArn": V2, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_staging(
    stubbed: StubbedAws, *, serves: str = V3, says: str = V3, since: datetime = WHEN, alarm_state: str = "OK"
) -> None:
    """What promote reads of the source: its stack, what its endpoint serves, its alarms (history since serving)."""
    cloudformation, sagemaker, cloudwatch = stubbed["cloudformation"], stubbed["sagemaker"], stubbed["cloudwatch"]
    outputs = {"EndpointName": "churn-staging-ep", "ModelPackageArn": says}
    cloudformation.add_response("describe_stacks", stacks(STAGING, "UPDATE_COMPLETE", outputs=outputs),
                                {"StackName": STAGING})  # fmt: skip
    expect_endpoint(sagemaker, "churn-staging-ep", "staging-config", since=since)
    expect_config_package(sagemaker, "staging-config", serves)
    if serves != says:
        return
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources(
        "churn-staging-ep", "staging-config", OWN_ALARM), {"StackName": stack_id(STAGING)})  # fmt: skip
    alarm = {"AlarmName": OWN_ALARM, "StateValue": alarm_state, "StateUpdatedTimestamp": WHEN}
    cloudwatch.add_response("describe_alarms", {"MetricAlarms": [alarm]},
                            {"AlarmNames": [OWN_ALARM], "AlarmTypes": ["CompositeAlarm", "MetricAlarm"]})  # fmt: skip
    if alarm_state != "ALARM":
        history = {"AlarmName": OWN_ALARM, "AlarmTypes": ["MetricAlarm"], "HistoryItemType": "StateUpdate",
                   "StartDate": since}  # fmt: skip
        cloudwatch.add_response("describe_alarm_history", {"AlarmHistoryItems": []}, history)


def expect_prod(stubbed: StubbedAws, parameters: dict[str, str]) -> None:
    outputs = {"EndpointName": "churn-prod-ep", "ModelPackageArn": parameters["ModelPackageArn"]}
    stubbed["cloudformation"].add_response(
        "describe_stacks", stacks(PROD, "UPDATE_COMPLETE", parameters, outputs), {"StackName": PROD}
    )


def test_the_bake_gate_counts_minutes_and_refuses_a_package_served_90_seconds_of_2_minutes(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """--bake-minutes 2 is 120 s: 90 s served is not enough. The refusal changes nothing: prod is only read."""
    since = datetime.now(UTC) - timedelta(seconds=90)
    expect_staging(stubbed, since=since)
    expect_prod(stubbed, PROD_ARN_MODE)
    code = main([*PROMOTE, "--bake-minutes", "2"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        f"error: refused: {STAGING} has served {V3} for 1 minutes, less than --bake-minutes 2: promote after "
        f"{(since + timedelta(minutes=2)).isoformat(timespec='minutes')}",
        f"Nothing was promoted; {PROD} is unchanged.",
    ]


def test_the_alarm_gate_covers_the_source_stacks_own_alarms_without_any_alarm_option(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The source stack's alarms (its AWS::CloudWatch::Alarm resources) are read whether or not --alarm is given;
    one in ALARM (DescribeAlarms StateValue, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
    API_MetricAlarm.html: "OK | ALARM | INSUFFICIENT_DATA") refuses."""
    expect_staging(stubbed, alarm_state="ALARM")
    expect_prod(stubbed, PROD_ARN_MODE)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        f"error: refused: alarm {OWN_ALARM} went to ALARM at {WHEN.isoformat()} (still in ALARM) while {V3} was served",
        f"Nothing was promoted; {PROD} is unchanged.",
    ]


def test_promote_carries_what_sagemaker_says_the_source_serves_and_refuses_when_its_stack_says_otherwise(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """After SageMaker rolled the source back by itself its stack's ModelPackageArn output names a package it does
    not serve: that stage proves nothing, and prod is not even read."""
    expect_staging(stubbed, serves=V2, says=V3)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: endpoint churn-staging-ep serves {V2}, not its stack's {V3}: SageMaker rolled it back; nothing is "
        "promoted from a stage that is not what it says"
    ]


def test_promote_pins_a_group_mode_target_to_the_served_package_and_clears_its_group(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Prod followed the group's latest Approved version: promote sets ModelPackageArn and clears
    ModelPackageGroupName in the change set (so no resolver is uploaded, nothing is "latest"), executes it, checks
    that prod serves its new EndpointConfig, then prints the outputs."""
    expect_staging(stubbed)
    group_mode = PROD_ARN_MODE | {"ModelPackageArn": "", "ModelPackageGroupName": "churn"}
    expect_prod(stubbed, group_mode)
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", group_mode), {"StackName": PROD})
    change_set = replacing_the_endpoint("False") | {"StackId": stack_id(PROD)}
    pinned = {"ModelPackageArn": V3, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}
    expect_change_set(cloudformation, change_set, {
        "StackName": PROD, "TemplateBody": ENDPOINT_LIKE.body, "Capabilities": [],
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in pinned.items()],
        "Description": "sagemaker-endpoint deploy",
    })  # fmt: skip
    expect_execution(cloudformation, PROD, change_set["ChangeSetId"], "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", pinned), {"StackName": PROD})
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources("churn-prod-ep", "prod-config-3"),
                                {"StackName": stack_id(PROD)})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-prod-ep", "prod-config-3")
    expect_retained(stubbed, "churn-prod-ep", "prod-config-3", stack=PROD)
    outputs = {"EndpointName": "churn-prod-ep", "ModelPackageArn": V3}
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", pinned, outputs),
                                {"StackName": PROD})  # fmt: skip
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == outputs
    assert f"Promoting {V3} from {STAGING} to {PROD}." in err.splitlines()


US_V3 = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
TARGET_REFUSALS = {
    "no target stack": (V3, None, f"no stack {PROD} in eu-west-1: deploy it once with `sagemaker-endpoint deploy`, "
                                  "then promote into it"),
    "a target that follows its group on approval": (
        V3, PROD_ARN_MODE | {"DeployOnApproval": "true"},
        f"{PROD} follows its group on approval; promote pins a package: deploy it with DeployOnApproval=false first"),
    "a package of another Region": (
        US_V3, PROD_ARN_MODE,
        f"{US_V3} is a package of us-east-1 and {PROD} is in eu-west-1: model packages are regional. Register the "
        "version in a registry of eu-west-1 and promote from a stage there."),
}  # fmt: skip


@pytest.mark.parametrize(("package", "prod", "reason"), TARGET_REFUSALS.values(), ids=TARGET_REFUSALS.keys())
def test_a_target_that_cannot_take_the_package_is_refused_and_left_unchanged(
    package: str, prod: dict[str, str] | None, reason: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The source passes every gate; the target is only read."""
    expect_staging(stubbed, serves=package, says=package)
    if prod is None:
        stubbed["cloudformation"].add_client_error(
            "describe_stacks", "ValidationError", f"Stack with id {PROD} does not exist", 400, {"StackName": PROD}
        )
    else:
        expect_prod(stubbed, prod)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert err.splitlines() == [f"error: refused: {reason}", f"Nothing was promoted; {PROD} is unchanged."]


def test_a_target_that_already_serves_the_package_is_checked_and_not_changed(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """No change set: the target's endpoint is checked to serve its stack's config, then its outputs are printed."""
    expect_staging(stubbed)
    pinned = PROD_ARN_MODE | {"ModelPackageArn": V3}
    expect_prod(stubbed, pinned)
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", pinned), {"StackName": PROD})
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources("churn-prod-ep", "prod-config-3"),
                                {"StackName": stack_id(PROD)})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-prod-ep", "prod-config-3")
    expect_retained(stubbed, "churn-prod-ep", "prod-config-3", stack=PROD)
    expect_prod(stubbed, pinned)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, {"EndpointName": "churn-prod-ep", "ModelPackageArn": V3})
    assert err.splitlines() == [f"{PROD} already serves {V3}: nothing to change."]
