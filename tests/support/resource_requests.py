"""Each resource of a template as the API requests CloudFormation makes to create it, one translation per resource
type, and every problem botocore's shapes find in those requests (`check`).

A translation takes each property once (`Properties`): one it does not take is reported, so a property added to a
template cannot slip by unchecked, and a nested member the API does not know is reported by the validator as an
unknown parameter. Each translation names the CloudFormation resource reference and the API reference it follows;
that CloudFormation's handler calls those APIs is checked against the handler permissions of the resource's
registry schema (cfn-lint ships them). Property values are as `tests.support.deploy_time` evaluates them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.support.deploy_time import DeployTimeEvaluator, UnresolvableReference, generated_name
from tests.support.request_shapes import Request, max_length, request

CFN = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference"


class Properties:
    """A resource's evaluated properties, each taken once by its translation; what is left was not translated."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)
        self._taken: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def take(self, name: str, default: Any = None) -> Any:
        self._taken.add(name)
        return self._values.get(name, default)

    def same(self, *names: str) -> dict[str, Any]:
        """The properties present that the API names alike."""
        return {name: self.take(name) for name in names if name in self._values}

    def renamed(self, names: Mapping[str, str]) -> dict[str, Any]:
        """The properties present, under the API's names for them."""
        return {api: self.take(cfn) for cfn, api in names.items() if cfn in self._values}

    def left(self) -> list[str]:
        return sorted(set(self._values) - self._taken)


def tag_list(props: Properties) -> list[dict[str, str]] | None:
    """Tags as most APIs take them. An empty list sends none: every taggable resource also gets CloudFormation's
    `aws:cloudformation:*` tags, so no handler sends an empty set (those tags are not sent here: AWS says they do
    not count toward a resource's tags, and that their propagation varies by resource type)."""
    return list(props.take("Tags", [])) or None


def tag_map(props: Properties) -> dict[str, str] | None:
    """Tags as SQS, Lambda, CloudWatch Logs and Application Auto Scaling take them: a map of key to value."""
    return {tag["Key"]: tag["Value"] for tag in props.take("Tags", [])} or None


@dataclass(frozen=True)
class Resource:
    """The resource being translated: its logical id, and the evaluator that makes its own stand-ins."""

    logical_id: str
    evaluator: DeployTimeEvaluator

    def own(self, attribute: str) -> str:
        """Its own name as other resources see it: the one given, else the one CloudFormation generates."""
        return self.evaluator.stand_in(self.logical_id, attribute)

    def generated(self, limit: int) -> str:
        return generated_name(self.evaluator.pseudo["AWS::StackName"], self.logical_id, limit)


Translate = Callable[[Properties, Resource], list[Request]]


@dataclass(frozen=True)
class Translation:
    translate: Translate
    iam_prefix: str
    operations: tuple[str, ...]


TRANSLATIONS: dict[str, Translation] = {}


def translates(resource_type: str, iam_prefix: str, *operations: str) -> Callable[[Translate], Translate]:
    """Registers a translation; `iam_prefix:operation` must be among the permissions of the type's handlers."""

    def register(translate: Translate) -> Translate:
        TRANSLATIONS[resource_type] = Translation(translate, iam_prefix, operations)
        return translate

    return register


# --- SageMaker -------------------------------------------------------------------------------------------------------


@translates("AWS::SageMaker::Model", "sagemaker", "CreateModel")
def sagemaker_model(props: Properties, resource: Resource) -> list[Request]:
    """CreateModel; property names are the API's.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-model.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html
    """
    return [
        request(
            "sagemaker",
            "CreateModel",
            ModelName=props.take("ModelName") or resource.own("ModelName"),
            **props.same("PrimaryContainer", "Containers", "InferenceExecutionConfig", "ExecutionRoleArn"),
            **props.same("VpcConfig", "EnableNetworkIsolation"),
            Tags=tag_list(props),
        )
    ]


@translates("AWS::SageMaker::EndpointConfig", "sagemaker", "CreateEndpointConfig")
def sagemaker_endpoint_config(props: Properties, resource: Resource) -> list[Request]:
    """CreateEndpointConfig; property names are the API's.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpointconfig.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html
    """
    return [
        request(
            "sagemaker",
            "CreateEndpointConfig",
            EndpointConfigName=props.take("EndpointConfigName") or resource.own("EndpointConfigName"),
            **props.same("ProductionVariants", "DataCaptureConfig", "KmsKeyId", "AsyncInferenceConfig"),
            **props.same("ExplainerConfig", "ShadowProductionVariants", "ExecutionRoleArn", "VpcConfig"),
            **props.same("EnableNetworkIsolation", "MetricsConfig"),
            Tags=tag_list(props),
        )
    ]


