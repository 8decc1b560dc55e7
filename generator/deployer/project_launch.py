"""templates/project-launch-role.yaml and project-launch-policy.json: the role a SageMaker project's stack runs with
(CreateProject's RoleARN, "The IAM role that CloudFormation assumes when creating the stack", botocore sagemaker
CfnCreateTemplateProvider), derived from the project template as the deployer role is from the endpoint template,
with exactly what that template makes: stacks named SP-* (AWS's S3 samples scope every stack statement to
`stack/SP-*`), the resolver's function and its /aws/lambda/ log group, the key alias, dashboard and alarms named
after the SP-* stack, and the roles it is given passed only to the services that use them.

AWS's own launch role for S3 templates (AmazonSageMakerProjectsLaunchRole, aws-samples/sagemaker-custom-project-
templates) has no kms, ec2, cloudwatch, application-autoscaling or sagemaker:UpdateEndpoint permission, so it cannot
create or update this template's key, security group, alarms and scaling (docs/sagemaker-projects.md); this role can.
"""

from __future__ import annotations

from typing import Any

from awacs.aws import Principal
from troposphere import Join, Ref, Template

from generator.cfn.outputs import add_exported_output
from generator.common.names import (
    PROJECT_LAUNCH_PATH,
    PROJECT_STACK_PREFIX,
    STUDIO_VISIBILITY_TAG,
    Service,
    arn_pattern,
)
from generator.deployer.permissions import (
    BY_SERVICE,
    METRIC_DATA,
    NO_RESOURCE_TYPE,
    PASS_MODEL_ROLE,
    SCALING_LINKED_ROLE,
    TEMPLATE_CHECKS,
    DeployerPolicy,
    Grant,
    Scope,
    derive_deployer_policy,
)
from generator.deployer.role_template import add_deployer_role, add_role_parameters
from generator.endpoint.dashboard import NAME_PREFIX as DASHBOARD_PREFIX
from generator.endpoint.encryption import ALIAS_PREFIX
from generator.endpoint.lambda_functions import LAMBDA_LOG_GROUP_PREFIX
from generator.endpoint.resolver import FUNCTION_NAME_PREFIX

