"""Deploy on approval (DeployOnApproval, group mode, with DeploymentRoleArn): the stack follows its model
package group by itself.

An EventBridge rule takes this group's Approved and Rejected state changes into a FIFO queue (one message group,
deduplicated by event id, a dead-letter queue with an alarm); the updater Lambda (the resolver's zip, its own
handler) takes one message at a time and updates this stack with a new resolution token, through
DeploymentRoleArn, as custom_resource/approval_updater.py says. While the stack is busy a message returns after
the queue's visibility timeout, as often as it takes to outlast the longest blue/green update.
"""

from __future__ import annotations

from dataclasses import replace

from awacs import cloudformation, iam, kms, sagemaker, sns, sqs
from awacs.aws import Condition, Principal, StringEquals
from troposphere import GetAtt, Join, Ref, Sub
from troposphere.awslambda import EventSourceMapping
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.events import EventBusPolicy, Rule, SqsParameters, Target
from troposphere.kms import Key
from troposphere.sqs import Queue, QueuePolicy, RedrivePolicy

from generator.cfn.conditions import all_of, stack_uuid
from generator.cfn.iam import account_root, allow, arn, only_if, policy_document, service_host
from generator.common.names import APPROVAL_DETAIL_TYPE, APPROVAL_SOURCE, FORWARD_RULE_PREFIX, Service
from generator.endpoint.alarms import notify
from generator.endpoint.context import EndpointStack, add_condition
from generator.endpoint.lambda_functions import StackFunction, add_stack_function, log_group_key_statement
from generator.endpoint.resolver import read_configured_group

NAME_PREFIX = "sagemaker-endpoint-"  # rule and queues: + the stack's UUID
UPDATER_NAME_PREFIX = "sagemaker-endpoint-updater-"  # + the stack's UUID: 63 characters
QUEUE, DEAD_LETTER_QUEUE = "ApprovalQueue", "ApprovalDeadLetterQueue"  # logical ids; the dashboard shows both
UPDATER_HANDLER = "custom_resource.approval_updater.lambda_handler"
# A message that finds the stack busy comes back after the visibility timeout; this many returns outlast the
# longest update the parameters allow (DeploymentTimeoutSeconds at most 8 h, plus the bake) with room to spare.
RETRY_SECONDS = 300
RECEIVES_BEFORE_DEAD_LETTER = 150  # 12.5 h
RETENTION_SECONDS = 14 * 24 * 3600
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
    handler=UPDATER_HANDLER,
    checkov_skips=CHECKOV_SKIPS,
)


def rule_arn() -> Join:
    """Known before the rule exists, so the key policy can name it without a dependency."""
    return Join("", [arn("events", "rule/"), NAME_PREFIX, stack_uuid()])


