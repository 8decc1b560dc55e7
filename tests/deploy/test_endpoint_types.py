"""Endpoint types in the deploy client: what a type cannot have refused before any AWS call; a change of type
refused before any change when a fixed EndpointName would make CloudFormation update in place what SageMaker
cannot convert."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.inputs import InputError
from generator.deploy.request import DeployRequest, prepare_plan
from generator.deploy.template_file import load_template

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
SERVERLESS = {"EndpointType": "Serverless", "VpcId": "", "SubnetIds": "", "EnableNetworkIsolation": "false"}


def existing(parameters: dict[str, str]) -> dict[str, Any]:
    return {"Stacks": [{
        "StackName": "churn", "StackId": STACK_ID, "CreationTime": "2026-11-30T10:00:00Z",
        "StackStatus": "UPDATE_COMPLETE",
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    }]}  # fmt: skip


def test_a_type_change_that_keeps_a_fixed_endpoint_name_is_refused_before_any_change() -> None:
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    before = {
        "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "VpcId": "vpc-0123456789abcdef0",
        "SubnetIds": "subnet-0aaaaaaaaaaaaaaaa",
        "EndpointName": "churn-prod",
    }
    err = io.StringIO()
    context = DeployContext(
        Aws("eu-west-1", clients={"cloudformation": cloudformation}), load_template(), Console(err), io.StringIO()
    )
    with Stubber(cloudformation) as stub:  # one read of the stack, nothing else
        stub.add_response("describe_stacks", existing(before), {"StackName": "churn"})
        with pytest.raises(InputError) as refused:
            prepare_plan(context, DeployRequest("churn", SERVERLESS))
    assert refused.value.problems == [
        "EndpointType changes from RealTime to Serverless but EndpointName stays 'churn-prod': SageMaker cannot "
        "convert an endpoint to another type, and the new one cannot take the old one's name while it exists. Give "
        "a new EndpointName (or clear it), and deploy with --allow-endpoint-replacement."
    ]


@pytest.mark.usefixtures("no_aws_session")
def test_what_a_serverless_endpoint_cannot_have_exits_2_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", "EndpointType=Serverless",
        "--param", "ModelPackageArn=arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "--param", "VpcId=vpc-0123456789abcdef0", "--param", "SubnetIds=subnet-0aaaaaaaaaaaaaaaa",
        "--param", "EnableNetworkIsolation=true", "--param", "ServerlessProvisionedConcurrency=120",
        "--param", "ServerlessMaxConcurrency=100",
    ])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: Serverless endpoints run outside your VPC (SageMaker supports no VPC configuration for them): clear "
        "VpcId and SubnetIds, or choose EndpointType RealTime.",
        "error: Serverless endpoints do not support network isolation: set EnableNetworkIsolation to false to accept "
        "that, or choose EndpointType RealTime.",
        "error: ServerlessProvisionedConcurrency is above ServerlessMaxConcurrency: lower it, or raise the maximum.",
        "3 problem(s) in the input; nothing was sent to AWS.",
    ]
