"""Deploy on approval (DeployOnApproval, group mode, with DeploymentRoleArn): the stack follows its model
package group by itself.

Two EventBridge rules feed one FIFO queue, in one message group: this group's Approved and Rejected state changes,
and the ends of this stack's own updates. The updater Lambda (the resolver's zip, its own handler) takes one message
at a time: an approval or rejection updates this stack with a new resolution token, through DeploymentRoleArn; an
update that completed is checked against what the endpoint serves, then the stack's retained Models and
EndpointConfigs are removed; an update that failed is told to a person (custom_resource/approval_updater.py).

Nothing is lost on any hop, and what is kept tells a person through an alarm on AlarmTopicArn: an event EventBridge
cannot deliver goes to a standard dead-letter queue (`Undelivered`), a message the updater cannot apply to the FIFO
dead-letter queue; both are alarmed on while they hold anything and before SQS's 14 days delete it; a message
nobody receives, a rule's failed invocation and a failed or timed-out updater each have an alarm too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from awacs import cloudformation, iam, kms, sagemaker, sns, sqs, tag
from awacs.aws import ArnEquals, Condition, Principal, StringEquals
from troposphere import And, AWSHelperFn, Equals, GetAtt, Join, Not, Ref, Sub
from troposphere.awslambda import EventSourceMapping, Function
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.events import DeadLetterConfig, EventBusPolicy, RetryPolicy, Rule, SqsParameters, Target
from troposphere.kms import Key
from troposphere.sqs import Queue, QueuePolicy, RedrivePolicy

from custom_resource.contract import (
    STACK_STATUS_DETAIL_TYPE,
    STACK_STATUS_SOURCE,
    STACK_TAG,
    UPDATE_FAILURES,
    UPDATE_SUCCEEDED,
    LogicalIds,
    Updater,
)
from generator.cfn.conditions import all_of, is_empty, stack_uuid
from generator.cfn.iam import account_root, allow, arn, only_if, policy_document, service_host
from generator.cfn.inputs import Input, choice, pattern
from generator.common.names import APPROVAL_DETAIL_TYPE, APPROVAL_SOURCE, FORWARD_RULE_PREFIX, Service
from generator.common.patterns import ROLE_ARN
from generator.endpoint.alarms import ALARM_TOPIC, notify
from generator.endpoint.context import PackageStack, add_condition
from generator.endpoint.lambda_functions import (
    TIMEOUT_SECONDS,
    StackFunction,
    add_stack_function,
    log_group_key_statement,
)
from generator.endpoint.model import PACKAGE_GROUP
from generator.endpoint.resolver import read_configured_group

NAME_PREFIX = "sagemaker-endpoint-"  # rules and queues: + the stack's UUID
UPDATER_NAME_PREFIX = "sagemaker-endpoint-updater-"  # + the stack's UUID: 63 characters
QUEUE, DEAD_LETTER_QUEUE = LogicalIds.APPROVAL_QUEUE, LogicalIds.APPROVAL_DEAD_LETTER_QUEUE  # the dashboard shows both
UNDELIVERED_QUEUE = "ApprovalUndeliveredQueue"  # what EventBridge could not deliver to QUEUE
# One message group for the stack's whole queue, so an approval and the end of an update are never applied at the
# same time. A fixed id: EventBridge takes at most 100 characters here, and the queue is the stack's own.
MESSAGE_GROUP = "stack"
# Lambda's developer guide: the queue's visibility timeout at least six times the function's timeout. A message that
# finds the stack busy comes back after it; this many returns outlast the longest update the parameters allow
# (DeploymentTimeoutSeconds at most 8 h, plus the bake of at most 1 h) with room to spare.
RETRY_SECONDS = 6 * TIMEOUT_SECONDS
RECEIVES_BEFORE_DEAD_LETTER = 125  # 12.5 h
RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum
EXPIRY_WARNING_SECONDS = 10 * 24 * 3600  # a dead letter 10 days old has 4 days left before SQS deletes it
STUCK_SECONDS = RETRY_SECONDS * RECEIVES_BEFORE_DEAD_LETTER + 1800  # beyond the retry window: nobody receives it
# EventBridge's own maxima (its defaults too): 24 hours and 185 attempts, then the event goes to the dead-letter queue.
MAXIMUM_RETRY_ATTEMPTS, MAXIMUM_EVENT_AGE_SECONDS = 185, 86400
CHECKOV_SKIPS: dict[str, str] = {
    "CKV_AWS_173": "Its environment holds the stack id, a role ARN, the group name and a queue URL: nothing secret.",
    "CKV_AWS_115": "Its FIFO queue already delivers one message at a time; reserved concurrency would take from the "
    "account's unreserved pool.",
    "CKV_AWS_116": "Its messages come from a queue whose own dead-letter queue keeps what fails, with an alarm.",
    "CKV_AWS_117": "Calls only the CloudFormation, SageMaker and SQS APIs; in the endpoint's private subnets it would "
    "need NAT or VPC endpoints that the endpoint itself does not need.",
}
UPDATER = StackFunction(
    title="ApprovalUpdater",
    purpose="Approval updater",
    name_prefix=UPDATER_NAME_PREFIX,
    log_name="approval-updater",
    description="Updates stack ${AWS::StackName} when its model package group changes",
    handler=Updater.HANDLER,
    checkov_skips=CHECKOV_SKIPS,
)


@dataclass(frozen=True)
class ServedChecks:
    """What the updater may read to check what the stack serves after an update, and what it may then remove of what
    the stack retained: the endpoint template's (`endpoint_checks`) or a template's own."""

    describe: tuple[object, ...]
    clean_up: tuple[object, ...]


@dataclass(frozen=True)
class Queues:
    approvals: Queue  # FIFO: what the updater applies, one at a time
    dead_letters: Queue  # FIFO: what the updater could not apply
    undelivered: Queue  # standard: what EventBridge could not deliver to `approvals`


FOLLOW = Input(
    "DeployOnApproval",
    "Deploy on approval",
    "Update the stack by itself when a version of the group is approved, or the served one rejected. Needs "
    "ModelPackageGroupName and DeploymentRoleArn.",
    choice("true", "false"),
    default="false",
)
DEPLOYMENT_ROLE = Input(
    "DeploymentRoleArn",
    "Deployment role ARN",
    "Role CloudFormation uses for those updates: deployer-role.yaml's DeployerRoleArn.",
    pattern(ROLE_ARN, "an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"),
)
INPUTS = (FOLLOW, DEPLOYMENT_ROLE)


def enabled(group_mode: AWSHelperFn) -> And:
    """When deploy on approval runs: asked for, in group mode, with a deployment role to update the stack with."""
    return And(Equals(FOLLOW.ref(), "true"), group_mode, Not(is_empty(DEPLOYMENT_ROLE)))


def _add_follow_rule(stack: PackageStack) -> None:
    stack.template.add_rule(
        "DeployOnApprovalNeedsGroupAndRole",
        {
            "RuleCondition": Equals(FOLLOW.ref(), "true"),
            "Assertions": [
                {
                    "Assert": Not(is_empty(PACKAGE_GROUP)),
                    "AssertDescription": "DeployOnApproval follows a model package group: set ModelPackageGroupName, "
                    "or set DeployOnApproval to false.",
                },
                {
                    "Assert": Not(is_empty(DEPLOYMENT_ROLE)),
                    "AssertDescription": "DeployOnApproval updates the stack through a deployer role: set "
                    "DeploymentRoleArn (deployer-role.yaml's DeployerRoleArn), or set DeployOnApproval to false.",
                },
            ],
        },
    )


def rule_name(suffix: str = "") -> Join:
    """Known before the rule exists: `sagemaker-endpoint-<UUID><suffix>`, at most 64 characters."""
    return Join("", [NAME_PREFIX, stack_uuid(), suffix])


def key_statements(stack: PackageStack) -> list[object]:
    """What the stack's key allows when deploy on approval is on: EventBridge to write the queues, SQS to read them
    for the updater and for a person, CloudWatch Logs to encrypt the updater's log group."""
    on = stack.conditions.deploy_on_approval
    in_account = {"kms:CallerAccount": Sub("${AWS::AccountId}")}
    return [
        # The form of AWS's own example (SQS Developer Guide, key management): the service principal and no
        # condition. AWS documents no condition key on the KMS request EventBridge makes through SQS for a target;
        # one that is absent would deny every delivery. The queue policies name the rules that may write.
        only_if(
            on,
            allow(
                "EventBridgeWritesApprovalQueue",
                [kms.Decrypt, kms.GenerateDataKey],
                ["*"],
                principal=Principal("Service", Service.EVENTS),
            ),
        ),
        only_if(
            on,
            allow(
                "AccountReadsApprovalQueueThroughSqs",
                [kms.Decrypt, kms.GenerateDataKey],
                ["*"],
                principal=Principal("AWS", account_root()),
                condition=Condition(StringEquals({**in_account, "kms:ViaService": service_host("sqs")})),
            ),
        ),
        only_if(on, log_group_key_statement(UPDATER, "LogsEncryptUpdaterLogGroup")),
    ]


