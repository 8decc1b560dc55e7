"""A local moto bent to refuse what AWS documents as refused (tests.support.moto.refusals), for the bends' own tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.local_aws import client, moto_server, reset
from tests.support.moto.change_sets import cloudformation_like_change_sets
from tests.support.moto.refusals import refusals_as_aws_documents


@pytest.fixture(scope="module")
def refusing_moto() -> Iterator[str]:
    """One server per test module, its patches undone when the module ends (moto's classes are process-wide); change
    sets roll back on failure as CloudFormation does, so a refused resource shows as a stack event."""
    with refusals_as_aws_documents(), cloudformation_like_change_sets(), moto_server() as url:
        yield url


@pytest.fixture
def refusing_aws(refusing_moto: str) -> str:
    """The endpoint URL of that server, emptied for this test."""
    reset(refusing_moto)
    return refusing_moto


@pytest.fixture
def executed(refusing_aws: str) -> Callable[[str, str], tuple[str, dict[str, str]]]:
    """executed(stack, template body) -> (stack status, logical id -> reason of each failed resource event), once a
    change set of it is executed on that server."""
    cloudformation = client("cloudformation", refusing_aws)

    def execute(stack: str, body: str) -> tuple[str, dict[str, str]]:
        kind = "UPDATE" if _exists(cloudformation, stack) else "CREATE"
        cloudformation.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType=kind, TemplateBody=body)
        cloudformation.execute_change_set(StackName=stack, ChangeSetName="c")
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
        failed = {e["LogicalResourceId"]: e.get("ResourceStatusReason", "") for e in events
                  if e["ResourceStatus"].endswith("_FAILED")}  # fmt: skip
        return status, failed

    return execute


def _exists(cloudformation: Any, stack: str) -> bool:
    return any(s["StackName"] == stack for s in cloudformation.list_stacks()["StackSummaries"])
