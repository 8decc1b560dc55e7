"""The project scenario's own steps: the project launch role's stack, a project's wait for its stack, and reading the
domain's tags (publish and unpublish are the command's)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.acceptance.naming import RunNames
from tests.support.acceptance.world import Deadline, create_role_stack

LAUNCH_ROLE = "project-launch"  # the purpose of the project launch role's stack
SETTLED = {"CreateCompleted", "CreateFailed", "DeleteCompleted", "DeleteFailed"}


def create_project_launch_role(cloudformation: Any, names: RunNames, bucket: str) -> str:
    """project-launch-role.yaml, as an administrator creates it; its ProjectLaunchRoleArn."""
    return create_role_stack(
        cloudformation, names, LAUNCH_ROLE, "project-launch-role.yaml", bucket=bucket, output="ProjectLaunchRoleArn"
    )


def wait_for_project(
    sagemaker: Any, name: str, deadline: Deadline, pause: Callable[[float], None] = time.sleep, *, poll: float = 20
) -> dict[str, Any]:
    """DescribeProject until its ProjectStatus settles (the ProjectStatus enum: Pending, CreateInProgress, ...)."""
    while True:
        project: dict[str, Any] = sagemaker.describe_project(ProjectName=name)
        if project["ProjectStatus"] in SETTLED:
            return project
        pause(min(poll, deadline.remaining()))


def domain_tags(sagemaker: Any, domain_arn: str) -> list[dict[str, str]]:
    pages = sagemaker.get_paginator("list_tags").paginate(ResourceArn=domain_arn)
    return [tag for page in pages for tag in page.get("Tags", [])]
