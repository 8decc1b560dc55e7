"""The deployer role: derived from the endpoint template, it allows every permission CloudFormation needs for
each of the template's resource types on exactly what a stack makes, and nothing on a wildcard without a reason.

Coverage is checked with an IAM policy evaluator (tests/iam_eval.py, with its own tests) on the policies as
CloudFormation would create them, for a stack `churn-endpoint` in eu-west-1 of account 111122223333."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from generator.deployer.aws_reference import handler_permissions, is_iam_action, resource_types, scopable
from generator.deployer.permissions import MANAGED_POLICY_LIMIT, derive_deployer_policy
from generator.deployer.role_template import build_deployer_role_template, render_deployer_policy_json
from generator.endpoint.template import build_template
from tests.support.iam_eval import allows, managed_policy_statements
from tests.support.template_eval import Evaluator

ACCOUNT, REGION, UUID = "111122223333", "eu-west-1", "5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::StackName": "deployer"}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/churn-endpoint-ModelExecutionRole-Q1W2E3R4T5Y6"
RESOLVER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/churn-endpoint-PackageResolverRole-Z9X8C7V6B5"
# What a stack churn-endpoint makes: the ARN each handler's actions act on, by resource type for SageMaker,
SAGEMAKER_ARNS = {
    "AWS::SageMaker::Model": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/model-a1b2c3d4e5f6",
    "AWS::SageMaker::EndpointConfig": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/endpointconfig-a1b2",
    "AWS::SageMaker::Endpoint": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/endpoint-{UUID}",
}
# and by service for the others.
STACK_ARNS = {
    "iam": ROLE,
    "kms": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "ec2": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0",
    "lambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-endpoint-resolver-{UUID}",  # for neighbours
    "logs": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sagemaker-endpoint/churn-endpoint/package-resolver:*",
    "s3": f"arn:aws:s3:::sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}/resolver/package-resolver-0a1b.zip",
    "cloudwatch": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:churn-endpoint-Invocation5xxAlarm-A1B2C3",
    "application-autoscaling": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0a1b2c3d4e5f",
    "firehose": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/none-configured",
    "elasticfilesystem": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-none",
    "s3files": f"arn:aws:s3files:{REGION}:{ACCOUNT}:file-system/none",
    "sqs": f"arn:aws:sqs:{REGION}:{ACCOUNT}:sagemaker-endpoint-{UUID}.fifo",
    "events": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sagemaker-endpoint-{UUID}",
}
# The Lambda handlers act on both functions of a stack: the resolver and the approval updater.
FUNCTIONS = [
    f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-endpoint-{kind}-{UUID}" for kind in ("resolver", "updater")
]
DASHBOARD = f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/sagemaker-endpoint-churn-endpoint-{REGION}"
ESM = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
BY_ACTION = {
    "kms:CreateAlias": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn-endpoint",
    "kms:DeleteAlias": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn-endpoint",
    "kms:UpdateAlias": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn-endpoint",
    "iam:CreateServiceLinkedRole": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling"
    ".amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
    "cloudwatch:GetMetricData": "*",
    "events:DescribeEventBus": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default",  # its policy admits a registry
}
CONTEXT = {
    "iam:CreateServiceLinkedRole": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"},
}
# The requests CloudFormation makes for passing roles: the model's to SageMaker, the resolver's to Lambda.
UPDATER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/churn-endpoint-ApprovalUpdaterRole-P0O9I8U7Y6"
PASSED_ROLES = [(ROLE, "sagemaker.amazonaws.com"), (RESOLVER_ROLE, "lambda.amazonaws.com"),
                (UPDATER_ROLE, "lambda.amazonaws.com")]  # fmt: skip
WILDCARD_REASONS = {
    "ActionsWithoutResourceTypes": "IAM defines no resource type for these actions (service authorization reference)",
    "ReadMetricData": "cloudwatch:GetMetricData: its one resource type, a dataset, is not what scaling reads",
    "SummarizeTemplates": "cloudformation:GetTemplateSummary of a template URL names no stack",
    "ReadServiceCatalogTemplates": "Service Catalog keeps the product's template in buckets of its own; only "
    "objects it tags are readable",
}
NOT_IAM_ACTIONS = ["lambda:AssociateRuntimeAlias", "s3:REST.PUT.OBJECT"]


@cache
def endpoint() -> dict[str, Any]:
    return build_template().to_dict()  # type: ignore[no-any-return]


def deployer_statements(endpoint_template: dict[str, Any]) -> list[dict[str, Any]]:
    """The role's managed policies as CloudFormation would create them in this account and Region."""
    template = build_deployer_role_template(derive_deployer_policy(endpoint_template)).to_dict()
    return managed_policy_statements(template, PSEUDO)