def key_statements(stack: EndpointStack) -> list[object]:
    """What the stack's key allows when deploy on approval is on: EventBridge to write the queue, SQS to read it
    for the updater, CloudWatch Logs to encrypt the updater's log group."""
    on = stack.conditions.deploy_on_approval
    in_account = {"kms:CallerAccount": Sub("${AWS::AccountId}")}
    return [
        only_if(
            on,
            allow(
                "EventBridgeWritesApprovalQueue",
                [kms.Decrypt, kms.GenerateDataKey],
                ["*"],
                principal=Principal("Service", Service.EVENTS),
                condition=Condition(StringEquals("aws:SourceArn", rule_arn())),
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


def add_deploy_on_approval(stack: EndpointStack, key: Key) -> None:
    """The queues, the rule feeding them, the updater reading them, and the alarm on what it could not apply."""
    queue, dead_letters = _add_approval_queues(stack, key)
    _add_approval_rule(stack, queue)
    _open_bus_to_registry(stack)
    _add_updater(stack, key, queue, dead_letters)
    _add_dead_letter_alarm(stack, dead_letters)


def _add_approval_queues(stack: EndpointStack, key: Key) -> tuple[Queue, Queue]:
    """The FIFO queue (one message group, deduplicated by event id) and its dead-letter queue."""
    add = stack.template.add_resource
    dead_letters = add(_fifo_queue(stack, key, DEAD_LETTER_QUEUE, "-dlq.fifo"))
    queue = add(
        _fifo_queue(
            stack,
            key,
            QUEUE,
            ".fifo",
            ContentBasedDeduplication=False,  # EventBridge then deduplicates by event id
            VisibilityTimeout=RETRY_SECONDS,
            RedrivePolicy=RedrivePolicy(
                deadLetterTargetArn=GetAtt(dead_letters, "Arn"), maxReceiveCount=RECEIVES_BEFORE_DEAD_LETTER
            ),
        )
    )
    return queue, dead_letters


def _add_approval_rule(stack: EndpointStack, queue: Queue) -> None:
    """This group's Approved and Rejected state changes into the queue, which only this rule may write. The event's
    `account` is the registry's, also when the registry's forwarding rule brought it here from another account."""
    on = stack.conditions.deploy_on_approval
    rule = stack.template.add_resource(
        Rule(
            "ApprovalRule",
            Condition=on,
            Name=Join("", [NAME_PREFIX, stack_uuid()]),
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
            Targets=[
                Target(
                    Id="ApprovalQueue",
                    Arn=GetAtt(queue, "Arn"),
                    SqsParameters=SqsParameters(MessageGroupId=Ref("AWS::StackName")),
                )
            ],
        )
    )
    stack.template.add_resource(
        QueuePolicy(
            "ApprovalQueuePolicy",
            Condition=on,
            Queues=[Ref(queue)],
            PolicyDocument=policy_document(
                allow(
                    "RuleSendsApprovals",
                    [sqs.SendMessage],
                    [GetAtt(queue, "Arn")],
                    principal=Principal("Service", Service.EVENTS),
                    condition=Condition(StringEquals("aws:SourceArn", GetAtt(rule, "Arn"))),
                )
            ),
        )
    )


def _open_bus_to_registry(stack: EndpointStack) -> None:
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


def _add_updater(stack: EndpointStack, key: Key, queue: Queue, dead_letters: Queue) -> None:
    """The updater function, fed one message at a time, reporting failures per message."""
    params, on = stack.params, stack.conditions.deploy_on_approval
    function = add_stack_function(
        stack,
        replace(
            UPDATER,
            environment={
                "STACK_ID": Ref("AWS::StackId"),
                "DEPLOYMENT_ROLE_ARN": Ref(params.deployment_role_arn),
                "MODEL_PACKAGE_GROUP_NAME": Ref(params.model_package_group_name),
                "DEAD_LETTER_QUEUE_URL": Ref(dead_letters),
                "ALARM_TOPIC_ARN": Ref(params.alarm_topic_arn),  # empty: needs-a-person decisions are only logged
            },
        ),
        condition=on,
        key=key,
        statements=_updater_statements(stack, key, queue, dead_letters),
    )
    stack.template.add_resource(
        EventSourceMapping(
            "ApprovalQueueToUpdater",
            Condition=on,
            EventSourceArn=GetAtt(queue, "Arn"),
            FunctionName=Ref(function),
            BatchSize=1,
            FunctionResponseTypes=["ReportBatchItemFailures"],
        )
    )


def _add_dead_letter_alarm(stack: EndpointStack, dead_letters: Queue) -> None:
    """A message in the dead-letter queue is an approval that was never applied: someone must look."""
    stack.template.add_resource(
        Alarm(
            "ApprovalDeadLettersAlarm",
            Condition=stack.conditions.deploy_on_approval,
            AlarmDescription=Sub(
                "Approvals stack ${AWS::StackName} could not apply: read the updater's log group, fix the stack, "
                "then redrive the dead-letter queue"
            ),
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[MetricDimension(Name="QueueName", Value=GetAtt(dead_letters, "QueueName"))],
            Statistic="Maximum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="notBreaching",
            **notify(stack),
        )
    )


def _fifo_queue(stack: EndpointStack, key: Key, title: str, name_suffix: str, **props: object) -> Queue:
    """A FIFO queue named for the stack, encrypted with its key, keeping messages 14 days, gone with the stack."""
    return Queue(
        title,
        Condition=stack.conditions.deploy_on_approval,
        QueueName=Join("", [NAME_PREFIX, stack_uuid(), name_suffix]),
        FifoQueue=True,
        KmsMasterKeyId=GetAtt(key, "Arn"),
        MessageRetentionPeriod=RETENTION_SECONDS,
        Tags=stack.tags,
        DeletionPolicy="Delete",  # queued registry changes concern this stack only
        UpdateReplacePolicy="Delete",
        **props,
    )


def _updater_statements(stack: EndpointStack, key: Key, queue: Queue, dead_letters: Queue) -> list[object]:
    return [
        allow(
            "UpdateOwnStack",
            [cloudformation.DescribeStackResource, cloudformation.DescribeStacks, cloudformation.UpdateStack],
            [Ref("AWS::StackId")],
        ),
        # To check that the endpoint serves what the stack says (SageMaker can roll an update back by itself). Read
        # only, on this account's endpoints: SageMaker lower-cases names in its ARNs, and EndpointName may not be.
        allow("DescribeEndpoints", [sagemaker.DescribeEndpoint], [arn("sagemaker", "endpoint/*")]),
        allow(
            "PassDeploymentRoleToCloudFormation",
            [iam.PassRole],
            [Ref(stack.params.deployment_role_arn)],
            condition=Condition(StringEquals("iam:PassedToService", Service.CLOUDFORMATION)),
        ),
        allow(
            "ReadApprovalQueue",
            [sqs.ReceiveMessage, sqs.DeleteMessage, sqs.GetQueueAttributes, sqs.ChangeMessageVisibility],
            [GetAtt(queue, "Arn")],
        ),
        allow("DeadLetterWhatNeedsAPerson", [sqs.SendMessage], [GetAtt(dead_letters, "Arn")]),
        allow("DecryptQueueMessages", [kms.Decrypt, kms.GenerateDataKey], [GetAtt(key, "Arn")]),
        read_configured_group(stack),
        only_if(
            stack.conditions.alarm_topic,
            allow("TellAPersonThroughTheAlarmTopic", [sns.Publish], [Ref(stack.params.alarm_topic_arn)]),
        ),
    ]
