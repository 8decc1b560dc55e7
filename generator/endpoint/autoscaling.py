"""Autoscaling of the production variant with Application Auto Scaling, only when ManagedInstanceScaling is true.

`ProductionVariant.ManagedInstanceScaling` is for inference-component endpoints: SageMaker rejects it on a
model-based variant like ours. What scales a model-based variant is a scalable target on
`endpoint/<name>/variant/<variant>` with a policy per endpoint type:
- RealTime: target tracking on invocations per instance.
- Async: target tracking on ApproximateBacklogSizePerInstance, and a step policy on the HasBacklogWithoutCapacity
  alarm that adds an instance when requests wait and none runs: with a minimum of 0 the backlog per instance is
  undefined, so target tracking alone never scales out from zero (SageMaker Developer Guide, "Autoscale an
  asynchronous endpoint").
- Serverless: the provisioned concurrency, between ServerlessProvisionedConcurrency and ServerlessMaxConcurrency,
  on its utilization (serverless.py).
"""

from __future__ import annotations

from troposphere import And, Condition, If, Ref, Sub
from troposphere.applicationautoscaling import (
    CustomizedMetricSpecification,
    MetricDimension,
    PredefinedMetricSpecification,
    ScalableTarget,
    ScalingPolicy,
    StepAdjustment,
    StepScalingPolicyConfiguration,
    TargetTrackingScalingPolicyConfiguration,
)
from troposphere.cloudwatch import Alarm
from troposphere.cloudwatch import MetricDimension as AlarmDimension
from troposphere.sagemaker import Endpoint

from generator.endpoint import serverless
from generator.endpoint.context import EndpointStack, add_condition

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"
BACKLOG_METRIC, NO_CAPACITY_METRIC = "ApproximateBacklogSizePerInstance", "HasBacklogWithoutCapacity"
NAMESPACE = "AWS/SageMaker"


def add_autoscaling(stack: EndpointStack, endpoint: Endpoint) -> ScalableTarget:
    params, scaling, is_serverless = stack.params, stack.conditions.scaling_enabled, stack.conditions.serverless
    target = stack.template.add_resource(
        ScalableTarget(
            "ScalableTarget",
            Condition=scaling,
            DependsOn=[endpoint],  # registration needs the endpoint; its name is known before it exists
            ServiceNamespace="sagemaker",
            ScalableDimension=If(is_serverless, serverless.SCALABLE_DIMENSION, SCALABLE_DIMENSION),
            ResourceId=Sub(
                "endpoint/${Name}/variant/${Variant}", Name=stack.endpoint_name, Variant=Ref(params.variant_name)
            ),
            MinCapacity=If(
                is_serverless, Ref(params.serverless_provisioned_concurrency), Ref(params.scaling_min_instance_count)
            ),
            MaxCapacity=If(
                is_serverless, Ref(params.serverless_max_concurrency), Ref(params.scaling_max_instance_count)
            ),
            Tags=stack.tags,
        )
    )
    _add_tracking_policy(
        stack,
        "InvocationsScalingPolicy",
        add_condition(
            stack, "ScalesInstancesOnInvocations", And(Condition(scaling), Condition(stack.conditions.real_time))
        ),
        target,
        "invocations-per-instance",
        metric=PredefinedMetricSpecification(PredefinedMetricType=METRIC),
        value=Ref(params.scaling_target_invocations_per_instance),
    )
    _add_async_policies(stack, target)
    _add_tracking_policy(
        stack,
        "ProvisionedConcurrencyScalingPolicy",
        add_condition(stack, "ScalesProvisionedConcurrency", And(Condition(scaling), Condition(is_serverless))),
        target,
        "provisioned-concurrency",
        metric=PredefinedMetricSpecification(PredefinedMetricType=serverless.METRIC),
        value=serverless.TARGET_UTILIZATION,
    )
    return target


def _add_tracking_policy(
    stack: EndpointStack,
    title: str,
    condition: str,
    target: ScalableTarget,
    name: str,
    *,
    metric: PredefinedMetricSpecification | CustomizedMetricSpecification,
    value: object,
) -> ScalingPolicy:
    params = stack.params
    kind = type(metric).__name__  # the configuration's property is named after the metric's type
    return stack.template.add_resource(
        ScalingPolicy(
            title,
            Condition=condition,
            PolicyName=Sub(f"${{AWS::StackName}}-{name}"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=TargetTrackingScalingPolicyConfiguration(
                **{kind: metric},
                TargetValue=value,
                ScaleInCooldown=Ref(params.scaling_scale_in_cooldown_seconds),
                ScaleOutCooldown=Ref(params.scaling_scale_out_cooldown_seconds),
            ),
        )
    )


def _add_async_policies(stack: EndpointStack, target: ScalableTarget) -> None:
    """Track the queue per instance; add an instance whenever requests wait with none running."""
    params = stack.params
    scales_async = add_condition(
        stack,
        "ScalesAsyncBacklog",
        And(Condition(stack.conditions.scaling_enabled), Condition(stack.conditions.asynchronous)),
    )
    backlog = CustomizedMetricSpecification(
        MetricName=BACKLOG_METRIC,
        Namespace=NAMESPACE,
        Dimensions=[MetricDimension(Name="EndpointName", Value=stack.endpoint_name)],
        Statistic="Average",
    )
    _add_tracking_policy(
        stack, "BacklogScalingPolicy", scales_async, target, "backlog-per-instance",
        metric=backlog, value=Ref(params.scaling_target_backlog_per_instance),
    )  # fmt: skip
    from_zero = stack.template.add_resource(
        ScalingPolicy(
            "ScaleOutFromZeroPolicy",
            Condition=scales_async,
            PolicyName=Sub("${AWS::StackName}-scale-out-from-zero"),
            PolicyType="StepScaling",
            ScalingTargetId=Ref(target),
            StepScalingPolicyConfiguration=StepScalingPolicyConfiguration(
                AdjustmentType="ChangeInCapacity",
                MetricAggregationType="Average",
                Cooldown=Ref(params.scaling_scale_out_cooldown_seconds),
                StepAdjustments=[StepAdjustment(MetricIntervalLowerBound=0, ScalingAdjustment=1)],
            ),
        )
    )
    stack.template.add_resource(
        Alarm(
            "BacklogWithoutCapacityAlarm",
            Condition=scales_async,
            AlarmDescription=Sub("Requests wait with no instance (stack ${AWS::StackName}): adds an instance"),
            Namespace=NAMESPACE,
            MetricName=NO_CAPACITY_METRIC,
            Dimensions=[AlarmDimension(Name="EndpointName", Value=stack.endpoint_name)],
            Statistic="Average",
            Period=60,
            EvaluationPeriods=2,
            DatapointsToAlarm=2,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="missing",
            AlarmActions=[Ref(from_zero)],
            Tags=stack.tags,
        )
    )
