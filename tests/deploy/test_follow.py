"""Following a stack: what is shown, when CloudFormation is asked again, and what the outcome says.

CloudFormation and SageMaker are botocore Stubbers, so every call is checked against the real API model."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber
from rich.console import Console as RichConsole

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.progress import Follower, Outcome, StackEvent, endpoint_stage
from generator.deploy.template_file import load_template
from generator.deploy.verbs import follow
from tests.support.stubbed_aws import ENDPOINT_LIKE, StubbedAws, no_stack, run_with, shared_session, stacks

STACK_ID = "arn:aws:cloudformation:eu-west-1:111122223333:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
ENDPOINT_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn-prod"
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def event(
    event_id: str, logical_id: str, status: str, kind: str = "AWS::SageMaker::Model", **extra: str
) -> dict[str, Any]:
    return {"StackId": STACK_ID, "EventId": event_id, "StackName": "churn", "LogicalResourceId": logical_id,
            "ResourceType": kind, "Timestamp": NOW, "ResourceStatus": status, **extra}  # fmt: skip


def stack(status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": "churn", "StackId": STACK_ID, "CreationTime": NOW, "StackStatus": status}]}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def stubbed() -> tuple[Aws, Stubber, Stubber]:
    session = shared_session()
    cloudformation, sagemaker = session.client("cloudformation"), session.client("sagemaker")
    aws = Aws("eu-west-1", clients={"cloudformation": cloudformation, "sagemaker": sagemaker})
    return aws, Stubber(cloudformation), Stubber(sagemaker)


def test_polling_starts_at_once_backs_off_to_10_seconds_and_returns_to_2_on_news(
    stubbed: tuple[Aws, Stubber, Stubber],
) -> None:
    aws, cloudformation, _ = stubbed
    old = event("e0", "churn", "UPDATE_COMPLETE", "AWS::CloudFormation::Stack")
    started = [event("e1", "Model", "CREATE_IN_PROGRESS"), old]
    done = [event("e3", "churn", "UPDATE_COMPLETE", "AWS::CloudFormation::Stack"),
            event("e2", "Model", "CREATE_COMPLETE", PhysicalResourceId="arn:model"), *started]  # fmt: skip
    cloudformation.add_response("describe_stack_events", {"StackEvents": [old]}, {"StackName": STACK_ID})
    for events, status in [(started, "UPDATE_IN_PROGRESS")] * 7 + [
        (done, "UPDATE_IN_PROGRESS"),
        (done, "UPDATE_COMPLETE"),
    ]:
        cloudformation.add_response("describe_stack_events", {"StackEvents": events}, {"StackName": STACK_ID})
        cloudformation.add_response("describe_stacks", stack(status), {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": done}, {"StackName": STACK_ID})
    clock, out = Clock(), io.StringIO()

    with cloudformation:
        outcome = Follower(aws, Console(out), STACK_ID, 1, sleep=clock.sleep, clock=lambda: clock.now).follow("e0")

    assert clock.sleeps == [0.0, 2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 10.0, 2.0]
    assert (outcome.status, outcome.succeeded, [e.event_id for e in outcome.events]) == (
        "UPDATE_COMPLETE",
        True,
        ["e1", "e2", "e3"],
    )
    assert out.getvalue().splitlines() == [
        "  0:00  CREATE_IN_PROGRESS               Model                          AWS::SageMaker::Model",
        "  0:46  CREATE_COMPLETE                  Model                          AWS::SageMaker::Model",
        "  0:46  UPDATE_COMPLETE                  churn                          AWS::CloudFormation::Stack",
    ]
    cloudformation.assert_no_pending_responses()


def test_while_the_endpoint_updates_sagemakers_own_stage_is_shown_once_per_change(
    stubbed: tuple[Aws, Stubber, Stubber],
) -> None:
    aws, cloudformation, sagemaker = stubbed
    updating = [
        event("e1", "Endpoint", "UPDATE_IN_PROGRESS", "AWS::SageMaker::Endpoint", PhysicalResourceId=ENDPOINT_ARN)
    ]
    cloudformation.add_response("describe_stack_events", {"StackEvents": updating}, {"StackName": STACK_ID})
    for stage in ("Creating", "Baking", "Baking"):
        described = {
            "EndpointName": "churn-prod", "EndpointArn": ENDPOINT_ARN, "EndpointStatus": "Updating",
            "CreationTime": NOW, "LastModifiedTime": NOW,
            "PendingDeploymentSummary": {"EndpointConfigName": "config-v4", "ProductionVariants": [
                {"VariantName": "AllTraffic", "VariantStatus": [{"Status": stage, "StartTime": NOW}]}]},
        }  # fmt: skip
        sagemaker.add_response("describe_endpoint", described, {"EndpointName": "churn-prod"})
        cloudformation.add_response("describe_stacks", stack("UPDATE_IN_PROGRESS"), {"StackName": STACK_ID})
        cloudformation.add_response("describe_stack_events", {"StackEvents": updating}, {"StackName": STACK_ID})
    sagemaker.add_response(
        "describe_endpoint", {**described, "EndpointStatus": "InService"}, {"EndpointName": "churn-prod"}
    )
    cloudformation.add_response("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE"), {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": updating}, {"StackName": STACK_ID})
    clock, out = Clock(), io.StringIO()

    with cloudformation, sagemaker:
        outcome = Follower(aws, Console(out), STACK_ID, 1, sleep=clock.sleep, clock=lambda: clock.now).follow(None)

    assert outcome.status == "UPDATE_ROLLBACK_COMPLETE"
    assert [line.strip() for line in out.getvalue().splitlines()[1:]] == [
        "0:00  endpoint churn-prod: Updating (variant AllTraffic: Creating)",
        "0:02  endpoint churn-prod: Updating (variant AllTraffic: Baking)",
        "0:09  endpoint churn-prod: InService (variant AllTraffic: Baking)",
    ]


def test_the_root_cause_is_the_earliest_failure_with_its_own_reason() -> None:
    def failed(logical_id: str, status: str, reason: str, kind: str = "AWS::SageMaker::Model") -> StackEvent:
        return StackEvent("id", logical_id, kind, status, reason, "")

    outcome = Outcome(
        "ROLLBACK_COMPLETE",
        [
            failed("Model", "CREATE_FAILED", "Resource creation cancelled"),
            failed("LatestApprovedModelPackage", "CREATE_FAILED", "group has nothing approved"),
            failed("churn", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed", "AWS::CloudFormation::Stack"),
            failed("Endpoint", "DELETE_FAILED", "later"),
        ],
    )
    assert outcome.root_cause is not None
    assert (outcome.root_cause.logical_id, outcome.root_cause.reason) == (
        "LatestApprovedModelPackage",
        "group has nothing approved",
    )
    assert Outcome("UPDATE_COMPLETE", []).root_cause is None


def test_the_endpoint_stage_reads_the_pending_deployment_first() -> None:
    variant = {"VariantName": "blue", "VariantStatus": [{"Status": "Creating"}, {"Status": "ActivatingTraffic"}]}
    assert endpoint_stage(
        {"EndpointStatus": "Updating", "PendingDeploymentSummary": {"ProductionVariants": [variant]}}
    ) == ("Updating (variant blue: ActivatingTraffic)")
    assert endpoint_stage({"EndpointStatus": "Creating", "ProductionVariants": [{"VariantName": "blue"}]}) == "Creating"


def test_ctrl_c_stops_following_leaves_the_stack_and_says_how_to_follow_again(
    stubbed: tuple[Aws, Stubber, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws, cloudformation, _ = stubbed
    cloudformation.add_response("describe_stacks", stack("UPDATE_IN_PROGRESS"), {"StackName": "churn"})
    cloudformation.add_response("list_stack_resources", {"StackResourceSummaries": []}, {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": STACK_ID})

    def interrupted(*_: object) -> Outcome:
        raise KeyboardInterrupt

    monkeypatch.setattr(Follower, "follow", interrupted)
    err, out = io.StringIO(), io.StringIO()
    with cloudformation:
        code = follow.run(DeployContext(aws, load_template(), Console(err), out), "churn")

    assert (code, out.getvalue()) == (130, "")
    assert err.getvalue().splitlines()[-1] == (
        "warning: stopped following; CloudFormation carries on with stack churn. "
        "Follow it again with: sagemaker-endpoint follow --stack-name churn"
    )
    cloudformation.assert_no_pending_responses()


def test_on_a_terminal_each_line_comes_coloured_above_a_bar_of_the_resources_done(
    stubbed: tuple[Aws, Stubber, Stubber],
) -> None:
    """rain's and cdk's live view: a bar of resources done out of the plan's total, redrawn as lines are printed
    above it; a completed resource in green, SageMaker's stage of the Endpoint in cyan."""
    aws, cloudformation, sagemaker = stubbed
    creating = [
        event("e3", "Endpoint", "CREATE_IN_PROGRESS", "AWS::SageMaker::Endpoint", PhysicalResourceId=ENDPOINT_ARN),
        event("e2", "Model", "CREATE_COMPLETE", PhysicalResourceId="arn:model"),
        event("e1", "Model", "CREATE_IN_PROGRESS"),
    ]
    created = [
        event("e5", "churn", "CREATE_COMPLETE", "AWS::CloudFormation::Stack"),
        event("e4", "Endpoint", "CREATE_COMPLETE", "AWS::SageMaker::Endpoint", PhysicalResourceId=ENDPOINT_ARN),
        *creating,
    ]
    cloudformation.add_response("describe_stack_events", {"StackEvents": creating}, {"StackName": STACK_ID})
    sagemaker.add_response("describe_endpoint", {
        "EndpointName": "churn-prod", "EndpointArn": ENDPOINT_ARN, "EndpointStatus": "Creating", "CreationTime": NOW,
        "LastModifiedTime": NOW}, {"EndpointName": "churn-prod"})  # fmt: skip
    cloudformation.add_response("describe_stacks", stack("CREATE_IN_PROGRESS"), {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": created}, {"StackName": STACK_ID})
    cloudformation.add_response("describe_stacks", stack("CREATE_COMPLETE"), {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": created}, {"StackName": STACK_ID})
    err, clock = io.StringIO(), Clock()
    console = Console(err)
    console.rich = RichConsole(file=err, force_terminal=True, color_system="standard", highlight=False, width=120)

    with cloudformation, sagemaker:
        outcome = Follower(aws, console, STACK_ID, 2, sleep=clock.sleep, clock=lambda: clock.now).follow(None)

    assert outcome.status == "CREATE_COMPLETE"
    shown = err.getvalue()
    green = "\x1b[32m  0:02  CREATE_COMPLETE                  Endpoint                       AWS::SageMaker::Endpoint"
    assert green in shown
    assert "\x1b[36m  0:00  endpoint churn-prod: Creating\x1b[0m" in shown  # cyan
    assert "1/2" in shown  # the bar after the Model, before the Endpoint
    assert "2/2" in shown


def test_a_failed_describe_endpoint_only_loses_the_stage_line_and_the_follow_goes_on(
    stubbed: tuple[Aws, Stubber, Stubber],
) -> None:
    """SageMaker's stage is a hint beside CloudFormation's events (a caller may lack sagemaker:DescribeEndpoint):
    without it the events and the outcome are the same."""
    aws, cloudformation, sagemaker = stubbed
    updating = [
        event("e1", "Endpoint", "UPDATE_IN_PROGRESS", "AWS::SageMaker::Endpoint", PhysicalResourceId=ENDPOINT_ARN)
    ]
    done = [event("e2", "churn", "UPDATE_COMPLETE", "AWS::CloudFormation::Stack"), *updating]
    cloudformation.add_response("describe_stack_events", {"StackEvents": updating}, {"StackName": STACK_ID})
    sagemaker.add_client_error("describe_endpoint", "AccessDeniedException", "not authorized", 400,
                               {"EndpointName": "churn-prod"})  # fmt: skip
    cloudformation.add_response("describe_stacks", stack("UPDATE_COMPLETE"), {"StackName": STACK_ID})
    cloudformation.add_response("describe_stack_events", {"StackEvents": done}, {"StackName": STACK_ID})
    clock, out = Clock(), io.StringIO()

    with cloudformation, sagemaker:
        outcome = Follower(aws, Console(out), STACK_ID, 1, sleep=clock.sleep, clock=lambda: clock.now).follow(None)

    assert (outcome.status, [e.event_id for e in outcome.events]) == ("UPDATE_COMPLETE", ["e1", "e2"])
    assert out.getvalue().splitlines() == [
        "  0:00  UPDATE_IN_PROGRESS               Endpoint                       AWS::SageMaker::Endpoint",
        "  0:00  UPDATE_COMPLETE                  churn                          AWS::CloudFormation::Stack",
    ]


@pytest.mark.parametrize(
    ("status", "outputs_printed"), [("UPDATE_COMPLETE", True), ("UPDATE_ROLLBACK_COMPLETE", False)]
)
def test_following_a_settled_stack_says_so_and_prints_the_outputs_only_of_a_stack_that_completed(
    status: str, outputs_printed: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to follow: a completed stack's outputs are its result; a rolled-back one's would claim what the last
    change did not do, so only the status is said. Either way exit 0: following did not fail."""
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    outputs = {"EndpointName": "churn-prod", "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:1:model-package/churn/3"}
    for _ in range(2 if outputs_printed else 1):
        aws["cloudformation"].add_response("describe_stacks", stacks("churn", status, outputs=outputs),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(["follow", "--stack-name", "churn", "--region", "eu-west-1"])
    aws.done()
    out, err = capsys.readouterr()
    assert (code, err) == (0, f"Stack churn is {status}; nothing in progress.\n")
    assert (json.loads(out) if out else None) == (outputs if outputs_printed else None)


def test_following_a_stack_that_is_not_there_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    no_stack(aws["cloudformation"], "churn")
    code = main(["follow", "--stack-name", "churn", "--region", "eu-west-1"])
    aws.done()
    assert (code, *capsys.readouterr()) == (1, "", "error: no stack named churn in eu-west-1\n")
