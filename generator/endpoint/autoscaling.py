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

from troposphere import And, AWSHelperFn, Condition, Equals, If, Not, Or, Ref, Sub
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

from custom_resource.contract import LogicalIds
from generator.cfn.conditions import any_of, is_empty
from generator.cfn.inputs import Contains, Input, choice, whole_number
from generator.common.scaling_order import INITIAL, MAXIMUM, MINIMUM, SCALING_ORDER
from generator.endpoint import serverless
from generator.endpoint.context import EndpointStack, Stack, add_condition
from generator.endpoint.types import ASYNC, ENDPOINT_TYPE, REAL_TIME, SERVERLESS, WITH_INSTANCES
from generator.endpoint.variant import INITIAL_INSTANCE_COUNT, INSTANCE_TYPE, VARIANT_NAME

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"
BACKLOG_METRIC, NO_CAPACITY_METRIC = "ApproximateBacklogSizePerInstance", "HasBacklogWithoutCapacity"
NAMESPACE = "AWS/SageMaker"
# CloudFormation Rules cannot compare numbers, so the scaling Rules list the pairs they reject; this bounds
# the list: with autoscaling on, the minimum and the initial instance count are at most 10.
SCALING_START_LIMIT = 10
# SageMaker's burstable hosting types: Application Auto Scaling cannot scale them.
BURSTABLE_INSTANCE_TYPES = [
    f"ml.{family}.{size}" for family in ("t2", "t3") for size in ("medium", "large", "xlarge", "2xlarge")
]

SCALING = Input(
    "ManagedInstanceScaling",
    "Autoscaling",
    "Scale the variant's instance count on invocations per instance (Application Auto Scaling). Not for burstable "
    "ml.t* types.",
    choice("true", "false"),
    default="false",
    seed_name="managed-instance-scaling",
)
MIN_INSTANCES = Input(
    "ScalingMinInstanceCount",
    "Minimum instances",
    "Fewest instances when autoscaling; 0 (Async only) scales to zero while nothing is queued. "
    "InitialInstanceCount must lie between minimum and maximum.",
    whole_number(0, SCALING_START_LIMIT),
    default="1",
    endpoint_types=WITH_INSTANCES,
    seed_name="scaling-min-instance-count",
)
MAX_INSTANCES = Input(
    "ScalingMaxInstanceCount",
    "Maximum instances",
    "Most instances when autoscaling.",
    whole_number(1, 100),
    default="10",
    endpoint_types=WITH_INSTANCES,
    seed_name="scaling-max-instance-count",
)
TARGET_INVOCATIONS = Input(
    "ScalingTargetInvocationsPerInstance",
    "Invocations per instance",
    "Target of SageMakerVariantInvocationsPerInstance (invocations per instance per minute); RealTime.",
    whole_number(1, 100000),
    default="70",
    endpoint_types=(REAL_TIME,),
)
TARGET_BACKLOG = Input(
    "ScalingTargetBacklogPerInstance",
    "Queued requests per instance",
    "Target of ApproximateBacklogSizePerInstance (requests queued per instance); Async.",
    whole_number(1, 100000),
    default="5",
    endpoint_types=(ASYNC,),
)
SCALE_IN_COOLDOWN = Input(
    "ScalingScaleInCooldownSeconds",
    "Scale-in cooldown",
    "Seconds to wait after a scale-in.",
    whole_number(0, 3600),
    default="300",
)
SCALE_OUT_COOLDOWN = Input(
    "ScalingScaleOutCooldownSeconds",
    "Scale-out cooldown",
    "Seconds to wait after a scale-out.",
    whole_number(0, 3600),
    default="60",
)
INPUTS = (
    SCALING, MIN_INSTANCES, MAX_INSTANCES, TARGET_INVOCATIONS, TARGET_BACKLOG, SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN,
)  # fmt: skip


