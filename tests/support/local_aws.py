"""A moto server on 127.0.0.1 (a free port), for tests that need AWS APIs across processes."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
ARTIFACTS_BUCKET = "ml-artifacts-111122223333"  # where the packages' model data lives (the created role reads it)
MODEL_SPEC = {
    "Containers": [
        {
            "Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1",
            "ModelDataUrl": f"s3://{ARTIFACTS_BUCKET}/churn/model.tar.gz",
        }
    ],
    "SupportedContentTypes": ["text/csv"],
    "SupportedResponseMIMETypes": ["text/csv"],
}


@contextmanager
def moto_server() -> Iterator[str]:
    """Yield the endpoint URL of a moto server with empty backends; stop it afterwards.

    moto keeps its backends in this process, so a new server starts from what the last one left: reset it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        reset(url)
        yield url
    finally:
        server.stop()


def reset(url: str) -> None:
    """Empty every backend of the moto server at `url`: a test starts from nothing, on a server already running."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).close()


def client(service: str, endpoint_url: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]  # any service, so no Literal name to pick an overload
        service,
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id=CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
    )


def register_versions(sagemaker: Any, group: str, statuses: list[str]) -> list[str]:
    """Create a group and one package version per approval status, oldest first; return their ARNs."""
    sagemaker.create_model_package_group(ModelPackageGroupName=group)
    return [
        sagemaker.create_model_package(
            ModelPackageGroupName=group, ModelApprovalStatus=status, InferenceSpecification=MODEL_SPEC
        )["ModelPackageArn"]
        for status in statuses
    ]
