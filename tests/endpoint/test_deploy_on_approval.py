"""Deploy on approval, offline: the Rules that guard it, the rules' event patterns (moto's EventBridge matcher), the
queues and where each failure ends with its alarm, the updater's permissions, and the updater's decisions and exact
API calls (botocore Stubber)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import boto3
import botocore.session
import cfnlint
import pytest
from botocore.model import ServiceModel
from botocore.stub import Stubber
from moto.events.models import EventPattern

from custom_resource import approval_updater
from custom_resource.approval_updater import Busy, Decision, Settings, decide, handle
from custom_resource.contract import STACK_TAG
from tests.support.iam_eval import allows
from tests.support.inputs import ARN_MODE, GROUP_MODE
from tests.support.stack_status_events import documented, stack_status_event
from tests.support.template_eval import STACK_UUID, Evaluator

Deploy = Callable[..., Evaluator]
ROLE = "arn:aws:iam::111122223333:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
ON = {**GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ROLE}
STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
EVENT_ID = "1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f"
V3, V4, V5 = (f"arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/{v}" for v in (3, 4, 5))
APPROVAL_RESOURCES = {
    "ApprovalRule", "ApprovalQueue", "ApprovalQueuePolicy", "ApprovalDeadLetterQueue", "ApprovalUpdaterLogGroup",
    "ApprovalUpdaterRole", "ApprovalUpdaterFunction", "ApprovalQueueToUpdater", "ApprovalDeadLettersAlarm",
    "StackStatusRule", "ApprovalUndeliveredQueue", "ApprovalUndeliveredQueuePolicy", "ApprovalUndeliveredAlarm",
    "ApprovalUndeliveredExpiringAlarm", "ApprovalDeadLettersExpiringAlarm", "ApprovalQueueStuckAlarm",
    "ApprovalRuleFailedInvocationsAlarm", "StackStatusRuleFailedInvocationsAlarm",
    "ApprovalUpdaterFailedInvocationsAlarm",
}  # fmt: skip


def events_model() -> ServiceModel:
    """EventBridge's API model as botocore ships it: the limits AWS publishes for PutRule and PutTargets."""
    return botocore.session.get_session().get_service_model("events")


