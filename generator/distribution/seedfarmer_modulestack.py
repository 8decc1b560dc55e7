"""modulestack.yaml: what seed-farmer's module role needs to deploy this module, and nothing more.

seed-farmer deploys it before the module, with `RoleName` (the module role), `ProjectName`, `DeploymentName`,
`ModuleName` (`<group>-<module>`) and any module parameter matched by its UpperCamel name (here
`PermissionsBoundaryName`). It creates the deployer role (the derived policy, deployer_policy.py) under a path
naming the module, and lets the module role run change sets on the module's own stack, keep the artifacts bucket
and pass that deployer role to CloudFormation: no CDK bootstrap is needed.
"""

from __future__ import annotations

from awacs import cloudformation, iam, s3, sagemaker, tag
from awacs.aws import Condition, Principal, StringEquals, StringLike
from troposphere import If, Not, NoValue, Parameter, Ref, Sub, Template
from troposphere.iam import PolicyType, Role

from custom_resource.contract import STACK_TAG
from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.iam import allow, arn, policy_document
from generator.cfn.outputs import add_exported_output
from generator.common.names import (
    SEEDFARMER_DEPLOYER_ROLE_PATH,
    SEEDFARMER_STACK_SUFFIX,
    TEMPLATES_PREFIX,
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
# AWS is silent on what seed-farmer passes, so what IAM takes is asked of it (the safe side): PolicyName
# `${ModuleName}-sagemaker-endpoint` is 1-128 characters of `[\w+=,.@-]+` (IAM PutRolePolicy's policyNameType), so
# ModuleName is at most 109; the deployer role's Path `/sagemaker-endpoint-deployer/<project>/<deployment>/<module>/`
# is at most 512 characters of U+0021-U+007E (IAM quotas), which 128 + 128 + 109 and the 32 fixed ones keep. The
# names also make CloudFormation stack names, which take letters, digits and hyphens only.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
NAME_MAX_LENGTHS = {"ProjectName": 128, "DeploymentName": 128, "ModuleName": 109}
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
# After the stack operation, the client checks what the endpoint serves (generator.deploy.serving) and removes the
# Models and EndpointConfigs the stack retained that nothing serves (custom_resource.retained).
SERVING_ACTIONS = [sagemaker.DescribeEndpoint, sagemaker.DescribeEndpointConfig, sagemaker.DescribeModel]
# IAM defines no resource type for these (IAM's service authorization reference, as cfn-lint ships it): `*` only.
FINDING_ACTIONS = [tag.GetResources, sagemaker.ListEndpointConfigs, sagemaker.ListModels]
REMOVING_ACTIONS = [sagemaker.DeleteEndpointConfig, sagemaker.DeleteModel]
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
        limits = (
            {"AllowedPattern": NAME_PATTERN, "MaxLength": NAME_MAX_LENGTHS[name],
             "ConstraintDescription": f"must be letters, digits and hyphens, at most {NAME_MAX_LENGTHS[name]}"}
            if name in NAME_MAX_LENGTHS else {}
        )  # fmt: skip
        template.add_parameter(
            Parameter(name, Type="String", Description=f"{description} (set by seed-farmer).", **limits)
        )
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


def _sagemaker_statements() -> list[object]:
    """Read what the endpoint serves; find the stack's retained Models and EndpointConfigs, and delete those only:
    each carries the tag STACK_TAG (custom_resource.contract) whose value is the module stack's id."""
    module_stack = arn("cloudformation", f"stack/*-${{DeploymentName}}-${{ModuleName}}{SEEDFARMER_STACK_SUFFIX}/*")
    configs_and_models = [arn("sagemaker", "endpoint-config/*"), arn("sagemaker", "model/*")]
    return [
        allow("CheckWhatTheEndpointServes", SERVING_ACTIONS,
              [arn("sagemaker", "endpoint/*"), *configs_and_models]),
        # tag:GetResources, sagemaker:ListEndpointConfigs and ListModels have no resource type in IAM: `*` only.
        allow("FindRetainedModelsAndConfigs", FINDING_ACTIONS, ["*"]),
        allow("RemoveOnlyTheModuleStacksRetainedOnes", REMOVING_ACTIONS, configs_and_models,
              condition=Condition(StringLike(f"aws:ResourceTag/{STACK_TAG}", module_stack))),
    ]  # fmt: skip


def _add_module_role_policy(template: Template, deployer: Role) -> None:
    """seed-farmer's module role may manage the module's stack, keep the artifacts bucket, read back the templates it
    uploads (CloudFormation fetches a TemplateURL with the caller's access), pass the deployer, check the endpoint
    and tidy what the stack retained."""
    bucket = arn("s3", artifacts_bucket_name(), region=False, account=False)
    templates = arn("s3", f"{artifacts_bucket_name()}/{TEMPLATES_PREFIX}*", region=False, account=False)
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
                allow("ReadTheUploadedTemplates", [s3.GetObject], [templates]),
                allow(
                    "PassTheDeployerRole",
                    [iam.PassRole],
                    [deployer.get_att("Arn")],
                    condition=Condition(StringEquals("iam:PassedToService", Service.CLOUDFORMATION)),
                ),
                # iam:ListRoles has no resource type: the deploy command finds the deployer role by its path.
                allow("FindTheDeployerRole", [iam.ListRoles], ["*"]),
                *_sagemaker_statements(),
            ),
        )
    )
