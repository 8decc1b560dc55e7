"""The project template's inputs: the endpoint template's declarations, less those that only shape a role the stack
would create, plus the roles it takes instead; the project's name and id as SageMaker passes them; and what Studio's
form reads besides (`SagemakerTemplateParameterRules`)."""

from __future__ import annotations

from dataclasses import replace

from troposphere import Equals, Template

from generator.cfn.inputs import Input, InputGroup, add_inputs, add_other_types_rule, pattern
from generator.common.patterns import PROJECT_ID, PROJECT_NAME
from generator.endpoint import (
    alarms,
    artifacts,
    asynchronous,
    autoscaling,
    data_capture,
    deploy_on_approval,
    endpoint,
    lambda_functions,
    model,
    network,
    resolver,
    rollback,
    serverless,
    tags,
    types,
    variant,
)
from generator.project.roles import EXECUTION_ROLE, RESOLVER_ROLE

STUDIO_RULES = "SagemakerTemplateParameterRules"  # the metadata key AWS's S3 sample templates use

# SageMaker passes both ("For the product to work with SageMaker Projects, add the following parameters to your
# product template", SageMaker Developer Guide, custom project templates): required, each by CreateProject's own
# pattern (botocore sagemaker ProjectEntityName and ProjectId), so a name SageMaker accepts is never refused here.
PROJECT_NAME_INPUT = replace(
    tags.PROJECT_NAME_INPUT,
    description="Set by SageMaker Projects: the project's name. Tags every resource with sagemaker:project-name.",
    constraint=pattern(PROJECT_NAME, "a SageMaker project name (letters, digits, hyphens; up to 32 characters)",
                       optional_value=False, max_length=32),
    default=None,
)  # fmt: skip
PROJECT_ID_INPUT = replace(
    tags.PROJECT_ID_INPUT,
    description="Set by SageMaker Projects: the project's id. Tags every resource with sagemaker:project-id.",
    constraint=pattern(PROJECT_ID, "a SageMaker project ID (letters, digits, hyphens; up to 20 characters)",
                       optional_value=False, max_length=20),
    default=None,
)  # fmt: skip
ARTIFACTS_BUCKET = replace(
    artifacts.BUCKET,
    description="Bucket that receives captured data (under DataCapturePrefix); ModelExecutionRoleArn must be able to "
    "write it. Empty: no data capture.",
)
FOLLOW = replace(
    deploy_on_approval.FOLLOW,
    description="Not in a SageMaker project: leave false and redeploy with UpdateProject (a new "
    "PackageResolutionToken resolves the group again).",
)
# Async's request payloads and the artifacts' repository and key only shape the role the endpoint template creates;
# a project gives the role, so they are not asked.
ASYNC_INPUTS = tuple(entry for entry in asynchronous.INPUTS if entry is not asynchronous.INPUT)


def input_groups(resolver_code_key: str) -> tuple[InputGroup, ...]:
    """The endpoint template's groups, in its order, with the project's inputs."""
    code_key = replace(lambda_functions.CODE_KEY, default=resolver_code_key)
    return (
        InputGroup("SageMaker project (set by SageMaker)", (PROJECT_NAME_INPUT, PROJECT_ID_INPUT)),
        InputGroup("Model package (set exactly one)", model.PACKAGE_INPUTS),
        InputGroup("Endpoint type", types.INPUTS),
        InputGroup("Network (RealTime and Async)", network.INPUTS),
        InputGroup("Endpoint", (*variant.BEFORE_NAME, endpoint.ENDPOINT_NAME, *variant.AFTER_NAME)),
        InputGroup("Serverless (EndpointType Serverless)", serverless.INPUTS),
        InputGroup("Asynchronous inference (EndpointType Async)", ASYNC_INPUTS),
        InputGroup("Model permissions (existing roles)", (model.NETWORK_ISOLATION, EXECUTION_ROLE, ARTIFACTS_BUCKET)),
        InputGroup("Data capture", data_capture.INPUTS),
        InputGroup("Autoscaling (Application Auto Scaling)", autoscaling.INPUTS),
        InputGroup("Safe updates: blue/green with automatic rollback", rollback.INPUTS),
        InputGroup("SageMaker domain (tags)", (tags.DOMAIN_ID_INPUT, tags.DOMAIN_ARN_INPUT)),
        InputGroup(
            "Package resolver (model package group only)",
            (RESOLVER_ROLE, lambda_functions.CODE_BUCKET, resolver.TOKEN, code_key),
        ),
        InputGroup("Deploy on approval (not in a project)", (FOLLOW,)),
        InputGroup("Operations", (alarms.ALARM_TOPIC,)),
    )


def add_project_inputs(template: Template, resolver_code_key: str) -> None:
    """Parameters, Interface and metadata as the endpoint template derives them, and Studio's parameter rules: every
    input with a default is optional (only the project's name and id, which SageMaker passes, are not)."""
    groups = input_groups(resolver_code_key)
    inputs = [entry for group in groups for entry in group.inputs]
    add_inputs(template, groups)
    add_other_types_rule(template, types.ENDPOINT_TYPE, inputs)
    template.metadata[STUDIO_RULES] = {entry.name: {"Optional": True} for entry in inputs if _optional(entry)}
    _add_no_deploy_on_approval_rule(template)


def _optional(entry: Input) -> bool:
    return entry.default is not None


def _add_no_deploy_on_approval_rule(template: Template) -> None:
    """What a project cannot do: deploy on approval needs a role the stack would create (the updater's), and it updates
    the stack behind SageMaker's back, so the project's next UpdateProject would undo it."""
    template.add_rule(
        "ProjectsDoNotDeployOnApproval",
        {
            "Assertions": [
                {
                    "Assert": Equals(FOLLOW.ref(), "false"),
                    "AssertDescription": "DeployOnApproval is true, which a SageMaker project cannot do: it needs an "
                    "IAM role the stack would create (SageMaker does not say it passes CAPABILITY_IAM), and the stack "
                    "would update itself behind the project. Set it to false and redeploy with UpdateProject.",
                }
            ]
        },
    )
