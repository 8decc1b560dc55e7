"""The project scenario's own steps: the project launch role's stack, a project's wait for its stack, and reading the
domain's tags (publish and unpublish are the command's)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.acceptance.naming import RunNames
from tests.support.acceptance.world import IAM_PROPAGATION_SECONDS, Deadline
from tests.support.paths import TEMPLATES

LAUNCH_ROLE = "project-launch"  # the purpose of the project launch role's stack
SETTLED = {"CreateCompleted", "CreateFailed", "DeleteCompleted", "DeleteFailed"}


def create_project_launch_role(cloudformation: Any, names: RunNames, bucket: str) -> str:
    """project-launch-role.yaml, as an administrator creates it; its ProjectLaunchRoleArn."""
    stack = names.name(LAUNCH_ROLE)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=(TEMPLATES / "project-launch-role.yaml").read_text(),
        Parameters=[{"ParameterKey": "ArtifactsBucketName", "ParameterValue": bucket}],
        Capabilities=["CAPABILITY_IAM"],
        Tags=names.tags,
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 90}
    )
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    time.sleep(IAM_PROPAGATION_SECONDS)
    return next(str(o["OutputValue"]) for o in outputs if o["OutputKey"] == "ProjectLaunchRoleArn")


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
