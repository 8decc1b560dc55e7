"""A seed-farmer module deployment, read from the environment seed-farmer's CodeBuild sets.

The module's parameters arrive as `SEEDFARMER_PARAMETER_<UPPER_SNAKE>` (seed-farmer normalises `vpc-id`, `vpc_id`
and `vpcId` alike), lists as JSON, booleans as `true`/`True`; the parameters are those of the CDK module we replace,
plus every template parameter by its own name. The stack is named as the CDK module names its own, with a suffix
of ours, and is deployed with the deployer role our modulestack.yaml creates.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.common.names import SEEDFARMER_DEPLOYER_ROLE_PATH, SEEDFARMER_STACK_SUFFIX
from generator.common.patterns import snake_case
from generator.deploy.inputs import InputError

PREFIX = "SEEDFARMER_PARAMETER_"
MAX_STACK_NAME = 128
# The inputs of the module we replace (its README, and its settings.py: permissions boundary and tags).
SEED_INPUTS = {
    "VPC_ID": "VpcId",
    "SUBNET_IDS": "SubnetIds",
    "MODEL_PACKAGE_ARN": "ModelPackageArn",
    "MODEL_PACKAGE_GROUP_NAME": "ModelPackageGroupName",
    "SAGEMAKER_PROJECT_ID": "SageMakerProjectId",
    "SAGEMAKER_PROJECT_NAME": "SageMakerProjectName",
    "SAGEMAKER_DOMAIN_ID": "SageMakerDomainId",
    "SAGEMAKER_DOMAIN_ARN": "SageMakerDomainArn",
    "MODEL_EXECUTION_ROLE_ARN": "ModelExecutionRoleArn",
    "ENABLE_NETWORK_ISOLATION": "EnableNetworkIsolation",
    "MODEL_ARTIFACTS_BUCKET_ARN": "ModelArtifactsBucketArn",
    "ECR_REPO_ARN": "EcrRepoArn",
    "VARIANT_NAME": "VariantName",
    "INITIAL_INSTANCE_COUNT": "InitialInstanceCount",
    "INITIAL_VARIANT_WEIGHT": "InitialVariantWeight",
    "INSTANCE_TYPE": "InstanceType",
    "MANAGED_INSTANCE_SCALING": "ManagedInstanceScaling",
    "SCALING_MIN_INSTANCE_COUNT": "ScalingMinInstanceCount",
    "SCALING_MAX_INSTANCE_COUNT": "ScalingMaxInstanceCount",
    "DATA_CAPTURE_SAMPLING_PERCENTAGE": "DataCaptureSamplingPercentage",
    "DATA_CAPTURE_PREFIX": "DataCapturePrefix",
}
MISSPELLED = {"DATA_CAPTURE_SAMPING_PERCENTAGE": "DATA_CAPTURE_SAMPLING_PERCENTAGE"}  # the seed README's typo
BOOLEANS = {"ENABLE_NETWORK_ISOLATION", "MANAGED_INSTANCE_SCALING"}
TAGS, BOUNDARY = "TAGS", "PERMISSIONS_BOUNDARY_NAME"


@dataclass
class SeedFarmerModule:
    """What the environment says: the stack, its parameters and tags, and what was said in a way we accept."""

    stack_name: str
    parameters: dict[str, str]
    tags: dict[str, str]
    deployer_role_path: str
    permissions_boundary_name: str | None = None
    warnings: list[str] = field(default_factory=list)


def upper_snake(name: str) -> str:
    """As seed-farmer's upper_snake_case: `ModelPackageArn` -> MODEL_PACKAGE_ARN."""
    return snake_case(name).upper()


def read_module(environ: Mapping[str, str], template_parameters: list[str]) -> SeedFarmerModule:
    """Raises InputError naming every problem, before anything reaches AWS."""
    problems: list[str] = []
    context = {key: environ.get(f"SEEDFARMER_{key}", "") for key in ("PROJECT_NAME", "DEPLOYMENT_NAME", "MODULE_NAME")}
    problems += [
        f"SEEDFARMER_{key} is not set: run this inside a seed-farmer deployment" for key, v in context.items() if not v
    ]
    known = {**SEED_INPUTS, **{upper_snake(name): name for name in template_parameters}}
    parameters: dict[str, str] = {}
    tags: dict[str, str] = {}
    boundary, warnings = None, []
    for variable, value in sorted(environ.items()):
        if not variable.startswith(PREFIX):
            continue
        name = variable[len(PREFIX) :]
        if name in MISSPELLED:
            warnings.append(
                f"{variable}: read as {PREFIX}{MISSPELLED[name]}; spell the parameter "
                f"{MISSPELLED[name].lower().replace('_', '-')}"
            )
            name = MISSPELLED[name]
        if name == TAGS:
            tags, tag_problems = _tags(variable, value)
            problems += tag_problems
        elif name == BOUNDARY:
            boundary = value or None
        elif name in known:
            converted, problem = _value(name, variable, value)
            parameters[known[name]] = converted
            problems += [problem] if problem else []
        else:
            closest = difflib.get_close_matches(name, [*known, *MISSPELLED, TAGS, BOUNDARY], n=1, cutoff=0.6)
            hint = f"did you mean {PREFIX}{closest[0]}?" if closest else "the README lists the module's parameters"
            problems.append(f"{variable}: not a parameter of this module; {hint}")
    if problems:
        raise InputError(problems)
    project, deployment, module = context["PROJECT_NAME"], context["DEPLOYMENT_NAME"], context["MODULE_NAME"]
    stack_name = f"{project}-{deployment}-{module}{SEEDFARMER_STACK_SUFFIX}"
    if len(stack_name) > MAX_STACK_NAME:
        raise InputError([f"stack name {stack_name} is over {MAX_STACK_NAME} characters: shorten the module's names"])
    seed_tags = {
        "SeedFarmerProjectName": project,
        "SeedFarmerDeploymentName": deployment,
        "SeedFarmerModuleName": module,
    }
    return SeedFarmerModule(
        stack_name,
        parameters,
        {**seed_tags, **tags},
        SEEDFARMER_DEPLOYER_ROLE_PATH.format(project=project, deployment=deployment, module=module),
        boundary,
        warnings,
    )


def _value(name: str, variable: str, value: str) -> tuple[str, str | None]:
    if name in BOOLEANS:
        if value.lower() in ("true", "false"):
            return value.lower(), None
        return value, f"{variable}={value!r}: expected true or false"
    if name == "SUBNET_IDS" and value.lstrip().startswith("["):
        try:
            subnets = json.loads(value)
        except json.JSONDecodeError:
            subnets = None
        if not isinstance(subnets, list) or not all(isinstance(s, str) for s in subnets):
            return value, f'{variable}={value!r}: expected a JSON list of subnet ids, such as ["subnet-a", "subnet-b"]'
        return ",".join(subnets), None
    return value, None


def _tags(variable: str, value: str) -> tuple[dict[str, str], list[str]]:
    try:
        tags = json.loads(value) if value else {}
    except json.JSONDecodeError:
        tags = None
    if not isinstance(tags, dict):
        return {}, [f'{variable}={value!r}: expected a JSON object of tags, such as {{"team": "ml"}}']
    return {str(key): str(tag) for key, tag in tags.items()}, []
