"""The model execution role SageMaker assumes, created only when ModelExecutionRoleArn is empty.

Least privilege: read only the artifacts bucket, write only under the data-capture prefix, pull only
from EcrRepoArn, attach network interfaces only with our security group, write only the endpoint's own logs.
Our key's policy names the role (encryption.py), so the role needs no IAM permission for it. The one key it is
granted in IAM is ModelArtifactsKmsKeyArn, the key of artifacts that may live in a registry account, whose key
policy must name the role (or its account) as well: a key of another account needs both.
"""

from __future__ import annotations

from awacs import cloudwatch, ec2, ecr, kms, logs, s3
from awacs.aws import ArnEquals, Bool, Condition, Statement, StringEquals
from troposphere import GetAtt, If, Not, Sub
from troposphere.ec2 import SecurityGroup

from custom_resource.contract import Outputs
from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, arn, only_if, policy_document
from generator.cfn.inputs import Input, pattern
from generator.common.names import Service
from generator.common.patterns import ROLE_ARN
from generator.endpoint import artifacts, asynchronous
from generator.endpoint.alarms import ENDPOINT_METRICS_NAMESPACE
from generator.endpoint.context import EndpointStack, Stack, add_condition, add_output, add_service_role
from generator.endpoint.data_capture import DataCaptureLocation
from generator.endpoint.network import VPC
from generator.endpoint.rollback import ROLLBACK_ALARMS, rollback_alarm_name

EXECUTION_ROLE = Input(
    "ModelExecutionRoleArn",
    "Model execution role ARN",
    "Existing role SageMaker assumes for the model; it must allow what the created one does, "
    "cloudwatch:DescribeAlarms on the rollback alarms included (docs/security.md). Leave empty to create "
    "a least-privilege role.",
    pattern(ROLE_ARN, "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"),
    seed_name="model-execution-role-arn",
)


def _add_role_rule(stack: EndpointStack) -> None:
    """SageMaker downloads the package's model data (its ModelDataUrl) with the execution role; the role the stack
    creates reads only ModelArtifactsBucketArn (SageMaker guide, CreateModel API execution role permissions)."""
    stack.template.add_rule(
        "CreatedRoleReadsTheArtifacts",
        {
            "RuleCondition": is_empty(EXECUTION_ROLE),
            "Assertions": [
                {
                    "Assert": Not(is_empty(artifacts.BUCKET)),
                    "AssertDescription": "The execution role the stack creates may read only ModelArtifactsBucketArn, "
                    "and SageMaker downloads the model artifacts with it: set ModelArtifactsBucketArn to the bucket of "
                    "the package's ModelDataUrl, or give ModelExecutionRoleArn.",
                }
            ],
        },
    )


ENDPOINT_LOG_GROUP = "log-group:/aws/sagemaker/Endpoints/${Name}"  # SageMaker names it after the endpoint


def add_model_role(stack: EndpointStack, security_group: SecurityGroup, capture: DataCaptureLocation) -> If:
    """Add the role when needed; return the ARN of the role the model runs with, created or given."""
    _add_role_rule(stack)
    create_role = add_condition(stack, "CreateModelExecutionRole", is_empty(EXECUTION_ROLE))
    role = add_service_role(
        stack,
        "ModelExecutionRole",
        condition=create_role,
        purpose="SageMaker model execution role",
        service=Service.SAGEMAKER,
        policy=policy_document(
            *_artifact_statements(stack, capture),
            *artifact_key_statements(stack),
            *(only_if(stack.conditions.in_vpc, s) for s in network_statements(security_group)),
            *asynchronous.role_statements(stack),
        ),
    )
    role_arn = If(create_role, GetAtt(role, "Arn"), EXECUTION_ROLE.ref())
    add_output(stack, Outputs.MODEL_EXECUTION_ROLE_ARN, role_arn, "Role SageMaker assumes to run the model")
    return role_arn


