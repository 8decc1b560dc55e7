"""templates/service-catalog.yaml: the endpoint template as a Service Catalog product that SageMaker Studio lists
as a SageMaker Projects template, launched with the deployer role (build_deployer_role_template)."""

from __future__ import annotations

from troposphere import Not, Ref, Tags, Template
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
from generator.cfn.inputs import Constraint, Input, InputGroup, add_inputs, free_text, pattern
from generator.cfn.outputs import add_exported_output
from generator.common.patterns import ROLE_ARN

STUDIO_VISIBILITY = {"sagemaker:studio-visibility": "true"}  # what makes Studio list it as a Projects template
TEMPLATE_URL = r"https://[a-zA-Z0-9.-]+\.amazonaws\.com(\.cn)?/\S+"
# ProvisioningArtifactProperties.Name: "No spaces are allowed." (servicecatalog service-2.json)
VERSION_NAME = r"^\S{1,100}$"
# CreatePortfolio's DisplayName: PortfolioDisplayName "max":100, "min":1 (servicecatalog service-2.json)
DISPLAY_NAME_MAX = 100
DESCRIPTION = (
    "Service Catalog portfolio and product for the SageMaker endpoint template, shown in SageMaker "
    "Studio as a SageMaker Projects template and launched with the deployer role."
)


TEMPLATE_URL_INPUT = Input(
    "ProductTemplateUrl",
    "Endpoint template URL",
    "S3 URL of templates/sagemaker-endpoint.yaml, uploaded to a bucket of yours.",
    pattern(TEMPLATE_URL, "the https:// URL of the uploaded sagemaker-endpoint.yaml in S3", optional_value=False),
    default=None,
)
VERSION = Input(
    "ProductVersionName",
    "Version name",
    "Name of this version of the product (a new name adds a version); no spaces.",
    Constraint(
        (
            ("AllowedPattern", VERSION_NAME),
            ("ConstraintDescription", "must be 1 to 100 characters without spaces (Service Catalog's rule)"),
        ),
        "1 to 100 characters without spaces",
    ),
    default=__version__,
)
LAUNCH_ROLE = Input(
    "LaunchRoleArn",
    "Launch role",
    "Role Service Catalog launches the product with: deployer-role.yaml's DeployerRoleArn.",
    pattern(ROLE_ARN, "an IAM role ARN: the DeployerRoleArn output of deployer-role.yaml", optional_value=False),
    default=None,
)
STUDIO_PRINCIPAL = Input(
    "StudioPrincipalArn",
    "Studio execution role",
    "A SageMaker Studio execution role that may launch the product; empty: add principals to the portfolio later.",
    pattern(ROLE_ARN, "an IAM role ARN"),
)
PROVIDER = Input(
    "ProviderName",
    "Provider",
    "Who provides the product, as Studio shows it.",
    free_text(min_length=1, max_length=50),
    default="ML platform team",
)
DISPLAY_NAME = Input(
    "PortfolioDisplayName",
    "Portfolio name",
    "The portfolio's name, as Service Catalog shows it (at most 100 characters).",
    free_text(min_length=1, max_length=DISPLAY_NAME_MAX),
    default="SageMaker endpoints",
)
GROUPS = (
    InputGroup("Product", (TEMPLATE_URL_INPUT, VERSION, PROVIDER, DISPLAY_NAME)),
    InputGroup("Who launches it, and how", (LAUNCH_ROLE, STUDIO_PRINCIPAL)),
)


def build_service_catalog_template() -> Template:
    """A portfolio with the endpoint product, launched with the deployer role, optionally shared with Studio."""
    template = Template(Description=DESCRIPTION)
    add_inputs(template, GROUPS)
    portfolio, product = _add_portfolio_and_product(template)
    _add_access(template, portfolio, product)
    add_exported_output(template, "PortfolioId", Ref(portfolio), "Service Catalog portfolio")
    add_exported_output(
        template, "ProductId", Ref(product), "Service Catalog product (a SageMaker Projects template in Studio)"
    )
    return template


def _add_portfolio_and_product(template: Template) -> tuple[Portfolio, CloudFormationProduct]:
    """The product's one version loads the uploaded endpoint template; the tag shows it in Studio."""
    portfolio = template.add_resource(
        Portfolio(
            "Portfolio",
            DisplayName=DISPLAY_NAME.ref(),
            ProviderName=PROVIDER.ref(),
            Description="SageMaker endpoints (real-time, serverless, asynchronous) from a model package or a model "
            "package group.",
        )
    )
    product = template.add_resource(
        CloudFormationProduct(
            "EndpointProduct",
            Name="SageMaker endpoint",
            Owner=PROVIDER.ref(),
            Description="A SageMaker endpoint (real-time or asynchronous in your VPC, or serverless) for a model "
            "package, or for the latest Approved package of a model package group, with KMS encryption, blue/green "
            "updates and alarm rollback.",
            ProvisioningArtifactParameters=[
                ProvisioningArtifactProperties(
                    Name=VERSION.ref(),
                    Info=Info(LoadTemplateFromURL=TEMPLATE_URL_INPUT.ref()),
                    Description="sagemaker-endpoint.yaml",
                )
            ],
            Tags=Tags(STUDIO_VISIBILITY),
        )
    )
    return portfolio, product


def _add_access(template: Template, portfolio: Portfolio, product: CloudFormationProduct) -> None:
    """Launches go through the deployer role; the Studio principal, when given, may launch."""
    add_named_condition(template, "HasStudioPrincipal", Not(is_empty(STUDIO_PRINCIPAL)))
    association = template.add_resource(
        PortfolioProductAssociation("ProductInPortfolio", PortfolioId=Ref(portfolio), ProductId=Ref(product))
    )
    template.add_resource(
        LaunchRoleConstraint(
            "LaunchWithDeployerRole",
            PortfolioId=Ref(portfolio),
            ProductId=Ref(product),
            RoleArn=LAUNCH_ROLE.ref(),
            Description="Launched with the deployer role, which has exactly what the template needs.",
            DependsOn=association,  # a constraint needs the product in the portfolio first
        )
    )
    template.add_resource(
        PortfolioPrincipalAssociation(
            "StudioMayLaunch",
            Condition="HasStudioPrincipal",
            PortfolioId=Ref(portfolio),
            PrincipalARN=STUDIO_PRINCIPAL.ref(),
            PrincipalType="IAM",
        )
    )
