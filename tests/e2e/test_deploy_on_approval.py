"""Deploy on approval on the local AWS: the stack with DeployOnApproval, and its updater run from the built zip
in a Lambda-like interpreter with the SQS batches Lambda would hand it (one FIFO message at a time)."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses

from tests.support.e2e import (
    GROUP,
    LocalAws,
    deploy_role,
    outputs,
)
from tests.support.lambda_runtime import handler_result
from tests.support.local_aws import REGION

MOTO_ACCOUNT = "123456789012"
UPDATER = "custom_resource.approval_updater.lambda_handler"
UPDATES: list[float] = []  # when moto received each UpdateStack, for the latency figure


@pytest.fixture
def stack(aws: LocalAws) -> Iterator[dict[str, Any]]:
    """A group-mode stack following its group, deployed with the deployer role as the updates' role."""
    role = deploy_role(aws)["DeployerRoleArn"]
    created = aws.create_stack(
        "churn-follows", {**aws.group_mode(), "DeployOnApproval": "true", "DeploymentRoleArn": role}
    )
    assert created["StackStatus"] == "CREATE_COMPLETE"
    original = cfn_responses.CloudFormationResponse.update_stack

    def timed(self: cfn_responses.CloudFormationResponse) -> Any:
        UPDATES.append(time.monotonic())
        return original(self)

    UPDATES.clear()
    with mock.patch.object(cfn_responses.CloudFormationResponse, "update_stack", timed):
        yield created


def state_change(status: str, package: str, group: str = GROUP) -> dict[str, Any]:
    """The EventBridge event as the SQS record Lambda hands the updater."""
    event = {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "SageMaker Model Package State Change",
        "source": "aws.sagemaker", "account": MOTO_ACCOUNT, "time": "2026-11-25T14:00:00Z", "region": REGION,
        "resources": [package],
        "detail": {"ModelPackageGroupName": group, "ModelPackageArn": package, "ModelApprovalStatus": status},
    }  # fmt: skip
    return {
        "messageId": str(uuid.uuid4()),
        "body": json.dumps(event),
        "attributes": {"MessageGroupId": "churn-follows", "MessageDeduplicationId": event["id"]},
        "eventSource": "aws:sqs",
    }


def run_updater(aws: LocalAws, record: dict[str, Any]) -> tuple[dict[str, Any], str, float]:
    """(what the handler returned, its log, when it was invoked) for one SQS batch of one message."""
    functions = aws.client("lambda").list_functions()["Functions"]
    (function,) = [f for f in functions if f["FunctionName"].startswith("sagemaker-endpoint-updater-")]
    env = aws.client("lambda").get_function_configuration(FunctionName=function["FunctionName"])["Environment"]
    code = aws.runtime.sandbox.unpack(aws.resolver_zip.read_bytes(), "updater")
    started = time.monotonic()
    run = aws.runtime.sandbox.invoke(code, UPDATER, {"Records": [record]}, {**aws.runtime.aws_env, **env["Variables"]},
                                     region=REGION, function_name=function["FunctionName"])  # fmt: skip
    return handler_result(run), run.stderr, started


def serving(aws: LocalAws) -> str:
    stack = aws.client("cloudformation").describe_stacks(StackName="churn-follows")["Stacks"][0]
    return outputs(stack)["ModelPackageArn"]


def set_status(status: str) -> None:
    """Hold the stack in a state, as a long blue/green update or a failed rollback would."""
    backend = cfn_models.cloudformation_backends[MOTO_ACCOUNT][REGION]
    (stack,) = [s for s in backend.stacks.values() if s.name == "churn-follows"]
    stack.status = status


def test_approving_v4_deploys_it_through_the_stacks_own_update(aws: LocalAws, stack: dict[str, Any]) -> None:
    sagemaker = aws.client("sagemaker")
    endpoint = outputs(stack)["EndpointName"]
    before = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")

    result, log, _ = run_updater(aws, state_change("Approved", aws.versions[3]))

    assert result == {"batchItemFailures": []}, log
    assert serving(aws) == aws.versions[3]
    after = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    assert after != before
    config = sagemaker.describe_endpoint_config(EndpointConfigName=after)
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["PrimaryContainer"]["ModelPackageName"] == aws.versions[3]
    stack_now = aws.client("cloudformation").describe_stacks(StackName="churn-follows")["Stacks"][0]
    token = {p["ParameterKey"]: p["ParameterValue"] for p in stack_now["Parameters"]}["PackageResolutionToken"]
    assert token.startswith("approval-")
    assert f"update: deploying {aws.versions[3]} after Approved of {aws.versions[3]}" in log


