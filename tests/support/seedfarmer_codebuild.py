"""seed-farmer 8.0.9's CodeBuild run of a module, emulated on this machine (research/seed-farmer.md, sections 1.2
and 5): the bundle (`bundle/seedfarmer.yaml` + `bundle/module/`, the module folder less what seed-farmer drops),
the environment seed-farmer sets, and the deployspec's phases in order, each in `bundle/module`, in a venv of
their own, with the real `seedfarmer` CLI on PATH and every command aborting the build on failure.

The AWS behind it is the e2e suite's moto; its request recorder tells which calls the build made."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml
from moto.moto_api import recorder

from tests.support.local_aws import CREDENTIALS, REGION
from tests.support.paths import ROOT

SEEDFARMER = ROOT / ".tools" / "seedfarmer" / "bin"
PHASES = ("install", "pre_build", "build", "post_build")
PROJECT, DEPLOYMENT, GROUP, MODULE = "aiops", "aiops", "sagemaker-endpoints", "endpoint"
ACCOUNT = "123456789012"  # moto's
# mgmt/bundle.py: what seed-farmer leaves out of a module's bundle (dot-files too, but .python-version).
DROPPED = {"build", "dist", "node_modules", "cdk.out", ".seedfarmer.out", ".mypy_cache", "__pycache__"}


def seedfarmer_python(code: str, *args: str) -> str:
    """Run code in seed-farmer's own venv (its pins differ from ours); its stdout."""
    assert (SEEDFARMER / "python").exists(), "run `make e2e` or `make scan`, which install seed-farmer"
    run = subprocess.run(
        [str(SEEDFARMER / "python"), "-c", code, *args], capture_output=True, text=True, check=True, timeout=120
    )
    return run.stdout


def parameter_variables(parameters: Mapping[str, Any]) -> dict[str, str]:
    """SEEDFARMER_PARAMETER_<NAME>=value as deploy_base.py writes them, names through seed-farmer's upper_snake_case."""
    code = (
        "import json, sys\nfrom seedfarmer.utils import upper_snake_case\n"
        "print(json.dumps({n: upper_snake_case(n) for n in json.loads(sys.argv[1])}))"
    )
    names = json.loads(seedfarmer_python(code, json.dumps(list(parameters))))
    return {
        f"SEEDFARMER_PARAMETER_{names[name]}": value if isinstance(value, str) else json.dumps(value)
        for name, value in parameters.items()
    }


@dataclass
class Build:
    returncode: int
    log: str
    metadata: dict[str, str] | None
    requests: list[dict[str, Any]]

    def calls(self, service: str) -> list[tuple[str, str]]:
        """(action, resource or name) of each request the build made to a service."""
        return [call for request in self.requests if (call := _call(request, service))]


class CodeBuild:
    def __init__(self, workdir: Path, endpoint_url: str) -> None:
        self.workdir = workdir
        self.endpoint_url = endpoint_url
        self.venv = workdir / "venv"  # seed-farmer's ~/.venv; made once, as a CodeBuild image would have it
        recorder._location = str(workdir / "requests.jsonl")  # moto reads its setting only at import
        if not self.venv.exists():
            venv.create(self.venv, with_pip=True)

    def run(self, action: str, parameters: Mapping[str, Any], metadata: str = "") -> Build:
        bundle = self.workdir / f"bundle-{action}"
        shutil.rmtree(bundle, ignore_errors=True)
        bundle.mkdir()
        (bundle / "seedfarmer.yaml").write_text(f"project: {PROJECT}\nmanifestValidationFailOnUnknownFields: true\n")
        shutil.copytree(ROOT, bundle / "module", ignore=_dropped)
        spec = yaml.safe_load((bundle / "module" / "deployspec.yaml").read_text())
        env = {
            "PATH": os.pathsep.join([str(self.venv / "bin"), str(SEEDFARMER), os.environ["PATH"]]),
            "VIRTUAL_ENV": str(self.venv),
            "HOME": str(self.workdir),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCOUNT_ID": ACCOUNT,
            "AWS_PARTITION": "aws",
            "SEEDFARMER_PROJECT_NAME": PROJECT,
            "SEEDFARMER_DEPLOYMENT_NAME": DEPLOYMENT,
            "SEEDFARMER_MODULE_NAME": f"{GROUP}-{MODULE}",
            "SEEDFARMER_MODULE_METADATA": metadata,
            "SEEDFARMER_HASH": "deadbeef",
            "SEEDFARMER_VERSION": "8.0.9",
            **{name: os.environ[name] for name in ("PIP_INDEX_URL", "PIP_FIND_LINKS") if name in os.environ},
            **parameter_variables(parameters),
        }
        log, returncode = [], 0
        recorder.reset_recording()
        recorder.start_recording()
        try:
            for phase in PHASES:
                commands = (spec.get(action) or {}).get("phases", {}).get(phase, {}).get("commands", [])
                if not commands:
                    continue
                script = "set -eo pipefail\n" + "\n".join(commands)
                run = subprocess.run(
                    ["bash", "-c", script],
                    cwd=bundle / "module",
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                log.append(f"[{phase}]\n{run.stdout}{run.stderr}")
                if run.returncode:
                    returncode = run.returncode  # on-failure: ABORT
                    break
        finally:
            recorder.stop_recording()
        requests = [json.loads(line) for line in recorder.download_recording().splitlines() if line]
        written = bundle / "module" / "SEEDFARMER_MODULE_METADATA"
        return Build(
            returncode, "\n".join(log), json.loads(written.read_text()) if written.exists() else None, requests
        )


def _dropped(_directory: str, names: list[str]) -> set[str]:
    return {
        name for name in names
        if name in DROPPED or name.endswith(".egg-info") or (name.startswith(".") and name != ".python-version")
    }  # fmt: skip


def _call(request: dict[str, Any], service: str) -> tuple[str, str] | None:
    """(action, what it names) for a recorded request to `service`, from its signature's credential scope."""
    scope = request["headers"].get("Authorization", "").split("Credential=")[-1].split(",")[0].split("/")
    if len(scope) < 4 or scope[3] != service:
        return None
    url = urlparse(request["url"])
    if service == "s3":
        bucket, _, key = url.path.lstrip("/").partition("/")
        query = set(parse_qs(url.query, keep_blank_values=True))
        action = _s3_action(request["method"], key, query)
        return action, f"{bucket}/{key}" if key else bucket
    body = base64.b64decode(request["body"]).decode() if request.get("body_encoded") else request.get("body") or ""
    form = {k: v[0] for k, v in parse_qs(body).items()}
    return form.get("Action", "?"), form.get("StackName") or form.get("ChangeSetName", "")


S3_SUBRESOURCES = {
    "publicAccessBlock": "PutBucketPublicAccessBlock",
    "encryption": "PutEncryptionConfiguration",
    "versioning": "PutBucketVersioning",
    "policy": "PutBucketPolicy",
    "lifecycle": "PutLifecycleConfiguration",
}


def _s3_action(method: str, key: str, query: set[str]) -> str:
    if key:
        return {"PUT": "PutObject", "GET": "GetObject", "HEAD": "GetObject"}[method]
    if method == "HEAD":
        return "ListBucket"  # HeadBucket is authorized as s3:ListBucket
    if method == "PUT":
        return next((action for sub, action in S3_SUBRESOURCES.items() if sub in query), "CreateBucket")
    return f"{method} bucket {sorted(query)}"
