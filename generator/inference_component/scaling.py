"""The component's copies: how many at creation, Application Auto Scaling between a minimum and a maximum on a
per-copy metric, and scale to zero copies.

- Created with 1 copy or more: "Inference components copy count an integer larger than 0" is SageMaker's answer to a
  component created with 0 (https://github.com/stdapi-ai/stdapi.ai/issues/43), although the API's minimum is 0; zero
  copies come from autoscaling afterwards, which AWS documents ("Register the inference component as a scalable
  target. When you register it, set the minimum capacity to 0": SageMaker Developer Guide, "Scale an endpoint to
  zero instances").
- The scalable target is `inference-component/<name>` on `sagemaker:inference-component:DesiredCopyCount`
  (Application Auto Scaling API Reference, RegisterScalableTarget), registered once the component exists (DependsOn).
- Target tracking on one of the two predefined per-copy metrics (PredefinedMetricSpecification):
  SageMakerInferenceComponentInvocationsPerCopy or SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution.
- From zero copies target tracking cannot scale out ("you must use step scaling if you want to enable an endpoint to
  scale out from zero active instances": Developer Guide, "Autoscaling policy"): with a minimum of 0, a step policy
  adds a copy when the NoCapacityInvocationFailures alarm fires, as the Developer Guide's recipe does
  (ChangeInCapacity, Maximum, Cooldown 60, one step from 0 adding 1). Its alarm differs in one point, on the safe
  side: GreaterThanOrEqualToThreshold 1 instead of the page's GreaterThanThreshold 1, which needs two failed requests
  in a minute; AWS's launch post uses GreaterThanOrEqualToThreshold.
"""

from __future__ import annotations

from troposphere import Equals, Not, Ref, Sub
from troposphere.applicationautoscaling import (
    PredefinedMetricSpecification,
    ScalableTarget,
    ScalingPolicy,
    TargetTrackingScalingPolicyConfiguration,
)
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.sagemaker import InferenceComponent

from custom_resource.contract import ComponentLogicalIds
from generator.cfn.inputs import Input, choice, whole_number
from generator.endpoint.autoscaling import (
    SCALE_IN_COOLDOWN,
    SCALE_OUT_COOLDOWN,
    add_scale_out_from_zero_policy,
    assertion,
    less_than,
)
from generator.endpoint.context import add_condition
from generator.inference_component.context import ComponentStack

SCALABLE_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
METRICS = (
    "SageMakerInferenceComponentInvocationsPerCopy",
    "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
)
NO_CAPACITY_METRIC = "NoCapacityInvocationFailures"
NO_CAPACITY_ALARM = ComponentLogicalIds.NO_CAPACITY_ALARM  # a scaling trigger: names.SCALING_TRIGGER_ALARMS
COPIES_LIMIT = 10  # the Rules enumerate the pairs they refuse: the minimum and the initial count up to this

COPY_COUNT = Input(
    "CopyCount",
    "Copies at creation",
    "Copies of the model when the component is created, 1 or more: SageMaker refuses to create one with none (set "
    "ScalingMinCopyCount to 0 to scale to zero afterwards).",
    whole_number(1, COPIES_LIMIT),
    default="1",
)
MIN_COPIES = Input(
    "ScalingMinCopyCount",
    "Minimum copies",
    "Fewest copies autoscaling keeps; 0 scales the component to zero while idle, and its first request after that "
    "fails while a copy starts (minutes).",
    whole_number(0, COPIES_LIMIT),
    default="1",
)
MAX_COPIES = Input(
    "ScalingMaxCopyCount",
    "Maximum copies",
    "Most copies autoscaling adds; the shared endpoint adds instances for them up to its own maximum.",
    whole_number(1, 100),
    default="4",
)
METRIC = Input(
    "ScalingMetric",
    "Scaling metric",
    "Per-copy metric autoscaling tracks: invocations per copy per minute, or concurrent requests per copy (high "
    "resolution, faster to scale out).",
    choice(*METRICS),
    default=METRICS[0],
)
TARGET = Input(
    "ScalingTargetPerCopy",
    "Target per copy",
    "Value of ScalingMetric autoscaling keeps each copy at.",
    whole_number(1, 100000),
    default="70",
)
INPUTS = (COPY_COUNT, MIN_COPIES, MAX_COPIES, METRIC, TARGET, SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN)


def _add_copies_rule(stack: ComponentStack) -> None:
    """Minimum <= copies at creation <= maximum."""
    orders = [
        (MIN_COPIES, MAX_COPIES, "ScalingMaxCopyCount is below ScalingMinCopyCount: raise the maximum or lower the "
         "minimum."),
        (MIN_COPIES, COPY_COUNT, "CopyCount is below ScalingMinCopyCount: start with at least the minimum."),
        (COPY_COUNT, MAX_COPIES, "CopyCount is above ScalingMaxCopyCount: start with at most the maximum."),
    ]  # fmt: skip
    stack.template.add_rule(
        "CopyScalingFitsTheComponent",
        {"Assertions": [assertion(Not(less_than(upper, lower)), text) for lower, upper, text in orders]},
    )


def add_copy_scaling(stack: ComponentStack, component: InferenceComponent) -> ScalableTarget:
    _add_copies_rule(stack)
    target = stack.template.add_resource(
        ScalableTarget(
            "ScalableTarget",
            DependsOn=[component],
            ServiceNamespace="sagemaker",
            ScalableDimension=SCALABLE_DIMENSION,
            ResourceId=Sub("inference-component/${Name}", Name=stack.component_name),
            MinCapacity=MIN_COPIES.ref(),
            MaxCapacity=MAX_COPIES.ref(),
            Tags=stack.tags,
        )
    )
    stack.template.add_resource(
        ScalingPolicy(
            "CopiesScalingPolicy",
            PolicyName=Sub("${AWS::StackName}-copies"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=TargetTrackingScalingPolicyConfiguration(
                PredefinedMetricSpecification=PredefinedMetricSpecification(PredefinedMetricType=METRIC.ref()),
                TargetValue=TARGET.ref(),
                ScaleInCooldown=SCALE_IN_COOLDOWN.ref(),
                ScaleOutCooldown=SCALE_OUT_COOLDOWN.ref(),
            ),
        )
    )
    _add_scale_out_from_zero(stack, target)
    return target


def _add_scale_out_from_zero(stack: ComponentStack, target: ScalableTarget) -> None:
    """With a minimum of 0: a copy more whenever a request found none."""
    to_zero = add_condition(stack, "ScalesToZero", Equals(MIN_COPIES.ref(), "0"))
    policy = add_scale_out_from_zero_policy(stack, to_zero, target, aggregation="Maximum", cooldown=60)
    stack.template.add_resource(
        Alarm(
            NO_CAPACITY_ALARM,
            Condition=to_zero,
            AlarmDescription=Sub("A request found no copy of the component of stack ${AWS::StackName}: adds a copy"),
            Namespace="AWS/SageMaker",
            MetricName=NO_CAPACITY_METRIC,
            Dimensions=[MetricDimension(Name="InferenceComponentName", Value=stack.component_name)],
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            DatapointsToAlarm=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",  # no failed request: back to OK, so the policy adds no copy more
            AlarmActions=[Ref(policy)],
            Tags=stack.tags,
        )
    )
