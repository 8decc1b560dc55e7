"""modulestack.yaml's module role, offline: after the stack operation, `sagemaker-endpoint deploy
--from-seedfarmer-env` reads the template it uploaded back through CloudFormation, checks what the endpoint serves,
and removes the Models and EndpointConfigs the stack retained. The IAM evaluator (tests/support/iam_eval.py) on the
policy as CloudFormation creates it for module `models-endpoint` of deployment `prod`, project `mlops`."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint

from custom_resource.contract import STACK_TAG
from generator.common.names import TEMPLATES_PREFIX
from generator.deploy.artifacts_bucket import TEMPLATE_PREFIX
from generator.deployer.permissions import derive_deployer_policy
from generator.distribution.seedfarmer_modulestack import build_modulestack_template
from generator.endpoint.template import build_template
from tests.support.iam_eval import allows
from tests.support.template_eval import Evaluator

ACCOUNT, REGION = "111122223333", "eu-west-1"
PARAMETERS = {"RoleName": "mlops-prod-models-endpoint-role", "ProjectName": "mlops", "DeploymentName": "prod",
              "ModuleName": "models-endpoint"}  # fmt: skip
STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/mlops-prod-models-endpoint-cfn/5b1c9a40-ca3e-11f0-8f34"
OTHER_STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/payments-endpoint/0a1b2c3d-0a1b-0a1b-0a1b"
BUCKET = f"sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}"


def arn(resource: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}"


@cache
def statements() -> list[dict[str, Any]]:
    template = build_modulestack_template(derive_deployer_policy(build_template().to_dict())).to_dict()
    resources = Evaluator(template, PARAMETERS, {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION}).resources()
    return resources["ModuleRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def test_the_module_role_reads_back_the_templates_it_uploads_and_nothing_else_of_the_bucket() -> None:
    """CreateChangeSet's TemplateURL: "The URL must point to a template (max size: 1 MB) that's located in an
    Amazon S3 bucket" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html);
    AWS does not say whose access fetches it, and its error says "to which you have access": the safe side is that
    the caller reads it (the audit's finding). The endpoint template (over 51,200 bytes) always goes by URL."""
    assert TEMPLATES_PREFIX == TEMPLATE_PREFIX  # where the client uploads them
    uploaded = f"arn:aws:s3:::{BUCKET}/templates/sagemaker-endpoint-0a1b2c.yaml"
    assert allows(statements(), "s3:GetObject", uploaded)
    assert not allows(statements(), "s3:GetObject", f"arn:aws:s3:::{BUCKET}/resolver/package-resolver-0a1b.zip")
    assert not allows(statements(), "s3:GetObject", "arn:aws:s3:::payroll-exports/templates/x.yaml")


def test_the_module_role_may_check_what_the_endpoint_serves() -> None:
    """`check_serving` (generator.deploy.serving) calls DescribeEndpoint after every deploy, then DescribeEndpointConfig
    and DescribeModel when the endpoint serves another config. IAM scopes them to `endpoint`, `endpoint-config` and
    `model` (cfn-lint's Policies.json, IAM's service authorization reference for SageMaker)."""
    for action, resource in (("DescribeEndpoint", "endpoint/churn-endpoint"),
                             ("DescribeEndpointConfig", "endpoint-config/endpointconfig-a1b2"),
                             ("DescribeModel", "model/model-a1b2c3")):  # fmt: skip
        assert allows(statements(), f"sagemaker:{action}", arn(resource))
        assert not allows(statements(), f"sagemaker:{action}", arn(resource).replace(REGION, "us-east-1"))
    assert not allows(statements(), "sagemaker:UpdateEndpoint", arn("endpoint/churn-endpoint"))


def test_the_module_role_finds_retained_resources_and_deletes_only_its_own_stacks() -> None:
    """custom_resource.retained: tag:GetResources, then ListEndpointConfigs/ListModels for the exact names, then the
    deletes. The three finders have no resource type in IAM (Policies.json: `"listmodels": {}`), so `*`; the deletes
    are scoped to `endpoint-config`/`model`, whose condition keys include `aws:ResourceTag/${TagKey}` (Policies.json),
    on the tag every retained resource carries: the module stack's id."""
    for action in ("tag:GetResources", "sagemaker:ListEndpointConfigs", "sagemaker:ListModels"):
        assert allows(statements(), action, "*")
    ours, theirs = {f"aws:ResourceTag/{STACK_TAG}": STACK}, {f"aws:ResourceTag/{STACK_TAG}": OTHER_STACK}
    for action, resource in (("DeleteEndpointConfig", "endpoint-config/endpointconfig-a1b2"),
                             ("DeleteModel", "model/model-a1b2c3")):  # fmt: skip
        assert allows(statements(), f"sagemaker:{action}", arn(resource), ours)
        assert not allows(statements(), f"sagemaker:{action}", arn(resource), theirs)
        assert not allows(statements(), f"sagemaker:{action}", arn(resource))  # untagged: never
    assert not allows(statements(), "sagemaker:DeleteEndpoint", arn("endpoint/churn-endpoint"), ours)


def test_every_new_action_exists_in_iam_with_the_resource_type_and_condition_key_granted() -> None:
    """The module role's SageMaker and tagging grants checked against IAM's reference as cfn-lint ships it: an
    action on a resource type IAM does not define for it, or a condition key the type lacks, would grant nothing."""
    reference = json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
    for statement in statements():
        for action in statement["Action"]:
            service, name = action.split(":")
            if service not in ("sagemaker", "tag"):
                continue
            types = reference[service]["Actions"][name.lower()].get("Resources", [])
            assert (statement["Resource"] == ["*"]) == (not types), action
            for key in statement.get("Condition", {}).get("StringLike", {}):
                assert all(
                    key.replace(STACK_TAG, "${TagKey}") in reference[service]["Resources"][t]["ConditionKeys"]
                    for t in types
                ), (action, key)


def accepted(parameter: dict[str, Any], value: str) -> bool:
    """What CloudFormation checks of a String parameter before anything is created."""
    return len(value) <= parameter.get("MaxLength", len(value)) and bool(
        re.search(parameter.get("AllowedPattern", ""), value)
    )


def test_seedfarmer_names_at_their_longest_make_a_policy_name_and_role_path_iam_accepts() -> None:
    """IAM PutRolePolicy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html):
    `"policyNameType": { "max": 128, "min": 1, "pattern": "[\\w+=,.@-]+" }`; IAM quotas
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): "Path | 512 characters". AWS is
    silent on what seed-farmer passes, so the parameters refuse what would make either fail (the safe side)."""
    template = build_modulestack_template(derive_deployer_policy(build_template().to_dict())).to_dict()
    parameters = template["Parameters"]
    longest = {name: "a" * parameters[name]["MaxLength"] for name in ("ProjectName", "DeploymentName", "ModuleName")}
    resources = Evaluator(template, {**PARAMETERS, **longest}).resources()
    policy_name = resources["ModuleRolePolicy"]["Properties"]["PolicyName"]
    assert policy_name == f"{'a' * 109}-sagemaker-endpoint"
    assert len(policy_name) == 128
    assert re.fullmatch(r"[\w+=,.@-]+", policy_name)
    (path,) = {r["Properties"]["Path"] for r in resources.values() if r["Type"] == "AWS::IAM::Role"}
    assert len(path) <= 512
    assert all("\u0021" <= c <= "\u007e" for c in path)
    module = parameters["ModuleName"]
    assert accepted(module, "a" * 109)
    for refused in ("a" * 110, "models_endpoint", "models endpoint", "-models", "modèle"):
        assert not accepted(module, refused), refused
