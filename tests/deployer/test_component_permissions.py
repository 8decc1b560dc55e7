"""The deployer role covers the shared endpoint and inference component templates too: every permission their resource
types' handlers need, on exactly what a stack of each makes (an IAM policy evaluator on the role's managed policies as
CloudFormation would create them, stacks `shared` and `churn` in eu-west-1 of account 111122223333), and nothing on
what they do not make. The StackSet execution role and seed-farmer's, which deploy the endpoint template only, get
none of it."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from generator.deployer.aws_reference import handler_permissions, is_iam_action, resource_types, scopable
from generator.deployer.permissions import UNUSED_HANDLER_PERMISSIONS, derive_deployer_policy
from generator.deployer.role_template import build_deployer_role_template
from generator.endpoint.template import build_template
from tests.support.components import component_template, shared_endpoint_template
from tests.support.iam_eval import allows, managed_policy_statements

ACCOUNT, REGION, UUID = "111122223333", "eu-west-1", "5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::StackName": "deployer"}
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
ENDPOINT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/shared-ExecutionRole-Q1W2E3R4T5Y6"
# What a stack of each template makes, by resource type (SageMaker, IAM) and by service (the rest).
BY_TYPE = {
    "AWS::SageMaker::Model": [f"{SAGEMAKER}:model/model-a1b2c3d4e5f6"],
    "AWS::SageMaker::EndpointConfig": [f"{SAGEMAKER}:endpoint-config/endpointconfig-a1b2"],
    "AWS::SageMaker::Endpoint": [f"{SAGEMAKER}:endpoint/shared-gpu"],
    # CreateInferenceComponent is authorized on the component and on the endpoint that hosts it.
    "AWS::SageMaker::InferenceComponent": [
        f"{SAGEMAKER}:inference-component/component-{UUID}",
        f"{SAGEMAKER}:endpoint/shared-gpu",
    ],
    "AWS::IAM::Role": [ENDPOINT_ROLE],
    "AWS::IAM::ManagedPolicy": [f"arn:aws:iam::{ACCOUNT}:policy/sagemaker-endpoint/churn-PackageAccessPolicy-A1B2C3"],
}
BY_SERVICE = {
    "kms": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "ec2": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0",
    "logs": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sagemaker-endpoint/churn/package-resolver:*",
    "cloudwatch": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:sagemaker-endpoint-{UUID}-rollback-5xx",
    "application-autoscaling": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0a1b2c3d4e5f",
    "sqs": f"arn:aws:sqs:{REGION}:{ACCOUNT}:sagemaker-endpoint-{UUID}.fifo",
    "events": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sagemaker-endpoint-{UUID}",
    "lambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-endpoint-resolver-{UUID}",
    "s3": f"arn:aws:s3:::sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}/resolver/package-resolver-0a1b.zip",
    "firehose": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/none-configured",
    "elasticfilesystem": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-none",
    "s3files": f"arn:aws:s3files:{REGION}:{ACCOUNT}:file-system/none",
}
BY_ACTION = {
    "iam:CreateServiceLinkedRole": (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
        {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"},
    ),
    "iam:PassRole": (ENDPOINT_ROLE, {"iam:PassedToService": "sagemaker.amazonaws.com"}),
    "kms:CreateAlias": (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn", {}),
    "kms:DeleteAlias": (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn", {}),
    "kms:UpdateAlias": (f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn", {}),
    "events:DescribeEventBus": (f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default", {}),
}
DASHBOARD = f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/sagemaker-endpoint-shared-{REGION}"
ESM = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"


@cache
def templates() -> tuple[dict[str, Any], ...]:
    return build_template().to_dict(), shared_endpoint_template(), component_template()


def statements(*documents: dict[str, Any]) -> list[dict[str, Any]]:
    return managed_policy_statements(build_deployer_role_template(derive_deployer_policy(*documents)).to_dict(), PSEUDO)


def requests(resource_type: str, action: str) -> list[tuple[str, dict[str, str]]]:
    """The (ARN, request context) of each call the type's handler makes with this action on what the stacks make."""
    if action in BY_ACTION:
        return [BY_ACTION[action]]
    if not scopable(action):
        return [("*", {})]
    return [(arn, {}) for arn in _arns(resource_type, action)]


