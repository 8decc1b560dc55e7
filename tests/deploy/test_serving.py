"""The after-deploy check, without AWS (botocore Stubbers): when the endpoint serves the stack's config it looks for
what earlier deploys kept; otherwise it fails naming the package served instead, or that SageMaker no longer
describes that config."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from custom_resource.contract import STACK_TAG
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.serving import check_serving
from generator.deploy.template_file import load_template
from tests.support.stubbed_aws import shared_session

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
NOW = datetime(2026, 11, 30, tzinfo=UTC)
PREFIX = "arn:aws:sagemaker:eu-west-1:111122223333"


def context(served: str) -> tuple[DeployContext, list[Stubber]]:
    session = shared_session()
    names = ("cloudformation", "sagemaker", "resourcegroupstaggingapi")
    clients: dict[str, Any] = {name: session.client(name) for name in names}  # type: ignore[call-overload]
    cfn, sm, tags = (Stubber(clients[name]) for name in names)
    cfn.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {"StackName": "churn", "StackId": STACK_ID, "CreationTime": NOW, "StackStatus": "UPDATE_COMPLETE"}
            ]
        },
    )
    cfn.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": logical,
                    "PhysicalResourceId": physical,
                    "ResourceType": kind,
                    "LastUpdatedTimestamp": NOW,
                    "ResourceStatus": "UPDATE_COMPLETE",
                }
                for logical, physical, kind in (
                    ("Endpoint", f"{PREFIX}:endpoint/churn-prod", "AWS::SageMaker::Endpoint"),
                    ("EndpointConfig", f"{PREFIX}:endpoint-config/config-2", "AWS::SageMaker::EndpointConfig"),
                )
            ]
        },
    )
    sm.add_response(
        "describe_endpoint",
        {
            "EndpointName": "churn-prod",
            "EndpointArn": f"{PREFIX}:endpoint/churn-prod",
            "EndpointConfigName": served,
            "EndpointStatus": "InService",
            "CreationTime": NOW,
            "LastModifiedTime": NOW,
        },
        {"EndpointName": "churn-prod"},
    )
    for stub in (cfn, sm, tags):
        stub.activate()
    return DeployContext(Aws("eu-west-1", clients=clients), load_template(), Console(io.StringIO()), io.StringIO()), [
        cfn, sm, tags]  # fmt: skip


def test_an_endpoint_serving_the_stacks_config_passes_then_looks_for_what_earlier_deploys_kept() -> None:
    deploy, stubs = context("config-2")
    _, sm, tags = stubs
    sm.add_response("describe_endpoint", {
        "EndpointName": "churn-prod", "EndpointArn": f"{PREFIX}:endpoint/churn-prod", "EndpointConfigName": "config-2",
        "EndpointStatus": "InService", "CreationTime": NOW, "LastModifiedTime": NOW,
    }, {"EndpointName": "churn-prod"})  # fmt: skip
    sm.add_response("describe_endpoint_config", {
        "EndpointConfigName": "config-2", "EndpointConfigArn": f"{PREFIX}:endpoint-config/config-2",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "model-2"}], "CreationTime": NOW,
    }, {"EndpointConfigName": "config-2"})  # fmt: skip
    # Nothing tagged with the stack's id: nothing is listed or deleted.
    tags.add_response("get_resources", {"ResourceTagMappingList": []}, {
        "TagFilters": [{"Key": STACK_TAG, "Values": [STACK_ID]}],
        "ResourceTypeFilters": ["sagemaker:endpoint-config", "sagemaker:model"],
    })  # fmt: skip
    check_serving(deploy, "churn")
    for stub in stubs:
        stub.assert_no_pending_responses()


def test_an_endpoint_back_on_an_older_config_fails_naming_its_package() -> None:
    deploy, (_, sagemaker, _) = context("config-1")
    sagemaker.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": "config-1",
            "EndpointConfigArn": f"{PREFIX}:endpoint-config/config-1",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "model-1"}],
            "CreationTime": NOW,
        },
        {"EndpointConfigName": "config-1"},
    )
    sagemaker.add_response("describe_model", {
        "ModelName": "model-1", "ModelArn": f"{PREFIX}:model/model-1", "CreationTime": NOW,
        "PrimaryContainer": {"ModelPackageName": f"{PREFIX}:model-package/churn/3"}})  # fmt: skip
    expected = (
        rf"^endpoint churn-prod serves config-1 \(model package {PREFIX}:model-package/churn/3\), not the stack's"
    )
    with pytest.raises(DeployFailed, match=expected + " config-2: SageMaker rolled"):
        check_serving(deploy, "churn")


def test_an_endpoint_back_on_a_config_sagemaker_no_longer_describes_says_so_instead_of_a_package() -> None:
    """SageMaker rolled the endpoint back to a config that was deleted while in use (DescribeEndpointConfig answers
    ValidationException): the message says so, not a package. (This test once blamed the stack's own update cleanup;
    the template now retains a replaced config (UpdateReplacePolicy Retain) and the deploy client removes it only
    once nothing serves it, so the deletion is someone else's, and the message no longer names the update. "If you
    delete the EndpointConfig of an endpoint that is active or being created or updated you may lose visibility into
    the instance type the endpoint is using", https://docs.aws.amazon.com/sagemaker/latest/APIReference/
    API_UpdateEndpoint.html.)"""
    deploy, (_, sagemaker, _) = context("config-1")
    sagemaker.add_client_error("describe_endpoint_config", "ValidationException",
                               "Could not find endpoint configuration \"config-1\".", 400,
                               {"EndpointConfigName": "config-1"})  # fmt: skip
    expected = (
        r"^endpoint churn-prod serves config-1 \(a config SageMaker no longer describes: deleted while in use\), not "
        "the stack's config-2"
    )
    with pytest.raises(DeployFailed, match=expected):
        check_serving(deploy, "churn")


def test_an_endpoint_back_on_a_model_without_a_package_says_no_model_package() -> None:
    """A model made from an image and artifacts has no ModelPackageName in its container."""
    deploy, (_, sagemaker, _) = context("config-1")
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": "config-1", "EndpointConfigArn": f"{PREFIX}:endpoint-config/config-1",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "model-1"}], "CreationTime": NOW,
    }, {"EndpointConfigName": "config-1"})  # fmt: skip
    sagemaker.add_response("describe_model", {
        "ModelName": "model-1", "ModelArn": f"{PREFIX}:model/model-1", "CreationTime": NOW,
        "Containers": [{"Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:3"}],
    }, {"ModelName": "model-1"})  # fmt: skip
    with pytest.raises(DeployFailed, match=r"^endpoint churn-prod serves config-1 \(no model package\), not the"):
        check_serving(deploy, "churn")


def test_a_config_that_cannot_be_read_is_an_aws_error_not_taken_for_a_deleted_one() -> None:
    """Only ValidationException means "no such config"; AccessDenied is the caller's permissions and is raised as
    an AWS failure naming the step (the command exits 1 with it)."""
    deploy, (_, sagemaker, _) = context("config-1")
    sagemaker.add_client_error("describe_endpoint_config", "AccessDeniedException", "not authorized", 400,
                               {"EndpointConfigName": "config-1"})  # fmt: skip
    with pytest.raises(DeployFailed) as failed:
        check_serving(deploy, "churn")
    assert str(failed.value) == (
        "reading endpoint config config-1 and its model: An error occurred (AccessDeniedException) when calling the "
        "DescribeEndpointConfig operation: not authorized"
    )
