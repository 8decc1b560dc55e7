"""The SageMaker project and domain tags every taggable resource carries, each only when its input is set.

Domain resource isolation lets a domain's users reach only resources tagged with its sagemaker:domain-arn.
"""

from __future__ import annotations

from troposphere import If, Not, NoValue, Ref, Tags, Template

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
