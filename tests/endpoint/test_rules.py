"""Rules: each rejects the combination it targets, before any resource exists, with an actionable message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.inputs import ARN_MODE, GROUP_MODE, PACKAGE_ARN, VPC
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
BUCKET = "arn:aws:s3:::ml-artifacts-111122223333"


@pytest.mark.parametrize("values", [ARN_MODE, GROUP_MODE], ids=["arn", "group"])
def test_given_exactly_one_package_source_then_no_rule_fails(deploy: Deploy, values: dict[str, str]) -> None:
    assert deploy(**values).failed_rules() == []


def test_given_neither_package_source_then_the_rule_asks_for_one(deploy: Deploy) -> None:
    assert deploy(**VPC).failed_rules() == [
        "Set ModelPackageArn (deploy that version) or ModelPackageGroupName "
        "(deploy the group's latest Approved version): both are empty."
    ]


def test_given_both_package_sources_then_the_rule_says_to_clear_one(deploy: Deploy) -> None:
    """The module we replace let the ARN silently win."""
    assert deploy(**GROUP_MODE, ModelPackageArn=PACKAGE_ARN).failed_rules() == [
        "Set only one of ModelPackageArn and ModelPackageGroupName: both are set; clear the one you do not want."
    ]


def test_given_data_capture_without_a_bucket_then_the_rule_names_both_fixes(deploy: Deploy) -> None:
    assert deploy(**ARN_MODE, DataCaptureSamplingPercentage="20").failed_rules() == [
        "DataCaptureSamplingPercentage is above 0 but ModelArtifactsBucketArn is empty: set the bucket that "
        "receives captured data, or set the percentage to 0."
    ]


def test_given_data_capture_with_a_bucket_then_no_rule_fails(deploy: Deploy) -> None:
    assert deploy(**ARN_MODE, DataCaptureSamplingPercentage="20", ModelArtifactsBucketArn=BUCKET).failed_rules() == []


def test_given_a_group_without_resolver_code_bucket_then_the_rule_says_where_the_zip_is(deploy: Deploy) -> None:
    values = {**GROUP_MODE, "ResolverCodeS3Bucket": ""}
    assert deploy(**values).failed_rules() == [
        "ModelPackageGroupName needs the resolver Lambda: upload the zip that `make build` writes to dist/ "
        "to a bucket in this Region and set ResolverCodeS3Bucket."
    ]
