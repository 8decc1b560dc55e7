"""The approval updater beyond a plain approval: the ends of its stack's updates (CloudFormation's Stack Status Change
events), the stack states that need a person, a token CloudFormation already knows, and telling a person through
the alarm topic. Exact calls on botocore Stubbers, so every request matches the API models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, cast

import boto3
import botocore.session
import pytest
from botocore.model import StringShape
from botocore.stub import ANY, Stubber

from custom_resource import approval_updater
from custom_resource.approval_updater import NEEDS_A_PERSON, Decision, Settings, decide, handle, token
from custom_resource.contract import STACK_TAG
from tests.support.stack_status_events import stack_status_event

REGION, ACCOUNT = "eu-west-1", "111122223333"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
TOPIC = "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts"
SETTINGS = Settings(STACK_ID, ROLE, "churn", f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q-dlq.fifo", TOPIC)
V3, V4 = (f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/{v}" for v in (3, 4))
EVENT_ID = "1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f"
CREATED = datetime(2026, 11, 1, tzinfo=UTC)
# CloudFormation names keep their capitals; SageMaker writes them in lower case in ARNs.
SERVED, OLD = "EndpointConfig-New3", "EndpointConfig-Old1"
SERVICES = ("cloudformation", "sagemaker", "sqs", "sns", "resourcegroupstaggingapi")


class Aws:
    """One stubbed client per service; `clients(service, region)` as the updater asks, each request remembered."""

    def __init__(self) -> None:
        session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        self.clients = {name: session.client(name) for name in SERVICES}  # type: ignore[call-overload]
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, service: str, region: str | None = None) -> Any:
        self.asked.append((service, region))
        return self.clients[service]


@pytest.fixture
def aws() -> Iterator[Aws]:
    stubbed = Aws()
    for stub in stubbed.stubs.values():
        stub.activate()
    yield stubbed
    for stub in stubbed.stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


def record(body: dict[str, Any]) -> dict[str, Any]:
    return {"messageId": "m-1", "body": json.dumps(body), "attributes": {"MessageGroupId": "stack"}}


def approval(status: str = "Approved", event_id: str = EVENT_ID) -> dict[str, Any]:
    detail = {"ModelPackageGroupName": "churn", "ModelPackageArn": V4, "ModelApprovalStatus": status}
    return {"version": "0", "id": event_id, "detail-type": "SageMaker Model Package State Change",
            "source": "aws.sagemaker", "account": ACCOUNT, "region": REGION, "resources": [V4],
            "detail": detail}  # fmt: skip


def stack(status: str, name: str = "churn", endpoint: str | None = None) -> dict[str, Any]:
    outputs = [{"OutputKey": "ModelPackageArn", "OutputValue": V3}]
    if endpoint:
        outputs.append({"OutputKey": "EndpointName", "OutputValue": endpoint})
    return {"Stacks": [{"StackName": name, "StackId": STACK_ID, "CreationTime": CREATED, "StackStatus": status,
                        "Parameters": [{"ParameterKey": "PackageResolutionToken", "ParameterValue": "t"}],
                        "Outputs": outputs}]}  # fmt: skip


def newest(aws: Aws, arn: str) -> None:
    aws.stubs["sagemaker"].add_response("list_model_packages", {"ModelPackageSummaryList": [
        {"ModelPackageArn": arn, "ModelPackageGroupName": "churn", "ModelPackageVersion": 4, "CreationTime": CREATED,
         "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved"}]})  # fmt: skip


def published(aws: Aws, subject: str, message: object) -> None:
    aws.stubs["sns"].add_response("publish", {"MessageId": "n-1"}, {"TopicArn": TOPIC, "Subject": subject,
                                                                      "Message": message})  # fmt: skip


# --- the stack states that need a person --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["CREATE_FAILED", "IMPORT_ROLLBACK_FAILED"])
def test_a_failed_create_or_import_rollback_needs_a_person_and_is_never_retried_as_busy(status: str) -> None:
    """botocore cloudformation `StackStatus` (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/
    API_Stack.html) lists CREATE_FAILED and IMPORT_ROLLBACK_FAILED: settled states UpdateStack refuses ("can not be
    updated"), which read as busy would be retried for 12.5 hours before anyone heard of them."""
    decision = decide("Approved", V4, status, V3, V4)
    assert (decision.action, decision.needs_attention) == ("dead-letter", True)
    assert decision.reason == f"the stack is {status} and needs a person: {NEEDS_A_PERSON[status]}"


def test_every_failed_or_rolled_back_state_of_the_api_needs_a_person() -> None:
    """Every StackStatus of the model that ends in _FAILED, and ROLLBACK_COMPLETE (a failed create), is listed."""
    shape = botocore.session.get_session().get_service_model("cloudformation").shape_for("StackStatus")
    statuses = cast(StringShape, shape).enum
    settled_failures = {s for s in statuses if s.endswith("_FAILED")} | {"ROLLBACK_COMPLETE"}
    assert settled_failures == set(NEEDS_A_PERSON)


# --- a token CloudFormation already knows ---------------------------------------------------------------------


def test_an_update_whose_token_cloudformation_already_knows_was_applied_and_is_ignored(aws: Aws) -> None:
    """botocore cloudformation UpdateStack's errors include TokenAlreadyExistsException ("A client request token
    already exists."): the same event delivered again (SQS is at least once) or redriven already started its update.
    Raised, it would fail the message 125 times into the dead-letter queue."""
    aws.stubs["cloudformation"].add_response(
        "describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE"), {"StackName": STACK_ID}
    )
    newest(aws, V4)
    aws.stubs["cloudformation"].add_client_error("update_stack", "TokenAlreadyExistsException", "exists")
    decision = handle(record(approval()), SETTINGS, aws)
    assert decision == Decision(
        "ignore", f"this event was already applied: UpdateStack knows its token approval-{EVENT_ID}"
    )


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [(EVENT_ID, f"approval-{EVENT_ID}"), ("id/with+odd=chars", "approval-1af84c9692bd35b60b4a3487eaa0e58dd13ddfd0"),
     ("x" * 200, None)],
)  # fmt: skip
def test_the_update_token_always_fits_cloudformations_pattern(event_id: str, expected: str | None) -> None:
    """botocore cloudformation `ClientRequestToken`: `"max": 128, "min": 1, "pattern": "[a-zA-Z0-9][-a-zA-Z0-9]*"`.
    EventBridge documents an event id as unique, not its alphabet: an id that would not fit becomes a digest."""
    shape = botocore.session.get_session().get_service_model("cloudformation").shape_for("ClientRequestToken")
    made = token(event_id)
    assert len(made) <= shape.metadata["max"]
    assert re.fullmatch(shape.metadata["pattern"], made)
    if expected is not None:
        assert made == expected
    assert token(event_id) == made  # the same event, the same token: CloudFormation recognises a repeat