def targets(resources: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of the approval rule, then of the stack status rule."""
    return [t for rule in ("ApprovalRule", "StackStatusRule") for t in resources[rule]["Properties"]["Targets"]]


def sagemaker_event(status: str, group: str = "churn", package: str = V4) -> dict[str, Any]:
    """The event SageMaker sends to EventBridge for a model package state change (its documented shape)."""
    image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1"
    detail = {
        "ModelPackageGroupName": group,
        "ModelPackageVersion": 4,
        "ModelPackageArn": package,
        "ModelApprovalStatus": status,
        "CreationTime": 1764079200000,
        "InferenceSpecification": {"Containers": [{"Image": image}]},
    }
    return {
        "version": "0",
        "id": EVENT_ID,
        "detail-type": "SageMaker Model Package State Change",
        "source": "aws.sagemaker",
        "account": "111122223333",
        "time": "2026-11-25T14:00:00Z",
        "region": "eu-west-1",
        "resources": [package],
        "detail": detail,
    }


def test_deploy_on_approval_adds_its_resources_only_when_on_in_group_mode_with_a_role(deploy: Deploy) -> None:
    assert set(deploy(**ON).resources()) >= APPROVAL_RESOURCES
    assert APPROVAL_RESOURCES & set(deploy(**GROUP_MODE).resources()) == set()
    assert deploy(**ON).failed_rules() == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**ARN_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ROLE},
         "DeployOnApproval follows a model package group: set ModelPackageGroupName, or set DeployOnApproval to "
         "false."),
        ({**GROUP_MODE, "DeployOnApproval": "true"},
         "DeployOnApproval updates the stack through a deployer role: set DeploymentRoleArn (deployer-role.yaml's "
         "DeployerRoleArn), or set DeployOnApproval to false."),
    ],
)  # fmt: skip
def test_rules_reject_deploy_on_approval_without_a_group_or_a_role(
    deploy: Deploy, values: dict[str, str], message: str
) -> None:
    stack = deploy(**values)
    assert stack.failed_rules() == [message]
    assert APPROVAL_RESOURCES & set(stack.resources()) == set()


def test_the_rule_matches_this_groups_approvals_and_rejections_only(deploy: Deploy) -> None:
    rule = deploy(**ON).resources()["ApprovalRule"]["Properties"]
    pattern = EventPattern.load(json.dumps(rule["EventPattern"]))

    def matches(event: dict[str, Any]) -> bool:
        return bool(pattern.matches_event(cast(Any, event)))

    assert matches(sagemaker_event("Approved"))
    assert matches(sagemaker_event("Rejected"))
    assert not matches(sagemaker_event("PendingManualApproval"))
    assert not matches(sagemaker_event("Approved", group="fraud"))
    assert not matches({**sagemaker_event("Approved"), "source": "custom.sagemaker"})


def test_the_fifo_queue_deduplicates_by_content_as_eventbridge_requires_of_a_fifo_target(deploy: Deploy) -> None:
    """EventBridge API Reference, Target.SqsParameters (https://docs.aws.amazon.com/eventbridge/latest/APIReference/
    API_Target.html): "If you specify a fair or FIFO queue as a target, the queue must have content-based
    deduplication enabled." Without it no event ever reaches the queue. Both rules write this one queue."""
    resources = deploy(**ON).resources()
    queue = resources["ApprovalQueue"]["Properties"]
    assert (queue["FifoQueue"], queue["ContentBasedDeduplication"]) == (True, True)
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    assert [target["Arn"] for target in targets(resources)] == [{"Fn::GetAtt": ["ApprovalQueue", "Arn"]}] * 2


def test_both_rules_send_in_one_fixed_message_group_within_eventbridges_100_characters(
    template: dict[str, Any],
) -> None:
    """botocore events `MessageGroupId` is `{"type": "string", "max": 100}` (https://docs.aws.amazon.com/eventbridge/
    latest/APIReference/API_SqsParameters.html): the stack name, up to 128 characters, did not fit. One fixed group,
    so an approval and the end of an update are never handled at the same time, whatever the stack is called."""
    limit = events_model().shape_for("MessageGroupId").metadata["max"]
    for name in ("ml-endpoint", "n" * 128):
        resources = Evaluator(template, ON, {"AWS::StackName": name}).resources()
        groups = {target["SqsParameters"]["MessageGroupId"] for target in targets(resources)}
        assert groups == {"stack"}
        assert all(len(group) <= limit for group in groups)


def test_the_visibility_timeout_is_six_function_timeouts_and_the_retries_outlast_the_longest_update(
    deploy: Deploy,
) -> None:
    """Lambda Developer Guide, "Configuring an Amazon SQS queue to trigger a Lambda function"
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html): "set the source queue's visibility
    timeout to at least six times the configuration timeout on your function." A busy stack's message returns after
    it, and must keep returning for longer than the longest update the parameters allow."""
    resources = deploy(**ON).resources()
    queue = resources["ApprovalQueue"]["Properties"]
    function = resources["ApprovalUpdaterFunction"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * function["Timeout"]
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ApprovalDeadLetterQueue", "Arn"]}
    longest_update = 28800 + 3600  # the largest DeploymentTimeoutSeconds and DeploymentBakeSeconds
    assert queue["VisibilityTimeout"] * redrive["maxReceiveCount"] > longest_update
    mapping = resources["ApprovalQueueToUpdater"]["Properties"]
    assert (mapping["BatchSize"], mapping["FunctionResponseTypes"]) == (1, ["ReportBatchItemFailures"])


def test_every_rule_keeps_what_it_cannot_deliver_in_a_standard_queue_only_its_rules_may_write(deploy: Deploy) -> None:
    """EventBridge User Guide, "Using dead-letter queues to process undelivered events"
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html): "EventBridge DLQs are standard Amazon
    SQS queues that EventBridge uses to store events that couldn't successfully be delivered to a target." Without
    one, "the event is dropped" after the retries, and at once on a permission error. The retry policy is EventBridge's
    maximum (botocore events `MaximumRetryAttempts` max 185, `MaximumEventAgeInSeconds` max 86400)."""
    resources = deploy(**ON).resources()
    model = events_model()
    for target in targets(resources):
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ApprovalUndeliveredQueue", "Arn"]}}
        assert target["RetryPolicy"] == {
            "MaximumRetryAttempts": model.shape_for("MaximumRetryAttempts").metadata["max"],
            "MaximumEventAgeInSeconds": model.shape_for("MaximumEventAgeInSeconds").metadata["max"],
        }
        assert "RoleArn" not in target  # SQS targets use the queue's policy (EventBridge User Guide, resource-based)
    undelivered = resources["ApprovalUndeliveredQueue"]["Properties"]
    assert "FifoQueue" not in undelivered  # standard: EventBridge refuses a FIFO dead-letter queue
    assert undelivered["QueueName"] == f"sagemaker-endpoint-{STACK_UUID}-undelivered"
    assert undelivered["KmsMasterKeyId"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    assert undelivered["MessageRetentionPeriod"] == 14 * 24 * 3600
    rule_arns = [{"Fn::GetAtt": ["ApprovalRule", "Arn"]}, {"Fn::GetAtt": ["StackStatusRule", "Arn"]}]
    for policy, queue in (("ApprovalUndeliveredQueuePolicy", "ApprovalUndeliveredQueue"),
                          ("ApprovalQueuePolicy", "ApprovalQueue")):  # fmt: skip
        (statement,) = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
        assert resources[policy]["Properties"]["Queues"] == [{"Ref": queue}]
        assert (statement["Principal"], statement["Action"]) == (
            {"Service": "events.amazonaws.com"},
            ["sqs:SendMessage"],
        )
        assert statement["Resource"] == [{"Fn::GetAtt": [queue, "Arn"]}]
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rule_arns}}


def test_eventbridge_may_use_the_stack_key_as_awss_own_example_grants_it_with_no_condition(deploy: Deploy) -> None:
    """SQS Developer Guide, key management (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
    sqs-key-management.html): "To allow the AWS service to have the `kms:GenerateDataKey*` and `kms:Decrypt`
    permissions, add the following statement to the CMK policy." Its statement names the service principal and no
    condition; AWS does not say whether EventBridge's KMS request through SQS carries aws:SourceArn, and if it does not,
    a condition on it would deny every delivery (kept only in the undelivered queue, whose key is the same). The queue
    policies above name the rules that may write."""
    key = deploy(**ON).resources()["EncryptionKey"]["Properties"]["KeyPolicy"]
    (statement,) = [s for s in key["Statement"] if s["Sid"] == "EventBridgeWritesApprovalQueue"]
    assert statement == {"Sid": "EventBridgeWritesApprovalQueue", "Effect": "Allow",
                         "Principal": {"Service": "events.amazonaws.com"},
                         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": ["*"]}  # fmt: skip


def test_the_stack_status_rule_matches_only_the_ends_of_this_stacks_updates(deploy: Deploy) -> None:
    """CloudFormation User Guide, "Stack Status Change event detail" (https://docs.aws.amazon.com/AWSCloudFormation/
    latest/UserGuide/event-detail-stack-status-change.html): "The source and detail-type fields are included because
    they contain specific values for events." The rule reads only the fields that page documents (stack-id,
    status-details.status), and is tried on the event EventBridge delivered, moved to this stack."""
    rule = deploy(**ON).resources()["StackStatusRule"]["Properties"]
    assert (rule["Name"], rule["State"]) == (f"sagemaker-endpoint-{STACK_UUID}-status", "ENABLED")
    shape = documented()
    assert rule["EventPattern"]["detail"].keys() <= shape["detail"].keys()
    assert rule["EventPattern"]["detail"]["status-details"].keys() <= shape["detail"]["status-details"].keys()
    assert (rule["EventPattern"]["source"], rule["EventPattern"]["detail-type"]) == (
        [shape["source"]], [shape["detail-type"]]
    )  # fmt: skip
    pattern = EventPattern.load(json.dumps(rule["EventPattern"]))

    def matches(event: dict[str, Any]) -> bool:
        return bool(pattern.matches_event(cast(Any, event)))

    this_stack = STACK_ID.replace("churn", "ml-endpoint")
    ends = ("UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED")
    assert [s for s in ends if matches(stack_status_event(this_stack, s, token="approval-x"))] == list(ends)
    assert matches(stack_status_event(this_stack, "UPDATE_COMPLETE"))  # no token, as observed
    for status in ("UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "CREATE_COMPLETE", "DELETE_IN_PROGRESS"):
        assert not matches(stack_status_event(this_stack, status))
    assert not matches(stack_status_event(this_stack.replace("ml-endpoint", "other"), "UPDATE_COMPLETE"))


# Every way a change can fail to reach the endpoint, where it then is, and the alarm that tells the topic:
# (alarm, namespace, metric, dimension value, threshold).
HOPS = {
    "EventBridge could not deliver (kept)": ("ApprovalUndeliveredAlarm", "AWS/SQS",
        "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": ["ApprovalUndeliveredQueue", "QueueName"]}, 1),
    "kept undelivered for 10 of SQS's 14 days": ("ApprovalUndeliveredExpiringAlarm", "AWS/SQS",
        "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": ["ApprovalUndeliveredQueue", "QueueName"]}, 10 * 86400),
    "an approval's delivery failed for good": ("ApprovalRuleFailedInvocationsAlarm", "AWS/Events",
        "FailedInvocations", f"sagemaker-endpoint-{STACK_UUID}", 1),
    "an update's end could not be delivered": ("StackStatusRuleFailedInvocationsAlarm", "AWS/Events",
        "FailedInvocations", f"sagemaker-endpoint-{STACK_UUID}-status", 1),
    "nobody receives the queue's messages": ("ApprovalQueueStuckAlarm", "AWS/SQS",
        "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": ["ApprovalQueue", "QueueName"]}, 125 * 360 + 1800),
    "the updater could not apply it (kept)": ("ApprovalDeadLettersAlarm", "AWS/SQS",
        "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": ["ApprovalDeadLetterQueue", "QueueName"]}, 1),
    "kept as a dead letter for 10 of SQS's 14 days": ("ApprovalDeadLettersExpiringAlarm", "AWS/SQS",
        "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": ["ApprovalDeadLetterQueue", "QueueName"]}, 10 * 86400),
    "the updater failed or timed out": ("ApprovalUpdaterFailedInvocationsAlarm", "AWS/Lambda", "Errors",
        {"Ref": "ApprovalUpdaterFunction"}, 1),
}  # fmt: skip


