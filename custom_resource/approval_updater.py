"""The approval updater: the stack's EventBridge rules put each approval or rejection of its model package group,
and each end of its own updates, in one FIFO queue; this Lambda takes them one at a time.

An approval or a rejection updates the stack with a new resolution token, so the resolver deploys the group's newest
Approved package through the endpoint's blue/green update. It never changes the template (UsePreviousTemplate) nor
any other parameter: a registry change that leaves nothing approved changes nothing. A busy stack means "later"
(the message returns after the queue's visibility timeout); a stack that needs a person sends the message to the
dead-letter queue.

UpdateStack only starts an update. How it ended comes back as CloudFormation's "Stack Status Change" event: a failed
update is told to a person; a completed one is checked against what the endpoint serves (SageMaker can roll an
update back by itself) and only then are the Models and EndpointConfigs the stack retained removed. An inference
component's stack (inference-component.yaml, whose outputs name its component) is checked the same way against the
model its component serves, and only its retained Models are removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from custom_resource.contract import (
    RESOLUTION_TOKEN_PARAMETER,
    STACK_STATUS_DETAIL_TYPE,
    STACK_STATUS_SOURCE,
    UPDATE_FAILURES,
    UPDATE_SUCCEEDED,
    ComponentLogicalIds,
    ComponentOutputs,
    LogicalIds,
    Outputs,
    Updater,
)
from custom_resource.latest_approved import ResolutionError, latest_approved_package
from custom_resource.retained import remove_unserved, remove_unserved_models

Clients = Callable[..., Any]  # clients(service) or clients(service, region): a boto3 client
STACK_SET_PREFIX = "StackSet-"  # how CloudFormation names the stacks of a StackSet's instances
TOKEN_PREFIX = "approval-"
# CloudFormation's ClientRequestToken: [a-zA-Z0-9][-a-zA-Z0-9]*, at most 128 characters, with the prefix.
TOKEN_SAFE_ID = re.compile(r"[-a-zA-Z0-9]{1,119}")
SUBJECT_LENGTH = 99  # SNS Publish: a subject "less than 100 characters long", no line breaks or control characters
CONTINUE_ROLLBACK = "fix the cause in the stack events, then `aws cloudformation continue-update-rollback`"
NEVER_DEPLOYED = "the stack never deployed: delete it and deploy again"
NEEDS_A_PERSON = {
    "UPDATE_ROLLBACK_FAILED": CONTINUE_ROLLBACK,
    "ROLLBACK_FAILED": NEVER_DEPLOYED,
    "ROLLBACK_COMPLETE": NEVER_DEPLOYED,
    "CREATE_FAILED": "the stack was created with rollback disabled and failed: fix the cause, then "
    "`aws cloudformation rollback-stack`, or delete it and deploy again",
    "DELETE_FAILED": "finish or retry the delete",
    "UPDATE_FAILED": "the last update failed with rollback disabled: fix it and update the stack",
    "IMPORT_ROLLBACK_FAILED": "a resource import failed and so did its rollback: fix the resources the stack events "
    "name, then roll the stack back",
}
AFTER_ROLLBACK = (
    "the stack is back on what it served before; deploy again once the cause is fixed "
    "(sagemaker-endpoint deploy --resolve-latest)"
)
logger = logging.getLogger()
logger.setLevel(logging.INFO)

Action = Literal["update", "ignore", "retry", "dead-letter", "tell-a-person", "clean-up"]


@dataclass(frozen=True)
class Decision:
    action: Action
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


def decide_failed_update(status: str, reason: str, token: str) -> Decision:
    """An update of the stack ended in a failure: whose update it was, CloudFormation's reason, and what to do."""
    whose = f"the update for approval event {token.removeprefix(TOKEN_PREFIX)}" if token.startswith(TOKEN_PREFIX) else (
        "the last update"
    )  # fmt: skip
    fix = AFTER_ROLLBACK if status == "UPDATE_ROLLBACK_COMPLETE" else NEEDS_A_PERSON[status]
    return Decision("tell-a-person", f"{whose} ended {status} ({reason or 'no reason given'}): {fix}", True)


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
        """What the endpoint template sets on the function (custom_resource.contract.Updater.Environment)."""
        return cls(
            os.environ[Updater.Environment.STACK_ID],
            os.environ[Updater.Environment.DEPLOYMENT_ROLE_ARN],
            os.environ[Updater.Environment.MODEL_PACKAGE_GROUP_NAME],
            os.environ[Updater.Environment.DEAD_LETTER_QUEUE_URL],
            os.environ.get(Updater.Environment.ALARM_TOPIC_ARN, ""),
        )


