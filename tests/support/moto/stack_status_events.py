"""CloudFormation's stack status events on EventBridge, which moto 5.2.5 never sends. Test code; undone when the
context ends. (The SageMaker resources a stack retains on replacement, and their tagged ARNs, are bent for every e2e
test in the retained module.)

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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cloudformation.models import Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.events.models import events_backends

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
        yield


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