DEAD_LETTER_QUEUES = ("ApprovalUndeliveredQueue", "ApprovalDeadLetterQueue")


@pytest.mark.parametrize("hop", HOPS, ids=HOPS.keys())
def test_each_way_a_change_can_fail_ends_in_an_alarm_that_tells_the_topic(deploy: Deploy, hop: str) -> None:
    """Nothing is lost on any hop (issue 24): what is kept is alarmed on while it is there and before SQS deletes it
    (SQS API Reference, CreateQueue: `MessageRetentionPeriod` "from 60 seconds (1 minute) to 1,209,600 seconds (14
    days)"); EventBridge User Guide, "Monitoring": "FailedInvocations: The number of invocations that failed
    permanently." (sent only when not zero: missing data is no failure); a timeout logs no `[ERROR]` line but is a
    Lambda `Errors` datapoint. SQS sends its metrics "only when the queue is active" (SQS Developer Guide, "Available
    CloudWatch metrics for Amazon SQS"), so an alarm on what a dead-letter queue keeps holds its state without data
    rather than go back to OK while the message is still there. A message older than the
    updater's retry window (125 receives, 360 s apart) is one nobody receives. A failed update reaches the updater
    through the stack status rule and is told by its error line (tests/custom_resource/test_approval_updater.py)."""
    title, namespace, metric, dimension, threshold = HOPS[hop]
    alarm = deploy(**ON, AlarmTopicArn=TOPIC).resources()[title]["Properties"]
    (only,) = alarm["Dimensions"]
    assert (alarm["Namespace"], alarm["MetricName"], only["Value"], alarm["Threshold"]) == (
        namespace, metric, dimension, threshold
    )  # fmt: skip
    kept_in_a_dead_letter_queue = dimension in [{"Fn::GetAtt": [q, "QueueName"]} for q in DEAD_LETTER_QUEUES]
    assert (alarm["ComparisonOperator"], alarm["EvaluationPeriods"], alarm["TreatMissingData"]) == (
        "GreaterThanOrEqualToThreshold", 1, "ignore" if kept_in_a_dead_letter_queue else "notBreaching"
    )  # fmt: skip
    assert alarm["Statistic"] == ("Maximum" if namespace == "AWS/SQS" else "Sum")
    assert (alarm["AlarmActions"], alarm["OKActions"]) == ([TOPIC], [TOPIC])
    assert threshold < 14 * 86400