def requests(resource_type: str, action: str) -> list[tuple[str, dict[str, str]]]:
    """The (resource ARN, request context) of each call the handler makes with this action."""
    if action == "iam:PassRole":
        return [(role, {"iam:PassedToService": service}) for role, service in PASSED_ROLES]
    context = CONTEXT.get(action, {})
    if not scopable(action):
        return [("*", context)]
    if action in BY_ACTION:
        return [(BY_ACTION[action], context)]
    service = action.split(":", maxsplit=1)[0]
    if service == "lambda":
        return [(ESM if resource_type == "AWS::Lambda::EventSourceMapping" else arn, context) for arn in FUNCTIONS]
    if resource_type == "AWS::CloudWatch::Dashboard":
        return [(DASHBOARD, context)]
    return [(SAGEMAKER_ARNS[resource_type] if service == "sagemaker" else STACK_ARNS[service], context)]


def denied(statements: list[dict[str, Any]], endpoint_template: dict[str, Any]) -> list[str]:
    """Every (resource type, action, ARN) of the template's handlers no Allow statement permits."""
    missing = []
    for resource_type in resource_types(endpoint_template):
        permissions = (
            {"lambda:InvokeFunction"} if resource_type.startswith("Custom::") else handler_permissions(resource_type)
        )
        for action in sorted(p for p in permissions if is_iam_action(p)):
            for arn, context in requests(resource_type, action):
                if not allows(statements, action, arn, context):
                    missing.append(f"{resource_type} {action} {arn}")
    return missing


def test_every_handler_permission_of_every_resource_type_is_allowed_on_what_the_stack_makes() -> None:
    statements = deployer_statements(endpoint())
    assert denied(statements, endpoint()) == []
    assert len(resource_types(endpoint())) == 20  # 19 types with a schema, and the resolver


def test_a_policy_derived_without_one_resource_type_fails_the_coverage_proof() -> None:
    """The mutation the proof must catch: the Endpoint's permissions dropped."""
    without = {**endpoint(), "Resources": {k: v for k, v in endpoint()["Resources"].items() if k != "Endpoint"}}
    missing = denied(deployer_statements(without), endpoint())
    endpoint_arn = SAGEMAKER_ARNS["AWS::SageMaker::Endpoint"]
    assert f"AWS::SageMaker::Endpoint sagemaker:UpdateEndpoint {endpoint_arn}" in missing