@translates("AWS::SageMaker::Endpoint", "sagemaker", "CreateEndpoint", "UpdateEndpoint")
def sagemaker_endpoint(props: Properties, resource: Resource) -> list[Request]:
    """CreateEndpoint, and UpdateEndpoint (on a new EndpointConfigName), which alone takes the Retain* and
    Exclude* properties (they say how to update); both take the DeploymentConfig.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpoint.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpoint.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateEndpoint.html
    """
    name = props.take("EndpointName") or resource.own("EndpointName")
    config_name = props.take("EndpointConfigName")
    deployment = props.same("DeploymentConfig")
    create = request(
        "sagemaker",
        "CreateEndpoint",
        EndpointName=name,
        EndpointConfigName=config_name,
        **deployment,
        Tags=tag_list(props),
    )
    update = request(
        "sagemaker",
        "UpdateEndpoint",
        EndpointName=name,
        EndpointConfigName=config_name,
        **deployment,
        **props.same("RetainAllVariantProperties", "ExcludeRetainedVariantProperties", "RetainDeploymentConfig"),
    )
    return [create, update]


@translates("AWS::SageMaker::InferenceComponent", "sagemaker", "CreateInferenceComponent", "UpdateInferenceComponent")
def sagemaker_inference_component(props: Properties, resource: Resource) -> list[Request]:
    """CreateInferenceComponent, and UpdateInferenceComponent, which alone takes the DeploymentConfig (how to update);
    property names are the API's.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-inferencecomponent.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceComponent.html
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateInferenceComponent.html
    """
    name = props.take("InferenceComponentName") or resource.own("InferenceComponentName")
    what = props.same("Specification", "Specifications", "RuntimeConfig")
    create = request(
        "sagemaker",
        "CreateInferenceComponent",
        InferenceComponentName=name,
        **props.same("EndpointName", "VariantName"),
        **what,
        Tags=tag_list(props),
    )
    update = request("sagemaker", "UpdateInferenceComponent", InferenceComponentName=name, **what,
                     **props.same("DeploymentConfig"))  # fmt: skip
    return [create, update]


# --- SQS -------------------------------------------------------------------------------------------------------------

# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html: these properties are
# the queue's attributes, by the same names (botocore's QueueAttributeName enum checks each name).
QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def attribute_text(value: Any) -> str:
    """An SQS attribute value: the API takes every attribute as a string, a policy as its JSON text."""
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


@translates("AWS::SQS::Queue", "sqs", "CreateQueue")
def sqs_queue(props: Properties, resource: Resource) -> list[Request]:
    """CreateQueue: the properties go in the `Attributes` map of strings, the tags in `tags`.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
    """
    attributes = {name: attribute_text(props.take(name)) for name in QUEUE_ATTRIBUTES if name in props}
    name = props.take("QueueName") or resource.own("QueueName")
    return [request("sqs", "CreateQueue", QueueName=name, Attributes=attributes or None, tags=tag_map(props))]


@translates("AWS::SQS::QueuePolicy", "sqs", "SetQueueAttributes")
def sqs_queue_policy(props: Properties, resource: Resource) -> list[Request]:  # noqa: ARG001
    """SetQueueAttributes: the document, as JSON text, is each queue's `Policy` attribute.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queuepolicy.html
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
    """
    policy = attribute_text(props.take("PolicyDocument"))
    return [
        request("sqs", "SetQueueAttributes", QueueUrl=url, Attributes={"Policy": policy})
        for url in props.take("Queues", [])
    ]


# --- EventBridge -----------------------------------------------------------------------------------------------------


@translates("AWS::Events::Rule", "events", "PutRule", "PutTargets")
def events_rule(props: Properties, resource: Resource) -> list[Request]:
    """PutRule and PutTargets. The event pattern is sent as JSON text, measured with the spaces of Python's
    default separators (AWS does not say how CloudFormation serializes it: the longer).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-rule.html
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
    """
    name = props.take("Name") or resource.generated(max_length("events", "PutRule", "Name"))
    bus = props.take("EventBusName")
    pattern = props.take("EventPattern")
    rule = request(
        "events",
        "PutRule",
        Name=name,
        EventBusName=bus,
        EventPattern=json.dumps(pattern) if isinstance(pattern, dict) else pattern,
        **props.same("ScheduleExpression", "State", "Description", "RoleArn"),
        Tags=tag_list(props),
    )
    targets = props.take("Targets")
    return [rule, request("events", "PutTargets", Rule=name, EventBusName=bus, Targets=targets)] if targets else [rule]


