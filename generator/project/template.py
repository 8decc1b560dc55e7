"""build_project_template(): the endpoint template's builders, as a SageMaker Projects template.

What differs from build_template(), and why:
- No IAM resource: SageMaker does not say it passes CAPABILITY_IAM to a project's stack (generator.project.roles).
  The model and the package resolver run with existing roles; deploy on approval, whose updater needs a role of the
  stack's own, is refused by a Rule.
- The resolver logs to /aws/lambda/<function>, which AWS's SageMaker Projects Lambda role may write.
- The project's name and id are required, as SageMaker passes them; Studio's parameter rules mark the rest optional.
- Conditions only the left-out builders read are removed.
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import Template

from generator.cfn.pruning import drop_unused_conditions
from generator.common.lambda_zip import ResolverPackage, build_resolver_package
from generator.endpoint import resolver
from generator.endpoint.alarms import add_disk_alarm
from generator.endpoint.autoscaling import add_autoscaling
from generator.endpoint.conditions import add_shared_conditions
from generator.endpoint.context import EndpointStack
from generator.endpoint.dashboard import add_dashboard
from generator.endpoint.data_capture import data_capture_location
from generator.endpoint.encryption import add_encryption_key
from generator.endpoint.endpoint import add_endpoint, derive_endpoint_name
from generator.endpoint.model import add_model
from generator.endpoint.network import add_network_rule, add_security_group
from generator.endpoint.registry_group import add_registry_group
from generator.endpoint.resolver import add_package_resolver
from generator.endpoint.tags import add_resource_tags
from generator.project.inputs import add_project_inputs
from generator.project.roles import AWS_LAMBDA_ROLE, RESOLVER_ROLE, add_given_model_role, given_role

DESCRIPTION = (
    "SageMaker Projects template (S3): a SageMaker endpoint (real-time or asynchronous in your VPC, or serverless) "
    "from a model package ARN or the latest Approved package of a model package group, with KMS encryption, "
    "blue/green updates and alarm rollback. Creates no IAM role: the model and the resolver run with given roles."
)
# The resolver as a project runs it: logging where AWS's Projects Lambda role may write.
PROJECT_RESOLVER = replace(resolver.RESOLVER, lambda_log_group=True)


def build_project_template(lambda_zip: ResolverPackage | None = None) -> Template:
    """The template; `lambda_zip` is the zip whose key becomes the ResolverCodeS3Key default."""
    lambda_zip = lambda_zip or build_resolver_package()
    template = Template(Description=DESCRIPTION)
    add_project_inputs(template, resolver_code_key=lambda_zip.file_name)
    stack = EndpointStack(
        template,
        add_shared_conditions(template),
        add_resource_tags(template),
        derive_endpoint_name(template),
        add_registry_group(template),
    )
    capture = data_capture_location(stack)
    add_network_rule(stack)
    security_group = add_security_group(stack)
    role_arn = add_given_model_role(stack)
    key = add_encryption_key(stack, role_arn, resolver.key_statements(stack, PROJECT_RESOLVER))
    resolver_role = given_role(stack, RESOLVER_ROLE, AWS_LAMBDA_ROLE)
    package_arn = add_package_resolver(stack, key, spec=PROJECT_RESOLVER, given_role=resolver_role)
    model = add_model(stack, package_arn, role_arn, security_group)
    endpoint = add_endpoint(stack, model, key, capture)
    add_autoscaling(stack, endpoint)
    add_disk_alarm(stack)
    add_dashboard(stack)  # last: it shows every alarm the template declares
    drop_unused_conditions(template)
    return template
