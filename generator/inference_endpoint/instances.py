"""The shared endpoint's one production variant: instances with no model, which SageMaker's managed instance scaling
keeps between a minimum and a maximum while the components' copies come and go.

- No ModelName: "Inference Components are not supported in this Endpoint. Please make sure this endpoint can deploy
  inference components" is SageMaker's answer to a component on a variant with a model (terraform-provider-aws #40644);
  ModelName is optional in the API (ProductionVariant: VariantName is its only required member).
- ManagedInstanceScaling ENABLED, MinInstanceCount 0 to 10 (the API's minimum is 0: "The minimum number of instances
  that the endpoint must retain when it scales down to accommodate a decrease in traffic"), MaxInstanceCount 1 to 100.
- Instances scale to zero only with MinInstanceCount 0 ("In the endpoint configuration, for the production variant
  ManagedInstanceScaling object, you've set the MinInstanceCount parameter to 0": SageMaker Developer Guide, "Scale
  an endpoint to zero instances"). AWS lists no Region where that works or not; eu-west-3 refused it ("Min instance
  count needs to be greater than 0 for enabled managed instance scaling") where us-east-1 accepted the same call
  (https://github.com/stdapi-ai/stdapi.ai/issues/43). AWS being silent, 0 is refused outside the Regions where it has
  been seen accepted (SCALE_TO_ZERO_REGIONS).
- RoutingConfig: LEAST_OUTSTANDING_REQUESTS or RANDOM, the two strategies the CloudFormation schema and the API share
  that need no other setting (PREFIX_AWARE needs PrefixAwareRoutingConfig; KV_AWARE is the API's only).
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import And, Condition, Equals, If, Not, NoValue, Ref
from troposphere.sagemaker import ManagedInstanceScaling, ProductionVariant, RoutingConfig

from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Contains, Input, choice, whole_number
from generator.common.scaling_order import SCALING_ORDER
from generator.endpoint import variant
from generator.endpoint.autoscaling import assertion, less_than
from generator.endpoint.context import HostingStack, add_condition

# Where MinInstanceCount 0 has been seen accepted (the field report above); a Region joins once seen accepted.
SCALE_TO_ZERO_REGIONS = ("us-east-1",)
ROUTING_STRATEGIES = ("LEAST_OUTSTANDING_REQUESTS", "RANDOM")
INSTANCES_LIMIT = 10  # the Rules enumerate the pairs they refuse (no numeric comparison): counts up to this

INSTANCE_TYPE = replace(
    variant.INSTANCE_TYPE,
    description="Instance type every component shares: an accelerated type (ml.g*, ml.p*, ml.inf*, ml.trn*) for "
    "components that ask for accelerators, a CPU type for those that ask for CPU cores.",
    default="ml.m5.xlarge",
    endpoint_types=(),
    why_these_types="",
    seed_name=None,
)
INITIAL_INSTANCE_COUNT = replace(
    variant.INITIAL_INSTANCE_COUNT,
    description="Instances at creation; managed instance scaling then keeps the count between the minimum and the "
    "maximum.",
    constraint=whole_number(1, INSTANCES_LIMIT),
    endpoint_types=(),
    why_these_types="",
    seed_name=None,
)
MIN_INSTANCES = Input(
    "ScalingMinInstanceCount",
    "Minimum instances",
    "Fewest instances managed instance scaling keeps. 0: the instances go once every component has scaled to zero "
    f"copies; SageMaker accepts it in some Regions only, and this template in {', '.join(SCALE_TO_ZERO_REGIONS)} "
    "(docs/inference-components.md).",
    whole_number(0, INSTANCES_LIMIT),
    default="1",
)
MAX_INSTANCES = Input(
    "ScalingMaxInstanceCount",
    "Maximum instances",
    "Most instances managed instance scaling adds for the components' copies.",
    whole_number(1, 100),
    default="4",
)
ROUTING = Input(
    "RoutingStrategy",
    "Routing",
    "How the endpoint picks among the copies of the component invoked: the instance with the fewest outstanding "
    "requests, or one at random.",
    choice(*ROUTING_STRATEGIES),
    default=ROUTING_STRATEGIES[0],
)
VARIANT_NAME = replace(variant.VARIANT_NAME, seed_name=None)
VOLUME_SIZE = replace(
    variant.VOLUME_SIZE,
    description="EBS volume per instance for the components' artifacts, in GB; empty: SageMaker's default. Not sent "
    "for types with local NVMe storage, which SageMaker uses instead of an EBS volume.",
    endpoint_types=(),
    why_these_types="",
)
INPUTS = (INSTANCE_TYPE, INITIAL_INSTANCE_COUNT, MIN_INSTANCES, MAX_INSTANCES, ROUTING, VARIANT_NAME, VOLUME_SIZE)


def _add_scaling_rules(stack: HostingStack) -> None:
    """Minimum <= initial <= maximum (SCALING_ORDER, shared with the endpoint template and the deploy client), and a
    minimum of 0 only where it has been seen accepted."""
    by_name = {entry.name: entry for entry in (MIN_INSTANCES, MAX_INSTANCES, INITIAL_INSTANCE_COUNT)}
    stack.template.add_rule(
        "ManagedInstanceScalingFitsTheEndpoint",
        {
            "Assertions": [
                assertion(Not(less_than(by_name[order.upper], by_name[order.lower])), order.description)
                for order in SCALING_ORDER
            ]
        },
    )
    stack.template.add_rule(
        "InstancesScaleToZeroOnlyWhereSeenAccepted",
        {
            "RuleCondition": Equals(MIN_INSTANCES.ref(), "0"),
            "Assertions": [
                assertion(
                    Contains(SCALE_TO_ZERO_REGIONS, Ref("AWS::Region")),
                    "ScalingMinInstanceCount 0 (instances scale to zero) is refused in this Region: AWS lists no "
                    "Region where SageMaker accepts it, eu-west-3 refused it, and it has been seen accepted in "
                    f"{', '.join(SCALE_TO_ZERO_REGIONS)} only. Set ScalingMinInstanceCount to 1 (components still "
                    "scale to zero copies), or deploy there.",
                )
            ],
        },
    )


def shared_variant(stack: HostingStack, ebs_volume: str) -> ProductionVariant:
    """The variant: instances of InstanceType, no model, managed instance scaling, the routing strategy."""
    _add_scaling_rules(stack)
    volume = add_condition(stack, "SetVolumeSize", And(Not(is_empty(VOLUME_SIZE)), Condition(ebs_volume)))
    return ProductionVariant(
        VariantName=VARIANT_NAME.ref(),
        InstanceType=INSTANCE_TYPE.ref(),
        InitialInstanceCount=INITIAL_INSTANCE_COUNT.ref(),
        ManagedInstanceScaling=ManagedInstanceScaling(
            Status="ENABLED", MinInstanceCount=MIN_INSTANCES.ref(), MaxInstanceCount=MAX_INSTANCES.ref()
        ),
        RoutingConfig=RoutingConfig(RoutingStrategy=ROUTING.ref()),
        VolumeSizeInGB=If(volume, VOLUME_SIZE.ref(), NoValue),
    )
