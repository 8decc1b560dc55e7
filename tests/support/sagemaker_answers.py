"""SageMaker API answers shaped as botocore's model requires, for Stubber."""

from __future__ import annotations

from datetime import UTC, datetime

CREATED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def group_description(name: str) -> dict[str, object]:
    """A DescribeModelPackageGroup answer: the group exists."""
    return {
        "ModelPackageGroupName": name,
        "ModelPackageGroupArn": f"arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/{name}",
        "CreationTime": CREATED,
        "CreatedBy": {},
        "ModelPackageGroupStatus": "Completed",
    }
