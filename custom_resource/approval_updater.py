"""The approval updater: the stack's EventBridge rule puts each approval or rejection of its model package group
in a FIFO queue; this Lambda takes them one at a time and updates its own stack with a new resolution token, so
the resolver deploys the group's newest Approved package through the endpoint's blue/green update.

It never changes the template (UsePreviousTemplate) nor any other parameter, and never deletes anything: a
registry change that leaves nothing approved changes nothing. A busy stack means "later" (the message returns
after the queue's visibility timeout); a stack that needs a person sends the message to the dead-letter queue.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError

from custom_resource.latest_approved import ResolutionError, latest_approved_package

TOKEN = "PackageResolutionToken"
SERVED = "ModelPackageArn"  # the stack output naming the package the endpoint serves
STACK_SET_PREFIX = "StackSet-"  # how CloudFormation names the stacks of a StackSet's instances
NEEDS_A_PERSON = {
    "UPDATE_ROLLBACK_FAILED": "fix the cause in the stack events, then `aws cloudformation continue-update-rollback`",
    "ROLLBACK_FAILED": "the stack never deployed: delete it and deploy again",
    "ROLLBACK_COMPLETE": "the stack never deployed: delete it and deploy again",
    "DELETE_FAILED": "finish or retry the delete",
    "UPDATE_FAILED": "the last update failed with rollback disabled: fix it and update the stack",
}
logger = logging.getLogger()
logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class Decision:
    action: Literal["update", "ignore", "retry", "dead-letter"]
    reason: str
    needs_attention: bool = False  # logged as an error: a person should act


def decide(change: str, package: str, stack_status: str, serving: str | None, newest: str | None) -> Decision:
    """What to do about one registry change, given the stack and the group's newest Approved package."""
    if stack_status.endswith("_IN_PROGRESS"):
        return Decision("retry", f"the stack is {stack_status}; the change is retried when it settles")
    if stack_status in NEEDS_A_PERSON:
        return Decision(
            "dead-letter", f"the stack is {stack_status} and needs a person: {NEEDS_A_PERSON[stack_status]}", True
        )
    if change == "Rejected" and package != serving:
        return Decision("ignore", f"{package} was rejected, but the endpoint serves {serving}: nothing to do")
    if newest is None:
        return Decision(
            "ignore",
            f"nothing in the group is Approved after {change} of {package}: the endpoint keeps serving {serving}; "
            "approve a version to deploy it",
            True,
        )
    if newest == serving:
        return Decision("ignore", f"the endpoint already serves the newest Approved package, {newest}")
    return Decision("update", f"deploying {newest} after {change} of {package}")


class Busy(Exception):
    """The stack cannot be updated now; the message is to be tried again later."""


@dataclass(frozen=True)
class Settings:
    stack_id: str
    deployment_role_arn: str
    group: str
    dead_letter_queue_url: str
    alarm_topic_arn: str = ""  # empty: what needs a person is only logged

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            os.environ["STACK_ID"],
            os.environ["DEPLOYMENT_ROLE_ARN"],
            os.environ["MODEL_PACKAGE_GROUP_NAME"],
            os.environ["DEAD_LETTER_QUEUE_URL"],
            os.environ.get("ALARM_TOPIC_ARN", ""),
        )