@translates("AWS::Events::EventBusPolicy", "events", "PutPermission")
def events_bus_policy(props: Properties, resource: Resource) -> list[Request]:  # noqa: ARG001
    """PutPermission. A `Statement` goes in the request's `Policy` ("You can include a Policy parameter in the
    request instead of using the StatementId, Action, Principal, or Condition parameters.") with the StatementId as
    its Sid; AWS does not say how the handler splits them, so the StatementId is also sent as the API's own
    `StatementId` member, whose shape says what a statement id may be (the safe side).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-eventbuspolicy.html
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html
    """
    statement_id = props.take("StatementId")
    statement = props.take("Statement")
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": statement_id, **statement}]} if statement else None
    return [
        request(
            "events",
            "PutPermission",
            EventBusName=props.take("EventBusName", "default"),
            StatementId=statement_id,
            Policy=json.dumps(policy) if policy else None,
            **props.same("Action", "Principal", "Condition"),
        )
    ]


# --- Application Auto Scaling ----------------------------------------------------------------------------------------


@translates("AWS::ApplicationAutoScaling::ScalableTarget", "application-autoscaling", "RegisterScalableTarget")
def scalable_target(props: Properties, resource: Resource) -> list[Request]:  # noqa: ARG001
    """RegisterScalableTarget. (ScheduledActions would be PutScheduledAction requests: not translated, so a
    template that sets them is reported.)

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
    """
    return [
        request(
            "application-autoscaling",
            "RegisterScalableTarget",
            **props.same("ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity"),
            **props.same("RoleARN", "SuspendedState"),
            Tags=tag_map(props),
        )
    ]


@translates("AWS::ApplicationAutoScaling::ScalingPolicy", "application-autoscaling", "PutScalingPolicy")
def scaling_policy(props: Properties, resource: Resource) -> list[Request]:  # noqa: ARG001
    """PutScalingPolicy. `ScalingTargetId` stands for the target's resource id, dimension and namespace: "You
    must specify either the ScalingTargetId property, or the ResourceId, ScalableDimension, and ServiceNamespace
    properties, but not both." (cfn-lint's schema of the type).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalingpolicy.html
    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html
    """
    target = props.take("ScalingTargetId")
    if target is not None:
        resource_id, dimension, namespace = str(target).split("|")
        identity = {"ResourceId": resource_id, "ScalableDimension": dimension, "ServiceNamespace": namespace}
    else:
        identity = props.same("ResourceId", "ScalableDimension", "ServiceNamespace")
    return [
        request(
            "application-autoscaling",
            "PutScalingPolicy",
            **identity,
            **props.same("PolicyName", "PolicyType"),
            **props.same("StepScalingPolicyConfiguration", "TargetTrackingScalingPolicyConfiguration"),
            **props.same("PredictiveScalingPolicyConfiguration"),
        )
    ]


# --- CloudWatch ------------------------------------------------------------------------------------------------------

ALARM_MEMBERS = (
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
)


