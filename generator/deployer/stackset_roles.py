"""The self-managed StackSets roles, derived like the deployer role (derive_deployer_policy) from the endpoint template:
templates/stackset-administration-role.yaml for the administrator account, and templates/stackset-execution-role.yaml
for every target account (StackSets' default names, as AWS's own setup templates use them).

The execution role holds the deployer's statements with two changes. IAM is global while instances are Regional,
so every Region in a resource becomes `*`. The resolver's code comes from the administrator account's artifacts
bucket of the instance's Region (`fleet deploy` uploads it), so the bucket becomes
`sagemaker-endpoint-artifacts-<administrator>-*`. Service Catalog's grants are left out. Added: what StackSets
itself needs of the role, which AWS's StackSets guide states: "Your target account always needs full CloudFormation
permissions, which include permissions to create, update, delete, and describe stacks"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html). So every
action IAM scopes to a stack, on the stacks StackSets names `StackSet-*` only; the CloudFormation reads IAM cannot
scope, on `*`; and the templates StackSets reads from the administrator's buckets. Beside it, a reader role lets the
administrator account read those stacks and their endpoints, for `fleet outputs`.

The administration role is assumed by CloudFormation, and in a Region disabled by default by that Region's own
principal: "to deploy stack instances into a target account that resides in a Region that's disabled by default,
you must also include the regional service principal for that Region" (the same guide): OptInRegions lists them.
"""

from __future__ import annotations

from dataclasses import replace

from awacs.aws import Action, Allow, Condition, Principal, Statement, StringEquals
from troposphere import Equals, If, Join, Not, NoValue, Output, Parameter, Ref, Select, Split, Sub, Template
from troposphere.iam import Policy, Role

from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.iam import allow, policy_document
from generator.cfn.parameters import optional_parameter
from generator.common.names import ARTIFACTS_BUCKET_PREFIX, FLEET_READER_ROLE, TEMPLATES_PREFIX, Service, arn_pattern
from generator.common.patterns import ACCOUNT, POLICY_ARN, REGION, optional, required
from generator.deployer.aws_reference import actions_scoped_to
from generator.deployer.permissions import SERVICE_CATALOG_STACKS, SERVICE_CATALOG_TEMPLATES, DeployerPolicy, Grant
from generator.deployer.role_template import add_deployer_role

ADMINISTRATION_ROLE, EXECUTION_ROLE = (
    "AWSCloudFormationStackSetAdministrationRole",
    "AWSCloudFormationStackSetExecutionRole",
)
INSTANCE_STACKS = "stack/StackSet-*/*"  # how StackSets names the stacks of its instances
ROLE_NAME = r"^[\w+=,.@-]{1,64}$"
# CloudFormation reads that IAM defines no resource type for (its service authorization reference): `*` only.
# Drift detection of instances reads its status; the others list and check templates, stacks, exports and limits.
UNSCOPED_CLOUDFORMATION_READS = ("DescribeAccountLimits", "DescribeStackDriftDetectionStatus", "EstimateTemplateCost",
                                 "ListExports", "ListImports", "ListStacks", "ValidateTemplate")  # fmt: skip
READER_ACTIONS = {
    "cloudformation": (("DescribeStacks", "ListStackResources"), (INSTANCE_STACKS,)),
    "sagemaker": (
        ("DescribeEndpoint", "DescribeEndpointConfig", "DescribeModel"),
        ("endpoint/*", "endpoint-config/*", "model/*"),
    ),
}


