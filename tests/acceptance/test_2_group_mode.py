"""Group mode in a real account, on a Serverless endpoint: the resolver Lambda picks the newest Approved version;
after an approval, `deploy --resolve-latest` moves the same endpoint to the new version."""

from __future__ import annotations

import pytest

from tests.support.acceptance.artifact import answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane, Versions
from tests.support.acceptance.world import invoke, set_approval

pytestmark = pytest.mark.acceptance


def test_group_mode_serves_the_newest_approved_version(lane: Lane, group_stack: Deployed, versions: Versions) -> None:
    """v2 waits for approval: the resolver answers v1, the one Approved."""
    assert group_stack.run.code == 0, str(group_stack.run)
    assert group_stack.run.json()["ModelPackageArn"] == versions.of("group", 1)
    assert invoke(lane.clients("sagemaker-runtime"), group_stack.endpoint) == answer("group-v1")


def test_after_an_approval_resolve_latest_serves_the_new_version_behind_the_same_endpoint(
    lane: Lane, group_stack: Deployed, versions: Versions, bucket: str
) -> None:
    set_approval(lane.clients("sagemaker"), versions.of("group", 2), "Approved")

    run = command(
        lane.deadline("group-mode"), "deploy", "--stack-name", group_stack.stack, "--resolve-latest",
        "--artifacts-bucket", bucket,
    )  # fmt: skip

    assert run.code == 0, str(run)
    outputs = run.json()
    assert (outputs["ModelPackageArn"], outputs["EndpointName"]) == (versions.of("group", 2), group_stack.endpoint)
    assert invoke(lane.clients("sagemaker-runtime"), group_stack.endpoint) == answer("group-v2")
