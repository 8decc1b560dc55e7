"""What every builder shares: the template, its parameters, the shared Conditions and the tags."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, AWSHelperFn, Equals, FindInMap, If, Join, Not, NoValue, Ref, Sub, Tags, Template
from troposphere.iam import Policy, Role

from generator.cfn.conditions import add_named_condition, is_empty, stack_uuid
from generator.cfn.iam import service_trust_policy
from generator.cfn.outputs import add_exported_output
from generator.common.names import ROLE_PATH
from generator.endpoint.parameters import ASYNC, REAL_TIME, SERVERLESS, Parameters
from generator.endpoint.registry_group import RegistryGroup

ENDPOINT_TYPES_MAP, NAME_SUFFIX = "EndpointTypes", "NameSuffix"
NAME_SUFFIXES = {REAL_TIME: "", SERVERLESS: "-serverless", ASYNC: "-async"}


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
    """What every builder of the endpoint template is handed: the template, its parameters, the shared
    Conditions, the tags, the endpoint's name and where its model package group lives."""

    template: Template
    params: Parameters
    conditions: Conditions
    tags: Tags
    endpoint_name: If
    group: RegistryGroup


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
    serverless = Equals(Ref(params.endpoint_type), SERVERLESS)
    return Conditions(
        real_time=add_named_condition(template, "IsRealTime", Equals(Ref(params.endpoint_type), REAL_TIME)),
        serverless=add_named_condition(template, "IsServerless", serverless),
        asynchronous=add_named_condition(template, "IsAsync", Equals(Ref(params.endpoint_type), ASYNC)),
        # the network given too, as the Rules require: so cfn-lint sees VpcId and SubnetIds set where they are used
        in_vpc=add_named_condition(
            template,
            "InVpc",
            And(Not(serverless), Not(is_empty(params.vpc_id)), Not(Equals(Join("", Ref(params.subnet_ids)), ""))),
        ),
        use_package_arn=add_named_condition(template, "UseModelPackageArn", Not(is_empty(params.model_package_arn))),
        use_package_group=add_named_condition(template, "UseModelPackageGroup", group_mode),
        data_capture_enabled=add_named_condition(template, "DataCaptureEnabled", capture_on),
        scaling_enabled=add_named_condition(
            template, "ScalingEnabled", Equals(Ref(params.managed_instance_scaling), "true")
        ),
        has_permissions_boundary=add_named_condition(
            template, "HasPermissionsBoundary", Not(is_empty(params.permissions_boundary_arn))
        ),
        alarm_topic=add_named_condition(template, "HasAlarmTopic", Not(is_empty(params.alarm_topic_arn))),
        deploy_on_approval=add_named_condition(
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
    known before the endpoint exists, so alarms, scaling and the role can name it without a dependency cycle.
    A Serverless or Async endpoint's derived name ends in `-serverless` or `-async` (56 at most): SageMaker
    cannot turn one type into another, so a change of EndpointType names, and so makes, a new endpoint. The suffix
    comes from a mapping, not a condition, so no expression has a branch some resource can never take."""
    has_name = add_named_condition(template, "HasEndpointName", Not(is_empty(params.endpoint_name)))
    template.add_mapping(ENDPOINT_TYPES_MAP, {kind: {NAME_SUFFIX: suffix} for kind, suffix in NAME_SUFFIXES.items()})
    suffix = FindInMap(ENDPOINT_TYPES_MAP, Ref(params.endpoint_type), NAME_SUFFIX)
    return If(has_name, Ref(params.endpoint_name), Join("", ["endpoint-", stack_uuid(), suffix]))


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
            PermissionsBoundary=If(
                stack.conditions.has_permissions_boundary, Ref(stack.params.permissions_boundary_arn), NoValue
            ),
            AssumeRolePolicyDocument=service_trust_policy(service),
            Policies=[Policy(PolicyName=title, PolicyDocument=policy)],
            Tags=stack.tags,
        )
    )
