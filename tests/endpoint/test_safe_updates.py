"""Autoscaling that works, blue/green updates that roll back on alarms, and redeploys of the newest package."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from generator.endpoint.autoscaling import SCALING_START_LIMIT
from tests.support.inputs import ARN_MODE, GROUP_MODE, PACKAGE_ARN
from tests.support.template_eval import Evaluator
from tests.support.update_plan import plan, references

Deploy = Callable[..., Evaluator]
SCALING = {**ARN_MODE, "ManagedInstanceScaling": "true", "InstanceType": "ml.c5.xlarge"}
STACK_UUID = "5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"  # of the evaluator's AWS::StackId
DERIVED_NAME = f"endpoint-{STACK_UUID}"
SAGEMAKER_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def props(resources: dict[str, Any], name: str) -> dict[str, Any]:
    return resources[name]["Properties"]  # type: ignore[no-any-return]


# --- endpoint name -------------------------------------------------------------------------------------------


def test_given_no_endpoint_name_then_it_is_derived_from_the_stack_within_sagemakers_rules(deploy: Deploy) -> None:
    stack = deploy(**SCALING)
    resources = stack.resources()
    assert props(resources, "Endpoint")["EndpointName"] == DERIVED_NAME
    assert SAGEMAKER_NAME.fullmatch(DERIVED_NAME)
    assert len(DERIVED_NAME) == 45
    assert props(resources, "ScalableTarget")["ResourceId"] == f"endpoint/{DERIVED_NAME}/variant/AllTraffic"
    dimensions = props(resources, "Invocation5xxAlarm")["Dimensions"]
    assert dimensions == [
        {"Name": "EndpointName", "Value": DERIVED_NAME},
        {"Name": "VariantName", "Value": "AllTraffic"},
        {"Name": "EndpointConfigName", "Value": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]}},
    ]


def test_given_an_endpoint_name_then_everything_that_watches_the_endpoint_uses_it(deploy: Deploy) -> None:
    resources = deploy(**SCALING, EndpointName="churn-prod", VariantName="blue").resources()
    assert props(resources, "Endpoint")["EndpointName"] == "churn-prod"
    assert props(resources, "ScalableTarget")["ResourceId"] == "endpoint/churn-prod/variant/blue"
    for alarm in ("Invocation5xxAlarm", "ModelLatencyAlarm"):
        assert {"Name": "EndpointName", "Value": "churn-prod"} in props(resources, alarm)["Dimensions"]
    (policy,) = props(resources, "ModelExecutionRole")["Policies"]
    logs = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}["WriteEndpointLogs"]
    assert logs["Resource"] == [
        "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/sagemaker/Endpoints/churn-prod",
        "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/sagemaker/Endpoints/churn-prod:*",
        "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/sagemaker/Endpoints/churn-prod:log-stream:*",
    ]


def test_alarms_refer_only_to_the_new_config_so_the_endpoint_can_list_them_without_a_cycle(
    template: dict[str, Any],
) -> None:
    """The rollback alarms watch the fleet of the config the update moves to, which depends on neither the endpoint
    nor them: the Endpoint can list them in its DeploymentConfig."""
    for alarm in ("Invocation5xxAlarm", "ModelLatencyAlarm"):
        assert references(template["Resources"][alarm]) & set(template["Resources"]) == {"EndpointConfig"}


def test_the_rollback_alarms_watch_only_the_new_fleet(deploy: Deploy) -> None:
    """SageMaker guide, Auto-Rollback Configuration and Monitoring: "if your old fleet trips the alarm during the
    deployment, SageMaker terminates your deployment", so a fix for a failing model could never be deployed with an
    alarm on the whole endpoint; "CloudWatch publishes the metrics with the dimension EndpointConfigName:{New-Ep-
    Config} after the new fleet starts receiving traffic, and these metrics last even after the deployment is
    complete"."""
    resources = deploy(**ARN_MODE).resources()
    for alarm in ("Invocation5xxAlarm", "ModelLatencyAlarm"):
        dimensions = {d["Name"]: d["Value"] for d in props(resources, alarm)["Dimensions"]}
        assert dimensions["EndpointConfigName"] == {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]}