def test_the_rule_names_fit_eventbridges_64_characters(deploy: Deploy) -> None:
    """botocore events `RuleName`: `"max": 64, "min": 1, "pattern": "[\\.\\-_A-Za-z0-9]+"`
    (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html)."""
    shape = events_model().shape_for("RuleName")
    for rule in ("ApprovalRule", "StackStatusRule"):
        name = deploy(**ON).resources()[rule]["Properties"]["Name"]
        assert len(name) <= shape.metadata["max"]
        assert re.fullmatch(shape.metadata["pattern"], name)


def test_the_updater_may_update_only_its_own_stack_through_the_deployment_role(deploy: Deploy) -> None:
    role = deploy(**ON).resources()["ApprovalUpdaterRole"]["Properties"]
    (policy,) = role["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["UpdateOwnStack"]["Action"] == [
        "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResource", "cloudformation:DescribeStacks",
        "cloudformation:UpdateStack",
    ]  # fmt: skip
    assert statements["UpdateOwnStack"]["Resource"] == [STACK_ID.replace("churn", "ml-endpoint")]
    passing = statements["PassDeploymentRoleToCloudFormation"]
    assert (passing["Action"], passing["Resource"]) == (["iam:PassRole"], [ROLE])
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
    assert statements["ReadApprovalQueue"]["Resource"] == [{"Fn::GetAtt": ["ApprovalQueue", "Arn"]}]
    assert statements["DeadLetterWhatNeedsAPerson"]["Action"] == ["sqs:SendMessage"]
    assert [a for s in statements.values() for a in s["Action"] if "*" in a] == []
    assert [s["Sid"] for s in statements.values() if "*" in json.dumps(s["Resource"]) and s["Sid"] not in
            ("ReadConfiguredModelPackageGroup", "DescribeEndpoints", "FindRetainedResources",
             "DescribeEndpointConfigs", "RemoveOwnRetainedResources")] == []  # fmt: skip
    assert (statements["DescribeEndpoints"]["Action"], statements["DescribeEndpoints"]["Resource"]) == (
        ["sagemaker:DescribeEndpoint"],
        ["arn:aws:sagemaker:eu-west-1:111122223333:endpoint/*"],
    )  # read only