# --- telling a person ---------------------------------------------------------------------------------------


def test_the_subject_stays_under_snss_100_characters_for_the_longest_stack_name(aws: Aws) -> None:
    """botocore sns `PublishInput.Subject` (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): "Subjects
    must be UTF-8 text with no line breaks or control characters, and less than 100 characters long." A stack name may
    have 128 characters."""
    name = "n" * 128
    aws.stubs["cloudformation"].add_response(
        "describe_stacks", stack("UPDATE_ROLLBACK_FAILED", name), {"StackName": STACK_ID}
    )
    newest(aws, V4)
    aws.stubs["sqs"].add_response("send_message", {"MessageId": "d-1"})
    subject = f"sagemaker-endpoint: stack {name}"[:99]
    aws.stubs["sns"].add_response("publish", {"MessageId": "n-1"}, {"TopicArn": TOPIC, "Subject": subject,
                                                                      "Message": ANY})  # fmt: skip
    handle(record(approval()), SETTINGS, aws)
    assert len(subject) == 99


def test_the_alarm_topic_is_published_to_from_a_client_of_the_topics_own_region(aws: Aws) -> None:
    """An SNS client publishes to topics of its own Region (SNS API Reference, Publish: `TopicArn` "The topic you want
    to publish to"; the endpoint is Regional): the client is made for the Region the topic's ARN names."""
    elsewhere = replace(SETTINGS, alarm_topic_arn=TOPIC.replace("eu-west-1", "us-east-1"))
    the_stack_events_say(aws, *LAST_UPDATE)
    aws.stubs["sns"].add_response("publish", {"MessageId": "n-1"})
    handle(record(stack_status_event(STACK_ID, "UPDATE_ROLLBACK_FAILED", reason="r")), elsewhere, aws)
    assert ("sns", "us-east-1") in aws.asked


