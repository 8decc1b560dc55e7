"""Which instance types have local NVMe instance storage, decided at deploy time from InstanceType.

SageMaker rejects an EndpointConfig KmsKeyId for such types (their storage is encrypted by the
instance's hardware), so the key is set only for the others. The families come from the SageMaker
API reference (CreateEndpointConfig, KmsKeyId) and the instance-store table of the EC2 instance types.
A family missing here is treated as having no local storage: the endpoint still gets the key.
"""

from __future__ import annotations

from troposphere import Equals, Not, Ref, Select, Split

from generator.stack import Stack, add_condition, any_of

NVME_FAMILIES = (
    "c5d", "c6gd", "c6id", "c7gd",
    "g4dn", "g5", "g6", "g6e", "gr6",
    "m5d", "m6gd", "m6id", "m7gd",
    "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200",
    "r5d", "r6gd", "r6id", "r7gd",
    "trn1", "trn1n", "trn2",
)  # fmt: skip
FAMILY_FIELD = 1  # ml.<family>.<size>


def add_volume_encryption_condition(stack: Stack) -> str:
    """Add the Condition that is true when InstanceType's storage volume takes our KMS key; return its name."""
    family = Select(FAMILY_FIELD, Split(".", Ref(stack.params.instance_type)))
    has_local_storage = any_of([Equals(family, name) for name in NVME_FAMILIES])
    return add_condition(stack, "EncryptStorageVolume", Not(has_local_storage))
