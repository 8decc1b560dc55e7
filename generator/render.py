"""Everything `render` writes: the endpoint template, and what is derived from it for the teams that deploy it."""

from __future__ import annotations

from pathlib import Path

from generator.cfn.rendering import Format, render
from generator.common.lambda_zip import build_resolver_package
from generator.deployer.permissions import derive_deployer_policy
from generator.deployer.project_launch import build_project_launch_role_template, derive_project_launch_policy
from generator.deployer.role_template import build_deployer_role_template, render_deployer_policy_json
from generator.deployer.stackset_roles import build_administration_role_template, build_execution_role_template
from generator.distribution.seedfarmer_modulestack import build_modulestack_template
from generator.distribution.service_catalog import build_service_catalog_template
from generator.docs_tables import render_component_docs, render_docs
from generator.endpoint.template import build_template
from generator.inference_component.template import build_template as build_component_template
from generator.inference_endpoint.template import build_template as build_shared_endpoint_template
from generator.project.template import build_project_template
from generator.registry.template import build_registry_access_template

ENDPOINT, SHARED_ENDPOINT, COMPONENT = "sagemaker-endpoint", "inference-endpoint", "inference-component"
PROJECT = "sagemaker-project"
TEMPLATES = "templates"
ROOT = Path(__file__).resolve().parents[1]  # a checkout: the README and docs/ beside generator/


def render_all(output_format: Format = "yaml") -> dict[str, str]:
    """Path under the repository root -> text. The deployer role's policy is derived from the three product templates
    rendered with it (the StackSet execution role's and seed-farmer's, which deploy the endpoint template only, from
    that one); the tables of the checkout's README and guides from its inputs and Rules. modulestack.yaml stands at
    the root, where seed-farmer looks for it. The SageMaker Projects template and its launch role's policy are
    derived the same way."""
    package = build_resolver_package()
    endpoint, shared, component = (
        build_template(package),
        build_shared_endpoint_template(),
        build_component_template(package),
    )
    document = endpoint.to_dict()
    policy = derive_deployer_policy(document)
    deployer = derive_deployer_policy(document, shared.to_dict(), component.to_dict())
    project = build_project_template(package)
    launch_policy = derive_project_launch_policy(project.to_dict())
    return {
        **render_docs(ROOT, document),
        **render_component_docs(ROOT, shared.to_dict(), component.to_dict()),
        f"{TEMPLATES}/{ENDPOINT}.{output_format}": render(endpoint, output_format),
        f"{TEMPLATES}/{SHARED_ENDPOINT}.{output_format}": render(shared, output_format),
        f"{TEMPLATES}/{COMPONENT}.{output_format}": render(component, output_format),
        f"{TEMPLATES}/deployer-role.{output_format}": render(build_deployer_role_template(deployer), output_format),
        f"{TEMPLATES}/service-catalog.{output_format}": render(build_service_catalog_template(), output_format),
        f"{TEMPLATES}/deployer-policy.json": render_deployer_policy_json(deployer),
        f"{TEMPLATES}/registry-access.{output_format}": render(build_registry_access_template(), output_format),
        f"{TEMPLATES}/stackset-administration-role.{output_format}": render(
            build_administration_role_template(), output_format
        ),
        f"{TEMPLATES}/stackset-execution-role.{output_format}": render(
            build_execution_role_template(policy), output_format
        ),
        f"{TEMPLATES}/{PROJECT}.{output_format}": render(project, output_format),
        f"{TEMPLATES}/project-launch-role.{output_format}": render(
            build_project_launch_role_template(launch_policy), output_format
        ),
        f"{TEMPLATES}/project-launch-policy.json": render_deployer_policy_json(launch_policy),
        "modulestack.yaml": render(build_modulestack_template(policy)),
    }
