"""Shared fixtures: the rendered template as a dict, and evaluation of it for given parameter values."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import pytest

from generator.endpoint.template import build_template
from tests.support.cfn_response_server import ResponseRecorder, response_server
from tests.support.template_eval import Evaluator

# crhelper builds boto3 clients when the handler module is imported; no test talks to real AWS.
os.environ.setdefault("AWS_REGION", "eu-west-1")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
for _name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    os.environ.setdefault(_name, "testing")

# botocore reads a service's model and the endpoint rules (megabytes of JSON) once per session, and the Stubber tests
# make hundreds of sessions. The files never change: each is read once per test process. (A session already hands
# the same parsed data to every client it makes, so botocore does not change what it loads.)
_read_json_file = botocore.loaders.JSONFileLoader.load_file
_JSON_FILES: dict[str, Any] = {}


def _json_file_read_once(self: botocore.loaders.JSONFileLoader, file_path: str) -> Any:
    if file_path not in _JSON_FILES:
        _JSON_FILES[file_path] = _read_json_file(self, file_path)
    return _JSON_FILES[file_path]


botocore.loaders.JSONFileLoader.load_file = _json_file_read_once  # type: ignore[method-assign]


@pytest.fixture
def cloudformation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ResponseRecorder]:
    """CloudFormation's side of a custom resource: the HTTPS ResponseURL, trusted by the handler under test."""
    with response_server(tmp_path) as recorder:
        monkeypatch.setenv("SSL_CERT_FILE", str(recorder.ca_file))
        yield recorder


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return build_template().to_dict()  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def deploy(template: dict[str, Any]) -> Callable[..., Evaluator]:
    """deploy(**values) -> the template evaluated for those parameter values (over its defaults)."""

    def evaluate(**values: str) -> Evaluator:
        return Evaluator(template, values)

    return evaluate


@pytest.fixture
def no_aws_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any boto3 session fails the test: for input that must be refused before any AWS call."""

    def no_aws(*_: object, **__: object) -> None:
        raise AssertionError("an AWS session was made for input that was bad offline")

    monkeypatch.setattr(boto3, "Session", no_aws)
