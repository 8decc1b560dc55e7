"""The local AWS of the end-to-end suite as tests use it: its handle, and the commands run against it."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import pty
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import botocore.loaders
import botocore.session

from generator.deploy import template_file
from tests.support.local_aws import ARTIFACTS_BUCKET, CREDENTIALS, REGION, client
from tests.support.moto.bends import CustomResourceRuntime
from tests.support.paths import ROOT, TEMPLATES

TEMPLATE = (ROOT / "templates" / "sagemaker-endpoint.yaml").read_text()


CODE_BUCKET = "resolver-code-111122223333"


GROUP = "churn"


# v2 was approved and then rejected; v4 waits for approval: the latest *Approved* by creation is v3.
HISTORY = ["Approved", "Approved", "Approved", "PendingManualApproval", "Rejected"]


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

    def placement(self) -> dict[str, str]:
        """The network, and the bucket of the packages' model data, which the role the stack creates may read."""
        return {**self.network(), "ModelArtifactsBucketArn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}"}

    def group_mode(self) -> dict[str, str]:
        return {
            **self.placement(),
            "ModelPackageGroupName": GROUP,
            "ResolverCodeS3Bucket": CODE_BUCKET,
            "ResolverCodeS3Key": self.resolver_zip.name,
            "InstanceType": "ml.m5.large",
        }

    def template_url(self, template: str = "sagemaker-endpoint") -> str:
        """A committed template in S3: they are larger than CloudFormation takes inline."""
        key = f"templates/{template}.yaml"
        self.client("s3").put_object(Bucket=CODE_BUCKET, Key=key, Body=(TEMPLATES / f"{template}.yaml").read_bytes())
        return f"https://s3.amazonaws.com/{CODE_BUCKET}/{key}"

    def create_stack(self, name: str, values: dict[str, str], template: str = "sagemaker-endpoint") -> dict[str, Any]:
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(
            StackName=name,
            TemplateURL=self.template_url(template),
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


CLI = Path(sys.executable).parent / "sagemaker-endpoint"


_SERVICE_MODELS = botocore.loaders.create_loader()
_BOTO3_SESSION = boto3.Session
_PARSE_TEMPLATE = template_file.parse_template


def _sharing_service_models(region_name: str | None = None, profile_name: str | None = None) -> boto3.Session:
    """A boto3 session as the command makes one, reading AWS's service models (megabytes of JSON) once per test
    process rather than once per command."""
    core = botocore.session.Session()
    core.register_component("data_loader", _SERVICE_MODELS)
    return _BOTO3_SESSION(region_name=region_name, profile_name=profile_name, botocore_session=core)


_PARSED_TEMPLATES: dict[str, bytes] = {}


def _template_parsed_once(body: str) -> dict[str, Any]:
    """The command's parse of a template, made once per text in this test process: each command parses the 210 KB
    endpoint template (0.1 s), and a test runs several. Each caller gets its own copy."""
    if body not in _PARSED_TEMPLATES:
        _PARSED_TEMPLATES[body] = pickle.dumps(_PARSE_TEMPLATE(body))
    parsed: dict[str, Any] = pickle.loads(_PARSED_TEMPLATES[body])  # our own bytes
    return parsed


def cli(aws: LocalAws, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as `sagemaker-endpoint ARGS` runs it, with the environment of `aws.cli_env()`, in this process:
    a new interpreter per call cost the suite a second each. Its stdout and stderr are captured as a pipe would (not
    a terminal: `run_on_terminal` runs the installed console script on one)."""
    from generator.cli import main  # noqa: PLC0415

    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, aws.cli_env()),
        mock.patch.object(boto3, "Session", _sharing_service_models),
        mock.patch.object(template_file, "parse_template", _template_parsed_once),
        contextlib.chdir(ROOT),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as stopped:  # argparse's usage errors
            code = stopped.code if isinstance(stopped.code, int) else 2
    return subprocess.CompletedProcess([str(CLI), *args], code, out.getvalue(), err.getvalue())


def params(values: dict[str, str]) -> list[str]:
    return [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]


def stack_of(aws: LocalAws, name: str) -> dict[str, Any]:
    stack: dict[str, Any] = aws.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return stack


def outputs_of(aws: LocalAws, name: str) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack_of(aws, name)["Outputs"]}


def arn_mode(aws: LocalAws, version: int = 0) -> dict[str, str]:
    return {**aws.placement(), "ModelPackageArn": aws.versions[version], "InstanceType": "ml.m5.large"}


def group_mode(aws: LocalAws) -> dict[str, str]:
    return {**aws.placement(), "ModelPackageGroupName": "churn", "InstanceType": "ml.m5.large"}


def serving(aws: LocalAws, endpoint: str) -> tuple[str, str, str]:
    """(endpoint config, model, model package) the endpoint serves."""
    sagemaker = aws.client("sagemaker")
    config = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    model = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"]
    package = sagemaker.describe_model(ModelName=model)["PrimaryContainer"]["ModelPackageName"]
    return config, model, package


AWS_CLI = Path(sys.executable).parent / "aws"  # awscli, pinned in requirements.txt


def aws_cli(aws: LocalAws, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AWS_CLI), *args], cwd=ROOT, env=aws.cli_env(), capture_output=True, text=True, timeout=120, check=False
    )


def name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def deploy_role(aws: LocalAws) -> dict[str, str]:
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="sagemaker-endpoint-deployer",
        TemplateBody=(TEMPLATES / "deployer-role.yaml").read_text(),
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName="sagemaker-endpoint-deployer")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return outputs(stack)


def run_on_terminal(
    aws: LocalAws, *args: str, typed: bytes = b"", interrupt_at: bytes = b"", signal_number: int = signal.SIGINT
) -> tuple[int, str, str]:
    """The command with stdin and stderr on a terminal (a pty) and stdout piped, as a person runs it; `typed` is
    what the person types; once the terminal shows `interrupt_at`, the person presses Ctrl-C (SIGINT, or
    `signal_number`). (exit code, stdout, what the terminal showed)."""
    primary, secondary = pty.openpty()
    env = {**aws.cli_env(), "TERM": "xterm-256color", "COLUMNS": "140"}  # and no NO_COLOR
    chunks: list[bytes] = []
    shown = threading.Event()
    reader = threading.Thread(target=_drain, args=(primary, chunks, interrupt_at, shown))
    reader.start()
    if typed:
        os.write(primary, typed)  # waits in the terminal's input until the command reads it
    with subprocess.Popen(
        [str(CLI), *args], cwd=ROOT, env=env, stdin=secondary, stdout=subprocess.PIPE, stderr=secondary, text=True
    ) as process:
        if interrupt_at:
            shown.wait(timeout=60)
            process.send_signal(signal_number)
        stdout, _ = process.communicate(timeout=120)
    os.close(secondary)
    reader.join(timeout=10)
    return process.returncode, stdout, b"".join(chunks).decode()


def _drain(fd: int, chunks: list[bytes], wanted: bytes = b"", shown: threading.Event | None = None) -> None:
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the terminal closed
            return
        if not data:
            return
        chunks.append(data)
        if wanted and shown and wanted in b"".join(chunks):
            shown.set()
