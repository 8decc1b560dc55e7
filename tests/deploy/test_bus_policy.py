"""The command's look at the default event bus policy before a stack adds its `RegistryApprovalsBusPolicy`
statement: EventBridge limits the policy's size (https://docs.aws.amazon.com/eventbridge/latest/userguide/
eb-quota.html: "Event bus policy size Each supported Region: 10,240 Yes Maximum policy size, in characters."), no
Rule can see the account's policy, and the quota is adjustable: the command warns, exactly at the boundary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.deploy.bus_policy import STATEMENT_CHARACTERS_MAX, bus_policy_warning, statement_text
from tests.support.inputs import GROUP_MODE
from tests.support.template_eval import Evaluator

REGISTRY_GROUP = "arn:aws-us-gov:sagemaker:ap-southeast-5:999988887777:model-package-group/churn"


@pytest.fixture
def events() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("events", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def a_policy_of(characters: int) -> dict[str, Any]:
    return {"Name": "default", "Policy": "x" * characters}


def test_the_statement_bound_holds_the_templates_statement_at_its_longest(template: dict[str, Any]) -> None:
    """The bound the command adds is at least the statement the template writes, in the longest partition and
    Region names, with the comma that joins it to the others."""
    values = {**GROUP_MODE, "ModelPackageGroupName": REGISTRY_GROUP, "DeployOnApproval": "true",
              "DeploymentRoleArn": "arn:aws-us-gov:iam::111122223333:role/deployer"}  # fmt: skip
    pseudo = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-5"}
    policy = Evaluator(template, values, pseudo).resources()["RegistryApprovalsBusPolicy"]["Properties"]
    written = len(statement_text(policy["Statement"], policy["StatementId"])) + 1
    assert written <= STATEMENT_CHARACTERS_MAX
    assert written > STATEMENT_CHARACTERS_MAX - 60  # a bound, not a guess far above it


def test_a_policy_with_room_for_one_more_statement_draws_no_warning(events: tuple[Any, Stubber]) -> None:
    client, stub = events
    stub.add_response("describe_event_bus", a_policy_of(10_240 - STATEMENT_CHARACTERS_MAX), {"Name": "default"})
    stub.add_response("describe_event_bus", {"Name": "default"}, {"Name": "default"})  # no policy yet
    assert bus_policy_warning(client) is None
    assert bus_policy_warning(client) is None


def test_one_character_past_the_quota_warns_with_the_count_and_what_to_do(events: tuple[Any, Stubber]) -> None:
    client, stub = events
    used = 10_240 - STATEMENT_CHARACTERS_MAX + 1
    stub.add_response("describe_event_bus", a_policy_of(used), {"Name": "default"})
    assert bus_policy_warning(client) == (
        f"the default event bus policy holds {used} characters; this stack adds a statement of up to "
        f"{STATEMENT_CHARACTERS_MAX}, past EventBridge's 10240-character quota (Event bus policy size). Unless the "
        "quota was raised, RegistryApprovalsBusPolicy fails to create: ask for more in Service Quotas (Amazon "
        "EventBridge), or remove statements the bus no longer needs"
    )


def test_a_policy_the_caller_may_not_read_is_said_to_be_unchecked(events: tuple[Any, Stubber]) -> None:
    client, stub = events
    stub.add_client_error("describe_event_bus", "AccessDeniedException", "no")
    assert bus_policy_warning(client) == (
        "could not read the default event bus policy (AccessDeniedException): its size is unchecked"
    )