def _artifact_statements(stack: EndpointStack, capture: DataCaptureLocation) -> list[object]:
    has_bucket = add_condition(stack, "HasModelArtifactsBucket", Not(is_empty(artifacts.BUCKET)))
    has_repo = add_condition(stack, "HasEcrRepo", Not(is_empty(artifacts.ECR_REPO)))
    bucket_arn = artifacts.BUCKET.ref()
    return [
        only_if(has_bucket, allow("ListModelArtifactsBucket", [s3.ListBucket], [bucket_arn])),
        only_if(
            has_bucket,
            allow("ReadModelArtifacts", [s3.GetObject], [Sub(f"${{{artifacts.BUCKET.name}}}/*")]),
        ),
        only_if(
            stack.conditions.data_capture_enabled,
            allow("WriteCapturedData", [s3.PutObject], [capture.objects_arn]),
        ),
        only_if(
            has_repo,
            allow(
                "PullInferenceImage",
                [ecr.BatchCheckLayerAvailability, ecr.BatchGetImage, ecr.GetDownloadUrlForLayer],
                [artifacts.ECR_REPO.ref()],
            ),
        ),
        # GetAuthorizationToken is account-wide: it has no resource to scope to.
        only_if(has_repo, allow("GetEcrAuthorizationToken", [ecr.GetAuthorizationToken], ["*"])),
        write_endpoint_logs(stack.endpoint_name),
        # SageMaker reads the auto-rollback alarms with the execution role during a deployment ("Ensure that your IAM
        # execution role has permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms
        # you specify": SageMaker guide, Auto-Rollback Configuration and Monitoring). Exactly those two alarms.
        allow(
            "DescribeRollbackAlarms",
            [cloudwatch.DescribeAlarms],
            [arn("cloudwatch", "alarm:${Name}", Name=rollback_alarm_name(title)) for title in ROLLBACK_ALARMS],
        ),
        publish_endpoint_metrics(),
    ]


def write_endpoint_logs(endpoint_name: object) -> Statement:
    """The endpoint's own log group, which SageMaker names after it, and its streams."""
    return allow(
        "WriteEndpointLogs",
        [logs.CreateLogGroup, logs.CreateLogStream, logs.DescribeLogStreams, logs.PutLogEvents],
        [
            arn("logs", ENDPOINT_LOG_GROUP, Name=endpoint_name),
            # DescribeLogStreams is authorized on the group, whose ARN IAM evaluates ends in ":*"
            arn("logs", f"{ENDPOINT_LOG_GROUP}:*", Name=endpoint_name),
            arn("logs", f"{ENDPOINT_LOG_GROUP}:log-stream:*", Name=endpoint_name),
        ],
    )


def publish_endpoint_metrics() -> Statement:
    """The instances' metrics (CPU, memory, disk), in their namespace only."""
    # PutMetricData has no resource type; the namespace condition is what limits it.
    return allow(
        "PublishEndpointMetrics",
        [cloudwatch.PutMetricData],
        ["*"],
        condition=Condition(StringEquals("cloudwatch:namespace", ENDPOINT_METRICS_NAMESPACE)),
    )


def artifact_key_statements(stack: Stack) -> list[object]:
    """The artifacts' key: S3 decrypts SSE-KMS objects with the reader's own kms:Decrypt (S3 User Guide, "Using
    server-side encryption with AWS KMS keys"); SageMaker creates grants on it for the instances it launches, as
    AWS's cross-account model governance guidance grants the workload execution roles (kms:CreateGrant for an AWS
    resource only)."""
    key = artifacts.KMS_KEY.ref()
    has_key = add_condition(stack, "HasModelArtifactsKey", Not(is_empty(artifacts.KMS_KEY)))
    return [
        only_if(has_key, allow("DecryptModelArtifacts", [kms.Decrypt, kms.DescribeKey], [key])),
        only_if(
            has_key,
            allow(
                "GrantModelArtifactsKeyToSageMaker",
                [kms.CreateGrant],
                [key],
                condition=Condition(Bool("kms:GrantIsForAWSResource", "true")),
            ),
        ),
    ]


def network_statements(security_group: SecurityGroup) -> list[Statement]:
    """Network interfaces in the endpoint's subnets. Only our security group may be attached, and it lives
    in VpcId, so an interface can only be created in VpcId (a security group and a subnet must share a VPC)."""
    return [
        allow(
            "CreateEndpointNetworkInterfaces",
            [ec2.CreateNetworkInterface],
            [
                arn("ec2", "network-interface/*"),
                arn("ec2", "subnet/*"),
                arn("ec2", "security-group/${GroupId}", GroupId=GetAtt(security_group, "GroupId")),
            ],
        ),
        allow(
            "ManageEndpointNetworkInterfaces",
            [ec2.CreateNetworkInterfacePermission, ec2.DeleteNetworkInterface, ec2.DeleteNetworkInterfacePermission],
            [arn("ec2", "network-interface/*")],
            condition=Condition(ArnEquals("ec2:Vpc", arn("ec2", "vpc/${VpcId}", VpcId=VPC.ref()))),
        ),
        # EC2 Describe* actions cannot be scoped to resources.
        allow(
            "DescribeEndpointNetwork",
            [
                ec2.DescribeDhcpOptions,
                ec2.DescribeNetworkInterfaces,
                ec2.DescribeSecurityGroups,
                ec2.DescribeSubnets,
                ec2.DescribeVpcs,
            ],
            ["*"],
        ),
    ]