@translates("AWS::CloudWatch::Alarm", "cloudwatch", "PutMetricAlarm")
def cloudwatch_alarm(props: Properties, resource: Resource) -> list[Request]:
    """PutMetricAlarm; property names are the API's.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    name = props.take("AlarmName") or resource.own("Ref")
    return [request("cloudwatch", "PutMetricAlarm", AlarmName=name, **props.same(*ALARM_MEMBERS), Tags=tag_list(props))]


@translates("AWS::CloudWatch::Dashboard", "cloudwatch", "PutDashboard")
def cloudwatch_dashboard(props: Properties, resource: Resource) -> list[Request]:
    """PutDashboard; the body is JSON text (a ProseRule parses it).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html
    """
    name = props.take("DashboardName") or resource.generated(255)  # the API's documented maximum (a ProseRule)
    return [
        request(
            "cloudwatch",
            "PutDashboard",
            DashboardName=name,
            DashboardBody=props.take("DashboardBody"),
            Tags=tag_list(props),
        )
    ]


# --- Lambda ----------------------------------------------------------------------------------------------------------

FUNCTION_MEMBERS = (
    "Role",
    "Runtime",
    "Handler",
    "Code",
    "Description",
    "Timeout",
    "MemorySize",
    "VpcConfig",
    "PackageType",
    "DeadLetterConfig",
    "Environment",
    "TracingConfig",
    "Layers",
    "FileSystemConfigs",
    "CodeSigningConfigArn",
    "ImageConfig",
    "Architectures",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
)


@translates("AWS::Lambda::Function", "lambda", "CreateFunction")
def lambda_function(props: Properties, resource: Resource) -> list[Request]:
    """CreateFunction; names are the API's but `KmsKeyArn` (`KMSKeyArn`), tags are a map. (Reserved
    concurrency, recursion and runtime management are other requests: not translated, so reported if set.)

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html
    https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    """
    return [
        request(
            "lambda",
            "CreateFunction",
            FunctionName=props.take("FunctionName") or resource.own("Ref"),
            **props.same(*FUNCTION_MEMBERS),
            **props.renamed({"KmsKeyArn": "KMSKeyArn"}),
            Tags=tag_map(props),
        )
    ]


EVENT_SOURCE_MAPPING_MEMBERS = (
    "EventSourceArn",
    "FunctionName",
    "Enabled",
    "BatchSize",
    "FilterCriteria",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "StartingPosition",
    "StartingPositionTimestamp",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "FunctionResponseTypes",
    "ScalingConfig",
    "MetricsConfig",
)


@translates("AWS::Lambda::EventSourceMapping", "lambda", "CreateEventSourceMapping")
def lambda_event_source_mapping(props: Properties, resource: Resource) -> list[Request]:  # noqa: ARG001
    """CreateEventSourceMapping; names are the API's but `KmsKeyArn` (`KMSKeyArn`), tags are a map.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
    https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
    """
    return [
        request(
            "lambda",
            "CreateEventSourceMapping",
            **props.same(*EVENT_SOURCE_MAPPING_MEMBERS),
            **props.renamed({"KmsKeyArn": "KMSKeyArn"}),
            Tags=tag_map(props),
        )
    ]


# --- CloudWatch Logs -------------------------------------------------------------------------------------------------


@translates("AWS::Logs::LogGroup", "logs", "CreateLogGroup", "PutRetentionPolicy")
def log_group(props: Properties, resource: Resource) -> list[Request]:
    """CreateLogGroup, and PutRetentionPolicy for `RetentionInDays`, in the API's lower-camel names.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
    """
    name = props.take("LogGroupName") or resource.own("Ref")
    members = {
        "KmsKeyId": "kmsKeyId",
        "LogGroupClass": "logGroupClass",
        "DeletionProtectionEnabled": "deletionProtectionEnabled",
    }
    sent = [request("logs", "CreateLogGroup", logGroupName=name, **props.renamed(members), tags=tag_map(props))]
    retention = props.take("RetentionInDays")
    if retention is not None:
        sent.append(request("logs", "PutRetentionPolicy", logGroupName=name, retentionInDays=retention))
    return sent


METRIC_TRANSFORMATION_MEMBERS = {
    "MetricName": "metricName",
    "MetricNamespace": "metricNamespace",
    "MetricValue": "metricValue",
    "DefaultValue": "defaultValue",
    "Unit": "unit",
}


def metric_transformation(transformation: Mapping[str, Any]) -> dict[str, Any]:
    """A MetricTransformation in the API's names; its dimensions, a list of Key and Value, become a map. A member
    not listed keeps its CloudFormation name, which the validator reports as unknown."""
    sent = {METRIC_TRANSFORMATION_MEMBERS.get(key, key): value for key, value in transformation.items()}
    if "Dimensions" in sent:
        sent["dimensions"] = {d["Key"]: d["Value"] for d in sent.pop("Dimensions")}
    return sent


@translates("AWS::Logs::MetricFilter", "logs", "PutMetricFilter")
def metric_filter(props: Properties, resource: Resource) -> list[Request]:
    """PutMetricFilter, in the API's lower-camel names.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-metricfilter.html
    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
    """
    name = props.take("FilterName") or resource.generated(max_length("logs", "PutMetricFilter", "filterName"))
    return [
        request(
            "logs",
            "PutMetricFilter",
            logGroupName=props.take("LogGroupName"),
            filterName=name,
            filterPattern=props.take("FilterPattern"),
            metricTransformations=[metric_transformation(t) for t in props.take("MetricTransformations", [])],
            **props.renamed({"ApplyOnTransformedLogs": "applyOnTransformedLogs"}),
        )
    ]


# --- checking a template ---------------------------------------------------------------------------------------------


@dataclass
class Checked:
    """One resource: the requests it makes and every problem found in them."""

    resource_type: str
    requests: list[Request] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check(evaluator: DeployTimeEvaluator, logical_id: str) -> Checked:
    """The requests of one resource and every problem in them, or why it could not be translated."""
    resource_type = evaluator.created()[logical_id]
    checked = Checked(resource_type)
    try:
        props = Properties(evaluator.properties(logical_id))
        checked.requests = TRANSLATIONS[resource_type].translate(props, Resource(logical_id, evaluator))
    except UnresolvableReference as error:
        checked.problems.append(str(error))
        return checked
    checked.problems += [
        f"{name}: not translated for {resource_type}: add it to its translation" for name in props.left()
    ]
    checked.problems += [problem for sent in checked.requests for problem in sent.problems()]
    return checked


def translated_resources(evaluator: DeployTimeEvaluator) -> Iterator[str]:
    """The logical id of each resource these values create whose type has a translation."""
    return (name for name, resource_type in evaluator.created().items() if resource_type in TRANSLATIONS)