def test_a_failed_publish_is_logged_as_an_error_and_the_dead_letter_is_still_kept(
    aws: Aws, caplog: pytest.LogCaptureFixture
) -> None:
    """SNS Publish can answer KMSAccessDeniedException (a topic key that does not allow the updater): the message has
    been dead-lettered already, and the error line is what the updater's error alarm counts, so nothing is lost."""
    aws.stubs["cloudformation"].add_response(
        "describe_stacks", stack("UPDATE_ROLLBACK_FAILED"), {"StackName": STACK_ID}
    )
    newest(aws, V4)
    aws.stubs["sqs"].add_response("send_message", {"MessageId": "d-1"})
    aws.stubs["sns"].add_client_error("publish", "KMSAccessDeniedException", "no access to the key")
    with caplog.at_level("ERROR"):
        decision = handle(record(approval()), SETTINGS, aws)
    assert (decision.action, decision.needs_attention) == ("dead-letter", True)
    assert caplog.messages[0].startswith(f"could not publish to {TOPIC} (An error occurred (KMSAccessDeniedException)")


# --- the end of an update -------------------------------------------------------------------------------------


def stack_event(logical_id: str, status: str, reason: str = "") -> dict[str, Any]:
    """One of the stack's events as DescribeStackEvents answers it; the stack's own carry its id as physical id."""
    physical = STACK_ID if logical_id == "churn" else f"{logical_id}-physical"
    return {"StackId": STACK_ID, "EventId": f"{logical_id}-{status}", "StackName": "churn", "Timestamp": CREATED,
            "LogicalResourceId": logical_id, "PhysicalResourceId": physical, "ResourceType": "AWS::X::Y",
            "ResourceStatus": status, "ResourceStatusReason": reason}  # fmt: skip


def the_stack_events_say(aws: Aws, *events: dict[str, Any]) -> None:
    aws.stubs["cloudformation"].add_response(
        "describe_stack_events", {"StackEvents": list(events)}, {"StackName": STACK_ID}
    )


# The last update's events, newest first: the resolver failed first (the cause), the Endpoint was then cancelled.
RESOLVER_FAILED = "Model package group 'churn' has no Approved model package: approve a version."
LAST_UPDATE = [
    stack_event("churn", "UPDATE_ROLLBACK_COMPLETE"),
    stack_event("churn", "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Endpoint]."),
    stack_event("Endpoint", "UPDATE_FAILED", "Resource update cancelled"),
    stack_event("LatestApprovedModelPackage", "UPDATE_FAILED", RESOLVER_FAILED),
    stack_event("LatestApprovedModelPackage", "UPDATE_IN_PROGRESS"),
    stack_event("churn", "UPDATE_IN_PROGRESS", "User Initiated"),
    stack_event("Model", "CREATE_FAILED", "an older operation's failure"),
]


@pytest.mark.parametrize(
    ("status", "fix"),
    [("UPDATE_ROLLBACK_COMPLETE", approval_updater.AFTER_ROLLBACK),
     ("UPDATE_ROLLBACK_FAILED", NEEDS_A_PERSON["UPDATE_ROLLBACK_FAILED"]),
     ("UPDATE_FAILED", NEEDS_A_PERSON["UPDATE_FAILED"])],
)  # fmt: skip
def test_an_update_that_failed_is_told_to_a_person_naming_the_stack_the_approval_and_the_first_failure(
    aws: Aws, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, status: str, fix: str
) -> None:
    """UpdateStack only starts an update (CloudFormation API Reference, UpdateStack: "After the call completes
    successfully, the stack update starts."): its end arrives as a Stack Status Change event, whose
    `client-request-token` ties it to the approval's update (CloudFormation User Guide, "Stack Status Change event
    detail": "All events that are initiated by a given stack operation are assigned the same client request token").
    The cause is the first resource that failed in that operation (DescribeStackEvents lists events newest first)."""
    event = stack_status_event(STACK_ID, status, token=f"approval-{EVENT_ID}")
    the_stack_events_say(aws, *LAST_UPDATE)
    cause = f"LatestApprovedModelPackage UPDATE_FAILED: {RESOLVER_FAILED}"
    what = f"the update for approval event {EVENT_ID} ended {status} ({cause}): {fix}"
    published(aws, "sagemaker-endpoint: stack churn needs a person",
              f"Stack: churn ({STACK_ID})\nStack status: {status}\nDecision: tell-a-person\n"
              f"What happened and what to do: {what}\n")  # fmt: skip
    environment = {"STACK_ID": STACK_ID, "DEPLOYMENT_ROLE_ARN": ROLE, "MODEL_PACKAGE_GROUP_NAME": "churn",
                   "DEAD_LETTER_QUEUE_URL": SETTINGS.dead_letter_queue_url, "ALARM_TOPIC_ARN": TOPIC}  # fmt: skip
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(approval_updater, "_client", aws)
    with caplog.at_level("ERROR"):
        answer = approval_updater.lambda_handler({"Records": [record(event)]}, None)
    assert answer == {"batchItemFailures": []}
    assert caplog.records[-1].levelname == "ERROR"  # what ApprovalUpdaterErrorsAlarm counts
    assert caplog.messages[-1] == f"tell-a-person: {what} (message m-1)"


