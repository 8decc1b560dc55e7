"""The roles a project's stack runs with: given, never created.

Whether SageMaker passes CAPABILITY_IAM to a project's stack is not documented (CreateProject's
CfnCreateTemplateProvider has no Capabilities member, and none of AWS's S3 sample templates creates an IAM role),
and CloudFormation refuses a template with IAM resources without it. So the project template creates no role: the
model and the package resolver run with existing roles, by default the use roles of AWS's SageMaker Projects setup
(aws-samples/sagemaker-custom-project-templates, s3_templates/.../sagemaker-projects-roles-and-policies.yaml), which
AWS's sample launch role may pass (`iam:PassRole` on `role/service-role/AmazonSageMakerProjects*`).
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import If, Not

from generator.cfn.conditions import is_empty
from generator.cfn.iam import arn
from generator.cfn.inputs import Input, pattern
from generator.common.patterns import ROLE_ARN
from generator.endpoint import model_role
from generator.endpoint.context import EndpointStack, add_condition, add_output

# AWS's use roles, under /service-role/ as its sample creates them.
AWS_EXECUTION_ROLE = "service-role/AmazonSageMakerProjectsExecutionRole"  # AmazonSageMakerFullAccess; trusts SageMaker
AWS_LAMBDA_ROLE = "service-role/AmazonSageMakerProjectsLambdaRole"  # model packages and /aws/lambda/* logs

EXECUTION_ROLE = replace(
    model_role.EXECUTION_ROLE,
    description="Existing role SageMaker assumes for the model (a project creates no IAM role): it reads the model "
    "artifacts, writes captured data and describes the rollback alarms (docs/security.md). Empty: this account's "
    f"{AWS_EXECUTION_ROLE}.",
)
RESOLVER_ROLE = Input(
    "PackageResolverRoleArn",
    "Package resolver role ARN",
    "Existing role the package resolver runs with in group mode (a project creates no IAM role): it lists the "
    "group's model packages and writes /aws/lambda/* logs. Empty: this account's "
    f"{AWS_LAMBDA_ROLE}.",
    pattern(ROLE_ARN, "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"),
)


def given_role(stack: EndpointStack, given: Input, aws_role: str) -> If:
    """The role given, or AWS's use role of this account when empty."""
    has_role = add_condition(stack, f"Has{given.name}", Not(is_empty(given)))
    return If(has_role, given.ref(), arn("iam", f"role/{aws_role}", region=False))


def add_given_model_role(stack: EndpointStack) -> If:
    """The model's role, and the ModelExecutionRoleArn output the endpoint template has too."""
    role_arn = given_role(stack, EXECUTION_ROLE, AWS_EXECUTION_ROLE)
    add_output(stack, "ModelExecutionRoleArn", role_arn, "Role SageMaker assumes to run the model")
    return role_arn
