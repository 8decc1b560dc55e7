"""Room in this account's default event bus policy for one more `RegistryApprovalsBusPolicy` statement.

A stack that follows a registry of another account adds one statement to the default bus's policy, whose size
EventBridge limits per account and Region (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html:
"Event bus policy size Each supported Region: 10,240 Yes Maximum policy size, in characters."). No Rule can see the
account's policy, so the command reads it before executing a plan that adds the statement, and warns when the
statement would not fit: the quota is adjustable, so a raised one may hold it, which the command cannot know.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

POLICY_CHARACTERS_MAX = 10_240  # the quota's default
# The statement's length at its longest (partition aws-us-gov, the longest Region name), a comma before it:
# tests/deploy/test_bus_policy.py derives it from the rendered template.
STATEMENT_CHARACTERS_MAX = 520
BUS_POLICY = "RegistryApprovalsBusPolicy"


def policy_characters(events: Any) -> int:
    """The default bus's policy as EventBridge returns it, in characters; 0 without a policy."""
    return len(str(events.describe_event_bus(Name="default").get("Policy", "")))


def bus_policy_warning(events: Any) -> str | None:
    """A warning when one more statement would take the policy past the quota's default, or None."""
    try:
        used = policy_characters(events)
    except ClientError as error:
        return f"could not read the default event bus policy ({error.response['Error']['Code']}): its size is unchecked"
    if used + STATEMENT_CHARACTERS_MAX <= POLICY_CHARACTERS_MAX:
        return None
    return (
        f"the default event bus policy holds {used} characters; this stack adds a statement of up to "
        f"{STATEMENT_CHARACTERS_MAX}, past EventBridge's {POLICY_CHARACTERS_MAX}-character quota (Event bus policy "
        f"size). Unless the quota was raised, {BUS_POLICY} fails to create: ask for more in Service Quotas (Amazon "
        "EventBridge), or remove statements the bus no longer needs"
    )


def statement_text(statement: dict[str, Any], sid: str) -> str:
    """A statement as the bus policy holds it: compact JSON with its Sid."""
    return json.dumps({"Sid": sid, **statement}, separators=(",", ":"))