def add_deploy_on_approval(stack: PackageStack, key: Key, checks: ServedChecks | None = None) -> None:
    """The queues, the rules feeding them, the updater reading them, and the alarms on whatever is kept or stuck.
    `checks`: how the updater verifies what is served after an update (default: the endpoint template's)."""
    _add_follow_rule(stack)
    queues = _add_queues(stack, key)
    rules = [_add_approval_rule(stack, queues), _add_stack_status_rule(stack, queues)]
    _add_queue_policies(stack, queues, rules)
    _open_bus_to_registry(stack)
    function = _add_updater(stack, key, queues, checks or endpoint_checks())
    _add_queue_alarms(stack, queues)
    _add_delivery_alarms(stack, rules, function)


def _add_queues(stack: PackageStack, key: Key) -> Queues:
    """The FIFO queue, its FIFO dead-letter queue, and the standard queue EventBridge keeps undelivered events in."""
    add = stack.template.add_resource
    dead_letters = add(_queue(stack, key, DEAD_LETTER_QUEUE, "-dlq.fifo", FifoQueue=True))
    approvals = add(
        _queue(
            stack,
            key,
            QUEUE,
            ".fifo",
            FifoQueue=True,
            # EventBridge API Reference, Target.SqsParameters: a FIFO target must have content-based deduplication.
            ContentBasedDeduplication=True,
            VisibilityTimeout=RETRY_SECONDS,
            RedrivePolicy=RedrivePolicy(
                deadLetterTargetArn=GetAtt(dead_letters, "Arn"), maxReceiveCount=RECEIVES_BEFORE_DEAD_LETTER
            ),
        )
    )
    # EventBridge's dead-letter queues are standard queues (EventBridge User Guide, "Using dead-letter queues").
    undelivered = add(_queue(stack, key, UNDELIVERED_QUEUE, "-undelivered"))
    return Queues(approvals, dead_letters, undelivered)


