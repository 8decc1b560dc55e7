"""The template's parameters: one per input of the module we replace, plus the resolver's code location.

Each parameter carries the constraint that rejects bad input before any resource is created, and the
groups below become the `AWS::CloudFormation::Interface` that consoles and Service Catalog show.
Optional inputs default to "" and are switched on by Conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from troposphere import Parameter, Template

from generator.cfn.parameters import optional_parameter
from generator.common.patterns import (
    BUCKET_ARN,
    DOMAIN_ARN,
    DOMAIN_ID,
    ECR_REPO_ARN,
    INSTANCE_TYPE,
    KMS_KEY_ARN,
    MODEL_PACKAGE_ARN,
    MODEL_PACKAGE_GROUP,
    POLICY_ARN,
    POSITIVE_DECIMAL,
    PROJECT_ID,
    PROJECT_NAME,
    ROLE_ARN,
    S3_BUCKET_NAME,
    S3_PREFIX,
    S3_URI,
    SAGEMAKER_NAME,
    SNS_TOPIC_ARN,
    SUBNET_ID,
    VPC_ID,
    optional,
    required,
    snake_case,
    whole_number_range,
)

REAL_TIME, SERVERLESS, ASYNC = "RealTime", "Serverless", "Async"
ENDPOINT_TYPES = (REAL_TIME, SERVERLESS, ASYNC)
SERVERLESS_MEMORY_SIZES = range(1024, 6145, 1024)  # ServerlessConfig.MemorySizeInMB: 1 GB steps
SERVERLESS_MAX_CONCURRENCY = 200
# CloudFormation Rules cannot compare numbers, so the scaling Rules list the pairs they reject; this bounds
# the list: with autoscaling on, the minimum and the initial instance count are at most 10.
SCALING_START_LIMIT = 10
# s3://<bucket>/<prefix> is a DestinationS3Uri, at most 512 characters; a bucket name has at most 63.
CAPTURE_PREFIX_MAX_LENGTH = 512 - len("s3://") - 63 - len("/")


@dataclass(frozen=True)
class Parameters:
    """Every parameter of the template, by name, for builders to `Ref`."""

    model_package_arn: Parameter
    model_package_group_name: Parameter
    endpoint_type: Parameter
    vpc_id: Parameter
    subnet_ids: Parameter
    instance_type: Parameter
    initial_instance_count: Parameter
    initial_variant_weight: Parameter
    variant_name: Parameter
    endpoint_name: Parameter
    volume_size_in_gb: Parameter
    model_data_download_timeout_in_seconds: Parameter
    container_startup_health_check_timeout_in_seconds: Parameter
    serverless_memory_size_in_mb: Parameter
    serverless_max_concurrency: Parameter
    serverless_provisioned_concurrency: Parameter
    async_output_s3_uri: Parameter
    async_failure_s3_uri: Parameter
    async_input_s3_uri: Parameter
    async_max_concurrent_invocations_per_instance: Parameter
    async_success_topic_arn: Parameter
    async_error_topic_arn: Parameter
    enable_network_isolation: Parameter
    model_execution_role_arn: Parameter
    permissions_boundary_arn: Parameter
    model_artifacts_bucket_arn: Parameter
    ecr_repo_arn: Parameter
    model_artifacts_kms_key_arn: Parameter
    data_capture_sampling_percentage: Parameter
    data_capture_prefix: Parameter
    managed_instance_scaling: Parameter
    scaling_min_instance_count: Parameter
    scaling_max_instance_count: Parameter
    scaling_target_invocations_per_instance: Parameter
    scaling_target_backlog_per_instance: Parameter
    scaling_scale_in_cooldown_seconds: Parameter
    scaling_scale_out_cooldown_seconds: Parameter
    deployment_strategy: Parameter
    deployment_traffic_step_percent: Parameter
    deployment_wait_interval_seconds: Parameter
    deployment_bake_seconds: Parameter
    deployment_timeout_seconds: Parameter
    rollback_max_invocation5xx_errors: Parameter
    rollback_max_model_latency_microseconds: Parameter
    sagemaker_project_name: Parameter
    sagemaker_project_id: Parameter
    sagemaker_domain_id: Parameter
    sagemaker_domain_arn: Parameter
    resolver_code_s3_bucket: Parameter
    resolver_code_s3_key: Parameter
    package_resolution_token: Parameter
    deploy_on_approval: Parameter
    deployment_role_arn: Parameter
    alarm_topic_arn: Parameter


@dataclass(frozen=True)
class Input:
    """A parameter with the label the console shows for it."""

    label: str
    parameter: Parameter


def add_parameters(template: Template, resolver_code_key: str) -> Parameters:
    """Add every parameter and the Interface that groups and labels them."""
    groups = {
        "Model package (set exactly one)": _model_package_inputs(),
        "Endpoint type": _endpoint_type_inputs(),
        "Network (RealTime and Async)": _network_inputs(),
        "Endpoint": _endpoint_inputs(),
        "Serverless (EndpointType Serverless)": _serverless_inputs(),
        "Asynchronous inference (EndpointType Async)": _async_inputs(),
        "Model permissions": _model_permission_inputs(),
        "Data capture": _data_capture_inputs(),
        "Autoscaling (Application Auto Scaling)": _scaling_inputs(),
        "Safe updates: blue/green with automatic rollback": _deployment_inputs(),
        "SageMaker project and domain (tags)": _project_inputs(),
        "Package resolver code (model package group only)": _resolver_inputs(resolver_code_key),
        "Deploy on approval (model package group only)": _approval_inputs(),
        "Operations": _operations_inputs(),
    }
    inputs = [entry for entries in groups.values() for entry in entries]
    for entry in inputs:
        template.add_parameter(entry.parameter)
    template.set_metadata(_interface(groups))
    by_field = {snake_case(entry.parameter.title): entry.parameter for entry in inputs}
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


def _optional(label: str, title: str, pattern: str, must_be: str, description: str, **props: Any) -> Input:
    return Input(label, optional_parameter(title, pattern, must_be, description, **props))


def _model_package_inputs() -> list[Input]:
    return [
        _optional(
            "Model package ARN",
            "ModelPackageArn",
            MODEL_PACKAGE_ARN,
            "a SageMaker model package ARN "
            "(arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>)",
            "Deploy this model package version. Leave empty to use ModelPackageGroupName.",
        ),
        _optional(
            "Model package group name or ARN",
            "ModelPackageGroupName",
            MODEL_PACKAGE_GROUP,
            "a model package group name (letters, digits, hyphens; up to 63 characters) or a group ARN "
            "(arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>)",
            "Deploy the latest Approved package of this group, resolved at deploy time: a group of this account by "
            "name, or a central registry's group by ARN (same Region). Leave empty to use ModelPackageArn.",
            MaxLength=170,
        ),
    ]


def _endpoint_type_inputs() -> list[Input]:
    return [
        Input(
            "Endpoint type",
            Parameter(
                "EndpointType",
                Type="String",
                Default=REAL_TIME,
                AllowedValues=list(ENDPOINT_TYPES),
                Description="RealTime: instances in your VPC. Serverless: no instances, no VPC (ServerlessConfig). "
                "Async: instances in your VPC taking queued requests, output to S3, able to scale to zero. "
                "Changing it makes a new endpoint (docs/endpoint-types.md).",
            ),
        ),
    ]


def _network_inputs() -> list[Input]:
    """Strings rather than AWS::EC2 types, which cannot be empty: a serverless endpoint has no VPC."""
    return [
        _optional(
            "VPC",
            "VpcId",
            VPC_ID,
            "a VPC ID such as vpc-0123456789abcdef0",
            "VPC of the endpoint's instances. Required for RealTime and Async; empty for Serverless.",
        ),
        Input(
            "Subnets",
            Parameter(
                "SubnetIds",
                Type="CommaDelimitedList",
                Default="",
                AllowedPattern=optional(SUBNET_ID),
                ConstraintDescription="must be subnet IDs such as subnet-0123456789abcdef0, comma-separated",
                Description="Private subnets of VpcId for the endpoint's network interfaces (two or more "
                "Availability Zones for resilience; at most 16). Required for RealTime and Async; empty for "
                "Serverless.",
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
        _number(
            "Initial instance count",
            "InitialInstanceCount",
            "Instances behind the endpoint at creation; CANARY and LINEAR updates need 2 or more.",
            default=1,
            maximum=9999,
        ),
        Input(
            "Initial variant weight",
            Parameter(
                "InitialVariantWeight",
                Type="String",
                Default="1.0",
                AllowedPattern=required(POSITIVE_DECIMAL),
                ConstraintDescription="must be a number above 0, such as 1.0",
                Description="Traffic weight of the variant (a float above 0; its share is weight / sum of weights).",
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
        _optional(
            "Endpoint name",
            "EndpointName",
            SAGEMAKER_NAME,
            "an endpoint name (letters, digits, hyphens; up to 63 characters)",
            "Name of the endpoint. Empty names it endpoint-<stack UUID>. Changing it replaces the endpoint.",
            MaxLength=63,
        ),
        *_large_model_inputs(),
    ]


def _optional_count(label: str, title: str, low: int, high: int, description: str) -> Input:
    """A whole number from low to high, or empty for SageMaker's default: a String, since a Number cannot be
    empty, with the range as its pattern."""
    return _optional(
        label, title, whole_number_range(low, high), f"a whole number from {low} to {high}", description, MaxLength=4
    )


def _large_model_inputs() -> list[Input]:
    """Variant settings large models need; each empty (SageMaker's default) unless set."""
    return [
        _optional_count(
            "Storage volume (GB)",
            "VolumeSizeInGB",
            1,
            512,
            "EBS volume per instance for the model artifacts, in GB; empty: SageMaker's default. Not sent for "
            "types with local NVMe storage, which SageMaker uses instead of an EBS volume.",
        ),
        _optional_count(
            "Model download timeout (s)",
            "ModelDataDownloadTimeoutInSeconds",
            60,
            3600,
            "Seconds each instance may take to download the model artifacts; empty: SageMaker's default.",
        ),
        _optional_count(
            "Container startup timeout (s)",
            "ContainerStartupHealthCheckTimeoutInSeconds",
            60,
            3600,
            "Seconds the container may take to pass its first health check (/ping); empty: SageMaker's default.",
        ),
    ]


def _serverless_inputs() -> list[Input]:
    return [
        Input(
            "Memory (MB)",
            Parameter(
                "ServerlessMemorySizeInMB",
                Type="String",
                Default="2048",
                AllowedValues=[str(size) for size in SERVERLESS_MEMORY_SIZES],
                Description="Memory of each serverless compute, 1024 to 6144 MB in 1 GB steps.",
            ),
        ),
        _number(
            "Maximum concurrency",
            "ServerlessMaxConcurrency",
            "Most requests the endpoint serves at once (1 to 200).",
            default=20,
            maximum=SERVERLESS_MAX_CONCURRENCY,
        ),
        _optional_count(
            "Provisioned concurrency",
            "ServerlessProvisionedConcurrency",
            1,
            SERVERLESS_MAX_CONCURRENCY,
            "Requests kept warm, at most ServerlessMaxConcurrency; empty: none (on demand only). With "
            "ManagedInstanceScaling, the floor of its autoscaling.",
        ),
    ]


def _async_inputs() -> list[Input]:
    return [
        _optional(
            "Output location",
            "AsyncOutputS3Uri",
            S3_URI,
            "an S3 URI such as s3://bucket/prefix",
            "Where responses are written (no trailing slash), encrypted with the stack's key. Required for Async.",
            MaxLength=512,
        ),
        _optional(
            "Failure location",
            "AsyncFailureS3Uri",
            S3_URI,
            "an S3 URI such as s3://bucket/prefix",
            "Where failed requests' errors are written; empty: SageMaker writes none.",
            MaxLength=512,
        ),
        _optional(
            "Input location",
            "AsyncInputS3Uri",
            S3_URI,
            "an S3 URI such as s3://bucket/prefix",
            "Where callers put request payloads (no trailing slash); the execution role the stack creates may read "
            "it. Empty: payloads come from ModelArtifactsBucketArn.",
            MaxLength=512,
        ),
        _optional_count(
            "Concurrent invocations per instance",
            "AsyncMaxConcurrentInvocationsPerInstance",
            1,
            1000,
            "Requests each instance works on at once; empty: SageMaker's choice.",
        ),
        _optional(
            "Success topic",
            "AsyncSuccessTopicArn",
            SNS_TOPIC_ARN,
            "an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            "Told of each response written (a topic of the stack's Region); empty: none.",
        ),
        _optional(
            "Error topic",
            "AsyncErrorTopicArn",
            SNS_TOPIC_ARN,
            "an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            "Told of each failed request (a topic of the stack's Region); empty: none.",
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
        _optional(
            "Model execution role ARN",
            "ModelExecutionRoleArn",
            ROLE_ARN,
            "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)",
            "Existing role SageMaker assumes for the model; it must allow what the created one does, "
            "cloudwatch:DescribeAlarms on the rollback alarms included (docs/security.md). Leave empty to create "
            "a least-privilege role.",
        ),
        _optional(
            "Permissions boundary",
            "PermissionsBoundaryArn",
            POLICY_ARN,
            "an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)",
            "Permissions boundary of every role the stack creates; empty sets none.",
        ),
        _optional(
            "Model artifacts bucket ARN",
            "ModelArtifactsBucketArn",
            BUCKET_ARN,
            "an S3 bucket ARN (arn:<partition>:s3:::<bucket>)",
            "Bucket of the package's model artifacts (its ModelDataUrl); it also receives captured data. Required "
            "when the stack creates the execution role, which may read only this bucket.",
        ),
        _optional(
            "ECR repository ARN",
            "EcrRepoArn",
            ECR_REPO_ARN,
            "an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)",
            "Repository of a custom inference image. Leave empty for SageMaker's images.",
        ),
        _optional(
            "Model artifacts KMS key ARN",
            "ModelArtifactsKmsKeyArn",
            KMS_KEY_ARN,
            "a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)",
            "Key encrypting the model artifacts, possibly a registry account's: the execution role the stack "
            "creates may decrypt with it. Leave empty when the artifacts use S3-managed keys.",
        ),
    ]


def _data_capture_inputs() -> list[Input]:
    return [
        _number(
            "Sampling percentage",
            "DataCaptureSamplingPercentage",
            "Percentage of requests whose input and output are captured; 0 turns capture off. Needs "
            "ModelArtifactsBucketArn; RealTime only.",
            default=0,
            minimum=0,
            maximum=100,
        ),
        _optional(
            "S3 prefix",
            "DataCapturePrefix",
            S3_PREFIX,
            "an S3 key prefix without leading, trailing or double slashes",
            "Key prefix of captured data in the artifacts bucket; empty writes at the bucket's root.",
            MaxLength=CAPTURE_PREFIX_MAX_LENGTH,
        ),
    ]


def _number(label: str, title: str, description: str, *, default: int, maximum: int, minimum: int = 1) -> Input:
    """A whole number from minimum to maximum, as a String with the range as its pattern: a Number would also take
    "00" or "1.5", which the Rules, comparing text, would not recognise as 0 or 1, and which SageMaker's integer
    properties refuse."""
    return Input(
        label,
        Parameter(
            title,
            Type="String",
            Default=str(default),
            AllowedPattern=required(whole_number_range(minimum, maximum)),
            MaxLength=len(str(maximum)),
            ConstraintDescription=f"must be a whole number from {minimum} to {maximum}",
            Description=description,
        ),
    )


def _scaling_inputs() -> list[Input]:
    return [
        Input(
            "Autoscaling",
            Parameter(
                "ManagedInstanceScaling",
                Type="String",
                Default="false",
                AllowedValues=["true", "false"],
                Description="Scale the variant's instance count on invocations per instance "
                "(Application Auto Scaling). Not for burstable ml.t* types.",
            ),
        ),
        _number(
            "Minimum instances",
            "ScalingMinInstanceCount",
            "Fewest instances when autoscaling; 0 (Async only) scales to zero while nothing is queued. "
            "InitialInstanceCount must lie between minimum and maximum.",
            default=1,
            minimum=0,
            maximum=SCALING_START_LIMIT,
        ),
        _number(
            "Maximum instances", "ScalingMaxInstanceCount", "Most instances when autoscaling.", default=10, maximum=100
        ),
        _number(
            "Invocations per instance",
            "ScalingTargetInvocationsPerInstance",
            "Target of SageMakerVariantInvocationsPerInstance (invocations per instance per minute); RealTime.",
            default=70,
            maximum=100000,
        ),
        _number(
            "Queued requests per instance",
            "ScalingTargetBacklogPerInstance",
            "Target of ApproximateBacklogSizePerInstance (requests queued per instance); Async.",
            default=5,
            maximum=100000,
        ),
        _number(
            "Scale-in cooldown",
            "ScalingScaleInCooldownSeconds",
            "Seconds to wait after a scale-in.",
            default=300,
            minimum=0,
            maximum=3600,
        ),
        _number(
            "Scale-out cooldown",
            "ScalingScaleOutCooldownSeconds",
            "Seconds to wait after a scale-out.",
            default=60,
            minimum=0,
            maximum=3600,
        ),
    ]


def _deployment_inputs() -> list[Input]:
    return [
        Input(
            "Traffic shifting",
            Parameter(
                "DeploymentStrategy",
                Type="String",
                Default="ALL_AT_ONCE",
                AllowedValues=["ALL_AT_ONCE", "CANARY", "LINEAR"],
                Description="How an update shifts traffic to the new fleet: all at once, a canary first, "
                "or in linear steps.",
            ),
        ),
        _number(
            "Canary or step size (%)",
            "DeploymentTrafficStepPercent",
            "Percent of the instances in the canary (CANARY: at most 50) or in each step (LINEAR: 10 to 50).",
            default=10,
            maximum=100,
        ),
        _number(
            "Wait between steps",
            "DeploymentWaitIntervalSeconds",
            "Seconds between traffic shifts, watching the rollback alarms.",
            default=300,
            minimum=0,
            maximum=3600,
        ),
        _number(
            "Bake time",
            "DeploymentBakeSeconds",
            "Seconds the old fleet is kept after all traffic moved, while the alarms can still roll back.",
            default=600,
            minimum=0,
            maximum=3600,
        ),
        _number(
            "Deployment timeout",
            "DeploymentTimeoutSeconds",
            "Longest an update may take, in seconds: more than the waits (LINEAR: one per step) plus the bake time "
            "plus the new fleet's start.",
            default=7200,
            minimum=600,
            maximum=28800,
        ),
        _number(
            "Rollback: 5XX errors per minute",
            "RollbackMaxInvocation5xxErrors",
            "Invocation5XXErrors per minute that, in 2 of 3 minutes, roll an update back.",
            default=5,
            maximum=1000000,
        ),
        _number(
            "Rollback: p99 model latency (microseconds)",
            "RollbackMaxModelLatencyMicroseconds",
            "p99 ModelLatency, in microseconds, that in 2 of 3 minutes rolls an update back.",
            default=1000000,
            maximum=600000000,
        ),
    ]


def _project_inputs() -> list[Input]:
    return [
        _optional(
            "SageMaker project name",
            "SageMakerProjectName",
            PROJECT_NAME,
            "a SageMaker project name (letters, digits, hyphens; up to 32 characters)",
            "Set by SageMaker Projects; tags every resource with sagemaker:project-name.",
            MaxLength=32,
        ),
        _optional(
            "SageMaker project ID",
            "SageMakerProjectId",
            PROJECT_ID,
            "a SageMaker project ID (letters, digits, hyphens; up to 20 characters)",
            "Set by SageMaker Projects; tags every resource with sagemaker:project-id.",
            MaxLength=20,
        ),
        _optional(
            "SageMaker domain ID",
            "SageMakerDomainId",
            DOMAIN_ID,
            "a SageMaker domain ID such as d-abcdef123456",
            "Tags every resource with sagemaker:domain-id.",
            MaxLength=63,
        ),
        _optional(
            "SageMaker domain ARN",
            "SageMakerDomainArn",
            DOMAIN_ARN,
            "a SageMaker domain ARN (arn:<partition>:sagemaker:<region>:<account>:domain/<domain-id>)",
            "Tags every resource with sagemaker:domain-arn, which domain resource isolation requires to let the "
            "domain's users reach the endpoint.",
            MaxLength=256,
        ),
    ]


def _approval_inputs() -> list[Input]:
    return [
        Input(
            "Deploy on approval",
            Parameter(
                "DeployOnApproval",
                Type="String",
                Default="false",
                AllowedValues=["true", "false"],
                Description="Update the stack by itself when a version of the group is approved, or the served one "
                "rejected. Needs ModelPackageGroupName and DeploymentRoleArn.",
            ),
        ),
        _optional(
            "Deployment role ARN",
            "DeploymentRoleArn",
            ROLE_ARN,
            "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)",
            "Role CloudFormation uses for those updates: deployer-role.yaml's DeployerRoleArn.",
        ),
    ]


def _operations_inputs() -> list[Input]:
    return [
        _optional(
            "Alarm topic ARN",
            "AlarmTopicArn",
            SNS_TOPIC_ARN,
            "a standard SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
            "Every alarm of the stack sends its ALARM and OK transitions here, and the approval updater what needs "
            "a person: a topic of the stack's Region, whose policy admits them (docs/operations.md). Empty: the "
            "alarms notify nobody.",
        ),
    ]


def _resolver_inputs(resolver_code_key: str) -> list[Input]:
    return [
        _optional(
            "Code bucket",
            "ResolverCodeS3Bucket",
            S3_BUCKET_NAME,
            "an S3 bucket name",
            "Bucket in this Region holding the resolver zip (`make build` writes it to dist/). "
            "Required with ModelPackageGroupName.",
        ),
        Input(
            "Resolution token",
            Parameter(
                "PackageResolutionToken",
                Type="String",
                Default="",
                MaxLength=128,
                Description="Any new value makes the stack resolve the group's latest Approved package again "
                "(a pipeline passes a build id or a timestamp). Unchanged package: nothing is replaced.",
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