@pytest.mark.parametrize(("reason", "said"), [("", "no reason given"), ("Stack reason.", "Stack reason.")])
def test_an_update_that_failed_without_a_token_or_a_failed_resource_is_still_told(
    aws: Aws, reason: str, said: str
) -> None:
    """The event EventBridge delivered carried neither a token nor a reason (tests/fixtures/events): both optional;
    with no failed resource in the stack's events, the event's own reason is what there is."""
    the_stack_events_say(
        aws, stack_event("churn", "UPDATE_ROLLBACK_COMPLETE"), stack_event("churn", "UPDATE_IN_PROGRESS")
    )
    aws.stubs["sns"].add_response("publish", {"MessageId": "n-1"})
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_ROLLBACK_COMPLETE", reason=reason)), SETTINGS, aws)
    fix = approval_updater.AFTER_ROLLBACK
    assert decision == Decision(
        "tell-a-person", f"the last update ended UPDATE_ROLLBACK_COMPLETE ({said}): {fix}", True
    )


def test_another_stacks_status_change_is_ignored_without_a_call(aws: Aws) -> None:
    other = STACK_ID.replace("churn", "other")
    decision = handle(record(stack_status_event(other, "UPDATE_ROLLBACK_COMPLETE")), SETTINGS, aws)
    assert (decision.action, aws.asked) == ("ignore", [])


def the_stack_says(aws: Aws, physical_id: str, served: str, endpoint_status: str = "InService") -> None:
    """The stack (UPDATE_COMPLETE, endpoint churn-ep), its EndpointConfig resource, and what the endpoint serves."""
    cloudformation, sagemaker = aws.stubs["cloudformation"], aws.stubs["sagemaker"]
    cloudformation.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", endpoint="churn-ep"), {"StackName": STACK_ID}
    )
    cloudformation.add_response("describe_stack_resource", {"StackResourceDetail": {
        "LogicalResourceId": "EndpointConfig", "PhysicalResourceId": physical_id, "LastUpdatedTimestamp": CREATED,
        "ResourceType": "AWS::SageMaker::EndpointConfig", "ResourceStatus": "UPDATE_COMPLETE",
    }}, {"StackName": STACK_ID, "LogicalResourceId": "EndpointConfig"})  # fmt: skip
    sagemaker.add_response("describe_endpoint", {
        "EndpointName": "churn-ep", "EndpointArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/churn-ep",
        "EndpointConfigName": served, "EndpointStatus": endpoint_status, "CreationTime": CREATED,
        "LastModifiedTime": CREATED,
    }, {"EndpointName": "churn-ep"})  # fmt: skip


def sagemaker_arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name.lower()}"


