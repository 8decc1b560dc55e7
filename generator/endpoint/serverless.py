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
# Rules cannot compare numbers: "provisioned <= maximum" is decided decade by decade (see `_above_maximum`).
DECADE = 10

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
    """True when ServerlessProvisionedConcurrency > ServerlessMaxConcurrency, for every value 1-200 of each.

    Rules have no numeric comparison (Fn::Contains, Fn::Equals and logic only), and enumerating every pair would
    take 20,000 strings. So the maximum's decade is found first (1-9, 10-19, ..., 200), then the provisioned
    concurrency is above it when it lies past the decade's last value, or within the decade past the maximum.
    Each whole number has one spelling (the inputs' patterns), so membership is exact."""
    values = range(1, MAX_CONCURRENCY + 1)
    decades = [[v for v in values if v // DECADE == d] for d in range(MAX_CONCURRENCY // DECADE + 1)]
    decades = [decade for decade in decades if decade[0] < MAX_CONCURRENCY]  # nothing is above the top
    return And(Not(is_empty(PROVISIONED)), any_of([_above_a_maximum_in(decade) for decade in decades]))


def _above_a_maximum_in(decade: list[int]) -> AWSHelperFn:
    """The maximum is in `decade`, and the provisioned concurrency above it."""
    last = decade[-1]
    within = [
        And(Equals(MAXIMUM.ref(), str(v)), Contains([str(n) for n in range(v + 1, last + 1)], PROVISIONED.ref()))
        for v in decade[:-1]
    ]
    beyond = [_at_least(last + 1)] if last < MAX_CONCURRENCY else []
    return And(Contains([str(v) for v in decade], MAXIMUM.ref()), any_of([*beyond, *within]))


def _at_least(lowest: int) -> AWSHelperFn:
    """A non-empty provisioned concurrency (1-200) of at least `lowest`, by the shorter of the two lists."""
    if lowest - 1 < MAX_CONCURRENCY - lowest + 1:
        return Not(Contains([str(n) for n in range(1, lowest)], PROVISIONED.ref()))
    return Contains([str(n) for n in range(lowest, MAX_CONCURRENCY + 1)], PROVISIONED.ref())


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
