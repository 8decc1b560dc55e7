"""templates/service-catalog.yaml: the endpoint template as a Service Catalog product that SageMaker Studio lists
as a SageMaker Projects template, launched with the deployer role (deployer_role.py)."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Not, Parameter, Ref, Tags, Template
from troposphere.servicecatalog import (
    CloudFormationProduct,
    Info,
    LaunchRoleConstraint,
    Portfolio,
    PortfolioPrincipalAssociation,
    PortfolioProductAssociation,
    ProvisioningArtifactProperties,
)

from generator import __version__
from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.outputs import add_exported_output
from generator.cfn.parameters import optional_parameter
from generator.common.patterns import ROLE_ARN, required

STUDIO_VISIBILITY = {"sagemaker:studio-visibility": "true"}  # what makes Studio list it as a Projects template
TEMPLATE_URL = r"https://[a-zA-Z0-9.-]+\.amazonaws\.com(\.cn)?/\S+"
# ProvisioningArtifactProperties.Name: "No spaces are allowed." (servicecatalog service-2.json)
VERSION_NAME = r"^\S{1,100}$"
# CreatePortfolio's DisplayName: PortfolioDisplayName "max":100, "min":1 (servicecatalog service-2.json)
DISPLAY_NAME_MAX = 100
DESCRIPTION = (
    "Service Catalog portfolio and product for the SageMaker real-time endpoint template, shown in SageMaker "
    "Studio as a SageMaker Projects template and launched with the deployer role."
)


@dataclass(frozen=True)
class KitParameters:
    url: Parameter
    version: Parameter
    launch_role: Parameter
    principal: Parameter
    provider: Parameter
    display_name: Parameter


def build_service_catalog_template() -> Template:
    """A portfolio with the endpoint product, launched with the deployer role, optionally shared with Studio."""
    template = Template(Description=DESCRIPTION)
    params = _add_parameters(template)
    portfolio, product = _add_portfolio_and_product(template, params)
    _add_access(template, params, portfolio, product)
    add_exported_output(template, "PortfolioId", Ref(portfolio), "Service Catalog portfolio")
    add_exported_output(
        template, "ProductId", Ref(product), "Service Catalog product (a SageMaker Projects template in Studio)"
    )
    return template


def _add_parameters(template: Template) -> KitParameters:
    return KitParameters(
        *(
            template.add_parameter(parameter)
            for parameter in (
                Parameter(
                    "ProductTemplateUrl",
                    Type="String",
                    AllowedPattern=required(TEMPLATE_URL),
                    ConstraintDescription="must be the https:// URL of the uploaded sagemaker-endpoint.yaml in S3",
                    Description="S3 URL of templates/sagemaker-endpoint.yaml, uploaded to a bucket of yours.",
                ),
                Parameter(
                    "ProductVersionName",
                    Type="String",
                    Default=__version__,
                    AllowedPattern=VERSION_NAME,
                    ConstraintDescription="must be 1 to 100 characters without spaces (Service Catalog's rule)",
                    Description="Name of this version of the product (a new name adds a version); no spaces.",
                ),
                Parameter(
                    "LaunchRoleArn",
                    Type="String",
                    AllowedPattern=required(ROLE_ARN),
                    ConstraintDescription="must be an IAM role ARN: the DeployerRoleArn output of deployer-role.yaml",
                    Description="Role Service Catalog launches the product with: deployer-role.yaml's DeployerRoleArn.",
                ),
                optional_parameter(
                    "StudioPrincipalArn",
                    ROLE_ARN,
                    "an IAM role ARN",
                    "A SageMaker Studio execution role that may launch the product; empty: add principals to the "
                    "portfolio later.",
                ),
                Parameter(
                    "ProviderName",
                    Type="String",
                    Default="ML platform team",
                    MinLength=1,
                    MaxLength=50,
                    Description="Who provides the product, as Studio shows it.",
                ),
                Parameter(
                    "PortfolioDisplayName",
                    Type="String",
                    Default="SageMaker endpoints",
                    MinLength=1,
                    MaxLength=DISPLAY_NAME_MAX,
                    Description="The portfolio's name, as Service Catalog shows it (at most 100 characters).",
                ),
            )
        )
    )


def _add_portfolio_and_product(template: Template, params: KitParameters) -> tuple[Portfolio, CloudFormationProduct]:
    """The product's one version loads the uploaded endpoint template; the tag shows it in Studio."""
    provider = params.provider
    portfolio = template.add_resource(
        Portfolio(
            "Portfolio",
            DisplayName=Ref(params.display_name),
            ProviderName=Ref(provider),
            Description="SageMaker real-time endpoints from a model package or a model package group.",
        )
    )
    product = template.add_resource(
        CloudFormationProduct(
            "EndpointProduct",
            Name="SageMaker real-time endpoint",
            Owner=Ref(provider),
            Description="A SageMaker endpoint in your VPC for a model package, or for the latest Approved package "
            "of a model package group, with KMS encryption, blue/green updates and alarm rollback.",
            ProvisioningArtifactParameters=[
                ProvisioningArtifactProperties(
                    Name=Ref(params.version),
                    Info=Info(LoadTemplateFromURL=Ref(params.url)),
                    Description="sagemaker-endpoint.yaml",
                )
            ],
            Tags=Tags(STUDIO_VISIBILITY),
        )
    )
    return portfolio, product


def _add_access(
    template: Template, params: KitParameters, portfolio: Portfolio, product: CloudFormationProduct
) -> None:
    """Launches go through the deployer role; the Studio principal, when given, may launch."""
    add_named_condition(template, "HasStudioPrincipal", Not(is_empty(params.principal)))
    association = template.add_resource(
        PortfolioProductAssociation("ProductInPortfolio", PortfolioId=Ref(portfolio), ProductId=Ref(product))
    )
    template.add_resource(
        LaunchRoleConstraint(
            "LaunchWithDeployerRole",
            PortfolioId=Ref(portfolio),
            ProductId=Ref(product),
            RoleArn=Ref(params.launch_role),
            Description="Launched with the deployer role, which has exactly what the template needs.",
            DependsOn=association,  # a constraint needs the product in the portfolio first
        )
    )
    template.add_resource(
        PortfolioPrincipalAssociation(
            "StudioMayLaunch",
            Condition="HasStudioPrincipal",
            PortfolioId=Ref(portfolio),
            PrincipalARN=Ref(params.principal),
            PrincipalType="IAM",
        )
    )
