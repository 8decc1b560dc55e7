"""What earlier deploys kept is removed only once nothing may serve it, as a user runs the command, on botocore
Stubbers (a call not queued fails the test, so a DeleteEndpointConfig nobody expected cannot pass).

The template retains a replaced Model and EndpointConfig ("Using the UpdateReplacePolicy, you can specify that
CloudFormation retain or, in some cases, create a snapshot of the old resource",
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html) and
tags each with the stack's id; the deploy client finds them with the Resource Groups Tagging API ("Returns all the
tagged or previously tagged resources that are located in the specified Amazon Web Services Region for the account",
https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html)."""

from __future__ import annotations

import json

import pytest

from generator.cli import main
from tests.support.published_change_sets import replacing_the_endpoint
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    SAGEMAKER,
    WHEN,
    StubbedAws,
    endpoint_stack_resources,
    expect_all_removed,
    expect_config_model,
    expect_discard,
    expect_endpoint,
    expect_plan,
    expect_retained,
    parameter_list,
    run_with,
    stack_event,
    stack_id,
    stacks,
)

V3 = f"{SAGEMAKER}:model-package/churn/3"
DEPLOY_V3 = ["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", f"ModelPackageArn={V3}"]
SERVING_V3 = {"ModelPackageArn": V3, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}
OUTPUTS = {"EndpointName": "churn-ep", "ModelPackageArn": V3}
# CloudFormation's generated names keep their capitals; SageMaker's ARNs (a stack resource's physical id) do not.
SERVED, OLDER = "EndpointConfig-New3AbC", "EndpointConfig-Old1XyZ"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_no_changes_then_check(stubbed: StubbedAws, served: str) -> None:
    """A redeploy of what the stack has: the no-op change set, then the serving check with the config's ARN."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVING_V3),
                                {"StackName": "churn"})  # fmt: skip
    unchanged = replacing_the_endpoint() | {
        "Status": "FAILED", "Changes": [], "StackId": stack_id("churn"),
        "StatusReason": "The submitted information didn't contain changes. Submit different information to create a "
                        "change set.",
    }  # fmt: skip
    sent = {"TemplateBody": ENDPOINT_LIKE.body, "Capabilities": [], "Parameters": parameter_list(SERVING_V3)}
    expect_plan(cloudformation, "UPDATE", sent, unchanged | {"StackName": "churn"})
    expect_discard(cloudformation, unchanged, created=False)
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVING_V3),
                                {"StackName": "churn"})  # fmt: skip
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources("churn-ep", SERVED.lower()),
                                {"StackName": stack_id("churn")})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-ep", served)


def test_a_verified_endpoint_gets_what_earlier_deploys_kept_removed_by_exact_name_whatever_the_case(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack's config is known by its ARN (lower case); DescribeEndpoint names it with its capitals: the same
    config, so the endpoint is verified, and the older retained config and its model are deleted by their exact names
    (the Stubber checks DeleteEndpointConfig and DeleteModel's arguments), the served ones kept. AWS documents no case
    rule for SageMaker's ARNs; users observe names lower-cased in them ("the ARN endpoint name is in lower case",
    prometheus-community/yet-another-cloudwatch-exporter#1178; boto/boto3#4606), so names are compared without case."""
    expect_no_changes_then_check(stubbed, SERVED)
    expect_retained(stubbed, "churn-ep", SERVED, configs={OLDER: "Model-Old1XyZ"})
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", outputs=OUTPUTS),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, OUTPUTS), err
    assert err.splitlines()[-1] == (
        f"Removed what earlier deploys kept, no longer served by the endpoint: endpoint config(s) {OLDER}; "
        "model(s) Model-Old1XyZ."
    )


def test_an_endpoint_on_another_config_fails_and_nothing_is_looked_for_or_deleted(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """SageMaker went back to the older config: exit 1 naming it; no tagging read, no delete (none is queued)."""
    expect_no_changes_then_check(stubbed, OLDER)
    sagemaker = stubbed["sagemaker"]
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": OLDER, "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/{OLDER.lower()}",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "Model-Old1XyZ"}], "CreationTime": WHEN,
    }, {"EndpointConfigName": OLDER})  # fmt: skip
    sagemaker.add_response("describe_model", {
        "ModelName": "Model-Old1XyZ", "ModelArn": f"{SAGEMAKER}:model/model-old1xyz",
        "CreationTime": WHEN, "PrimaryContainer": {"ModelPackageName": f"{SAGEMAKER}:model-package/churn/2"},
    }, {"ModelName": "Model-Old1XyZ"})  # fmt: skip
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines()[-1].startswith(
        f"error: endpoint churn-ep serves {OLDER} (model package {SAGEMAKER}:model-package/churn/2), not the stack's "
        f"{SERVED.lower()}: SageMaker rolled the deployment back by itself"
    )


def test_a_role_that_cannot_read_tags_leaves_them_in_place_with_a_warning_and_the_deploy_succeeds(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The endpoint serves what the stack says: that is the deploy's result. A retained config costs nothing unused,
    so a missing tag:GetResources is a warning, not a failure."""
    expect_no_changes_then_check(stubbed, SERVED)
    expect_endpoint(stubbed["sagemaker"], "churn-ep", SERVED)  # what is in use is read first
    expect_config_model(stubbed["sagemaker"], SERVED, "Model-New3")
    stubbed["resourcegroupstaggingapi"].add_client_error("get_resources", "AccessDeniedException", "not authorized")
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", outputs=OUTPUTS),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)) == (0, OUTPUTS)
    assert "warning: could not remove the endpoint configs and models earlier deploys kept" in err


def expect_deletion(stubbed: StubbedAws, final_status: str) -> None:
    """DescribeStacks, its resources, DeleteStack, and following the deletion to `final_status`."""
    cloudformation, sid = stubbed["cloudformation"], {"StackName": stack_id("churn")}
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE"), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", endpoint_stack_resources("churn-ep", SERVED.lower()), sid)
    before = stack_event("churn", "e-0", "churn", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)
    cloudformation.add_response("delete_stack", {}, sid)
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)  # skipping older ones
    operation = [stack_event("churn", "e-1", "churn", "AWS::CloudFormation::Stack", final_status), before]
    cloudformation.add_response("describe_stack_events", {"StackEvents": operation}, sid)
    cloudformation.add_response("describe_stacks", stacks("churn", final_status), sid)
    cloudformation.add_response("describe_stack_events", {"StackEvents": operation}, sid)  # nothing newer


def test_destroy_removes_every_config_and_model_the_stack_kept_once_the_stack_is_deleted(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The endpoint went with the stack: nothing can serve what it kept, so all of it is deleted, configs first."""
    expect_deletion(stubbed, "DELETE_COMPLETE")
    expect_all_removed(stubbed, {OLDER: "Model-Old1XyZ"})
    code = main(["destroy", "--stack-name", "churn", "--region", "eu-west-1"])
    stubbed.done()
    err = capsys.readouterr().err
    assert code == 0, err
    assert (
        f"Removed what earlier deploys kept, its endpoint deleted: endpoint config(s) {OLDER}; model(s) Model-Old1XyZ."
        in err.splitlines()
    )


def test_a_failed_destroy_keeps_what_the_stack_kept(stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]) -> None:
    """DELETE_FAILED: the endpoint may still be there, serving one of them. No tagging read is queued."""
    expect_deletion(stubbed, "DELETE_FAILED")
    code = main(["destroy", "--stack-name", "churn", "--region", "eu-west-1"])
    stubbed.done()
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == "stack churn ended in DELETE_FAILED"  # and nothing after
