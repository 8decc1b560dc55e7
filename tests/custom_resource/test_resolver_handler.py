"""The Lambda handler end to end in-process: real event fixtures in, the exact response crhelper PUTs out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from custom_resource import resolver_handler as handler
from tests.support.cfn_response_server import ResponseRecorder
from tests.support.resolver_events import LambdaContext, event
from tests.support.sagemaker_answers import CREATED, group_description

V3 = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
V4 = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/4"
STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/ml-endpoint/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"


@pytest.fixture
def stubber(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("sagemaker", region_name="eu-west-1")
    monkeypatch.setattr(handler, "sagemaker_client", lambda: client)
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def newest(stub: Stubber, arn: str, version: int) -> None:
    stub.add_response(
        "list_model_packages",
        {
            "ModelPackageSummaryList": [
                {
                    "ModelPackageGroupName": "churn",
                    "ModelPackageVersion": version,
                    "ModelPackageArn": arn,
                    "CreationTime": CREATED,
                    "ModelPackageStatus": "Completed",
                    "ModelApprovalStatus": "Approved",
                }
            ]
        },
        {
            "ModelPackageGroupName": "churn",
            "ModelPackageType": "Versioned",
            "ModelApprovalStatus": "Approved",
            "SortBy": "CreationTime",
            "SortOrder": "Descending",
            "MaxResults": 1,
        },
    )


def response(recorder: ResponseRecorder) -> dict[str, Any]:
    (only,) = recorder.wait(1)
    return only


def expected(request: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "path": "/cfn-response",
        "StackId": STACK_ID,
        "RequestId": request["RequestId"],
        "LogicalResourceId": "LatestApprovedModelPackage",
        "NoEcho": False,
        **fields,
    }


def invoke(request: dict[str, Any], context: LambdaContext | None = None) -> None:
    handler.lambda_handler(request, context or LambdaContext())


def test_given_a_create_then_it_answers_success_with_the_newest_approved_package(
    cloudformation: ResponseRecorder, stubber: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    newest(stubber, V3, 3)
    request = event("create", cloudformation)
    invoke(request)
    assert response(cloudformation) == expected(
        request,
        Status="SUCCESS",
        Reason="",
        PhysicalResourceId=V3,
        Data={
            "ModelPackageArn": V3,
            "ModelPackageGroupName": "churn",
            "ModelPackageVersion": "3",
            "CreationTime": "2026-11-02T09:30:00+00:00",
        },
    )
    assert f"latest Approved package of churn is {V3}" in caplog.text


def test_given_a_newer_approval_then_update_answers_a_new_physical_id(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    """A new id makes CloudFormation send Delete for the old one once the update completes."""
    newest(stubber, V4, 4)
    request = event("update", cloudformation)
    invoke(request)
    answer = response(cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"], answer["Data"]["ModelPackageArn"]) == ("SUCCESS", V4, V4)


def test_given_nothing_newer_then_update_keeps_the_physical_id(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    newest(stubber, V3, 3)
    request = event("update", cloudformation)
    invoke(request)
    assert response(cloudformation)["PhysicalResourceId"] == request["PhysicalResourceId"] == V3


def test_given_a_group_with_nothing_approved_then_create_fails_with_a_reason_naming_the_group(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
    stubber.add_response("describe_model_package_group", group_description("churn"))
    request = event("create", cloudformation)
    invoke(request)
    answer = response(cloudformation)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == (
        "Model package group 'churn' has no Approved model package: approve a version "
        "(aws sagemaker update-model-package --model-approval-status Approved) and deploy again."
    )
    assert answer["Data"] == {}
    # crhelper's generated id for a failed Create, which the rollback's Delete will carry
    assert answer["PhysicalResourceId"].startswith("ml-endpoint_LatestApprovedModelPackage_")


def test_given_an_update_with_nothing_approved_then_it_keeps_the_package_in_use_so_a_rollback_completes(
    cloudformation: ResponseRecorder, stubber: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    """CloudFormation rolls a failed update back with an Update of the old properties: it must not fail too."""
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
    stubber.add_response("describe_model_package_group", group_description("churn"))
    request = event("update", cloudformation)
    invoke(request)
    assert response(cloudformation) == expected(
        request,
        Status="SUCCESS",
        Reason="",
        PhysicalResourceId=V3,
        Data={"ModelPackageArn": V3, "ModelPackageGroupName": "churn", "ModelPackageVersion": "3", "CreationTime": ""},
    )
    assert "has no Approved model package: approve a version" in caplog.text
    assert f"Keeping {V3}, which the endpoint serves." in caplog.text


def test_given_an_update_to_another_group_with_nothing_approved_then_it_fails(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    """Only the package of the same group is kept: a new group with nothing approved is a mistake to report."""
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
    stubber.add_response("describe_model_package_group", group_description("fraud"))
    request = event("update", cloudformation)
    request["ResourceProperties"] = {**request["ResourceProperties"], "ModelPackageGroupName": "fraud"}
    invoke(request)
    assert response(cloudformation)["Status"] == "FAILED"


@pytest.mark.usefixtures("stubber")  # no SageMaker call expected
def test_given_an_event_without_the_group_property_then_it_fails_naming_the_parameter(
    cloudformation: ResponseRecorder,
) -> None:
    request = event("create", cloudformation)
    request["ResourceProperties"] = {"ServiceToken": request["ServiceToken"]}
    invoke(request)
    answer = response(cloudformation)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "The custom resource has no ModelPackageGroupName property: set the template's ModelPackageGroupName "
        "parameter (the template passes it to this resource).",
    )


@pytest.mark.parametrize(
    "physical_id",
    [
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "ml-endpoint_LatestApprovedModelPackage_K2J9QZ1A",  # what crhelper generates after a failed Create
        "anything-else",
    ],
)
@pytest.mark.usefixtures("stubber")  # no SageMaker call expected
def test_given_a_delete_of_any_id_then_it_succeeds_at_once_without_calling_sagemaker(
    cloudformation: ResponseRecorder, physical_id: str
) -> None:
    request = event("delete", cloudformation, PhysicalResourceId=physical_id)
    started = datetime.now(UTC)
    invoke(request, LambdaContext(remaining_ms=300_000))  # crhelper would sleep 120 s here by default
    assert response(cloudformation) == expected(
        request, Status="SUCCESS", Reason="", PhysicalResourceId=physical_id, Data={}
    )
    assert (datetime.now(UTC) - started).total_seconds() < 10


def test_given_an_update_whose_group_was_deleted_then_it_fails_instead_of_keeping_the_old_package(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    """Only "nothing approved" keeps the package in use; a group that is gone is an error a person must fix."""
    stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
    stubber.add_client_error(
        "describe_model_package_group",
        service_error_code="ValidationException",
        service_message="Model Package Group churn does not exist.",
    )
    request = event("update", cloudformation)
    invoke(request)
    answer = response(cloudformation)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "Model package group 'churn' does not exist in this account and Region: fix ModelPackageGroupName "
        "(names are case-sensitive) or register the group first.",
    )


def test_given_an_update_the_resolver_may_not_read_then_it_fails_naming_the_permission(
    cloudformation: ResponseRecorder, stubber: Stubber
) -> None:
    stubber.add_client_error("list_model_packages", service_error_code="AccessDeniedException", service_message="no")
    request = event("update", cloudformation)
    invoke(request)
    answer = response(cloudformation)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "Access denied reading model package group 'churn' (AccessDeniedException): allow the resolver role "
        "sagemaker:ListModelPackages on the group, and check SCPs and the group's resource policy.",
    )


REGISTRY_GROUP = "arn:aws:sagemaker:eu-west-1:444455556666:model-package-group/churn"
REGISTRY_V7 = "arn:aws:sagemaker:eu-west-1:444455556666:model-package/churn/7"


def create_for(group: str, recorder: ResponseRecorder) -> dict[str, Any]:
    """CloudFormation's Create event for a resolver whose ModelPackageGroupName is `group`."""
    base = event("create", recorder)
    return {**base, "ResourceProperties": {**base["ResourceProperties"], "ModelPackageGroupName": group}}