# --- the updater's decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "serving", "newest", "action"),
    [
        ("Approved", "UPDATE_IN_PROGRESS", V3, V4, "retry"),
        ("Approved", "UPDATE_ROLLBACK_FAILED", V3, V4, "dead-letter"),
        ("Approved", "UPDATE_COMPLETE", V3, V4, "update"),
        ("Approved", "CREATE_COMPLETE", V4, V4, "ignore"),  # a burst: already the newest
        ("Rejected", "UPDATE_COMPLETE", V3, V3, "ignore"),  # rejected V4, which the endpoint does not serve
        ("Rejected", "UPDATE_COMPLETE", V4, V3, "update"),  # the served one: back to the newest still approved
        ("Rejected", "UPDATE_COMPLETE", V4, None, "ignore"),  # nothing approved left: keep serving
        ("Approved", "UPDATE_ROLLBACK_COMPLETE", V3, V4, "update"),  # a rolled-back update can be updated again
    ],
)
def test_each_registry_change_gets_the_right_decision(
    change: str, status: str, serving: str, newest: str | None, action: str
) -> None:
    assert decide(change, V4, status, serving, newest).action == action


@pytest.mark.parametrize("newest", [V3, None, V5], ids=["served-is-newest", "nothing-approved", "newer-approved"])
def test_a_rejection_of_a_version_the_endpoint_does_not_serve_is_ignored_for_that_reason(newest: str | None) -> None:
    """Whatever else the group holds, rejecting a version nobody serves changes nothing and pages nobody."""
    assert decide("Rejected", V4, "UPDATE_COMPLETE", V3, newest) == Decision(
        "ignore", f"{V4} was rejected, but the endpoint serves {V3}: nothing to do"
    )


def test_nothing_approved_left_is_an_error_a_person_reads() -> None:
    assert decide("Rejected", V4, "UPDATE_COMPLETE", V4, None) == Decision(
        "ignore",
        f"nothing in the group is Approved after Rejected of {V4}: the endpoint keeps serving {V4}; approve a "
        "version to deploy it",
        True,
    )


# --- the updater's calls -----------------------------------------------------------------------------------

SETTINGS = Settings(STACK_ID, ROLE, "churn", "https://sqs.eu-west-1.amazonaws.com/111122223333/q-dlq.fifo")
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def stack_description(status: str, serving: str) -> dict[str, Any]:
    names = ("VpcId", "PackageResolutionToken", "DeployOnApproval")
    return {"Stacks": [{
        "StackName": "churn", "StackId": STACK_ID, "CreationTime": NOW, "StackStatus": status,
        "Parameters": [{"ParameterKey": name, "ParameterValue": "x"} for name in names],
        "Outputs": [{"OutputKey": "ModelPackageArn", "OutputValue": serving}],
    }]}  # fmt: skip


@pytest.fixture
def stubs() -> tuple[dict[str, Any], dict[str, Stubber]]:
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    clients = {name: session.client(name) for name in ("cloudformation", "sagemaker", "sqs", "sns")}
    return clients, {name: Stubber(client) for name, client in clients.items()}


def by_service(clients: dict[str, Any]) -> Callable[..., Any]:
    """The updater's `clients(service[, region])` over one stubbed client per service."""
    return lambda service, _region=None: clients[service]


def the_updater_reads(stubbers: dict[str, Stubber], status: str, *, serving: str, newest: str) -> None:
    """What the updater reads first: its stack, then the group's newest Approved package."""
    stubbers["cloudformation"].add_response(
        "describe_stacks", stack_description(status, serving), {"StackName": STACK_ID}
    )
    newest_is(stubbers["sagemaker"], newest)


def newest_is(stubber: Stubber, arn: str) -> None:
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [{"ModelPackageArn": arn, "ModelPackageGroupName": "churn",
                                      "ModelPackageVersion": 4, "CreationTime": NOW,
                                      "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved"}]},
        {"ModelPackageGroupName": "churn", "ModelPackageType": "Versioned", "ModelApprovalStatus": "Approved",
         "SortBy": "CreationTime", "SortOrder": "Descending", "MaxResults": 1},
    )  # fmt: skip


def record(status: str) -> dict[str, Any]:
    return {"messageId": "m-1", "body": json.dumps(sagemaker_event(status)), "attributes": {"MessageGroupId": "churn"}}


