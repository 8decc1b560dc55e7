"""`deploy` as a user runs it, on botocore Stubbers (any call not queued fails, so a DeleteStack nobody expected fails
the test): only an empty failed create is deleted before creating again, and after an executed plan the endpoint
must serve the stack's EndpointConfig before any output is printed."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.context import DeployContext
from generator.deploy.request import DeployRequest
from generator.deploy.template_file import EndpointTemplate
from generator.deploy.verbs import deploy
from tests.support.published_change_sets import replacing_the_endpoint
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    SAGEMAKER,
    StubbedAws,
    endpoint_stack_resources,
    expect_config_package,
    expect_discard,
    expect_endpoint,
    expect_execute,
    expect_execution,
    expect_followed,
    expect_retained,
    parameter_list,
    resources,
    run_with,
    stack_event,
    stack_id,
    stacks,
    terminal_console,
)
from tests.support.stubbed_aws import expect_plan as expect_plan_of

V2, V3 = f"{SAGEMAKER}:model-package/churn/2", f"{SAGEMAKER}:model-package/churn/3"
DEPLOY_V3 = ["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", f"ModelPackageArn={V3}"]
SERVED_V2 = {"ModelPackageArn": V2, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}
OUTPUTS = {"EndpointName": "churn-ep", "ModelPackageArn": V3}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_plan(cloudformation: Stubber, change_type: str, parameters: dict[str, str], answer: dict[str, Any]) -> None:
    """CreateChangeSet of stack churn with ENDPOINT_LIKE inline and exactly these parameters, then DescribeChangeSet
    as CloudFormation answers it."""
    request = {"TemplateBody": ENDPOINT_LIKE.body, "Capabilities": [], "Parameters": parameter_list(parameters)}
    expect_plan_of(cloudformation, change_type, request, answer | {"StackName": "churn"})


def expect_serving_check(stubbed: StubbedAws, stack_config: str, served_config: str) -> None:
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE"), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources("churn-ep", stack_config),
                                {"StackName": stack_id("churn")})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-ep", served_config)
    if served_config == stack_config:  # verified: then what earlier deploys kept is looked for (nothing, here)
        expect_retained(stubbed, "churn-ep", served_config)


def expect_outputs(cloudformation: Stubber) -> None:
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", outputs=OUTPUTS),
                                {"StackName": "churn"})  # fmt: skip


def test_an_empty_failed_create_is_deleted_then_created_again(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """ROLLBACK_COMPLETE is a failed create, rolled back: nothing in it, and CloudFormation accepts no update of it
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html, stack status codes:
    "This status exists only after a failed stack creation ... only a delete operation can be performed")."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "ROLLBACK_COMPLETE"), {"StackName": "churn"})
    cloudformation.add_response("delete_stack", {}, {"StackName": stack_id("churn")})
    cloudformation.add_response("describe_stacks", stacks("churn", "DELETE_COMPLETE"), {"StackName": stack_id("churn")})
    created = replacing_the_endpoint("False")
    created["Changes"][0]["ResourceChange"] = {"Action": "Add", "LogicalResourceId": "Endpoint",
                                               "ResourceType": "AWS::SageMaker::Endpoint"}  # fmt: skip
    expect_plan(cloudformation, "CREATE", {"ModelPackageArn": V3}, created)  # a create sends what is not a default
    expect_execution(cloudformation, "churn", created["ChangeSetId"], "CREATE_COMPLETE")
    expect_serving_check(stubbed, "config-3", "config-3")
    expect_outputs(cloudformation)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, OUTPUTS)
    assert err.splitlines()[0] == (
        "Stack churn is an empty failed create (ROLLBACK_COMPLETE) and the new inputs passed every check: deleting "
        "it first."
    )


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"])
def test_a_stack_whose_last_change_rolled_back_is_updated_never_deleted(
    status: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """These end in ROLLBACK_COMPLETE too, but the stack holds a live endpoint: CloudFormation returned it to its last
    working state, and it takes updates ("return your stack to a working state (the UPDATE_ROLLBACK_COMPLETE state)
    and then try to update the stack again", https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/
    API_ContinueUpdateRollback.html; RollbackStack counts both as a "last known stable state",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackStack.html). Redeploying what it
    already has is "No changes", and nothing is deleted: no DeleteStack is queued."""
    cloudformation = stubbed["cloudformation"]
    already = SERVED_V2 | {"ModelPackageArn": V3}
    cloudformation.add_response("describe_stacks", stacks("churn", status, already), {"StackName": "churn"})
    unchanged = replacing_the_endpoint() | {
        "Status": "FAILED", "Changes": [],
        "StatusReason": "The submitted information didn't contain changes. Submit different information to create a "
                        "change set.",
    }  # fmt: skip
    expect_plan(cloudformation, "UPDATE", already, unchanged)
    cloudformation.add_response("delete_change_set", {}, {"ChangeSetName": unchanged["ChangeSetId"]})
    expect_serving_check(stubbed, "config-3", "config-3")
    expect_outputs(cloudformation)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, OUTPUTS)
    assert err.splitlines() == ["No changes: stack churn already matches the template and parameters."]


