"""SageMaker Projects from S3 in a real account (with ACCEPTANCE_DOMAIN_ID; skipped without it): `project publish`
to the lane's bucket and the named domain, a project created from the printed URL with the project launch role, its
stack come up (what AWS does not document is asserted here: no capability needed, an SP- stack, tagged with the
project's name), its Serverless endpoint answering; the project deleted with its stack; `project unpublish` leaving
the bucket's CORS and the domain's tags as they were."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.acceptance.artifact import answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane, Versions
from tests.support.acceptance.projects import create_project_launch_role, domain_tags, wait_for_project
from tests.support.acceptance.removal import remove
from tests.support.acceptance.sweeper import Item
from tests.support.acceptance.world import invoke, stack_outputs

pytestmark = pytest.mark.acceptance
SCENARIO = "project"


@pytest.fixture(scope="module")
def domain_id(lane: Lane) -> str:
    if not lane.plan.settings.domain_id:
        pytest.skip("ACCEPTANCE_DOMAIN_ID names no SageMaker domain: the project scenario needs one it may tag")
    return lane.plan.settings.domain_id


def test_a_project_from_the_published_template_serves_and_unpublish_leaves_bucket_and_domain_as_they_were(
    lane: Lane, bucket: str, versions: Versions, arn_stack: Deployed, domain_id: str
) -> None:
    """The model runs as the ARN-mode stack's execution role, which may read the lane's bucket (AWS's default,
    AmazonSageMakerProjectsExecutionRole, reads only buckets named *sagemaker*)."""
    s3, sagemaker = lane.clients("s3"), lane.clients("sagemaker")
    domain_arn = (
        f"arn:{lane.plan.caller.partition}:sagemaker:{lane.plan.region}:{lane.plan.caller.account}:domain/{domain_id}"
    )
    before = domain_tags(sagemaker, domain_arn)
    location = ["--bucket", bucket, "--prefix", f"{lane.plan.names.prefix}templates", "--domain-id", domain_id]
    published = command(lane.deadline(SCENARIO), "project", "publish", *location, "--yes")
    assert published.code == 0, str(published)
    _, arn_outputs = stack_outputs(lane.clients("cloudformation"), arn_stack.stack)
    try:
        role = arn_outputs["ModelExecutionRoleArn"]
        project = _create_project(lane, bucket, published.json(), versions.of("arn", 1), role)
        assert project["ProjectStatus"] == "CreateCompleted", str(project)
        _check_the_projects_stack(lane, project)
        assert invoke(lane.clients("sagemaker-runtime"), lane.plan.names.name("project")) == answer("arn-v1")
    finally:
        status, detail = remove(lane.clients, Item("project", lane.plan.names.project))
        assert status in ("removed", "gone"), detail

    unpublished = command(lane.deadline(SCENARIO), "project", "unpublish", *location, "--yes")
    assert unpublished.code == 0, str(unpublished)
    assert domain_tags(sagemaker, domain_arn) == before
    assert "CORSRules" not in _cors(s3, bucket)  # the lane's bucket had none


def _create_project(lane: Lane, bucket: str, published: dict[str, Any], package: str, role: str) -> dict[str, Any]:
    values = {
        "EndpointType": "Serverless", "EnableNetworkIsolation": "false", "ServerlessMaxConcurrency": "1",
        "ModelPackageArn": package, "ModelExecutionRoleArn": role, "EndpointName": lane.plan.names.name("project"),
    }  # fmt: skip
    launch_role = create_project_launch_role(lane.clients("cloudformation"), lane.plan.names, bucket)
    sagemaker = lane.clients("sagemaker")
    sagemaker.create_project(
        ProjectName=lane.plan.names.project,
        TemplateProviders=[{"CfnTemplateProvider": {
            "TemplateName": published["TemplateName"], "TemplateURL": published["TemplateURL"], "RoleARN": launch_role,
            "Parameters": [{"Key": key, "Value": value} for key, value in values.items()],
        }}],
        Tags=lane.plan.names.tags,
    )  # fmt: skip
    return wait_for_project(sagemaker, lane.plan.names.project, lane.deadline(SCENARIO))


def _check_the_projects_stack(lane: Lane, project: dict[str, Any]) -> None:
    """What the guide leaves open, as the bend (tests/support/moto/projects.py) assumes it."""
    stack = project["TemplateProviderDetails"][0]["CfnTemplateProviderDetail"]["StackDetail"]
    assert stack["Name"].startswith("SP-"), stack
    described = lane.clients("cloudformation").describe_stacks(StackName=stack["Id"])["Stacks"][0]
    tags = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
    assert tags.get("sagemaker:project-name") == lane.plan.names.project, tags
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert (parameters["SageMakerProjectName"], parameters["SageMakerProjectId"]) == (
        lane.plan.names.project, project["ProjectId"]
    )  # fmt: skip


def _cors(s3: Any, bucket: str) -> dict[str, Any]:
    try:
        return dict(s3.get_bucket_cors(Bucket=bucket))
    except s3.exceptions.ClientError as error:
        if error.response["Error"].get("Code") == "NoSuchCORSConfiguration":
            return {}
        raise
