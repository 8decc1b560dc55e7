"""templates/registry-access.yaml, offline: how many rules and targets a list of accounts gets, what the forwarding
role and the share's role may do, and which events the rules forward (moto's EventBridge matcher)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, cast

import pytest
from moto.events.models import EventPattern

from custom_resource import group_share
from generator.registry.forwarding import MAX_ACCOUNTS, TARGETS_PER_RULE
from generator.registry.template import build_registry_access_template
from tests.support.iam_eval import allows
from tests.support.template_eval import Evaluator, EveryBranchEvaluator

REGISTRY, REGION = "444455556666", "eu-west-1"
PSEUDO = {"AWS::AccountId": REGISTRY}
GROUP_ARN = f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package-group/churn"


@cache
def template() -> dict[str, Any]:
    return build_registry_access_template().to_dict()  # type: ignore[no-any-return]


def accounts(count: int) -> list[str]:
    return [f"{100000000000 + n:012d}" for n in range(1, count + 1)]


def deployed(count: int, **more: str) -> dict[str, Any]:
    values = {"ModelPackageGroupName": "churn", "WorkloadAccountIds": ",".join(accounts(count)),
              "ResolverCodeS3Bucket": "registry-artifacts", **more}  # fmt: skip
    return Evaluator(template(), values, PSEUDO).resources()


def bus(account: str) -> str:
    return f"arn:aws:events:{REGION}:{account}:event-bus/default"


@pytest.mark.parametrize("count", [1, 5, 6, 24, MAX_ACCOUNTS])
def test_each_account_gets_one_target_on_rules_of_at_most_five(count: int) -> None:
    resources = deployed(count)
    rules = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Events::Rule"}
    assert len(rules) == -(-count // TARGETS_PER_RULE)
    assert all(len(rule["Targets"]) <= TARGETS_PER_RULE for rule in rules.values())
    targets = [target for rule in rules.values() for target in rule["Targets"]]
    assert [t["Arn"] for t in targets] == [bus(a) for a in accounts(count)]
    assert {json.dumps(t["RoleArn"]) for t in targets} == {json.dumps({"Fn::GetAtt": ["ForwarderRole", "Arn"]})}
    assert all(rule["Name"].startswith("sagemaker-endpoint-forward-") for rule in rules.values())
    # the list is checked first, and the dead-letter queue admits the rules before any can fail
    assert all(resources[name]["DependsOn"] == ["GroupShare", "UndeliveredApprovalsPolicy"] for name in rules)


def test_the_forwarding_role_may_put_events_on_exactly_the_listed_buses() -> None:
    role = deployed(6)["ForwarderRole"]["Properties"]
    (policy,) = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert statements[0]["Resource"] == [bus(a) for a in accounts(6)]
    assert allows(statements, "events:PutEvents", bus(accounts(6)[5]))
    assert not allows(statements, "events:PutEvents", bus("999999999999"))
    assert not allows(statements, "events:PutEvents", f"arn:aws:events:{REGION}:{accounts(1)[0]}:event-bus/other")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": REGISTRY}}


def test_the_rules_forward_this_groups_approvals_and_rejections_only() -> None:
    rule = deployed(1)["ForwardApprovals1"]["Properties"]
    pattern = EventPattern.load(json.dumps(rule["EventPattern"]))

    def forwards(group: str, status: str, source: str = "aws.sagemaker") -> bool:
        event = {"version": "0", "id": "1", "source": source, "detail-type": "SageMaker Model Package State Change",
                 "account": REGISTRY, "region": REGION, "time": "2026-11-30T14:00:00Z", "resources": [],
                 "detail": {"ModelPackageGroupName": group, "ModelApprovalStatus": status}}  # fmt: skip
        return bool(pattern.matches_event(cast(Any, event)))

    assert forwards("churn", "Approved")
    assert forwards("churn", "Rejected")
    assert not forwards("churn", "PendingManualApproval")
    assert not forwards("fraud", "Approved")
    assert not forwards("churn", "Approved", source="custom.sagemaker")


def test_the_share_may_edit_the_policy_of_this_group_only() -> None:
    (policy,) = deployed(1)["GroupShareRole"]["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    for action in ("sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy"):
        assert allows(statements, action, GROUP_ARN)
        assert not allows(statements, action, GROUP_ARN.replace("churn", "fraud"))
    assert not allows(statements, "sagemaker:UpdateModelPackage", f"{GROUP_ARN}/1".replace("-group", ""))
    share = deployed(3)["GroupShare"]["Properties"]
    assert share["WorkloadAccountIds"] == accounts(3)
    assert share["StatementIdPrefix"] == "SageMakerEndpoint5b1c9a40"  # letters and digits: an IAM Sid


def test_every_expression_is_valid_for_every_branch_and_any_list_length() -> None:
    for count in (1, 7, MAX_ACCOUNTS):
        values = {"ModelPackageGroupName": "churn", "WorkloadAccountIds": ",".join(accounts(count)),
                  "ResolverCodeS3Bucket": "registry-artifacts"}  # fmt: skip
        EveryBranchEvaluator(template(), values, PSEUDO).everything()


def test_the_template_and_the_share_agree_on_how_many_accounts_one_stack_serves() -> None:
    assert group_share.MAX_ACCOUNTS == MAX_ACCOUNTS == 25
    assert f"up to {MAX_ACCOUNTS} accounts" in template()["Description"]


STACK_ID8 = "5b1c9a40"  # the evaluator's stack id begins so: the rules are sagemaker-endpoint-forward-<n>-5b1c9a40
TOPIC = f"arn:aws:sns:{REGION}:{REGISTRY}:registry-alarms"


def rule_arn(number: int) -> str:
    return f"arn:aws:events:{REGION}:{REGISTRY}:rule/sagemaker-endpoint-forward-{number}-{STACK_ID8}"


@pytest.mark.parametrize("count", [1, 6, MAX_ACCOUNTS])
def test_every_forwarding_target_keeps_what_it_cannot_deliver_in_the_kits_dead_letter_queue(count: int) -> None:
    """EventBridge drops an event at once on a permission error, and after its retries otherwise, unless the target
    has a DLQ: "no retry attempts will happen until action is taken to resolve the underlying issue. EventBridge
    sends these events directly to the target DLQ, if you have specified one." RetryPolicy at its maxima (botocore
    events RetryPolicy: MaximumRetryAttempts "max": 185, MaximumEventAgeInSeconds "max": 86400)
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html)."""
    resources = deployed(count)
    targets = [t for r in resources.values() if r["Type"] == "AWS::Events::Rule" for t in r["Properties"]["Targets"]]
    assert len(targets) == count
    for target in targets:
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["UndeliveredApprovals", "Arn"]}}
        assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}


def test_the_dead_letter_queue_is_a_standard_encrypted_queue_only_the_forwarding_rules_may_send_to() -> None:
    """ "Only standard queues are supported. You can't use a FIFO queue for a DLQ in EventBridge." The queue policy
    is AWS's example for a target DLQ: events.amazonaws.com may SendMessage with `ArnEquals aws:SourceArn` the rule
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); here the kit's five rules, named
    before they exist. Encrypted at rest with SQS-owned keys (botocore sqs CreateQueue attribute
    `SqsManagedSseEnabled`: "Enables server-side queue encryption using SQS owned encryption keys"), so no key
    policy must admit EventBridge; 14 days, SQS's longest retention ("An integer from 60 seconds (1 minute) to
    1,209,600 seconds (14 days)", API_CreateQueue.html)."""
    resources = deployed(1)
    queue = resources["UndeliveredApprovals"]["Properties"]
    assert queue == {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1_209_600}  # no FifoQueue: standard
    policy = resources["UndeliveredApprovalsPolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": "UndeliveredApprovals"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    queue_arn = {"Fn::GetAtt": ["UndeliveredApprovals", "Arn"]}
    assert (statement["Action"], statement["Resource"]) == (["sqs:SendMessage"], [queue_arn])
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": [rule_arn(n) for n in range(1, 6)]}}
    created = f"arn:aws:sqs:{REGION}:{REGISTRY}:registry-UndeliveredApprovals-A1B2C3"
    as_created = {**statement, "Resource": [created]}
    for number in range(1, 6):
        assert allows([as_created], "sqs:SendMessage", created, {"aws:SourceArn": rule_arn(number)})
    other = f"arn:aws:events:{REGION}:{REGISTRY}:rule/sagemaker-endpoint-forward-1-0000aaaa"  # another kit's rule
    assert not allows([as_created], "sqs:SendMessage", created, {"aws:SourceArn": other})
    assert {n: r["Properties"]["Name"] for n, r in deployed(MAX_ACCOUNTS).items() if n.startswith("Forward") and
            r["Type"] == "AWS::Events::Rule"} == {f"ForwardApprovals{n}": rule_arn(n).rsplit("/", 1)[1]
                                                   for n in range(1, 6)}  # fmt: skip


@pytest.mark.parametrize(("topic", "actions"), [("", None), (TOPIC, [TOPIC])])
def test_alarms_tell_the_topic_of_an_undelivered_an_expiring_and_a_lost_approval(
    topic: str, actions: list[str] | None
) -> None:
    """The queue's depth and its oldest message's age (AWS/SQS), and per rule the events that reached neither the
    target nor the queue: `InvocationsFailedToBeSentToDlq`, in the RuleName dimension that names a rule of the
    default bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html: "Metrics that specify
    only the RuleName dimension refer to the default event bus."). Each exists with its rule; without a topic the
    alarms notify nobody."""
    resources = deployed(6, AlarmTopicArn=topic)
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == {"UndeliveredApprovalsAlarm", "UndeliveredApprovalsExpiringAlarm",
                           "ForwardApprovals1LostAlarm", "ForwardApprovals2LostAlarm"}  # fmt: skip
    queue_name = [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["UndeliveredApprovals", "QueueName"]}}]
    depth, age = alarms["UndeliveredApprovalsAlarm"], alarms["UndeliveredApprovalsExpiringAlarm"]
    assert (depth["Namespace"], depth["MetricName"], depth["Dimensions"], depth["Threshold"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        queue_name,
        1,
    )
    assert (age["MetricName"], age["Dimensions"], age["Threshold"]) == (
        "ApproximateAgeOfOldestMessage",
        queue_name,
        864_000,  # 10 of the 14 days
    )
    lost = alarms["ForwardApprovals2LostAlarm"]
    assert (lost["Namespace"], lost["MetricName"], lost["Statistic"]) == (
        "AWS/Events",
        "InvocationsFailedToBeSentToDlq",
        "Sum",
    )
    assert lost["Dimensions"] == [{"Name": "RuleName", "Value": rule_arn(2).rsplit("/", 1)[1]}]
    for alarm in alarms.values():
        assert (alarm["ComparisonOperator"], alarm["TreatMissingData"]) == (
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
        )
        assert (alarm.get("AlarmActions"), alarm.get("OKActions")) == (actions, actions)
