"""People's text goes to stderr (stdout is for the JSON result): colour on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console as RichConsole
from rich.text import Text


class Console:
    def __init__(self, stream: TextIO | None = None) -> None:
        # rich decides by the stream: no colour, no cursor movement when it is not a terminal (CI logs).
        self.rich = RichConsole(file=stream or sys.stderr, highlight=False, soft_wrap=True, emoji=False)

    @property
    def is_terminal(self) -> bool:
        return bool(self.rich.is_terminal)

    def line(self, text: str = "", style: str | None = None) -> None:
        self.rich.print(Text(text, style=style or ""))

    def warning(self, text: str) -> None:
        self.line(f"warning: {text}", "bold red")

    def error(self, text: str) -> None:
        self.line(f"error: {text}", "red")

    def success(self, text: str) -> None:
        self.line(text, "green")

    def confirm(self, question: str) -> bool:
        """Ask on the terminal; anything but y or yes (Enter included) is no."""
        self.rich.print(Text(f"{question} [y/N] ", style="bold"), end="")
        try:
            answer = input()
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes")
