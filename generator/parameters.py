"""The template's parameters: one per input of the module we replace, plus the resolver's code location.

Each parameter carries the constraint that rejects bad input before any resource is created, and the
groups below become the `AWS::CloudFormation::Interface` that consoles and Service Catalog show.
Optional inputs default to "" and are switched on by Conditions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from troposphere import Parameter, Template

# AllowedPattern must match the whole value; each optional pattern also admits "".
PARTITION = r"arn:aws[a-z-]*"
REGION = r"[a-z]{2}(-[a-z]+)+-[0-9]"
ACCOUNT = r"[0-9]{12}"
SAGEMAKER_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
S3_BUCKET_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
MODEL_PACKAGE_ARN = rf"{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:model-package/{SAGEMAKER_NAME}(/[0-9]{{1,10}})?"
ROLE_ARN = rf"{PARTITION}:iam::{ACCOUNT}:role/[a-zA-Z0-9+=,.@_/-]{{1,512}}"
BUCKET_ARN = rf"{PARTITION}:s3:::{S3_BUCKET_NAME}"
ECR_REPO_ARN = rf"{PARTITION}:ecr:{REGION}:{ACCOUNT}:repository/[a-z0-9]+([._/-][a-z0-9]+)*"
DOMAIN_ID = r"d-(-*[a-z0-9]){1,61}"
DOMAIN_ARN = rf"{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:domain/{DOMAIN_ID}"
PROJECT_NAME = r"[a-zA-Z](-*[a-zA-Z0-9]){0,31}"  # as SageMaker Projects templates declare it
PROJECT_ID = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,19}"
S3_PREFIX = r"[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*"  # no leading, trailing or double slash
INSTANCE_TYPE = r"ml\.[a-z0-9-]+\.[a-z0-9]+"


def optional(pattern: str) -> str:
    return rf"^({pattern})?$"


def required(pattern: str) -> str:
    return rf"^{pattern}$"


@dataclass(frozen=True)
class Parameters:
    """Every parameter of the template, by name, for builders to `Ref`."""

    model_package_arn: Parameter
    model_package_group_name: Parameter
    vpc_id: Parameter
    subnet_ids: Parameter
    instance_type: Parameter
    initial_instance_count: Parameter
    initial_variant_weight: Parameter
    variant_name: Parameter
    enable_network_isolation: Parameter
    model_execution_role_arn: Parameter
    model_artifacts_bucket_arn: Parameter
    ecr_repo_arn: Parameter
    data_capture_sampling_percentage: Parameter
    data_capture_prefix: Parameter
    sagemaker_project_name: Parameter
    sagemaker_project_id: Parameter
    sagemaker_domain_id: Parameter
    sagemaker_domain_arn: Parameter
    resolver_code_s3_bucket: Parameter
    resolver_code_s3_key: Parameter


@dataclass(frozen=True)
class Input:
    """A parameter with the label the console shows for it."""

    label: str
    parameter: Parameter


def add_parameters(template: Template, resolver_code_key: str) -> Parameters:
    """Add every parameter and the Interface that groups and labels them."""
    groups = {
        "Model package (set exactly one)": _model_package_inputs(),
        "Network": _network_inputs(),
        "Endpoint": _endpoint_inputs(),
        "Model permissions": _model_permission_inputs(),
        "Data capture": _data_capture_inputs(),
        "SageMaker project and domain (tags)": _project_inputs(),
        "Package resolver code (model package group only)": _resolver_inputs(resolver_code_key),
    }
    inputs = [entry for entries in groups.values() for entry in entries]
    for entry in inputs:
        template.add_parameter(entry.parameter)
    template.set_metadata(_interface(groups))
    by_field = {_field_name(entry.parameter.title): entry.parameter for entry in inputs}
    missing = {f.name for f in fields(Parameters)} ^ set(by_field)
    if missing:
        raise AssertionError(f"Parameters and the interface groups disagree on: {sorted(missing)}")
    return Parameters(**by_field)


def _interface(groups: dict[str, list[Input]]) -> dict[str, Any]:
    return {
        "AWS::CloudFormation::Interface": {
            "ParameterGroups": [
                {"Label": {"default": label}, "Parameters": [entry.parameter.title for entry in entries]}
                for label, entries in groups.items()
            ],
            "ParameterLabels": {
                entry.parameter.title: {"default": entry.label} for entries in groups.values() for entry in entries
            },
        }
    }


def _field_name(title: str) -> str:
    """ResolverCodeS3Key -> resolver_code_s3_key; SageMaker counts as one word."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", title.replace("SageMaker", "Sagemaker")).lower()


