"""Asynchronous inference (EndpointType Async): requests queue, responses land in S3, instances may scale to zero.

The EndpointConfig's AsyncInferenceConfig writes responses to AsyncOutputS3Uri (and errors to AsyncFailureS3Uri)
encrypted with the stack's key, whose policy already lets the execution role encrypt (encryption.py). The role
the stack creates may write exactly those prefixes, read request payloads from AsyncInputS3Uri, and publish to
exactly the two topics (SageMaker API reference: AsyncInferenceOutputConfig, AsyncInferenceNotificationConfig;
Developer Guide, "Asynchronous inference": the execution role writes the output and publishes the notifications).
"""

from __future__ import annotations

from awacs import kms, s3, sns
from awacs.aws import Condition as AwacsCondition
from awacs.aws import Statement, StringEquals
from troposphere import And, Condition, Equals, GetAtt, If, Not, NoValue, Select, Split, Sub
from troposphere.kms import Key
from troposphere.sagemaker import (
    AsyncInferenceClientConfig,
    AsyncInferenceConfig,
    AsyncInferenceNotificationConfig,
    AsyncInferenceOutputConfig,
)

from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, only_if
from generator.cfn.inputs import Constraint, Contains, Input, pattern, whole_number
from generator.common.patterns import S3_URI, SNS_TOPIC_ARN
from generator.endpoint.context import EndpointStack, add_condition, add_output
from generator.endpoint.types import ASYNC, ENDPOINT_TYPE
from generator.endpoint.variant import INSTANCE_TYPE

URI_SCHEME = "s3://"
# Inferentia 1: no asynchronous inference (nor deployment guardrails, the rollback module).
INF1_INSTANCE_TYPES = [f"ml.inf1.{size}" for size in ("xlarge", "2xlarge", "6xlarge", "24xlarge")]
S3_URI_MUST_BE = "an S3 URI such as s3://bucket/prefix"
TOPIC_MUST_BE = "an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)"


def _async(name: str, label: str, description: str, constraint: Constraint) -> Input:
    return Input(name, label, description, constraint, endpoint_types=(ASYNC,))


OUTPUT = _async(
    "AsyncOutputS3Uri",
    "Output location",
    "Where responses are written (no trailing slash), encrypted with the stack's key. Required for Async.",
    pattern(S3_URI, S3_URI_MUST_BE, max_length=512),
)
FAILURE = _async(
    "AsyncFailureS3Uri",
    "Failure location",
    "Where failed requests' errors are written; empty: SageMaker writes none.",
    pattern(S3_URI, S3_URI_MUST_BE, max_length=512),
)
INPUT = _async(
    "AsyncInputS3Uri",
    "Input location",
    "Where callers put request payloads (no trailing slash); the execution role the stack creates may read it. "
    "Empty: payloads come from ModelArtifactsBucketArn.",
    pattern(S3_URI, S3_URI_MUST_BE, max_length=512),
)
CONCURRENCY = _async(
    "AsyncMaxConcurrentInvocationsPerInstance",
    "Concurrent invocations per instance",
    "Requests each instance works on at once; empty: SageMaker's choice.",
    whole_number(1, 1000, optional_value=True),
)
SUCCESS_TOPIC = _async(
    "AsyncSuccessTopicArn",
    "Success topic",
    "Told of each response written (a topic of the stack's Region); empty: none.",
    pattern(SNS_TOPIC_ARN, TOPIC_MUST_BE),
)
ERROR_TOPIC = _async(
    "AsyncErrorTopicArn", "Error topic",
    "Told of each failed request (a topic of the stack's Region); empty: none.",
    pattern(SNS_TOPIC_ARN, TOPIC_MUST_BE),
)  # fmt: skip
INPUTS = (OUTPUT, FAILURE, INPUT, CONCURRENCY, SUCCESS_TOPIC, ERROR_TOPIC)


def _add_async_rules(stack: EndpointStack) -> None:
    """What Async needs (its output), and what it cannot run on: Inferentia 1 ("if your endpoint uses any of the
    features listed in this Exclusions page, you cannot use Asynchronous Inference", Inf1 among them)."""
    is_async = Equals(ENDPOINT_TYPE.ref(), ASYNC)
    stack.template.add_rule(
        "AsyncNeedsItsOutput",
        {
            "RuleCondition": is_async,
            "Assertions": [
                {
                    "Assert": Not(is_empty(OUTPUT)),
                    "AssertDescription": "EndpointType Async writes every response to S3: set AsyncOutputS3Uri "
                    "(s3://bucket/prefix).",
                }
            ],
        },
    )
    stack.template.add_rule(
        "AsyncSupportsNoneOfThese",
        {
            "RuleCondition": is_async,
            "Assertions": [
                {
                    "Assert": Not(Contains(INF1_INSTANCE_TYPES, INSTANCE_TYPE.ref())),
                    "AssertDescription": "Asynchronous inference is not available on ml.inf1 instances: choose "
                    "another InstanceType (ml.inf2 works), or EndpointType RealTime.",
                }
            ],
        },
    )


