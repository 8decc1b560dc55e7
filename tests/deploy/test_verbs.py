"""The verbs' decisions, fast and without AWS: bad input exits 2 before any call, an Endpoint replacement is refused
without the flag, and a rolled-back update is a failure. CloudFormation is a botocore Stubber, so every call made is
checked against the API model, and a call not expected fails the test."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext, Refused
from generator.deploy.progress import Outcome, StackEvent
from generator.deploy.report import report
from generator.deploy.request import DeployRequest
from generator.deploy.template_file import EndpointTemplate
from generator.deploy.verbs import deploy
from tests.support.published_change_sets import expect_change_set, replacing_the_endpoint

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
# The smallest template with an endpoint whose name is a parameter: what deploy needs to judge a replacement.
SMALL = EndpointTemplate(
    "Parameters:\n  EndpointName: {Type: String, Default: ''}\n"
    "Resources:\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n"
    "    Properties: {EndpointName: !Ref EndpointName, EndpointConfigName: config}\n"
)


def stack(status: str, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    return {"Stacks": [{
        "StackName": "churn", "StackId": STACK_ID, "CreationTime": "2026-11-30T10:00:00Z", "StackStatus": status,
        "Parameters": [{"ParameterKey": "EndpointName", "ParameterValue": "old"}],
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in (outputs or {}).items()],
    }]}  # fmt: skip


def context_with(stubbed: Any, err: io.StringIO, template: EndpointTemplate = SMALL) -> DeployContext:
    return DeployContext(Aws("eu-west-1", clients={"cloudformation": stubbed}), template, Console(err), io.StringIO())


@pytest.mark.usefixtures("no_aws_session")
def test_bad_input_exits_2_with_every_problem_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", "InstanceTyp=ml.m5.large",
                 "--param", "InitialInstanceCount=0", "--role-arn", "role"])  # fmt: skip
    problems = capsys.readouterr().err.splitlines()
    assert code == 2
    assert problems == [
        "error: InstanceTyp: not a parameter of the template; did you mean InstanceType?",
        "error: InitialInstanceCount='0': must be a whole number from 1 to 9999",
        "error: --role-arn 'role': must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)",
        "3 problem(s) in the input; nothing was sent to AWS.",
    ]


def test_a_plan_that_replaces_the_endpoint_is_deleted_and_refused_without_the_flag() -> None:
    """The change set is the User Guide's replacement example, with our Endpoint as the replaced resource. A refusal
    by the command's own rule (exit 5 at the command line), not a failure in AWS."""
    response = replacing_the_endpoint() | {"StackId": STACK_ID}
    client = boto3.client("cloudformation", region_name="eu-west-1")
    err = io.StringIO()
    with Stubber(client) as stub:
        stub.add_response("describe_stacks", stack("UPDATE_COMPLETE"), {"StackName": "churn"})
        expect_change_set(stub, response, {
            "StackName": "churn", "TemplateBody": SMALL.body, "Capabilities": [],
            "Parameters": [{"ParameterKey": "EndpointName", "ParameterValue": "new"}],
            "Description": "sagemaker-endpoint deploy",
        })  # fmt: skip
        stub.add_response("delete_change_set", {}, {"ChangeSetName": response["ChangeSetId"]})
        with pytest.raises(Refused) as refused:
            deploy.run(context_with(client, err), DeployRequest("churn", {"EndpointName": "new"}))
        stub.assert_no_pending_responses()  # and no execute_change_set: the Stubber would have refused it
    assert str(refused.value) == (
        "the plan replaces the Endpoint. Keep EndpointName as it is, or deploy again with "
        "--allow-endpoint-replacement if a new endpoint is what you want."
    )


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"])
def test_a_rolled_back_or_failed_operation_is_a_failure_naming_the_cause(status: str) -> None:
    failed = StackEvent("e-1", "Model", "AWS::SageMaker::Model", "UPDATE_FAILED", "Image not found", "")
    client = boto3.client("cloudformation", region_name="eu-west-1")
    err = io.StringIO()
    with Stubber(client) as stub:
        stub.add_response("describe_stacks", stack(status, {"ModelPackageArn": "v3"}), {"StackName": "churn"})
        code = report(context_with(client, err), Outcome(status, [failed]), "churn")
    assert code == 1
    assert err.getvalue().splitlines()[0] == "error: Model (AWS::SageMaker::Model) UPDATE_FAILED: Image not found"


@pytest.mark.usefixtures("no_aws_session")
def test_a_group_of_another_region_or_a_bad_registry_account_list_exits_2_before_any_aws_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = "arn:aws:sagemaker:us-east-1:444455556666:model-package-group/churn"
    group = f"ModelPackageGroupName={elsewhere}"
    code = main(["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", group])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: ModelPackageGroupName={elsewhere!r}: a group of Region us-east-1, but the stack deploys to eu-west-1; "
        "model packages are regional: give a group of eu-west-1, or deploy with --region us-east-1",
        "1 problem(s) in the input; nothing was sent to AWS.",
    ]
    code = main(["plan", "--template", "registry-access", "--stack-name", "churn-registry", "--region", "eu-west-1",
                 "--param", "ModelPackageGroupName=arn:aws:s3:::churn",
                 "--param", "WorkloadAccountIds=111122223333,2222"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: ModelPackageGroupName='arn:aws:s3:::churn': must be a model package group name of this account",
        "error: WorkloadAccountIds='2222': must be 12-digit account IDs, comma-separated",
        "2 problem(s) in the input; nothing was sent to AWS.",
    ]


def test_without_a_region_anywhere_the_command_exits_7_saying_where_to_give_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --region, no AWS_REGION or AWS_DEFAULT_REGION, no profile with a region: boto3 has no endpoint to call.
    The command says the ways to give one instead of botocore's NoRegionError, with the exit code of a missing
    configuration (7), which CI tells apart from a failure in AWS."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    code = main(["outputs", "--stack-name", "churn"])
    assert (code, *capsys.readouterr()) == (
        7,
        "",
        "error: no AWS Region: pass --region, or set AWS_REGION (or AWS_DEFAULT_REGION), or a region in the profile\n",
    )


def test_aws_region_alone_names_the_region_though_botocore_reads_only_aws_default_region(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """botocore's session variable `region` reads AWS_DEFAULT_REGION only; AWS's SDKs read AWS_REGION ("The
    AWS_REGION environment variable is checked. If it's set, that Region is used in the configuration of the client.",
    https://docs.amazonaws.cn/sdk-for-kotlin/latest/developer-guide/region-selection.html) and CodeBuild and Lambda set
    it. Given alone it is the Region; given with AWS_DEFAULT_REGION it wins, as in the SDKs; --region wins over both."""
    for name in ("AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert Aws().region_name == "eu-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert Aws().region_name == "eu-central-1"
    assert Aws("ap-southeast-2").region_name == "ap-southeast-2"
