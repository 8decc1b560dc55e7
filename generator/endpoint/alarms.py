"""Alarms that reach a person. Every alarm of the stack sends its ALARM and OK transitions to AlarmTopicArn when it
is given (`notify`); without it the alarms are as they were, without actions. Besides the rollback alarms and the
dead-letter alarm, this module adds the alarms on the Lambda functions' errors and on the instances' disk.

A function's errors are its `[ERROR]` log lines, counted by a metric filter on its log group: the resolver answers
CloudFormation FAILED without failing its invocation (crhelper logs the error and sends the answer), so Lambda's own
`Errors` metric would miss every failed resolution; a crash or a timeout logs `[ERROR]` too.
"""

from __future__ import annotations

from troposphere import If, NoValue, Ref, Sub
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.logs import LogGroup, MetricFilter, MetricTransformation

from generator.cfn.inputs import Input, pattern
from generator.common.patterns import SNS_TOPIC_ARN
from generator.endpoint.context import HostingStack, Stack
from generator.endpoint.variant import VARIANT_NAME

ENDPOINT_METRICS_NAMESPACE = "/aws/sagemaker/Endpoints"  # instance metrics (CPU, memory, disk) the model's role writes

ALARM_TOPIC = Input(
    "AlarmTopicArn",
    "Alarm topic ARN",
    "Every alarm of the stack sends its ALARM and OK transitions here, and the approval updater what needs a person: "
    "a topic of the stack's Region, whose policy admits them (docs/operations.md). Empty: the alarms notify nobody.",
    pattern(SNS_TOPIC_ARN, "a standard SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)"),
)
ERROR_NAMESPACE = "SageMakerEndpoint"
ERROR_LOG_PATTERN = '"[ERROR]"'  # the Lambda Python runtime's prefix for logger.error lines and unhandled errors
DISK_PERCENT_THRESHOLD = 85  # models and their caches live on this disk; past this a redeploy may not fit
DISK_PERIOD_SECONDS, DISK_PERIODS = 300, 3  # 15 minutes: a download's peak alone does not alarm


def notify(stack: Stack) -> dict[str, object]:
    """The actions every alarm of the stack takes: ALARM and OK to the topic, or none without one."""
    topic = If(stack.conditions.alarm_topic, [ALARM_TOPIC.ref()], NoValue)
    return {"AlarmActions": topic, "OKActions": topic}


def error_metric_name(title: str) -> Sub:
    """Per stack, so two stacks' functions never share a metric."""
    return Sub(f"${{AWS::StackName}}-{title}Errors")


def add_function_error_alarm(stack: Stack, title: str, purpose: str, log_group: LogGroup, condition: str) -> Alarm:
    """Count the function's `[ERROR]` lines; one in five minutes is an alarm."""
    stack.template.add_resource(
        MetricFilter(
            f"{title}ErrorsFilter",
            Condition=condition,
            LogGroupName=Ref(log_group),
            FilterPattern=ERROR_LOG_PATTERN,
            MetricTransformations=[
                MetricTransformation(
                    MetricNamespace=ERROR_NAMESPACE, MetricName=error_metric_name(title), MetricValue="1"
                )
            ],
        )
    )
    return stack.template.add_resource(
        Alarm(
            f"{title}ErrorsAlarm",
            Condition=condition,
            AlarmDescription=Sub(
                f"{purpose} of stack ${{AWS::StackName}} logged an error: read its log group "
                f"${{LogGroup}} (docs/operations.md)",
                LogGroup=Ref(log_group),
            ),
            Namespace=ERROR_NAMESPACE,
            MetricName=error_metric_name(title),
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            Tags=stack.tags,
            **notify(stack),
        )
    )


def add_disk_alarm(stack: HostingStack) -> Alarm:
    """The instances' disk, as SageMaker reports it per variant."""
    return stack.template.add_resource(
        Alarm(
            "DiskUtilizationAlarm",
            Condition=stack.conditions.in_vpc,  # instances only: a serverless endpoint has no disk to watch
            AlarmDescription=Sub(
                f"Disk of the endpoint's instances (stack ${{AWS::StackName}}) above {DISK_PERCENT_THRESHOLD} % for "
                f"{DISK_PERIOD_SECONDS * DISK_PERIODS // 60} minutes: raise VolumeSizeInGB or use a larger instance"
            ),
            Namespace=ENDPOINT_METRICS_NAMESPACE,
            MetricName="DiskUtilization",
            Dimensions=variant_dimensions(stack),
            Statistic="Maximum",
            Period=DISK_PERIOD_SECONDS,
            EvaluationPeriods=DISK_PERIODS,
            DatapointsToAlarm=DISK_PERIODS,
            Threshold=DISK_PERCENT_THRESHOLD,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            Tags=stack.tags,
            **notify(stack),
        )
    )


def variant_dimensions(stack: HostingStack) -> list[MetricDimension]:
    return [
        MetricDimension(Name="EndpointName", Value=stack.endpoint_name),
        MetricDimension(Name="VariantName", Value=VARIANT_NAME.ref()),
    ]
