"""Which instance types have local NVMe instance storage, decided at deploy time from InstanceType.

Such types get no EBS storage volume: SageMaker uses the instance's NVMe storage instead. So what configures
that volume is sent only for the other types:
- KmsKeyId: SageMaker rejects it for NVMe types, whose storage the instance's hardware encrypts (SageMaker API
  reference, CreateEndpointConfig, KmsKeyId).
- VolumeSizeInGB: the ProductionVariant API reference says only EBS gp2 volumes are supported, and the SageMaker
  storage documentation ("Managing storage paths for different types of instance local storage") that for NVMe
  instances SageMaker provisions no EBS gp2 storage, the storage being fixed to the instance's.
The families come from the SageMaker API reference and the instance-store table of the EC2 instance types.
A family missing here is treated as having an EBS volume: the endpoint still gets the key and the size.
"""

from __future__ import annotations

from troposphere import And, Condition, Equals, Not, Select, Split, Sub

from generator.cfn.conditions import any_of
from generator.endpoint.context import EndpointStack, add_condition

NVME_FAMILIES = (
    "c5d", "c6gd", "c6id", "c7gd",
    "g4dn", "g5", "g6", "g6e", "gr6",
    "m5d", "m6gd", "m6id", "m7gd",
    "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200",
    "r5d", "r6gd", "r6id", "r7gd",
    "trn1", "trn1n", "trn2",
)  # fmt: skip
FAMILY_FIELD = 1  # ml.<family>.<size>
ALWAYS_ENOUGH_FIELDS = "." * FAMILY_FIELD  # appended before the split: the field exists for any value, even ""


def add_ebs_volume_condition(stack: EndpointStack) -> str:
    """Add the Condition that is true when InstanceType has an EBS storage volume (no local NVMe storage)."""
    padded = Sub(f"${{{stack.params.instance_type.title}}}{ALWAYS_ENOUGH_FIELDS}")
    family = Select(FAMILY_FIELD, Split(".", padded))
    has_local_storage = any_of([Equals(family, name) for name in NVME_FAMILIES])
    # a serverless endpoint has no instances, so no volume either
    return add_condition(stack, "HasEbsStorageVolume", And(Not(has_local_storage), Condition(stack.conditions.in_vpc)))
