"""The deployer's permissions, derived from the templates themselves: the endpoint template, and for the deployer
role the shared endpoint's and the inference component's too.

For every resource type the templates contain, the permissions of the type's create, update and delete handlers
(aws_reference.py), each granted on the narrowest resource its service allows for what this template makes: the
names and prefixes below are the template's own. An action for which IAM defines no resource type can only be
granted on `*`; IAM's service authorization reference says which those are. Added to those: what CloudFormation
itself does on the stack's behalf (invoking the resolver), and what Service Catalog does with a launch role
(manage its stacks, read its copy of the template). A resource type added to the template changes the policy at
the next render; an action of a service this module has no grant for fails the render, naming it.

Resources are CloudFormation `Sub` strings: `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` and
`${ArtifactsBucket}` (the bucket holding the resolver zip).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from generator.common.names import POLICY_VERSION, ROLE_PATH, Service, arn_pattern
from generator.deployer.aws_reference import handler_permissions, is_iam_action, resource_types, scopable
from generator.endpoint.dashboard import NAME_PREFIX as DASHBOARD_PREFIX
from generator.endpoint.deploy_on_approval import NAME_PREFIX, UPDATER_NAME_PREFIX
from generator.endpoint.encryption import ALIAS_PREFIX
from generator.endpoint.lambda_functions import LOG_GROUP_PREFIX
from generator.endpoint.resolver import FUNCTION_NAME_PREFIX


@dataclass(frozen=True)
class Grant:
    """One statement: where its actions apply, and why when that is everywhere."""

    sid: str
    resources: tuple[str, ...]
    wildcard_reason: str = ""
    condition: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if ("*" in self.resources) != bool(self.wildcard_reason):
            raise ValueError(f"{self.sid}: a `*` resource needs a reason, and only a `*` resource")


def _everywhere(sid: str, reason: str, condition: dict[str, Any] | None = None) -> Grant:
    return Grant(sid, ("*",), reason, condition or {})


SAGEMAKER_RESOURCES = Grant(
    "SageMakerModelsConfigsEndpoints",
    (
        arn_pattern("sagemaker", "model/*"),
        arn_pattern("sagemaker", "endpoint-config/*"),
        arn_pattern("sagemaker", "endpoint/*"),
    ),
)
# The inference component template's: its component and the shared endpoint that hosts it (CreateInferenceComponent
# is authorized on both, IAM's reference: Policies.json).
COMPONENT_RESOURCES = Grant(
    "SageMakerModelsConfigsEndpointsComponents",
    (*SAGEMAKER_RESOURCES.resources, arn_pattern("sagemaker", "inference-component/*")),
)
# A package of a central registry (another account of this partition and Region): the Model's CreateModel names it.
# IAM's reference (Policies.json) authorizes CreateModel on `model` only, while AWS's cross-account recipe grants
# CreateModel and DescribeModelPackage on the packages in the group's resource policy (SageMaker Developer Guide,
# "Deploy a Model Version from a Different Account"). AWS contradicts itself: the safe side grants both here too.
MODEL_PACKAGES = Grant(
    "ModelPackagesOfAnyRegistry", ("arn:${AWS::Partition}:sagemaker:${AWS::Region}:*:model-package/*",)
)
CROSS_ACCOUNT_PACKAGES = (("sagemaker:CreateModel", MODEL_PACKAGES), ("sagemaker:DescribeModelPackage", MODEL_PACKAGES))
STACK_ROLES = Grant("RolesUnderTheStackPath", (arn_pattern("iam", f"role{ROLE_PATH}*", region=False),))
# A component's managed policy (its package's access), under the same path, attached to its endpoint's role.
STACK_POLICIES = Grant("PoliciesUnderTheStackPath", (arn_pattern("iam", f"policy{ROLE_PATH}*", region=False),))
POLICY_ACTIONS = tuple(
    f"iam:{name}"
    for name in ("CreatePolicy", "CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "GetPolicy",
                 "GetPolicyVersion", "ListEntitiesForPolicy", "ListPolicyVersions")
)  # fmt: skip
# Handler permissions left out: what AWS::IAM::ManagedPolicy does to groups and users, which no template here names.
UNUSED_HANDLER_PERMISSIONS = dict.fromkeys(
    ("iam:AttachGroupPolicy", "iam:AttachUserPolicy", "iam:DetachGroupPolicy", "iam:DetachUserPolicy"),
    "the templates attach their managed policy to a role only (Roles), never to a group or a user",
)
PASS_MODEL_ROLE = Grant(
    "PassModelRoleToSageMaker",
    # the role the stack creates, or any role given as ModelExecutionRoleArn
    (arn_pattern("iam", "role/*", region=False),),
    condition={"StringEquals": {"iam:PassedToService": Service.SAGEMAKER}},
)
PASS_RESOLVER_ROLE = Grant(
    "PassResolverRoleToLambda",
    (arn_pattern("iam", f"role{ROLE_PATH}*", region=False),),
    condition={"StringEquals": {"iam:PassedToService": Service.LAMBDA}},
)
SCALING_LINKED_ROLE_PATH = (
    f"role/aws-service-role/{Service.SAGEMAKER_SCALING}/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
)
SCALING_LINKED_ROLE = Grant(
    "ScalingServiceLinkedRole",
    (arn_pattern("iam", SCALING_LINKED_ROLE_PATH, region=False),),
    condition={"StringEquals": {"iam:AWSServiceName": Service.SAGEMAKER_SCALING}},
)
KEYS = Grant("KeysOfThisAccountAndRegion", (arn_pattern("kms", "key/*"),))
NO_RESOURCE_TYPE = _everywhere(
    "ActionsWithoutResourceTypes", "IAM defines no resource type for these actions (service authorization reference)"
)
KEY_ALIASES = Grant("StackKeyAliases", (arn_pattern("kms", f"{ALIAS_PREFIX}*"), arn_pattern("kms", "key/*")))
SECURITY_GROUPS = Grant(
    "SecurityGroups",
    (arn_pattern("ec2", "security-group/*"), arn_pattern("ec2", "security-group-rule/*"), arn_pattern("ec2", "vpc/*")),
)
STACK_FUNCTIONS = Grant(
    "StackFunctions",
    (
        arn_pattern("lambda", f"function:{FUNCTION_NAME_PREFIX}*"),
        arn_pattern("lambda", f"function:{UPDATER_NAME_PREFIX}*"),
        arn_pattern("lambda", "event-source-mapping:*"),
        arn_pattern("lambda", "layer:*:*"),
        arn_pattern("lambda", "code-signing-config:*"),
        arn_pattern("lambda", "capacity-provider:*"),
    ),
)
RESOLVER_LOGS = Grant("StackLogGroups", (arn_pattern("logs", f"log-group:{LOG_GROUP_PREFIX}*"),))
LOG_DELIVERY_STREAMS = Grant("LogDeliveryStreams", (arn_pattern("firehose", "deliverystream/*"),))
FILE_SYSTEMS = Grant("FileSystemMountTargets", (arn_pattern("elasticfilesystem", "file-system/*"),))
RESOLVER_CODE = Grant("ReadResolverCode", (arn_pattern("s3", "${ArtifactsBucket}/*", region=False, account=False),))
ALARMS = Grant("EndpointAlarms", (arn_pattern("cloudwatch", "alarm:*"),))
DASHBOARDS = Grant("StackDashboards", (arn_pattern("cloudwatch", f"dashboard/{DASHBOARD_PREFIX}*", region=False),))
METRIC_DATA = _everywhere(
    "ReadMetricData", "cloudwatch:GetMetricData: its one resource type, a dataset, is not what scaling reads"
)
SCALABLE_TARGETS = Grant("ScalableTargets", (arn_pattern("application-autoscaling", "scalable-target/*"),))
SERVICE_CATALOG_STACKS = Grant("ServiceCatalogStacks", (arn_pattern("cloudformation", "stack/SC-*"),))
TEMPLATE_CHECKS = _everywhere(
    "SummarizeTemplates", "cloudformation:GetTemplateSummary of a template URL names no stack"
)
SERVICE_CATALOG_TEMPLATES = _everywhere(
    "ReadServiceCatalogTemplates",
    "Service Catalog keeps the product's template in buckets of its own; only objects it tags are readable",
    {"StringEquals": {"s3:ExistingObjectTag/servicecatalog:provisioning": "true"}},
)

BY_SERVICE = {
    "sagemaker": SAGEMAKER_RESOURCES,
    "iam": STACK_ROLES,
    "kms": KEYS,
    "ec2": SECURITY_GROUPS,
    "lambda": STACK_FUNCTIONS,
    "logs": RESOLVER_LOGS,
    "firehose": LOG_DELIVERY_STREAMS,
    "elasticfilesystem": FILE_SYSTEMS,
    "s3files": Grant("S3FilesFileSystems", (arn_pattern("s3files", "file-system/*"),)),
    "s3": RESOLVER_CODE,
    "sqs": Grant("ApprovalQueues", (arn_pattern("sqs", f"{NAME_PREFIX}*"),)),
    # the approval rule, and the default bus whose policy admits a registry's forwarded approvals
    "events": Grant(
        "ApprovalRules", (arn_pattern("events", f"rule/{NAME_PREFIX}*"), arn_pattern("events", "event-bus/default"))
    ),
    "cloudwatch": ALARMS,
    "application-autoscaling": SCALABLE_TARGETS,
}
BY_ACTION: dict[str, tuple[Grant, ...]] = {
    "iam:PassRole": (PASS_MODEL_ROLE, PASS_RESOLVER_ROLE),
    "iam:CreateServiceLinkedRole": (SCALING_LINKED_ROLE,),
    **dict.fromkeys(("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"), (KEY_ALIASES,)),
    **dict.fromkeys(POLICY_ACTIONS, (STACK_POLICIES,)),
    "cloudwatch:GetMetricData": (METRIC_DATA,),
    "cloudformation:GetTemplateSummary": (TEMPLATE_CHECKS,),
    **dict.fromkeys(
        ("cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"), (DASHBOARDS,)
    ),
    # tags: of the alarms and of the dashboard (whose tags its handler manages even when the template sets none)
    **dict.fromkeys(
        ("cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"), (ALARMS, DASHBOARDS)
    ),
}
# Custom resources have no schema: CloudFormation invokes their function with the stack's role.
CUSTOM_RESOURCE = (("lambda:InvokeFunction", STACK_FUNCTIONS),)
SERVICE_CATALOG_LAUNCH = (
    *((f"cloudformation:{action}", SERVICE_CATALOG_STACKS) for action in
      ("CreateStack", "DeleteStack", "DescribeStackEvents", "DescribeStacks", "SetStackPolicy", "UpdateStack")),
    ("cloudformation:GetTemplateSummary", TEMPLATE_CHECKS),
    ("cloudformation:ValidateTemplate", NO_RESOURCE_TYPE),
    ("s3:GetObject", SERVICE_CATALOG_TEMPLATES),
)  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """What a derivation grants besides the handlers' permissions, and where: the grant per service and per action,
    what CloudFormation does for a custom resource, and what the launching service does with the role."""

    by_service: Mapping[str, Grant]
    by_action: Mapping[str, tuple[Grant, ...]]
    custom_resource: tuple[tuple[str, Grant], ...]
    launch: tuple[tuple[str, Grant], ...]


# The deployer role: a stack service role, and a Service Catalog launch role.
DEPLOYER = Scope(BY_SERVICE, BY_ACTION, CUSTOM_RESOURCE, SERVICE_CATALOG_LAUNCH)


@dataclass(frozen=True)
class DeployerPolicy:
    """The statements as (grant, sorted actions), and the handler entries left out as not IAM actions."""

    statements: list[tuple[Grant, list[str]]]
    not_actions: list[str]


def derive_deployer_policy(*templates: dict[str, Any], scope: Scope = DEPLOYER) -> DeployerPolicy:
    """The permissions every resource type of these templates needs, on what they make."""
    permissions: set[str] = set()
    custom = False
    types = sorted({resource_type for template in templates for resource_type in resource_types(template)})
    for resource_type in types:
        if resource_type.startswith("Custom::"):
            custom = True
        else:
            permissions |= handler_permissions(resource_type) - UNUSED_HANDLER_PERMISSIONS.keys()
    if "AWS::SageMaker::InferenceComponent" in types:  # the inference components' templates make those too
        scope = replace(scope, by_service={**scope.by_service, "sagemaker": COMPONENT_RESOURCES})
    actions = sorted(p for p in permissions if is_iam_action(p))
    not_actions = sorted(p for p in permissions if not is_iam_action(p))
    pairs = [(action, grant) for action in actions for grant in _grants(action, scope)]
    pairs += [*(scope.custom_resource if custom else ()), *scope.launch]
    pairs += [*(CROSS_ACCOUNT_PACKAGES if "AWS::SageMaker::Model" in types else ())]
    by_grant: dict[Grant, set[str]] = defaultdict(set)
    for action, grant in pairs:
        by_grant[grant].add(action)
    return DeployerPolicy([(grant, sorted(by_grant[grant])) for grant in by_grant], not_actions)


def _grants(action: str, scope: Scope) -> tuple[Grant, ...]:
    if action in scope.by_action:
        return scope.by_action[action]
    if not scopable(action):
        return (NO_RESOURCE_TYPE,)
    service = action.split(":", 1)[0]
    if service not in scope.by_service:
        raise LookupError(
            f"{action}: the endpoint template now needs a service the deployer policy has no grant for; add the "
            f"narrowest resource it allows to BY_SERVICE in {__name__}"
        )
    return (scope.by_service[service],)


# IAM's limit for a managed policy, in characters without white space; resources are counted at their longest
# (the longest partition, Region and bucket name), so a policy that fits here fits in every account.
MANAGED_POLICY_LIMIT = 6_144
LONGEST = {"${AWS::Partition}": "aws-iso-b", "${AWS::Region}": "us-isob-east-1", "${AWS::AccountId}": "0" * 12,
           "${ArtifactsBucket}": "b" * 63}  # fmt: skip


def statement_document(grant: Grant, actions: list[str]) -> dict[str, Any]:
    """The statement as IAM JSON, resources still `Sub` strings."""
    statement: dict[str, Any] = {
        "Sid": grant.sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": list(grant.resources),
    }
    if grant.condition:
        statement["Condition"] = grant.condition
    return statement


def split_for_managed_policies(policy: DeployerPolicy) -> list[list[dict[str, Any]]]:
    """The statements in as few groups as fit IAM's managed-policy size, in their order."""
    groups: list[list[dict[str, Any]]] = [[]]
    for grant, actions in policy.statements:
        statement = statement_document(grant, actions)
        if groups[-1] and _size([*groups[-1], statement]) > MANAGED_POLICY_LIMIT:
            groups.append([])
        groups[-1].append(statement)
    return groups


def _size(statements: list[dict[str, Any]]) -> int:
    text = json.dumps({"Version": POLICY_VERSION, "Statement": statements}, separators=(",", ":"))
    for placeholder, longest in LONGEST.items():
        text = text.replace(placeholder, longest)
    return len(text)