def test_an_approval_updates_the_stack_with_the_previous_template_and_values_but_a_new_token(
    stubs: tuple[dict[str, Any], dict[str, Stubber]],
) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_COMPLETE", serving=V3, newest=V4)
    stubbers["cloudformation"].add_response("update_stack", {"StackId": STACK_ID}, {
        "StackName": STACK_ID, "UsePreviousTemplate": True, "RoleARN": ROLE, "Capabilities": ["CAPABILITY_IAM"],
        "Parameters": [{"ParameterKey": "VpcId", "UsePreviousValue": True},
                       {"ParameterKey": "DeployOnApproval", "UsePreviousValue": True},
                       {"ParameterKey": "PackageResolutionToken",
                        "ParameterValue": "approval-1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f"}],
        "ClientRequestToken": "approval-1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f",
    })  # fmt: skip
    with stubbers["cloudformation"], stubbers["sagemaker"]:
        decision = handle(record("Approved"), SETTINGS, by_service(clients))
    assert decision.action == "update"
    stubbers["cloudformation"].assert_no_pending_responses()


@pytest.mark.parametrize(
    ("message", "busy"),
    [("No updates are to be performed.", False),
     (f"Stack:{STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.", True)],
)  # fmt: skip
def test_an_identical_update_succeeds_and_a_busy_stack_means_later(
    stubs: tuple[dict[str, Any], dict[str, Stubber]], message: str, busy: bool
) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_COMPLETE", serving=V3, newest=V4)
    stubbers["cloudformation"].add_client_error("update_stack", "ValidationError", message)
    with stubbers["cloudformation"], stubbers["sagemaker"]:
        if busy:
            with pytest.raises(Busy):
                handle(record("Approved"), SETTINGS, by_service(clients))
        else:
            assert handle(record("Approved"), SETTINGS, by_service(clients)).action == "update"


@pytest.mark.parametrize(
    ("message", "failures"),
    [("No updates are to be performed.", []),
     (f"Stack:{STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.", [{"itemIdentifier": "m-1"}])],
)  # fmt: skip
def test_the_lambda_hands_a_busy_stacks_message_back_to_the_queue_and_deletes_the_others(
    stubs: tuple[dict[str, Any], dict[str, Stubber]],
    monkeypatch: pytest.MonkeyPatch,
    message: str,
    failures: list[dict[str, str]],
) -> None:
    """SQS redelivers only what the batch response names (ReportBatchItemFailures): a busy stack must be named, or
    the approval is lost; anything else is deleted from the queue."""
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_COMPLETE", serving=V3, newest=V4)
    stubbers["cloudformation"].add_client_error("update_stack", "ValidationError", message)
    for name, value in {"STACK_ID": STACK_ID, "DEPLOYMENT_ROLE_ARN": ROLE, "MODEL_PACKAGE_GROUP_NAME": "churn",
                        "DEAD_LETTER_QUEUE_URL": SETTINGS.dead_letter_queue_url}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(approval_updater, "_client", by_service(clients))
    with stubbers["cloudformation"], stubbers["sagemaker"]:
        answer = approval_updater.lambda_handler({"Records": [record("Approved")]}, None)
    assert answer == {"batchItemFailures": failures}


def test_a_stack_that_needs_a_person_gets_the_message_in_the_dead_letter_queue(
    stubs: tuple[dict[str, Any], dict[str, Stubber]],
) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_ROLLBACK_FAILED", serving=V3, newest=V4)
    message = record("Approved")
    stubbers["sqs"].add_response("send_message", {"MessageId": "d-1"}, {
        "QueueUrl": SETTINGS.dead_letter_queue_url, "MessageBody": message["body"], "MessageGroupId": "churn",
        "MessageDeduplicationId": "1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f",
    })  # fmt: skip
    with stubbers["cloudformation"], stubbers["sagemaker"], stubbers["sqs"]:
        decision = handle(message, SETTINGS, by_service(clients))
    assert (decision.action, decision.needs_attention) == ("dead-letter", True)
    stubbers["sqs"].assert_no_pending_responses()


TOPIC = "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts"


def test_a_stack_that_needs_a_person_publishes_exactly_one_message_with_the_fix_to_the_alarm_topic(
    stubs: tuple[dict[str, Any], dict[str, Stubber]],
) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_ROLLBACK_FAILED", serving=V3, newest=V4)
    message = record("Approved")
    stubbers["sqs"].add_response("send_message", {"MessageId": "d-1"})
    stubbers["sns"].add_response("publish", {"MessageId": "n-1"}, {
        "TopicArn": TOPIC,
        "Subject": "sagemaker-endpoint: stack churn needs a person",
        "Message": f"Stack: churn ({STACK_ID})\nModel package: {V4} (Approved)\nDecision: dead-letter\n"
                   "What happened and what to do: the stack is UPDATE_ROLLBACK_FAILED and needs a person: fix the "
                   "cause in the stack events, then `aws cloudformation continue-update-rollback`\n",
    })  # fmt: skip
    with stubbers["cloudformation"], stubbers["sagemaker"], stubbers["sqs"], stubbers["sns"]:
        handle(message, replace(SETTINGS, alarm_topic_arn=TOPIC), by_service(clients))
    stubbers["sns"].assert_no_pending_responses()


