"""The stack's Lambda functions (the package resolver, the approval updater): one zip, one runtime and size, each
with its own log group (encrypted with the stack's key, gone with the stack), an alarm on the errors it logs, and
its own least-privilege role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from awacs import kms, logs
from awacs.aws import ArnEquals, Condition, Principal, Statement
from troposphere import GetAtt, Join, Ref, Sub
from troposphere.awslambda import Code, Environment, Function, LoggingConfig
from troposphere.kms import Key
from troposphere.logs import LogGroup

from generator.cfn.conditions import stack_uuid
from generator.cfn.iam import allow, arn, policy_document, service_host
from generator.cfn.inputs import Input, free_text, pattern
from generator.common.names import Service
from generator.common.patterns import S3_BUCKET_NAME
from generator.endpoint.alarms import add_function_error_alarm
from generator.endpoint.context import Stack, add_service_role

RUNTIME = "python3.13"
TIMEOUT_SECONDS = 60
MEMORY_MB = 128
LOG_RETENTION_DAYS = 365
LOG_GROUP_PREFIX = "/sagemaker-endpoint/"  # + the stack name; a deployer role is scoped to it
LAMBDA_LOG_GROUP_PREFIX = "/aws/lambda/"  # + the function name: where Lambda logs by default
# What CloudWatch Logs does with the key of a log group it encrypts (CloudWatch Logs User Guide, "Encrypt log data
# in CloudWatch Logs using AWS KMS": the key policy statement and its encryption-context condition).
# Where the functions' code is: the zip `make build` writes (its key names it by hash, given at render time).
CODE_BUCKET = Input(
    "ResolverCodeS3Bucket",
    "Code bucket",
    "Bucket in this Region holding the resolver zip (`make build` writes it to dist/). Required with "
    "ModelPackageGroupName.",
    pattern(S3_BUCKET_NAME, "an S3 bucket name"),
)
CODE_KEY = Input(
    "ResolverCodeS3Key",
    "Code key",
    "Key of the resolver zip. The default names the zip this template was rendered with, by its sha256.",
    free_text(min_length=1, max_length=1024),
    default="package-resolver-<sha256>.zip",  # the template's: the zip's own name (generator.endpoint.inputs)
)

LOGS_KEY_ACTIONS = [kms.Decrypt, kms.DescribeKey, kms.Encrypt, kms.GenerateDataKey, kms.ReEncryptFrom, kms.ReEncryptTo]


@dataclass(frozen=True)
class StackFunction:
    """What differs between the stack's functions; `title` prefixes the logical ids of all three resources."""

    title: str
    purpose: str
    name_prefix: str  # + the stack's UUID
    log_name: str  # under /sagemaker-endpoint/<stack>/
    description: str
    handler: str
    checkov_skips: dict[str, str]
    environment: dict[str, object] = field(default_factory=dict)
    # True: the log group is the one Lambda itself names, /aws/lambda/<function name>, which a role the stack does
    # not create (a SageMaker Projects Lambda role, granted logs on /aws/lambda/*) may write.
    lambda_log_group: bool = False


def log_group_name(log_name: str) -> Sub:
    """Derived from the stack name, so the key policy can name it before the log group exists."""
    return Sub(f"{LOG_GROUP_PREFIX}${{AWS::StackName}}/{log_name}")


def function_name(spec: StackFunction) -> Join:
    """`<prefix><stack UUID>`: unique in the account and known before the function exists."""
    return Join("", [spec.name_prefix, stack_uuid()])


def log_group_name_of(spec: StackFunction) -> Join | Sub:
    if spec.lambda_log_group:
        return Join("", [LAMBDA_LOG_GROUP_PREFIX, spec.name_prefix, stack_uuid()])
    return log_group_name(spec.log_name)


def log_group_key_statement(spec: StackFunction, sid: str) -> Statement:
    """The key-policy statement letting CloudWatch Logs encrypt this function's log group, and no other."""
    return allow(
        sid,
        LOGS_KEY_ACTIONS,
        ["*"],  # in a key policy, the key the policy is attached to
        principal=Principal("Service", service_host("logs")),
        condition=Condition(
            ArnEquals(
                "kms:EncryptionContext:aws:logs:arn",
                arn("logs", "log-group:${Name}", Name=log_group_name_of(spec)),
            )
        ),
    )


def add_stack_function(
    stack: Stack,
    spec: StackFunction,
    *,
    condition: str,
    key: Key,
    statements: Sequence[object],
    given_role: object | None = None,
) -> Function:
    """The log group with its error alarm, the role (`statements` plus writing its own logs) and the function.
    `given_role`: the ARN of an existing role the function runs with instead; no role is created (it must allow
    `statements` and writing the log group itself)."""
    log_group = stack.template.add_resource(
        LogGroup(
            f"{spec.title}LogGroup",
            Condition=condition,
            LogGroupName=log_group_name_of(spec),
            RetentionInDays=LOG_RETENTION_DAYS,
            KmsKeyId=GetAtt(key, "Arn"),
            Tags=stack.tags,
            DeletionPolicy="Delete",  # operational logs of this stack: they go with it
            UpdateReplacePolicy="Delete",
        )
    )
    role_arn = given_role if given_role is not None else _function_role(stack, spec, condition, log_group, statements)
    add_function_error_alarm(stack, spec.title, spec.purpose, log_group, condition)
    optional = {"Environment": Environment(Variables=spec.environment)} if spec.environment else {}
    return stack.template.add_resource(
        Function(
            f"{spec.title}Function",
            Condition=condition,
            FunctionName=function_name(spec),
            Description=Sub(spec.description),
            Runtime=RUNTIME,
            Architectures=["arm64"],
            Handler=spec.handler,
            Code=Code(S3Bucket=CODE_BUCKET.ref(), S3Key=CODE_KEY.ref()),
            Role=role_arn,
            MemorySize=MEMORY_MB,
            Timeout=TIMEOUT_SECONDS,
            LoggingConfig=LoggingConfig(LogGroup=Ref(log_group)),
            Tags=stack.tags,
            Metadata={
                "checkov": {"skip": [{"id": check, "comment": why} for check, why in spec.checkov_skips.items()]}
            },
            **optional,
        )
    )


def _function_role(
    stack: Stack, spec: StackFunction, condition: str, log_group: LogGroup, statements: Sequence[object]
) -> GetAtt:
    """The function's own role: `statements`, and writing its log group."""
    role = add_service_role(
        stack,
        f"{spec.title}Role",
        condition=condition,
        purpose=spec.purpose,
        service=Service.LAMBDA,
        policy=policy_document(
            *statements,
            # The log group's Arn attribute ends in ":*", which covers its log streams.
            allow("WriteOwnLogs", [logs.CreateLogStream, logs.PutLogEvents], [GetAtt(log_group, "Arn")]),
        ),
    )
    return GetAtt(role, "Arn")
