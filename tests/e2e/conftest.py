"""The local AWS of the end-to-end suite: a moto server on 127.0.0.1, an HTTPS ResponseURL, the resolver zip
the CLI builds uploaded to moto's S3, and moto bent to run our custom resource (moto_bends.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cfn_response_server import response_server
from tests.support.e2e import (
    CODE_BUCKET,
    GROUP,
    HISTORY,
    LocalAws,
)
from tests.support.lambda_runtime import LambdaSandbox
from tests.support.local_aws import ARTIFACTS_BUCKET, CREDENTIALS, REGION, client, moto_server, register_versions, reset
from tests.support.moto.bends import CustomResourceRuntime, bent_moto
from tests.support.paths import ROOT

# v2 was approved and then rejected; v4 waits for approval: the latest *Approved* by creation is v3.


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def shipped_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The very file a user ships: what `python -m generator package` writes."""
    dist = tmp_path_factory.mktemp("dist")
    printed = subprocess.run(
        [sys.executable, "-m", "generator", "package", "--output", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(printed.split()[0])


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaSandbox]:
    lambda_sandbox = LambdaSandbox(tmp_path_factory.mktemp("lambda"))
    yield lambda_sandbox
    lambda_sandbox.close()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server per test process (stopping one takes half a second); each test resets it."""
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(tmp_path: Path, shipped_zip: Path, sandbox: LambdaSandbox, moto_url: str) -> Iterator[LocalAws]:
    endpoint_url = moto_url
    reset(endpoint_url)
    with response_server(tmp_path) as responses:
        aws_env = {
            "AWS_ENDPOINT_URL": endpoint_url,
            "SSL_CERT_FILE": str(responses.ca_file),
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
        with bent_moto(CustomResourceRuntime(sandbox, responses, aws_env)) as runtime:
            ec2 = client("ec2", endpoint_url)
            vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
            subnet_ids = [
                ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
                    "Subnet"
                ]["SubnetId"]
                for i, zone in ((1, "a"), (2, "b"))
            ]
            s3 = client("s3", endpoint_url)
            for bucket in (CODE_BUCKET, ARTIFACTS_BUCKET):
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            s3.put_object(Bucket=CODE_BUCKET, Key=shipped_zip.name, Body=shipped_zip.read_bytes())
            sagemaker = client("sagemaker", endpoint_url)
            versions = register_versions(sagemaker, GROUP, HISTORY)
            sagemaker.update_model_package(ModelPackageArn=versions[1], ModelApprovalStatus="Rejected")
            yield LocalAws(endpoint_url, runtime, vpc_id, subnet_ids, shipped_zip, versions)
