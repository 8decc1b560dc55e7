"""The EBS and NVMe family lists, checked against sources other than themselves: SageMaker's API reference and the
instance types of botocore's SageMaker model with EC2's naming convention."""

from __future__ import annotations

import re

import botocore.session

from generator.endpoint.instance_storage import EBS_FAMILIES, NVME_FAMILIES

# SageMaker API reference, ResourceConfig.VolumeSizeInGB: "ML instance families with the NVMe-type instance storage
# include ml.p4d, ml.g4dn, and ml.g5", and "ML instance families that use EBS volumes include ml.c5 and ml.p2".
DOCUMENTED_NVME = {"p4d", "g4dn", "g5"}
DOCUMENTED_EBS = {"c5", "p2"}
# EC2 instance type names: a "d" among the attributes after the generation means local NVMe instance store volumes
# (EC2 User Guide, "Amazon EC2 instance type naming conventions"): m5d, c6gd, g4dn, p4de, r7gd, ...
LOCAL_STORE_ATTRIBUTE = re.compile(r"[a-z]+\d+[a-z]*d[a-z]*")


def hosting_families() -> set[str]:
    """The families of every instance type CreateEndpointConfig takes, from botocore's SageMaker model."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    instance_types: list[str] = model.shape_for("ProductionVariantInstanceType").enum  # type: ignore[attr-defined]
    return {name.split(".")[1] for name in instance_types}


def test_the_families_sagemakers_api_reference_names_are_classified_as_it_says() -> None:
    assert DOCUMENTED_NVME - set(NVME_FAMILIES) == set()
    assert DOCUMENTED_EBS & set(NVME_FAMILIES) == set()
    assert DOCUMENTED_EBS - set(EBS_FAMILIES) == set()
    assert DOCUMENTED_NVME & set(EBS_FAMILIES) == set()


def test_every_hosting_family_is_on_exactly_one_list() -> None:
    """A family SageMaker adds later fails this test until someone reads EC2's instance-store table for it; until
    then the template sends it neither a key nor a volume size (the safe side: nothing that can fail a deploy)."""
    assert sorted(hosting_families() - set(EBS_FAMILIES) - set(NVME_FAMILIES)) == []
    assert set(EBS_FAMILIES) & set(NVME_FAMILIES) == set()


def test_no_family_with_ec2s_local_storage_attribute_is_listed_as_ebs() -> None:
    assert [family for family in EBS_FAMILIES if LOCAL_STORE_ATTRIBUTE.fullmatch(family)] == []


def test_every_hosting_family_with_ec2s_local_storage_attribute_is_listed() -> None:
    with_local_store = {family for family in hosting_families() if LOCAL_STORE_ATTRIBUTE.fullmatch(family)}
    assert with_local_store, "botocore's model lists no such family: the check would prove nothing"
    assert sorted(with_local_store - set(NVME_FAMILIES)) == []
