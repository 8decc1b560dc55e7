"""Every instance family SageMaker hosts is on exactly one list: accelerated, or CPU only. A family botocore's
ProductionVariantInstanceType gains later fails here until it is placed (the deploy client refuses a component on it
meanwhile)."""

from __future__ import annotations

import botocore.session
from botocore.model import StringShape

from generator.common.instance_families import ACCELERATED_FAMILIES, CPU_FAMILIES, family_of


def test_every_family_of_botocores_instance_types_is_on_exactly_one_list() -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.shape_for("ProductionVariantInstanceType")
    assert isinstance(shape, StringShape)
    families = {family_of(kind) for kind in shape.enum}
    assert families - (ACCELERATED_FAMILIES | CPU_FAMILIES) == set()
    assert not ACCELERATED_FAMILIES & CPU_FAMILIES


def test_the_family_is_the_middle_of_an_instance_type() -> None:
    assert [family_of(t) for t in ("ml.g5.2xlarge", "ml.p6-b200.48xlarge", "ml.m5.large", "g5.xlarge", "")] == [
        "g5", "p6-b200", "m5", "", "",
    ]  # fmt: skip
