"""Endpoint types in the deploy client: what a type cannot have refused before any AWS call; a change of type
refused before any change when a fixed EndpointName would make CloudFormation update in place what SageMaker
cannot convert; with the derived name (or a new fixed one) a change of type is planned as the new endpoint it is."""

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
from generator.deploy.template_file import EndpointTemplate, load_template
from tests.support.published_change_sets import expect_change_set, replacing_the_endpoint
from tests.support.stubbed_aws import ENDPOINT_LIKE, StubbedAws, run_with, stack_id, stacks

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
        "error: Serverless endpoints do not support network isolation: set EnableNetworkIsolation to false to accept "
        "that, or choose EndpointType RealTime.",
        # the template's Rule now holds every maximum (it held maxima up to 20): told with the Rule's other assertion
        "error: ServerlessProvisionedConcurrency is above ServerlessMaxConcurrency: lower it, or raise the maximum.",
        "error: VpcId is for EndpointType RealTime and Async (a serverless endpoint runs outside your VPC: SageMaker "
        "takes no VPC configuration for it): clear it, or set EndpointType to RealTime or Async.",
        "error: SubnetIds is for EndpointType RealTime and Async (a serverless endpoint runs outside your VPC: "
        "SageMaker takes no VPC configuration for it): clear it, or set EndpointType to RealTime or Async.",
        "4 problem(s) in the input; nothing was sent to AWS.",
    ]


TYPED = EndpointTemplate(
    ENDPOINT_LIKE.body.replace("Parameters:\n", "Parameters:\n  EndpointType: {Type: String, Default: RealTime}\n", 1)
)


@pytest.mark.parametrize(
    ("name_before", "name_after"), [("", ""), ("churn-prod", "churn-serverless")], ids=["derived", "new-fixed"]
)
def test_a_type_change_with_the_derived_name_or_a_new_fixed_one_is_planned_as_a_new_endpoint(
    name_before: str, name_after: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """EndpointName empty before and after: the derived name changes with the type, so CloudFormation replaces the
    endpoint, which is what a change of type needs. Only a kept fixed name is refused (the test above)."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, TYPED)
    package = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
    before = {"EndpointType": "RealTime", "ModelPackageArn": package, "ModelPackageGroupName": "",
              "DeployOnApproval": "false", "EndpointName": name_before}  # fmt: skip
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", before), {"StackName": "churn"})
    replacement = replacing_the_endpoint() | {"StackId": stack_id("churn")}
    after = before | {"EndpointType": "Serverless", "EndpointName": name_after}
    expect_change_set(cloudformation, replacement, {
        "StackName": "churn", "TemplateBody": TYPED.body, "Capabilities": [],
        "Description": "sagemaker-endpoint deploy",
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in after.items()],
    })  # fmt: skip
    cloudformation.add_response("delete_change_set", {}, {"ChangeSetName": replacement["ChangeSetId"]})
    code = main(["plan", "--stack-name", "churn", "--region", "eu-west-1", "--param", "EndpointType=Serverless",
                 "--param", f"EndpointName={name_after}"])  # fmt: skip
    stubbed.done()
    err = capsys.readouterr().err.splitlines()
    assert code == 0, err
    assert err[0] == (
        "EndpointType: RealTime -> Serverless. SageMaker cannot convert an endpoint to another type: this makes a new "
        "endpoint and deletes the old one (the plan replaces the Endpoint)."
    )
