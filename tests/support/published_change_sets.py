"""The DescribeChangeSet responses the CloudFormation User Guide publishes ("Example change sets", vendored in
tests/fixtures/change_sets with their source), and CloudFormation's side of a plan as a botocore Stubber answers."""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import ANY, Stubber

from tests.support.paths import FIXTURES

REPLACEMENT_EXAMPLE = "determining-the-value-of-the-replacement-field"


def published(example: str) -> dict[str, Any]:
    response: dict[str, Any] = json.loads((FIXTURES / "change_sets" / f"{example}.json").read_text())["response"]
    return response


def replacing_the_endpoint(replacement: str = "True") -> dict[str, Any]:
    """The Guide's replacement example, with our Endpoint as the resource it replaces."""
    response = published(REPLACEMENT_EXAMPLE)
    response["Changes"][0]["ResourceChange"] |= {
        "ResourceType": "AWS::SageMaker::Endpoint",
        "LogicalResourceId": "Endpoint",
        "Replacement": replacement,
    }
    return response


def expect_change_set(stub: Stubber, response: dict[str, Any], request: dict[str, Any]) -> None:
    """CreateChangeSet with exactly `request` (and any name), then DescribeChangeSet for the waiter and, once the
    change set is computed, for the paginator."""
    stub.add_response(
        "create_change_set",
        {"Id": response["ChangeSetId"], "StackId": response["StackId"]},
        {"ChangeSetName": ANY, "ClientToken": ANY, "ChangeSetType": "UPDATE", **request},
    )
    for _ in range(2 if response["Status"] == "CREATE_COMPLETE" else 1):
        stub.add_response("describe_change_set", response, {"ChangeSetName": response["ChangeSetId"]})
