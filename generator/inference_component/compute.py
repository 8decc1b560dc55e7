"""What each copy of the component reserves on the shared endpoint's instances, and how long it may take to start.

SageMaker requires only the memory: "MinMemoryRequiredInMb" is the one required member of
InferenceComponentComputeResourceRequirements, at least 128; NumberOfCpuCoresRequired is at least 0.25 and
NumberOfAcceleratorDevicesRequired at least 1, "Accelerators include GPUs and Amazon Web Services Inferentia"
(SageMaker API Reference). Which the instance type takes depends on the shared endpoint's type, which a template
cannot read from another stack: the deploy client checks it against the endpoint before any change
(generator.deploy.components, generator.common.instance_families).
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import If, Not, NoValue, Or
from troposphere.sagemaker import InferenceComponentComputeResourceRequirements, InferenceComponentStartupParameters

from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Input, pattern, whole_number
from generator.endpoint import variant
from generator.endpoint.context import Stack, add_condition

# 0.25 and up, at most two decimals, one spelling per value: 0.25 to 0.99, then 1 to 999.99.
CPU_CORES_PATTERN = r"0\.(2[5-9]|[3-9][0-9]?)|[1-9][0-9]{0,2}(\.[0-9]?[0-9])?"
MAX_ACCELERATORS = 16  # the most devices of one SageMaker instance (ml.trn1.32xlarge, 16 Trainium chips)
MAX_MEMORY_MB = 4_194_304  # 4 TiB, above the memory of any SageMaker instance

ACCELERATORS = Input(
    "NumberOfAcceleratorDevicesRequired",
    "Accelerators per copy",
    "GPUs, Inferentia or Trainium devices each copy reserves: required on an accelerated instance type, empty on a "
    "CPU type.",
    whole_number(1, MAX_ACCELERATORS, optional_value=True),
)
CPU_CORES = Input(
    "NumberOfCpuCoresRequired",
    "CPU cores per copy",
    "CPU cores each copy reserves, 0.25 or more; empty: SageMaker's choice.",
    pattern(CPU_CORES_PATTERN, "a number of cores from 0.25, such as 0.5, 1 or 2.5", max_length=6),
)
MIN_MEMORY = Input(
    "MinMemoryRequiredInMb",
    "Memory per copy (MB)",
    "Memory each copy reserves, in MB (128 or more; SageMaker requires it): copies fit an instance only within its "
    "memory.",
    whole_number(128, MAX_MEMORY_MB),
    default="1024",
)
DOWNLOAD_TIMEOUT = replace(
    variant.DOWNLOAD_TIMEOUT,
    description="Seconds each copy may take to download the model artifacts; empty: SageMaker's default.",
    endpoint_types=(),
    why_these_types="",
)
STARTUP_TIMEOUT = replace(
    variant.STARTUP_TIMEOUT,
    description="Seconds each copy's container may take to pass its first health check; empty: SageMaker's default.",
    endpoint_types=(),
    why_these_types="",
)
INPUTS = (ACCELERATORS, CPU_CORES, MIN_MEMORY, DOWNLOAD_TIMEOUT, STARTUP_TIMEOUT)


def compute_requirements(stack: Stack) -> InferenceComponentComputeResourceRequirements:
    return InferenceComponentComputeResourceRequirements(
        MinMemoryRequiredInMb=MIN_MEMORY.ref(),
        NumberOfAcceleratorDevicesRequired=_when_set(stack, ACCELERATORS, "HasAccelerators"),
        NumberOfCpuCoresRequired=_when_set(stack, CPU_CORES, "HasCpuCores"),
    )


def startup_parameters(stack: Stack) -> If:
    """Sent only with a timeout set: otherwise SageMaker's defaults, as for the endpoint template's variant."""
    download = add_condition(stack, "HasModelDataDownloadTimeout", Not(is_empty(DOWNLOAD_TIMEOUT)))
    startup = add_condition(stack, "HasContainerStartupTimeout", Not(is_empty(STARTUP_TIMEOUT)))
    either = add_condition(
        stack, "HasStartupParameters", Or(Not(is_empty(DOWNLOAD_TIMEOUT)), Not(is_empty(STARTUP_TIMEOUT)))
    )
    return If(
        either,
        InferenceComponentStartupParameters(
            ModelDataDownloadTimeoutInSeconds=If(download, DOWNLOAD_TIMEOUT.ref(), NoValue),
            ContainerStartupHealthCheckTimeoutInSeconds=If(startup, STARTUP_TIMEOUT.ref(), NoValue),
        ),
        NoValue,
    )


def _when_set(stack: Stack, given: Input, condition: str) -> If:
    return If(add_condition(stack, condition, Not(is_empty(given))), given.ref(), NoValue)