def build_administration_role_template() -> Template:
    template = Template(
        Description="StackSets administration role for sagemaker-endpoint fleets (self-managed permissions): "
        "CloudFormation assumes it in this account, and it may assume only the targets' execution role."
    )
    name, _ = _role_name_parameters(template)
    role = template.add_resource(
        Role(
            "AdministrationRole",
            RoleName=Ref(name),
            AssumeRolePolicyDocument=policy_document(
                Statement(
                    Sid="CloudFormationOfThisAccount",
                    Effect=Allow,
                    Action=[Action("sts", "AssumeRole")],
                    Principal=Principal("Service", _cloudformation_principals(template)),
                    Condition=Condition(StringEquals("aws:SourceAccount", Sub("${AWS::AccountId}"))),
                )
            ),
            Policies=[
                Policy(
                    PolicyName="AssumeTheExecutionRole",
                    PolicyDocument=policy_document(
                        # any target account: the execution role's trust names this role, which is what limits it
                        allow(
                            "AssumeTheTargetsExecutionRole",
                            [Action("sts", "AssumeRole")],
                            [Sub("arn:${AWS::Partition}:iam::*:role/${ExecutionRoleName}")],
                        ),
                    ),
                )
            ],
            **_boundary(template),
        )
    )
    template.add_output(
        Output("AdministrationRoleArn", Value=role.get_att("Arn"), Description="--administration-role-arn")
    )
    return template


def _cloudformation_principals(template: Template) -> If:
    """cloudformation.amazonaws.com, and cloudformation.<region>.amazonaws.com for each Region disabled by default
    that the fleet deploys to (service principals are spelled alike in every partition)."""
    regions = template.add_parameter(
        Parameter(
            "OptInRegions",
            Type="CommaDelimitedList",
            Default="",
            AllowedPattern=optional(REGION),
            ConstraintDescription="must be Region codes such as ap-east-1, comma-separated, or empty",
            Description="Regions disabled by default (opt-in) the fleet deploys to, e.g. ap-east-1,me-south-1: "
            "CloudFormation acts there through each Region's own principal, which this role must trust.",
        )
    )
    has_regions = add_named_condition(template, "HasOptInRegions", Not(Equals(Select(0, Ref(regions)), "")))
    joined = Join(".amazonaws.com,cloudformation.", Ref(regions))
    regional = Split(",", Sub("${Global},cloudformation.${Regions}.amazonaws.com", Global=Service.CLOUDFORMATION,
                              Regions=joined))  # fmt: skip
    return If(has_regions, regional, [Service.CLOUDFORMATION])


def build_execution_role_template(policy: DeployerPolicy) -> Template:
    template = Template(
        Description="StackSets execution role for sagemaker-endpoint fleets (self-managed permissions): exactly what "
        "the endpoint template's resources need in any Region, derived from it, plus a reader role for outputs."
    )
    template.add_parameter(
        Parameter(
            "AdministratorAccountId",
            Type="String",
            AllowedPattern=required(ACCOUNT),
            ConstraintDescription="must be a 12-digit account ID",
            Description="The account that administers the fleet's StackSet and holds its artifacts buckets.",
        )
    )
    _, execution = _role_name_parameters(template)
    reader = template.add_parameter(
        Parameter("ReaderRoleName", Type="String", Default=FLEET_READER_ROLE, AllowedPattern=ROLE_NAME,
                  Description="The role `fleet outputs` assumes to read this account's instances.")
    )  # fmt: skip
    administration_role = Sub("arn:${AWS::Partition}:iam::${AdministratorAccountId}:role/${AdministrationRoleName}")
    role, _ = add_deployer_role(
        template,
        _any_region(policy),
        path="/",
        trusted=Principal("AWS", [administration_role]),
        bucket_name=NoValue,
        boundary=_boundary(template).get("PermissionsBoundary", NoValue),
        role_name=Ref(execution),
        logical_id="ExecutionRole",
    )
    _add_reader_role(template, reader)
    template.add_output(Output("ExecutionRoleArn", Value=role.get_att("Arn"), Description="StackSets' execution role"))
    return template


