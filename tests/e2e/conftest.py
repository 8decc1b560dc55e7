"""The local AWS of the end-to-end suite: a moto server on 127.0.0.1, an HTTPS ResponseURL, the resolver zip
the CLI builds uploaded to moto's S3, and moto bent to run our custom resource (moto_bends.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cfn_response_server import response_server
from tests.e2e.moto_bends import CustomResourceRuntime, bent_moto
from tests.lambda_runtime import LambdaSandbox
from tests.local_aws import CREDENTIALS, REGION, client, moto_server, register_versions

ROOT = Path(__file__).parent.parent.parent
TEMPLATE = (ROOT / "templates" / "sagemaker-endpoint.yaml").read_text()
CODE_BUCKET = "resolver-code-111122223333"
TEMPLATE_KEY = "templates/sagemaker-endpoint.yaml"
ARTIFACTS_BUCKET = "ml-artifacts-111122223333"
GROUP = "churn"
# v2 was approved and then rejected; v4 waits for approval: the latest *Approved* by creation is v3.
HISTORY = ["Approved", "Approved", "Approved", "PendingManualApproval", "Rejected"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@dataclass
class LocalAws:
    endpoint_url: str
    runtime: CustomResourceRuntime
    vpc_id: str
    subnet_ids: list[str]
    resolver_zip: Path
    versions: list[str]

    def client(self, service: str) -> Any:
        return client(service, self.endpoint_url)

    def cli_env(self) -> dict[str, str]:
        """The environment a command-line tool run as a subprocess needs to reach this local AWS."""
        return {
            "PATH": os.environ["PATH"],
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }

    def network(self) -> dict[str, str]:
        return {"VpcId": self.vpc_id, "SubnetIds": ",".join(self.subnet_ids)}

    def group_mode(self) -> dict[str, str]:
        return {
            **self.network(),
            "ModelPackageGroupName": GROUP,
            "ResolverCodeS3Bucket": CODE_BUCKET,
            "ResolverCodeS3Key": self.resolver_zip.name,
            "InstanceType": "ml.m5.large",
        }

    def template_url(self) -> str:
        """The committed template in S3: it is larger than CloudFormation takes inline."""
        self.client("s3").put_object(Bucket=CODE_BUCKET, Key=TEMPLATE_KEY, Body=TEMPLATE.encode())
        return f"https://s3.amazonaws.com/{CODE_BUCKET}/{TEMPLATE_KEY}"

    def create_stack(self, name: str, values: dict[str, str]) -> dict[str, Any]:
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(
            StackName=name,
            TemplateURL=self.template_url(),
            Parameters=parameters(values),
            Capabilities=["CAPABILITY_IAM"],
        )
        stack: dict[str, Any] = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        return stack

    def physical_ids(self, stack: str) -> dict[str, str]:
        summaries = self.client("cloudformation").list_stack_resources(StackName=stack)["StackResourceSummaries"]
        return {s["LogicalResourceId"]: s.get("PhysicalResourceId", "") for s in summaries}


def parameters(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs") or []}


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
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> LambdaSandbox:
    return LambdaSandbox(tmp_path_factory.mktemp("lambda"))


@pytest.fixture
def aws(tmp_path: Path, shipped_zip: Path, sandbox: LambdaSandbox) -> Iterator[LocalAws]:
    with moto_server() as endpoint_url, response_server(tmp_path) as responses:
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
