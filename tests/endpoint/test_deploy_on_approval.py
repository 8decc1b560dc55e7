"""Deploy on approval, offline: the Rules that guard it, the rule's event pattern (moto's EventBridge matcher),
the updater's permissions, and the updater's decisions and exact API calls (botocore Stubber)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

import boto3
import pytest
from botocore.stub import Stubber
from moto.events.models import EventPattern

from custom_resource import approval_updater
from custom_resource.approval_updater import Busy, Decision, Settings, decide, handle
from tests.support.inputs import ARN_MODE, GROUP_MODE
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
ROLE = "arn:aws:iam::111122223333:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
ON = {**GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ROLE}
STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
EVENT_ID = "1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f"
V3, V4, V5 = (f"arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/{v}" for v in (3, 4, 5))
APPROVAL_RESOURCES = {
    "ApprovalRule", "ApprovalQueue", "ApprovalQueuePolicy", "ApprovalDeadLetterQueue", "ApprovalUpdaterLogGroup",
    "ApprovalUpdaterRole", "ApprovalUpdaterFunction", "ApprovalQueueToUpdater", "ApprovalDeadLettersAlarm",
}  # fmt: skip


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


def test_the_queue_is_fifo_encrypted_deduplicated_by_event_and_outlasts_the_longest_update(deploy: Deploy) -> None:
    resources = deploy(**ON).resources()
    queue = resources["ApprovalQueue"]["Properties"]
    assert (queue["FifoQueue"], queue["ContentBasedDeduplication"]) == (True, False)
    assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ApprovalDeadLetterQueue", "Arn"]}
    longest_update = 28800 + 3600  # the largest DeploymentTimeoutSeconds and DeploymentBakeSeconds
    assert queue["VisibilityTimeout"] * redrive["maxReceiveCount"] > longest_update
    (target,) = resources["ApprovalRule"]["Properties"]["Targets"]
    assert target["SqsParameters"] == {"MessageGroupId": "ml-endpoint"}  # one message group: the stack
    mapping = resources["ApprovalQueueToUpdater"]["Properties"]
    assert (mapping["BatchSize"], mapping["FunctionResponseTypes"]) == (1, ["ReportBatchItemFailures"])


def test_the_updater_may_update_only_its_own_stack_through_the_deployment_role(deploy: Deploy) -> None:
    role = deploy(**ON).resources()["ApprovalUpdaterRole"]["Properties"]
    (policy,) = role["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["UpdateOwnStack"]["Action"] == [
        "cloudformation:DescribeStackResource", "cloudformation:DescribeStacks", "cloudformation:UpdateStack",
    ]  # fmt: skip
    assert statements["UpdateOwnStack"]["Resource"] == [STACK_ID.replace("churn", "ml-endpoint")]
    passing = statements["PassDeploymentRoleToCloudFormation"]
    assert (passing["Action"], passing["Resource"]) == (["iam:PassRole"], [ROLE])
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
    assert statements["ReadApprovalQueue"]["Resource"] == [{"Fn::GetAtt": ["ApprovalQueue", "Arn"]}]
    assert statements["DeadLetterWhatNeedsAPerson"]["Action"] == ["sqs:SendMessage"]
    assert [a for s in statements.values() for a in s["Action"] if "*" in a] == []
    assert [s["Sid"] for s in statements.values() if "*" in json.dumps(s["Resource"]) and s["Sid"] not in
            ("ReadConfiguredModelPackageGroup", "DescribeEndpoints")] == []  # fmt: skip
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
        {"ModelPackageGroupName": "churn", "ModelApprovalStatus": "Approved", "SortBy": "CreationTime",
         "SortOrder": "Descending", "MaxResults": 1},
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
        decision = handle(record("Approved"), SETTINGS, clients.__getitem__)
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
                handle(record("Approved"), SETTINGS, clients.__getitem__)
        else:
            assert handle(record("Approved"), SETTINGS, clients.__getitem__).action == "update"


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
    monkeypatch.setattr(approval_updater, "_client", clients.__getitem__)
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
        decision = handle(message, SETTINGS, clients.__getitem__)
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
        handle(message, replace(SETTINGS, alarm_topic_arn=TOPIC), clients.__getitem__)
    stubbers["sns"].assert_no_pending_responses()


def test_a_decision_that_needs_nobody_publishes_nothing(stubs: tuple[dict[str, Any], dict[str, Stubber]]) -> None:
    clients, stubbers = stubs
    the_updater_reads(stubbers, "UPDATE_COMPLETE", serving=V4, newest=V4)  # already served: nothing to do
    with stubbers["cloudformation"], stubbers["sagemaker"], stubbers["sns"]:  # no publish queued: one would fail
        decision = handle(record("Approved"), replace(SETTINGS, alarm_topic_arn=TOPIC), clients.__getitem__)
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
        decision = handle(record("Approved"), SETTINGS, clients.__getitem__)
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
        decision = handle(record("Approved"), SETTINGS, clients.__getitem__)
    assert (decision.action, decision.needs_attention) == ("ignore", True)
    assert decision.reason.startswith("stack StackSet-churn-fleet-5b1c9a40 belongs to a StackSet")
