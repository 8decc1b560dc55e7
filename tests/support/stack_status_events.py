"""CloudFormation's "CloudFormation Stack Status Change" event, as the CloudFormation User Guide documents it and as
EventBridge delivered one (both vendored in tests/fixtures/events/cloudformation-stack-status-change.json with their
sources), made for one of our stacks."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any, cast

from tests.support.paths import EVENTS

VENDORED: dict[str, Any] = json.loads((EVENTS / "cloudformation-stack-status-change.json").read_text())


def documented() -> dict[str, Any]:
    """The shape the User Guide prints: the fields the updater may read, and no other."""
    return cast(dict[str, Any], copy.deepcopy(VENDORED["documented"]))


def stack_status_event(stack_id: str, status: str, *, reason: str = "", token: str | None = None) -> dict[str, Any]:
    """The observed event, moved to `stack_id` (its account, Region and resources) with `status`; the documented
    `client-request-token` only when given, since the observed event carries none."""
    event: dict[str, Any] = copy.deepcopy(VENDORED["observed"])
    fields = stack_id.split(":")
    event |= {"id": str(uuid.uuid4()), "account": fields[4], "region": fields[3], "resources": [stack_id]}
    event["detail"] = {"stack-id": stack_id, "status-details": {"status": status, "status-reason": reason}}
    if token is not None:
        event["detail"]["client-request-token"] = token
    return event
