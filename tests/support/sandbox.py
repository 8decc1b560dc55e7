"""`make sandbox`: a local moto server with the test suite's bends (tests/support/moto/: custom resources run as
Lambda would, CloudFormation's refusals), seeded with a VPC, two subnets in two Availability Zones, the model data
bucket and a model package group `churn` with approved versions, so that the README's quick start runs without an
account. It prints the environment to export and the commands to try, and serves until Ctrl-C.

It is moto, not AWS: nothing is billed and nothing is served (an endpoint is InService at once and answers no
invocation), IAM policies and KMS key policies are not enforced, alarms never fire, and CloudFormation's events,
timings and errors are moto's, not AWS's."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path
from types import FrameType

from tests.support.cfn_response_server import response_server
from tests.support.lambda_runtime import LambdaSandbox
from tests.support.local_aws import ARTIFACTS_BUCKET, CREDENTIALS, REGION, client, moto_server, register_versions
from tests.support.moto.bends import CustomResourceRuntime, bent_moto

GROUP = "churn"
VERSIONS = ["Approved", "Approved", "PendingManualApproval"]  # the preflight warns of the third, if named


def seed(url: str) -> dict[str, str]:
    """The resources the quick start names, made on the server at `url`; the values to pass, by parameter."""
    ec2 = client("ec2", url)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in ((1, "a"), (2, "b"))
    ]
    client("s3", url).create_bucket(Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    versions = register_versions(client("sagemaker", url), GROUP, VERSIONS)
    return {
        "VpcId": vpc,
        "SubnetIds": ",".join(subnets),
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}",
        "ModelPackageArn": versions[1],
        "ModelPackageGroupName": GROUP,
    }


def instructions(url: str, values: dict[str, str]) -> str:
    """What to paste in another shell: the environment, then the quick start's two deploys and a status."""
    network = " ".join(f"--param {name}={values[name]}" for name in ("VpcId", "SubnetIds", "ModelArtifactsBucketArn"))
    return "\n".join([
        "# A local moto server, NOT AWS: nothing is billed or served, IAM is not enforced, alarms never fire.",
        "# In another shell:",
        f"export AWS_ENDPOINT_URL={url} AWS_REGION={REGION}",
        f"export AWS_ACCESS_KEY_ID={CREDENTIALS['aws_access_key_id']} "
        f"AWS_SECRET_ACCESS_KEY={CREDENTIALS['aws_secret_access_key']}",
        "unset AWS_PROFILE AWS_SESSION_TOKEN",
        f"sagemaker-endpoint deploy --stack-name churn-endpoint {network} "
        f"--param ModelPackageArn={values['ModelPackageArn']} --param InstanceType=ml.m5.large",
        f"sagemaker-endpoint deploy --stack-name churn-latest {network} "
        f"--param ModelPackageGroupName={values['ModelPackageGroupName']} --param InstanceType=ml.m5.large",
        "sagemaker-endpoint status --stack-name churn-endpoint",
        "# Ctrl-C here stops the sandbox; everything in it is gone.",
    ])  # fmt: skip


def main() -> None:
    stop = False

    def stopped(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    with tempfile.TemporaryDirectory() as directory, moto_server() as url, response_server(Path(directory)) as answers:
        env = {"AWS_ENDPOINT_URL": url, "SSL_CERT_FILE": str(answers.ca_file), **{
            name.upper(): value for name, value in CREDENTIALS.items()}}  # fmt: skip
        with bent_moto(CustomResourceRuntime(LambdaSandbox(Path(directory)), answers, env)):
            print(instructions(url, seed(url)), flush=True)
            signal.signal(signal.SIGTERM, stopped)
            try:
                while not stop:
                    signal.pause()
            except KeyboardInterrupt:
                pass
    print("sandbox stopped")


if __name__ == "__main__":
    main()
