"""The SageMaker Projects launch role (templates/project-launch-role.yaml): derived from the project template, it
allows every permission CloudFormation needs for each of its resource types on what a project's SP-* stack makes,
what launching that stack takes, and nothing on the stacks' neighbours.

Checked with the IAM policy evaluator (tests/support/iam_eval.py) on the policies as CloudFormation would create
them, for a project stack in eu-west-1 of account 111122223333."""

from __future__ import annotations

from functools import cache
from typing import Any

from generator.deployer.aws_reference import handler_permissions, is_iam_action, resource_types, scopable
from generator.deployer.project_launch import build_project_launch_role_template, derive_project_launch_policy
from generator.project.template import build_project_template
from tests.support.iam_eval import allows, managed_policy_statements

ACCOUNT, REGION = "111122223333", "eu-west-1"
STACK = "SP-p-a1b2c3d4e5f6-sagemaker-endpoint"
UUID = "5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::StackName": "project-launch"}
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-endpoint-resolver-{UUID}"
GIVEN_MODEL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMakerProjectsExecutionRole"
GIVEN_RESOLVER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMakerProjectsLambdaRole"
# What a project's stack makes: the ARN each handler's actions act on.
BY_TYPE = {
    "AWS::SageMaker::Model": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/model-a1b2c3d4e5f6",
    "AWS::SageMaker::EndpointConfig": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/endpointconfig-a1b2",
    "AWS::SageMaker::Endpoint": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/endpoint-{UUID}",
    "AWS::CloudWatch::Dashboard": f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/sagemaker-endpoint-{STACK}-{REGION}",
}
BY_SERVICE = {
    "kms": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "ec2": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0",
    "lambda": FUNCTION,
    "logs": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/sagemaker-endpoint-resolver-{UUID}:*",
    "s3": f"arn:aws:s3:::sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}/resolver/package-resolver-0a1b.zip",
    "cloudwatch": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{STACK}-DiskUtilizationAlarm-A1B2C3",
    "application-autoscaling": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0a1b2c3d4e5f",
    "firehose": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/none-configured",
    "elasticfilesystem": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-none",
    "s3files": f"arn:aws:s3files:{REGION}:{ACCOUNT}:file-system/none",
}
BY_ACTION = {
    **dict.fromkeys(
        ("kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
        f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/{STACK}",
    ),
    "iam:CreateServiceLinkedRole": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling"
    ".amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
}
CONTEXT = {"iam:CreateServiceLinkedRole": {"iam:AWSServiceName": "sagemaker.application-autoscaling.amazonaws.com"}}
PASSED_ROLES = [(GIVEN_MODEL_ROLE, "sagemaker.amazonaws.com"), (GIVEN_RESOLVER_ROLE, "lambda.amazonaws.com")]
WILDCARD_REASONS = {
    "ActionsWithoutResourceTypes": "IAM defines no resource type for these actions (service authorization reference)",
    "ReadMetricData": "cloudwatch:GetMetricData: its one resource type, a dataset, is not what scaling reads",
    "SummarizeTemplates": "cloudformation:GetTemplateSummary of a template URL names no stack",
    "ReadPublishedProjectTemplates": "a template may be published to any bucket; only objects tagged visible to "
    "Studio are readable",
}


@cache
def project() -> dict[str, Any]:
    return build_project_template().to_dict()  # type: ignore[no-any-return]


@cache
def launch_statements() -> list[dict[str, Any]]:
    """The role's managed policies as CloudFormation would create them in this account and Region."""
    template = build_project_launch_role_template(derive_project_launch_policy(project())).to_dict()
    return managed_policy_statements(template, PSEUDO)


def requests(resource_type: str, action: str) -> list[tuple[str, dict[str, str]]]:
    if action == "iam:PassRole":
        return [(role, {"iam:PassedToService": service}) for role, service in PASSED_ROLES]
    context = CONTEXT.get(action, {})
    if not scopable(action):
        return [("*", context)]
    if action in BY_ACTION:
        return [(BY_ACTION[action], context)]
    service = action.split(":", maxsplit=1)[0]
    if service == "sagemaker" or resource_type == "AWS::CloudWatch::Dashboard":
        return [(BY_TYPE[resource_type], context)]
    return [(BY_SERVICE[service], context)]


def denied(statements: list[dict[str, Any]]) -> list[str]:
    missing = []
    for resource_type in resource_types(project()):
        permissions = (
            {"lambda:InvokeFunction"} if resource_type.startswith("Custom::") else handler_permissions(resource_type)
        )
        for action in sorted(p for p in permissions if is_iam_action(p)):
            for arn, context in requests(resource_type, action):
                if not allows(statements, action, arn, context):
                    missing.append(f"{resource_type} {action} {arn}")
    return missing


def test_every_handler_permission_of_the_project_template_is_allowed_on_what_a_project_stack_makes() -> None:
    assert denied(launch_statements()) == []
    assert "AWS::IAM::Role" not in resource_types(project())


def test_launching_and_updating_the_project_stack_is_allowed_on_sp_stacks_only() -> None:
    """AWS's S3 samples scope every stack statement to `arn:aws:cloudformation:*:*:stack/SP-*`, and tag a stack
    only while it carries sagemaker:project-name (`"Null": {"aws:ResourceTag/sagemaker:project-name": "false"}`)."""
    statements = launch_statements()
    stack = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/{UUID}"
    for action in ("CreateStack", "UpdateStack", "DeleteStack", "DescribeStacks", "DescribeStackEvents"):
        assert allows(statements, f"cloudformation:{action}", stack)
        assert not allows(statements, f"cloudformation:{action}", stack.replace("SP-", "SC-"))
        assert not allows(statements, f"cloudformation:{action}", stack.replace("SP-", "payments-"))
    assert "Null" in next(s for s in statements if s["Sid"] == "ProjectStackTags")["Condition"]


def test_it_reads_only_templates_tagged_visible_to_studio() -> None:
    """CloudFormation reads the TemplateURL; a published template carries `sagemaker:studio-visibility=true` ("Add the
    following key-value tag to the template so they become visible to SageMaker AI", SageMaker Developer Guide)."""
    statements = launch_statements()
    template = "arn:aws:s3:::team-templates/sagemaker-projects-templates/sagemaker-endpoint.yaml"
    tagged = {"s3:ExistingObjectTag/sagemaker:studio-visibility": "true"}
    assert allows(statements, "s3:GetObject", template, tagged)
    assert not allows(statements, "s3:GetObject", template, {})
    assert not allows(statements, "s3:GetObject", "arn:aws:s3:::customer-data/export.csv", {})


def test_nothing_else_is_allowed_on_the_project_stacks_neighbours() -> None:
    statements = launch_statements()

    def allowed(action: str, arn: str, context: dict[str, str] | None = None) -> bool:
        return allows(statements, action, arn, context)

    assert not allowed("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:payments-api")
    assert not allowed(
        "lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sagemaker-endpoint-updater-x"
    )
    assert not allowed("kms:CreateAlias", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/churn-endpoint")
    assert not allowed("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/payments")
    assert not allowed("logs:DeleteLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/sagemaker-endpoint/x")
    assert not allowed("cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/sagemaker-endpoint-prod")
    assert not allowed("cloudwatch:DeleteAlarms", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:payments-latency")
    assert not allowed("iam:PassRole", GIVEN_MODEL_ROLE, {"iam:PassedToService": "ec2.amazonaws.com"})
    assert not allowed("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/anything")
    assert not allowed("sqs:CreateQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:sagemaker-endpoint-x.fifo")


def test_only_cloudformation_may_assume_it() -> None:
    """CreateProject's RoleARN: "The IAM role that CloudFormation assumes when creating the stack" (botocore sagemaker
    CfnCreateTemplateProvider). AWS's sample launch role also trusts the Studio execution role, which would let every
    Studio user act as it outside any project: not here."""
    template = build_project_launch_role_template(derive_project_launch_policy(project())).to_dict()
    role = template["Resources"]["ProjectLaunchRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": ["cloudformation.amazonaws.com"]}
    assert role["Path"] == "/sagemaker-endpoint-project-launch/"


def test_no_wildcard_action_and_every_wildcard_resource_has_its_reason() -> None:
    policy = derive_project_launch_policy(project())
    assert [a for _, actions in policy.statements for a in actions if "*" in a] == []
    wildcards = {grant.sid: grant.wildcard_reason for grant, _ in policy.statements if "*" in grant.resources}
    assert wildcards == WILDCARD_REASONS
