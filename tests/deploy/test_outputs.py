"""`outputs` as a user runs it, on botocore Stubbers (any call not queued fails the test): the stack's outputs as one
JSON object on stdout, in the template's order; a stack without them, or no stack, exits 1 saying which."""

from __future__ import annotations

import json

import pytest

from generator.cli import main
from tests.support.stubbed_aws import ENDPOINT_LIKE, SAGEMAKER, StubbedAws, no_stack, run_with, stacks

OUTPUTS = ["outputs", "--stack-name", "churn", "--region", "eu-west-1"]


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, ENDPOINT_LIKE)
    return aws


def test_outputs_prints_the_templates_outputs_as_one_json_object_in_its_order_and_nothing_else(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipeline reads stdout as JSON: the template's outputs only (not another stack output someone added), in
    the template's order, whatever order CloudFormation lists them in; nothing on stderr."""
    held = {"ModelPackageArn": f"{SAGEMAKER}:model-package/churn/3", "Extra": "x", "EndpointName": "churn-ep"}
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", outputs=held),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(OUTPUTS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert list(json.loads(out).items()) == [
        ("EndpointName", "churn-ep"),
        ("ModelPackageArn", f"{SAGEMAKER}:model-package/churn/3"),
    ]


def test_a_stack_without_the_outputs_exits_1_naming_what_is_missing_and_its_status(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stack still being created has no outputs yet; another tool's stack has others. Half a result would read
    as the endpoint's: nothing is printed on stdout."""
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "CREATE_IN_PROGRESS"),
                                           {"StackName": "churn"})  # fmt: skip
    code = main(OUTPUTS)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        "error: stack churn (CREATE_IN_PROGRESS) has no output EndpointName, ModelPackageArn: is it a "
        "sagemaker-endpoint stack, and deployed?\n"
    ))  # fmt: skip


def test_outputs_of_a_stack_that_is_not_there_exit_1_naming_the_region(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    no_stack(stubbed["cloudformation"], "churn")
    code = main(OUTPUTS)
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", "error: no stack named churn in eu-west-1\n")
