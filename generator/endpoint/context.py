"""What every builder shares: the template, the shared Conditions, the tags, the endpoint's name and group; and the
one input every role the stack creates reads, its permissions boundary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from troposphere import AWSHelperFn, If, Join, NoValue, Sub, Tags, Template
from troposphere.iam import Policy, Role

from generator.cfn.conditions import add_named_condition, stack_uuid
from generator.cfn.iam import service_trust_policy
from generator.cfn.inputs import Input, pattern
from generator.cfn.outputs import add_exported_output
from generator.common.names import ROLE_PATH
from generator.common.patterns import POLICY_ARN

if TYPE_CHECKING:
    from generator.endpoint.registry_group import RegistryGroup

PERMISSIONS_BOUNDARY = Input(
    "PermissionsBoundaryArn",
    "Permissions boundary",
    "Permissions boundary of every role the stack creates; empty sets none.",
    pattern(POLICY_ARN, "an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)"),
)


@dataclass(frozen=True)
class Conditions:
    """Conditions that more than one builder uses; a builder's own Conditions live beside it."""

    use_package_arn: str
    use_package_group: str
    data_capture_enabled: str
    scaling_enabled: str
    has_permissions_boundary: str
    deploy_on_approval: str
    alarm_topic: str
    real_time: str
    serverless: str
    asynchronous: str
    in_vpc: str  # RealTime and Async: instances in the user's VPC


@dataclass(frozen=True)
class EndpointStack:
    """What every builder of the endpoint template is handed: the template, the shared Conditions, the tags, the
    endpoint's name and where its model package group lives. Builders refer to inputs by their declarations."""

    template: Template
    conditions: Conditions
    tags: Tags
    endpoint_name: If
    group: RegistryGroup


def stack_resource_name(suffix: str) -> Join:
    """`sagemaker-endpoint-<stack UUID>-<suffix>`: unique in the account, fixed for the stack's life, and known before
    the resource exists, so a policy can name it without depending on it."""
    return Join("", ["sagemaker-endpoint-", stack_uuid(), f"-{suffix}"])


def add_condition(stack: EndpointStack, name: str, condition: AWSHelperFn) -> str:
    return add_named_condition(stack.template, name, condition)


def add_output(
    stack: EndpointStack,
    key: str,
    value: object,
    description: str,
    condition: str | None = None,
    *,
    export: bool = True,
) -> None:
    """An output named as the module we replace names its metadata key."""
    add_exported_output(stack.template, key, value, description, condition, export=export)


def add_service_role(
    stack: EndpointStack, title: str, *, condition: str, purpose: str, service: str, policy: dict[str, object]
) -> Role:
    """A role one AWS service assumes, with one inline policy, under the stack's role path, bounded by
    PermissionsBoundaryArn when given and tagged like every resource of the stack."""
    return stack.template.add_resource(
        Role(
            title,
            Condition=condition,
            Description=Sub(f"{purpose} of stack ${{AWS::StackName}}"),
            Path=ROLE_PATH,
            PermissionsBoundary=If(stack.conditions.has_permissions_boundary, PERMISSIONS_BOUNDARY.ref(), NoValue),
            AssumeRolePolicyDocument=service_trust_policy(service),
            Policies=[Policy(PolicyName=title, PolicyDocument=policy)],
            Tags=stack.tags,
        )
    )
