"""Safe to interrupt at every step: Ctrl-C, SIGTERM (a CI job cancelled), SIGHUP (the terminal closed) or a closed
pipe (`2>&1 | head`) ends the command with exit 130 and no traceback, after removing what this run made and would
otherwise leave behind: its change set, and the stack its CREATE change set made, which stays in REVIEW_IN_PROGRESS
until someone executes or deletes it. It then says what it did.

What needs removing registers itself where it is made (the CloudFormation gateway registers a change set before it asks
for one, so one interrupted while being asked for is looked for too) and is crossed off when it is used or removed.
A second interrupt while removing gives up and names what is left, with the command that removes it.

"If you create a change set for a new stack, CloudFormation creates a stack with a unique stack ID, but no template or
resources. The stack will be in the REVIEW_IN_PROGRESS state until you execute the change set." (CreateChangeSet,
ChangeSetType, CloudFormation API Reference.)
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType

from generator.deploy.console import Console

SIGNALS = {signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}  # SIGINT is Python's own KeyboardInterrupt


class Interrupted(KeyboardInterrupt):
    """A signal that ends the command as Ctrl-C does."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class Undo:
    """What removes something this run made, and what is left if it cannot run (a command a person can run)."""

    run: Callable[[], str | None]  # what it did, or None when there was nothing to remove
    left: str


@dataclass
class Cleanup:
    """What this run made that an interruption must not leave behind, newest last."""

    pending: dict[str, Undo] = field(default_factory=dict)

    def add(self, key: str, undo: Undo) -> None:
        self.pending[key] = undo

    def done(self, key: str) -> None:
        """It was used (a change set executed) or removed as planned: nothing to undo any more."""
        self.pending.pop(key, None)

    def run(self) -> tuple[list[str], list[str]]:
        """(what was removed, what is left), newest first; a second interrupt stops it, leaving the rest."""
        removed: list[str] = []
        keys = list(reversed(self.pending))
        for position, key in enumerate(keys):
            try:
                did = self.pending[key].run()
            except KeyboardInterrupt:
                return removed, [self.pending[k].left for k in keys[position:]]
            except Exception as error:  # a failed removal is named, never a traceback
                first, *rest = (self.pending[k].left for k in keys[position:])
                return removed, [f"{first} ({error})", *rest]
            self.pending.pop(key)
            if did:
                removed.append(did)
        return removed, []


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted in the main thread while the block runs, as SIGINT raises
    KeyboardInterrupt; the previous handlers come back after it."""

    def interrupt(number: int, _frame: FrameType | None) -> None:
        raise Interrupted(SIGNALS[signal.Signals(number)])

    previous: dict[signal.Signals, object] = {}
    with suppress(ValueError):  # not the main thread (a test's worker): no handler can be set there
        for number in SIGNALS:
            previous[number] = signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]  # what signal.signal returned


def interrupted(console: Console, cleanup: Cleanup | None, error: BaseException) -> None:
    """Remove what this run would leave behind, then say what happened; a closed pipe says nothing more (its
    reader is gone) and is kept from raising again at exit."""
    cause = error.name if isinstance(error, Interrupted) else "Ctrl-C" if isinstance(error, KeyboardInterrupt) else (
        "the output's pipe closed")  # fmt: skip
    removed, left = cleanup.run() if cleanup else ([], [])
    if isinstance(error, BrokenPipeError):
        quiet_closed_pipes()
    said = "; ".join(removed) if removed else "nothing of this run was left to remove"
    try:
        console.line()
        console.warning(f"interrupted ({cause}): {said}.")
        for thing in left:
            console.warning(f"left behind: {thing}")
    except BrokenPipeError:
        quiet_closed_pipes()


def quiet_closed_pipes() -> None:
    """Point stdout and stderr at /dev/null, so that flushing them at exit raises nothing (the recipe of Python's
    signal module documentation, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
