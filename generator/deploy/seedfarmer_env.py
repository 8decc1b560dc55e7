"""A seed-farmer module deployment, read from the environment seed-farmer's CodeBuild sets.

The module's parameters arrive as `SEEDFARMER_PARAMETER_<UPPER_SNAKE>` (seed-farmer normalises `vpc-id`, `vpc_id`
and `vpcId` alike), lists as JSON, booleans as `true`/`True`; the parameters are those of the CDK module we replace,
plus every template parameter by its own name. Both come from the template: each input's declaration names the seed
module's input it stands for (the `SageMakerEndpoint::Inputs` metadata). The stack is named as the CDK module
names its own, with a suffix of ours, and is deployed with the deployer role our modulestack.yaml creates.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.common.names import SEEDFARMER_DEPLOYER_ROLE_PATH, SEEDFARMER_STACK_SUFFIX
from generator.common.patterns import snake_case
from generator.deploy.inputs import InputError
from generator.deploy.template_file import EndpointTemplate

PREFIX = "SEEDFARMER_PARAMETER_"
MAX_STACK_NAME = 128
MISSPELLED = {"DATA_CAPTURE_SAMPING_PERCENTAGE": "DATA_CAPTURE_SAMPLING_PERCENTAGE"}  # the seed README's typo
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
    """As seed-farmer's upper_snake_case: `ModelPackageArn` and `model-package-arn` -> MODEL_PACKAGE_ARN."""
    return snake_case(name).upper().replace("-", "_")


def seed_names(template: EndpointTemplate) -> dict[str, str]:
    """UPPER_SNAKE name -> template parameter: the seed module's names (its README's `vpc-id`), and our own."""
    seed = {upper_snake(facts["SeedFarmer"]): name for name, facts in template.inputs.items() if "SeedFarmer" in facts}
    return {**seed, **{upper_snake(name): name for name in template.parameters}}


def read_module(environ: Mapping[str, str], template: EndpointTemplate) -> SeedFarmerModule:
    """Raises InputError naming every problem, before anything reaches AWS."""
    problems: list[str] = []
    context = {key: environ.get(f"SEEDFARMER_{key}", "") for key in ("PROJECT_NAME", "DEPLOYMENT_NAME", "MODULE_NAME")}
    problems += [
        f"SEEDFARMER_{key} is not set: run this inside a seed-farmer deployment" for key, v in context.items() if not v
    ]
    known = seed_names(template)
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
            converted, problem = _value(template.parameters[known[name]], variable, value)
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


def _value(parameter: dict[str, Any], variable: str, value: str) -> tuple[str, str | None]:
    """seed-farmer's encodings of a boolean (`True`) and of a list (JSON) as the parameter takes them."""
    if parameter.get("AllowedValues") == ["true", "false"]:
        if value.lower() in ("true", "false"):
            return value.lower(), None
        return value, f"{variable}={value!r}: expected true or false"
    if parameter.get("Type") == "CommaDelimitedList" and value.lstrip().startswith("["):
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
