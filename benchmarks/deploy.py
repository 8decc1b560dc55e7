"""The deploy client against `aws cloudformation deploy`, and its start-up, on the local AWS of the e2e suite.

Both tools create the same ARN-mode stack on the same bent moto server, one fresh stack per run, alternating,
so neither gets a warmer server; both upload the template to S3 (it is over the inline limit). The start-up
figures are a new interpreter each time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.cfn_response_server import response_server
from tests.support.lambda_runtime import LambdaSandbox
from tests.support.local_aws import ARTIFACTS_BUCKET, CREDENTIALS, REGION, client, moto_server, register_versions
from tests.support.moto.bends import CustomResourceRuntime, bent_moto

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
RUNS = 5
TEMPLATE_BUCKET = "bench-templates"  # the template is over the inline limit: both tools send it through S3


@contextmanager
def local_aws() -> Iterator[tuple[dict[str, str], list[str]]]:
    """(environment for a CLI, the ARN-mode parameters as KEY=VALUE) on a bent moto server."""
    with tempfile.TemporaryDirectory() as directory, moto_server() as url, response_server(Path(directory)) as answers:
        env = {"PATH": os.environ["PATH"], "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": REGION,
               "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
               "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"]}  # fmt: skip
        with bent_moto(CustomResourceRuntime(LambdaSandbox(Path(directory)), answers, env)):
            ec2 = client("ec2", url)
            vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
            (package,) = register_versions(client("sagemaker", url), "bench", ["Approved"])
            for bucket in (TEMPLATE_BUCKET, ARTIFACTS_BUCKET):  # the package's model data is in the second
                client("s3", url).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            yield env, [f"VpcId={vpc}", f"SubnetIds={subnet}", f"ModelPackageArn={package}", "InstanceType=ml.m5.large",
                        f"ModelArtifactsBucketArn=arn:aws:s3:::{ARTIFACTS_BUCKET}"]  # fmt: skip


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def deploy_seconds() -> tuple[list[float], list[float]]:
    ours, theirs = [], []
    with local_aws() as (env, values):
        for run in range(RUNS):
            params = [arg for value in values for arg in ("--param", value)]
            ours.append(timed([str(BIN / "sagemaker-endpoint"), "deploy", "--stack-name", f"ours-{run}", *params], env))
            theirs.append(
                timed(
                    [str(BIN / "aws"), "cloudformation", "deploy", "--stack-name", f"theirs-{run}",
                     "--template-file", "templates/sagemaker-endpoint.yaml", "--s3-bucket", TEMPLATE_BUCKET,
                     "--capabilities", "CAPABILITY_IAM",
                     "--parameter-overrides", *values],
                    env,
                )
            )  # fmt: skip
    return ours, theirs


def preflight_seconds() -> list[float]:
    """The live preflight's read-only calls (generator.deploy.preflight) for an ARN-mode deploy in a VPC with an
    execution role given, in this process, on the bent moto server: new clients each run, as a deploy makes them."""
    from generator.deploy.aws import Aws  # noqa: PLC0415
    from generator.deploy.console import Console  # noqa: PLC0415
    from generator.deploy.context import DeployContext  # noqa: PLC0415
    from generator.deploy.preflight import run_preflight  # noqa: PLC0415
    from generator.deploy.template_file import load_template  # noqa: PLC0415

    timings = []
    with local_aws() as (env, values):
        trust = '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, ' \
                '"Action": "sts:AssumeRole"}]}'  # fmt: skip
        role = client("iam", env["AWS_ENDPOINT_URL"]).create_role(RoleName="bench", AssumeRolePolicyDocument=trust)
        given = dict(value.split("=", 1) for value in values) | {"ModelExecutionRoleArn": role["Role"]["Arn"]}
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            for _ in range(RUNS):
                context = DeployContext(Aws(REGION), load_template(), Console(), sys.stdout)
                started = time.perf_counter()
                findings = run_preflight(context, dict(given))
                timings.append(time.perf_counter() - started)
                if findings.problems or findings.unchecked:
                    raise RuntimeError(f"the preflight found {findings}")
        finally:
            for name, value in saved.items():
                os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
    return timings


def help_seconds() -> list[float]:
    return [timed([str(BIN / "sagemaker-endpoint"), "--help"], dict(os.environ)) for _ in range(RUNS)]


def seconds_to_first_aws_call() -> list[float]:
    """From process start to the first connection the deploy command opens (a listener that answers nothing)."""
    timings = []
    for run in range(RUNS):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            arrived = threading.Event()
            threading.Thread(target=_signal_first_connection, args=(listener, arrived), daemon=True).start()
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "x",
                   "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL": url}  # fmt: skip
            started = time.perf_counter()
            with subprocess.Popen(
                [str(BIN / "sagemaker-endpoint"), "deploy", "--stack-name", f"s{run}", "--param",
                 "ModelPackageArn=arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/1"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ) as process:  # fmt: skip
                if not arrived.wait(timeout=30):
                    raise RuntimeError("the deploy command never called AWS")
                timings.append(time.perf_counter() - started)
                process.kill()
    return timings


def _signal_first_connection(listener: socket.socket, arrived: threading.Event) -> None:
    listener.accept()
    arrived.set()
