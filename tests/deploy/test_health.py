"""`status` as a user runs it, on botocore Stubbers (any call not queued fails the test): the approval queues of a
stack that deploys on approval, an endpoint deleted behind the stack's back, and what status does when it cannot read
(no stack, no permission): exit 1 with the reason, never a report that would pass for a judgement."""

from __future__ import annotations

import io
import json

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.context import DeployContext
from generator.deploy.verbs import status
from tests.support.stubbed_aws import (
    ACCOUNT,
    ENDPOINT_LIKE,
    REGION,
    SAGEMAKER,
    StubbedAws,
    expect_config_package,
    expect_endpoint,
    no_stack,
    resources,
    run_with,
    stack_id,
    stacks,
    terminal_console,
)

STATUS = ["status", "--stack-name", "churn", "--region", "eu-west-1"]
V3 = f"{SAGEMAKER}:model-package/churn/3"
QUEUES = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}"
DEAD_LETTERS_ALARM = "churn-ApprovalDeadLetters-1A2B"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def expect_stack(cloudformation: Stubber, *extra: tuple[str, str, str], outputs: bool = True) -> None:
    """The stack churn (with its EndpointName output unless `outputs` is false) and its Endpoint among its resources
    (by ARN, as CloudFormation names it)."""
    held = {"EndpointName": "churn-ep", "ModelPackageArn": V3} if outputs else {}
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", outputs=held),
                                {"StackName": "churn"})  # fmt: skip
    endpoint = ("Endpoint", f"{SAGEMAKER}:endpoint/churn-ep", "AWS::SageMaker::Endpoint")
    cloudformation.add_response("list_stack_resources", resources(endpoint, *extra), {"StackName": stack_id("churn")})


def test_a_stack_that_deploys_on_approval_shows_its_queues_and_dead_letters_with_their_alarm(
    stubbed: StubbedAws,
) -> None:
    """With DeployOnApproval the stack has an approval queue and its dead-letter queue: their depths
    (GetQueueAttributes ApproximateNumberOfMessages) are in the JSON and, on a terminal, in the summary. A dead
    letter is an approval that needs a person; its alarm in ALARM makes the status unhealthy (exit 4)."""
    expect_stack(stubbed["cloudformation"],
                 ("ApprovalQueue", f"{QUEUES}/churn-approvals.fifo", "AWS::SQS::Queue"),
                 ("ApprovalDeadLetterQueue", f"{QUEUES}/churn-dlq.fifo", "AWS::SQS::Queue"),
                 ("ApprovalDeadLettersAlarm", DEAD_LETTERS_ALARM, "AWS::CloudWatch::Alarm"))  # fmt: skip
    expect_endpoint(stubbed["sagemaker"], "churn-ep", "config-3")
    expect_config_package(stubbed["sagemaker"], "config-3", V3)
    stubbed["cloudwatch"].add_response("describe_alarms", {"MetricAlarms": [
        {"AlarmName": DEAD_LETTERS_ALARM, "StateValue": "ALARM"}]}, {"AlarmNames": [DEAD_LETTERS_ALARM]})  # fmt: skip
    for queue, depth in (("churn-approvals.fifo", "3"), ("churn-dlq.fifo", "1")):
        stubbed["sqs"].add_response("get_queue_attributes", {"Attributes": {"ApproximateNumberOfMessages": depth}}, {
            "QueueUrl": f"{QUEUES}/{queue}", "AttributeNames": ["ApproximateNumberOfMessages"]})  # fmt: skip
    err, out = io.StringIO(), io.StringIO()
    code = status.run(DeployContext(stubbed.aws(), ENDPOINT_LIKE, terminal_console(err), out), "churn")
    stubbed.done()
    report = json.loads(out.getvalue())
    assert code == 4
    assert (report["ApprovalQueue"], report["Alarms"]) == ({"Waiting": 3, "DeadLetters": 1},
                                                           {DEAD_LETTERS_ALARM: "ALARM"})  # fmt: skip
    assert err.getvalue().splitlines() == [
        f"error: alarm {DEAD_LETTERS_ALARM} is in ALARM",
        "stack     UPDATE_COMPLETE",
        "endpoint  InService",
        f"serving   {V3} since 2026-11-30T10:00:00+00:00",
        f"alarm     {DEAD_LETTERS_ALARM}: ALARM",
        "approvals 3 waiting, 1 dead letters",
    ]