def test_after_an_executed_plan_an_endpoint_serving_another_config_fails_before_any_output(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """CloudFormation says UPDATE_COMPLETE, but SageMaker rolled the endpoint back to config-2 by itself (its rollback
    alarms): exit 1 naming what it serves, and no outputs on stdout, which would claim v3 is live."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response(
        "describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVED_V2), {"StackName": "churn"}
    )
    changed = replacing_the_endpoint("False") | {"StackId": stack_id("churn")}
    expect_plan(cloudformation, "UPDATE", SERVED_V2 | {"ModelPackageArn": V3}, changed)
    expect_execution(cloudformation, "churn", changed["ChangeSetId"], "UPDATE_COMPLETE")
    expect_serving_check(stubbed, "config-3", "config-2")
    expect_config_package(stubbed["sagemaker"], "config-2", V2)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == (
        f"error: endpoint churn-ep serves config-2 (model package {V2}), not the stack's config-3: SageMaker rolled "
        "the deployment back by itself (a rollback alarm or a failed health check: see the endpoint's events), while "
        "CloudFormation says UPDATE_COMPLETE. Fix the cause, then deploy again with a new token (--resolve-latest) or "
        "a new package."
    )


# The registry kit's parameters (its group share is custom resource code of ours, like the resolver) and outputs.
REGISTRY_LIKE = EndpointTemplate(
    "Parameters:\n  ModelPackageGroupName: {Type: String}\n  ResolverCodeS3Bucket: {Type: String}\n"
    "  ResolverCodeS3Key: {Type: String, Default: package-resolver-0123.zip}\n"
    "Resources:\n  GroupShare:\n    Type: Custom::GroupShare\n    Properties: {ServiceToken: arn}\n"
    "Outputs:\n  GroupArn: {Value: arn}\n  ShareId: {Value: !Ref GroupShare}\n"
)


def test_a_stack_without_an_endpoint_is_not_checked_for_what_an_endpoint_serves(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The registry kit (--template registry-access) has no Endpoint: after "No changes" its resources are read and
    no DescribeEndpoint is made (none is queued); its outputs are printed as it declares them. (The code bucket is
    given, so no zip is uploaded: the artifacts bucket's own tests cover that.)"""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, REGISTRY_LIKE)
    cloudformation = stubbed["cloudformation"]
    kit = {
        "ModelPackageGroupName": "churn",
        "ResolverCodeS3Bucket": "team-artifacts",
        "ResolverCodeS3Key": "package-resolver-0123.zip",
    }
    held = stacks("churn-registry", "UPDATE_COMPLETE", kit,
                  {"GroupArn": f"{SAGEMAKER}:model-package-group/churn", "ShareId": "churn-share"})  # fmt: skip
    named = {"StackName": "churn-registry"}
    cloudformation.add_response("describe_stacks", held, named)
    unchanged = replacing_the_endpoint() | {"StackName": "churn-registry", "Status": "FAILED", "Changes": [],
                                            "StatusReason": "No updates are to be performed."}  # fmt: skip
    sent = {"TemplateBody": REGISTRY_LIKE.body, "Capabilities": [], "Parameters": parameter_list(kit)}
    expect_plan_of(cloudformation, "UPDATE", sent, unchanged)
    expect_discard(cloudformation, unchanged, created=False)
    cloudformation.add_response("describe_stacks", held, named)
    cloudformation.add_response("list_stack_resources", resources(("GroupShare", "churn-share", "Custom::GroupShare")),
                                {"StackName": stack_id("churn-registry")})  # fmt: skip
    cloudformation.add_response("describe_stacks", held, named)
    code = main(["deploy", "--template", "registry-access", "--stack-name", "churn-registry", "--region", "eu-west-1",
                 "--param", "ResolverCodeS3Bucket=team-artifacts"])  # fmt: skip
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, {"GroupArn": f"{SAGEMAKER}:model-package-group/churn",
                                           "ShareId": "churn-share"})  # fmt: skip
    assert err == "No changes: stack churn-registry already matches the template and parameters.\n"


