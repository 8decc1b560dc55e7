"""Every instance of a fleet with its stack's outputs, as `fleet outputs` runs it on botocore Stubbers (any call not
queued fails the test): the administrator account reads its own instances' stacks directly and the others' through
the reader role of their account; an instance whose endpoint serves another config than its stack's is NOT_SERVING,
and one whose stack cannot be read has null outputs with the fix in its StatusReason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from tests.support.stubbed_aws import (
    ACCOUNT,
    ENDPOINT_LIKE,
    PEER,
    WHEN,
    StubbedAws,
    expect_config_package,
    expect_endpoint,
    expect_identity,
    run_with,
)

HOME, OTHER = "eu-west-1", "us-east-1"
FLEET_OUTPUTS = ["fleet", "outputs", "--stack-set-name", "churn-fleet", "--region", HOME]
V2 = f"arn:aws:sagemaker:{HOME}:{PEER}:model-package/churn/2"
V3 = f"arn:aws:sagemaker:{HOME}:{ACCOUNT}:model-package/churn/3"
READER = f"arn:aws:iam::{PEER}:role/sagemaker-endpoint-fleet-reader"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def instance_stack(account: str, region: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account}:stack/StackSet-churn-fleet-{account}/5b1c9a40-ca3e-11f0-8f34"


def instance(account: str, region: str) -> dict[str, Any]:
    """A ListStackInstances summary of an instance in sync with its stack set."""
    return {"StackSetId": "churn-fleet:1", "Account": account, "Region": region, "Status": "CURRENT",
            "StackId": instance_stack(account, region),
            "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"}}  # fmt: skip


def expect_fleet(cloudformation: Stubber, *instances: dict[str, Any]) -> None:
    name = {"StackSetName": "churn-fleet"}
    stack_set = {"StackSetName": "churn-fleet", "Status": "ACTIVE", "PermissionModel": "SELF_MANAGED"}
    cloudformation.add_response("describe_stack_set", {"StackSet": stack_set}, name)
    cloudformation.add_response("list_stack_instances", {"Summaries": list(instances)}, name)


def expect_instance_read(stubbed: StubbedAws, account: str, region: str, served: str) -> None:
    """The instance's stack and its outputs, then the check that its endpoint serves the stack's config-3."""
    cloudformation, sid = stubbed["cloudformation"], instance_stack(account, region)
    described = {"Stacks": [{"StackName": f"StackSet-churn-fleet-{account}", "StackId": sid, "CreationTime": WHEN,
                             "StackStatus": "UPDATE_COMPLETE", "Outputs": [
                                 {"OutputKey": "EndpointName", "OutputValue": "churn-ep"},
                                 {"OutputKey": "ModelPackageArn", "OutputValue": V3}]}]}  # fmt: skip
    cloudformation.add_response("describe_stacks", described, {"StackName": sid})
    cloudformation.add_response("describe_stacks", described, {"StackName": sid})  # the serving check's own read
    sagemaker = f"arn:aws:sagemaker:{region}:{account}"
    cloudformation.add_response("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": logical, "PhysicalResourceId": physical, "ResourceType": kind,
         "LastUpdatedTimestamp": WHEN, "ResourceStatus": "UPDATE_COMPLETE"}
        for logical, physical, kind in (
            ("Endpoint", f"{sagemaker}:endpoint/churn-ep", "AWS::SageMaker::Endpoint"),
            ("EndpointConfig", f"{sagemaker}:endpoint-config/config-3", "AWS::SageMaker::EndpointConfig"))
    ]}, {"StackName": sid})  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-ep", served)


def expect_reader_role(sts: Stubber, role: str = READER) -> None:
    credentials = {"AccessKeyId": "ASIAEXAMPLEKEYID0001", "SecretAccessKey": "secret", "SessionToken": "token",
                   "Expiration": datetime(2026, 11, 30, 11, 0, tzinfo=UTC)}  # fmt: skip
    sts.add_response("assume_role", {"Credentials": credentials},
                     {"RoleArn": role, "RoleSessionName": "sagemaker-endpoint-fleet"})  # fmt: skip


def test_each_instance_is_read_in_its_account_and_one_that_cannot_be_read_says_how_to_fix_it(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sorted by account and Region. This account's instance is read directly. The other account's are read as its
    reader role (templates/stackset-execution-role.yaml); there, one endpoint SageMaker rolled back to config-2 is
    NOT_SERVING with the package it serves, named on stderr too. Where AssumeRole is refused the outputs are null
    and StatusReason names the template that creates the role; the instance itself is fine, so only the JSON says
    so. `fleet outputs` reports, it does not judge: exit 0."""
    expect_fleet(stubbed["cloudformation"], instance(PEER, OTHER), instance(PEER, HOME), instance(ACCOUNT, HOME))
    expect_identity(stubbed["sts"])
    expect_instance_read(stubbed, ACCOUNT, HOME, "config-3")
    expect_reader_role(stubbed["sts"])
    expect_instance_read(stubbed, PEER, HOME, "config-2")
    expect_config_package(stubbed["sagemaker"], "config-2", V2)
    refused = f"User: arn:aws:iam::{ACCOUNT}:user/ci is not authorized to perform: sts:AssumeRole on resource: {READER}"
    stubbed["sts"].add_client_error("assume_role", "AccessDenied", refused, 403,
                                    {"RoleArn": READER, "RoleSessionName": "sagemaker-endpoint-fleet"})  # fmt: skip
    code = main(FLEET_OUTPUTS)
    stubbed.done()
    out, err = capsys.readouterr()
    not_serving = (
        f"endpoint churn-ep serves config-2 (model package {V2}), not the stack's config-3: SageMaker rolled the "
        "deployment back by itself (a rollback alarm or a failed health check: see the endpoint's events), while "
        "CloudFormation says UPDATE_COMPLETE. Fix the cause, then deploy again with a new token (--resolve-latest) or "
        "a new package."
    )
    unreadable = (
        f"outputs unreadable as {READER}: An error occurred (AccessDenied) when calling the AssumeRole operation: "
        f"{refused}. Deploy templates/stackset-execution-role.yaml in account {PEER} (it creates the reader role), or "
        "name yours with --read-role-name"
    )
    assert code == 0
    assert json.loads(out) == [
        {"Account": ACCOUNT, "Region": HOME, "Status": "CURRENT", "DetailedStatus": "SUCCEEDED", "StatusReason": "",
         "EndpointName": "churn-ep", "ModelPackageArn": V3},
        {"Account": PEER, "Region": HOME, "Status": "NOT_SERVING", "DetailedStatus": "SUCCEEDED",
         "StatusReason": not_serving, "EndpointName": "churn-ep", "ModelPackageArn": V3},
        {"Account": PEER, "Region": OTHER, "Status": "CURRENT", "DetailedStatus": "SUCCEEDED",
         "StatusReason": unreadable, "EndpointName": None, "ModelPackageArn": None},
    ]  # fmt: skip
    assert err.splitlines() == [f"error: {PEER} {HOME}: NOT_SERVING SUCCEEDED: {not_serving}"]