def test_a_decision_that_needs_nobody_publishes_nothing(stubs: tuple[dict[str, Any], dict[str, Stubber]]) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_COMPLETE", serving=V4, newest=V4)  # already served: nothing to do
    with stubbers["cloudformation"], stubbers["sagemaker"], stubbers["sns"]:  # no publish queued: one would fail
        decision = handle(record("Approved"), replace(SETTINGS, alarm_topic_arn=TOPIC), by_service(clients))
    assert (decision.action, decision.needs_attention) == ("ignore", False)


def test_the_updater_may_publish_to_the_alarm_topic_only_when_one_is_given(deploy: Deploy) -> None:
    def statements(**values: str) -> list[dict[str, Any]]:
        (policy,) = deploy(**ON, **values).resources()["ApprovalUpdaterRole"]["Properties"]["Policies"]
        return cast(list[dict[str, Any]], policy["PolicyDocument"]["Statement"])

    with_topic = statements(AlarmTopicArn=TOPIC)
    assert [s for s in with_topic if s["Sid"] == "TellAPersonThroughTheAlarmTopic"] == [
        {"Sid": "TellAPersonThroughTheAlarmTopic", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": [TOPIC]}
    ]
    assert not any("sns:" in json.dumps(s) for s in statements())
    env = deploy(**ON, AlarmTopicArn=TOPIC).resources()["ApprovalUpdaterFunction"]["Properties"]["Environment"]
    assert env["Variables"]["ALARM_TOPIC_ARN"] == TOPIC


def updater_statements(stack: Evaluator) -> list[dict[str, Any]]:
    (policy,) = stack.resources()["ApprovalUpdaterRole"]["Properties"]["Policies"]
    return cast(list[dict[str, Any]], policy["PolicyDocument"]["Statement"])


def iam_reference(service: str) -> dict[str, Any]:
    """cfn-lint's IAM data (from the Service Authorization Reference): each action's resource types, and each resource
    type's condition keys."""
    data = json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
    return cast(dict[str, Any], data[service])


def test_the_updater_may_delete_only_the_models_and_configs_tagged_with_its_own_stack(deploy: Deploy) -> None:
    """Service Authorization Reference for SageMaker (https://docs.aws.amazon.com/service-authorization/latest/
    reference/list_amazonsagemaker.html), as cfn-lint ships it in Policies.json: DeleteEndpointConfig acts on
    `endpoint-config`, DeleteModel on `model`, DescribeEndpointConfig on `endpoint-config`, and both types take the
    condition key `aws:ResourceTag/${TagKey}`; ListEndpointConfigs, ListModels and tag:GetResources take no resource
    type, so "*" is all they can name (they only read)."""
    sagemaker_iam = iam_reference("sagemaker")
    assert sagemaker_iam["Actions"]["deleteendpointconfig"]["Resources"] == ["endpoint-config"]
    assert sagemaker_iam["Actions"]["deletemodel"]["Resources"] == ["model"]
    assert sagemaker_iam["Actions"]["describeendpointconfig"]["Resources"] == ["endpoint-config"]
    for kind in ("endpoint-config", "model"):
        assert "aws:ResourceTag/${TagKey}" in sagemaker_iam["Resources"][kind]["ConditionKeys"]
    assert [sagemaker_iam["Actions"][a] for a in ("listendpointconfigs", "listmodels")] == [{}, {}]
    assert iam_reference("tag")["Actions"]["getresources"] == {}

    statements = updater_statements(deploy(**ON))
    by_sid = {s["Sid"]: s for s in statements}
    assert (by_sid["FindRetainedResources"]["Action"], by_sid["FindRetainedResources"]["Resource"]) == (
        ["tag:GetResources", "sagemaker:ListEndpointConfigs", "sagemaker:ListModels"], ["*"]
    )  # fmt: skip
    own_stack = STACK_ID.replace("churn", "ml-endpoint")
    config = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/endpointconfig-old1"
    model = "arn:aws:sagemaker:eu-west-1:111122223333:model/model-old1"
    tagged = {f"aws:ResourceTag/{STACK_TAG}": own_stack}
    others = {f"aws:ResourceTag/{STACK_TAG}": own_stack.replace("ml-endpoint", "other")}
    for action, arn in (("sagemaker:DeleteEndpointConfig", config), ("sagemaker:DeleteModel", model)):
        assert allows(statements, action, arn, tagged)
        assert not allows(statements, action, arn, others)
        assert not allows(statements, action, arn)  # untagged: never
        assert not allows(statements, action, arn.replace("eu-west-1", "us-east-1"), tagged)
    assert allows(statements, "sagemaker:DescribeEndpointConfig", config)
    assert not allows(
        statements, "sagemaker:DeleteEndpoint", "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/x", tagged
    )


def test_the_updater_may_use_an_alarm_topics_key_only_through_sns_and_only_with_a_topic(deploy: Deploy) -> None:
    """SNS Developer Guide, key management (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): "The
    publisher must have the `kms:GenerateDataKey` and `kms:Decrypt` permissions for the AWS KMS key." The topic's key
    is not known to the template (it may be another account's): any key, but only in requests SNS makes for the role
    (kms:ViaService); the key's policy must allow the role too (docs/operations.md)."""
    statements = updater_statements(deploy(**ON, AlarmTopicArn=TOPIC))
    (key_use,) = [s for s in statements if s["Sid"] == "UseAlarmTopicKeyThroughSns"]
    assert key_use == {"Sid": "UseAlarmTopicKeyThroughSns", "Effect": "Allow",
                       "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": ["*"],
                       "Condition": {"StringEquals": {"kms:ViaService": "sns.eu-west-1.amazonaws.com"}}}  # fmt: skip
    key = "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert allows(statements, "kms:GenerateDataKey", key, {"kms:ViaService": "sns.eu-west-1.amazonaws.com"})
    assert not allows(statements, "kms:GenerateDataKey", key, {"kms:ViaService": "s3.eu-west-1.amazonaws.com"})
    assert not any(s["Sid"] == "UseAlarmTopicKeyThroughSns" for s in updater_statements(deploy(**ON)))


def test_the_updater_logs_an_endpoint_that_sagemaker_rolled_back_by_itself(
    stubs: tuple[dict[str, Any], dict[str, Stubber]], caplog: pytest.LogCaptureFixture
) -> None:
    clients, stubbers = stubs
    described = stack_description("UPDATE_COMPLETE", V4)
    described["Stacks"][0]["Outputs"].append({"OutputKey": "EndpointName", "OutputValue": "churn-prod"})
    stubbers["cloudformation"].add_response("describe_stacks", described, {"StackName": STACK_ID})
    stubbers["cloudformation"].add_response(
        "describe_stack_resource",
        {
            "StackResourceDetail": {
                "LogicalResourceId": "EndpointConfig",
                "PhysicalResourceId": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint-config/config-2",
                "ResourceType": "AWS::SageMaker::EndpointConfig",
                "LastUpdatedTimestamp": NOW,
                "ResourceStatus": "UPDATE_COMPLETE",
            }
        },
        {"StackName": STACK_ID, "LogicalResourceId": "EndpointConfig"},
    )
    stubbers["sagemaker"].add_response("describe_endpoint", {
        "EndpointName": "churn-prod", "EndpointArn": "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn-prod",
        "EndpointConfigName": "config-1", "EndpointStatus": "InService", "CreationTime": NOW, "LastModifiedTime": NOW,
    }, {"EndpointName": "churn-prod"})  # fmt: skip
    newest_is(stubbers["sagemaker"], V4)
    with stubbers["cloudformation"], stubbers["sagemaker"], caplog.at_level("ERROR"):
        decision = handle(record("Approved"), SETTINGS, by_service(clients))
    assert decision.action == "ignore"  # the stack says V4; what to do about it is a person's call
    assert caplog.messages == [
        "check: endpoint churn-prod serves config-1, not the stack's config-2: SageMaker rolled the last update back "
        "by itself (a rollback alarm or a failed health check); the stack's ModelPackageArn output is not what is "
        "served"
    ]


def test_a_stackset_instance_is_never_updated_by_its_updater_and_a_person_is_told(
    stubs: tuple[dict[str, Any], dict[str, Stubber]],
) -> None:
    """An update here would drift the instance from its StackSet; CloudFormation names instances StackSet-..."""
    clients, stubbers = stubs
    described = stack_description("UPDATE_COMPLETE", V3)
    described["Stacks"][0]["StackName"] = "StackSet-churn-fleet-5b1c9a40"
    stubbers["cloudformation"].add_response("describe_stacks", described, {"StackName": STACK_ID})
    newest_is(stubbers["sagemaker"], V4)
    with stubbers["cloudformation"], stubbers["sagemaker"]:  # no update_stack queued: one would fail the test
        decision = handle(record("Approved"), SETTINGS, by_service(clients))
    assert (decision.action, decision.needs_attention) == ("ignore", True)
    assert decision.reason.startswith("stack StackSet-churn-fleet-5b1c9a40 belongs to a StackSet")