def test_nothing_else_is_allowed_on_the_stacks_neighbours() -> None:
    """Scoped means: not another team's model, not a role outside the path, not another key alias."""
    statements = deployer_statements(endpoint())

    def allowed(action: str, arn: str, context: dict[str, str] | None = None) -> bool:
        return allows(statements, action, arn, context)

    other_region = STACK_ARNS["lambda"].replace(REGION, "us-east-1")
    assert not allowed("lambda:UpdateFunctionCode", other_region)
    assert not allowed("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:payments-api")
    assert not allowed("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/admin")
    assert not allowed(
        "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin", {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not allowed("iam:PassRole", RESOLVER_ROLE, {"iam:PassedToService": "ec2.amazonaws.com"})
    assert not allowed("kms:CreateAlias", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/finance")
    assert not allowed("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/payments")
    assert not allowed("s3:GetObject", "arn:aws:s3:::customer-data/export.csv")
    assert not allowed("sagemaker:DeleteEndpoint", f"arn:aws:sagemaker:{REGION}:999999999999:endpoint/theirs")
    assert not allowed("cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/finance-overview")
    own = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
    assert not allowed("iam:AttachRolePolicy", own)  # the role cannot widen itself


def test_no_wildcard_action_and_every_wildcard_resource_has_its_reason() -> None:
    policy = derive_deployer_policy(endpoint())
    assert [a for _, actions in policy.statements for a in actions if "*" in a] == []
    wildcards = {grant.sid: grant.wildcard_reason for grant, _ in policy.statements if "*" in grant.resources}
    assert wildcards == WILDCARD_REASONS
    unscoped = {grant.sid: actions for grant, actions in policy.statements}["ActionsWithoutResourceTypes"]
    assert [action for action in unscoped if scopable(action)] == []


# Where a resource deliberately has another shape than IAM's reference gives the action, and why.
SHAPE_EXCEPTIONS = {
    ("ModelPackagesOfAnyRegistry", "sagemaker:CreateModel"): "IAM's reference authorizes CreateModel on `model` only; "
    "AWS's cross-account recipe grants it on the packages (group resource policy): both, on the safe side",
}


def test_every_scoped_resource_has_the_shape_iam_defines_for_the_action() -> None:
    """A resource that matches none of the action's ARN formats would grant nothing: a silent deny. One exception,
    with its reason (SHAPE_EXCEPTIONS): AWS's two sources disagree on what CreateModel is authorized on."""
    formats = json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
    excepted = []
    for statement in deployer_statements(endpoint()):
        if statement["Resource"] == ["*"]:
            continue
        for action in statement["Action"]:
            if (statement["Sid"], action) in SHAPE_EXCEPTIONS:
                excepted.append((statement["Sid"], action))
                continue
            service, name = action.split(":")
            types = formats[service]["Actions"][name.lower()]["Resources"]
            patterns = [
                re.sub(r"\$\{[A-Za-z]+\}", ".*", arn_format)
                for kind, spec in formats[service]["Resources"].items()
                if kind.lower().replace(" ", "") in {t.lower().replace(" ", "").replace("-", "") for t in types}
                or kind.lower() in {t.lower() for t in types}
                for arn_format in spec["ARNFormats"]
            ]
            assert any(re.fullmatch(p, r) for p in patterns for r in statement["Resource"]), (statement["Sid"], action)
    assert excepted == list(SHAPE_EXCEPTIONS)


def test_the_deployer_may_create_a_model_from_a_package_of_another_accounts_registry() -> None:
    """IAM's reference (cfn-lint's Policies.json) gives `"createmodel": {"Resources": ["model"]}`, while AWS's
    cross-account recipe has the registry grant `sagemaker:CreateModel` and `sagemaker:DescribeModelPackage` on the
    packages in the group's policy (https://docs.aws.amazon.com/sagemaker/latest/dg/model-registry-deploy.html#model-
    registry-deploy-xaccount: "you have to provide a cross-account resource policy for the model group that contains
    the model versions you want to deploy"). If SageMaker also checks the caller's own policy on the package, a
    deployer without these fails with AccessDenied: granted, on this partition's and Region's packages."""
    statements = deployer_statements(endpoint())
    package = f"arn:aws:sagemaker:{REGION}:444455556666:model-package/churn/3"
    for action in ("sagemaker:CreateModel", "sagemaker:DescribeModelPackage"):
        assert allows(statements, action, package)
        assert allows(statements, action, package.replace("444455556666", ACCOUNT))
        assert not allows(statements, action, package.replace(REGION, "us-east-1"))
    for action in ("sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage", "sagemaker:CreateModelPackage"):
        assert not allows(statements, action, package)


def test_read_and_tagging_permissions_of_every_resource_type_are_derived() -> None:
    """A schema's read handler (CloudFormation reads resources back) and its `tagging.permissions` ("permissions
    required to tag/untag this resource", changed stack tags propagate) are needed as much as create/update/delete:
    e.g. AWS::IAM::Role `"tagging": {... "permissions": ["iam:TagRole", "iam:UntagRole", "iam:ListRoleTags"]}` and
    AWS::KMS::Key `"read": {"permissions": ["kms:DescribeKey", "kms:GetKeyPolicy", ...]}` (cfn-lint's schemas, read
    here straight from the files)."""
    data = Path(cfnlint.__file__).parent / "data" / "schemas"
    providers = json.loads((data / "providers" / "us-east-1.json").read_text())
    statements = deployer_statements(endpoint())
    needed = set()
    for resource_type in resource_types(endpoint()):
        if resource_type.startswith("Custom::"):
            continue
        schema = json.loads((data / "resources" / f"{providers[resource_type]}.json").read_text())
        needed |= {(resource_type, p) for p in schema.get("handlers", {}).get("read", {}).get("permissions", [])}
        needed |= {(resource_type, p) for p in schema.get("tagging", {}).get("permissions", [])}
    granted = {a.lower() for s in statements for a in s["Action"]}
    missing = sorted(f"{t} {p}" for t, p in needed if is_iam_action(p) and p.lower() not in granted)
    assert missing == []
    assert {"iam:listroletags", "kms:getkeypolicy", "sagemaker:listtags", "lambda:listtags"} <= granted


def test_handler_entries_that_are_not_iam_actions_are_left_out_and_named() -> None:
    assert derive_deployer_policy(endpoint()).not_actions == NOT_IAM_ACTIONS


def test_each_managed_policy_fits_iams_limit_in_the_longest_partition_and_region() -> None:
    template = build_deployer_role_template(derive_deployer_policy(endpoint())).to_dict()
    longest = {"AWS::Partition": "aws-iso-b", "AWS::Region": "us-isob-east-1", "AWS::AccountId": "0" * 12}
    policies = [
        r["Properties"]["PolicyDocument"]
        for r in Evaluator(template, {"ArtifactsBucketName": "b" * 63}, longest).resources().values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    ]
    sizes = [len(json.dumps(p, separators=(",", ":"))) for p in policies]
    assert len(sizes) == 2
    assert max(sizes) <= MANAGED_POLICY_LIMIT, sizes


def test_the_role_is_trusted_by_cloudformation_and_service_catalog_only() -> None:
    template = build_deployer_role_template(derive_deployer_policy(endpoint())).to_dict()
    role = template["Resources"]["DeployerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": ["cloudformation.amazonaws.com", "servicecatalog.amazonaws.com"]}
    assert role["Path"] == "/sagemaker-endpoint-deployer/"
    assert role["ManagedPolicyArns"] == [{"Ref": "DeployerPolicy1"}, {"Ref": "DeployerPolicy2"}]
    boundary = Evaluator(template, {"PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/Boundary"}).resources()
    assert boundary["DeployerRole"]["Properties"]["PermissionsBoundary"] == "arn:aws:iam::111122223333:policy/Boundary"
    assert "PermissionsBoundary" not in Evaluator(template, {}).resources()["DeployerRole"]["Properties"]
    assert set(template["Outputs"]) == {"DeployerRoleArn", "DeployerPolicyArns"}
    assert all("Export" in output for output in template["Outputs"].values())


@pytest.mark.parametrize("bucket", ["", "team-artifacts"])
def test_the_resolver_code_is_read_only_from_the_artifacts_bucket(bucket: str) -> None:
    template = build_deployer_role_template(derive_deployer_policy(endpoint())).to_dict()
    resources = Evaluator(template, {"ArtifactsBucketName": bucket}, PSEUDO).resources()
    statements = [
        s for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]  # fmt: skip
    (code,) = [s for s in statements if s["Sid"] == "ReadResolverCode"]
    expected = bucket or f"sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}"
    assert (code["Action"], code["Resource"]) == (
        ["s3:GetObject", "s3:GetObjectVersion"],
        [f"arn:aws:s3:::{expected}/*"],
    )


def test_the_plain_policy_document_is_the_same_statements_with_placeholders() -> None:
    policy = derive_deployer_policy(endpoint())
    text = render_deployer_policy_json(policy)
    assert "AWS::" not in text
    filled = text.replace("${Partition}", "aws").replace("${Region}", REGION).replace("${AccountId}", ACCOUNT)
    filled = filled.replace("${ArtifactsBucket}", f"sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}")
    document = json.loads(filled)
    assert sorted(document["Statement"], key=lambda s: s["Sid"]) == sorted(
        deployer_statements(endpoint()), key=lambda s: s["Sid"]
    )