def _add_approval_rule(stack: PackageStack, queues: Queues) -> Rule:
    """This group's Approved and Rejected state changes. The event's `account` is the registry's, also when the
    registry's forwarding rule brought it here from another account."""
    return stack.template.add_resource(
        Rule(
            "ApprovalRule",
            Condition=stack.conditions.deploy_on_approval,
            Name=rule_name(),
            Description=Sub("Approvals and rejections of the model package group of stack ${AWS::StackName}"),
            EventPattern={
                "source": [APPROVAL_SOURCE],
                "detail-type": [APPROVAL_DETAIL_TYPE],
                "account": [stack.group.account],
                "detail": {
                    "ModelPackageGroupName": [stack.group.name],
                    "ModelApprovalStatus": ["Approved", "Rejected"],
                },
            },
            State="ENABLED",
            Targets=[_queue_target("ApprovalQueue", queues)],
        )
    )


def _add_stack_status_rule(stack: PackageStack, queues: Queues) -> Rule:
    """The ends of this stack's updates (CloudFormation sends a "CloudFormation Stack Status Change" event for each
    status of a stack): after an accepted UpdateStack, how it ended is the only news of an approval not applied."""
    return stack.template.add_resource(
        Rule(
            "StackStatusRule",
            Condition=stack.conditions.deploy_on_approval,
            Name=rule_name("-status"),
            Description=Sub("Ends of the updates of stack ${AWS::StackName}, for its approval updater"),
            EventPattern={
                "source": [STACK_STATUS_SOURCE],
                "detail-type": [STACK_STATUS_DETAIL_TYPE],
                "account": [Ref("AWS::AccountId")],
                "detail": {
                    "stack-id": [Ref("AWS::StackId")],
                    "status-details": {"status": [UPDATE_SUCCEEDED, *UPDATE_FAILURES]},
                },
            },
            State="ENABLED",
            Targets=[_queue_target("ApprovalQueue", queues)],
        )
    )


