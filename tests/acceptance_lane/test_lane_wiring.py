"""How the lane is wired, offline: CI and `make test` never run a live scenario, `make acceptance` runs them all
apart from the unit tests' conftest, each scenario of the bound has its module, and what a scenario waits for
(an invocation, a stack updating itself, a command) stops within the bound."""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from tests.support.acceptance import commands, cost, world
from tests.support.acceptance.__main__ import PYTEST_ARGS
from tests.support.acceptance.world import Deadline, invoke, wait_for_package
from tests.support.paths import ROOT
from tests.support.stubbed_aws import WHEN, shared_session

LANE = ROOT / "tests" / "acceptance"
STACK = "sme-acceptance-r2601151403a1b2-deploy-on-approval"
V1, V2 = (f"arn:aws:sagemaker:eu-west-1:111122223333:model-package/g/{n}" for n in (1, 2))


def test_every_live_scenario_module_carries_the_acceptance_marker() -> None:
    modules = sorted(LANE.glob("test_*.py"))
    unmarked = [m.name for m in modules if "pytestmark = pytest.mark.acceptance" not in _assignments(m.read_text())]

    assert modules
    assert unmarked == []


def test_make_test_excludes_the_marker_and_ci_runs_only_make_test_and_make_scan() -> None:
    makefile = (ROOT / "Makefile").read_text()
    test_target = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    selections = re.findall(r'\$\(PYTEST\) -m "([^"]+)"', test_target)

    assert len(selections) == 2
    assert all(selection.endswith("and not acceptance") for selection in selections)
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-2:] == ["make test", "make scan"]
    assert "acceptance" not in (ROOT / ".ci" / "run").read_text()


def test_make_acceptance_runs_the_marked_scenarios_without_the_unit_tests_conftest() -> None:
    """The unit tests' root conftest sets stand-in credentials (AWS_ACCESS_KEY_ID=testing); --confcutdir keeps it
    out, so the scenarios run with the maintainer's own credentials."""
    assert PYTEST_ARGS[PYTEST_ARGS.index("--confcutdir") + 1] == str(LANE)
    assert PYTEST_ARGS[PYTEST_ARGS.index("-m") + 1] == "acceptance"
    assert PYTEST_ARGS[-1] == str(LANE)
    assert "make acceptance:" not in (ROOT / "Makefile").read_text()  # the targets, with their help text:
    assert re.search(r"^acceptance: \$\(INSTALLED\) ## .+\n\t\$\(BIN\)/python -m tests\.support\.acceptance run$",
                     (ROOT / "Makefile").read_text(), re.MULTILINE)  # fmt: skip
    assert re.search(r"^acceptance-clean: \$\(INSTALLED\) ## .+\n\t\$\(BIN\)/python -m tests\.support\.acceptance "
                     r"clean$", (ROOT / "Makefile").read_text(), re.MULTILINE)  # fmt: skip


def test_each_scenario_of_the_bound_is_a_module_of_the_lane_and_its_deadline() -> None:
    """The bound counts cost.SCENARIOS; the modules run them in that order (their numbers)."""
    modules = sorted(m.stem for m in LANE.glob("test_*.py"))
    names = [s.name for s in cost.SCENARIOS]

    assert modules == [f"test_{n}_{name.replace('-', '_')}" for n, name in enumerate(names, 1)]
    used = {match for m in LANE.glob("*.py") for match in re.findall(r'deadline\("([a-z-]+)"\)', m.read_text())}
    used |= {match for m in LANE.glob("test_*.py") for match in re.findall(r'SCENARIO = "([a-z-]+)"', m.read_text())}
    assert used <= set(names)


def test_a_cold_serverless_endpoint_is_invoked_again_but_no_more_often_than_the_bound_counts() -> None:
    runtime, stub = _stubbed("sagemaker-runtime")
    request = {"EndpointName": "e", "ContentType": "text/csv", "Accept": "application/json", "Body": b"1,2,3"}
    stub.add_client_error("invoke_endpoint", "ModelError", "Received server error (0) from primary", 424,
                          expected_params=request)  # fmt: skip
    body = json.dumps({"label": "v1"}).encode()
    stub.add_response("invoke_endpoint", {"Body": StreamingBody(io.BytesIO(body), len(body)),
                                          "ContentType": "application/json"}, request)  # fmt: skip
    pauses: list[float] = []

    assert invoke(runtime, "e", pauses.append) == {"label": "v1"}
    assert pauses == [world.INVOKE_PAUSE_SECONDS]

    for _ in range(cost.INVOCATION_ATTEMPTS):
        stub.add_client_error("invoke_endpoint", "ModelError", "still cold", 424, expected_params=request)
    with pytest.raises(ClientError, match="ModelError"):
        invoke(runtime, "e", pauses.append)
    stub.assert_no_pending_responses()


def test_the_wait_for_a_self_update_ends_when_the_stack_serves_the_package() -> None:
    cloudformation, stub = _stubbed("cloudformation")
    for status, package in (("UPDATE_COMPLETE", V1), ("UPDATE_IN_PROGRESS", V1), ("UPDATE_COMPLETE", V2)):
        stub.add_response("describe_stacks", _stack(status, package), {"StackName": STACK})

    pauses: list[float] = []

    assert wait_for_package(cloudformation, STACK, V2, Deadline("deploy-on-approval", 1), pauses.append) == (
        "UPDATE_COMPLETE")  # fmt: skip
    assert pauses == [20, 20]
    stub.assert_no_pending_responses()


def test_an_update_that_rolled_back_ends_the_wait_with_cloudformations_reason() -> None:
    cloudformation, stub = _stubbed("cloudformation")
    stub.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_COMPLETE", V1), {"StackName": STACK})
    stub.add_response("describe_stack_events", {"StackEvents": [
        {"StackId": STACK, "EventId": "e-1", "StackName": STACK, "LogicalResourceId": "Endpoint", "Timestamp": WHEN,
         "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "Resource handler returned message: failed"}]},
        {"StackName": STACK})  # fmt: skip

    with pytest.raises(AssertionError, match=r"UPDATE_ROLLBACK_COMPLETE: Endpoint: Resource handler returned"):
        wait_for_package(cloudformation, STACK, V2, Deadline("deploy-on-approval", 1), _never)


def test_a_command_still_running_when_its_scenario_is_out_of_time_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """CloudFormation carries on without the command; the sweeper deletes what is left."""
    monkeypatch.setattr(commands, "CLI", sys.executable)
    started = time.monotonic()

    run = commands.command(Deadline("promote", 0.01), "-c", "import time; print('started', flush=True); time.sleep(30)")

    assert time.monotonic() - started < 10  # not the 30 s it would have taken
    assert (run.code, run.stdout) == (-9, "started\n")
    assert run.stderr == "stopped: scenario promote spent its 0.01 minutes\n"


def _assignments(source: str) -> list[str]:
    return [ast.unparse(node) for node in ast.parse(source).body if isinstance(node, ast.Assign)]


def _stack(status: str, package: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": STACK, "StackStatus": status, "CreationTime": WHEN,
                        "Outputs": [{"OutputKey": "ModelPackageArn", "OutputValue": package}]}]}  # fmt: skip


def _stubbed(service: str) -> tuple[Any, Stubber]:
    made = shared_session().client(service)  # type: ignore[call-overload]
    stub = Stubber(made)
    stub.activate()
    return made, stub


def _never(_: float) -> None:
    raise AssertionError("no waiting after a rollback")
