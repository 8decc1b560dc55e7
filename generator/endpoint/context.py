"""What the builders share: the template, the shared Conditions, the tags, and, by the kind of stack, the endpoint's
name and the package's group; and the one input every role a stack creates reads, its permissions boundary.

The endpoint template's builders take an EndpointStack; a builder the shared endpoint and its inference components
reuse takes the narrowest kind it reads (Stack, HostingStack, PackageStack), so those templates hand it theirs."""

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
class StackConditions:
    """Conditions every template's shared builders switch on: a role's permissions boundary, an alarm's topic."""

    has_permissions_boundary: str
    alarm_topic: str


@dataclass(frozen=True)
class PackageConditions(StackConditions):
    """A template that deploys a model package: by ARN or as a group's latest Approved one, maybe on approval."""

    use_package_arn: str
    use_package_group: str
    deploy_on_approval: str


@dataclass(frozen=True)
class HostingConditions(StackConditions):
    """A template that makes an endpoint's instances."""

    in_vpc: str  # RealTime and Async (the endpoint template), every shared endpoint: instances in the user's VPC


@dataclass(frozen=True)
class Conditions(PackageConditions, HostingConditions):
    """Conditions that more than one builder of the endpoint template uses; a builder's own live beside it."""

    data_capture_enabled: str
    scaling_enabled: str
    real_time: str
    serverless: str
    asynchronous: str


@dataclass(frozen=True)
class Stack:
    """What every shared builder is handed: the template, the Conditions it switches on, the tags. Builders refer to
    inputs by their declarations."""

    template: Template
    conditions: StackConditions
    tags: Tags


@dataclass(frozen=True)
class HostingStack(Stack):
    """A stack that makes an endpoint: its name is known before it exists (alarms, roles and scaling name it)."""

    conditions: HostingConditions
    endpoint_name: If


@dataclass(frozen=True)
class PackageStack(Stack):
    """A stack that deploys a model package, and where the package's group lives (the resolver and deploy on approval
    read it)."""

    conditions: PackageConditions
    group: RegistryGroup


@dataclass(frozen=True)
class EndpointStack(PackageStack, HostingStack):
    """What every builder of the endpoint template is handed: one model package behind its own endpoint."""

    conditions: Conditions


def stack_resource_name(suffix: str) -> Join:
    """`sagemaker-endpoint-<stack UUID>-<suffix>`: unique in the account, fixed for the stack's life, and known before
    the resource exists, so a policy can name it without depending on it."""
    return Join("", ["sagemaker-endpoint-", stack_uuid(), f"-{suffix}"])


def add_condition(stack: Stack, name: str, condition: AWSHelperFn) -> str:
    return add_named_condition(stack.template, name, condition)


def add_output(
    stack: Stack,
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
    stack: Stack, title: str, *, condition: str | None, purpose: str, service: str, policy: dict[str, object]
) -> Role:
    """A role one AWS service assumes, with one inline policy, under the stack's role path, bounded by
    PermissionsBoundaryArn when given and tagged like every resource of the stack; only where `condition` holds, when
    one is given."""
    return stack.template.add_resource(
        Role(
            title,
            **({"Condition": condition} if condition else {}),
            Description=Sub(f"{purpose} of stack ${{AWS::StackName}}"),
            Path=ROLE_PATH,
            PermissionsBoundary=If(stack.conditions.has_permissions_boundary, PERMISSIONS_BOUNDARY.ref(), NoValue),
            AssumeRolePolicyDocument=service_trust_policy(service),
            Policies=[Policy(PolicyName=title, PolicyDocument=policy)],
            Tags=stack.tags,
        )
    )
