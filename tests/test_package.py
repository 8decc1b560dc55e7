"""The resolver zip: reproducible, named by its hash, and self-sufficient where Lambda runs it (only the
standard library and boto3 besides the zip)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from generator.package import build_resolver_package
from tests.cfn_response_server import response_server
from tests.local_aws import CREDENTIALS, REGION, client, moto_server, register_versions

EVENTS = Path(__file__).parent / "events"
# What the Lambda Python runtime provides besides the standard library.
LAMBDA_RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
RUN_HANDLER = """
import json, sys
sys.path[:0] = sys.argv[1:3]
import crhelper
from custom_resource.handler import lambda_handler
class Context:
    aws_request_id = "req"
    function_name = "resolver"
    def get_remaining_time_in_millis(self):
        return 60_000
lambda_handler(json.loads(sys.argv[3]), Context())
try:
    import troposphere
    sys.exit("site-packages leaked into the Lambda-like interpreter")
except ImportError:
    print(crhelper.__file__)
"""


def test_the_zip_is_reproducible_and_named_by_its_sha256() -> None:
    first, second = build_resolver_package(), build_resolver_package()
    assert first.content == second.content
    assert first.file_name == f"package-resolver-{hashlib.sha256(first.content).hexdigest()}.zip"


def test_the_zip_holds_the_handler_and_crhelper_with_its_licence_and_fixed_metadata(tmp_path: Path) -> None:
    path = build_resolver_package().write(tmp_path)
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    assert [entry.filename for entry in entries] == [
        "crhelper/LICENSE",
        "crhelper/NOTICE",
        "crhelper/__init__.py",
        "crhelper/log_helper.py",
        "crhelper/resource_helper.py",
        "crhelper/utils.py",
        "custom_resource/__init__.py",
        "custom_resource/handler.py",
        "custom_resource/latest_approved.py",
    ]
    assert {(entry.date_time, entry.external_attr >> 16) for entry in entries} == {((1980, 1, 1, 0, 0, 0), 0o644)}


@pytest.fixture
def lambda_sandbox(tmp_path: Path) -> tuple[Path, Path]:
    """The zip unpacked into an empty folder, and a folder holding only the runtime's packages."""
    code, runtime = tmp_path / "code", tmp_path / "runtime"
    runtime.mkdir()
    with zipfile.ZipFile(build_resolver_package().write(tmp_path / "dist")) as archive:
        archive.extractall(code)
    for package in LAMBDA_RUNTIME_PACKAGES:
        origin = Path(str(__import__(package).__file__))
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime / source.name).symlink_to(source)
    return code, runtime


def run_in_lambda_like_interpreter(
    sandbox: tuple[Path, Path], event: dict[str, Any], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    code, runtime = sandbox
    return subprocess.run(
        [sys.executable, "-S", "-s", "-c", RUN_HANDLER, str(code), str(runtime), json.dumps(event)],
        env={"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_given_the_unzipped_package_then_a_fresh_interpreter_resolves_a_create(
    lambda_sandbox: tuple[Path, Path], tmp_path: Path
) -> None:
    with moto_server() as endpoint, response_server(tmp_path) as cloudformation:
        arns = register_versions(client("sagemaker", endpoint), "churn", ["Approved", "Approved", "Rejected"])
        event = {**json.loads((EVENTS / "create.json").read_text()), "ResponseURL": cloudformation.url}
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "SSL_CERT_FILE": str(cloudformation.ca_file),
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
        run = run_in_lambda_like_interpreter(lambda_sandbox, event, env)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == str(lambda_sandbox[0] / "crhelper" / "__init__.py")
        (answer,) = cloudformation.wait(1)
    assert (answer["Status"], answer["PhysicalResourceId"], answer["Data"]["ModelPackageArn"]) == (
        "SUCCESS",
        arns[1],
        arns[1],
    )


def test_given_the_unzipped_package_then_a_delete_needs_no_aws_at_all(
    lambda_sandbox: tuple[Path, Path], tmp_path: Path
) -> None:
    with response_server(tmp_path) as cloudformation:
        event = {**json.loads((EVENTS / "delete.json").read_text()), "ResponseURL": cloudformation.url}
        run = run_in_lambda_like_interpreter(lambda_sandbox, event, {"SSL_CERT_FILE": str(cloudformation.ca_file)})
        assert run.returncode == 0, run.stderr
        (answer,) = cloudformation.wait(1)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", event["PhysicalResourceId"])
