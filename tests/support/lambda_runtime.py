"""Run a Lambda handler from its unpacked zip the way the Python Lambda runtime would, but here: in a fresh
interpreter that sees only the standard library, the packages the runtime provides (boto3 and what it needs)
and the code, with a Lambda-like environment and context."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

# What the Lambda Python runtime provides besides the standard library.
TIMED_OUT = -9  # the exit status of a process the runtime stopped at its timeout
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
BOOTSTRAP = """
import importlib, json, logging, sys
_log = logging.StreamHandler()  # the Lambda runtime gives the root logger a handler writing to the log stream
_log.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
logging.getLogger().addHandler(_log)
code, runtime, handler, event, timeout_ms, name = sys.argv[1:7]
RESULT_MARK = "LAMBDA_RESULT "
sys.path[:0] = [code, runtime]
module, function = handler.rsplit(".", 1)
class Context:
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    function_name = name
    def __init__(self, deadline_ms):
        import time
        self._deadline = time.monotonic() + deadline_ms / 1000
    def get_remaining_time_in_millis(self):
        import time
        return int((self._deadline - time.monotonic()) * 1000)
handle = getattr(importlib.import_module(module), function)
import os, signal, threading  # the init phase is over: the invocation's timeout starts now, as on Lambda
stop = threading.Timer(int(timeout_ms) / 1000, lambda: os.kill(os.getpid(), signal.SIGKILL))
stop.daemon = True
stop.start()
result = handle(json.loads(event), Context(int(timeout_ms)))
print(RESULT_MARK + json.dumps(result))
"""
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: "The Init phase is limited to 10
# seconds." The function's timeout applies to the Invoke phase that follows.
INIT_SECONDS = 10


RESULT_MARK = "LAMBDA_RESULT "


def handler_result(run: subprocess.CompletedProcess[str]) -> Any:
    """What the handler returned (the runtime hands it to the invoker), from the run's last marked line."""
    lines = [line for line in run.stdout.splitlines() if line.startswith(RESULT_MARK)]
    assert lines, f"the handler returned nothing: {run.stderr[-2000:]}"
    return json.loads(lines[-1][len(RESULT_MARK) :])


class LambdaSandbox:
    """A folder of the runtime's packages (links into this interpreter's site-packages) and unpacked zips."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.runtime = directory / "runtime"
        self.runtime.mkdir(parents=True, exist_ok=True)
        for package in RUNTIME_PACKAGES:
            origin = Path(str(__import__(package).__file__))
            source = origin.parent if origin.name == "__init__.py" else origin
            link = self.runtime / source.name
            if not link.exists():
                link.symlink_to(source)

    def unpack(self, zip_bytes: bytes, name: str) -> Path:
        code = self.directory / "code" / name
        if not code.exists():
            code.mkdir(parents=True)
            with zipfile.ZipFile(__import__("io").BytesIO(zip_bytes)) as archive:
                archive.extractall(code)
        return code

    def invoke(
        self,
        code: Path,
        handler: str,
        event: dict[str, Any],
        env: dict[str, str],
        *,
        region: str,
        timeout_seconds: int = 60,
        function_name: str = "function",
    ) -> subprocess.CompletedProcess[str]:
        """Run the handler to its end, or stop it at its timeout as Lambda does ("Task timed out"). As on Lambda,
        the timeout counts from the invocation: importing the code (the init phase) has a limit of its own."""
        lambda_env = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout_seconds),
            "LAMBDA_TASK_ROOT": str(code),
            **env,
        }
        command = [sys.executable, "-S", "-s", "-c", BOOTSTRAP, str(code), str(self.runtime), handler,
                   json.dumps(event), str(timeout_seconds * 1000), function_name]  # fmt: skip
        try:
            return subprocess.run(
                command,
                env=lambda_env,
                capture_output=True,
                text=True,
                timeout=INIT_SECONDS + timeout_seconds + 1,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            return subprocess.CompletedProcess(command, TIMED_OUT, str(expired.stdout or ""), "Task timed out")
