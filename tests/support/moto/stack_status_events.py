"""CloudFormation's stack status events on EventBridge, which moto 5.2.5 never sends, and the SageMaker resources a
stack retains on replacement, which moto deletes. Test code; undone when the context ends.

- CloudFormation sends "CloudFormation Stack Status Change" events directly to EventBridge (EventBridge Events
  Reference, "AWS CloudFormation events": "AWS CloudFormation sends the following events directly to EventBridge",
  the list naming "CloudFormation Stack Status Change", "Delivery type: Durable"). moto writes a stack event for each
  status of a stack (`Stack._add_stack_event`) and puts nothing on a bus. Here each of those is also put on the
  account's default bus, shaped as the CloudFormation User Guide's "Stack Status Change event detail" prints it:
  `stack-id`, `status-details` (`status`, `status-reason`) and `client-request-token`.
- The token: "All events that are initiated by a given stack operation are assigned the same client request token"
  (same page). moto keeps no token, so the ClientRequestToken of the UpdateStack call under way is remembered here
  and given to the events that call causes; an operation without one sends none, as the event EventBridge delivered
  in tests/fixtures/events shows.
- UpdateReplacePolicy Retain: moto replaces a SageMaker Model or EndpointConfig by deleting the old one first,
  whatever the policy. CloudFormation "creates the replacement resource first, and then changes references from other
  dependent resources to point to the replacement resource. By default, CloudFormation then deletes the old
  resource." and the policy "retain[s] ... the existing physical instance of a resource when it's replaced"
  (CloudFormation Template Reference, "UpdateReplacePolicy attribute"). Here a resource whose policy is Retain is
  replaced without deleting the old one.
- The Resource Groups Tagging API answers an EndpointConfig's ResourceARN as a one-item list (moto keeps its `arn` as
  a tuple); the API model's `ResourceARN` is a string (botocore resourcegroupstaggingapi, `"type": "string"`). Here
  it is the ARN itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cloudformation.models import Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.resource_tagging import TaggedResource
from moto.events.models import events_backends
from moto.sagemaker.models import FakeEndpointConfig, Model, SageMakerModelBackend

SOURCE, DETAIL_TYPE = "aws.cloudformation", "CloudFormation Stack Status Change"
TOKENS: dict[str, str] = {}  # stack id -> the ClientRequestToken of the operation under way


@contextmanager
def stack_status_events() -> Iterator[None]:
    TOKENS.clear()
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(Stack, "_add_stack_event", _also_on_the_bus(Stack._add_stack_event)))
        patches.enter_context(
            mock.patch.object(CloudFormationResponse, "update_stack", _with_token(CloudFormationResponse.update_stack))
        )
        for kind in (FakeEndpointConfig, Model):
            update = kind.update_from_cloudformation_json
            patches.enter_context(mock.patch.object(kind, "update_from_cloudformation_json", _retaining(kind, update)))
        tagged = SageMakerModelBackend.iter_tagged_resources
        patches.enter_context(mock.patch.object(SageMakerModelBackend, "iter_tagged_resources", _string_arns(tagged)))
        yield


def _string_arns(tagged: Callable[[Any], Iterator[TaggedResource]]) -> Callable[[Any], Iterator[TaggedResource]]:
    def resources(self: Any) -> Iterator[TaggedResource]:
        for resource in tagged(self):
            arn = resource.arn[0] if isinstance(resource.arn, tuple) else resource.arn
            yield TaggedResource(arn, resource.tags, resource.resource_type, resource.extra)

    return resources


def _retaining(kind: Any, update: Callable[..., Any]) -> classmethod[Any, ..., Any]:
    """moto passes keywords: original_resource, new_resource_name, cloudformation_json, account_id, region_name."""

    def replacing(_cls: Any, **given: Any) -> Any:
        if given["cloudformation_json"].get("UpdateReplacePolicy") != "Retain":
            return update(**given)
        names = ("new_resource_name", "cloudformation_json", "account_id", "region_name")
        return kind.create_from_cloudformation_json(*(given[name] for name in names))

    return classmethod(replacing)


def _also_on_the_bus(add: Callable[..., None]) -> Callable[..., None]:
    def adding(self: Stack, resource_status: str, resource_status_reason: str | None = None, *args: Any) -> None:
        add(self, resource_status, resource_status_reason, *args)
        detail: dict[str, Any] = {
            "stack-id": self.stack_id,
            "status-details": {"status": resource_status, "status-reason": resource_status_reason or ""},
        }
        if self.stack_id in TOKENS:
            detail["client-request-token"] = TOKENS[self.stack_id]
        entry = {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
            "Detail": json.dumps(detail),
            "Resources": [self.stack_id],
        }
        events_backends[self.account_id][self.region_name].put_events([entry])

    return adding


def _with_token(update: Callable[[CloudFormationResponse], Any]) -> Callable[[CloudFormationResponse], Any]:
    def updating(self: CloudFormationResponse) -> Any:
        token = self._get_param("ClientRequestToken")
        stacks = [s for s in self.cloudformation_backend.stacks.values() if self._get_param("StackName") in
                  (s.stack_id, s.name) and not s.status.startswith("DELETE_COMPLETE")]  # fmt: skip
        for stack in stacks if token else ():
            TOKENS[stack.stack_id] = token
        try:
            return update(self)
        finally:
            for stack in stacks:
                TOKENS.pop(stack.stack_id, None)

    return updating
