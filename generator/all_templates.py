"""Everything `render` writes: the endpoint template, and what is derived from it for the teams that deploy it."""

from __future__ import annotations

from generator.deployer_policy import derive_deployer_policy
from generator.deployer_role import build_deployer_role_template, render_deployer_policy_json
from generator.rendering import Format, render
from generator.service_catalog import build_service_catalog_template
from generator.template import build_template

ENDPOINT = "sagemaker-endpoint"


def render_all(output_format: Format = "yaml") -> dict[str, str]:
    """File name -> text. The deployer role's policy is derived from the endpoint template rendered with it."""
    endpoint = build_template()
    policy = derive_deployer_policy(endpoint.to_dict())
    return {
        f"{ENDPOINT}.{output_format}": render(endpoint, output_format),
        f"deployer-role.{output_format}": render(build_deployer_role_template(policy), output_format),
        f"service-catalog.{output_format}": render(build_service_catalog_template(), output_format),
        "deployer-policy.json": render_deployer_policy_json(policy),
    }