def _any_region(policy: DeployerPolicy) -> DeployerPolicy:
    """The deployer's grants for every Region, reading code from the administrator's buckets; no Service Catalog."""
    bucket = f"{ARTIFACTS_BUCKET_PREFIX}${{AdministratorAccountId}}-*"

    def widened(grant: Grant) -> Grant:
        resources = tuple(
            r.replace("${AWS::Region}", "*").replace("${ArtifactsBucket}", bucket) for r in grant.resources
        )
        return replace(grant, resources=resources)

    dropped = {SERVICE_CATALOG_STACKS.sid, SERVICE_CATALOG_TEMPLATES.sid}
    statements = [(widened(grant), actions) for grant, actions in policy.statements if grant.sid not in dropped]
    return DeployerPolicy([*statements, *_stacksets_own_needs(bucket)], policy.not_actions)


def _stacksets_own_needs(bucket: str) -> list[tuple[Grant, list[str]]]:
    """Full CloudFormation permissions on the instance stacks (every action IAM scopes to a stack), its reads that
    IAM cannot scope, and the templates StackSets reads from the administrator's artifacts buckets."""
    instance_stacks = Grant(
        "StackSetInstanceStacks", (f"arn:${{AWS::Partition}}:cloudformation:*:${{AWS::AccountId}}:{INSTANCE_STACKS}",)
    )
    reads = Grant(
        "CloudFormationReadsWithoutResourceTypes",
        ("*",),
        "IAM defines no resource type for these CloudFormation reads (service authorization reference)",
    )
    templates = Grant("StackSetTemplates", (f"arn:${{AWS::Partition}}:s3:::{bucket}/{TEMPLATES_PREFIX}*",))
    return [
        (instance_stacks, actions_scoped_to("cloudformation", "stack")),
        (reads, sorted(f"cloudformation:{a}" for a in UNSCOPED_CLOUDFORMATION_READS)),
        (templates, ["s3:GetObject", "s3:GetObjectVersion"]),
    ]


def _add_reader_role(template: Template, name: Parameter) -> None:
    statements = [
        allow(f"Read{service.capitalize()}", [Action(service, a) for a in actions],
              [Sub(arn_pattern(service, resource).replace("${AWS::Region}", "*")) for resource in resources])
        for service, (actions, resources) in READER_ACTIONS.items()
    ]  # fmt: skip
    template.add_resource(
        Role(
            "ReaderRole",
            RoleName=Ref(name),
            Description="Reads the fleet's StackSet stacks and their endpoints for sagemaker-endpoint fleet outputs",
            AssumeRolePolicyDocument=policy_document(
                Statement(
                    Sid="AdministratorAccount",
                    Effect=Allow,
                    Action=[Action("sts", "AssumeRole")],
                    Principal=Principal("AWS", [Sub("arn:${AWS::Partition}:iam::${AdministratorAccountId}:root")]),
                )
            ),
            Policies=[Policy(PolicyName="ReadFleetInstances", PolicyDocument=policy_document(*statements))],
            **_boundary(template),
        )
    )


def _role_name_parameters(template: Template) -> tuple[Parameter, Parameter]:
    names = [
        template.add_parameter(
            Parameter(title, Type="String", Default=default, AllowedPattern=ROLE_NAME, Description=description)
        )
        for title, default, description in (
            ("AdministrationRoleName", ADMINISTRATION_ROLE, "The administrator account's StackSets role."),
            ("ExecutionRoleName", EXECUTION_ROLE, "The targets' StackSets role (--execution-role-name)."),
        )
    ]
    return names[0], names[1]


def _boundary(template: Template) -> dict[str, object]:
    """PermissionsBoundary for a role, from the template's one optional PermissionsBoundaryArn."""
    if "PermissionsBoundaryArn" not in template.parameters:
        boundary = template.add_parameter(
            optional_parameter("PermissionsBoundaryArn", POLICY_ARN, "an IAM policy ARN",
                               "Permissions boundary for the roles; empty sets none.")
        )  # fmt: skip
        add_named_condition(template, "HasPermissionsBoundary", Not(is_empty(boundary)))
    return {"PermissionsBoundary": If("HasPermissionsBoundary", Ref("PermissionsBoundaryArn"), NoValue)}