def _model_package_inputs() -> list[Input]:
    return [
        Input(
            "Model package ARN",
            Parameter(
                "ModelPackageArn",
                Type="String",
                Default="",
                AllowedPattern=optional(MODEL_PACKAGE_ARN),
                ConstraintDescription="must be a SageMaker model package ARN "
                "(arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>) or empty",
                Description="Deploy this model package version. Leave empty to use ModelPackageGroupName.",
            ),
        ),
        Input(
            "Model package group name",
            Parameter(
                "ModelPackageGroupName",
                Type="String",
                Default="",
                MaxLength=63,
                AllowedPattern=optional(SAGEMAKER_NAME),
                ConstraintDescription="must be a model package group name (letters, digits, hyphens; "
                "up to 63 characters) or empty",
                Description="Deploy the latest Approved package of this group, resolved at deploy time. "
                "Leave empty to use ModelPackageArn.",
            ),
        ),
    ]


def _network_inputs() -> list[Input]:
    return [
        Input("VPC", Parameter("VpcId", Type="AWS::EC2::VPC::Id", Description="VPC of the endpoint's instances.")),
        Input(
            "Subnets",
            Parameter(
                "SubnetIds",
                Type="List<AWS::EC2::Subnet::Id>",
                Description="Private subnets of VpcId for the endpoint's network interfaces "
                "(two or more Availability Zones for resilience).",
            ),
        ),
    ]


def _endpoint_inputs() -> list[Input]:
    return [
        Input(
            "Instance type",
            Parameter(
                "InstanceType",
                Type="String",
                Default="ml.m4.xlarge",
                AllowedPattern=required(INSTANCE_TYPE),
                ConstraintDescription="must be a SageMaker instance type such as ml.m5.xlarge",
                Description="Instance type of the production variant.",
            ),
        ),
        Input(
            "Initial instance count",
            Parameter(
                "InitialInstanceCount",
                Type="Number",
                Default=1,
                MinValue=1,
                ConstraintDescription="must be a whole number of at least 1",
                Description="Instances behind the endpoint at creation.",
            ),
        ),
        Input(
            "Initial variant weight",
            Parameter(
                "InitialVariantWeight",
                Type="Number",
                Default="1.0",
                MinValue=0,
                ConstraintDescription="must be a number of at least 0",
                Description="Traffic weight of the variant (a float; its share is weight / sum of weights).",
            ),
        ),
        Input(
            "Variant name",
            Parameter(
                "VariantName",
                Type="String",
                Default="AllTraffic",
                MaxLength=63,
                AllowedPattern=required(SAGEMAKER_NAME),
                ConstraintDescription="must be letters, digits and hyphens, up to 63 characters",
                Description="Name of the production variant.",
            ),
        ),
    ]


def _model_permission_inputs() -> list[Input]:
    return [
        Input(
            "Network isolation",
            Parameter(
                "EnableNetworkIsolation",
                Type="String",
                Default="true",
                AllowedValues=["true", "false"],
                Description="Run the model container without network access.",
            ),
        ),
        Input(
            "Model execution role ARN",
            Parameter(
                "ModelExecutionRoleArn",
                Type="String",
                Default="",
                AllowedPattern=optional(ROLE_ARN),
                ConstraintDescription="must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>) or empty",
                Description="Existing role SageMaker assumes for the model. Leave empty to create a "
                "least-privilege role.",
            ),
        ),
        Input(
            "Model artifacts bucket ARN",
            Parameter(
                "ModelArtifactsBucketArn",
                Type="String",
                Default="",
                AllowedPattern=optional(BUCKET_ARN),
                ConstraintDescription="must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>) or empty",
                Description="Bucket holding the model artifacts; it also receives captured data.",
            ),
        ),
        Input(
            "ECR repository ARN",
            Parameter(
                "EcrRepoArn",
                Type="String",
                Default="",
                AllowedPattern=optional(ECR_REPO_ARN),
                ConstraintDescription="must be an ECR repository ARN "
                "(arn:<partition>:ecr:<region>:<account>:repository/<name>) or empty",
                Description="Repository of a custom inference image. Leave empty for SageMaker's images.",
            ),
        ),
    ]