def _queue_target(target_id: str, queues: Queues) -> Target:
    """The FIFO queue, in the stack's one message group; what EventBridge cannot deliver after its retries (or at
    once, for a permission error) goes to the undelivered queue instead of being dropped."""
    return Target(
        Id=target_id,
        Arn=GetAtt(queues.approvals, "Arn"),
        SqsParameters=SqsParameters(MessageGroupId=MESSAGE_GROUP),
        RetryPolicy=RetryPolicy(
            MaximumRetryAttempts=MAXIMUM_RETRY_ATTEMPTS, MaximumEventAgeInSeconds=MAXIMUM_EVENT_AGE_SECONDS
        ),
        DeadLetterConfig=DeadLetterConfig(Arn=GetAtt(queues.undelivered, "Arn")),
    )


def _add_queue_policies(stack: PackageStack, queues: Queues, rules: list[Rule]) -> None:
    """The FIFO queue and the undelivered queue may be written by EventBridge for these two rules only."""
    on = stack.conditions.deploy_on_approval
    from_rules = Condition(ArnEquals("aws:SourceArn", [GetAtt(rule, "Arn") for rule in rules]))
    for title, sid, queue in (
        ("ApprovalQueuePolicy", "RulesSendApprovalsAndStackChanges", queues.approvals),
        ("ApprovalUndeliveredQueuePolicy", "RulesKeepWhatTheyCouldNotDeliver", queues.undelivered),
    ):
        stack.template.add_resource(
            QueuePolicy(
                title,
                Condition=on,
                Queues=[Ref(queue)],
                PolicyDocument=policy_document(
                    allow(
                        sid,
                        [sqs.SendMessage],
                        [GetAtt(queue, "Arn")],
                        principal=Principal("Service", Service.EVENTS),
                        condition=from_rules,
                    )
                ),
            )
        )


def _open_bus_to_registry(stack: PackageStack) -> None:
    """A group of another account: SageMaker raises its events there, and the registry kit's forwarding rules
    (templates/registry-access.yaml) put them on this account's default bus, which must let them in. This statement
    admits only SageMaker's package state changes, sent by those rules, from that one account."""
    registry = stack.group.arn_account
    stack.template.add_resource(
        EventBusPolicy(
            "RegistryApprovalsBusPolicy",
            Condition=add_condition(
                stack,
                "ApprovalsForwardedFromRegistry",
                all_of(stack.conditions.deploy_on_approval, stack.group.in_other_account),
            ),
            StatementId=Sub(f"{NAME_PREFIX}${{Id}}", Id=stack_uuid()),
            Statement={
                "Effect": "Allow",
                "Principal": {"AWS": Sub("arn:${AWS::Partition}:iam::${Registry}:root", Registry=registry)},
                "Action": "events:PutEvents",
                "Resource": arn("events", "event-bus/default"),
                "Condition": {
                    "StringEquals": {"events:source": APPROVAL_SOURCE, "events:detail-type": APPROVAL_DETAIL_TYPE},
                    "ArnLike": {
                        "aws:SourceArn": Sub(
                            f"arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{Registry}}:rule/{FORWARD_RULE_PREFIX}*",
                            Registry=registry,
                        )
                    },
                },
            },
        )
    )


def _add_updater(stack: PackageStack, key: Key, queues: Queues, checks: ServedChecks) -> Function:
    """The updater function, fed one message at a time, reporting failures per message."""
    on = stack.conditions.deploy_on_approval
    function = add_stack_function(
        stack,
        replace(
            UPDATER,
            environment={
                Updater.Environment.STACK_ID: Ref("AWS::StackId"),
                Updater.Environment.DEPLOYMENT_ROLE_ARN: DEPLOYMENT_ROLE.ref(),
                Updater.Environment.MODEL_PACKAGE_GROUP_NAME: PACKAGE_GROUP.ref(),
                Updater.Environment.DEAD_LETTER_QUEUE_URL: Ref(queues.dead_letters),
                Updater.Environment.ALARM_TOPIC_ARN: ALARM_TOPIC.ref(),  # empty: a needs-a-person decision is logged
            },
        ),
        condition=on,
        key=key,
        statements=_updater_statements(stack, key, queues, checks),
    )
    stack.template.add_resource(
        EventSourceMapping(
            "ApprovalQueueToUpdater",
            Condition=on,
            EventSourceArn=GetAtt(queues.approvals, "Arn"),
            FunctionName=Ref(function),
            BatchSize=1,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )
    )
    return function


@dataclass(frozen=True)
class Watched:
    """One metric an alarm of deploy on approval watches, and the value at which a person must hear of it."""

    namespace: str
    metric: str
    dimension: MetricDimension
    threshold: int
    statistic: str = "Maximum"
    # SQS sends its metrics "only when the queue is active" (SQS Developer Guide, available CloudWatch metrics), and
    # AWS does not say a queue that only holds old messages is: an alarm on what a dead-letter queue keeps holds its
    # state through missing data rather than go back to OK while the message is still there.
    missing: str = "notBreaching"