# --- autoscaling ---------------------------------------------------------------------------------------------


def test_given_scaling_off_then_there_is_no_scaling_resource(deploy: Deploy) -> None:
    resources = deploy(**ARN_MODE).resources()
    assert not {"ScalableTarget", "InvocationsScalingPolicy"} & set(resources)
    assert "RetainAllVariantProperties" not in props(resources, "Endpoint")


def test_given_scaling_on_then_application_auto_scaling_tracks_invocations_per_instance(deploy: Deploy) -> None:
    resources = deploy(
        **SCALING, ScalingMinInstanceCount="2", ScalingMaxInstanceCount="8", InitialInstanceCount="3",
        ScalingTargetInvocationsPerInstance="250", ScalingScaleInCooldownSeconds="600",
        ScalingScaleOutCooldownSeconds="30",
    ).resources()  # fmt: skip
    target = props(resources, "ScalableTarget")
    assert {k: target[k] for k in ("ServiceNamespace", "ScalableDimension", "MinCapacity", "MaxCapacity")} == {
        "ServiceNamespace": "sagemaker",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "MinCapacity": "2",
        "MaxCapacity": "8",
    }
    assert "RoleARN" not in target  # the service-linked role of Application Auto Scaling
    assert resources["ScalableTarget"]["DependsOn"] == ["Endpoint"]
    policy = props(resources, "InvocationsScalingPolicy")
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["ScalingTargetId"] == {"Ref": "ScalableTarget"}
    assert policy["TargetTrackingScalingPolicyConfiguration"] == {
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "TargetValue": "250",
        "ScaleInCooldown": "600",
        "ScaleOutCooldown": "30",
    }


