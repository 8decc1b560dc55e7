"""What moto 5.2.5 needs bent for a central registry serving a workload account. Test code only; each bend says
what AWS does, with its source, and is undone when the context ends.

- SageMaker's group policy APIs (Get/Put/DeleteModelPackageGroupPolicy) are missing. They are kept here, per
  account, Region and group. A group without a policy answers ValidationException, as the API reference's common
  errors allow (the share only relies on the code).
- moto answers every SageMaker call from the caller's own account, so another account's group by ARN looks empty.
  AWS answers it from the owner's registry when the group's resource policy allows the caller's account (SageMaker
  Developer Guide, "Deploy a Model Version from a Different Account"); here the owner's backend answers when a
  policy statement names the caller's account root and allows the action, and the call is refused otherwise.
- `AWS::Events::EventBusPolicy` is not a resource moto's CloudFormation knows: it is added (bends.EXTRA_MODELS),
  writing its statement on the bus as PutPermission would.
- A rule's event-bus target in another account: moto delivers without asking the receiving bus, and stamps the
  event with the receiving account. AWS delivers only what the receiving bus's policy admits, and the event keeps
  the sender's account, which is how the receiver's rules match it (EventBridge User Guide, "Sending and receiving
  events between AWS accounts": "In the receiver account, set up one or more rules that match events from the
  sender account").
- `AWS::SQS::QueuePolicy` is not a resource moto's CloudFormation knows (it warns and skips it): it is added,
  setting the policy on each queue as SetQueueAttributes' `Policy` would, so that a delivery to a queue is decided
  by that policy (AWS::SQS::QueuePolicy, CloudFormation Template Reference: "The policy document that contains the
  permissions for the specified Amazon SQS queues").
- A refused cross-account delivery: moto has no target dead-letter queues. EventBridge sends an event it cannot
  deliver, at once when the target refuses it, to the target's DeadLetterConfig queue, when that queue's policy
  lets EventBridge send for the rule, with RULE_ARN, TARGET_ARN, ERROR_CODE and ERROR_MESSAGE among its message
  attributes (EventBridge User Guide, "Using dead-letter queues to process undelivered events": "for errors that
  result from missing permissions to a target ... no retry attempts will happen"; "Each message in your DLQ will
  include the following custom attributes"). Which ERROR_CODE a refusing bus gives is not documented: NO_PERMISSIONS
  stands here. What reaches neither is counted, as InvocationsFailedToBeSentToDlq would count it.
- A target without an InputTransformer: moto passes it its own default template, which leaves out `account`.
  EventBridge passes the whole event (EventBridge User Guide, "Amazon EventBridge events": the event structure
  a target receives includes `account`).
- An SQS FIFO target: moto converts the event's `time` from a number, but a forwarded event's is already the string
  EventBridge writes; here it is kept. As moto does, and as AWS requires ("If you specify a fair or FIFO queue as a
  target, the queue must have content-based deduplication enabled.", EventBridge API Reference, Target), a FIFO
  queue without content-based deduplication gets nothing; one with it deduplicates by the body.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.core.common_models import CloudFormationModel
from moto.core.utils import iso_8601_datetime_without_milliseconds, utcfromtimestamp
from moto.events.models import EventBusPolicyStatement, Rule, events_backends
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sqs.models import sqs_backends
from moto.utilities.arns import parse_arn

from tests.support.iam_eval import allows
from tests.support.moto.bends import EXTRA_MODELS

GROUP_POLICIES: dict[tuple[str, str, str], str] = {}  # (account, Region, group name) -> the policy as put
DENIED_DELIVERIES: list[str] = []  # "<rule ARN> -> <bus ARN>" that a receiving bus's policy refused
LOST_DELIVERIES: list[str] = []  # refused, and with no dead-letter queue that would take them


@contextmanager
def cross_account_moto() -> Iterator[None]:
    GROUP_POLICIES.clear()
    DENIED_DELIVERIES.clear()
    LOST_DELIVERIES.clear()
    with ExitStack() as patches:
        for name, method in (("get_model_package_group_policy", _get_policy),
                             ("put_model_package_group_policy", _put_policy),
                             ("delete_model_package_group_policy", _delete_policy)):  # fmt: skip
            patches.enter_context(mock.patch.object(SageMakerResponse, name, method, create=True))
        for name, action in (("list_model_packages", "sagemaker:ListModelPackages"),
                             ("describe_model_package_group", "sagemaker:DescribeModelPackageGroup")):  # fmt: skip
            original = getattr(SageMakerModelBackend, name)
            patches.enter_context(mock.patch.object(SageMakerModelBackend, name, _from_owner(original, action)))
        patches.enter_context(mock.patch.dict(EXTRA_MODELS, {_EventBusPolicy.cloudformation_type(): _EventBusPolicy}))
        patches.enter_context(mock.patch.dict(EXTRA_MODELS, {_QueuePolicy.cloudformation_type(): _QueuePolicy}))
        patches.enter_context(mock.patch.object(Rule, "send_to_targets", _send_to_targets))
        patches.enter_context(mock.patch.object(Rule, "_send_to_sqs_queue", _send_to_fifo_queue))
        yield


def _group_key(response: SageMakerResponse) -> tuple[str, str, str]:
    name = str(response._get_param("ModelPackageGroupName")).rsplit("/", 1)[-1]
    response.sagemaker_backend.describe_model_package_group(name)  # a missing group answers as AWS does
    return response.current_account, response.region, name


def _get_policy(self: SageMakerResponse) -> str:
    key = _group_key(self)
    if key not in GROUP_POLICIES:
        raise ValidationError(message=f"Model package group {key[2]} has no resource policy.")
    return json.dumps({"ResourcePolicy": GROUP_POLICIES[key]})


def _put_policy(self: SageMakerResponse) -> str:
    key = _group_key(self)
    GROUP_POLICIES[key] = str(self._get_param("ResourcePolicy"))
    group = self.sagemaker_backend.describe_model_package_group(key[2])
    return json.dumps({"ModelPackageGroupArn": group.arn})


def _delete_policy(self: SageMakerResponse) -> str:
    GROUP_POLICIES.pop(_group_key(self), None)
    return "{}"


def _from_owner(original: Any, action: str) -> Any:
    def call(self: SageMakerModelBackend, *args: Any, **kwargs: Any) -> Any:
        group = str(kwargs.get("model_package_group_name") or (args[0] if args else ""))
        if not group.startswith("arn:") or parse_arn(group).account == self.account_id:
            return original(self, *args, **kwargs)
        owner, name = parse_arn(group).account, group.rsplit("/", 1)[-1]
        resource = group if action.endswith("Group") else group.replace("-group/", "/") + "/*"
        statements = json.loads(GROUP_POLICIES.get((owner, self.region_name, name), '{"Statement": []}'))["Statement"]
        root = f"arn:aws:iam::{self.account_id}:root"
        mine = [s for s in statements if root in _principals(s)]
        if not allows(mine, action, resource):
            raise ValidationError(message=f"User: {root} is not authorized to perform: {action} on resource: {group}")
        return original(sagemaker_backends[owner][self.region_name], *args, **kwargs)

    return call


def _principals(statement: dict[str, Any]) -> list[str]:
    given = statement.get("Principal", {}).get("AWS", [])
    return [given] if isinstance(given, str) else list(given)


class _EventBusPolicy(CloudFormationModel):
    """AWS::Events::EventBusPolicy: one statement (StatementId, Statement) on a bus of the stack's account."""

    def __init__(self, account_id: str, region_name: str, bus_name: str, sid: str) -> None:
        self.account_id, self.region_name, self.bus_name, self.sid = account_id, region_name, bus_name, sid

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Events::EventBusPolicy"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, _resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_kwargs: Any
    ) -> _EventBusPolicy:
        properties = cloudformation_json["Properties"]
        bus_name, sid = properties.get("EventBusName", "default"), properties["StatementId"]
        bus = events_backends[account_id][region_name].describe_event_bus(bus_name)
        bus._statements[sid] = EventBusPolicyStatement.from_dict({**properties["Statement"], "Sid": sid})
        return cls(account_id, region_name, bus_name, sid)

    @property
    def physical_resource_id(self) -> str:
        return self.sid

    def delete(self, account_id: str, region_name: str) -> None:
        events_backends[account_id][region_name].describe_event_bus(self.bus_name).remove_statement(self.sid)


