"""The resolver zip: reproducible, named by its hash, and self-sufficient where Lambda runs it (only the
standard library and boto3 besides the zip)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from custom_resource.contract import GroupShare, Resolver, Updater
from generator.common.lambda_zip import build_resolver_package
from tests.support.cfn_response_server import response_server
from tests.support.lambda_runtime import LambdaSandbox
from tests.support.local_aws import CREDENTIALS, REGION, client, moto_server, register_versions
from tests.support.paths import EVENTS

HANDLER = "custom_resource.resolver_handler.lambda_handler"


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
        "custom_resource/approval_updater.py",
        "custom_resource/contract.py",
        "custom_resource/group_share.py",
        "custom_resource/latest_approved.py",
        "custom_resource/resolver_handler.py",
        "custom_resource/retained.py",
    ]
    assert {(entry.date_time, entry.external_attr >> 16) for entry in entries} == {((1980, 1, 1, 0, 0, 0), 0o644)}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[LambdaSandbox, Path]]:
    """The zip unpacked into an empty folder, beside only the packages the Lambda runtime provides."""
    lambda_sandbox = LambdaSandbox(tmp_path)
    yield lambda_sandbox, lambda_sandbox.unpack(build_resolver_package().content, "resolver")
    lambda_sandbox.close()


def test_given_the_unpacked_zip_then_only_it_and_the_runtimes_packages_are_importable(
    sandbox: tuple[LambdaSandbox, Path],
) -> None:
    lambda_sandbox, code = sandbox
    probe = (
        "import importlib.util, sys; sys.path[:0] = sys.argv[1:3]; import crhelper; print(crhelper.__file__); "
        "print(importlib.util.find_spec('troposphere'), importlib.util.find_spec('boto3') is not None)"
    )
    run = subprocess.run(
        [sys.executable, "-S", "-s", "-c", probe, str(code), str(lambda_sandbox.runtime)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines() == [str(code / "crhelper" / "__init__.py"), "None True"]


def test_given_the_unpacked_zip_then_every_handler_imports_with_its_contract_and_without_the_generator(
    sandbox: tuple[LambdaSandbox, Path],
) -> None:
    """The templates run these handlers (tests.custom_resource.test_contract holds that), and each imports
    custom_resource.contract: the zip must ship it, and nothing of the generator or the template libraries."""
    lambda_sandbox, code = sandbox
    probe = (
        "import importlib, sys; sys.path[:0] = sys.argv[1:3]\n"
        "for handler in sys.argv[3:]: importlib.import_module(handler.rsplit('.', 1)[0])\n"
        "print(sys.modules['custom_resource.contract'].__file__)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'generator', 'troposphere', 'awacs'}))"
    )
    handlers = [Resolver.HANDLER, Updater.HANDLER, GroupShare.HANDLER]
    run = subprocess.run(
        [sys.executable, "-S", "-s", "-c", probe, str(code), str(lambda_sandbox.runtime), *handlers],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_REGION": REGION},  # crhelper makes a client when a handler module is imported
    )
    assert run.stdout.splitlines() == [str(code / "custom_resource" / "contract.py"), "[]"]


def test_given_the_unpacked_zip_then_a_fresh_interpreter_resolves_a_create(
    sandbox: tuple[LambdaSandbox, Path], tmp_path: Path
) -> None:
    lambda_sandbox, code = sandbox
    with moto_server() as endpoint, response_server(tmp_path) as cloudformation:
        arns = register_versions(client("sagemaker", endpoint), "churn", ["Approved", "Approved", "Rejected"])
        event = {**json.loads((EVENTS / "create.json").read_text()), "ResponseURL": cloudformation.url}
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "SSL_CERT_FILE": str(cloudformation.ca_file),
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
        run = lambda_sandbox.invoke(code, HANDLER, event, env, region=REGION)
        assert run.returncode == 0, run.stderr
        (answer,) = cloudformation.wait(1)
    assert (answer["Status"], answer["PhysicalResourceId"], answer["Data"]["ModelPackageArn"]) == (
        "SUCCESS",
        arns[1],
        arns[1],
    )


def test_given_the_unpacked_zip_then_a_delete_needs_no_aws_at_all(
    sandbox: tuple[LambdaSandbox, Path], tmp_path: Path
) -> None:
    lambda_sandbox, code = sandbox
    with response_server(tmp_path) as cloudformation:
        event = {**json.loads((EVENTS / "delete.json").read_text()), "ResponseURL": cloudformation.url}
        run = lambda_sandbox.invoke(code, HANDLER, event, {"SSL_CERT_FILE": str(cloudformation.ca_file)}, region=REGION)
        assert run.returncode == 0, run.stderr
        (answer,) = cloudformation.wait(1)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", event["PhysicalResourceId"])
