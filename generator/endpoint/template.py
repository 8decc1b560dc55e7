"""build_template(): the whole stack, one builder per resource group, in dependency order."""

from __future__ import annotations

from troposphere import Template

from generator.common.lambda_zip import ResolverPackage, build_resolver_package
from generator.endpoint import deploy_on_approval, resolver
from generator.endpoint.alarms import add_disk_alarm
from generator.endpoint.autoscaling import add_autoscaling
from generator.endpoint.conditions import add_shared_conditions
from generator.endpoint.context import EndpointStack
from generator.endpoint.dashboard import add_dashboard
from generator.endpoint.data_capture import data_capture_location
from generator.endpoint.deploy_on_approval import add_deploy_on_approval
from generator.endpoint.encryption import add_encryption_key
from generator.endpoint.endpoint import add_endpoint, derive_endpoint_name
from generator.endpoint.inputs import add_endpoint_inputs
from generator.endpoint.model import add_model
from generator.endpoint.model_role import add_model_role
from generator.endpoint.network import add_network_rule, add_security_group
from generator.endpoint.registry_group import add_registry_group
from generator.endpoint.resolver import add_package_resolver
from generator.endpoint.tags import add_resource_tags

DESCRIPTION = (
    "SageMaker endpoint (real-time or asynchronous in your VPC, or serverless) from a model package ARN or the latest "
    "Approved package of a model package group, with KMS encryption, optional data capture and a least-privilege "
    "execution role."
)


def build_template(lambda_zip: ResolverPackage | None = None) -> Template:
    """The template; `lambda_zip` is the zip whose key becomes the ResolverCodeS3Key default."""
    lambda_zip = lambda_zip or build_resolver_package()
    template = Template(Description=DESCRIPTION)
    add_endpoint_inputs(template, resolver_code_key=lambda_zip.file_name)
    stack = EndpointStack(
        template=template,
        conditions=add_shared_conditions(template),
        tags=add_resource_tags(template),
        endpoint_name=derive_endpoint_name(template),
        group=add_registry_group(template),
    )
    capture = data_capture_location(stack)
    add_network_rule(stack)
    security_group = add_security_group(stack)
    role_arn = add_model_role(stack, security_group, capture)
    feature_key_statements = [*resolver.key_statements(stack), *deploy_on_approval.key_statements(stack)]
    key = add_encryption_key(stack, role_arn, feature_key_statements)
    package_arn = add_package_resolver(stack, key)
    add_deploy_on_approval(stack, key)
    model = add_model(stack, package_arn, role_arn, security_group)
    endpoint = add_endpoint(stack, model, key, capture)
    add_autoscaling(stack, endpoint)
    add_disk_alarm(stack)
    add_dashboard(stack)  # last: it shows every alarm and queue the template declares
    return template
