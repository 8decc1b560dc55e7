"""Run a Lambda handler from its unpacked zip the way the Python Lambda runtime would, but here: in a fresh
interpreter that sees only the standard library, the packages the runtime provides (boto3 and what it needs)
and the code, with a Lambda-like environment and context.

Each invocation is a fresh process (a cold start: the handler's module is imported anew), forked from a template
process that has already imported boto3 and read the service models it was asked for before. The runtime's packages
are the same files either way, so what the handler sees is unchanged; the suite saves the half second of CPU that
importing boto3 and parsing a service model's JSON cost in every interpreter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import IO, Any

# What the Lambda Python runtime provides besides the standard library.
TIMED_OUT = -9  # the exit status of a process the runtime stopped at its timeout
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
# The template process: a clean interpreter (-S -s) with the runtime's packages on its path. It imports boto3 and
# keeps each service model file it parses (they never change), then forks one child per request line it reads. The
# child takes the invocation's environment and output files, imports the handler (the init phase), then runs it.
TEMPLATE = """
import importlib, json, logging, os, sys, threading
runtime = sys.argv[1]
sys.path[:0] = [runtime]
import boto3, botocore.loaders
_read, _files = botocore.loaders.JSONFileLoader.load_file, {}
def _load_file(self, file_path):
    if file_path not in _files:
        _files[file_path] = _read(self, file_path)
    return _files[file_path]
botocore.loaders.JSONFileLoader.load_file = _load_file
for service in sys.argv[2].split(","):  # each client reads its model, endpoints, partitions and retry rules once here
    boto3.session.Session(region_name="us-east-1").client(service, aws_access_key_id="x", aws_secret_access_key="x")
RESULT_MARK = "LAMBDA_RESULT "

class Context:
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    def __init__(self, name, deadline_ms):
        import time
        self.function_name = name
        self._deadline = time.monotonic() + deadline_ms / 1000
    def get_remaining_time_in_millis(self):
        import time
        return int((self._deadline - time.monotonic()) * 1000)

def child(request):
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1); os.dup2(err, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1); sys.stderr = os.fdopen(2, "w", buffering=1)
    os.environ.clear(); os.environ.update(request["env"])
    log = logging.StreamHandler()  # the Lambda runtime gives the root logger a handler writing to the log stream
    log.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logging.getLogger().addHandler(log)
    sys.path[:0] = [request["code"]]
    module, function = request["handler"].rsplit(".", 1)
    handle = getattr(importlib.import_module(module), function)
    import signal  # the init phase is over: the invocation's timeout starts now, as on Lambda
    stop = threading.Timer(request["timeout_ms"] / 1000, lambda: os.kill(os.getpid(), signal.SIGKILL))
    stop.daemon = True
    stop.start()
    result = handle(request["event"], Context(request["name"], request["timeout_ms"]))
    print(RESULT_MARK + json.dumps(result), flush=True)

def reap(pid, status_file):
    _, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    with open(status_file + ".tmp", "w") as done:
        done.write(str(code))
    os.replace(status_file + ".tmp", status_file)

for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(request)
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)
    threading.Thread(target=reap, args=(pid, request["status"]), daemon=True).start()
    print(pid, flush=True)
"""
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: "The Init phase is limited to 10
# seconds." The function's timeout applies to the Invoke phase that follows.
INIT_SECONDS = 10
RESULT_MARK = "LAMBDA_RESULT "
POLL_SECONDS = 0.01
# The services our handlers call (custom_resource/): their models are read once, in the template process.
HANDLER_SERVICES = ("sagemaker", "cloudformation", "sqs", "sns", "events", "sts")


def handler_result(run: subprocess.CompletedProcess[str]) -> Any:
    """What the handler returned (the runtime hands it to the invoker), from the run's last marked line."""
    lines = [line for line in run.stdout.splitlines() if line.startswith(RESULT_MARK)]
    assert lines, f"the handler returned nothing: {run.stderr[-2000:]}"
    return json.loads(lines[-1][len(RESULT_MARK) :])


class LambdaSandbox:
    """A folder of the runtime's packages (links into this interpreter's site-packages) and unpacked zips, and the
    template process that invocations are forked from (started on the first one)."""

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
        self._template: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()  # a handler may cause another invocation (a stack update runs the resolver)
        self._count = 0

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
        files = self._invocation_files()
        request = {
            "code": str(code), "handler": handler, "event": event, "env": lambda_env,
            "timeout_ms": timeout_seconds * 1000, "name": function_name, **{k: str(v) for k, v in files.items()},
        }  # fmt: skip
        pid = self._fork(request)
        status = self._wait(files["status"], pid, INIT_SECONDS + timeout_seconds + 1)
        out, err = files["out"].read_text(), files["err"].read_text()
        command = [handler, function_name]
        if status == TIMED_OUT:
            return subprocess.CompletedProcess(command, TIMED_OUT, out, err + "Task timed out")
        return subprocess.CompletedProcess(command, status, out, err)

    def close(self) -> None:
        if self._template is not None:
            self._template.kill()
            self._template.wait()
            self._template = None

    def _invocation_files(self) -> dict[str, Path]:
        with self._lock:
            self._count += 1
            folder = self.directory / "invocations" / str(self._count)
        folder.mkdir(parents=True)
        return {"out": folder / "stdout", "err": folder / "stderr", "status": folder / "status"}

    def _fork(self, request: dict[str, Any]) -> int:
        with self._lock:
            template = self._started()
            assert template.stdin is not None
            assert template.stdout is not None
            template.stdin.write(json.dumps(request) + "\n")
            template.stdin.flush()
            return int(_line(template.stdout))

    def _started(self) -> subprocess.Popen[str]:
        if self._template is None or self._template.poll() is not None:
            self._template = subprocess.Popen(
                [sys.executable, "-S", "-s", "-c", TEMPLATE, str(self.runtime), ",".join(HANDLER_SERVICES)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={"PATH": os.environ.get("PATH", "")},
            )
        return self._template

    def _wait(self, status: Path, pid: int, limit_seconds: int) -> int:
        """The child's exit status; past `limit_seconds` (a child stuck before its own timer) it is killed."""
        deadline = time.monotonic() + limit_seconds
        while not status.exists():
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(POLL_SECONDS)
        return int(status.read_text())


def _line(stream: IO[str]) -> str:
    line = stream.readline()
    assert line, "the Lambda sandbox's template process ended"
    return line
