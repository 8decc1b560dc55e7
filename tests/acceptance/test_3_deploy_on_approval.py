"""Deploy on approval in a real account: SageMaker's own approval event reaches the stack's queue through its
EventBridge rule, the updater Lambda updates the stack with the deployer role, and the endpoint serves the approved
version; rejecting it rolls the stack back to the newest version still approved. Nothing but the registry changes:
no command is run between the approval and the check."""

from __future__ import annotations

import pytest

from tests.support.acceptance.artifact import answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane, Versions
from tests.support.acceptance.world import invoke, set_approval, wait_for_package

pytestmark = pytest.mark.acceptance
SCENARIO = "deploy-on-approval"


def test_an_approval_makes_the_stack_deploy_the_new_version_by_itself(
    lane: Lane, approval_stack: Deployed, versions: Versions
) -> None:
    assert approval_stack.run.code == 0, str(approval_stack.run)
    assert approval_stack.run.json()["ModelPackageArn"] == versions.of("approval", 1)
    runtime = lane.clients("sagemaker-runtime")
    assert invoke(runtime, approval_stack.endpoint) == answer("approval-v1")

    set_approval(lane.clients("sagemaker"), versions.of("approval", 2), "Approved")
    wait_for_package(lane.clients("cloudformation"), approval_stack.stack, versions.of("approval", 2),
                     lane.deadline(SCENARIO))  # fmt: skip

    assert invoke(runtime, approval_stack.endpoint) == answer("approval-v2")


def test_rejecting_the_served_version_rolls_the_stack_back_to_the_newest_still_approved(
    lane: Lane, approval_stack: Deployed, versions: Versions
) -> None:
    set_approval(lane.clients("sagemaker"), versions.of("approval", 2), "Rejected")
    wait_for_package(lane.clients("cloudformation"), approval_stack.stack, versions.of("approval", 1),
                     lane.deadline(SCENARIO))  # fmt: skip

    assert invoke(lane.clients("sagemaker-runtime"), approval_stack.endpoint) == answer("approval-v1")
    status = command(lane.deadline(SCENARIO), "status", "--stack-name", approval_stack.stack)
    assert status.code == 0, str(status)
    assert status.json()["ApprovalQueue"] == {"Waiting": 0, "DeadLetters": 0}
