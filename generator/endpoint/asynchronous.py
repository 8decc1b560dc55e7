"""Asynchronous inference (EndpointType Async): requests queue, responses land in S3, instances may scale to zero.

The EndpointConfig's AsyncInferenceConfig writes responses to AsyncOutputS3Uri (and errors to AsyncFailureS3Uri)
encrypted with the stack's key, whose policy already lets the execution role encrypt (encryption.py). The role
the stack creates may write exactly those prefixes, read request payloads from AsyncInputS3Uri, and publish to
exactly the two topics (SageMaker API reference: AsyncInferenceOutputConfig, AsyncInferenceNotificationConfig;
Developer Guide, "Asynchronous inference": the execution role writes the output and publishes the notifications).
"""

from __future__ import annotations

from awacs import s3, sns
from troposphere import And, Condition, GetAtt, If, Not, NoValue, Parameter, Ref, Select, Split, Sub
from troposphere.kms import Key
from troposphere.sagemaker import (
    AsyncInferenceClientConfig,
    AsyncInferenceConfig,
    AsyncInferenceNotificationConfig,
    AsyncInferenceOutputConfig,
)

from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, only_if
from generator.endpoint.context import EndpointStack, add_condition, add_output

URI_SCHEME = "s3://"


def async_inference_config(stack: EndpointStack, key: Key) -> If:
    """The EndpointConfig's AsyncInferenceConfig for Async; nothing for the other types."""
    params = stack.params
    notifications = AsyncInferenceNotificationConfig(
        SuccessTopic=_when_set(stack, params.async_success_topic_arn, "HasAsyncSuccessTopic"),
        ErrorTopic=_when_set(stack, params.async_error_topic_arn, "HasAsyncErrorTopic"),
    )
    has_topic = add_condition(
        stack,
        "HasAsyncNotification",
        Not(And(is_empty(params.async_success_topic_arn), is_empty(params.async_error_topic_arn))),
    )
    config = AsyncInferenceConfig(
        OutputConfig=AsyncInferenceOutputConfig(
            S3OutputPath=Ref(params.async_output_s3_uri),
            S3FailurePath=_when_set(stack, params.async_failure_s3_uri, "HasAsyncFailurePath"),
            KmsKeyId=GetAtt(key, "Arn"),
            NotificationConfig=If(has_topic, notifications, NoValue),
        ),
        ClientConfig=If(
            add_condition(
                stack, "HasAsyncConcurrency", Not(is_empty(params.async_max_concurrent_invocations_per_instance))
            ),
            AsyncInferenceClientConfig(
                MaxConcurrentInvocationsPerInstance=Ref(params.async_max_concurrent_invocations_per_instance)
            ),
            NoValue,
        ),
    )
    add_output(
        stack,
        "AsyncOutputS3Uri",
        Ref(params.async_output_s3_uri),
        "Where the endpoint writes responses",
        condition=stack.conditions.asynchronous,
    )
    return If(writes_output(stack), config, NoValue)


def writes_output(stack: EndpointStack) -> str:
    """Async with its output location (as the Rules require): where responses go, so where the config applies."""
    name = "WritesAsyncOutput"
    if name not in stack.template.conditions:
        both = And(Condition(stack.conditions.asynchronous), Not(is_empty(stack.params.async_output_s3_uri)))
        add_condition(stack, name, both)
    return name


def role_statements(stack: EndpointStack) -> list[object]:
    """What the execution role the stack creates may do for asynchronous requests, each only where it applies."""
    params = stack.params
    is_async = Condition(stack.conditions.asynchronous)

    def when(name: str, parameter: Parameter) -> str:
        return add_condition(stack, name, And(is_async, Not(is_empty(parameter))))

    return [
        only_if(
            writes_output(stack),
            # responses of up to 1 GB go up in parts: the guide's async prerequisites list AbortMultipartUpload too
            allow(
                "WriteAsyncResponses",
                [s3.PutObject, s3.AbortMultipartUpload],
                [objects_under(params.async_output_s3_uri)],
            ),
        ),
        only_if(
            when("WritesAsyncFailures", params.async_failure_s3_uri),
            allow(
                "WriteAsyncFailures",
                [s3.PutObject, s3.AbortMultipartUpload],
                [objects_under(params.async_failure_s3_uri)],
            ),
        ),
        only_if(
            when("ReadsAsyncInput", params.async_input_s3_uri),
            allow("ReadAsyncRequests", [s3.GetObject], [objects_under(params.async_input_s3_uri)]),
        ),
        only_if(
            when("NotifiesAsyncSuccess", params.async_success_topic_arn),
            allow("NotifyAsyncSuccess", [sns.Publish], [Ref(params.async_success_topic_arn)]),
        ),
        only_if(
            when("NotifiesAsyncError", params.async_error_topic_arn),
            allow("NotifyAsyncError", [sns.Publish], [Ref(params.async_error_topic_arn)]),
        ),
    ]


def objects_under(uri: Parameter) -> Sub:
    """`s3://bucket/prefix` -> `arn:<partition>:s3:::bucket/prefix/*`. The scheme is appended before the split, so
    the field selected exists for every value, empty included (an out-of-range Fn::Select fails a deploy)."""
    path = Select(1, Split(URI_SCHEME, Sub(f"${{{uri.title}}}{URI_SCHEME}")))
    return Sub("arn:${AWS::Partition}:s3:::${Path}/*", Path=path)


def _when_set(stack: EndpointStack, parameter: Parameter, condition: str) -> If:
    return If(add_condition(stack, condition, Not(is_empty(parameter))), Ref(parameter), NoValue)
