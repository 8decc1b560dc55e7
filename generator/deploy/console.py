"""People's text goes to stderr (stdout is for the JSON result): colour on a terminal, plain lines elsewhere.

rich is imported when a Console is made, not when this module is: the command line registers every verb at start,
and `--help` or an offline verb never needs it."""

from __future__ import annotations

import errno
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console as RichConsole


class Console:
    def __init__(self, stream: TextIO | None = None) -> None:
        # rich decides by the stream: no colour, no cursor movement when it is not a terminal (CI logs).
        self.rich: RichConsole = _rich_console()(
            file=stream or sys.stderr, highlight=False, soft_wrap=True, emoji=False
        )

    @property
    def is_terminal(self) -> bool:
        return bool(self.rich.is_terminal)

    def line(self, text: str = "", style: str | None = None) -> None:
        from rich.text import Text  # noqa: PLC0415

        self.rich.print(Text(text, style=style or ""))

    def warning(self, text: str) -> None:
        self.line(f"warning: {text}", "bold red")

    def error(self, text: str) -> None:
        self.line(f"error: {text}", "red")

    def success(self, text: str) -> None:
        self.line(text, "green")

    def confirm(self, question: str) -> bool:
        """Ask on the terminal; anything but y or yes (Enter included) is no."""
        from rich.text import Text  # noqa: PLC0415

        self.rich.print(Text(f"{question} [y/N] ", style="bold"), end="")
        try:
            answer = input()
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes")


@cache
def _rich_console() -> Any:
    """rich's Console, but a closed pipe raises BrokenPipeError (rich's own answer is SystemExit(1), which would skip
    removing what an interrupted run made: generator.deploy.interrupts does that, then quiets the pipes)."""
    from rich.console import Console as RichConsole  # noqa: PLC0415

    class PipeAwareConsole(RichConsole):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "the reader of stderr is gone")

    return PipeAwareConsole
