"""templates/deployer-role.yaml: the role CloudFormation (a stack service role, `--role-arn`) or Service Catalog
(a launch constraint) uses to deploy the endpoint template, with exactly the permissions derived from it
(derive_deployer_policy); and templates/deployer-policy.json, the same statements for a role of your own."""

from __future__ import annotations

import json
from typing import Any

from awacs.aws import Action, Allow, Principal, Statement
from troposphere import If, Join, Not, NoValue, Ref, Sub, Template
from troposphere.iam import ManagedPolicy, Role

from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.iam import policy_document
from generator.cfn.outputs import add_exported_output
from generator.cfn.parameters import optional_parameter
from generator.common.names import DEPLOYER_PATH, POLICY_VERSION, Service, artifacts_bucket_name
from generator.common.patterns import POLICY_ARN, S3_BUCKET_NAME
from generator.deployer.permissions import DeployerPolicy, split_for_managed_policies

TRUSTED_SERVICES = [Service.CLOUDFORMATION, Service.SERVICE_CATALOG]
PLACEHOLDERS = {"${AWS::Partition}": "${Partition}", "${AWS::Region}": "${Region}", "${AWS::AccountId}": "${AccountId}"}
DESCRIPTION = (
    "Deployer role for the SageMaker endpoint template: a CloudFormation service role and Service Catalog launch "
    "role with exactly the permissions the template's resources need, derived from it."
)


def build_deployer_role_template(policy: DeployerPolicy) -> Template:
    template = Template(Description=DESCRIPTION)
    bucket_name, boundary = add_role_parameters(template, "the deployer role", "the resolver zip")
    role, policies = add_deployer_role(
        template,
        policy,
        path=DEPLOYER_PATH,
        trusted=Principal("Service", TRUSTED_SERVICES),
        bucket_name=bucket_name,
        boundary=boundary,
    )
    add_exported_output(
        template, "DeployerRoleArn", role.get_att("Arn"), "Role to pass as --role-arn or use in a launch constraint"
    )
    add_exported_output(
        template, "DeployerPolicyArns", Join(",", [Ref(p) for p in policies]), "Its managed policies, comma-separated"
    )
    return template


def add_role_parameters(template: Template, role: str, bucket_holds: str) -> tuple[If, If]:
    """PermissionsBoundaryArn and ArtifactsBucketName, each optional: (the bucket's name, or the one `deploy`
    creates; the boundary, or none)."""
    boundary = template.add_parameter(
        optional_parameter(
            "PermissionsBoundaryArn",
            POLICY_ARN,
            "an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)",
            f"Permissions boundary for {role}; empty sets none.",
        )
    )
    bucket = template.add_parameter(
        optional_parameter(
            "ArtifactsBucketName",
            S3_BUCKET_NAME,
            "an S3 bucket name",
            f"Bucket holding {bucket_holds}; empty: the bucket `sagemaker-endpoint deploy` creates, "
            "sagemaker-endpoint-artifacts-<account>-<region>.",
        )
    )
    add_named_condition(template, "HasPermissionsBoundary", Not(is_empty(boundary)))
    add_named_condition(template, "HasArtifactsBucketName", Not(is_empty(bucket)))
    return (
        If("HasArtifactsBucketName", Ref(bucket), Sub(artifacts_bucket_name())),
        If("HasPermissionsBoundary", Ref(boundary), NoValue),
    )


def add_deployer_role(
    template: Template,
    policy: DeployerPolicy,
    *,
    path: object,
    trusted: Principal,
    bucket_name: object,
    boundary: object,
    role_name: object | None = None,
    logical_id: str = "DeployerRole",
) -> tuple[Role, list[ManagedPolicy]]:
    """The role and its managed policies (as many as IAM's size limit needs), the bucket named in them."""
    policies = [
        template.add_resource(
            ManagedPolicy(
                f"{logical_id.removesuffix('Role')}Policy{index}",
                Description=Sub(f"SageMaker endpoint deployer, part {index} (stack ${{AWS::StackName}})"),
                Path=DEPLOYER_PATH,
                PolicyDocument=policy_document(*(_with_bucket(statement, bucket_name) for statement in group)),
            )
        )
        for index, group in enumerate(split_for_managed_policies(policy), start=1)
    ]
    role = template.add_resource(
        Role(
            logical_id,
            Description=Sub("Deploys SageMaker endpoint stacks (stack ${AWS::StackName})"),
            Path=path,
            **({"RoleName": role_name} if role_name is not None else {}),
            AssumeRolePolicyDocument=policy_document(
                Statement(
                    Sid="ServicesAssumeRole",
                    Effect=Allow,
                    Action=[Action("sts", "AssumeRole")],
                    Principal=trusted,
                )
            ),
            ManagedPolicyArns=[Ref(p) for p in policies],
            PermissionsBoundary=boundary,
        )
    )
    return role, policies


def _with_bucket(statement: dict[str, Any], bucket_name: object) -> dict[str, Any]:
    """Resources as `Sub`, the artifacts bucket named where a resource uses it."""

    def resolved(resource: str) -> object:
        if "${ArtifactsBucket}" in resource:
            return Sub(resource, ArtifactsBucket=bucket_name)
        return Sub(resource) if "${" in resource else resource

    return {**statement, "Resource": [resolved(resource) for resource in statement["Resource"]]}


def render_deployer_policy_json(policy: DeployerPolicy) -> str:
    """One document with `${Partition}`, `${Region}`, `${AccountId}` and `${ArtifactsBucket}` to fill in (the
    syntax of Terraform's templatefile and of envsubst)."""
    statements = [statement for group in split_for_managed_policies(policy) for statement in group]
    text = json.dumps({"Version": POLICY_VERSION, "Statement": statements}, indent=2, sort_keys=True)
    for pseudo, placeholder in PLACEHOLDERS.items():
        text = text.replace(pseudo, placeholder)
    return text + "\n"