def handle(record: dict[str, Any], settings: Settings, clients: Clients) -> Decision:
    """One queue message: a SageMaker "Model Package State Change" or a CloudFormation "Stack Status Change"."""
    event = json.loads(record["body"])
    if (event.get("source"), event.get("detail-type")) == (STACK_STATUS_SOURCE, STACK_STATUS_DETAIL_TYPE):
        return handle_stack_status(event["detail"], settings, clients)
    return handle_registry_change(record, event, settings, clients)


def handle_registry_change(
    record: dict[str, Any], event: dict[str, Any], settings: Settings, clients: Clients
) -> Decision:
    detail = event["detail"]
    change, package = detail["ModelApprovalStatus"], detail["ModelPackageArn"]
    (stack,) = clients("cloudformation").describe_stacks(StackName=settings.stack_id)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
    serving = outputs.get(Outputs.MODEL_PACKAGE_ARN)  # the package the endpoint serves, as the stack says
    if not stack["StackStatus"].endswith("_IN_PROGRESS") and outputs.get(ComponentOutputs.INFERENCE_COMPONENT_NAME):
        _check_component(clients, settings.stack_id, outputs[ComponentOutputs.INFERENCE_COMPONENT_NAME])
    elif not stack["StackStatus"].endswith("_IN_PROGRESS") and outputs.get(Outputs.ENDPOINT_NAME):
        _check_serving(clients, settings.stack_id, outputs[Outputs.ENDPOINT_NAME])
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
    if decision.action == "update" and not _update(clients("cloudformation"), stack, settings, event["id"]):
        decision = Decision(
            "ignore", f"this event was already applied: UpdateStack knows its token {token(event['id'])}"
        )
    elif decision.action == "dead-letter":
        clients("sqs").send_message(
            QueueUrl=settings.dead_letter_queue_url,
            MessageBody=record["body"],
            MessageGroupId=record["attributes"]["MessageGroupId"],
            MessageDeduplicationId=event["id"],
        )
    if decision.needs_attention:
        _tell_a_person(clients, settings, stack["StackName"], f"Model package: {package} ({change})", decision)
    return decision


def handle_stack_status(detail: dict[str, Any], settings: Settings, clients: Clients) -> Decision:
    """The end of an update of this stack (the rule matches only this stack's id and these statuses)."""
    status = detail["status-details"]["status"]
    if detail["stack-id"] != settings.stack_id or status not in (UPDATE_SUCCEEDED, *UPDATE_FAILURES):
        return Decision("ignore", f"{status} of stack {detail['stack-id']}: not an end of this stack's updates")
    if status == UPDATE_SUCCEEDED:
        decision = _check_then_clean_up(settings, clients)
    else:
        reason = _first_failure(clients("cloudformation"), settings.stack_id) or detail["status-details"].get(
            "status-reason", ""
        )
        decision = decide_failed_update(status, reason, detail.get("client-request-token", ""))
    if decision.needs_attention:
        stack_name = settings.stack_id.split("/")[1]  # arn:...:stack/<name>/<uuid>
        _tell_a_person(clients, settings, stack_name, f"Stack status: {status}", decision)
    return decision


def _first_failure(cloudformation: Any, stack_id: str) -> str:
    """The first resource that failed in the stack's last operation, with CloudFormation's reason: the cause. The
    stack's own end event says only that it rolled back (its reason is often empty). Events come newest first."""
    failures = []
    for event in cloudformation.describe_stack_events(StackName=stack_id)["StackEvents"]:
        if (
            event["PhysicalResourceId"] == stack_id
            and event["ResourceStatus"].endswith("_IN_PROGRESS")
            and (not event["ResourceStatus"].startswith(("UPDATE_ROLLBACK", "UPDATE_COMPLETE_CLEANUP")))
        ):
            break  # the start of the operation
        if event["ResourceStatus"].endswith("_FAILED") and event["PhysicalResourceId"] != stack_id:
            failures.append(
                f"{event['LogicalResourceId']} {event['ResourceStatus']}: {event.get('ResourceStatusReason', '')}"
            )
    return failures[-1] if failures else ""


