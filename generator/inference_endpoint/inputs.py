"""The shared endpoint's inputs, in the order the console shows them: a table of contents of the declarations each
feature keeps beside its builder, several of them the endpoint template's own, restated for an endpoint without a
model (the same names, so people and the deploy client meet the same parameters)."""

from __future__ import annotations

from dataclasses import replace

from troposphere import Template

from generator.cfn.inputs import Constraint, InputGroup, add_inputs
from generator.common.patterns import SUBNET_ID, VPC_ID, required
from generator.endpoint import alarms, artifacts, data_capture, network, tags
from generator.endpoint.context import PERMISSIONS_BOUNDARY
from generator.endpoint.endpoint import ENDPOINT_NAME
from generator.inference_endpoint import instances
from generator.inference_endpoint.endpoint import NETWORK_ISOLATION

VPC = replace(
    network.VPC,
    description="VPC of the endpoint's instances.",
    constraint=Constraint(
        (("AllowedPattern", required(VPC_ID)), ("ConstraintDescription", "must be a VPC ID such as vpc-0123abcd")),
        "a VPC ID such as vpc-0123456789abcdef0",
    ),
    default=None,
    endpoint_types=(),
    why_these_types="",
    seed_name=None,
)
SUBNET_IDS = replace(
    network.SUBNET_IDS,
    description="Private subnets of VpcId for the endpoint's network interfaces (two or more Availability Zones for "
    "resilience; at most 16).",
    constraint=Constraint(
        (
            ("AllowedPattern", required(SUBNET_ID)),
            ("ConstraintDescription", "must be subnet IDs such as subnet-0123456789abcdef0, comma-separated"),
        ),
        "subnet IDs, comma-separated, at most 16",
    ),
    default=None,
    endpoint_types=(),
    why_these_types="",
    seed_name=None,
)
CAPTURE_BUCKET = replace(
    artifacts.BUCKET,
    description="Bucket receiving captured data, when DataCaptureSamplingPercentage is above 0.",
    seed_name=None,
)
SAMPLING_PERCENTAGE = replace(
    data_capture.SAMPLING_PERCENTAGE,
    description="Percentage of requests to every component whose input and output are captured; 0 turns capture "
    "off. Needs ModelArtifactsBucketArn.",
    endpoint_types=(),
    why_these_types="",
    seed_name=None,
)
CAPTURE_PREFIX = replace(data_capture.PREFIX, seed_name=None)


def input_groups() -> tuple[InputGroup, ...]:
    return (
        InputGroup("Network", (VPC, SUBNET_IDS)),
        InputGroup("Instances, shared by the components", (*instances.INPUTS, ENDPOINT_NAME)),
        InputGroup("Permissions", (NETWORK_ISOLATION, PERMISSIONS_BOUNDARY)),
        InputGroup("Data capture", (SAMPLING_PERCENTAGE, CAPTURE_PREFIX, CAPTURE_BUCKET)),
        InputGroup("SageMaker project and domain (tags)", tags.INPUTS),
        InputGroup("Operations", (alarms.ALARM_TOPIC,)),
    )


def add_shared_endpoint_inputs(template: Template) -> None:
    add_inputs(template, input_groups())