class _QueuePolicy(CloudFormationModel):
    """AWS::SQS::QueuePolicy: one policy document on the queues given by URL, in the stack's account."""

    def __init__(self, account_id: str, region_name: str, queue_names: list[str]) -> None:
        self.account_id, self.region_name, self.queue_names = account_id, region_name, queue_names

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, _resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_kwargs: Any
    ) -> _QueuePolicy:
        properties = cloudformation_json["Properties"]
        names = [str(url).rsplit("/", 1)[-1] for url in properties["Queues"]]
        for name in names:
            sqs_backends[account_id][region_name].queues[name].policy = json.dumps(properties["PolicyDocument"])
        return cls(account_id, region_name, names)

    @property
    def physical_resource_id(self) -> str:
        return ",".join(self.queue_names)

    def delete(self, account_id: str, region_name: str) -> None:
        for name in self.queue_names:
            queue = sqs_backends[account_id][region_name].queues.get(name)
            if queue is not None:
                queue.policy = None


_send = Rule.send_to_targets


def _send_to_targets(self: Rule, event: Any, transform_input: bool = True) -> None:
    """Another account's bus: deliver as AWS would (its policy asked, the sender's account kept); the rest: moto."""
    if not self.event_pattern.matches_event(event):
        return
    elsewhere = [
        t for t in self.targets if ":event-bus/" in t["Arn"] and parse_arn(t["Arn"]).account != self.account_id
    ]
    for target in elsewhere:
        _forward(self, target, event)
    kept = self.targets
    self.targets = [t for t in kept if t not in elsewhere]
    whole_event = not any("InputTransformer" in t for t in self.targets)
    try:
        _send(self, event, transform_input and not whole_event)
    finally:
        self.targets = kept