def test_given_scaling_on_then_an_update_keeps_the_scaled_instance_count(deploy: Deploy) -> None:
    """SageMaker allows an update that changes the model of a scaled variant; without retention the update
    would reset the fleet to InitialInstanceCount."""
    endpoint = props(deploy(**SCALING).resources(), "Endpoint")
    assert endpoint["RetainAllVariantProperties"] is True
    # VariantProperty documents DataCaptureConfig as "(Not currently supported.)": only the weight is sent
    assert endpoint["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


def test_managed_instance_scaling_is_never_set_on_the_variant(template: dict[str, Any]) -> None:
    """Defect 8: SageMaker rejects ProductionVariant.ManagedInstanceScaling on a model-based variant."""
    resources = json.dumps(template["Resources"])
    assert "ManagedInstanceScaling" not in resources.replace('{"Ref": "ManagedInstanceScaling"}', "")


# --- rules ---------------------------------------------------------------------------------------------------

BURSTABLE = "ManagedInstanceScaling cannot scale a burstable ml.t* InstanceType: choose another instance type or set "
MIN_ABOVE_MAX = "ScalingMaxInstanceCount is below ScalingMinInstanceCount: raise the maximum or lower the minimum."
START_LIMIT = (
    f"With ManagedInstanceScaling, InitialInstanceCount must be at most {SCALING_START_LIMIT}: start smaller and let "
    "autoscaling add instances."
)
BELOW_MIN = "InitialInstanceCount is below ScalingMinInstanceCount: start with at least the minimum."
ABOVE_MAX = "InitialInstanceCount is above ScalingMaxInstanceCount: start with at most the maximum."


@pytest.mark.parametrize("instance_type", ["ml.t2.medium", "ml.t3.2xlarge"])
def test_given_a_burstable_type_then_scaling_is_rejected(deploy: Deploy, instance_type: str) -> None:
    (failure,) = deploy(**{**SCALING, "InstanceType": instance_type}).failed_rules()
    assert failure.startswith(BURSTABLE)


def test_given_a_burstable_type_without_scaling_then_nothing_fails(deploy: Deploy) -> None:
    assert deploy(**ARN_MODE, InstanceType="ml.t2.medium").failed_rules() == []


COUNTS = range(1, SCALING_START_LIMIT + 3)


@pytest.mark.parametrize("minimum", range(1, SCALING_START_LIMIT + 1))
def test_the_scaling_rules_reject_exactly_the_bad_combinations(deploy: Deploy, minimum: int) -> None:
    """Every (minimum, maximum, initial) with the minimum in range, against arithmetic done here."""
    for maximum, initial in itertools.product(COUNTS, COUNTS):
        expected = []
        if initial > SCALING_START_LIMIT:
            expected.append(START_LIMIT)
        if maximum < minimum:
            expected.append(MIN_ABOVE_MAX)
        if initial < minimum:
            expected.append(BELOW_MIN)
        if initial > maximum and initial <= SCALING_START_LIMIT:
            expected.append(ABOVE_MAX)
        values = {"ScalingMinInstanceCount": str(minimum), "ScalingMaxInstanceCount": str(maximum)}
        failures = deploy(**SCALING, **values, InitialInstanceCount=str(initial)).failed_rules()
        assert failures == expected, (minimum, maximum, initial)


def test_given_scaling_off_then_counts_are_not_compared(deploy: Deploy) -> None:
    values = {"ScalingMinInstanceCount": "5", "ScalingMaxInstanceCount": "2", "InitialInstanceCount": "40"}
    assert deploy(**ARN_MODE, **values).failed_rules() == []


def test_the_scaling_minimum_is_bounded_where_the_rules_can_compare(template: dict[str, Any]) -> None:
    minimum = template["Parameters"]["ScalingMinInstanceCount"]
    assert minimum["ConstraintDescription"] == f"must be a whole number from 0 to {SCALING_START_LIMIT}"  # 0: Async
    assert template["Parameters"]["ScalingMaxInstanceCount"]["ConstraintDescription"].endswith("from 1 to 100")


# --- blue/green with rollback --------------------------------------------------------------------------------


def deployment(deploy: Deploy, **values: str) -> dict[str, Any]:
    return props(deploy(**ARN_MODE, **values).resources(), "Endpoint")["DeploymentConfig"]  # type: ignore[no-any-return]


def test_by_default_an_update_is_blue_green_all_at_once_and_rolls_back_on_both_alarms(deploy: Deploy) -> None:
    assert deployment(deploy) == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": "300"},
            "TerminationWaitInSeconds": "600",
            "MaximumExecutionTimeoutInSeconds": "7200",  # above LINEAR's default waits: 10 x 300 + 600 s
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": {"Ref": "Invocation5xxAlarm"}}, {"AlarmName": {"Ref": "ModelLatencyAlarm"}}]
        },
    }


@pytest.mark.parametrize(("strategy", "size_property"), [("CANARY", "CanarySize"), ("LINEAR", "LinearStepSize")])
def test_canary_and_linear_shift_the_configured_share_of_capacity(
    deploy: Deploy, strategy: str, size_property: str
) -> None:
    routing = deployment(deploy, DeploymentStrategy=strategy, DeploymentTrafficStepPercent="25")[
        "BlueGreenUpdatePolicy"
    ]["TrafficRoutingConfiguration"]
    assert routing == {
        "Type": strategy,
        "WaitIntervalInSeconds": "300",
        size_property: {"Type": "CAPACITY_PERCENT", "Value": "25"},
    }


