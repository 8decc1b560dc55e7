"""Autoscaling of the production variant with Application Auto Scaling, only when ManagedInstanceScaling is true.

`ProductionVariant.ManagedInstanceScaling` is for inference-component endpoints: SageMaker rejects it on a
model-based variant like ours. What scales a model-based variant is a scalable target on
`endpoint/<name>/variant/<variant>` with a target-tracking policy on invocations per instance.
"""

from __future__ import annotations

from troposphere import Ref, Sub
from troposphere.applicationautoscaling import (
    PredefinedMetricSpecification,
    ScalableTarget,
    ScalingPolicy,
    TargetTrackingScalingPolicyConfiguration,
)
from troposphere.sagemaker import Endpoint

from generator.endpoint.context import EndpointStack

SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
METRIC = "SageMakerVariantInvocationsPerInstance"


def add_autoscaling(stack: EndpointStack, endpoint: Endpoint) -> ScalableTarget:
    params, scaling = stack.params, stack.conditions.scaling_enabled
    target = stack.template.add_resource(
        ScalableTarget(
            "ScalableTarget",
            Condition=scaling,
            DependsOn=[endpoint],  # registration needs the endpoint; its name is known before it exists
            ServiceNamespace="sagemaker",
            ScalableDimension=SCALABLE_DIMENSION,
            ResourceId=Sub(
                "endpoint/${Name}/variant/${Variant}", Name=stack.endpoint_name, Variant=Ref(params.variant_name)
            ),
            MinCapacity=Ref(params.scaling_min_instance_count),
            MaxCapacity=Ref(params.scaling_max_instance_count),
            Tags=stack.tags,
        )
    )
    stack.template.add_resource(
        ScalingPolicy(
            "InvocationsScalingPolicy",
            Condition=scaling,
            PolicyName=Sub("${AWS::StackName}-invocations-per-instance"),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=TargetTrackingScalingPolicyConfiguration(
                PredefinedMetricSpecification=PredefinedMetricSpecification(PredefinedMetricType=METRIC),
                TargetValue=Ref(params.scaling_target_invocations_per_instance),
                ScaleInCooldown=Ref(params.scaling_scale_in_cooldown_seconds),
                ScaleOutCooldown=Ref(params.scaling_scale_out_cooldown_seconds),
            ),
        )
    )
    return target
