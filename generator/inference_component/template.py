"""build_template(): one model package as an inference component of a shared endpoint, one builder per resource
group, in dependency order."""

from __future__ import annotations

from troposphere import Template

from generator.common.lambda_zip import ResolverPackage, build_resolver_package
from generator.endpoint import deploy_on_approval, resolver
from generator.endpoint.deploy_on_approval import add_deploy_on_approval
from generator.endpoint.encryption import add_encryption_key
from generator.endpoint.lambda_functions import log_group_key_statement
from generator.endpoint.model import add_package_rule
from generator.endpoint.registry_group import add_registry_group
from generator.endpoint.resolver import add_package_resolver
from generator.endpoint.tags import add_resource_tags
from generator.inference_component.access import add_package_access
from generator.inference_component.component import add_component, add_model
from generator.inference_component.context import (
    ComponentStack,
    add_conditions,
    derive_component_name,
    shared_endpoint,
)
from generator.inference_component.inputs import add_component_inputs
from generator.inference_component.scaling import add_copy_scaling
from generator.inference_component.updates import component_checks

DESCRIPTION = (
    "SageMaker inference component on a shared endpoint (inference-endpoint.yaml) from a model package ARN or the "
    "latest Approved package of a model package group: its compute, copies autoscaled down to zero, rolling updates "
    "with automatic rollback, and optionally deploy on approval."
)


def build_template(lambda_zip: ResolverPackage | None = None) -> Template:
    lambda_zip = lambda_zip or build_resolver_package()
    template = Template(Description=DESCRIPTION)
    add_component_inputs(template, resolver_code_key=lambda_zip.file_name)
    stack = ComponentStack(
        template=template,
        conditions=add_conditions(template),
        tags=add_resource_tags(template),
        group=add_registry_group(template),
        component_name=derive_component_name(template),
        endpoint=shared_endpoint(),
    )
    add_package_rule(stack)
    # The key serves only group mode's resolver log group and deploy on approval's queues, so it exists only then.
    key = add_encryption_key(
        stack,
        None,
        [
            log_group_key_statement(resolver.RESOLVER, "LogsEncryptResolverLogGroup"),
            *deploy_on_approval.key_statements(stack),
        ],
        condition=stack.conditions.use_package_group,
    )
    package_arn = add_package_resolver(stack, key)
    add_deploy_on_approval(stack, key, component_checks())
    access = add_package_access(stack)
    model = add_model(stack, package_arn, access)
    component = add_component(stack, model)
    add_copy_scaling(stack, component)
    return template