def test_the_rollback_alarms_watch_5xx_errors_and_p99_latency_with_the_given_thresholds(deploy: Deploy) -> None:
    resources = deploy(
        **ARN_MODE, RollbackMaxInvocation5xxErrors="3", RollbackMaxModelLatencyMicroseconds="250000"
    ).resources()
    common = {"Namespace": "AWS/SageMaker", "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 2}
    errors, latency = props(resources, "Invocation5xxAlarm"), props(resources, "ModelLatencyAlarm")
    assert {k: errors[k] for k in common} == common == {k: latency[k] for k in common}
    assert (errors["MetricName"], errors["Statistic"], errors["Threshold"], errors["ComparisonOperator"]) == (
        "Invocation5XXErrors",
        "Sum",
        "3",
        "GreaterThanOrEqualToThreshold",
    )
    assert (latency["MetricName"], latency["ExtendedStatistic"], latency["Threshold"]) == (
        "ModelLatency",
        "p99",
        "250000",
    )
    assert errors["TreatMissingData"] == latency["TreatMissingData"] == "notBreaching"


# --- updates -------------------------------------------------------------------------------------------------

# A new EndpointConfig: the endpoint moves to it, and the rollback alarms are pointed at its fleet first.
NEW_FLEET = {"Endpoint": "Modify", "Invocation5xxAlarm": "Modify", "ModelLatencyAlarm": "Modify"}


def test_given_a_new_package_arn_then_model_and_config_are_replaced_and_the_endpoint_modified(
    template: dict[str, Any],
) -> None:
    after = {**ARN_MODE, "ModelPackageArn": PACKAGE_ARN.replace("/3", "/4")}
    assert plan(template, ARN_MODE, after) == {"Model": "Replace", "EndpointConfig": "Replace", **NEW_FLEET}


def test_given_a_new_instance_type_then_only_the_config_is_replaced(template: dict[str, Any]) -> None:
    after = {**ARN_MODE, "InstanceType": "ml.c5.2xlarge"}
    assert plan(template, ARN_MODE, after) == {"EndpointConfig": "Replace", **NEW_FLEET}


def test_given_a_new_inference_ami_then_only_the_config_is_replaced_and_the_endpoint_updated_blue_green(
    template: dict[str, Any],
) -> None:
    """ProductionVariants is create-only on AWS::SageMaker::EndpointConfig (cfn-lint's schema): a new AMI is a new
    config, which the Endpoint moves to with its blue/green deployment, as for a new instance type."""
    before = {**ARN_MODE, "InstanceType": "ml.g5.xlarge"}
    after = {**before, "InferenceAmiVersion": "al2023-ami-sagemaker-inference-gpu-4-1"}
    assert plan(template, before, after) == {"EndpointConfig": "Replace", **NEW_FLEET}


def test_given_a_tag_change_then_nothing_is_replaced(template: dict[str, Any]) -> None:
    before = {**GROUP_MODE, "SageMakerProjectName": "churn"}
    actions = plan(template, before, {**before, "SageMakerProjectName": "churn-v2"})
    assert "Replace" not in actions.values()
    assert actions["Endpoint"] == actions["Model"] == "Modify"


def test_given_a_new_token_and_the_same_newest_package_then_no_sagemaker_resource_changes(
    template: dict[str, Any],
) -> None:
    after = {**GROUP_MODE, "PackageResolutionToken": "build-42"}
    assert plan(template, GROUP_MODE, after) == {"LatestApprovedModelPackage": "Modify"}


def test_given_a_new_token_and_a_newer_approved_package_then_model_and_config_are_replaced_endpoint_modified(
    template: dict[str, Any],
) -> None:
    after = {**GROUP_MODE, "PackageResolutionToken": "build-43"}
    newer = frozenset({("LatestApprovedModelPackage", "ModelPackageArn")})
    assert plan(template, GROUP_MODE, after, changed_attributes=newer) == {
        "LatestApprovedModelPackage": "Modify",
        "Model": "Replace",
        "EndpointConfig": "Replace",
        **NEW_FLEET,
    }


def test_given_scaling_on_then_a_new_package_does_not_touch_the_scalable_target(template: dict[str, Any]) -> None:
    after = {**SCALING, "ModelPackageArn": PACKAGE_ARN.replace("/3", "/4")}
    assert plan(template, SCALING, after) == {"Model": "Replace", "EndpointConfig": "Replace", **NEW_FLEET}
