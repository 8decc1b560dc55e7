"""The production variant: its name and weight (every endpoint type), and for RealTime and Async its instances: type,
count, storage volume, timeouts and AMI. A serverless variant is built in the serverless module.

Each large-model setting is sent only when set (empty: SageMaker's default); the volume size only for instance
families with an EBS volume (instance_storage).
"""

from __future__ import annotations

from troposphere import And, Condition, GetAtt, If, Not, NoValue
from troposphere.sagemaker import Model, ProductionVariant

from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Constraint, Input, pattern, whole_number
from generator.common.patterns import INSTANCE_TYPE as INSTANCE_TYPE_PATTERN
from generator.common.patterns import POSITIVE_DECIMAL, SAGEMAKER_NAME, required
from generator.endpoint.context import EndpointStack, add_condition
from generator.endpoint.types import NO_INSTANCES, WITH_INSTANCES

INSTANCE_TYPE = Input(
    "InstanceType",
    "Instance type",
    "Instance type of the production variant (RealTime and Async; a serverless endpoint has none).",
    pattern(INSTANCE_TYPE_PATTERN, "a SageMaker instance type such as ml.m5.xlarge", optional_value=False),
    default="ml.m4.xlarge",
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
    seed_name="instance-type",
)
INITIAL_INSTANCE_COUNT = Input(
    "InitialInstanceCount",
    "Initial instance count",
    "Instances behind the endpoint at creation; CANARY and LINEAR updates need 2 or more.",
    whole_number(1, 9999),
    default="1",
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
    seed_name="initial-instance-count",
)
INITIAL_VARIANT_WEIGHT = Input(
    "InitialVariantWeight",
    "Initial variant weight",
    "Traffic weight of the variant (a float above 0; its share is weight / sum of weights).",
    Constraint(
        (
            ("AllowedPattern", required(POSITIVE_DECIMAL)),
            ("ConstraintDescription", "must be a number above 0, such as 1.0"),
        ),
        "a number above 0",
    ),
    default="1.0",
    seed_name="initial-variant-weight",
)
VARIANT_NAME = Input(
    "VariantName",
    "Variant name",
    "Name of the production variant.",
    Constraint(
        (
            ("AllowedPattern", required(SAGEMAKER_NAME)),
            ("ConstraintDescription", "must be letters, digits and hyphens, up to 63 characters"),
            ("MaxLength", 63),
        ),
        "letters, digits and hyphens, up to 63 characters",
    ),
    default="AllTraffic",
    seed_name="variant-name",
)
VOLUME_SIZE = Input(
    "VolumeSizeInGB",
    "Storage volume (GB)",
    "EBS volume per instance for the model artifacts, in GB; empty: SageMaker's default. Not sent for types with "
    "local NVMe storage, which SageMaker uses instead of an EBS volume.",
    whole_number(1, 512, optional_value=True),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
)
DOWNLOAD_TIMEOUT = Input(
    "ModelDataDownloadTimeoutInSeconds",
    "Model download timeout (s)",
    "Seconds each instance may take to download the model artifacts; empty: SageMaker's default.",
    whole_number(60, 3600, optional_value=True),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
)
STARTUP_TIMEOUT = Input(
    "ContainerStartupHealthCheckTimeoutInSeconds",
    "Container startup timeout (s)",
    "Seconds the container may take to pass its first health check (/ping); empty: SageMaker's default.",
    whole_number(60, 3600, optional_value=True),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
)
# CreateEndpointConfig's ProductionVariantInferenceAmiVersion (botocore's sagemaker service model): each AMI's
# accelerator is documented (GPU, or "Inferentia2 and Trainium"); the deploy client checks it against InstanceType.
INFERENCE_AMI_VERSIONS = (
    "al2-ami-sagemaker-inference-gpu-2",
    "al2-ami-sagemaker-inference-gpu-2-1",
    "al2-ami-sagemaker-inference-gpu-3-1",
    "al2-ami-sagemaker-inference-neuron-2",
    "al2023-ami-sagemaker-inference-gpu-4-1",
)
INFERENCE_AMI_VERSION = Input(
    "InferenceAmiVersion",
    "Inference AMI",
    "The AMI of the instances, for the GPU driver and CUDA, or Neuron, versions your container needs; empty: "
    "SageMaker's default. gpu AMIs need a GPU instance type (ml.g*, ml.p*), neuron-2 an ml.inf2 or ml.trn* type. "
    "Changing it replaces the instances (a blue/green update).",
    Constraint(
        (("AllowedValues", ("", *INFERENCE_AMI_VERSIONS)),),
        "empty, or " + " / ".join(f"`{version}`" for version in INFERENCE_AMI_VERSIONS),
    ),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_INSTANCES,
)
BEFORE_NAME = (INSTANCE_TYPE, INITIAL_INSTANCE_COUNT, INITIAL_VARIANT_WEIGHT, VARIANT_NAME)  # the console's order
AFTER_NAME = (VOLUME_SIZE, DOWNLOAD_TIMEOUT, STARTUP_TIMEOUT, INFERENCE_AMI_VERSION)


def instance_variant(stack: EndpointStack, model: Model, ebs_volume: str) -> ProductionVariant:
    """The variant of RealTime and Async endpoints: instances of InstanceType, with each setting only when set."""
    return ProductionVariant(
        ModelName=GetAtt(model, "ModelName"),
        VariantName=VARIANT_NAME.ref(),
        InstanceType=INSTANCE_TYPE.ref(),
        InitialInstanceCount=INITIAL_INSTANCE_COUNT.ref(),
        InitialVariantWeight=INITIAL_VARIANT_WEIGHT.ref(),
        VolumeSizeInGB=_when_set(stack, VOLUME_SIZE, "SetVolumeSize", Condition(ebs_volume)),
        ModelDataDownloadTimeoutInSeconds=_when_set(stack, DOWNLOAD_TIMEOUT, "HasModelDataDownloadTimeout"),
        ContainerStartupHealthCheckTimeoutInSeconds=_when_set(stack, STARTUP_TIMEOUT, "HasContainerStartupTimeout"),
        InferenceAmiVersion=_when_set(stack, INFERENCE_AMI_VERSION, "HasInferenceAmiVersion"),
    )


def _when_set(stack: EndpointStack, given: Input, condition: str, *also: Condition) -> If:
    is_set = Not(is_empty(given))
    return If(add_condition(stack, condition, And(is_set, *also) if also else is_set), given.ref(), NoValue)
