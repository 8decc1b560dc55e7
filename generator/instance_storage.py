"""Which instance types have local NVMe instance storage, decided at deploy time from InstanceType.

SageMaker rejects an EndpointConfig KmsKeyId for such types (their storage is encrypted by the
instance's hardware), so the key is set only for the others. The families come from the SageMaker
API reference (CreateEndpointConfig, KmsKeyId) and the instance-store table of the EC2 instance types.
A family missing here is treated as having no local storage: the endpoint still gets the key.
"""

from __future__ import annotations

from troposphere import Condition, Equals, Not, Or, Ref, Select, Split

from generator.stack import Stack, add_condition

NVME_FAMILIES = (
    "c5d", "c6gd", "c6id", "c7gd",
    "g4dn", "g5", "g6", "g6e", "gr6",
    "m5d", "m6gd", "m6id", "m7gd",
    "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200",
    "r5d", "r6gd", "r6id", "r7gd",
    "trn1", "trn1n", "trn2",
)  # fmt: skip
FAMILY_FIELD = 1  # ml.<family>.<size>
MAX_OR_OPERANDS = 10  # Fn::Or takes 2 to 10 conditions


def add_volume_encryption_condition(stack: Stack) -> str:
    """Add Conditions that are true when InstanceType's storage volume takes our KMS key; return its name."""
    family = Select(FAMILY_FIELD, Split(".", Ref(stack.params.instance_type)))
    chunks = [NVME_FAMILIES[i : i + MAX_OR_OPERANDS] for i in range(0, len(NVME_FAMILIES), MAX_OR_OPERANDS)]
    chunk_conditions = [
        add_condition(stack, f"InstanceFamilyHasNvmeStorage{index}", Or(*(Equals(family, name) for name in chunk)))
        for index, chunk in enumerate(chunks, start=1)
    ]
    has_local_storage = add_condition(
        stack, "InstanceHasLocalStorage", Or(*(Condition(name) for name in chunk_conditions))
    )
    return add_condition(stack, "EncryptStorageVolume", Not(Condition(has_local_storage)))