def test_given_a_registry_groups_arn_then_it_lists_that_group_by_arn_and_answers_its_package(
    cloudformation: ResponseRecorder, stubber: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [{"ModelPackageGroupName": "churn", "ModelPackageVersion": 7,
                                      "ModelPackageArn": REGISTRY_V7, "CreationTime": CREATED,
                                      "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved"}]},
        {"ModelPackageGroupName": REGISTRY_GROUP, "ModelPackageType": "Versioned", "ModelApprovalStatus": "Approved",
         "SortBy": "CreationTime", "SortOrder": "Descending", "MaxResults": 1},
    )  # fmt: skip
    invoke(create_for(REGISTRY_GROUP, cloudformation))
    answer = response(cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", REGISTRY_V7)
    assert answer["Data"]["ModelPackageArn"] == REGISTRY_V7
    assert answer["Data"]["ModelPackageGroupName"] == "churn"


@pytest.mark.usefixtures("stubber")  # no response queued: any SageMaker call would fail the test
def test_given_a_group_arn_of_another_region_then_it_fails_before_calling_sagemaker(
    cloudformation: ResponseRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    elsewhere = REGISTRY_GROUP.replace("eu-west-1", "us-east-1")
    invoke(create_for(elsewhere, cloudformation))
    answer = response(cloudformation)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == (
        "ModelPackageGroupName is a group of Region us-east-1, but this stack is in eu-west-1: model packages "
        "are regional. Give a group of eu-west-1 (copy the package there) or deploy the stack in us-east-1."
    )


def test_given_a_registry_group_that_does_not_share_with_this_account_then_the_reason_says_where_to_fix_it(
    cloudformation: ResponseRecorder, stubber: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    stubber.add_client_error("list_model_packages", "AccessDeniedException", "not authorized", 400)
    invoke(create_for(REGISTRY_GROUP, cloudformation))
    answer = response(cloudformation)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == (
        "Access denied reading model package group 'churn' in account 444455556666, Region eu-west-1 "
        "(AccessDeniedException): its group policy must allow this account (templates/registry-access.yaml)."
    )