def test_read_role_name_is_the_role_assumed_in_the_other_accounts(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """For a reader role of one's own making, with its own name, in every target account."""
    expect_fleet(stubbed["cloudformation"], instance(PEER, HOME))
    expect_identity(stubbed["sts"])
    expect_reader_role(stubbed["sts"], f"arn:aws:iam::{PEER}:role/platform-reader")
    expect_instance_read(stubbed, PEER, HOME, "config-3")
    code = main([*FLEET_OUTPUTS, "--read-role-name", "platform-reader"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert [(i["Account"], i["Status"], i["EndpointName"]) for i in json.loads(out)] == [(PEER, "CURRENT", "churn-ep")]


@pytest.mark.parametrize("gone", ["not-found", "deleted"])
def test_outputs_of_a_stack_set_that_is_not_there_exit_1_naming_the_region_looked_in(
    gone: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """DescribeStackSet answers StackSetNotFoundException, or a stack set whose Status is DELETED (StackSet Status,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSet.html): either way there is none."""
    name = {"StackSetName": "churn-fleet"}
    if gone == "deleted":
        stubbed["cloudformation"].add_response(
            "describe_stack_set", {"StackSet": {"StackSetName": "churn-fleet", "Status": "DELETED"}}, name
        )
    else:
        stubbed["cloudformation"].add_client_error(
            "describe_stack_set", "StackSetNotFoundException", "StackSet churn-fleet not found", 404, name
        )
    code = main(FLEET_OUTPUTS)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", f"error: no stack set named churn-fleet in {HOME}\n")