def _check_then_clean_up(settings: Settings, clients: Clients) -> Decision:
    """After UPDATE_COMPLETE: the endpoint must serve the stack's EndpointConfig; only then is it safe to remove what
    the stack retained (custom_resource.retained), since a config SageMaker rolled back to must stay."""
    (stack,) = clients("cloudformation").describe_stacks(StackName=settings.stack_id)["Stacks"]
    if stack["StackStatus"].endswith("_IN_PROGRESS"):
        return Decision("ignore", f"the stack is {stack['StackStatus']} again: the end of that update is checked next")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}
    component = outputs.get(ComponentOutputs.INFERENCE_COMPONENT_NAME)
    if component:
        return _check_component_then_clean_up(settings, clients, stack, component)
    endpoint = outputs.get(Outputs.ENDPOINT_NAME)
    if not endpoint:
        return Decision("ignore", f"the stack has no {Outputs.ENDPOINT_NAME} output: no endpoint to check")
    served, expected = _configs(clients, settings.stack_id, endpoint)
    if served.lower() != expected.lower():
        return Decision("tell-a-person", f"the update completed, but {_silent_rollback(endpoint, served, expected)}; "
                        "nothing retained is removed", True)  # fmt: skip
    removed = remove_unserved(
        clients("sagemaker"), clients("resourcegroupstaggingapi"), stack_id=settings.stack_id,
        since=stack["CreationTime"], endpoint_name=endpoint, stack_config=served,
    )  # fmt: skip
    what = f"removed configs {removed.configs} and models {removed.models}" if removed else "nothing else to remove"
    return Decision("clean-up", f"endpoint {endpoint} serves the stack's {served}: {what}")