@pytest.mark.usefixtures("stack")
def test_rejecting_the_served_version_rolls_back_to_the_newest_still_approved(aws: LocalAws) -> None:
    sagemaker = aws.client("sagemaker")
    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")
    run_updater(aws, state_change("Approved", aws.versions[3]))
    assert serving(aws) == aws.versions[3]

    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Rejected")
    result, log, _ = run_updater(aws, state_change("Rejected", aws.versions[3]))

    assert result == {"batchItemFailures": []}, log
    assert serving(aws) == aws.versions[2]

    other = state_change("Rejected", aws.versions[0])  # not served: nothing to do
    sagemaker.update_model_package(ModelPackageArn=aws.versions[0], ModelApprovalStatus="Rejected")
    updates = len(UPDATES)
    _, log, _ = run_updater(aws, other)
    assert (len(UPDATES), serving(aws)) == (updates, aws.versions[2])
    assert f"was rejected, but the endpoint serves {aws.versions[2]}: nothing to do" in log


def test_rejecting_every_version_changes_nothing_and_logs_an_error(aws: LocalAws, stack: dict[str, Any]) -> None:
    sagemaker = aws.client("sagemaker")
    for version in aws.versions:
        sagemaker.update_model_package(ModelPackageArn=version, ModelApprovalStatus="Rejected")
    endpoint = outputs(stack)["EndpointName"]
    config = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]

    result, log, _ = run_updater(aws, state_change("Rejected", aws.versions[2]))

    assert result == {"batchItemFailures": []}
    assert UPDATES == []
    assert (serving(aws), sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]) == (
        aws.versions[2],
        config,
    )
    assert (
        f"[ERROR] ignore: nothing in the group is Approved after Rejected of {aws.versions[2]}: "
        f"the endpoint keeps serving {aws.versions[2]}; approve a version to deploy it" in log
    )


@pytest.mark.usefixtures("stack")
def test_a_burst_of_approvals_while_updating_waits_then_deploys_the_newest_once(aws: LocalAws) -> None:
    sagemaker = aws.client("sagemaker")
    newer = [sagemaker.create_model_package(ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved",
             InferenceSpecification=sagemaker.describe_model_package(ModelPackageName=aws.versions[0])[
                 "InferenceSpecification"])["ModelPackageArn"] for _ in range(3)]  # fmt: skip
    burst = [state_change("Approved", arn) for arn in newer]
    set_status("UPDATE_IN_PROGRESS")

    waiting = [run_updater(aws, record)[0] for record in burst[:1]]  # FIFO: the group's head blocks the rest

    assert waiting == [{"batchItemFailures": [{"itemIdentifier": burst[0]["messageId"]}]}]
    assert UPDATES == []
    set_status("UPDATE_COMPLETE")
    results = [run_updater(aws, record) for record in burst]  # the visibility timeout passed; in order

    assert [r[0] for r in results] == [{"batchItemFailures": []}] * 3
    assert len(UPDATES) == 1  # the first deploys the newest; the others find it already served
    assert serving(aws) == newer[-1]
    assert "the endpoint already serves the newest Approved package" in results[2][1]


@pytest.mark.usefixtures("stack")
def test_a_stack_that_needs_a_person_sends_the_change_to_the_dead_letter_queue(aws: LocalAws) -> None:
    sagemaker = aws.client("sagemaker")
    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")
    set_status("UPDATE_ROLLBACK_FAILED")
    record = state_change("Approved", aws.versions[3])

    result, log, _ = run_updater(aws, record)

    assert result == {"batchItemFailures": []}  # handled: off the queue, into the dead-letter queue
    assert UPDATES == []
    sqs = aws.client("sqs")
    (url,) = [u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-dlq.fifo")]
    (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert message["Body"] == record["body"]
    assert "the stack is UPDATE_ROLLBACK_FAILED and needs a person: fix the cause in the stack events, then " \
           "`aws cloudformation continue-update-rollback`" in log  # fmt: skip


@pytest.mark.bench
@pytest.mark.usefixtures("stack")
def test_latency_from_delivery_to_the_update_call(aws: LocalAws) -> None:
    """The figure docs/benchmarks.md quotes: median of 5 approvals, each a real update. A benchmark, so `make bench`
    runs it, not `make test`."""
    sagemaker = aws.client("sagemaker")
    spec = sagemaker.describe_model_package(ModelPackageName=aws.versions[0])["InferenceSpecification"]
    latencies = []
    for _ in range(5):
        arn = sagemaker.create_model_package(ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved",
                                             InferenceSpecification=spec)["ModelPackageArn"]  # fmt: skip
        _, log, started = run_updater(aws, state_change("Approved", arn))
        assert serving(aws) == arn, log
        latencies.append(UPDATES[-1] - started)
    each = ", ".join(f"{latency:.2f}" for latency in latencies)
    print(f"delivery to UpdateStack: median {statistics.median(latencies):.2f} s over 5 ({each})")
    assert len(UPDATES) == 5
