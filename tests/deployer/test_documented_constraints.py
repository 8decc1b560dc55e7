"""Constraints AWS documents for every template we ship (the endpoint, the registry kit, the deployer role, the
StackSets roles, seed-farmer's modulestack, the Service Catalog kit) that docs/aws-constraints.md lists and no other
test held: IAM's names, paths, descriptions and policy sizes, and CloudFormation's template quotas. The limits are
read from botocore's IAM model where it has them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.session
import pytest

from generator.deployer.permissions import derive_deployer_policy
from generator.deployer.role_template import build_deployer_role_template
from generator.deployer.stackset_roles import build_administration_role_template, build_execution_role_template
from generator.distribution.seedfarmer_modulestack import build_modulestack_template
from generator.distribution.service_catalog import build_service_catalog_template
from generator.endpoint.template import build_template
from generator.registry.template import build_registry_access_template
from tests.support.deploy_time import LONG_STACK_NAME
from tests.support.template_eval import Evaluator

# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): "Role policy size can't
# exceed 10,240 characters." "Role trust policy length | 2048 characters"; "Managed policies per role | 10"; "IAM
# doesn't count white space when calculating the size of a policy against these limits."
INLINE_LIMIT, TRUST_LIMIT, MANAGED_PER_ROLE = 10_240, 2_048, 10
# seed-farmer's names at 64 characters each, the longest a role name it builds from them can use.
SEED_NAMES = {"ProjectName": "p" * 64, "DeploymentName": "d" * 64, "ModuleName": "m" * 64, "RoleName": "r" * 64}


@cache
def templates() -> dict[str, dict[str, Any]]:
    endpoint = build_template().to_dict()
    policy = derive_deployer_policy(endpoint)
    return {
        "sagemaker-endpoint": endpoint,
        "registry-access": build_registry_access_template().to_dict(),
        "deployer-role": build_deployer_role_template(policy).to_dict(),
        "stackset-administration-role": build_administration_role_template().to_dict(),
        "stackset-execution-role": build_execution_role_template(policy).to_dict(),
        "modulestack": build_modulestack_template(policy).to_dict(),
        "service-catalog": build_service_catalog_template().to_dict(),
    }


@cache
def iam_shape(name: str) -> dict[str, Any]:
    return dict(botocore.session.get_session().get_service_model("iam").shape_for(name).metadata)


def resources_of(kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for template_name, template in templates().items():
        for name, resource in template["Resources"].items():
            if resource["Type"] == kind:
                yield template_name, name, resource.get("Properties", {})


def evaluated(template_name: str) -> dict[str, Any]:
    """The template's resources for a 128-character stack name and seed-farmer's longest names."""
    template = templates()[template_name]
    values = {k: v for k, v in SEED_NAMES.items() if k in template.get("Parameters", {})}
    if "AdministratorAccountId" in template.get("Parameters", {}):
        values["AdministratorAccountId"] = "999988887777"
    if "LaunchRoleArn" in template.get("Parameters", {}):
        values |= {"LaunchRoleArn": "arn:aws:iam::111122223333:role/deployer",
                   "ProductTemplateUrl": "https://s3.eu-west-1.amazonaws.com/b/t.yaml"}  # fmt: skip
    return Evaluator(template, values, {"AWS::StackName": LONG_STACK_NAME}).resources()


def test_role_names_and_paths_are_what_iam_takes_in_every_template() -> None:
    """CreateRole (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html), botocore
    `roleNameType`: `"max": 64, "min": 1, "pattern": "[\\w+=,.@-]+"`; `pathType`: `"max": 512, "pattern":
    "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`. CreatePolicy, `policyPathType`:
    `"pattern": "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`: "You cannot use an asterisk (*) in the path name." A role is
    unnamed (CloudFormation names it), or named by a parameter whose pattern is IAM's own."""
    role_name, path = iam_shape("roleNameType"), iam_shape("pathType")
    named = 0
    for template_name, name, role in resources_of("AWS::IAM::Role"):
        if "RoleName" in role:
            named += 1
            parameter = templates()[template_name]["Parameters"][role["RoleName"]["Ref"]]
            assert parameter["AllowedPattern"] == r"^[\w+=,.@-]{1,64}$", (template_name, name)
            assert role_name["max"] == 64
        resolved = evaluated(template_name).get(name, {"Properties": role})["Properties"].get("Path", "/")
        assert len(resolved) <= path["max"], (template_name, name)
        assert re.fullmatch(path["pattern"], resolved), (template_name, name, resolved)
    assert named == 3  # the StackSets administration, execution and reader roles
    for template_name, name, policy in resources_of("AWS::IAM::ManagedPolicy"):
        resolved = evaluated(template_name).get(name, {"Properties": policy})["Properties"].get("Path", "/")
        assert re.fullmatch(iam_shape("policyPathType")["pattern"], resolved), (template_name, name, resolved)