def _add_scaling_rule(stack: EndpointStack) -> None:
    """With autoscaling on: a scalable type, minimum <= maximum, and InitialInstanceCount between them; 0 only for
    Async; a serverless endpoint scales its provisioned concurrency, so needs one.

    Rules have no numeric comparison, so "x < y" is spelled out as the pairs it covers; y is at most
    SCALING_START_LIMIT (a parameter bound, or the first assertion for InitialInstanceCount)."""
    by_name = {MINIMUM: MIN_INSTANCES, MAXIMUM: MAX_INSTANCES, INITIAL: INITIAL_INSTANCE_COUNT}
    stack.template.add_rule(
        "ScalingFitsTheEndpoint",
        {
            # on instance counts, which a serverless endpoint leaves at their defaults: they hold for it too
            "RuleCondition": Equals(SCALING.ref(), "true"),
            "Assertions": [
                assertion(
                    Or(Not(Equals(MIN_INSTANCES.ref(), "0")), Equals(ENDPOINT_TYPE.ref(), ASYNC)),
                    "ScalingMinInstanceCount 0 (scale to zero) is for EndpointType Async, whose requests wait in a "
                    "queue: a RealTime endpoint needs an instance to answer. Set it to 1 or more.",
                ),
                assertion(
                    Not(Contains(BURSTABLE_INSTANCE_TYPES, INSTANCE_TYPE.ref())),
                    "ManagedInstanceScaling cannot scale a burstable ml.t* InstanceType: choose another instance "
                    "type or set ManagedInstanceScaling to false.",
                ),
                assertion(
                    Or(Not(Equals(ENDPOINT_TYPE.ref(), SERVERLESS)), Not(is_empty(serverless.PROVISIONED))),
                    "With EndpointType Serverless, ManagedInstanceScaling scales provisioned concurrency: set "
                    "ServerlessProvisionedConcurrency (its floor), or set ManagedInstanceScaling to false.",
                ),
                assertion(
                    Contains(counts(1, SCALING_START_LIMIT), INITIAL_INSTANCE_COUNT.ref()),
                    f"With ManagedInstanceScaling, InitialInstanceCount must be at most {SCALING_START_LIMIT}: start "
                    "smaller and let autoscaling add instances.",
                ),
                *(
                    assertion(Not(less_than(by_name[order.upper], by_name[order.lower])), order.description)
                    for order in SCALING_ORDER
                ),
            ],
        },
    )


def assertion(condition: AWSHelperFn, description: str) -> dict[str, object]:
    return {"Assert": condition, "AssertDescription": description}


def less_than(smaller: Input, larger: Input) -> AWSHelperFn:
    """True when smaller < larger, for larger from 2 to SCALING_START_LIMIT."""
    return any_of(
        [
            And(Equals(larger.ref(), str(value)), Contains(counts(0, value - 1), smaller.ref()))
            for value in range(2, SCALING_START_LIMIT + 1)
        ]
    )


def counts(first: int, last: int) -> list[str]:
    return [str(count) for count in range(first, last + 1)]


def add_autoscaling(stack: EndpointStack, endpoint: Endpoint) -> ScalableTarget:
    _add_scaling_rule(stack)
    scaling, is_serverless = stack.conditions.scaling_enabled, stack.conditions.serverless
    target = stack.template.add_resource(
        ScalableTarget(
            "ScalableTarget",
            Condition=scaling,
            DependsOn=[endpoint],  # registration needs the endpoint; its name is known before it exists
            ServiceNamespace="sagemaker",
            ScalableDimension=If(is_serverless, serverless.SCALABLE_DIMENSION, SCALABLE_DIMENSION),
            ResourceId=Sub("endpoint/${Name}/variant/${Variant}", Name=stack.endpoint_name, Variant=VARIANT_NAME.ref()),
            MinCapacity=If(is_serverless, serverless.PROVISIONED.ref(), MIN_INSTANCES.ref()),
            MaxCapacity=If(is_serverless, serverless.MAXIMUM.ref(), MAX_INSTANCES.ref()),
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
        value=TARGET_INVOCATIONS.ref(),
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
                ScaleInCooldown=SCALE_IN_COOLDOWN.ref(),
                ScaleOutCooldown=SCALE_OUT_COOLDOWN.ref(),
            ),
        )
    )


def _add_async_policies(stack: EndpointStack, target: ScalableTarget) -> None:
    """Track the queue per instance; add an instance whenever requests wait with none running."""
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
        metric=backlog, value=TARGET_BACKLOG.ref(),
    )  # fmt: skip
    from_zero = add_scale_out_from_zero_policy(
        stack, scales_async, target, aggregation="Average", cooldown=SCALE_OUT_COOLDOWN.ref()
    )
    stack.template.add_resource(
        Alarm(
            LogicalIds.BACKLOG_WITHOUT_CAPACITY_ALARM,
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


def add_scale_out_from_zero_policy(
    stack: Stack, condition: str, target: ScalableTarget, *, aggregation: str, cooldown: object
) -> ScalingPolicy:
    """One more unit (instance or copy) each time its alarm fires: target tracking cannot scale out from zero, as
    there is no load per unit to track."""
    return stack.template.add_resource(
        ScalingPolicy(
            "ScaleOutFromZeroPolicy",
            Condition=condition,
            PolicyName=Sub("${AWS::StackName}-scale-out-from-zero"),
            PolicyType="StepScaling",
            ScalingTargetId=Ref(target),
            StepScalingPolicyConfiguration=StepScalingPolicyConfiguration(
                AdjustmentType="ChangeInCapacity",
                MetricAggregationType=aggregation,
                Cooldown=cooldown,
                StepAdjustments=[StepAdjustment(MetricIntervalLowerBound=0, ScalingAdjustment=1)],
            ),
        )
    )
