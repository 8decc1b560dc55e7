"""The one operation engine: the pipeline every changing verb runs (plan, show, refuse or confirm, apply), its one
confirmation rule, its one follower's back-off (a stack's and a stack set's alike) and its one merge of parameter
values."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.deploy import engine
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import Refused
from generator.deploy.engine import Note, confirm, follow, merged_values
from generator.deploy.fleet.stack_set import StackSets
from tests.support.stubbed_aws import shared_session, terminal_console


class Recorded(engine.Operation[str]):
    """An operation that says what the engine asked of it."""

    def __init__(self, plan: str | None, *, refusal: str | None = None, question: str | None = None) -> None:
        self.planned, self.refused, self.asked = plan, refusal, question
        self.steps: list[str] = []

    def plan(self) -> str | None:
        self.steps.append("plan")
        return self.planned

    def unchanged(self) -> int:
        self.steps.append("unchanged")
        return 0

    def show(self, plan: str) -> None:
        self.steps.append(f"show {plan}")

    def refusal(self, plan: str) -> str | None:
        return self.refused and f"{self.refused} ({plan})"

    def question(self, plan: str) -> str | None:
        return self.asked and f"{self.asked} ({plan})"

    def discard(self, plan: str) -> None:
        self.steps.append(f"discard {plan}")

    def apply(self, plan: str) -> int:
        self.steps.append(f"apply {plan}")
        return 0


def test_a_plan_is_shown_then_applied_and_nothing_to_plan_is_unchanged() -> None:
    console = Console(io.StringIO())
    applied, unchanged = Recorded("p"), Recorded(None)
    assert (engine.run(console, applied, yes=False), applied.steps) == (0, ["plan", "show p", "apply p"])
    assert (engine.run(console, unchanged, yes=False), unchanged.steps) == (0, ["plan", "unchanged"])


def test_a_refused_plan_is_discarded_and_raised_before_any_question() -> None:
    operation = Recorded("p", refusal="the plan replaces the Endpoint", question="Execute it?")
    with pytest.raises(Refused, match="the plan replaces the Endpoint"):
        engine.run(terminal_console(io.StringIO()), operation, yes=False)
    assert operation.steps == ["plan", "show p", "discard p"]


def test_on_a_terminal_a_no_discards_the_plan_and_exits_6(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda: "n")
    err = io.StringIO()
    operation = Recorded("p", question="Execute it?")
    assert engine.run(terminal_console(err), operation, yes=False) == 6
    assert operation.steps == ["plan", "show p", "discard p"]
    assert err.getvalue().splitlines()[-1] == "Execute it? (p) [y/N] Not executed: nothing was changed."


def test_the_confirmation_rule_asks_only_on_a_terminal_and_never_with_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """As terraform and rain: a person at a terminal is asked; --yes, or a log (CI), proceeds."""
    asked: list[str] = []

    def answer() -> str:
        asked.append("asked")
        return "y"

    monkeypatch.setattr("builtins.input", answer)
    assert confirm(Console(io.StringIO()), "Execute it?", yes=False)  # not a terminal
    assert confirm(terminal_console(io.StringIO()), "Execute it?", yes=True)
    assert asked == []
    assert confirm(terminal_console(io.StringIO()), "Execute it?", yes=False)
    assert asked == ["asked"]


def test_values_are_given_else_held_else_the_default_and_held_ones_the_template_dropped_are_not_sent() -> None:
    specs = {"A": {"Default": "a"}, "B": {"Default": "b"}, "C": {}, "D": {}}
    held = {"B": "held-b", "C": "held-c", "Gone": "x"}
    assert merged_values(specs, held, {"C": "given-c"}) == {"A": "a", "B": "held-b", "C": "given-c", "D": None}


def test_the_follower_backs_off_to_10_seconds_and_a_note_is_no_news() -> None:
    """Anything new brings the next look back to 2 s; a Note (the endpoint's own stage) is shown but does not."""
    sleeps: list[float] = []
    quiet: tuple[list[str], bool] = ([], False)
    news, last = (["event"], False), (["last"], True)
    stage: tuple[list[str], bool] = ([Note("stage")], False)
    looks: Iterator[tuple[list[str], bool]] = iter([quiet, news, quiet, stage, quiet, quiet, quiet, quiet, last])
    shown: list[str] = []
    follow(lambda: next(looks), shown.append, sleep=sleeps.append)
    assert sleeps == [0.0, 2.0, 2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 10.0]
    assert shown == ["event", "stage", "last"]


def test_a_stack_sets_operation_is_followed_with_the_same_back_off() -> None:
    """One follower: a StackSet operation whose one instance changes only at the third look is asked again after
    2 s then 3 s, then 2 s after the change, as a stack is."""
    client = shared_session().client("cloudformation")
    sleeps: list[float] = []
    operation = {"StackSetName": "churn-fleet", "OperationId": "op-1"}

    def look(status: str, instance: str, stub: Stubber) -> None:
        stub.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": status}}, operation)
        summary: dict[str, Any] = {"Account": "111122223333", "Region": "eu-west-1", "Status": instance}
        stub.add_response("list_stack_set_operation_results", {"Summaries": [summary]}, operation)

    with Stubber(client) as stub:
        for status, instance in [("RUNNING", "RUNNING"), ("RUNNING", "RUNNING"), ("RUNNING", "RUNNING"),
                                 ("RUNNING", "SUCCEEDED"), ("SUCCEEDED", "SUCCEEDED")]:  # fmt: skip
            look(status, instance, stub)
        stack_sets = StackSets(Aws("eu-west-1", clients={"cloudformation": client}), Console(io.StringIO()),
                               sleep=sleeps.append)  # fmt: skip
        outcome = stack_sets.follow("churn-fleet", "op-1")
        stub.assert_no_pending_responses()
    assert outcome.status == "SUCCEEDED"
    assert sleeps == [0.0, 2.0, 3.0, 4.5, 2.0]
