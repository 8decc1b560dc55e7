"""What every builder shares: the template, its parameters, the shared Conditions and the tags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from troposphere import (
    And,
    AWSHelperFn,
    Equals,
    Export,
    If,
    Join,
    Not,
    Or,
    Output,
    Ref,
    Select,
    Split,
    Sub,
    Tags,
    Template,
)

from generator.parameters import Parameters


@dataclass(frozen=True)
class Conditions:
    """Conditions that more than one builder uses; a builder's own Conditions live beside it."""

    use_package_arn: str
    use_package_group: str
    data_capture_enabled: str
    scaling_enabled: str
    has_permissions_boundary: str
    deploy_on_approval: str


@dataclass(frozen=True)
class Stack:
    template: Template
    params: Parameters
    conditions: Conditions
    tags: Tags
    endpoint_name: If


def add_shared_conditions(template: Template, params: Parameters) -> Conditions:
    """Group mode (resolve the package at deploy time) and data capture switch resources in several builders.

    Each also tests the input the Rules already require with it (the resolver's code bucket, the artifacts
    bucket), so cfn-lint can see that input is set wherever it is used.
    """
    capture_on = And(
        Not(Equals(Ref(params.data_capture_sampling_percentage), "0")),
        Not(is_empty(params.model_artifacts_bucket_arn)),
    )
    group_mode = And(Not(is_empty(params.model_package_group_name)), Not(is_empty(params.resolver_code_s3_bucket)))
    return Conditions(
        use_package_arn=_add(template, "UseModelPackageArn", Not(is_empty(params.model_package_arn))),
        use_package_group=_add(template, "UseModelPackageGroup", group_mode),
        data_capture_enabled=_add(template, "DataCaptureEnabled", capture_on),
        scaling_enabled=_add(template, "ScalingEnabled", Equals(Ref(params.managed_instance_scaling), "true")),
        has_permissions_boundary=_add(
            template, "HasPermissionsBoundary", Not(is_empty(params.permissions_boundary_arn))
        ),
        deploy_on_approval=_add(
            template,
            "DeployOnApprovalEnabled",
            And(
                Equals(Ref(params.deploy_on_approval), "true"),
                group_mode,
                Not(is_empty(params.deployment_role_arn)),
            ),
        ),
    )


def derive_endpoint_name(template: Template, params: Parameters) -> If:
    """EndpointName, or `endpoint-<stack UUID>` when it is empty: 45 characters, within SageMaker's 63, and
    known before the endpoint exists, so alarms, scaling and the role can name it without a dependency cycle."""
    has_name = _add(template, "HasEndpointName", Not(is_empty(params.endpoint_name)))
    return If(has_name, Ref(params.endpoint_name), Join("-", ["endpoint", stack_uuid()]))


def stack_uuid() -> Select:
    """The UUID at the end of the stack's id: unique, fixed for the stack's life, 36 characters."""
    return Select(2, Split("/", Ref("AWS::StackId")))


def is_empty(parameter: object) -> Equals:
    return Equals(Ref(parameter), "")


MAX_OR_OPERANDS = 10  # Fn::Or takes 2 to 10 conditions


def any_of(conditions: Sequence[AWSHelperFn]) -> AWSHelperFn:
    """Fn::Or of any number of conditions, nested in groups of at most ten."""
    if len(conditions) == 1:
        return conditions[0]
    if len(conditions) <= MAX_OR_OPERANDS:
        return Or(*conditions)
    groups = [conditions[i : i + MAX_OR_OPERANDS] for i in range(0, len(conditions), MAX_OR_OPERANDS)]
    return any_of([any_of(group) for group in groups])


def add_condition(stack: Stack, name: str, condition: AWSHelperFn) -> str:
    return _add(stack.template, name, condition)


def _add(template: Template, name: str, condition: AWSHelperFn) -> str:
    template.add_condition(name, condition)
    return name


def add_output(stack: Stack, key: str, value: object, description: str) -> None:
    """An output named as the module we replace names its metadata key."""
    add_exported_output(stack.template, key, value, description)


def add_exported_output(template: Template, key: str, value: object, description: str) -> None:
    """An output exported as <stack>-<key>, so other stacks can import it."""
    template.add_output(
        Output(key, Description=description, Value=value, Export=Export(Sub(f"${{AWS::StackName}}-{key}")))
    )