def test_on_a_terminal_a_plan_that_replaces_is_asked_about_and_a_no_exits_6_deleting_the_change_set(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As terraform and rain ask before destroying: Enter or "n" is no, and nothing is executed (no
    ExecuteChangeSet is queued)."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVED_V2),
                                {"StackName": "churn"})  # fmt: skip
    replacing = replacing_the_endpoint() | {"StackId": stack_id("churn")}
    replacing["Changes"][0]["ResourceChange"] |= {"LogicalResourceId": "Model", "ResourceType": "AWS::SageMaker::Model"}
    expect_plan(cloudformation, "UPDATE", SERVED_V2 | {"ModelPackageArn": V3}, replacing)
    cloudformation.add_response("delete_change_set", {}, {"ChangeSetName": replacing["ChangeSetId"]})
    monkeypatch.setattr("builtins.input", lambda: "")
    err, out = io.StringIO(), io.StringIO()
    context = DeployContext(stubbed.aws(), ENDPOINT_LIKE, terminal_console(err), out)
    code = deploy.run(context, DeployRequest("churn", {"ModelPackageArn": V3}))
    stubbed.done()
    assert (code, out.getvalue()) == (6, "")  # declined: CI tells it apart from a failure in AWS
    shown = " ".join(err.getvalue().split())  # the terminal wraps at 120 columns
    assert f"Plan to update stack churn: ModelPackageArn: {V2} -> {V3} " in shown
    assert err.getvalue().splitlines()[-1] == (
        "The plan replaces or removes resources. Execute it? [y/N] Not executed: nothing was changed."
    )


def test_a_rolled_back_update_exits_1_with_its_cause_and_what_is_still_served_without_a_serving_check(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """After UPDATE_ROLLBACK_COMPLETE the stack is back on its previous values, so there is no new config to check
    the endpoint against (no DescribeEndpoint is queued): the cause first, then what the endpoint still serves."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVED_V2),
                                {"StackName": "churn"})  # fmt: skip
    changed = replacing_the_endpoint("False") | {"StackId": stack_id("churn")}
    expect_plan(cloudformation, "UPDATE", SERVED_V2 | {"ModelPackageArn": V3}, changed)
    before = stack_event("churn", "e-0", "churn", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, {"StackName": stack_id("churn")})
    expect_execute(cloudformation, changed["ChangeSetId"])
    image = "Image 111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:3 does not exist"
    operation = [
        stack_event("churn", "e-3", "churn", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE"),
        stack_event("churn", "e-2", "Model", "AWS::SageMaker::Model", "UPDATE_FAILED", reason=image),
        stack_event("churn", "e-1", "churn", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS"),
    ]
    expect_followed(cloudformation, "churn", before, operation, "UPDATE_ROLLBACK_COMPLETE")
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_ROLLBACK_COMPLETE", SERVED_V2,
                                                          {"ModelPackageArn": V2}), {"StackName": "churn"})  # fmt: skip
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines()[-2:] == [
        f"error: Model (AWS::SageMaker::Model) UPDATE_FAILED: {image}",
        f"rolled back (UPDATE_ROLLBACK_COMPLETE): the endpoint still serves {V2}",
    ]


def test_resolve_latest_on_a_stack_that_deploys_a_package_arn_is_refused_with_exit_5_naming_the_group_rule(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """--resolve-latest asks the group's resolver again; a stack pinned to a package ARN has no group, so the flag
    would change nothing ("No changes" with exit 0 hid that). A refusal by the command's own rule (exit 5), before
    any bucket or change set: only DescribeStacks is queued."""
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVED_V2),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--resolve-latest"])
    stubbed.done()
    assert code == 5
    assert capsys.readouterr().err.splitlines() == [
        "error: refused: --resolve-latest applies only to a stack deployed from a model package group "
        f"(ModelPackageGroupName); stack churn deploys ModelPackageArn={V2}. Give the new version with --param "
        "ModelPackageArn=ARN, or switch to a group with --param ModelPackageGroupName=NAME --param ModelPackageArn=''."
    ]
