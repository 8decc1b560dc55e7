"""Serverless inference (EndpointType Serverless): no instances and no VPC; SageMaker runs the model on demand.

The variant has a ServerlessConfig instead of an instance type and count. What SageMaker's serverless docs list
as unsupported (VPC configuration, network isolation, data capture, GPUs, multiple variants, Marketplace
packages) is absent from the stack, and the template's Rules refuse it in input (rules.py). Provisioned
concurrency can autoscale (Application Auto Scaling on DesiredProvisionedConcurrency, target tracking on
SageMakerVariantProvisionedConcurrencyUtilization: "Automatically scale Provisioned Concurrency for a serverless
endpoint", SageMaker Developer Guide), from ServerlessProvisionedConcurrency up to ServerlessMaxConcurrency.
"""

from __future__ import annotations

from troposphere import GetAtt, If, Not, NoValue, Ref
from troposphere.sagemaker import Model, ProductionVariant, ServerlessConfig

from generator.cfn.conditions import is_empty
from generator.endpoint.context import EndpointStack, add_condition

SCALABLE_DIMENSION = "sagemaker:variant:DesiredProvisionedConcurrency"
METRIC = "SageMakerVariantProvisionedConcurrencyUtilization"
TARGET_UTILIZATION = 0.5  # the guide's example: scale out when half the provisioned concurrency is in use


def serverless_variant(stack: EndpointStack, model: Model) -> ProductionVariant:
    params = stack.params
    provisioned = add_condition(
        stack, "HasProvisionedConcurrency", Not(is_empty(params.serverless_provisioned_concurrency))
    )
    return ProductionVariant(
        ModelName=GetAtt(model, "ModelName"),
        VariantName=Ref(params.variant_name),
        ServerlessConfig=ServerlessConfig(
            MemorySizeInMB=Ref(params.serverless_memory_size_in_mb),
            MaxConcurrency=Ref(params.serverless_max_concurrency),
            ProvisionedConcurrency=If(provisioned, Ref(params.serverless_provisioned_concurrency), NoValue),
        ),
    )
