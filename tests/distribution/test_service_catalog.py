"""The Service Catalog kit: a product Studio lists as a SageMaker Projects template, launched with the deployer
role, that the chosen Studio role may launch."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator import __version__
from generator.distribution.service_catalog import build_service_catalog_template
from tests.support.template_eval import Evaluator

URL = "https://artifacts-111122223333.s3.eu-west-1.amazonaws.com/sagemaker-endpoint.yaml"
LAUNCH_ROLE = "arn:aws:iam::111122223333:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
STUDIO_ROLE = "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-2026"
REQUIRED = {"ProductTemplateUrl": URL, "LaunchRoleArn": LAUNCH_ROLE}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return build_service_catalog_template().to_dict()  # type: ignore[no-any-return]


def test_the_product_is_a_sagemaker_projects_template_loading_the_uploaded_endpoint_template(
    template: dict[str, Any],
) -> None:
    product = Evaluator(template, REQUIRED).resources()["EndpointProduct"]["Properties"]
    assert {"Key": "sagemaker:studio-visibility", "Value": "true"} in product["Tags"]
    (artifact,) = product["ProvisioningArtifactParameters"]
    assert artifact["Info"] == {"LoadTemplateFromURL": URL}
    assert artifact["Name"] == __version__


def test_the_product_launches_with_the_deployer_role_once_it_is_in_the_portfolio(template: dict[str, Any]) -> None:
    resources = Evaluator(template, REQUIRED).resources()
    constraint = resources["LaunchWithDeployerRole"]
    assert constraint["Properties"]["RoleArn"] == LAUNCH_ROLE
    assert constraint["Properties"]["ProductId"] == {"Ref": "EndpointProduct"}
    assert constraint["DependsOn"] == "ProductInPortfolio"
    assert resources["ProductInPortfolio"]["Properties"] == {
        "PortfolioId": {"Ref": "Portfolio"},
        "ProductId": {"Ref": "EndpointProduct"},
    }


@pytest.mark.parametrize(("principal", "associated"), [("", False), (STUDIO_ROLE, True)])
def test_a_studio_role_is_associated_only_when_given(
    template: dict[str, Any], principal: str, associated: bool
) -> None:
    resources = Evaluator(template, {**REQUIRED, "StudioPrincipalArn": principal}).resources()
    assert ("StudioMayLaunch" in resources) == associated
    if associated:
        assert resources["StudioMayLaunch"]["Properties"]["PrincipalARN"] == STUDIO_ROLE
        assert resources["StudioMayLaunch"]["Properties"]["PrincipalType"] == "IAM"


@pytest.mark.parametrize(
    ("name", "value"),
    [("ProductTemplateUrl", "s3://bucket/sagemaker-endpoint.yaml"), ("ProductTemplateUrl", "http://x.amazonaws.com/t"),
     ("LaunchRoleArn", "DeployerRole"), ("StudioPrincipalArn", "arn:aws:iam::111122223333:user/alice")],
)  # fmt: skip
def test_malformed_inputs_are_rejected_before_anything_is_created(
    template: dict[str, Any], name: str, value: str
) -> None:
    assert not re.fullmatch(template["Parameters"][name]["AllowedPattern"], value)


@pytest.mark.parametrize(("value", "accepted"), [("0.3.0", True), ("v2beta", True), ("0.3.0 beta", False),
                                                 ("0.3.0\tbeta", False), ("", False), ("v" * 100, True),
                                                 ("v" * 101, False)])  # fmt: skip
def test_a_product_version_name_has_no_spaces_and_at_most_100_characters(
    template: dict[str, Any], value: str, accepted: bool
) -> None:
    """ProvisioningArtifactProperties.Name: "The name of the provisioning artifact (for example, v1 v2beta). No
    spaces are allowed." (https://docs.aws.amazon.com/servicecatalog/latest/dg/API_ProvisioningArtifactProperties
    .html, servicecatalog service-2.json). CloudFormation refuses such a value before creating anything."""
    parameter = template["Parameters"]["ProductVersionName"]
    assert bool(re.fullmatch(parameter["AllowedPattern"], value)) is accepted
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])


def test_the_portfolio_display_name_is_a_parameter_of_at_most_100_characters(template: dict[str, Any]) -> None:
    """CreatePortfolio's DisplayName is PortfolioDisplayName, `"max":100, "min":1`
    (https://docs.aws.amazon.com/servicecatalog/latest/dg/API_CreatePortfolio.html, servicecatalog service-2.json):
    built from a stack name (up to 128 characters) it could not fit, so it is a parameter CloudFormation bounds."""
    parameter = template["Parameters"]["PortfolioDisplayName"]
    assert (parameter["MinLength"], parameter["MaxLength"]) == (1, 100)
    assert 1 <= len(parameter["Default"]) <= 100
    portfolio = Evaluator(template, {**REQUIRED, "PortfolioDisplayName": "ML platform"}).resources()["Portfolio"]
    assert portfolio["Properties"]["DisplayName"] == "ML platform"
    default = Evaluator(template, REQUIRED, {"AWS::StackName": "x" * 128}).resources()["Portfolio"]
    assert default["Properties"]["DisplayName"] == "SageMaker endpoints"
