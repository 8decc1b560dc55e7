"""Which instance types have an EBS storage volume, decided at deploy time from InstanceType.

Types with local NVMe instance storage get no EBS volume: SageMaker uses the instance's NVMe storage instead ("When
using an ML instance with NVMe SSD volumes, SageMaker AI doesn't provision Amazon EBS gp2 storage": SageMaker guide,
storage tips). So what configures that volume is sent only for the families known to have one:
- KmsKeyId: for NVMe types the older API reference said CreateEndpointConfig fails with a key; the current one says
  the key "does not encrypt instance local storage". Either way it is sent only with an EBS volume.
- VolumeSizeInGB: "Currently only Amazon EBS gp2 storage volumes are supported" (ProductionVariant reference).
The EBS families are an allowlist, the safe side: a family on neither list (a type SageMaker adds later, or one whose
storage AWS's tables do not settle) gets neither setting, which cannot fail a deploy; its volume is then encrypted
with SageMaker's default key. A test keeps every family of botocore's ProductionVariantInstanceType on one list.
"""

from __future__ import annotations

from troposphere import And, Condition, Equals, Select, Split, Sub

from generator.cfn.conditions import any_of
from generator.endpoint.context import HostingStack, add_condition
from generator.endpoint.variant import INSTANCE_TYPE

# EC2's instance-store table: no instance store for these (EBS only).
EBS_FAMILIES = (
    "c4", "c5", "c6g", "c6gn", "c6i", "c6in", "c7g", "c7i", "c8g",
    "inf1", "inf2",
    "m4", "m5", "m6g", "m6i", "m7i", "m8g",
    "p2", "p3",
    "r5", "r6g", "r6i", "r7i", "r8g",
    "t2",
)  # fmt: skip
# Local NVMe storage (the "d" families, GPU and Trainium families), and families treated so until confirmed.
NVME_FAMILIES = (
    "c5d", "c6gd", "c6id", "c7gd",
    "dl1", "g4dn", "g5", "g6", "g6e", "gr6", "g7", "g7e",
    "m5d", "m6gd", "m6id", "m7gd",
    "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300", "p6e-gb200",
    "r5d", "r6gd", "r6id", "r7gd",
    "trn1", "trn1n", "trn2",
)  # fmt: skip
FAMILY_FIELD = 1  # ml.<family>.<size>
ALWAYS_ENOUGH_FIELDS = "." * FAMILY_FIELD  # appended before the split: the field exists for any value, even ""


def add_ebs_volume_condition(stack: HostingStack) -> str:
    """Add the Condition that is true when InstanceType has an EBS storage volume (no local NVMe storage)."""
    padded = Sub(f"${{{INSTANCE_TYPE.name}}}{ALWAYS_ENOUGH_FIELDS}")
    family = Select(FAMILY_FIELD, Split(".", padded))
    has_ebs_volume = any_of([Equals(family, name) for name in EBS_FAMILIES])
    # a serverless endpoint has no instances, so no volume either
    return add_condition(stack, "HasEbsStorageVolume", And(has_ebs_volume, Condition(stack.conditions.in_vpc)))
