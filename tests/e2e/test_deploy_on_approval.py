"""Deploy on approval on the local AWS: the stack with DeployOnApproval, and its updater run from the built zip
in a Lambda-like interpreter with the SQS batches Lambda would hand it (one FIFO message at a time). With moto sending
CloudFormation's stack status events (tests/support/moto/stack_status_events.py), the end of an update reaches the
updater through the stack's own rule and queue."""

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
from moto.sagemaker.models import sagemaker_backends

from generator.deploy import request as deploy_request
from tests.support.e2e import (
    GROUP,
    LocalAws,
    cli,
    deploy_role,
    outputs,
    stack_of,
)
from tests.support.lambda_runtime import handler_result
from tests.support.local_aws import REGION
from tests.support.moto.stack_status_events import stack_status_events

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


@pytest.fixture
def status_events(stack: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The stack, with CloudFormation's status events going to EventBridge from now on."""
    with stack_status_events():
        yield stack


def queued(aws: LocalAws) -> list[dict[str, Any]]:
    """The approval queue's messages, taken off it, as Lambda's SQS batches would hand them to the updater."""
    sqs = aws.client("sqs")
    (url,) = [u for u in sqs.list_queues()["QueueUrls"] if u.endswith(".fifo") and not u.endswith("-dlq.fifo")]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [{"messageId": m["MessageId"], "body": m["Body"], "attributes": m["Attributes"]} for m in messages]


def approve_and_update(aws: LocalAws) -> tuple[str, str, str]:
    """Approve v4 and let the updater update the stack: (the approval's event id, the config before, after)."""
    sagemaker = aws.client("sagemaker")
    endpoint = outputs(aws.client("cloudformation").describe_stacks(StackName="churn-follows")["Stacks"][0])[
        "EndpointName"
    ]
    before = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")
    approval = state_change("Approved", aws.versions[3])
    result, log, _ = run_updater(aws, approval)
    assert (result, serving(aws)) == ({"batchItemFailures": []}, aws.versions[3]), log
    after = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    return json.loads(approval["body"])["id"], before, after


def test_the_end_of_an_approvals_update_reaches_the_updater_which_removes_what_the_stack_retained(
    aws: LocalAws, status_events: dict[str, Any]
) -> None:
    """The stack's status rule takes the update's UPDATE_COMPLETE (with the approval's token) into the same FIFO queue;
    the updater finds the endpoint on the stack's new config and removes the old config and model it retained."""
    event_id, before, after = approve_and_update(aws)
    sagemaker = aws.client("sagemaker")
    old_model = sagemaker.describe_endpoint_config(EndpointConfigName=before)["ProductionVariants"][0]["ModelName"]

    (end,) = queued(aws)
    detail = json.loads(end["body"])["detail"]
    assert (detail["stack-id"], detail["status-details"]["status"]) == (status_events["StackId"], "UPDATE_COMPLETE")
    assert detail["client-request-token"] == f"approval-{event_id}"
    assert end["attributes"]["MessageGroupId"] == "stack"
    result, log, _ = run_updater(aws, end)

    assert result == {"batchItemFailures": []}, log
    assert f"clean-up: endpoint {outputs(status_events)['EndpointName']} serves the stack's {after}: removed configs " \
           f"['{before}'] and models ['{old_model}']" in log  # fmt: skip
    with pytest.raises(sagemaker.exceptions.ClientError):
        sagemaker.describe_endpoint_config(EndpointConfigName=before)
    assert sagemaker.describe_endpoint_config(EndpointConfigName=after)["EndpointConfigName"] == after


def test_an_update_sagemaker_rolled_back_by_itself_is_told_and_nothing_it_retained_is_removed(
    aws: LocalAws, status_events: dict[str, Any]
) -> None:
    """CloudFormation says UPDATE_COMPLETE while the endpoint went back to its old config (what SageMaker does when a
    rollback alarm fires; moto cannot fail a deployment): the old config must stay, and a person must know."""
    _, before, after = approve_and_update(aws)
    endpoint = outputs(status_events)["EndpointName"]
    sagemaker_backends[MOTO_ACCOUNT][REGION].endpoints[endpoint].endpoint_config_name = before

    (end,) = queued(aws)
    result, log, _ = run_updater(aws, end)

    assert result == {"batchItemFailures": []}
    assert f"[ERROR] tell-a-person: the update completed, but endpoint {endpoint} serves {before}, not the stack's " \
           f"{after}" in log  # fmt: skip
    assert aws.client("sagemaker").describe_endpoint_config(EndpointConfigName=before)["EndpointConfigName"] == before


@pytest.mark.usefixtures("status_events")
def test_an_update_that_rolls_back_reaches_the_updater_which_tells_a_person_why(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any update of the stack that fails (here a deploy naming a group that does not exist: the resolver fails and
    CloudFormation rolls back) ends as UPDATE_ROLLBACK_COMPLETE, which the status rule brings to the updater: its
    error line, which ApprovalUpdaterErrorsAlarm counts, names the resource that failed first and CloudFormation's
    reason. The command's live preflight would refuse the group first; it is stood aside, as a group deleted
    between the preflight and the update would pass it."""
    monkeypatch.setattr(deploy_request, "preflight", lambda *_a, **_k: None)
    run = cli(aws, "deploy", "--stack-name", "churn-follows", "--param", "ModelPackageGroupName=ghost")
    assert run.returncode == 1, run.stderr
    assert stack_of(aws, "churn-follows")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"

    (end,) = queued(aws)
    result, log, _ = run_updater(aws, end)

    assert result == {"batchItemFailures": []}
    assert "[ERROR] tell-a-person: the last update ended UPDATE_ROLLBACK_COMPLETE (LatestApprovedModelPackage " \
           "UPDATE_FAILED: Received response status [FAILED] from custom resource. Message returned: Model package " \
           "group 'ghost' does not exist in this account and Region" in log  # fmt: skip
    assert "the stack is back on what it served before; deploy again once the cause is fixed" in log
    assert serving(aws) == aws.versions[2]  # still what it served before


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
