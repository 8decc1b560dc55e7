"""Safe to interrupt at every step: Ctrl-C (KeyboardInterrupt), SIGTERM and a closed pipe end the command with exit
130 and no traceback, after removing the change set this run made and the stack its CREATE change set left in
REVIEW_IN_PROGRESS, saying what it did. Run as a user runs it, on botocore Stubbers (a removal nobody expected fails
the test); SIGTERM is a real signal sent to this process while a call is being made.

"If you create a change set for a new stack, CloudFormation creates a stack with a unique stack ID, but no template or
resources. The stack will be in the REVIEW_IN_PROGRESS state until you execute the change set."
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html, ChangeSetType)"""

from __future__ import annotations

import argparse
import io
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import Stopped
from generator.deploy.fleet.stack_set import StackSets
from generator.deploy.verbs.options import aws_verb
from tests.support.published_change_sets import replacing_the_endpoint
from tests.support.stubbed_aws import (
    CHANGE_SET_NAME,
    ENDPOINT_LIKE,
    SAGEMAKER,
    Matching,
    SameText,
    StubbedAws,
    adding_the_endpoint,
    expect_execute,
    no_stack,
    parameter_list,
    run_with,
    shared_session,
    stack_event,
    stack_id,
    stacks,
)

V2, V3 = f"{SAGEMAKER}:model-package/churn/2", f"{SAGEMAKER}:model-package/churn/3"
DEPLOY_V3 = ["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", f"ModelPackageArn={V3}"]
SERVED_V2 = {"ModelPackageArn": V2, "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": ""}
INLINE = {"TemplateBody": ENDPOINT_LIKE.body, "Capabilities": []}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def on_call(stubbed: StubbedAws, operation: str, action: Callable[[], None], *, nth: int = 1) -> None:
    """Run `action` as the command starts its `nth` call of `operation`, before the Stubber looks at it (no answer
    is taken)."""
    calls: list[str] = []

    def maybe(**_: object) -> None:
        calls.append(operation)
        if len(calls) == nth:
            action()

    stubbed.clients["cloudformation"].meta.events.register(f"provide-client-params.cloudformation.{operation}", maybe)


def sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def ctrl_c() -> None:
    raise KeyboardInterrupt


def expect_create_change_set(cloudformation: Stubber, answer: dict[str, Any], name: SameText) -> None:
    cloudformation.add_response("create_change_set", {"Id": answer["ChangeSetId"], "StackId": stack_id("churn")}, {
        "ChangeSetName": name, "ClientToken": name, "ChangeSetType": "CREATE", "StackName": "churn",
        "Description": "sagemaker-endpoint deploy", **INLINE, "Parameters": parameter_list({"ModelPackageArn": V3}),
    })  # fmt: skip


def expect_undone(cloudformation: Stubber, name: SameText, *, stack: str | None) -> None:
    """The change set deleted by its name and stack; then, after a CREATE change set, the stack read and deleted by
    its id when it is REVIEW_IN_PROGRESS with no other change set (`stack`: its status; None: not there)."""
    cloudformation.add_response("delete_change_set", {}, {"ChangeSetName": name, "StackName": "churn"})
    if stack is None:
        return
    cloudformation.add_response("describe_stacks", stacks("churn", stack), {"StackName": "churn"})
    cloudformation.add_response("list_change_sets", {"Summaries": []}, {"StackName": stack_id("churn")})
    cloudformation.add_response("delete_stack", {}, {"StackName": stack_id("churn")})