def _configs(clients: Clients, stack_id: str, endpoint: str) -> tuple[str, str]:
    """(the config the endpoint serves, the stack's own). The stack resource's physical id may be an ARN, whose
    name part SageMaker writes in lower case: compare the two without regard to case."""
    detail = clients("cloudformation").describe_stack_resource(
        StackName=stack_id, LogicalResourceId=LogicalIds.ENDPOINT_CONFIG
    )
    expected = str(detail["StackResourceDetail"]["PhysicalResourceId"]).rsplit("/", 1)[-1]
    served = str(clients("sagemaker").describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
    return served, expected


def _check_component_then_clean_up(
    settings: Settings, clients: Clients, stack: dict[str, Any], component: str
) -> Decision:
    """After UPDATE_COMPLETE of a component's stack: the component must serve the stack's Model, and be InService
    (while it updates, copies of an older model may still serve); only then are the Models the stack retained, and
    the component no longer serves, removed."""
    served, expected, status = _models(clients, settings.stack_id, component)
    if served.lower() != expected.lower():
        return Decision("tell-a-person", f"the update completed, but {_component_rollback(component, served, expected)}"
                        "; nothing retained is removed", True)  # fmt: skip
    if status != "InService":
        return Decision("ignore", f"component {component} is {status}: nothing retained is removed while copies of an "
                        "older model may still serve; the next update's end removes them")  # fmt: skip
    removed = remove_unserved_models(
        clients("sagemaker"), clients("resourcegroupstaggingapi"), stack_id=settings.stack_id,
        since=stack["CreationTime"], keep=served,
    )  # fmt: skip
    what = f"removed models {removed.models}" if removed else "nothing else to remove"
    return Decision("clean-up", f"component {component} serves the stack's model {served}: {what}")


def _models(clients: Clients, stack_id: str, component: str) -> tuple[str, str, str]:
    """(the model the component serves, the stack's own Model, the component's status); the Model's physical id may
    be an ARN."""
    detail = clients("cloudformation").describe_stack_resource(
        StackName=stack_id, LogicalResourceId=ComponentLogicalIds.MODEL
    )
    expected = str(detail["StackResourceDetail"]["PhysicalResourceId"]).rsplit("/", 1)[-1]
    described = clients("sagemaker").describe_inference_component(InferenceComponentName=component)
    return str(described["Specification"]["ModelName"]), expected, str(described["InferenceComponentStatus"])


def _component_rollback(component: str, served: str, expected: str) -> str:
    return (
        f"component {component} serves model {served}, not the stack's {expected}: SageMaker rolled the last update "
        "back by itself (a rollback alarm); the stack's ModelPackageArn output is not what is served"
    )


def _check_component(clients: Clients, stack_id: str, component: str) -> None:
    """Log, as an error, a component that SageMaker rolled back by itself after its stack's last update."""
    served, expected, _ = _models(clients, stack_id, component)
    if served.lower() != expected.lower():
        logger.error("check: %s", _component_rollback(component, served, expected))


def _silent_rollback(endpoint: str, served: str, expected: str) -> str:
    return (
        f"endpoint {endpoint} serves {served}, not the stack's {expected}: SageMaker rolled the last update back by "
        f"itself (a rollback alarm or a failed health check); the stack's {Outputs.MODEL_PACKAGE_ARN} output is not "
        "what is served"
    )


def _check_serving(clients: Clients, stack_id: str, endpoint: str) -> None:
    """Log, as an error, an endpoint that SageMaker rolled back by itself after its stack's last update."""
    served, expected = _configs(clients, stack_id, endpoint)
    if served.lower() != expected.lower():
        logger.error("check: %s", _silent_rollback(endpoint, served, expected))


def _tell_a_person(clients: Clients, settings: Settings, stack_name: str, about: str, decision: Decision) -> None:
    """One message to the alarm topic, from a client of the topic's own Region. A failure to publish is logged as an
    error (the updater's error alarm then tells the topic through CloudWatch) and never fails the message."""
    if not settings.alarm_topic_arn:
        return
    subject = f"sagemaker-endpoint: stack {stack_name} needs a person"
    try:
        clients("sns", settings.alarm_topic_arn.split(":")[3]).publish(
            TopicArn=settings.alarm_topic_arn,
            Subject="".join(c for c in subject if c.isprintable())[:SUBJECT_LENGTH],
            Message=(
                f"Stack: {stack_name} ({settings.stack_id})\n{about}\nDecision: {decision.action}\n"
                f"What happened and what to do: {decision.reason}\n"
            ),
        )
    except (ClientError, BotoCoreError) as error:
        logger.error("could not publish to %s (%s): %s", settings.alarm_topic_arn, error, decision.reason)


def token(event_id: str) -> str:
    """The update's ClientRequestToken and PackageResolutionToken: `approval-<event id>`, or a digest of an id that
    would not fit CloudFormation's token pattern (EventBridge documents the id as unique, not its alphabet)."""
    if TOKEN_SAFE_ID.fullmatch(event_id):
        return f"{TOKEN_PREFIX}{event_id}"
    return f"{TOKEN_PREFIX}{hashlib.sha256(event_id.encode()).hexdigest()[:40]}"


def _update(cloudformation: Any, stack: dict[str, Any], settings: Settings, event_id: str) -> bool:
    """UpdateStack with the previous template and values but a new token; False if this event's update was already
    requested (a redelivery or a redrive: CloudFormation knows the token)."""
    keep = [{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True} for p in stack.get("Parameters") or []]
    parameters = [p for p in keep if p["ParameterKey"] != RESOLUTION_TOKEN_PARAMETER]
    parameters.append({"ParameterKey": RESOLUTION_TOKEN_PARAMETER, "ParameterValue": token(event_id)})
    try:
        cloudformation.update_stack(
            StackName=settings.stack_id,
            UsePreviousTemplate=True,
            Parameters=parameters,
            RoleARN=settings.deployment_role_arn,
            Capabilities=["CAPABILITY_IAM"],
            ClientRequestToken=token(event_id),
        )
    except ClientError as error:
        message = error.response["Error"].get("Message", "")
        if error.response["Error"].get("Code") == "TokenAlreadyExistsException":
            return False
        if "No updates are to be performed" in message:
            return True
        if "can not be updated" in message or "_IN_PROGRESS" in message:
            raise Busy(message) from error
        raise
    return True


@cache
def _client(service: str, region: str | None = None) -> Any:
    return boto3.client(service, region_name=region)  # type: ignore[call-overload]


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
