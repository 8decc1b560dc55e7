"""Which SageMaker instance families have accelerators, for what an inference component may ask of them. No
troposphere here: the deploy client imports it.

An inference component's NumberOfAcceleratorDevicesRequired counts devices: "Accelerators include GPUs and Amazon Web
Services Inferentia" (SageMaker API Reference, InferenceComponentComputeResourceRequirements). The accelerated families
are EC2's accelerated computing instances, whose "hardware accelerators, or co-processors" are GPUs (G, P), AWS
Inferentia (Inf), AWS Trainium (Trn) or Intel Gaudi (DL1) (https://aws.amazon.com/ec2/instance-types/, "Accelerated
Computing"); every other family has CPUs only. AWS does not say what SageMaker does with an accelerator count on a
CPU-only instance, nor with a component that asks for none on an accelerated one (its own examples always ask for one
there), so the deploy client refuses both (generator.deploy.components). A test keeps every family of botocore's
ProductionVariantInstanceType on exactly one list: a family SageMaker adds later is refused until it is placed.
"""

from __future__ import annotations

ACCELERATED_FAMILIES = frozenset({
    "dl1",
    "g4dn", "g5", "g6", "g6e", "g7", "g7e", "gr6",
    "inf1", "inf2",
    "p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300", "p6e-gb200",
    "trn1", "trn1n", "trn2",
})  # fmt: skip
CPU_FAMILIES = frozenset({
    "c4", "c5", "c5d", "c6g", "c6gd", "c6gn", "c6i", "c6id", "c6in", "c7g", "c7gd", "c7i", "c8g",
    "m4", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7gd", "m7i", "m8g",
    "r5", "r5d", "r6g", "r6gd", "r6i", "r6id", "r7gd", "r7i", "r8g",
    "t2",
})  # fmt: skip


def family_of(instance_type: str) -> str:
    """ml.<family>.<size> -> <family>; anything else -> ""."""
    parts = instance_type.split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "ml" else ""