PROJECT_STACKS = Grant("ProjectStacks", (arn_pattern("cloudformation", f"stack/{PROJECT_STACK_PREFIX}*"),))
# AWS's sample grants stack tagging only on stacks SageMaker has tagged with the project's name.
PROJECT_STACK_TAGS = Grant(
    "ProjectStackTags",
    PROJECT_STACKS.resources,
    condition={"Null": {"aws:ResourceTag/sagemaker:project-name": "false"}},
)
PUBLISHED_TEMPLATES = Grant(
    "ReadPublishedProjectTemplates",
    ("*",),
    "a template may be published to any bucket; only objects tagged visible to Studio are readable",
    {"StringEquals": {f"s3:ExistingObjectTag/{STUDIO_VISIBILITY_TAG[0]}": STUDIO_VISIBILITY_TAG[1]}},
)
RESOLVER_FUNCTIONS = Grant(
    "ResolverFunctions",
    (
        arn_pattern("lambda", f"function:{FUNCTION_NAME_PREFIX}*"),
        arn_pattern("lambda", "event-source-mapping:*"),
        arn_pattern("lambda", "layer:*:*"),
        arn_pattern("lambda", "code-signing-config:*"),
        arn_pattern("lambda", "capacity-provider:*"),
    ),
)
RESOLVER_LOGS = Grant(
    "ResolverLogGroups", (arn_pattern("logs", f"log-group:{LAMBDA_LOG_GROUP_PREFIX}{FUNCTION_NAME_PREFIX}*"),)
)
PROJECT_KEY_ALIASES = Grant(
    "ProjectKeyAliases",
    (arn_pattern("kms", f"{ALIAS_PREFIX}{PROJECT_STACK_PREFIX}*"), arn_pattern("kms", "key/*")),
)
PROJECT_ALARMS = Grant(
    "ProjectAlarms",
    # CloudFormation names an alarm `<stack>-<logical id>-<suffix>`; the rollback alarms are `sagemaker-endpoint-*`.
    (
        arn_pattern("cloudwatch", f"alarm:{PROJECT_STACK_PREFIX}*"),
        arn_pattern("cloudwatch", "alarm:sagemaker-endpoint-*"),
    ),
)
PROJECT_DASHBOARDS = Grant(
    "ProjectDashboards",
    (arn_pattern("cloudwatch", f"dashboard/{DASHBOARD_PREFIX}{PROJECT_STACK_PREFIX}*", region=False),),
)
PASS_GIVEN_RESOLVER_ROLE = Grant(
    "PassResolverRoleToLambda",
    (arn_pattern("iam", "role/*", region=False),),  # PackageResolverRoleArn: any role of the account
    condition={"StringEquals": {"iam:PassedToService": Service.LAMBDA}},
)
PROJECT = Scope(
    by_service={
        **{service: BY_SERVICE[service] for service in ("sagemaker", "kms", "ec2", "firehose", "elasticfilesystem",
                                                         "s3files", "s3", "application-autoscaling")},
        "lambda": RESOLVER_FUNCTIONS,
        "logs": RESOLVER_LOGS,
        "cloudwatch": PROJECT_ALARMS,
    },
    by_action={
        "iam:PassRole": (PASS_MODEL_ROLE, PASS_GIVEN_RESOLVER_ROLE),
        "iam:CreateServiceLinkedRole": (SCALING_LINKED_ROLE,),
        **dict.fromkeys(("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"), (PROJECT_KEY_ALIASES,)),
        "cloudwatch:GetMetricData": (METRIC_DATA,),
        "cloudformation:GetTemplateSummary": (TEMPLATE_CHECKS,),
        **dict.fromkeys(
            ("cloudwatch:DeleteDashboards", "cloudwatch:GetDashboard", "cloudwatch:PutDashboard"),
            (PROJECT_DASHBOARDS,),
        ),
        **dict.fromkeys(
            ("cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"),
            (PROJECT_ALARMS, PROJECT_DASHBOARDS),
        ),
    },
    custom_resource=(("lambda:InvokeFunction", RESOLVER_FUNCTIONS),),
    launch=(
        *((f"cloudformation:{action}", PROJECT_STACKS) for action in
          ("CreateStack", "DeleteStack", "DescribeStackEvents", "DescribeStacks", "UpdateStack")),
        *((f"cloudformation:{action}", PROJECT_STACK_TAGS) for action in ("TagResource", "UntagResource")),
        ("cloudformation:GetTemplateSummary", TEMPLATE_CHECKS),
        ("cloudformation:ValidateTemplate", NO_RESOURCE_TYPE),
        ("s3:GetObject", PUBLISHED_TEMPLATES),
    ),
)  # fmt: skip
DESCRIPTION = (
    "SageMaker Projects launch role for the sagemaker-endpoint project template: the role CloudFormation assumes for "
    "the project's SP-* stack, with exactly the permissions the template's resources need, derived from it."
)


def derive_project_launch_policy(project_template: dict[str, Any]) -> DeployerPolicy:
    return derive_deployer_policy(project_template, scope=PROJECT)


def build_project_launch_role_template(policy: DeployerPolicy) -> Template:
    """The role, trusted by CloudFormation only (SageMaker passes it to CloudFormation, which assumes it), under
    PROJECT_LAUNCH_PATH, with the derived policies."""
    template = Template(Description=DESCRIPTION)
    bucket_name, boundary = add_role_parameters(template, "the launch role", "the resolver zip (ResolverCodeS3Bucket)")
    role, policies = add_deployer_role(
        template,
        policy,
        path=PROJECT_LAUNCH_PATH,
        trusted=Principal("Service", [Service.CLOUDFORMATION]),
        bucket_name=bucket_name,
        boundary=boundary,
        logical_id="ProjectLaunchRole",
    )
    add_exported_output(
        template, "ProjectLaunchRoleArn", role.get_att("Arn"), "Role ARN to give SageMaker Projects (Role ARN)"
    )
    add_exported_output(
        template, "ProjectLaunchPolicyArns", Join(",", [Ref(p) for p in policies]), "Its managed policies"
    )
    return template
