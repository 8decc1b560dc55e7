"""modulestack.yaml: what seed-farmer's module role needs to deploy this module, and nothing more.

seed-farmer deploys it before the module, with `RoleName` (the module role), `ProjectName`, `DeploymentName`,
`ModuleName` (`<group>-<module>`) and any module parameter matched by its UpperCamel name (here
`PermissionsBoundaryName`). It creates the deployer role (the derived policy, deployer_policy.py) under a path
naming the module, and lets the module role run change sets on the module's own stack, keep the artifacts bucket
and pass that deployer role to CloudFormation: no CDK bootstrap is needed.
"""

from __future__ import annotations

from awacs import cloudformation, iam, s3
from awacs.aws import Condition, Principal, StringEquals
from troposphere import If, Not, NoValue, Parameter, Ref, Sub, Template
from troposphere.iam import PolicyType, Role

from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.iam import allow, arn, policy_document
from generator.cfn.outputs import add_exported_output
from generator.common.names import (
    SEEDFARMER_DEPLOYER_ROLE_PATH,
    SEEDFARMER_STACK_SUFFIX,
    Service,
    artifacts_bucket_name,
)
from generator.deployer.permissions import DeployerPolicy
from generator.deployer.role_template import add_deployer_role

SEEDFARMER_PARAMETERS = {
    "RoleName": "The module role",
    "ProjectName": "The seed-farmer project",
    "DeploymentName": "The seed-farmer deployment",
    "ModuleName": "<group>-<module>",
}
DESCRIPTION = "IAM for the sagemaker-endpoint seed-farmer module: its deployer role and what its module role may do."
# What `sagemaker-endpoint deploy|destroy --from-seedfarmer-env` calls on the stack and the bucket.
STACK_ACTIONS = [
    cloudformation.CreateChangeSet,
    cloudformation.DeleteChangeSet,
    cloudformation.DeleteStack,
    cloudformation.DescribeChangeSet,
    cloudformation.DescribeStackEvents,
    cloudformation.DescribeStacks,
    cloudformation.ExecuteChangeSet,
    cloudformation.ListStackResources,
]
BUCKET_ACTIONS = [
    s3.CreateBucket,
    s3.ListBucket,  # HeadBucket
    s3.PutBucketPolicy,
    s3.PutBucketPublicAccessBlock,
    s3.PutBucketVersioning,
    s3.PutEncryptionConfiguration,
    s3.PutLifecycleConfiguration,
]


def build_modulestack_template(policy: DeployerPolicy) -> Template:
    """The module's deployer role, and what the module's own role needs to deploy through it."""
    template = Template(Description=DESCRIPTION)
    deployer = _add_module_deployer_role(template, policy)
    _add_module_role_policy(template, deployer)
    add_exported_output(template, "DeployerRoleArn", deployer.get_att("Arn"), "The module's deployer role")
    return template


def _add_module_deployer_role(template: Template, policy: DeployerPolicy) -> Role:
    """The deployer role under the module's own path, trusted by CloudFormation only, bounded when asked."""
    for name, description in SEEDFARMER_PARAMETERS.items():
        template.add_parameter(Parameter(name, Type="String", Description=f"{description} (set by seed-farmer)."))
    boundary = template.add_parameter(
        Parameter(
            "PermissionsBoundaryName",
            Type="String",
            Default="",
            AllowedPattern=r"^[a-zA-Z0-9+=,.@_-]{0,128}$",
            ConstraintDescription="must be an IAM policy name, or empty",
            Description="The module's permissions-boundary-name: a managed policy of this account bounding the "
            "deployer role (and, through the module, every role the stack creates).",
        )
    )
    add_named_condition(template, "HasPermissionsBoundary", Not(is_empty(boundary)))
    role_path = Sub(
        SEEDFARMER_DEPLOYER_ROLE_PATH.format(
            project="${ProjectName}", deployment="${DeploymentName}", module="${ModuleName}"
        )
    )
    deployer, _ = add_deployer_role(
        template,
        policy,
        path=role_path,
        trusted=Principal("Service", [Service.CLOUDFORMATION]),
        bucket_name=Sub(artifacts_bucket_name()),
        boundary=If(
            "HasPermissionsBoundary",
            arn("iam", "policy/${PermissionsBoundaryName}", region=False),
            NoValue,
        ),
    )
    return deployer


def _add_module_role_policy(template: Template, deployer: Role) -> None:
    """seed-farmer's module role may manage the module's stack, keep the artifacts bucket and pass the deployer."""
    bucket = arn("s3", artifacts_bucket_name(), region=False, account=False)
    template.add_resource(
        PolicyType(
            "ModuleRolePolicy",
            PolicyName=Sub("${ModuleName}-sagemaker-endpoint"),
            Roles=[Ref("RoleName")],
            PolicyDocument=policy_document(
                # The project part is a wildcard: seed-farmer lower-cases it in the stack name, not in ProjectName.
                allow(
                    "ManageTheModuleStack",
                    STACK_ACTIONS,
                    [arn("cloudformation", f"stack/*-${{DeploymentName}}-${{ModuleName}}{SEEDFARMER_STACK_SUFFIX}/*")],
                ),
                allow("KeepTheArtifactsBucket", BUCKET_ACTIONS, [bucket]),
                allow(
                    "UploadArtifacts",
                    [s3.PutObject],
                    [arn("s3", f"{artifacts_bucket_name()}/*", region=False, account=False)],
                ),
                allow(
                    "PassTheDeployerRole",
                    [iam.PassRole],
                    [deployer.get_att("Arn")],
                    condition=Condition(StringEquals("iam:PassedToService", Service.CLOUDFORMATION)),
                ),
                # iam:ListRoles has no resource type: the deploy command finds the deployer role by its path.
                allow("FindTheDeployerRole", [iam.ListRoles], ["*"]),
            ),
        )
    )
