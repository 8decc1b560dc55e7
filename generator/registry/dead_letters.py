"""Nothing lost on the hop from the registry to the workload buses: what a forwarding rule cannot deliver lands in a
dead-letter queue of the registry account, and alarms tell a person, on the kit's optional AlarmTopicArn.

EventBridge drops an event once its retries are spent, and at once, without retries, when the target refuses it
(a workload bus whose policy does not admit the registry yet, or any more): "for errors that result from missing
permissions to a target, or if a target resource that no longer exists, no retry attempts will happen until action
is taken to resolve the underlying issue" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
The same page: "Only standard queues are supported. You can't use a FIFO queue for a DLQ in EventBridge."
"""

from __future__ import annotations

from awacs import sqs
from awacs.aws import ArnEquals, Condition, Principal
from troposphere import GetAtt, If, NoValue, Ref, Sub, Template
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.events import DeadLetterConfig, RetryPolicy
from troposphere.sqs import Queue, QueuePolicy

from generator.cfn.iam import allow, policy_document
from generator.common.names import Service

# RetryPolicy at EventBridge's maxima, which are also its defaults, written out so that a reader sees them
# (botocore events RetryPolicy: MaximumRetryAttempts "max": 185, MaximumEventAgeInSeconds "max": 86400).
MAX_RETRY_ATTEMPTS, MAX_EVENT_AGE_SECONDS = 185, 86_400
RETENTION_SECONDS = 1_209_600  # SQS's maximum, 14 days: the time a person has to redrive
EXPIRY_WARNING_SECONDS = 10 * 86_400  # four days before SQS deletes the oldest undelivered approval
LOST_METRIC = "InvocationsFailedToBeSentToDlq"  # AWS/Events: the event reached neither its target nor the queue
QUEUE_CHECKOV_SKIPS = {
    "CKV_AWS_27": "Encrypted with SQS-owned keys (SqsManagedSseEnabled): AWS does not document the KMS context of "
    "EventBridge's dead-letter sends, so a key policy could silently refuse them.",
}


def add_dead_letter_queue(template: Template, rule_arns: list[Sub]) -> Queue:
    """A standard queue, encrypted at rest (SQS-owned keys: no key policy for EventBridge to depend on), that only
    the kit's forwarding rules may send to."""
    queue = template.add_resource(
        Queue(
            "UndeliveredApprovals",
            SqsManagedSseEnabled=True,
            MessageRetentionPeriod=RETENTION_SECONDS,
            Metadata={"checkov": {"skip": [{"id": k, "comment": v} for k, v in QUEUE_CHECKOV_SKIPS.items()]}},
            DeletionPolicy="Delete",  # with the kit gone, nothing forwards approvals any more: nothing to redrive
            UpdateReplacePolicy="Delete",  # nothing replaces it: it has no create-only property set
        )
    )
    template.add_resource(
        QueuePolicy(
            "UndeliveredApprovalsPolicy",
            Queues=[Ref(queue)],
            PolicyDocument=policy_document(
                allow(
                    "ForwardingRulesOnly",
                    [sqs.SendMessage],
                    [GetAtt(queue, "Arn")],
                    principal=Principal("Service", Service.EVENTS),
                    condition=Condition(ArnEquals("aws:SourceArn", rule_arns)),
                )
            ),
        )
    )
    return queue


def dead_letter_settings(queue: Queue) -> dict[str, object]:
    """What every forwarding target carries: the queue, and the retries spelled out."""
    return {
        "DeadLetterConfig": DeadLetterConfig(Arn=GetAtt(queue, "Arn")),
        "RetryPolicy": RetryPolicy(
            MaximumRetryAttempts=MAX_RETRY_ATTEMPTS, MaximumEventAgeInSeconds=MAX_EVENT_AGE_SECONDS
        ),
    }


def add_alarms(template: Template, queue: Queue, rules: list[tuple[str, str, Sub]], topic: Ref) -> None:
    """The queue holds an approval (and one is four days from expiry); a rule lost an event outright. `rules`:
    (the rule's logical id, its Condition, its name)."""
    add_alarm = template.add_resource
    queue_name = [MetricDimension(Name="QueueName", Value=GetAtt(queue, "QueueName"))]
    add_alarm(
        _alarm(
            "UndeliveredApprovalsAlarm",
            topic,
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=queue_name,
            Statistic="Maximum",
            AlarmDescription=Sub(
                "An approval could not reach a workload account (stack ${AWS::StackName}): "
                "read the queue's ERROR_CODE and TARGET_ARN, fix, then resend it"
            ),
        )
    )
    add_alarm(
        _alarm(
            "UndeliveredApprovalsExpiringAlarm",
            topic,
            Namespace="AWS/SQS",
            MetricName="ApproximateAgeOfOldestMessage",
            Dimensions=queue_name,
            Statistic="Maximum",
            Threshold=EXPIRY_WARNING_SECONDS,
            AlarmDescription=Sub(
                "An undelivered approval (stack ${AWS::StackName}) is 10 days old: SQS deletes it at 14 days"
            ),
        )
    )
    for logical_id, condition, name in rules:
        add_alarm(_alarm(f"{logical_id}LostAlarm", topic, Condition=condition, Namespace="AWS/Events",
                         MetricName=LOST_METRIC, Dimensions=[MetricDimension(Name="RuleName", Value=name)],
                         Statistic="Sum",
                         AlarmDescription=Sub("An approval was lost: rule ${Rule} could deliver it neither to its "
                                              "target nor to the dead-letter queue", Rule=name)))  # fmt: skip


def _alarm(title: str, topic: Ref, **props: object) -> Alarm:
    """At the first data point: ALARM and OK to the topic when there is one; no data is no trouble."""
    actions = If("HasAlarmTopic", [topic], NoValue)
    defaults: dict[str, object] = {"Period": 300, "EvaluationPeriods": 1, "Threshold": 1}
    return Alarm(
        title,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=actions,
        OKActions=actions,
        **{**defaults, **props},
    )
