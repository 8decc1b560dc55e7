"""The SageMaker project and domain tags every taggable resource carries, each only when its input is set.

Domain resource isolation lets a domain's users reach only resources tagged with its sagemaker:domain-arn.
"""

from __future__ import annotations

from troposphere import If, Not, NoValue, Ref, Tags, Template

from custom_resource.contract import STACK_TAG
from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Input, pattern
from generator.common.patterns import DOMAIN_ARN, DOMAIN_ID, PROJECT_ID, PROJECT_NAME

PROJECT_NAME_INPUT = Input(
    "SageMakerProjectName",
    "SageMaker project name",
    "Set by SageMaker Projects; tags every resource with sagemaker:project-name.",
    pattern(PROJECT_NAME, "a SageMaker project name (letters, digits, hyphens; up to 32 characters)", max_length=32),
    seed_name="sagemaker-project-name",
)
PROJECT_ID_INPUT = Input(
    "SageMakerProjectId",
    "SageMaker project ID",
    "Set by SageMaker Projects; tags every resource with sagemaker:project-id.",
    pattern(PROJECT_ID, "a SageMaker project ID (letters, digits, hyphens; up to 20 characters)", max_length=20),
    seed_name="sagemaker-project-id",
)
DOMAIN_ID_INPUT = Input(
    "SageMakerDomainId",
    "SageMaker domain ID",
    "Tags every resource with sagemaker:domain-id.",
    pattern(DOMAIN_ID, "a SageMaker domain ID such as d-abcdef123456", max_length=63),
    seed_name="sagemaker-domain-id",
)
DOMAIN_ARN_INPUT = Input(
    "SageMakerDomainArn",
    "SageMaker domain ARN",
    "Tags every resource with sagemaker:domain-arn, which domain resource isolation requires to let the domain's "
    "users reach the endpoint.",
    pattern(DOMAIN_ARN, "a SageMaker domain ARN (arn:<partition>:sagemaker:<region>:<account>:domain/<domain-id>)",
            max_length=256),
    seed_name="sagemaker-domain-arn",
)  # fmt: skip
INPUTS = (PROJECT_NAME_INPUT, PROJECT_ID_INPUT, DOMAIN_ID_INPUT, DOMAIN_ARN_INPUT)
TAG_KEYS = {
    "sagemaker:project-name": ("HasProjectName", PROJECT_NAME_INPUT),
    "sagemaker:project-id": ("HasProjectId", PROJECT_ID_INPUT),
    "sagemaker:domain-id": ("HasDomainId", DOMAIN_ID_INPUT),
    "sagemaker:domain-arn": ("HasDomainArn", DOMAIN_ARN_INPUT),
}


def add_resource_tags(template: Template) -> Tags:
    tags = []
    for key, (condition, given) in TAG_KEYS.items():
        template.add_condition(condition, Not(is_empty(given)))
        tags.append(If(condition, {"Key": key, "Value": given.ref()}, NoValue))
    return Tags(*tags)


def retained_resource_tags(tags: Tags) -> Tags:
    """The tags of a resource the stack keeps when CloudFormation replaces it (UpdateReplacePolicy Retain): the
    stack's own, and STACK_TAG with the stack's id, by which the cleanup finds it (custom_resource/retained.py)."""
    return tags + Tags({STACK_TAG: Ref("AWS::StackId")})