def test_sigterm_while_a_create_change_set_is_computed_deletes_it_and_its_review_in_progress_stack(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI job cancelled while CloudFormation computes the change set: the change set and the empty stack it made
    would stay (REVIEW_IN_PROGRESS never changes by itself)."""
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, "churn")
    name = SameText(CHANGE_SET_NAME)
    expect_create_change_set(cloudformation, adding_the_endpoint(), name)
    expect_undone(cloudformation, name, stack="REVIEW_IN_PROGRESS")
    on_call(stubbed, "DescribeChangeSet", sigterm)
    before = signal.getsignal(signal.SIGTERM)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (130, "")
    assert err.splitlines() == [
        "",
        f"warning: interrupted (SIGTERM): deleted change set {name.seen} of stack churn and deleted stack churn, "
        "which its CREATE change set made (it was REVIEW_IN_PROGRESS).",
    ]
    assert signal.getsignal(signal.SIGTERM) == before  # the command's handler is gone with it


def test_ctrl_c_while_the_change_set_is_asked_for_finds_none_and_says_nothing_was_left(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Interrupted before CreateChangeSet's answer came back: the change set may exist or not, so it is looked for by
    its name (ChangeSetNotFound: it was never made) and the stack by its name (it does not exist)."""
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, "churn")
    on_call(stubbed, "CreateChangeSet", ctrl_c)
    name = SameText(CHANGE_SET_NAME)
    cloudformation.add_client_error("delete_change_set", "ChangeSetNotFound", "ChangeSet [x] does not exist", 404,
                                    {"ChangeSetName": name, "StackName": "churn"})  # fmt: skip
    no_stack(cloudformation, "churn")
    code = main(DEPLOY_V3)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (
        130, "", "\nwarning: interrupted (Ctrl-C): nothing of this run was left to remove.\n"
    )  # fmt: skip


def test_ctrl_c_at_the_prompt_deletes_the_change_set_without_a_traceback(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C at `Execute it? [y/N]` is input() raising KeyboardInterrupt: the computed change set would stay
    AVAILABLE. An update's change set leaves no stack to remove."""
    monkeypatch.setattr(Console, "is_terminal", property(lambda _: True))
    monkeypatch.setattr("builtins.input", ctrl_c)
    cloudformation = stubbed["cloudformation"]
    cloudformation.add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", SERVED_V2),
                                {"StackName": "churn"})  # fmt: skip
    replacing = replacing_the_endpoint() | {"StackId": stack_id("churn"), "StackName": "churn"}
    replacing["Changes"][0]["ResourceChange"] |= {"LogicalResourceId": "Model", "ResourceType": "AWS::SageMaker::Model"}
    name = SameText(CHANGE_SET_NAME)
    cloudformation.add_response("create_change_set", {"Id": replacing["ChangeSetId"], "StackId": stack_id("churn")}, {
        "ChangeSetName": name, "ClientToken": name, "ChangeSetType": "UPDATE", "StackName": "churn",
        "Description": "sagemaker-endpoint deploy", **INLINE, "Parameters": parameter_list(SERVED_V2 | {
            "ModelPackageArn": V3}),
    })  # fmt: skip
    for _ in range(2):
        cloudformation.add_response("describe_change_set", replacing, {"ChangeSetName": replacing["ChangeSetId"]})
    expect_undone(cloudformation, name, stack=None)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (130, "")
    assert "Traceback" not in err
    assert err.splitlines()[-2:] == [
        "The plan replaces or removes resources. Execute it? [y/N] ",
        f"warning: interrupted (Ctrl-C): deleted change set {name.seen} of stack churn.",
    ]