def handle(record: dict[str, Any], settings: Settings, clients: Any) -> Decision:
    """One queue message: an EventBridge "SageMaker Model Package State Change" event."""
    event = json.loads(record["body"])
    detail = event["detail"]
    change, package = detail["ModelApprovalStatus"], detail["ModelPackageArn"]
    (stack,) = clients("cloudformation").describe_stacks(StackName=settings.stack_id)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
    serving = outputs.get(SERVED)
    if not stack["StackStatus"].endswith("_IN_PROGRESS") and outputs.get("EndpointName"):
        _check_serving(clients, settings.stack_id, outputs["EndpointName"])
    try:
        newest: str | None = latest_approved_package(clients("sagemaker"), settings.group).arn
    except ResolutionError as error:
        logger.warning("%s", error)
        newest = None
    decision = decide(change, package, stack["StackStatus"], serving, newest)
    if decision.action == "update" and stack["StackName"].startswith(STACK_SET_PREFIX):
        decision = Decision("ignore", f"stack {stack['StackName']} belongs to a StackSet, whose instances change only "
                            f"through it: {decision.reason} is left to the StackSet (sagemaker-endpoint promote or "
                            "fleet tooling)", True)  # fmt: skip
    if decision.action == "update":
        _update(clients("cloudformation"), stack, settings, event["id"])
    elif decision.action == "dead-letter":
        clients("sqs").send_message(
            QueueUrl=settings.dead_letter_queue_url,
            MessageBody=record["body"],
            MessageGroupId=record["attributes"]["MessageGroupId"],
            MessageDeduplicationId=event["id"],
        )
    if decision.needs_attention and settings.alarm_topic_arn:
        _tell_a_person(clients("sns"), settings, stack["StackName"], package=package, change=change, decision=decision)
    return decision


def _check_serving(clients: Any, stack_id: str, endpoint: str) -> None:
    """Log, as an error, an endpoint that SageMaker rolled back by itself after its stack's last update: the stack
    then names a config (and a package) the endpoint does not serve."""
    detail = clients("cloudformation").describe_stack_resource(StackName=stack_id, LogicalResourceId="EndpointConfig")
    expected = str(detail["StackResourceDetail"]["PhysicalResourceId"]).rsplit("/", 1)[-1]
    served = clients("sagemaker").describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    if served != expected:
        logger.error(
            "check: endpoint %s serves %s, not the stack's %s: SageMaker rolled the last update back by itself "
            "(a rollback alarm or a failed health check); the stack's ModelPackageArn output is not what is served",
            endpoint,
            served,
            expected,
        )


def _tell_a_person(
    sns: Any, settings: Settings, stack_name: str, *, package: str, change: str, decision: Decision
) -> None:
    """One message to the alarm topic: which stack, which package, what happened and what to do."""
    sns.publish(
        TopicArn=settings.alarm_topic_arn,
        Subject=f"sagemaker-endpoint: stack {stack_name} needs a person"[:100],  # SNS's limit for a subject
        Message=(
            f"Stack: {stack_name} ({settings.stack_id})\n"
            f"Model package: {package} ({change})\n"
            f"Decision: {decision.action}\n"
            f"What happened and what to do: {decision.reason}\n"
        ),
    )


def _update(cloudformation: Any, stack: dict[str, Any], settings: Settings, event_id: str) -> None:
    keep = [{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in stack.get("Parameters") or []]
    parameters = [p for p in keep if p["ParameterKey"] != TOKEN]
    parameters.append({"ParameterKey": TOKEN, "ParameterValue": f"approval-{event_id}"})
    try:
        cloudformation.update_stack(
            StackName=settings.stack_id,
            UsePreviousTemplate=True,
            Parameters=parameters,
            RoleARN=settings.deployment_role_arn,
            Capabilities=["CAPABILITY_IAM"],
            ClientRequestToken=f"approval-{event_id}",
        )
    except ClientError as error:
        message = error.response["Error"].get("Message", "")
        if "No updates are to be performed" in message:
            return
        if "can not be updated" in message or "_IN_PROGRESS" in message:
            raise Busy(message) from error
        raise


@cache
def _client(service: str) -> Any:
    return boto3.client(service)  # type: ignore[call-overload]


def lambda_handler(event: dict[str, Any], _context: object) -> dict[str, list[dict[str, str]]]:
    """SQS batch (one message): a message to retry is reported as a batch item failure."""
    settings, failures = Settings.from_environment(), []
    for record in event["Records"]:
        try:
            decision = handle(record, settings, _client)
        except Busy as busy:
            decision = Decision("retry", str(busy))
        log = logger.error if decision.needs_attention else logger.info
        log("%s: %s (message %s)", decision.action, decision.reason, record["messageId"])
        if decision.action == "retry":
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