def _add_queue_alarms(stack: PackageStack, queues: Queues) -> None:
    """Whatever a queue keeps, someone hears of while it is there and before SQS's retention deletes it; a message
    nobody receives (the event source mapping disabled, its role or the key broken) ages past the retry window."""

    def sqs_metric(queue: Queue, metric: str, threshold: int) -> Watched:
        kept = queue is not queues.approvals  # a dead-letter queue: nobody reads it until a person does
        dimension = MetricDimension(Name="QueueName", Value=GetAtt(queue, "QueueName"))
        return Watched("AWS/SQS", metric, dimension, threshold, missing="ignore" if kept else "notBreaching")

    depth, age = "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"
    redrive = "read the updater's log group, fix the stack, then redrive the dead-letter queue to ApprovalQueue"
    undelivered = "fix the queue, its policy or the key, then resend it (docs/deploy-on-approval.md)"
    alarms = [
        ("ApprovalDeadLettersAlarm", sqs_metric(queues.dead_letters, depth, 1),
         f"Approvals stack ${{AWS::StackName}} could not apply: {redrive}"),
        ("ApprovalDeadLettersExpiringAlarm", sqs_metric(queues.dead_letters, age, EXPIRY_WARNING_SECONDS),
         f"A dead letter of stack ${{AWS::StackName}} is 10 days old and SQS deletes it at 14: {redrive}"),
        ("ApprovalUndeliveredAlarm", sqs_metric(queues.undelivered, depth, 1),
         f"EventBridge could not deliver an event to the approval queue of stack ${{AWS::StackName}}: {undelivered}"),
        ("ApprovalUndeliveredExpiringAlarm", sqs_metric(queues.undelivered, age, EXPIRY_WARNING_SECONDS),
         f"An undelivered event of stack ${{AWS::StackName}} is 10 days old and SQS deletes it at 14: {undelivered}"),
        ("ApprovalQueueStuckAlarm", sqs_metric(queues.approvals, age, STUCK_SECONDS),
         "A message waited in the approval queue of stack ${AWS::StackName} longer than the updater ever retries: "
         "check its event source mapping and its log group (docs/operations.md)"),
    ]  # fmt: skip
    for title, watched, description in alarms:
        _add_alarm(stack, title, Sub(description), watched)


def _add_delivery_alarms(stack: PackageStack, rules: list[Rule], function: Function) -> None:
    """A rule's invocation that failed for good (kept in the undelivered queue, or lost if even that failed), and an
    updater invocation that failed: an uncaught error or a timeout, which logs no `[ERROR]` line."""
    for rule in rules:
        name = rule.properties["Name"]
        _add_alarm(
            stack,
            f"{rule.title}FailedInvocationsAlarm",
            Sub(
                "EventBridge rule ${Name} of stack ${AWS::StackName} could not deliver an event to the approval queue: "
                "read the undelivered queue (docs/deploy-on-approval.md)",
                Name=name,
            ),
            Watched("AWS/Events", "FailedInvocations", MetricDimension(Name="RuleName", Value=name), 1, "Sum"),
        )
    _add_alarm(
        stack,
        "ApprovalUpdaterFailedInvocationsAlarm",
        Sub("The approval updater of stack ${AWS::StackName} failed or timed out: read its log group"),
        Watched("AWS/Lambda", "Errors", MetricDimension(Name="FunctionName", Value=Ref(function)), 1, "Sum"),
    )


def _add_alarm(stack: PackageStack, title: str, description: Sub, watched: Watched) -> Alarm:
    """One five-minute period at or above the threshold is an alarm; no data is no trouble (SQS and EventBridge
    send some of these metrics only when there is something to count)."""
    return stack.template.add_resource(
        Alarm(
            title,
            Condition=stack.conditions.deploy_on_approval,
            AlarmDescription=description,
            Namespace=watched.namespace,
            MetricName=watched.metric,
            Dimensions=[watched.dimension],
            Statistic=watched.statistic,
            Period=300,
            EvaluationPeriods=1,
            Threshold=watched.threshold,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData=watched.missing,
            Tags=stack.tags,
            **notify(stack),
        )
    )