def async_inference_config(stack: EndpointStack, key: Key) -> If:
    """The EndpointConfig's AsyncInferenceConfig for Async; nothing for the other types."""
    _add_async_rules(stack)
    notifications = AsyncInferenceNotificationConfig(
        SuccessTopic=_when_set(stack, SUCCESS_TOPIC, "HasAsyncSuccessTopic"),
        ErrorTopic=_when_set(stack, ERROR_TOPIC, "HasAsyncErrorTopic"),
    )
    has_topic = add_condition(stack, "HasAsyncNotification", Not(And(is_empty(SUCCESS_TOPIC), is_empty(ERROR_TOPIC))))
    config = AsyncInferenceConfig(
        OutputConfig=AsyncInferenceOutputConfig(
            S3OutputPath=OUTPUT.ref(),
            S3FailurePath=_when_set(stack, FAILURE, "HasAsyncFailurePath"),
            KmsKeyId=GetAtt(key, "Arn"),
            NotificationConfig=If(has_topic, notifications, NoValue),
        ),
        ClientConfig=If(
            add_condition(stack, "HasAsyncConcurrency", Not(is_empty(CONCURRENCY))),
            AsyncInferenceClientConfig(MaxConcurrentInvocationsPerInstance=CONCURRENCY.ref()),
            NoValue,
        ),
    )
    add_output(
        stack,
        "AsyncOutputS3Uri",
        OUTPUT.ref(),
        "Where the endpoint writes responses",
        condition=stack.conditions.asynchronous,
    )
    return If(writes_output(stack), config, NoValue)


def writes_output(stack: EndpointStack) -> str:
    """Async with its output location (as the Rules require): where responses go, so where the config applies."""
    name = "WritesAsyncOutput"
    if name not in stack.template.conditions:
        both = And(Condition(stack.conditions.asynchronous), Not(is_empty(OUTPUT)))
        add_condition(stack, name, both)
    return name


def role_statements(stack: EndpointStack) -> list[object]:
    """What the execution role the stack creates may do for asynchronous requests, each only where it applies."""
    is_async = Condition(stack.conditions.asynchronous)

    def when(name: str, given: Input) -> str:
        return add_condition(stack, name, And(is_async, Not(is_empty(given))))

    return [
        only_if(
            writes_output(stack),
            # responses of up to 1 GB go up in parts: the guide's async prerequisites list AbortMultipartUpload too
            allow(
                "WriteAsyncResponses",
                [s3.PutObject, s3.AbortMultipartUpload],
                [objects_under(OUTPUT)],
            ),
        ),
        only_if(
            when("WritesAsyncFailures", FAILURE),
            allow(
                "WriteAsyncFailures",
                [s3.PutObject, s3.AbortMultipartUpload],
                [objects_under(FAILURE)],
            ),
        ),
        only_if(
            when("ReadsAsyncInput", INPUT),
            allow("ReadAsyncRequests", [s3.GetObject], [objects_under(INPUT)]),
        ),
        only_if(
            when("NotifiesAsyncSuccess", SUCCESS_TOPIC),
            allow("NotifyAsyncSuccess", [sns.Publish], [SUCCESS_TOPIC.ref()]),
        ),
        only_if("NotifiesAsyncSuccess", _topic_key_statement("UseAsyncSuccessTopicKey", SUCCESS_TOPIC)),
        only_if(
            when("NotifiesAsyncError", ERROR_TOPIC),
            allow("NotifyAsyncError", [sns.Publish], [ERROR_TOPIC.ref()]),
        ),
        only_if("NotifiesAsyncError", _topic_key_statement("UseAsyncErrorTopicKey", ERROR_TOPIC)),
    ]


def _topic_key_statement(sid: str, topic: Input) -> Statement:
    """An encrypted topic's publisher needs its key (SNS guide, sns-key-management: "The publisher must have the
    `kms:GenerateDataKey` and `kms:Decrypt` permissions for the AWS KMS key."). AWS is silent on the principal SageMaker
    publishes an async notification as, and the topic ARN does not name its key: the safe side is to grant the role
    both, on the keys of the topic's account and Region, used through that Region's SNS only (kms:ViaService). An
    unencrypted topic makes no KMS call, so the grant is then unused."""
    fields = Split(":", Sub(f"${{{topic.name}}}:::::"))  # five colons: every field exists, an empty topic too
    region, account = (Select(index, fields) for index in (3, 4))
    return allow(
        sid,
        [kms.GenerateDataKey, kms.Decrypt],
        [Sub("arn:${AWS::Partition}:kms:${Region}:${Account}:key/*", Region=region, Account=account)],
        condition=AwacsCondition(
            StringEquals({"kms:ViaService": Sub("sns.${Region}.${AWS::URLSuffix}", Region=region)})
        ),
    )


def objects_under(uri: Input) -> Sub:
    """`s3://bucket/prefix` -> `arn:<partition>:s3:::bucket/prefix/*`. The scheme is appended before the split, so
    the field selected exists for every value, empty included (an out-of-range Fn::Select fails a deploy)."""
    path = Select(1, Split(URI_SCHEME, Sub(f"${{{uri.name}}}{URI_SCHEME}")))
    return Sub("arn:${AWS::Partition}:s3:::${Path}/*", Path=path)


def _when_set(stack: EndpointStack, given: Input, condition: str) -> If:
    return If(add_condition(stack, condition, Not(is_empty(given))), given.ref(), NoValue)
