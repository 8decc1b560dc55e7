"""The SageMaker project and domain tags every taggable resource carries, each only when its input is set.

Domain resource isolation lets a domain's users reach only resources tagged with its sagemaker:domain-arn.
"""

from __future__ import annotations

from troposphere import If, Not, NoValue, Ref, Tags, Template

from custom_resource.contract import STACK_TAG
from generator.cfn.conditions import is_empty
from generator.endpoint.parameters import Parameters


def add_resource_tags(template: Template, params: Parameters) -> Tags:
    tag_sources = {
        "sagemaker:project-name": ("HasProjectName", params.sagemaker_project_name),
        "sagemaker:project-id": ("HasProjectId", params.sagemaker_project_id),
        "sagemaker:domain-id": ("HasDomainId", params.sagemaker_domain_id),
        "sagemaker:domain-arn": ("HasDomainArn", params.sagemaker_domain_arn),
    }
    tags = []
    for key, (condition, parameter) in tag_sources.items():
        template.add_condition(condition, Not(is_empty(parameter)))
        tags.append(If(condition, {"Key": key, "Value": Ref(parameter)}, NoValue))
    return Tags(*tags)


def retained_resource_tags(tags: Tags) -> Tags:
    """The tags of a resource the stack keeps when CloudFormation replaces it (UpdateReplacePolicy Retain): the
    stack's own, and STACK_TAG with the stack's id, by which the cleanup finds it (custom_resource/retained.py)."""
    return tags + Tags({STACK_TAG: Ref("AWS::StackId")})