def _queue(stack: PackageStack, key: Key, title: str, name_suffix: str, **props: object) -> Queue:
    """A queue named for the stack, encrypted with its key, keeping messages 14 days, gone with the stack."""
    return Queue(
        title,
        Condition=stack.conditions.deploy_on_approval,
        QueueName=Join("", [NAME_PREFIX, stack_uuid(), name_suffix]),
        KmsMasterKeyId=GetAtt(key, "Arn"),
        MessageRetentionPeriod=RETENTION_SECONDS,
        Tags=stack.tags,
        DeletionPolicy="Delete",  # queued registry changes concern this stack only
        UpdateReplacePolicy="Delete",
        **props,
    )


def _updater_statements(stack: PackageStack, key: Key, queues: Queues, checks: ServedChecks) -> list[object]:
    return [
        allow(
            "UpdateOwnStack",
            [
                cloudformation.DescribeStackEvents,  # why an update failed, to tell a person
                cloudformation.DescribeStackResource,
                cloudformation.DescribeStacks,
                cloudformation.UpdateStack,
            ],
            [Ref("AWS::StackId")],
        ),
        *checks.describe,
        allow(
            "PassDeploymentRoleToCloudFormation",
            [iam.PassRole],
            [DEPLOYMENT_ROLE.ref()],
            condition=Condition(StringEquals("iam:PassedToService", Service.CLOUDFORMATION)),
        ),
        allow(
            "ReadApprovalQueue",
            [sqs.ReceiveMessage, sqs.DeleteMessage, sqs.GetQueueAttributes, sqs.ChangeMessageVisibility],
            [GetAtt(queues.approvals, "Arn")],
        ),
        allow("DeadLetterWhatNeedsAPerson", [sqs.SendMessage], [GetAtt(queues.dead_letters, "Arn")]),
        allow("DecryptQueueMessages", [kms.Decrypt, kms.GenerateDataKey], [GetAtt(key, "Arn")]),
        read_configured_group(stack),
        *checks.clean_up,
        *_alarm_topic_statements(stack),
    ]


def endpoint_checks() -> ServedChecks:
    """The endpoint template's: the endpoint's config, then its retained Models and EndpointConfigs."""
    return ServedChecks(
        describe=(
            # To check that the endpoint serves what the stack says (SageMaker can roll an update back by itself).
            # Read only, on this account's endpoints: SageMaker lower-cases names in its ARNs, and EndpointName may
            # not be.
            allow("DescribeEndpoints", [sagemaker.DescribeEndpoint], [arn("sagemaker", "endpoint/*")]),
        ),
        clean_up=tuple(_cleanup_statements()),
    )


def _cleanup_statements() -> list[object]:
    """After an update completes: find the stack's retained Models and EndpointConfigs (by its tag, then by listing,
    custom_resource.retained) and delete those carrying this stack's tag, and only those."""
    return [
        # No resource type (cfn-lint's IAM data: tag:GetResources, sagemaker:ListEndpointConfigs and
        # sagemaker:ListModels take none), so nothing narrower than "*" exists; they only read.
        allow("FindRetainedResources", [tag.GetResources, sagemaker.ListEndpointConfigs, sagemaker.ListModels], ["*"]),
        # SageMaker lower-cases names in its ARNs and CloudFormation's names have capitals: this account's configs.
        allow("DescribeEndpointConfigs", [sagemaker.DescribeEndpointConfig], [arn("sagemaker", "endpoint-config/*")]),
        allow(
            "RemoveOwnRetainedResources",
            [sagemaker.DeleteEndpointConfig, sagemaker.DeleteModel],
            [arn("sagemaker", "endpoint-config/*"), arn("sagemaker", "model/*")],
            condition=Condition(StringEquals(f"aws:ResourceTag/{STACK_TAG}", Ref("AWS::StackId"))),
        ),
    ]


def _alarm_topic_statements(stack: PackageStack) -> list[object]:
    """Publish to the alarm topic; a topic encrypted with a customer managed key needs the publisher to use that key
    (SNS Developer Guide, key management), and the template cannot know which key: any key, only through SNS."""
    topic = stack.conditions.alarm_topic
    return [
        only_if(topic, allow("TellAPersonThroughTheAlarmTopic", [sns.Publish], [ALARM_TOPIC.ref()])),
        only_if(
            topic,
            allow(
                "UseAlarmTopicKeyThroughSns",
                [kms.Decrypt, kms.GenerateDataKey],
                ["*"],
                condition=Condition(StringEquals("kms:ViaService", service_host("sns"))),
            ),
        ),
    ]