def test_a_closed_pipe_while_the_plan_is_shown_removes_what_was_made_and_exits_130_quietly(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`deploy ... 2>&1 | head`: once head has its lines, the next write to stderr raises BrokenPipeError. The
    change set and its stack are still removed; nothing more can be said to a reader who is gone."""
    written: list[str] = []

    class ClosedAfterTwoLines(io.StringIO):
        def write(self, text: str) -> int:
            if len(written) >= 2:
                raise BrokenPipeError(32, "Broken pipe")
            written.append(text)
            return len(text)

    monkeypatch.setattr("sys.stderr", ClosedAfterTwoLines())
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, "churn")
    name = SameText(CHANGE_SET_NAME)
    answer = adding_the_endpoint()
    expect_create_change_set(cloudformation, answer, name)
    for _ in range(2):
        cloudformation.add_response("describe_change_set", answer, {"ChangeSetName": answer["ChangeSetId"]})
    expect_undone(cloudformation, name, stack="REVIEW_IN_PROGRESS")
    code = main(["plan", *DEPLOY_V3[1:]])
    stubbed.done()
    assert code == 130
    assert "".join(written) == "Plan to create stack churn:\n  +    Add         Endpoint  AWS::SageMaker::Endpoint\n"


def test_sigterm_while_following_leaves_cloudformation_working_and_removes_nothing(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once executed, the change set is CloudFormation's: nothing is deleted, and `follow` watches it again."""
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, "churn")
    name = SameText(CHANGE_SET_NAME)
    answer = adding_the_endpoint()
    expect_create_change_set(cloudformation, answer, name)
    for _ in range(2):
        cloudformation.add_response("describe_change_set", answer, {"ChangeSetName": answer["ChangeSetId"]})
    before = stack_event("churn", "e-0", "churn", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, {"StackName": stack_id("churn")})
    expect_execute(cloudformation, answer["ChangeSetId"])
    on_call(stubbed, "DescribeStackEvents", sigterm, nth=2)  # the follower's first look
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (130, "")
    assert err.splitlines()[-1] == (
        "warning: stopped following; CloudFormation carries on with stack churn. Follow it again with: "
        "sagemaker-endpoint follow --stack-name churn"
    )


def test_a_second_ctrl_c_while_removing_gives_up_and_names_what_is_left_with_its_command(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    cloudformation = stubbed["cloudformation"]
    no_stack(cloudformation, "churn")
    expect_create_change_set(cloudformation, adding_the_endpoint(), SameText(CHANGE_SET_NAME))
    on_call(stubbed, "DescribeChangeSet", ctrl_c)
    on_call(stubbed, "DeleteChangeSet", ctrl_c)
    code = main(DEPLOY_V3)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (130, "")
    lines = err.splitlines()
    assert lines[1] == "warning: interrupted (Ctrl-C): nothing of this run was left to remove."
    assert lines[2] == Matching(
        rf"warning: left behind: change set {CHANGE_SET_NAME} of stack churn: aws cloudformation delete-change-set "
        rf"--stack-name churn --change-set-name {CHANGE_SET_NAME}; then the stack, if in REVIEW_IN_PROGRESS: "
        r"sagemaker-endpoint destroy --stack-name churn"
    )


def test_ctrl_c_while_following_a_stack_set_operation_says_stacksets_carries_on_and_stops_the_fleet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fleet's next operation must not start after Ctrl-C: Stopped ends the verb (exit 130 at the command line),
    the operation going on is named with the command that shows it."""
    client = shared_session().client("cloudformation")
    err = io.StringIO()

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(StackSets, "follow", interrupted)
    with Stubber(client) as stub:
        stub.add_response("create_stack_instances", {"OperationId": "op-7"}, {
            "StackSetName": "churn-fleet", "Accounts": ["111122223333"], "Regions": ["eu-west-1"]})  # fmt: skip
        stack_sets = StackSets(Aws("eu-west-1", clients={"cloudformation": client}), Console(err))
        with pytest.raises(Stopped):
            stack_sets.run("create_stack_instances", "churn-fleet",
                           {"Accounts": ["111122223333"], "Regions": ["eu-west-1"]}, "Creating instances:")  # fmt: skip
    assert err.getvalue().splitlines()[-1] == (
        "warning: stopped following; StackSets carries on with operation op-7 of stack set churn-fleet. See it with: "
        "aws cloudformation describe-stack-set-operation --stack-set-name churn-fleet --operation-id op-7"
    )


def test_a_verb_stopped_while_following_exits_130_without_saying_more(capsys: pytest.CaptureFixture[str]) -> None:
    def stopped(*_: object) -> int:
        raise Stopped

    args = argparse.Namespace(region="eu-west-1", profile=None, template="sagemaker-endpoint")
    assert (aws_verb(stopped)(args), *capsys.readouterr()) == (130, "", "")
