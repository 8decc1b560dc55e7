"""`promote` in a real account: the package the group-mode stack serves goes to the RealTime stack, pinned by its
ARN, through a blue/green update of instances; a second promote finds nothing to do."""

from __future__ import annotations

import pytest

from tests.support.acceptance.artifact import answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane, Versions
from tests.support.acceptance.world import ensure_default_artifacts_bucket, invoke, stack_outputs

pytestmark = pytest.mark.acceptance
SCENARIO = "promote"


def test_promote_carries_the_served_package_to_the_realtime_stack_pinned_and_then_finds_nothing_to_do(
    lane: Lane, group_stack: Deployed, arn_stack: Deployed, versions: Versions
) -> None:
    cloudformation = lane.clients("cloudformation")
    _, source = stack_outputs(cloudformation, group_stack.stack)
    package = source["ModelPackageArn"]
    ensure_default_artifacts_bucket(lane.clients("s3"), lane.plan.names, lane.plan.region)
    promote = ("promote", "--from-stack", group_stack.stack, "--to-stack", arn_stack.stack, "--bake-minutes", "0",
               "--yes")  # fmt: skip

    run = command(lane.deadline(SCENARIO), *promote)

    assert run.code == 0, str(run)
    assert run.json()["ModelPackageArn"] == package
    target = cloudformation.describe_stacks(StackName=arn_stack.stack)["Stacks"][0]
    used = {p["ParameterKey"]: p["ParameterValue"] for p in target["Parameters"]}
    assert (used["ModelPackageArn"], used["ModelPackageGroupName"]) == (package, "")
    assert invoke(lane.clients("sagemaker-runtime"), arn_stack.endpoint) == answer(versions.labels[package])

    again = command(lane.deadline(SCENARIO), *promote)

    assert again.code == 0, str(again)
    assert f"{arn_stack.stack} already serves {package}: nothing to change." in again.stderr
