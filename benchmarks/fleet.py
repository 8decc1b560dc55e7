"""Fleet and promotion overhead on the local AWS of the e2e suite (benchmarks/deploy.py's bent moto server).

- `fleet deploy` to 1 and to 4 Regions of one account, each Region with its own VPC and package (per-Region
  overrides, so one StackSets operation per Region, as in a real multi-Region fleet); the marginal cost of an
  instance, set against one `deploy` of the same stack.
- `promote` from a staging stack to a prod stack, set against the `deploy` of the same pinned change to an
  identical prod stack: what the gates and the reading of the source cost beyond the deploy.
"""

from __future__ import annotations

import statistics
import subprocess
from typing import Any

import boto3

from benchmarks.deploy import BIN, ROOT, local_aws, timed
from tests.support.local_aws import CREDENTIALS, REGION, register_versions

REGIONS = [REGION, "eu-central-1", "us-east-1", "us-west-2"]
ACCOUNT = "123456789012"  # moto's
RUNS = 3


def _client(env: dict[str, str], service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=env["AWS_ENDPOINT_URL"], **CREDENTIALS)  # type: ignore[call-overload]


def _region_values(env: dict[str, str], region: str) -> list[str]:
    ec2 = _client(env, "ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    (package,) = register_versions(_client(env, "sagemaker", region), f"bench-{region}", ["Approved"])
    return [f"VpcId={vpc}", f"SubnetIds={subnet}", f"ModelPackageArn={package}"]


def fleet_seconds() -> tuple[list[float], list[float], list[float]]:
    """(fleet deploy to 1 Region, to 4 Regions, one `deploy`), RUNS each, alternating, new stack sets each run."""
    one, four, single = [], [], []
    with local_aws() as (env, values):
        per_region = {region: _region_values(env, region) for region in REGIONS[1:]}
        home = [arg for value in values for arg in ("--param", value)]
        overrides = [arg for r, vs in per_region.items() for v in vs for arg in ("--override", f"{r}:{v}")]
        for run in range(RUNS):
            fleet = [str(BIN / "sagemaker-endpoint"), "fleet", "deploy", "--accounts", ACCOUNT, *home]
            one.append(timed([*fleet, "--stack-set-name", f"one-{run}", "--regions", REGION], env))
            four.append(
                timed([*fleet, *overrides, "--stack-set-name", f"four-{run}", "--regions", ",".join(REGIONS)], env)
            )
            single.append(
                timed([str(BIN / "sagemaker-endpoint"), "deploy", "--stack-name", f"single-{run}", *home], env)
            )
    return one, four, single


def promote_seconds() -> tuple[list[float], list[float]]:
    """(promote staging -> prod, deploy of the same pinned package to a twin prod), RUNS each."""
    promoted, deployed = [], []
    with local_aws() as (env, values):
        sagemaker = _client(env, "sagemaker", REGION)
        first = sagemaker.describe_model_package(ModelPackageName=values[2].split("=", 1)[1])
        newer = sagemaker.create_model_package(
            ModelPackageGroupName="bench", ModelApprovalStatus="Approved",
            InferenceSpecification=first["InferenceSpecification"],
        )["ModelPackageArn"]  # fmt: skip
        base = [arg for value in values for arg in ("--param", value)]
        command = [str(BIN / "sagemaker-endpoint")]
        for run in range(RUNS):
            for stack in (f"staging-{run}", f"prod-{run}", f"twin-{run}"):
                subprocess.run(
                    [*command, "deploy", "--stack-name", stack, *base],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            newer_param = ["--param", f"ModelPackageArn={newer}"]
            subprocess.run([*command, "deploy", "--stack-name", f"staging-{run}", *base, *newer_param],
                           cwd=ROOT, env=env, check=True, capture_output=True)  # fmt: skip
            promoted.append(
                timed(
                    [*command, "promote", "--from-stack", f"staging-{run}", "--to-stack", f"prod-{run}", "--yes"], env
                )
            )
            deployed.append(
                timed([*command, "deploy", "--stack-name", f"twin-{run}", "--param", f"ModelPackageArn={newer}"], env)
            )
    return promoted, deployed


def main() -> None:
    one, four, single = (statistics.median(t) for t in fleet_seconds())
    per_instance = (four - one) / (len(REGIONS) - 1)
    print(
        f"fleet deploy on moto, one account ({RUNS} runs each): 1 Region {one:.2f} s, "
        f"{len(REGIONS)} Regions {four:.2f} s; each further instance {per_instance:.2f} s, "
        f"against {single:.2f} s for one `deploy` of the same stack"
    )
    promoted, deployed = (statistics.median(t) for t in promote_seconds())
    print(
        f"promote staging -> prod on moto ({RUNS} runs): {promoted:.2f} s, against {deployed:.2f} s for `deploy` of "
        f"the same pinned change: {promoted - deployed:+.2f} s for reading the source and its gates"
    )


if __name__ == "__main__":
    main()
