"""Serverless inference (EndpointType Serverless): no instances and no VPC; SageMaker runs the model on demand.

The variant has a ServerlessConfig instead of an instance type and count. What SageMaker's serverless docs list
as unsupported (VPC configuration, network isolation, data capture, GPUs, multiple variants, Marketplace
packages) is absent from the stack, and the template's Rules refuse it in input: the settings of the other types by
the Rule their declarations derive, and here what a serverless endpoint must say itself (no network isolation) and
the provisioned concurrency within the maximum. Provisioned concurrency can autoscale (Application Auto Scaling on
DesiredProvisionedConcurrency, target tracking on SageMakerVariantProvisionedConcurrencyUtilization: "Automatically
scale Provisioned Concurrency for a serverless endpoint", SageMaker Developer Guide), from
ServerlessProvisionedConcurrency up to ServerlessMaxConcurrency.
"""

from __future__ import annotations

from troposphere import And, AWSHelperFn, Equals, GetAtt, If, Not, NoValue
from troposphere.sagemaker import Model, ProductionVariant, ServerlessConfig

from generator.cfn.conditions import any_of, is_empty
from generator.cfn.inputs import Contains, Input, choice, whole_number
from generator.common.scaling_order import SERVERLESS_ORDER
from generator.endpoint.context import EndpointStack, add_condition
from generator.endpoint.model import NETWORK_ISOLATION
from generator.endpoint.types import ENDPOINT_TYPE, SERVERLESS
from generator.endpoint.variant import VARIANT_NAME

SCALABLE_DIMENSION = "sagemaker:variant:DesiredProvisionedConcurrency"
METRIC = "SageMakerVariantProvisionedConcurrencyUtilization"
TARGET_UTILIZATION = 0.5  # the guide's example: scale out when half the provisioned concurrency is in use
MEMORY_SIZES = range(1024, 6145, 1024)  # ServerlessConfig.MemorySizeInMB: 1 GB steps
MAX_CONCURRENCY = 200
# Rules cannot compare numbers: "provisioned <= maximum" is enumerated for maxima up to this, and the deploy client
# checks every value exactly.
RULE_LIMIT = 20

MEMORY = Input(
    "ServerlessMemorySizeInMB",
    "Memory (MB)",
    "Memory of each serverless compute, 1024 to 6144 MB in 1 GB steps.",
    choice(*(str(size) for size in MEMORY_SIZES)),
    default="2048",
    endpoint_types=(SERVERLESS,),
)
MAXIMUM = Input(
    "ServerlessMaxConcurrency",
    "Maximum concurrency",
    "Most requests the endpoint serves at once (1 to 200).",
    whole_number(1, MAX_CONCURRENCY),
    default="20",
    endpoint_types=(SERVERLESS,),
)
PROVISIONED = Input(
    "ServerlessProvisionedConcurrency",
    "Provisioned concurrency",
    "Requests kept warm, at most ServerlessMaxConcurrency; empty: none (on demand only). With "
    "ManagedInstanceScaling, the floor of its autoscaling.",
    whole_number(1, MAX_CONCURRENCY, optional_value=True),
    endpoint_types=(SERVERLESS,),
)
INPUTS = (MEMORY, MAXIMUM, PROVISIONED)


def _add_serverless_rule(stack: EndpointStack) -> None:
    stack.template.add_rule(
        "ServerlessSupportsNoneOfThese",
        {
            "RuleCondition": Equals(ENDPOINT_TYPE.ref(), SERVERLESS),
            "Assertions": [
                {
                    "Assert": Equals(NETWORK_ISOLATION.ref(), "false"),
                    "AssertDescription": "Serverless endpoints do not support network isolation: set "
                    "EnableNetworkIsolation to false to accept that, or choose EndpointType RealTime.",
                },
                {"Assert": Not(_above_maximum()), "AssertDescription": SERVERLESS_ORDER.description},
            ],
        },
    )


def _above_maximum() -> AWSHelperFn:
    """True when ServerlessProvisionedConcurrency > ServerlessMaxConcurrency, for maxima up to RULE_LIMIT."""
    return any_of(
        [
            And(
                Equals(MAXIMUM.ref(), str(value)),
                Not(is_empty(PROVISIONED)),
                Not(Contains([str(n) for n in range(1, value + 1)], PROVISIONED.ref())),
            )
            for value in range(1, RULE_LIMIT + 1)
        ]
    )


def serverless_variant(stack: EndpointStack, model: Model) -> ProductionVariant:
    _add_serverless_rule(stack)
    provisioned = add_condition(stack, "HasProvisionedConcurrency", Not(is_empty(PROVISIONED)))
    return ProductionVariant(
        ModelName=GetAtt(model, "ModelName"),
        VariantName=VARIANT_NAME.ref(),
        ServerlessConfig=ServerlessConfig(
            MemorySizeInMB=MEMORY.ref(),
            MaxConcurrency=MAXIMUM.ref(),
            ProvisionedConcurrency=If(provisioned, PROVISIONED.ref(), NoValue),
        ),
    )
