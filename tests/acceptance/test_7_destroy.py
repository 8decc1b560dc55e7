"""`destroy` in a real account: every stack the run made is deleted (the deploy-on-approval stack through the
deployer role it was made with, then the deployer role's own stack); a second destroy finds nothing; the sweeper
then removes what stacks keep on purpose (KMS keys) and everything else the run made, and a second sweep finds
nothing left to remove."""

from __future__ import annotations

import pytest

from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane
from tests.support.acceptance.naming import DEPLOYER
from tests.support.acceptance.removal import sweep

pytestmark = pytest.mark.acceptance
SCENARIO = "destroy"


def test_destroy_deletes_every_stack_and_a_second_destroy_finds_nothing(
    lane: Lane, arn_stack: Deployed, group_stack: Deployed, approval_stack: Deployed
) -> None:
    deployer = lane.plan.names.name(DEPLOYER)
    for stack in (approval_stack.stack, group_stack.stack, arn_stack.stack, deployer):
        run = command(lane.deadline(SCENARIO), "destroy", "--stack-name", stack)
        assert run.code == 0, str(run)
        assert f"Stack {stack}: DELETE_COMPLETE" in run.stderr.splitlines()

    again = command(lane.deadline(SCENARIO), "destroy", "--stack-name", arn_stack.stack)

    assert again.code == 0, str(again)
    assert f"No stack named {arn_stack.stack} in {lane.plan.region}: nothing to destroy." in again.stderr
    endpoints = lane.clients("sagemaker").list_endpoints(NameContains=lane.plan.names.prefix)["Endpoints"]
    assert endpoints == []


def test_the_sweeper_removes_everything_else_the_run_made_and_then_finds_nothing(lane: Lane) -> None:
    lines: list[str] = []
    first = sweep(lane.clients, lines.append, lane.plan.names.run_id)
    print("\n".join(lines))

    assert first.clean, "\n".join(lines)
    second = sweep(lane.clients, lines.append, lane.plan.names.run_id)
    assert (second.removed, second.failed, second.left) == (0, 0, 0), "\n".join(lines)