def the_stack_retained(aws: Aws, *configs: str) -> None:
    """What custom_resource.retained reads: the served config's model, the tagged ARNs, and the listings."""
    sagemaker = aws.stubs["sagemaker"]
    sagemaker.add_response("describe_endpoint", {
        "EndpointName": "churn-ep", "EndpointArn": sagemaker_arn("endpoint", "churn-ep"), "EndpointConfigName": SERVED,
        "EndpointStatus": "InService", "CreationTime": CREATED, "LastModifiedTime": CREATED,
    }, {"EndpointName": "churn-ep"})  # fmt: skip
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": SERVED, "EndpointConfigArn": sagemaker_arn("endpoint-config", SERVED),
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": f"Model-{SERVED}"}], "CreationTime": CREATED,
    }, {"EndpointConfigName": SERVED})  # fmt: skip
    arns = [sagemaker_arn(kind, f"{prefix}{c}") for c in configs for kind, prefix in
            (("endpoint-config", ""), ("model", "Model-"))]  # fmt: skip
    aws.stubs["resourcegroupstaggingapi"].add_response(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": a, "Tags": [{"Key": STACK_TAG, "Value": STACK_ID}]} for a in arns]},
        {"TagFilters": [{"Key": STACK_TAG, "Values": [STACK_ID]}],
         "ResourceTypeFilters": ["sagemaker:endpoint-config", "sagemaker:model"]},
    )  # fmt: skip
    sagemaker.add_response("list_endpoint_configs", {"EndpointConfigs": [
        {"EndpointConfigName": c, "EndpointConfigArn": sagemaker_arn("endpoint-config", c), "CreationTime": CREATED}
        for c in configs]}, {"CreationTimeAfter": CREATED})  # fmt: skip
    sagemaker.add_response("list_models", {"Models": [
        {"ModelName": f"Model-{c}", "ModelArn": sagemaker_arn("model", f"Model-{c}"), "CreationTime": CREATED}
        for c in configs]}, {"CreationTimeAfter": CREATED})  # fmt: skip


@pytest.mark.parametrize("physical_id", [sagemaker_arn("endpoint-config", SERVED), SERVED], ids=["arn", "name"])
def test_a_completed_update_the_endpoint_serves_removes_only_what_the_stack_retained_and_nothing_served(
    aws: Aws, physical_id: str
) -> None:
    """The stack's EndpointConfig physical id may be an ARN, in which SageMaker lower-cases the name
    (custom_resource.retained): `endpointconfig-new3` and the served `EndpointConfig-New3` are the same config. Only
    then is the old, retained config removed, by the exact name SageMaker lists."""
    the_stack_says(aws, physical_id, SERVED)
    the_stack_retained(aws, OLD, SERVED)
    aws.stubs["sagemaker"].add_response("delete_endpoint_config", {}, {"EndpointConfigName": OLD})
    aws.stubs["sagemaker"].add_response("delete_model", {}, {"ModelName": f"Model-{OLD}"})
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert decision == Decision(
        "clean-up",
        f"endpoint churn-ep serves the stack's {SERVED}: removed configs ['{OLD}'] and models ['Model-{OLD}']",
    )


def test_a_completed_update_the_endpoint_does_not_serve_is_told_and_removes_nothing(aws: Aws) -> None:
    """SageMaker rolled the update back by itself while CloudFormation completed: the config the endpoint runs on is
    one the stack retained, so nothing may be removed, and a person must know what is really served."""
    the_stack_says(aws, sagemaker_arn("endpoint-config", SERVED), OLD)
    published(aws, "sagemaker-endpoint: stack churn needs a person", ANY)
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert (decision.action, decision.needs_attention) == ("tell-a-person", True)
    assert decision.reason == (
        f"the update completed, but endpoint churn-ep serves {OLD}, not the stack's {SERVED.lower()}: SageMaker rolled "
        "the last update back by itself (a rollback alarm or a failed health check); the stack's ModelPackageArn "
        "output is not what is served; nothing retained is removed"
    )


def test_a_completed_update_overtaken_by_another_operation_waits_for_that_ones_end(aws: Aws) -> None:
    """The endpoint may be moving to another config: removing now could take what the new update made."""
    described = stack("UPDATE_IN_PROGRESS", endpoint="churn-ep")
    aws.stubs["cloudformation"].add_response("describe_stacks", described, {"StackName": STACK_ID})
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert decision == Decision(
        "ignore", "the stack is UPDATE_IN_PROGRESS again: the end of that update is checked next"
    )
    assert [service for service, _ in aws.asked] == ["cloudformation"]


# --- an inference component's stack ------------------------------------------------------------------------------
COMPONENT = "churn-ic"
STACK_MODEL, OLD_MODEL = "Model-New4", "Model-Old3"


