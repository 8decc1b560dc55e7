"""Faults the resolver meets in real accounts, through the real retry configuration: each ends in an answer
CloudFormation can show (FAILED with an actionable Reason), before the Lambda would time out."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from custom_resource import resolver_handler as handler
from tests.support.cfn_response_server import ResponseRecorder
from tests.support.resolver_events import LambdaContext, event

THROTTLED = (400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
DENIED = (400, {"__type": "AccessDeniedException", "message": "User is not authorized to perform ListModelPackages"})
NEWEST = (
    200,
    {
        "ModelPackageSummaryList": [
            {
                "ModelPackageGroupName": "churn",
                "ModelPackageVersion": 3,
                "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
                "CreationTime": datetime(2026, 11, 2, tzinfo=UTC).timestamp(),
                "ModelPackageStatus": "Completed",
                "ModelApprovalStatus": "Approved",
            }
        ]
    },
)


class FakeSageMaker:
    """Answers each SageMaker call with the next scripted response (the last one repeats), after `delay` s."""

    def __init__(self, script: list[tuple[int, dict[str, Any]]], delay: float = 0.0) -> None:
        self.script, self.delay, self.calls = script, delay, 0


@pytest.fixture
def sagemaker_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSageMaker]:
    fake = FakeSageMaker([])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            status, body = fake.script[min(fake.calls, len(fake.script) - 1)]
            fake.calls += 1
            threading.Event().wait(fake.delay)  # not time.sleep, which the backoffs fixture records
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    client = boto3.client(
        "sagemaker",
        region_name="eu-west-1",
        endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
        config=handler.SAGEMAKER_CONFIG,  # the production retry and timeout settings
    )
    monkeypatch.setattr(handler, "sagemaker_client", lambda: client)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry delays botocore asks for, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr(time, "sleep", delays.append)
    return delays


def test_given_throttling_that_passes_then_the_retries_resolve_the_package(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder, backoffs: list[float]
) -> None:
    sagemaker_api.script = [THROTTLED, THROTTLED, NEWEST]
    handler.lambda_handler(event("create", cloudformation), LambdaContext())
    (answer,) = cloudformation.wait(1)
    assert (answer["Status"], sagemaker_api.calls, len(backoffs)) == ("SUCCESS", 3, 2)


def test_given_throttling_that_persists_then_it_fails_after_backing_off(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder, backoffs: list[float]
) -> None:
    sagemaker_api.script = [THROTTLED]
    handler.lambda_handler(event("create", cloudformation), LambdaContext())
    (answer,) = cloudformation.wait(1)
    assert sagemaker_api.calls == handler.MAX_ATTEMPTS == 4
    assert len(backoffs) == 3
    assert all(delay > 0 for delay in backoffs)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "SageMaker throttled reading model package group 'churn' (ThrottlingException, 4 attempts with backoff): "
        "deploy again in a few minutes, or raise the account's SageMaker API request quota.",
    )


def test_given_access_denied_then_it_fails_at_once_saying_which_permission(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder, backoffs: list[float]
) -> None:
    sagemaker_api.script = [DENIED]
    handler.lambda_handler(event("create", cloudformation), LambdaContext())
    (answer,) = cloudformation.wait(1)
    assert (sagemaker_api.calls, backoffs) == (1, [])
    assert answer["Reason"] == (
        "Access denied reading model package group 'churn' (AccessDeniedException): allow the resolver role "
        "sagemaker:ListModelPackages on the group, and check SCPs and the group's resource policy."
    )


def test_given_a_lambda_about_to_time_out_then_it_answers_failed_before_the_timeout(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder
) -> None:
    sagemaker_api.script, sagemaker_api.delay = [NEWEST], 2.0
    started = time.monotonic()
    worker = threading.Thread(
        target=handler.lambda_handler, args=(event("create", cloudformation), LambdaContext(remaining_ms=1500))
    )
    worker.start()
    first = cloudformation.wait(1, timeout=5)[0]
    answered_after = time.monotonic() - started
    worker.join(timeout=10)
    assert (first["Status"], first["Reason"]) == ("FAILED", handler.TIMEOUT_REASON)
    assert answered_after < 1.5  # crhelper's timer fires half a second before the remaining time runs out


def test_given_a_malformed_event_then_it_fails_naming_the_missing_property(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder
) -> None:
    request = event("update", cloudformation)
    del request["ResourceProperties"]
    handler.lambda_handler(request, LambdaContext())
    (answer,) = cloudformation.wait(1)
    assert (answer["Status"], sagemaker_api.calls) == ("FAILED", 0)
    assert answer["PhysicalResourceId"] == request["PhysicalResourceId"]  # an Update keeps its id on failure
    assert "ModelPackageGroupName" in answer["Reason"]


@pytest.mark.parametrize("script", [[THROTTLED], [DENIED]])
def test_given_any_fault_then_delete_still_succeeds_without_calling_sagemaker(
    sagemaker_api: FakeSageMaker, cloudformation: ResponseRecorder, script: list[tuple[int, dict[str, Any]]]
) -> None:
    sagemaker_api.script = script
    handler.lambda_handler(event("delete", cloudformation), LambdaContext())
    (answer,) = cloudformation.wait(1)
    assert (answer["Status"], sagemaker_api.calls) == ("SUCCESS", 0)
