"""The package resolver, only in model package group mode: log group, role, Lambda and custom resource.

At deploy time the custom resource asks our Lambda for the group's latest Approved package; its
`ModelPackageArn` attribute feeds the Model. The Lambda answers within its 60 s timeout (crhelper sends
FAILED just before it), and `ServiceTimeout` bounds how long CloudFormation waits if it never answers.
"""

from __future__ import annotations

from awacs import logs, sagemaker
from troposphere import AWSObject, GetAtt, If, Join, PropsDictType, Ref, Sub
from troposphere.awslambda import Code, Function, LoggingConfig
from troposphere.kms import Key
from troposphere.logs import LogGroup

from generator.iam import add_service_role, allow, arn, policy_document
from generator.package import LAMBDA_HANDLER
from generator.stack import Stack, stack_uuid

LAMBDA_SERVICE = "lambda.amazonaws.com"  # a service principal name, the same in every partition
RUNTIME = "python3.13"
TIMEOUT_SECONDS = 60
SERVICE_TIMEOUT_SECONDS = 300
MEMORY_MB = 128
LOG_RETENTION_DAYS = 365
# Name prefixes a deployer role can be scoped to (deployer_policy.py).
LOG_GROUP_PREFIX = "/sagemaker-endpoint/"
FUNCTION_NAME_PREFIX = "sagemaker-endpoint-resolver-"  # + the stack's UUID: 64 characters, Lambda's maximum
RESOLVED_ARN_ATTRIBUTE = "ModelPackageArn"
# Scanner checks that do not fit a custom-resource function, each with the reason a reviewer reads.
CHECKOV_SKIPS = {
    "CKV_AWS_115": "Runs once per deploy; reserved concurrency would take from the account's unreserved pool "
    "and fails in accounts at the minimum.",
    "CKV_AWS_116": "CloudFormation gets every outcome as the custom resource's answer (crhelper sends FAILED "
    "even before a timeout); a DLQ would hold events nobody replays.",
    "CKV_AWS_117": "Calls only the SageMaker API; in the endpoint's private subnets it would need a NAT gateway "
    "or a SageMaker API VPC endpoint that the endpoint itself does not need.",
}


def resolver_log_group_name() -> Sub:
    """Derived from the stack name, so the key policy can name it before the log group exists."""
    return Sub(f"{LOG_GROUP_PREFIX}${{AWS::StackName}}/package-resolver")


def add_package_resolver(stack: Stack, key: Key) -> If:
    """Add the resolver; return the model package ARN the Model uses, resolved or given."""
    params, group_mode = stack.params, stack.conditions.use_package_group
    log_group = stack.template.add_resource(
        LogGroup(
            "PackageResolverLogGroup",
            Condition=group_mode,
            LogGroupName=resolver_log_group_name(),
            RetentionInDays=LOG_RETENTION_DAYS,
            KmsKeyId=GetAtt(key, "Arn"),
            Tags=stack.tags,
            DeletionPolicy="Delete",  # operational logs of deploys: they go with the stack
            UpdateReplacePolicy="Delete",
        )
    )
    role = add_service_role(
        stack,
        "PackageResolverRole",
        condition=group_mode,
        purpose="Package resolver",
        service=LAMBDA_SERVICE,
        policy=_resolver_policy(stack, log_group),
    )
    function = stack.template.add_resource(
        Function(
            "PackageResolverFunction",
            Condition=group_mode,
            FunctionName=Join("", [FUNCTION_NAME_PREFIX, stack_uuid()]),
            Description=Sub("Finds the latest Approved package of a model package group (stack ${AWS::StackName})"),
            Runtime=RUNTIME,
            Architectures=["arm64"],
            Handler=LAMBDA_HANDLER,
            Code=Code(S3Bucket=Ref(params.resolver_code_s3_bucket), S3Key=Ref(params.resolver_code_s3_key)),
            Role=GetAtt(role, "Arn"),
            MemorySize=MEMORY_MB,
            Timeout=TIMEOUT_SECONDS,
            LoggingConfig=LoggingConfig(LogGroup=Ref(log_group)),
            Tags=stack.tags,
            Metadata={"checkov": {"skip": [{"id": check, "comment": why} for check, why in CHECKOV_SKIPS.items()]}},
        )
    )
    resolved = stack.template.add_resource(
        LatestApprovedModelPackage(
            "LatestApprovedModelPackage",
            Condition=group_mode,
            ServiceToken=GetAtt(function, "Arn"),
            ServiceTimeout=SERVICE_TIMEOUT_SECONDS,
            ModelPackageGroupName=Ref(params.model_package_group_name),
            ResolutionToken=Ref(params.package_resolution_token),
        )
    )
    return If(stack.conditions.use_package_arn, Ref(params.model_package_arn), GetAtt(resolved, RESOLVED_ARN_ATTRIBUTE))


class LatestApprovedModelPackage(AWSObject):
    """The custom resource, typed so its properties are checked like any other resource's."""

    resource_type = "Custom::LatestApprovedModelPackage"
    props: PropsDictType = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (int, False),
        "ModelPackageGroupName": (str, True),
        # Not read by the Lambda: a new value is a property change, so CloudFormation sends an Update.
        "ResolutionToken": (str, False),
    }


def _resolver_policy(stack: Stack, log_group: LogGroup) -> dict[str, object]:
    group = Ref(stack.params.model_package_group_name)
    return policy_document(
        allow(
            "ReadConfiguredModelPackageGroup",
            [sagemaker.ListModelPackages, sagemaker.DescribeModelPackageGroup],
            [
                arn("sagemaker", "model-package-group/${Group}", Group=group),
                arn("sagemaker", "model-package/${Group}/*", Group=group),
            ],
        ),
        # The log group's Arn attribute ends in ":*", which covers its log streams.
        allow("WriteOwnLogs", [logs.CreateLogStream, logs.PutLogEvents], [GetAtt(log_group, "Arn")]),
    )
