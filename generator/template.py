"""build_template(): the whole stack, one builder per resource group, in dependency order."""

from __future__ import annotations

from troposphere import Template

from generator.approval import add_deploy_on_approval
from generator.autoscaling import add_autoscaling
from generator.data_capture import data_capture_location
from generator.encryption import add_encryption_key
from generator.endpoint import add_endpoint
from generator.model import add_model
from generator.model_role import add_model_role
from generator.network import add_security_group
from generator.package import ResolverPackage, build_resolver_package
from generator.parameters import add_parameters
from generator.resolver import add_package_resolver, resolver_log_group_name
from generator.rules import add_rules
from generator.stack import Stack, add_shared_conditions, derive_endpoint_name
from generator.tags import add_resource_tags

DESCRIPTION = (
    "SageMaker real-time endpoint in your VPC from a model package ARN or the latest Approved package of a "
    "model package group, with KMS encryption, optional data capture and a least-privilege execution role."
)


def build_template(resolver: ResolverPackage | None = None) -> Template:
    """The template; `resolver` is the zip whose key becomes the ResolverCodeS3Key default."""
    resolver = resolver or build_resolver_package()
    template = Template(Description=DESCRIPTION)
    params = add_parameters(template, resolver_code_key=resolver.file_name)
    stack = Stack(
        template,
        params,
        add_shared_conditions(template, params),
        add_resource_tags(template, params),
        derive_endpoint_name(template, params),
    )
    add_rules(stack)
    capture = data_capture_location(stack)
    security_group = add_security_group(stack)
    role_arn = add_model_role(stack, security_group, capture)
    key = add_encryption_key(stack, role_arn, resolver_log_group_name())
    package_arn = add_package_resolver(stack, key)
    add_deploy_on_approval(stack, key)
    model = add_model(stack, package_arn, role_arn, security_group)
    endpoint = add_endpoint(stack, model, key, capture)
    add_autoscaling(stack, endpoint)
    return template
