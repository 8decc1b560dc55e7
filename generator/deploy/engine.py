"""The one operation engine under every verb that changes something, a stack's or a fleet's: plan, show, confirm,
apply, follow, report. Single-stack and fleet operations differ only in their gateway (a stack and its change set,
a StackSet and its operations); they share this pipeline, its one confirmation rule, its one follower with its
back-off, its one display, and its one merge of parameter values.

- The pipeline (`run`): an Operation plans (read only), shows its plan, may refuse it by a rule of the command
  (exit 5), asks on a terminal when its plan calls for it (a no is exit 6), then applies it, following and reporting.
  A plan refused or declined is discarded (a change set deleted): nothing changes.
- The confirmation rule (`confirm`): ask only on a terminal, only when the plan calls for it, never with --yes;
  off a terminal (CI) the command proceeds, as terraform's -auto-approve would not be needed in a log.
- The follower (`follow`): the first look is immediate; while nothing happens it backs off from 2 s by half again
  each time to 10 s, and any news brings it back to 2 s.
- The display (`Display`): one line per change, prefixed with the time since the start; on a terminal the same lines
  above a live bar of what is done out of the total, with a note (the endpoint's own stage) beside it.
- The merge (`merged_values`): each parameter as given, else as the stack (or stack set) holds it, else the
  template's default.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from generator.deploy.console import Console
from generator.deploy.errors import EXIT_DECLINED, Declined, Refused

FIRST_POLL_SECONDS, MAX_POLL_SECONDS, BACKOFF = 2.0, 10.0, 1.5
NOT_EXECUTED = "Not executed: nothing was changed."
Values = dict[str, str | None]  # every parameter; None: no value and no default
PlanT = TypeVar("PlanT")


class Operation(Generic[PlanT]):
    """What a verb that changes something does at each step of the pipeline. By default a plan is not shown, refused,
    asked about or discarded: an operation says what it does otherwise."""

    def plan(self) -> PlanT | None:
        """What would change, read only; None when nothing would."""
        raise NotImplementedError

    def unchanged(self) -> int:
        """The outcome when nothing would change (what is there, with its exit code)."""
        raise NotImplementedError

    def show(self, plan: PlanT) -> None:  # noqa: ARG002  # an operation whose question says it all shows nothing
        return

    def refusal(self, plan: PlanT) -> str | None:  # noqa: ARG002
        """Why a rule of the command refuses the plan, with what to do instead; None: it does not."""
        return None

    def question(self, plan: PlanT) -> str | None:  # noqa: ARG002
        """What to ask before applying it on a terminal; None: nothing to ask."""
        return None

    def discard(self, plan: PlanT) -> None:  # noqa: ARG002
        """Undo what planning made (a change set): the plan is not applied."""
        return

    def apply(self, plan: PlanT) -> int:
        """Apply, follow and report; the exit code."""
        raise NotImplementedError


def run(console: Console, operation: Operation[PlanT], *, yes: bool) -> int:
    """Plan, show, refuse or confirm, apply: the pipeline every changing verb runs."""
    try:
        plan = operation.plan()
    except Declined as declined:  # asked before anything was made (a package waiting for approval)
        console.line(str(declined))
        return EXIT_DECLINED
    if plan is None:
        return operation.unchanged()
    operation.show(plan)
    refusal = operation.refusal(plan)
    if refusal:
        operation.discard(plan)
        raise Refused(refusal)
    question = operation.question(plan)
    if question and not confirm(console, question, yes=yes):
        operation.discard(plan)
        console.line(NOT_EXECUTED)
        return EXIT_DECLINED
    return operation.apply(plan)


def confirm(console: Console, question: str, *, yes: bool) -> bool:
    """The one confirmation rule: on a terminal, ask unless --yes; elsewhere (CI), proceed."""
    if yes or not console.is_terminal:
        return True
    return console.confirm(question)


def merged_values(specs: Mapping[str, Mapping[str, Any]], held: Mapping[str, str], given: Mapping[str, str]) -> Values:
    """Every parameter of the template: as given, else as held now (a stack's or a stack set's), else its default
    (None: it has none). Held values of parameters the template no longer has are dropped."""
    values: Values = {name: str(spec["Default"]) if "Default" in spec else None for name, spec in specs.items()}
    values |= {name: value for name, value in held.items() if name in values}
    values |= given
    return values


Item = TypeVar("Item")


class Note(str):
    """A line shown while following that is no news of the operation itself (the endpoint's own stage): it does not
    bring the back-off back to 2 s."""

    __slots__ = ()


def follow(
    look: Callable[[], tuple[list[Item], bool]],
    show: Callable[[Item], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Look until `look` says it is done, showing each new item: at once first, then after 2 s, backing off by half
    again to 10 s while nothing new comes; anything new (but a Note) brings it back to 2 s."""
    interval = 0.0  # the first look is immediate
    while True:
        sleep(interval)
        items, done = look()
        for item in items:
            show(item)
        if done:
            return
        news = any(not isinstance(item, Note) for item in items)
        interval = FIRST_POLL_SECONDS if news or not interval else min(interval * BACKOFF, MAX_POLL_SECONDS)


class Display(Generic[Item]):
    """One line per item, `elapsed` before it; on a terminal the same lines above a live bar of `done` out of
    `total`, labelled, with a note beside it. `line` words an item, `style` colours it, `done` counts what is done."""

    def __init__(
        self,
        console: Console,
        label: str,
        *,
        line: Callable[[Item], str],
        style: Callable[[Item], str | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.label = label
        self.line = line
        self.style = style
        self.clock = clock
        self.started = clock()
        self._update: Callable[..., None] | None = None

    def elapsed(self) -> str:
        seconds = int(self.clock() - self.started)
        return f"{seconds // 60}:{seconds % 60:02d}"

    def item(self, item: Item, *, done: int, total: int | None) -> None:
        if self._update:
            self._update(completed=done, total=total)  # the bar first, redrawn now: the line redraws it below itself
        self.console.line(f"{self.elapsed():>6}  {self.line(item)}", self.style(item) if self._update else None)

    def note(self, text: str, *, done: int, total: int | None) -> None:
        """A line of its own that also stands beside the bar (the endpoint's stage)."""
        if self._update:
            self._update(completed=done, total=total, note=text)
        self.console.line(f"{self.elapsed():>6}  {text}", "cyan" if self._update else None)

    @contextmanager
    def shown(self, total: int | None) -> Iterator[Display[Item]]:
        """Plain lines in a log; on a terminal, the bar while the block runs."""
        if not self.console.is_terminal:
            yield self
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"), console=self.console.rich, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task(self.label, total=total, note="")

            def update(**fields: Any) -> None:
                progress.update(task, **{k: v for k, v in fields.items() if v is not None}, refresh=True)

            self._update = update
            try:
                yield self
            finally:
                self._update = None
