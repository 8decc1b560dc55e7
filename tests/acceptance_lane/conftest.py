"""The acceptance lane's own logic, offline: the stubbed session (tests.support.acceptance.doubles) and the local
moto, with the two bends the lane's resources need."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from moto.s3.models import FakeBucket

from tests.support.acceptance.doubles import StubbedSession
from tests.support.local_aws import client, moto_server, reset
from tests.support.moto.model_registry import model_registry_deletes
from tests.support.moto.projects import projects_from_s3_templates
from tests.support.moto.tls_buckets import tls_bucket_permission


@pytest.fixture
def stubbed() -> Iterator[StubbedSession]:
    session = StubbedSession()
    yield session
    session.done()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def local(moto_url: str) -> Iterator[Any]:
    """The local moto, emptied, as the lane's client factory sees AWS. Three bends: the TLS-only bucket policy seen
    from HTTPS (tests.support.moto.bends), the model registry's deletes (tests.support.moto.model_registry), and
    SageMaker projects (tests.support.moto.projects), which the sweeper lists and deletes."""
    reset(moto_url)
    with (
        mock.patch.object(FakeBucket, "get_permission", tls_bucket_permission),
        model_registry_deletes(),
        projects_from_s3_templates(),
    ):
        yield lambda service: client(service, moto_url)