def _arns(resource_type: str, action: str) -> list[str]:
    service = action.split(":", 1)[0]
    if action in ("iam:AttachRolePolicy", "iam:DetachRolePolicy"):  # the policy is attached to the endpoint's role
        return [ENDPOINT_ROLE]
    if resource_type in BY_TYPE and service in ("sagemaker", "iam"):
        arns = BY_TYPE[resource_type]
        return arns if action == "sagemaker:CreateInferenceComponent" else arns[:1]
    if resource_type == "AWS::CloudWatch::Dashboard":
        return [DASHBOARD]
    if resource_type == "AWS::Lambda::EventSourceMapping" and service == "lambda":
        return [ESM]
    return [BY_SERVICE[service]]


def denied(granted: list[dict[str, Any]], template: dict[str, Any]) -> list[str]:
    missing = []
    for resource_type in resource_types(template):
        if resource_type.startswith("Custom::"):
            continue
        wanted = handler_permissions(resource_type) - UNUSED_HANDLER_PERMISSIONS.keys()
        for action in sorted(p for p in wanted if is_iam_action(p)):
            missing += [f"{resource_type} {action} {arn}" for arn, context in requests(resource_type, action)
                        if not allows(granted, action, arn, context)]  # fmt: skip
    return missing


@pytest.mark.parametrize("index", [1, 2], ids=["inference-endpoint", "inference-component"])
def test_every_handler_permission_of_the_new_templates_is_allowed_on_what_their_stacks_make(index: int) -> None:
    assert denied(statements(*templates()), templates()[index]) == []


def test_a_policy_derived_without_the_component_template_fails_the_coverage_proof() -> None:
    """The mutation the proof must catch: the component template left out of the derivation."""
    missing = denied(statements(*templates()[:2]), templates()[2])
    component = BY_TYPE["AWS::SageMaker::InferenceComponent"][0]
    assert f"AWS::SageMaker::InferenceComponent sagemaker:CreateInferenceComponent {component}" in missing
    assert f"AWS::IAM::ManagedPolicy iam:CreatePolicy {BY_TYPE['AWS::IAM::ManagedPolicy'][0]}" in missing


def test_nothing_is_allowed_on_what_the_stacks_do_not_make() -> None:
    """Exactly what they make: not a component of another account or Region, not a policy outside the stacks' path,
    not a group's or a user's policy (UNUSED_HANDLER_PERMISSIONS: the templates attach policies to roles only)."""
    granted = statements(*templates())
    component = BY_TYPE["AWS::SageMaker::InferenceComponent"][0]
    assert not allows(granted, "sagemaker:DeleteInferenceComponent", component.replace(ACCOUNT, "999999999999"))
    assert not allows(granted, "sagemaker:DeleteInferenceComponent", component.replace(REGION, "us-east-1"))
    assert not allows(granted, "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess")
    assert not allows(granted, "iam:AttachUserPolicy", f"arn:aws:iam::{ACCOUNT}:user/sagemaker-endpoint/anyone")
    assert not allows(granted, "iam:AttachGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/sagemaker-endpoint/anyone")
    own = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
    assert not allows(granted, "iam:AttachRolePolicy", own)  # the role cannot widen itself


def test_the_roles_that_deploy_only_the_endpoint_template_get_nothing_of_the_components() -> None:
    """The StackSet execution role and seed-farmer's deployer role are derived from the endpoint template alone."""
    endpoint_only = {a for _, actions in derive_deployer_policy(templates()[0]).statements for a in actions}
    everything = {a for _, actions in derive_deployer_policy(*templates()).statements for a in actions}
    assert sorted(everything - endpoint_only) == [
        "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
        "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListEntitiesForPolicy", "iam:ListPolicyVersions",
        "sagemaker:CreateInferenceComponent", "sagemaker:DeleteInferenceComponent",
        "sagemaker:DescribeInferenceComponent", "sagemaker:UpdateInferenceComponent",
        "sagemaker:UpdateInferenceComponentRuntimeConfig",
    ]  # fmt: skip