def iam_size(document: Any) -> int:
    return len(re.sub(r"\s", "", json.dumps(document)))


@pytest.mark.parametrize("template_name", ["deployer-role", "stackset-administration-role",
                                           "stackset-execution-role", "modulestack", "service-catalog"])  # fmt: skip
def test_every_description_and_document_of_the_derived_templates_fits_its_limit(template_name: str) -> None:
    """CreateRole's `roleDescriptionType` (max 1000, `[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*`),
    CreatePolicy's `policyDescriptionType` (max 1000; "The policy description is immutable."), PutRolePolicy's
    `policyNameType` (1-128, `[\\w+=,.@-]+`), and the IAM quotas above, with a 128-character stack name and
    seed-farmer's names at 64 characters (modulestack's inline policy goes on seed-farmer's module role)."""
    for name, resource in evaluated(template_name).items():
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Role", "AWS::IAM::ManagedPolicy"):
            description = properties.get("Description", "")
            assert len(description) <= 1_000, name
            assert re.fullmatch(r"[\t\n\r\x20-\x7e\xa1-\xff]*", description), name
        if resource["Type"] == "AWS::IAM::Role":
            assert iam_size(properties["AssumeRolePolicyDocument"]) <= TRUST_LIMIT, name
            assert sum(iam_size(p["PolicyDocument"]) for p in properties.get("Policies", [])) <= INLINE_LIMIT, name
            assert len(properties.get("ManagedPolicyArns", [])) <= MANAGED_PER_ROLE, name
        if resource["Type"] == "AWS::IAM::Policy":
            assert iam_size(properties["PolicyDocument"]) <= INLINE_LIMIT, name
            assert re.fullmatch(iam_shape("policyNameType")["pattern"], properties["PolicyName"]), name
            assert len(properties["PolicyName"]) <= iam_shape("policyNameType")["max"], name


def and_or_arguments(node: Any) -> Iterator[int]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Fn::And", "Fn::Or"):
                yield len(value)
            yield from and_or_arguments(value)
    elif isinstance(node, list):
        for item in node:
            yield from and_or_arguments(item)


@pytest.mark.parametrize("template_name", sorted(templates()))
def test_every_template_fits_cloudformations_quotas(template_name: str) -> None:
    """CloudFormation quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
    "Maximum number of parameters that you can declare in your AWS CloudFormation template. | 200 parameters" (and 200
    outputs, 500 resources, 200 mappings), "Maximum size of a template description. | 1,024 bytes", "Maximum size of a
    parameter value. | 4,096 bytes". Condition functions
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html),
    Fn::And and Fn::Or: "The minimum number of conditions that you can include is 2, and the maximum is 10.\""""
    template = templates()[template_name]
    assert len(template.get("Parameters", {})) <= 200
    assert len(template.get("Outputs", {})) <= 200
    assert len(template["Resources"]) <= 500
    assert len(template.get("Mappings", {})) <= 200
    assert len(template.get("Description", "").encode()) <= 1_024
    assert all(int(p.get("MaxLength", 0)) <= 4_096 for p in template.get("Parameters", {}).values())
    counts = list(and_or_arguments([template.get("Conditions", {}), template.get("Rules", {})]))
    assert all(2 <= count <= 10 for count in counts), counts