def test_an_endpoint_deleted_behind_the_stacks_back_is_missing_and_unhealthy(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """SageMaker answers DescribeEndpoint of an endpoint that is not there with ValidationException ("Could not find
    endpoint"): nothing is served, and status says so with exit 4."""
    expect_stack(stubbed["cloudformation"])
    missing = 'Could not find endpoint "churn-ep".'
    stubbed["sagemaker"].add_client_error("describe_endpoint", "ValidationException", missing, 400,
                                          {"EndpointName": "churn-ep"})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert code == 4
    assert json.loads(out) == {"StackStatus": "UPDATE_COMPLETE", "EndpointStatus": "Missing", "ModelPackageArn": None,
                               "ServingSince": None, "Instances": {}, "Alarms": {}}  # fmt: skip
    assert err == "error: endpoint churn-ep is Missing, not InService\n"


def test_an_endpoint_status_cannot_read_exits_1_with_the_reason_and_prints_no_report(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only ValidationException means no such endpoint; AccessDenied says nothing about the endpoint, so it is not
    reported as Missing."""
    expect_stack(stubbed["cloudformation"])
    denied = f"User: arn:aws:iam::{ACCOUNT}:user/ci is not authorized to perform: sagemaker:DescribeEndpoint"
    stubbed["sagemaker"].add_client_error("describe_endpoint", "AccessDeniedException", denied, 400,
                                          {"EndpointName": "churn-ep"})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: reading endpoint churn-ep: An error occurred (AccessDeniedException) when calling the "
        f"DescribeEndpoint operation: {denied}\n"
    ))  # fmt: skip


def test_status_of_a_stack_that_is_not_there_exits_1_naming_the_region(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stack(stubbed["cloudformation"], "churn")
    code = main(STATUS)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", "error: no stack named churn in eu-west-1\n")


def test_before_the_outputs_exist_the_endpoint_is_found_by_the_name_in_its_resources_arn(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outputs appear when a create completes; while the first create runs, the endpoint is the stack's Endpoint
    resource, whose physical id is its ARN (Ref of AWS::SageMaker::Endpoint, https://docs.aws.amazon.com/
    AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-endpoint.html#aws-resource-sagemaker-endpoint
    -return-values): DescribeEndpoint takes the name at its end, as serving.py does."""
    expect_stack(stubbed["cloudformation"], outputs=False)
    expect_endpoint(stubbed["sagemaker"], "churn-ep", "config-3", status="Creating")
    expect_config_package(stubbed["sagemaker"], "config-3", V3)
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)["EndpointStatus"], err) == (4, "Creating", (
        "error: endpoint churn-ep is Creating, not InService\n"))  # fmt: skip


@pytest.mark.parametrize(
    ("state", "why"),
    [
        ("REVIEW_IN_PROGRESS", "a change set was made and never executed (a stopped plan or deploy)"),
        ("ROLLBACK_COMPLETE", "its create failed and rolled back (its events say why)"),
    ],
)
def test_a_stack_without_an_endpoint_is_unhealthy_by_its_state_not_endpoint_none(
    state: str, why: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """No EndpointName output and no Endpoint resource: no DescribeEndpoint is made (none is queued), and the one
    line says the stack's state and what to do, where "endpoint None is Missing" was printed."""
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", state), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", resources(), {"StackName": stack_id("churn")})
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, json.loads(out)["EndpointStatus"]) == (4, "Missing")
    assert err == (
        f"error: stack churn is {state} and has no endpoint: {why}. Deploy it again, or remove it with "
        "`sagemaker-endpoint destroy --stack-name churn`\n"
    )
