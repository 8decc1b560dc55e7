"""The bent moto refuses the EventBridge, SNS and CloudWatch calls AWS documents as refused, and takes the ones at the
limit (tests.support.moto.refusals quotes each source)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.support.local_aws import CREDENTIALS, REGION, client

ACCOUNT = "123456789012"
PATTERN = json.dumps({"source": ["approvals"]})


def refused(call: Callable[[], Any], code: str) -> str:
    """The message of the error the call is answered with, whose code must be `code`."""
    with pytest.raises(Exception) as raised:  # noqa: PT011  # botocore's ClientError, asserted on below
        call()
    error = raised.value.response["Error"]  # type: ignore[attr-defined]
    assert error["Code"] == code, error
    return str(error["Message"])


def fifo_target(sqs: Any, name: str, *, deduplicated: bool, group: str = "stack") -> dict[str, Any]:
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": str(deduplicated).lower()}
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"Id": name, "Arn": arn, "SqsParameters": {"MessageGroupId": group}}


def test_put_targets_refuses_a_message_group_id_over_100_characters_and_takes_100(refusing_aws: str) -> None:
    """SqsParameters.MessageGroupId: botocore events `"max":100` (EventBridge API Reference, SqsParameters)."""
    events, sqs = client("events", refusing_aws), client("sqs", refusing_aws)
    events.put_rule(Name="approvals", EventPattern=PATTERN)
    long_group = fifo_target(sqs, "q", deduplicated=True, group="g" * 101)

    message = refused(lambda: events.put_targets(Rule="approvals", Targets=[long_group]), "ValidationException")

    assert message == "Target q: SqsParameters.MessageGroupId has 101 characters: Maximum length of 100."
    events.put_targets(Rule="approvals", Targets=[{**long_group, "SqsParameters": {"MessageGroupId": "g" * 100}}])


def test_a_fifo_queue_without_content_based_deduplication_gets_no_event_for_any_rule(refusing_aws: str) -> None:
    """Target.SqsParameters: "If you specify a fair or FIFO queue as a target, the queue must have content-based
    deduplication enabled." moto's own delivery already drops the event for every rule, so no bend is needed."""
    events, sqs = client("events", refusing_aws), client("sqs", refusing_aws)
    events.put_rule(Name="approvals", EventPattern=PATTERN)
    events.put_targets(Rule="approvals", Targets=[fifo_target(sqs, "plain", deduplicated=False),
                                                  fifo_target(sqs, "deduplicated", deduplicated=True)])  # fmt: skip

    with pytest.warns(UserWarning, match="you must enable content-based deduplication"):  # moto says why it drops
        events.put_events(Entries=[{"Source": "approvals", "DetailType": "approved", "Detail": "{}"}])

    def received(name: str) -> int:
        url = sqs.get_queue_url(QueueName=f"{name}.fifo")["QueueUrl"]
        return len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))

    assert (received("plain"), received("deduplicated")) == (0, 1)


@pytest.mark.parametrize("subject", ["s" * 100, "two\nlines", "carriage\rreturn", "bell\x07"])
def test_publish_refuses_a_subject_of_100_characters_or_with_line_breaks_or_controls(
    refusing_aws: str, subject: str
) -> None:
    """Publish: "Subjects must be UTF-8 text with no line breaks or control characters, and less than 100 characters
    long." InvalidParameter, with the message AWS was seen to answer (getmoto/moto#1276)."""
    sns = client("sns", refusing_aws)
    topic = sns.create_topic(Name="people")["TopicArn"]

    message = refused(lambda: sns.publish(TopicArn=topic, Message="m", Subject=subject), "InvalidParameter")

    assert message == "Invalid parameter: Subject"
    sns.publish(TopicArn=topic, Message="m", Subject="s" * 99)
    sns.publish(TopicArn=topic, Message="m", Subject="Stack churn needs a person: ünïcode is UTF-8")


@pytest.mark.parametrize("kind", ["AlarmActions", "OKActions", "InsufficientDataActions"])
def test_put_metric_alarm_refuses_a_topic_of_another_region(refusing_aws: str, kind: str) -> None:
    """PutMetricAlarm's SNS action is `arn:aws:sns:region:account-id:sns-topic-name`; another Region's topic is
    answered ValidationError "Invalid region ... specified. Only ... is supported." (observed,
    cds-snc/notification-terraform#128)."""
    cloudwatch = client("cloudwatch", refusing_aws)

    def alarm(topic_region: str) -> None:
        cloudwatch.put_metric_alarm(
            AlarmName="a", Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors", Statistic="Sum", Period=60,
            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
            **{kind: [f"arn:aws:sns:{topic_region}:{ACCOUNT}:people"]},
        )  # fmt: skip

    message = refused(lambda: alarm("us-east-1"), "ValidationError")

    assert message == f"Invalid region us-east-1 specified. Only {REGION} is supported."
    alarm(REGION)


def dashboard_stack(name: str, body: str) -> str:
    dashboard = {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardName": name, "DashboardBody": body}}
    return json.dumps({"Parameters": {}, "Resources": {"Dashboard": dashboard}})


def test_cloudformation_fails_a_dashboard_whose_name_exists_in_any_region(refusing_aws: str, executed: Any) -> None:
    """Dashboards are global to the account; the handler-based AWS::CloudWatch::Dashboard fails a create of an existing
    one with AlreadyExists (CloudFormation CLI contract test `contract_create_create`), while PutDashboard itself
    replaces the contents ("If a dashboard with this name already exists, this call modifies that dashboard")."""
    other_region = boto3.client(
        "cloudwatch", region_name="us-east-1", endpoint_url=refusing_aws,
        aws_access_key_id=CREDENTIALS["aws_access_key_id"], aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
    )  # fmt: skip
    taken = {"DashboardName": "sagemaker-endpoint-churn", "DashboardBody": '{"widgets": []}'}
    other_region.put_dashboard(**taken)
    other_region.put_dashboard(**taken)  # PutDashboard overwrites

    status, failed = executed("churn", dashboard_stack("sagemaker-endpoint-churn", '{"widgets": []}'))

    assert (status, failed) == ("ROLLBACK_COMPLETE", {"Dashboard": (
        'Resource handler returned message: "Dashboard sagemaker-endpoint-churn already exists" '
        "(HandlerErrorCode: AlreadyExists)")})  # fmt: skip


def test_cloudformation_updates_its_own_dashboard_in_place(refusing_aws: str, executed: Any) -> None:
    """An update that keeps the name puts the new body on the same dashboard, as PutDashboard does."""
    assert executed("churn", dashboard_stack("d", '{"widgets": []}')) == ("CREATE_COMPLETE", {})

    new_body = '{"widgets": [{"type": "text", "properties": {"markdown": "x"}}]}'
    assert executed("churn", dashboard_stack("d", new_body)) == ("UPDATE_COMPLETE", {})

    assert client("cloudwatch", refusing_aws).get_dashboard(DashboardName="d")["DashboardBody"] == new_body