def the_component_stack_says(aws: Aws, served: str, status: str = "InService") -> None:
    """The component stack (UPDATE_COMPLETE; its InferenceComponentName output tells it from an endpoint's), its
    Model resource (physical id: an ARN), and what DescribeInferenceComponent says the component serves."""
    outputs = [{"OutputKey": "InferenceComponentName", "OutputValue": COMPONENT},
               {"OutputKey": "EndpointName", "OutputValue": "shared"}]  # fmt: skip
    described = stack("UPDATE_COMPLETE")
    described["Stacks"][0]["Outputs"] += outputs
    aws.stubs["cloudformation"].add_response("describe_stacks", described, {"StackName": STACK_ID})
    aws.stubs["cloudformation"].add_response("describe_stack_resource", {"StackResourceDetail": {
        "LogicalResourceId": "Model", "PhysicalResourceId": sagemaker_arn("model", STACK_MODEL),
        "LastUpdatedTimestamp": CREATED, "ResourceType": "AWS::SageMaker::Model", "ResourceStatus": "UPDATE_COMPLETE",
    }}, {"StackName": STACK_ID, "LogicalResourceId": "Model"})  # fmt: skip
    aws.stubs["sagemaker"].add_response("describe_inference_component", {
        "InferenceComponentName": COMPONENT, "InferenceComponentArn": sagemaker_arn("inference-component", COMPONENT),
        "EndpointName": "shared", "EndpointArn": sagemaker_arn("endpoint", "shared"), "VariantName": "AllTraffic",
        "Specification": {"ModelName": served}, "CreationTime": CREATED, "LastModifiedTime": CREATED,
        "InferenceComponentStatus": status,
    }, {"InferenceComponentName": COMPONENT})  # fmt: skip


def test_a_completed_component_update_it_serves_removes_only_the_models_the_stack_retained_but_the_served(
    aws: Aws,
) -> None:
    """The component serves the stack's Model (the physical id is an ARN, its name lower-cased): the Model the stack
    kept on replacement (UpdateReplacePolicy Retain, tagged with the stack's id) goes, by the exact name SageMaker
    lists; no endpoint config is touched (a component's stack has none)."""
    the_component_stack_says(aws, STACK_MODEL)
    arns = [sagemaker_arn("model", m) for m in (STACK_MODEL, OLD_MODEL)]
    aws.stubs["resourcegroupstaggingapi"].add_response(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": a, "Tags": [{"Key": STACK_TAG, "Value": STACK_ID}]} for a in arns]},
        {"TagFilters": [{"Key": STACK_TAG, "Values": [STACK_ID]}],
         "ResourceTypeFilters": ["sagemaker:endpoint-config", "sagemaker:model"]},
    )  # fmt: skip
    aws.stubs["sagemaker"].add_response("list_models", {"Models": [
        {"ModelName": m, "ModelArn": sagemaker_arn("model", m), "CreationTime": CREATED}
        for m in (STACK_MODEL, OLD_MODEL)]}, {"CreationTimeAfter": CREATED})  # fmt: skip
    aws.stubs["sagemaker"].add_response("delete_model", {}, {"ModelName": OLD_MODEL})
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert decision == Decision(
        "clean-up", f"component {COMPONENT} serves the stack's model {STACK_MODEL}: removed models ['{OLD_MODEL}']"
    )


def test_a_completed_component_update_rolled_back_by_its_alarms_is_told_and_removes_nothing(aws: Aws) -> None:
    """ "If any alarms are tripped during a deployment, SageMaker rolls back the deployment." (AutoRollbackConfig):
    the component is back on the Model the stack retained, so nothing may be removed and a person must know."""
    the_component_stack_says(aws, OLD_MODEL)
    published(aws, "sagemaker-endpoint: stack churn needs a person", ANY)
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert (decision.action, decision.needs_attention) == ("tell-a-person", True)
    assert decision.reason == (
        f"the update completed, but component {COMPONENT} serves model {OLD_MODEL}, not the stack's "
        f"{STACK_MODEL.lower()}: SageMaker rolled the last update back by itself (a rollback alarm); the stack's "
        "ModelPackageArn output is not what is served; nothing retained is removed"
    )


def test_a_completed_component_update_still_updating_removes_nothing_yet(aws: Aws) -> None:
    """While the component is Updating, copies of the older model may still serve: nothing is removed."""
    the_component_stack_says(aws, STACK_MODEL, status="Updating")
    decision = handle(record(stack_status_event(STACK_ID, "UPDATE_COMPLETE")), SETTINGS, aws)
    assert decision.action == "ignore"
    assert decision.reason.startswith(f"component {COMPONENT} is Updating: nothing retained is removed")
