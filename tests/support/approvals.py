"""What SageMaker's approvals look like to a stack's approval updater in the end-to-end suite: the EventBridge event
as the SQS record Lambda hands the updater, and the updater run from the shipped zip in a Lambda-like interpreter."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support.e2e import LocalAws
from tests.support.lambda_runtime import handler_result
from tests.support.local_aws import REGION

MOTO_ACCOUNT = "123456789012"
UPDATER = "custom_resource.approval_updater.lambda_handler"


def state_change(status: str, package: str, group: str) -> dict[str, Any]:
    """A "SageMaker Model Package State Change" event, as the SQS record of the stack's FIFO queue."""
    event = {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "SageMaker Model Package State Change",
        "source": "aws.sagemaker", "account": MOTO_ACCOUNT, "time": "2026-11-25T14:00:00Z", "region": REGION,
        "resources": [package],
        "detail": {"ModelPackageGroupName": group, "ModelPackageArn": package, "ModelApprovalStatus": status},
    }  # fmt: skip
    return {
        "messageId": str(uuid.uuid4()),
        "body": json.dumps(event),
        "attributes": {"MessageGroupId": "stack", "MessageDeduplicationId": event["id"]},
        "eventSource": "aws:sqs",
    }


def run_updater(aws: LocalAws, stack: str, record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(what the stack's updater returned, its log) for one SQS batch of one message."""
    resources = aws.client("cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
    (function,) = [r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "ApprovalUpdaterFunction"]
    env = aws.client("lambda").get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    code = aws.runtime.sandbox.unpack(aws.resolver_zip.read_bytes(), "updater")
    run = aws.runtime.sandbox.invoke(code, UPDATER, {"Records": [record]}, {**aws.runtime.aws_env, **env},
                                     region=REGION, function_name=function)  # fmt: skip
    return handler_result(run), run.stderr