def _data_capture_inputs() -> list[Input]:
    return [
        Input(
            "Sampling percentage",
            Parameter(
                "DataCaptureSamplingPercentage",
                Type="Number",
                Default=0,
                MinValue=0,
                MaxValue=100,
                ConstraintDescription="must be a whole number from 0 to 100",
                Description="Percentage of requests whose input and output are captured; 0 turns capture off. "
                "Needs ModelArtifactsBucketArn.",
            ),
        ),
        Input(
            "S3 prefix",
            Parameter(
                "DataCapturePrefix",
                Type="String",
                Default="",
                MaxLength=512,
                AllowedPattern=optional(S3_PREFIX),
                ConstraintDescription="must be an S3 key prefix without leading, trailing or double slashes, or empty",
                Description="Key prefix of captured data in the artifacts bucket; empty writes at the bucket's root.",
            ),
        ),
    ]


def _project_inputs() -> list[Input]:
    return [
        Input(
            "SageMaker project name",
            Parameter(
                "SageMakerProjectName",
                Type="String",
                Default="",
                MaxLength=32,
                AllowedPattern=optional(PROJECT_NAME),
                ConstraintDescription="must start with a letter; letters, digits and hyphens; up to 32 characters",
                Description="Set by SageMaker Projects; tags every resource with sagemaker:project-name.",
            ),
        ),
        Input(
            "SageMaker project ID",
            Parameter(
                "SageMakerProjectId",
                Type="String",
                Default="",
                MaxLength=20,
                AllowedPattern=optional(PROJECT_ID),
                ConstraintDescription="must be a SageMaker project ID (letters, digits, hyphens; up to 20 characters)",
                Description="Set by SageMaker Projects; tags every resource with sagemaker:project-id.",
            ),
        ),
        Input(
            "SageMaker domain ID",
            Parameter(
                "SageMakerDomainId",
                Type="String",
                Default="",
                AllowedPattern=optional(DOMAIN_ID),
                ConstraintDescription="must be a SageMaker domain ID such as d-abcdef123456, or empty",
                Description="Tags every resource with sagemaker:domain-id.",
            ),
        ),
        Input(
            "SageMaker domain ARN",
            Parameter(
                "SageMakerDomainArn",
                Type="String",
                Default="",
                AllowedPattern=optional(DOMAIN_ARN),
                ConstraintDescription="must be a SageMaker domain ARN "
                "(arn:<partition>:sagemaker:<region>:<account>:domain/<domain-id>) or empty",
                Description="Tags every resource with sagemaker:domain-arn, which domain resource isolation "
                "requires to let the domain's users reach the endpoint.",
            ),
        ),
    ]


def _resolver_inputs(resolver_code_key: str) -> list[Input]:
    return [
        Input(
            "Code bucket",
            Parameter(
                "ResolverCodeS3Bucket",
                Type="String",
                Default="",
                AllowedPattern=optional(S3_BUCKET_NAME),
                ConstraintDescription="must be an S3 bucket name or empty",
                Description="Bucket in this Region holding the resolver zip (`make build` writes it to dist/). "
                "Required with ModelPackageGroupName.",
            ),
        ),
        Input(
            "Code key",
            Parameter(
                "ResolverCodeS3Key",
                Type="String",
                Default=resolver_code_key,
                MinLength=1,
                MaxLength=1024,
                Description="Key of the resolver zip. The default names the zip this template was rendered "
                "with, by its sha256.",
            ),
        ),
    ]
