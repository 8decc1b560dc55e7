"""The pure resolution logic, against botocore's Stubber: exact requests, checked against the real API model."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from mypy_boto3_sagemaker import SageMakerClient

from custom_resource.latest_approved import ApprovedPackage, ResolutionError, latest_approved_package
from tests.support.sagemaker_answers import CREATED, group_description

GROUP = "churn"
V3 = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
Stubbed = tuple[SageMakerClient, Stubber]
# ModelPackageType: the API model's default is UNVERSIONED ("This is the default value if no ModelPackageType is
# specified", botocore sagemaker ListModelPackagesInput.ModelPackageType), while a group holds versions; its enum
# spells the value `Versioned` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackages.html).
LATEST_APPROVED_REQUEST = {
    "ModelPackageGroupName": GROUP,
    "ModelPackageType": "Versioned",
    "ModelApprovalStatus": "Approved",
    "SortBy": "CreationTime",
    "SortOrder": "Descending",
    "MaxResults": 1,
}


@pytest.fixture
def sagemaker() -> Iterator[Stubbed]:
    client = boto3.client("sagemaker", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def summary(arn: str, version: int) -> dict[str, object]:
    return {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": version,
        "ModelPackageArn": arn,
        "CreationTime": CREATED,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": "Approved",
    }


def test_given_approved_packages_then_one_newest_first_call_returns_the_newest(sagemaker: Stubbed) -> None:
    client, stubber = sagemaker
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [summary(V3, 3)], "NextToken": "more"},
        LATEST_APPROVED_REQUEST,
    )
    package = latest_approved_package(client, GROUP)
    assert package == ApprovedPackage(arn=V3, group_name=GROUP, version=3, created=CREATED)
    assert package.response_data() == {
        "ModelPackageArn": V3,
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": "3",
        "CreationTime": "2026-11-02T09:30:00+00:00",
    }


def test_given_no_approved_package_then_the_reason_says_to_approve_one(sagemaker: Stubbed) -> None:
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []}, LATEST_APPROVED_REQUEST)
    stubber.add_response("describe_model_package_group", group_description(GROUP), {"ModelPackageGroupName": GROUP})
    with pytest.raises(ResolutionError) as raised:
        latest_approved_package(client, GROUP)
    assert str(raised.value) == (
        "Model package group 'churn' has no Approved model package: approve a version "
        "(aws sagemaker update-model-package --model-approval-status Approved) and deploy again."
    )


def test_given_a_missing_group_then_the_reason_says_to_fix_the_name(sagemaker: Stubbed) -> None:
    client, stubber = sagemaker
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []}, LATEST_APPROVED_REQUEST)
    stubber.add_client_error(
        "describe_model_package_group", "ValidationException", "ModelPackageGroup churn does not exist."
    )
    with pytest.raises(ResolutionError) as raised:
        latest_approved_package(client, GROUP)
    assert str(raised.value) == (
        "Model package group 'churn' does not exist in this account and Region: fix ModelPackageGroupName "
        "(names are case-sensitive) or register the group first."
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (
            "AccessDeniedException",
            "Access denied reading model package group 'churn' (AccessDeniedException): allow the resolver role "
            "sagemaker:ListModelPackages on the group, and check SCPs and the group's resource policy.",
        ),
        (
            "ThrottlingException",
            "SageMaker throttled reading model package group 'churn' (ThrottlingException, 4 attempts with backoff): "
            "deploy again in a few minutes, or raise the account's SageMaker API request quota.",
        ),
        (
            "InternalFailure",
            "SageMaker failed while reading model package group 'churn' (InternalFailure): deploy again; "
            "if it persists, check the resolver's log group.",
        ),
    ],
)
def test_given_an_api_error_then_the_reason_names_the_group_the_code_and_the_fix(
    sagemaker: Stubbed, code: str, reason: str
) -> None:
    client, stubber = sagemaker
    stubber.add_client_error(
        "list_model_packages", code, "no", expected_params=LATEST_APPROVED_REQUEST, response_meta={"RetryAttempts": 3}
    )
    with pytest.raises(ResolutionError) as raised:
        latest_approved_package(client, GROUP)
    assert str(raised.value) == reason


@pytest.mark.parametrize(
    "fault", ["no approved package", "missing group", "AccessDeniedException", "ThrottlingException", "InternalFailure"]
)
def test_every_reason_fits_what_crhelper_keeps_for_the_longest_group_name(sagemaker: Stubbed, fault: str) -> None:
    """crhelper cuts a Reason over 256 characters to its last 240, which would lose the group's name."""
    client, stubber = sagemaker
    group = "g" * 63
    if fault in {"AccessDeniedException", "ThrottlingException", "InternalFailure"}:
        stubber.add_client_error("list_model_packages", fault, response_meta={"RetryAttempts": 3})
    else:
        stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
        if fault == "missing group":
            stubber.add_client_error("describe_model_package_group", "ValidationException")
        else:
            stubber.add_response("describe_model_package_group", group_description(group))
    with pytest.raises(ResolutionError) as raised:
        latest_approved_package(client, group)
    assert group in str(raised.value)
    assert len(str(raised.value)) <= 256