def _forward(rule: Rule, target: dict[str, Any], event: Any) -> None:
    bus_arn = target["Arn"]
    where = parse_arn(bus_arn)
    bus = events_backends[where.account][where.region].describe_event_bus(where.resource_id)
    statements = json.loads(bus.policy or '{"Statement": []}')["Statement"]
    sender = f"arn:aws:iam::{rule.account_id}:root"
    context = {"events:source": event["source"], "events:detail-type": event["detail-type"], "aws:SourceArn": rule.arn}
    admitted = [s for s in statements if sender in _principals(s)]
    if not allows(admitted, "events:PutEvents", bus.arn, context):
        DENIED_DELIVERIES.append(f"{rule.arn} -> {bus_arn}")
        _dead_letter(rule, target, event)
        return
    for receiving in list(bus.rules.values()):
        receiving.send_to_targets(copy.deepcopy(event))


def _dead_letter(rule: Rule, target: dict[str, Any], event: Any) -> None:
    queue_arn = target.get("DeadLetterConfig", {}).get("Arn", "")
    queue = parse_arn(queue_arn) if queue_arn else None
    backend = sqs_backends[queue.account][queue.region] if queue else None
    found = backend.queues.get(queue.resource_id) if backend and queue else None
    statements = json.loads(found.policy or '{"Statement": []}')["Statement"] if found else []
    admitted = [s for s in statements if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    if not found or not backend or not allows(admitted, "sqs:SendMessage", queue_arn, {"aws:SourceArn": rule.arn}):
        LOST_DELIVERIES.append(f"{rule.arn} -> {target['Arn']}")
        return
    attributes = {"RULE_ARN": rule.arn, "TARGET_ARN": target["Arn"], "ERROR_CODE": "NO_PERMISSIONS",
                  "ERROR_MESSAGE": "The receiving event bus's policy does not admit the sender."}  # fmt: skip
    backend.send_message(
        queue_name=found.name,
        message_body=json.dumps(_with_string_time(event)),
        message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )


def _with_string_time(event: dict[str, Any]) -> dict[str, Any]:
    if "time" in event and not isinstance(event["time"], str):
        event = {**event, "time": iso_8601_datetime_without_milliseconds(utcfromtimestamp(int(float(event["time"]))))}
    return event


def _send_to_fifo_queue(self: Rule, resource_id: str, event: dict[str, Any], group_id: str | None = None) -> None:
    """EventBridge sends no deduplication id: a FIFO target must deduplicate by content (API reference,
    Target.SqsParameters: "If you specify an SQS FIFO queue as a target, the queue must have content-based
    deduplication enabled.")."""
    event = _with_string_time(event)
    sqs = sqs_backends[self.account_id][self.region_name]
    attributes = sqs.get_queue_attributes(queue_name=resource_id, attribute_names=["ContentBasedDeduplication"])
    if group_id and attributes.get("ContentBasedDeduplication") != "true":
        DENIED_DELIVERIES.append(f"{self.arn} -> {resource_id}: a FIFO queue without content-based deduplication")
        return
    sqs.send_message(queue_name=resource_id, message_body=json.dumps(event), group_id=group_id)
