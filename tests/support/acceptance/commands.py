"""`sagemaker-endpoint` run as a user runs it: the installed console script, in a process of its own, with the
maintainer's environment. What it tells people (stderr) is shown live and kept; its JSON (stdout) is kept."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tests.support.acceptance.world import Deadline
from tests.support.paths import ROOT

CLI = Path(sys.executable).parent / "sagemaker-endpoint"


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    def __str__(self) -> str:
        return f"sagemaker-endpoint {' '.join(self.args)} exited {self.code}:\n{self.stderr}"


def command(deadline: Deadline, *args: str) -> Run:
    """Stopped when the scenario's time is spent (CloudFormation carries on; the sweeper deletes what is left)."""
    with subprocess.Popen(
        [str(CLI), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        out: list[str] = []
        err: list[str] = []
        readers = [
            threading.Thread(target=_read, args=(process.stdout, out, False)),
            threading.Thread(target=_read, args=(process.stderr, err, True)),
        ]
        for reader in readers:
            reader.start()
        try:
            code = process.wait(timeout=deadline.remaining())
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = -9
            err.append(f"stopped: scenario {deadline.scenario} spent its {deadline.minutes} minutes\n")
        for reader in readers:
            reader.join()
    return Run(args, code, "".join(out), "".join(err))


def _read(stream: IO[str] | None, into: list[str], echo: bool) -> None:
    assert stream is not None
    for line in stream:
        into.append(line)
        if echo:
            sys.stderr.write(f"    | {line}")
            sys.stderr.flush()
