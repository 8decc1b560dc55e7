"""SageMaker Projects from S3 templates, which moto 5.2.5 does not implement ("The create_project action has not been
implemented"). Test code only: CreateProject, DescribeProject, ListProjects and DeleteProject with TemplateProviders,
shaped as botocore's sagemaker model (2017-07-24) gives them, creating the project's stack on moto's CloudFormation.

What AWS documents, and what this bend takes from it:
- CreateProject takes `TemplateProviders`, one `CfnTemplateProvider` of `TemplateName`, `TemplateURL`, `RoleARN`
  ("The IAM role that CloudFormation assumes when creating the stack") and `Parameters` (CfnCreateTemplateProvider);
  it answers `ProjectArn` and `ProjectId`.
- The stack is read from `TemplateURL` ("The Amazon S3 URL of the CloudFormation template"), here moto's S3 behind
  AWS's virtual-hosted URL (`https://<bucket>.s3.<region>.amazonaws.com/<key>`, the guide's boto3 example).
- DescribeProject answers `TemplateProviderDetails[0].CfnTemplateProviderDetail` with the `StackDetail` (`Name`,
  `Id`, and the required `StatusMessage`), and `ProjectStatus` from the ProjectStatus enum (CreateCompleted,
  CreateFailed, ...).
- "project deletion removes all associated CloudFormation resources and configurations" (AWS ML blog, "Simplify
  ModelOps with Amazon SageMaker AI Projects using Amazon S3-based templates"): DeleteProject deletes the stack.

What AWS does not document, and the bend assumes (docs/sagemaker-projects.md says the same):
- SageMaker passes SageMakerProjectName and SageMakerProjectId to the stack ("For the product to work with SageMaker
  Projects, add the following parameters to your product template"; AWS's boto3 example passes neither itself).
- The stack is named `SP-<project id>-<template name>`: only the `SP-` prefix is attested (AWS's sample policies
  scope every project stack statement to `stack/SP-*`).
- The stack is tagged sagemaker:project-name and sagemaker:project-id: the sample tags a project stack only while
  `"Null": {"aws:ResourceTag/sagemaker:project-name": "false"}`.
- No capability is passed (CfnCreateTemplateProvider has no Capabilities member): a template with an IAM resource
  fails with InsufficientCapabilities, as CloudFormation answers without one.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlparse

from moto.cloudformation.models import cloudformation_backends
from moto.core.responses import ActionResult, EmptyResult
from moto.s3.models import s3_backends
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse

from generator.deploy.template_file import parse_template

IAM_TYPES = "AWS::IAM::"


@dataclass
class Project:
    name: str
    project_id: str
    arn: str
    provider: dict[str, Any]
    stack_id: str
    status: str
    message: str
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


@contextmanager
def projects_from_s3_templates() -> Iterator[dict[str, Project]]:
    """The bend, and the projects it made (by name), which the test may read."""
    projects: dict[str, Project] = {}
    handlers = {
        "create_project": lambda self: _create(self, projects),
        "describe_project": lambda self: ActionResult(_describe(_project(self, projects))),
        "list_projects": lambda self: _list(self, projects),
        "delete_project": lambda self: _delete(self, projects),
    }
    with ExitStack() as patches:
        for name, handler in handlers.items():
            patches.enter_context(mock.patch.object(SageMakerResponse, name, handler, create=True))
        yield projects


def _create(response: SageMakerResponse, projects: dict[str, Project]) -> ActionResult:
    name = response._get_param("ProjectName")
    providers = response._get_param("TemplateProviders") or []
    if name in projects:
        raise ValidationError(f"Project {name} already exists")
    if len(providers) != 1 or "CfnTemplateProvider" not in providers[0]:
        raise ValidationError("TemplateProviders: exactly one CfnTemplateProvider")
    provider = providers[0]["CfnTemplateProvider"]
    project_id = "p-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=12))
    account, region = response.current_account, response.region
    project = Project(
        name, project_id, f"arn:aws:sagemaker:{region}:{account}:project/{name}", provider, "", "Pending", ""
    )
    projects[name] = project
    _launch(project, account, region)
    return ActionResult({"ProjectArn": project.arn, "ProjectId": project_id})


def _launch(project: Project, account: str, region: str) -> None:
    """The stack, created as SageMaker would (see the module's assumptions); a failure is the project's."""
    provider = project.provider
    cloudformation = cloudformation_backends[account][region]
    template = _read_template(provider["TemplateURL"], account)
    name = f"SP-{project.project_id}-{provider['TemplateName']}"
    values = {p["Key"]: p.get("Value", "") for p in provider.get("Parameters", [])}
    values |= {"SageMakerProjectName": project.name, "SageMakerProjectId": project.project_id}
    tags = {"sagemaker:project-name": project.name, "sagemaker:project-id": project.project_id}
    resources = parse_template(template).get("Resources", {}).values()
    if any(str(resource["Type"]).startswith(IAM_TYPES) for resource in resources):
        project.status, project.message = "CreateFailed", "Requires capabilities : [CAPABILITY_IAM]"
        return
    try:
        stack = cloudformation.create_stack(name, template, values, tags=tags, role_arn=provider.get("RoleARN"))
    except Exception as failure:  # what CloudFormation would report, made the project's status
        project.status, project.message = "CreateFailed", str(failure)
        return
    project.stack_id = stack.stack_id
    complete = stack.status == "CREATE_COMPLETE"
    project.status = "CreateCompleted" if complete else "CreateFailed"
    project.message = stack.status


def _read_template(url: str, account: str) -> str:
    parts = urlparse(url)
    if parts.scheme != "https":
        raise ValidationError(f"TemplateURL {url}: (https)://([^/]+)/(.+)")
    bucket, key = parts.netloc.split(".s3.", 1)[0], parts.path.lstrip("/")
    stored = s3_backends[account]["aws"].get_object(bucket, key)
    if stored is None:
        raise ValidationError(f"TemplateURL {url}: no such object")
    body: bytes = stored.value
    return body.decode()


def _project(response: SageMakerResponse, projects: dict[str, Project]) -> Project:
    name = response._get_param("ProjectName")
    if name not in projects:
        raise ValidationError(f"Project {name} does not exist")
    return projects[name]


def _describe(project: Project) -> dict[str, Any]:
    stack_name = project.stack_id.split("/")[1] if project.stack_id else f"SP-{project.project_id}"
    detail = {
        "TemplateName": project.provider["TemplateName"],
        "TemplateURL": project.provider["TemplateURL"],
        **({"RoleARN": project.provider["RoleARN"]} if "RoleARN" in project.provider else {}),
        "Parameters": project.provider.get("Parameters", []),
        "StackDetail": {"Name": stack_name, **({"Id": project.stack_id} if project.stack_id else {}),
                        "StatusMessage": project.message or project.status},
    }  # fmt: skip
    return {**_summary(project), "TemplateProviderDetails": [{"CfnTemplateProviderDetail": detail}]}


def _summary(project: Project) -> dict[str, Any]:
    return {
        "ProjectName": project.name,
        "ProjectArn": project.arn,
        "ProjectId": project.project_id,
        "ProjectStatus": project.status,
        "CreationTime": project.created.isoformat(),
    }


def _list(response: SageMakerResponse, projects: dict[str, Project]) -> ActionResult:
    """ListProjects, NameContains ("A filter that returns the projects whose name contains a specified string")."""
    contains = response._get_param("NameContains") or ""
    return ActionResult({"ProjectSummaryList": [_summary(p) for p in projects.values() if contains in p.name]})


def _delete(response: SageMakerResponse, projects: dict[str, Project]) -> EmptyResult:
    project = _project(response, projects)
    if project.stack_id:
        cloudformation_backends[response.current_account][response.region].delete_stack(project.stack_id)
    del projects[project.name]
    return EmptyResult()
