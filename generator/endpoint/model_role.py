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
from troposphere import GetAtt, If, Not, Ref, Sub
from troposphere.ec2 import SecurityGroup

from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, arn, only_if, policy_document
from generator.common.names import Service
from generator.endpoint import asynchronous
from generator.endpoint.alarms import ENDPOINT_METRICS_NAMESPACE
from generator.endpoint.context import EndpointStack, add_condition, add_output, add_service_role
from generator.endpoint.data_capture import DataCaptureLocation
from generator.endpoint.rollback import ROLLBACK_ALARMS, rollback_alarm_name

ENDPOINT_LOG_GROUP = "log-group:/aws/sagemaker/Endpoints/${Name}"  # SageMaker names it after the endpoint


def add_model_role(stack: EndpointStack, security_group: SecurityGroup, capture: DataCaptureLocation) -> If:
    """Add the role when needed; return the ARN of the role the model runs with, created or given."""
    params = stack.params
    create_role = add_condition(stack, "CreateModelExecutionRole", is_empty(params.model_execution_role_arn))
    role = add_service_role(
        stack,
        "ModelExecutionRole",
        condition=create_role,
        purpose="SageMaker model execution role",
        service=Service.SAGEMAKER,
        policy=policy_document(
            *_artifact_statements(stack, capture),
            *_artifact_key_statements(stack),
            *(only_if(stack.conditions.in_vpc, s) for s in _network_statements(stack, security_group)),
            *asynchronous.role_statements(stack),
        ),
    )
    role_arn = If(create_role, GetAtt(role, "Arn"), Ref(params.model_execution_role_arn))
    add_output(stack, "ModelExecutionRoleArn", role_arn, "Role SageMaker assumes to run the model")
    return role_arn


def _artifact_statements(stack: EndpointStack, capture: DataCaptureLocation) -> list[object]:
    params = stack.params
    has_bucket = add_condition(stack, "HasModelArtifactsBucket", Not(is_empty(params.model_artifacts_bucket_arn)))
    has_repo = add_condition(stack, "HasEcrRepo", Not(is_empty(params.ecr_repo_arn)))
    bucket_arn = Ref(params.model_artifacts_bucket_arn)
    return [
        only_if(has_bucket, allow("ListModelArtifactsBucket", [s3.ListBucket], [bucket_arn])),
        only_if(
            has_bucket,
            allow("ReadModelArtifacts", [s3.GetObject], [Sub(f"${{{params.model_artifacts_bucket_arn.title}}}/*")]),
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
                [Ref(params.ecr_repo_arn)],
            ),
        ),
        # GetAuthorizationToken is account-wide: it has no resource to scope to.
        only_if(has_repo, allow("GetEcrAuthorizationToken", [ecr.GetAuthorizationToken], ["*"])),
        allow(
            "WriteEndpointLogs",
            [logs.CreateLogGroup, logs.CreateLogStream, logs.DescribeLogStreams, logs.PutLogEvents],
            [
                arn("logs", ENDPOINT_LOG_GROUP, Name=stack.endpoint_name),
                # DescribeLogStreams is authorized on the group, whose ARN IAM evaluates ends in ":*"
                arn("logs", f"{ENDPOINT_LOG_GROUP}:*", Name=stack.endpoint_name),
                arn("logs", f"{ENDPOINT_LOG_GROUP}:log-stream:*", Name=stack.endpoint_name),
            ],
        ),
        # SageMaker reads the auto-rollback alarms with the execution role during a deployment ("Ensure that your IAM
        # execution role has permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms
        # you specify": SageMaker guide, Auto-Rollback Configuration and Monitoring). Exactly those two alarms.
        allow(
            "DescribeRollbackAlarms",
            [cloudwatch.DescribeAlarms],
            [arn("cloudwatch", "alarm:${Name}", Name=rollback_alarm_name(title)) for title in ROLLBACK_ALARMS],
        ),
        # PutMetricData has no resource type; the namespace condition is what limits it.
        allow(
            "PublishEndpointMetrics",
            [cloudwatch.PutMetricData],
            ["*"],
            condition=Condition(StringEquals("cloudwatch:namespace", ENDPOINT_METRICS_NAMESPACE)),
        ),
    ]


def _artifact_key_statements(stack: EndpointStack) -> list[object]:
    """The artifacts' key: S3 decrypts SSE-KMS objects with the reader's own kms:Decrypt (S3 User Guide, "Using
    server-side encryption with AWS KMS keys"); SageMaker creates grants on it for the instances it launches, as
    AWS's cross-account model governance guidance grants the workload execution roles (kms:CreateGrant for an AWS
    resource only)."""
    key = Ref(stack.params.model_artifacts_kms_key_arn)
    has_key = add_condition(stack, "HasModelArtifactsKey", Not(is_empty(stack.params.model_artifacts_kms_key_arn)))
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


def _network_statements(stack: EndpointStack, security_group: SecurityGroup) -> list[Statement]:
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
            condition=Condition(ArnEquals("ec2:Vpc", arn("ec2", "vpc/${VpcId}", VpcId=Ref(stack.params.vpc_id)))),
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
