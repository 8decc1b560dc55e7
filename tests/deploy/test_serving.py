"""The after-deploy check, without AWS (botocore Stubbers): silent when the endpoint serves the stack's config,
naming the package it serves instead when that config still exists."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.serving import check_serving
from generator.deploy.template_file import load_template

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
NOW = datetime(2026, 11, 30, tzinfo=UTC)
PREFIX = "arn:aws:sagemaker:eu-west-1:111122223333"


def context(served: str) -> tuple[DeployContext, list[Stubber]]:
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
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
    tags.add_response("get_resources", {"ResourceTagMappingList": []})
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
    )
    sagemaker.add_response("describe_model", {
        "ModelName": "model-1", "ModelArn": f"{PREFIX}:model/model-1", "CreationTime": NOW,
        "PrimaryContainer": {"ModelPackageName": f"{PREFIX}:model-package/churn/3"}})  # fmt: skip
    expected = (
        rf"^endpoint churn-prod serves config-1 \(model package {PREFIX}:model-package/churn/3\), not the stack's"
    )
    with pytest.raises(DeployFailed, match=expected + " config-2: SageMaker rolled"):
        check_serving(deploy, "churn")
