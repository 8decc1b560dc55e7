"""Scenario 3: the shipped resolver zip through a custom resource's life, with real events, answering over
HTTPS; SageMaker is moto's, seeded with a group whose history makes "latest approved" non-trivial."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from custom_resource.resolver_handler import TIMEOUT_REASON
from tests.support.e2e import (
    GROUP,
    LocalAws,
)
from tests.support.lambda_runtime import TIMED_OUT
from tests.support.local_aws import REGION, register_versions
from tests.support.paths import EVENTS

HANDLER = "custom_resource.resolver_handler.lambda_handler"


def send(aws: LocalAws, kind: str, timeout_seconds: int = 60, **changes: Any) -> tuple[dict[str, Any], int]:
    """Invoke the shipped zip with a CloudFormation event; return its answer and the process's exit status."""
    event = {**json.loads((EVENTS / f"{kind}.json").read_text()), "ResponseURL": aws.runtime.responses.url}
    event.update(changes)
    responses = aws.runtime.responses
    already = len(responses.responses)
    code = aws.runtime.sandbox.unpack(aws.resolver_zip.read_bytes(), aws.resolver_zip.stem)
    run = aws.runtime.sandbox.invoke(
        code, HANDLER, event, aws.runtime.aws_env, region=REGION, timeout_seconds=timeout_seconds
    )
    (answer,) = responses.wait(already + 1, timeout=5)[already : already + 1]
    return answer, run.returncode


def properties(group: str, token: str = "") -> dict[str, str]:
    return {"ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:resolver", "ModelPackageGroupName": group,
            "ResolutionToken": token}  # fmt: skip


def test_create_then_updates_follow_the_newest_approval_and_delete_succeeds(aws: LocalAws) -> None:
    v3, v4 = aws.versions[2], aws.versions[3]
    created, _ = send(aws, "create")
    assert (created["Status"], created["PhysicalResourceId"], created["Data"]["ModelPackageArn"]) == ("SUCCESS", v3, v3)

    unchanged, _ = send(aws, "update", PhysicalResourceId=v3, ResourceProperties=properties(GROUP, "build-2"))
    assert (unchanged["Status"], unchanged["PhysicalResourceId"]) == ("SUCCESS", v3)

    aws.client("sagemaker").update_model_package(ModelPackageArn=v4, ModelApprovalStatus="Approved")
    updated, _ = send(aws, "update", PhysicalResourceId=v3, ResourceProperties=properties(GROUP, "build-3"))
    assert (updated["Status"], updated["PhysicalResourceId"], updated["Data"]["ModelPackageVersion"]) == (
        "SUCCESS",
        v4,
        "4",
    )

    deleted, _ = send(aws, "delete", PhysicalResourceId=v3)  # CloudFormation's cleanup of the replaced id
    assert (deleted["Status"], deleted["PhysicalResourceId"]) == ("SUCCESS", v3)


def test_a_missing_group_fails_naming_it_and_the_rollback_delete_of_the_generated_id_succeeds(aws: LocalAws) -> None:
    failed, _ = send(aws, "create", ResourceProperties=properties("no-such-group"))
    assert failed["Status"] == "FAILED"
    assert failed["Reason"].startswith("Model package group 'no-such-group' does not exist in this account and Region")
    generated = failed["PhysicalResourceId"]
    assert generated.startswith("ml-endpoint_LatestApprovedModelPackage_")

    rollback, _ = send(aws, "delete", PhysicalResourceId=generated, ResourceProperties=properties("no-such-group"))
    assert (rollback["Status"], rollback["PhysicalResourceId"]) == ("SUCCESS", generated)


def test_a_group_with_nothing_approved_fails_saying_to_approve_a_version(aws: LocalAws) -> None:
    register_versions(aws.client("sagemaker"), "pending-only", ["PendingManualApproval", "Rejected"])
    failed, _ = send(aws, "create", ResourceProperties=properties("pending-only"))
    assert (failed["Status"], failed["Reason"]) == (
        "FAILED",
        "Model package group 'pending-only' has no Approved model package: approve a version "
        "(aws sagemaker update-model-package --model-approval-status Approved) and deploy again.",
    )


@pytest.fixture
def silent_sagemaker(aws: LocalAws) -> Iterator[None]:
    """A SageMaker endpoint that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    real = aws.runtime.aws_env["AWS_ENDPOINT_URL"]
    aws.runtime.aws_env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
    yield
    aws.runtime.aws_env["AWS_ENDPOINT_URL"] = real
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.usefixtures("silent_sagemaker")
def test_a_handler_that_runs_out_of_time_answers_failed_before_the_lambda_timeout(aws: LocalAws) -> None:
    answer, status = send(aws, "create", timeout_seconds=3)
    assert (answer["Status"], answer["Reason"]) == ("FAILED", TIMEOUT_REASON)
    assert status == TIMED_OUT  # the answer went out first; the runtime then stopped the function, as Lambda does
