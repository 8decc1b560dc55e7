"""The run as the scenarios see it: the plan, the clients, each scenario's deadline, the model versions and the
parameters of the three endpoint stacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.acceptance import cost
from tests.support.acceptance.commands import Run
from tests.support.acceptance.preflight import Plan
from tests.support.acceptance.settings import Network
from tests.support.acceptance.world import Deadline

# Each group's versions, oldest first: (label the model answers, approval status at registration).
VERSIONS = {
    "arn": [("arn-v1", "Approved")],
    "group": [("group-v1", "Approved"), ("group-v2", "PendingManualApproval")],
    "approval": [("approval-v1", "Approved"), ("approval-v2", "PendingManualApproval")],
}
STACKS = {"arn": "arn-mode", "group": "group-mode", "approval": "deploy-on-approval"}


@dataclass
class Lane:
    plan: Plan
    clients: Callable[[str], Any]
    deadlines: dict[str, Deadline] = field(default_factory=dict)

    def deadline(self, scenario: str) -> Deadline:
        """The scenario's clock, started the first time it is asked for (by its first fixture or test)."""
        if scenario not in self.deadlines:
            minutes = next(s.minutes for s in cost.SCENARIOS if s.name == scenario)
            self.deadlines[scenario] = Deadline(scenario, minutes)
        return self.deadlines[scenario]

    def tag_args(self) -> list[str]:
        return ["--tag", self.plan.names.cli_tag]

    def bucket_arn(self, bucket: str) -> str:
        return f"arn:{self.plan.caller.partition}:s3:::{bucket}"


@dataclass(frozen=True)
class Versions:
    arns: dict[str, list[str]]  # by group purpose, oldest first
    labels: dict[str, str]  # package ARN -> the label its model answers

    def of(self, purpose: str, number: int) -> str:
        return self.arns[purpose][number - 1]


@dataclass(frozen=True)
class Deployed:
    stack: str
    endpoint: str
    run: Run


def realtime(lane: Lane, bucket: str, network: Network, package: str) -> dict[str, str]:
    """ARN mode on the smallest instance, in the VPC; no bake time, so that promote's update ends quickly."""
    return {
        "ModelPackageArn": package,
        "InstanceType": lane.plan.price.instance_type,
        "VpcId": network.vpc_id,
        "SubnetIds": ",".join(network.subnet_ids),
        "EndpointName": lane.plan.names.name(STACKS["arn"]),
        "ModelArtifactsBucketArn": lane.bucket_arn(bucket),
        "DeploymentBakeSeconds": "0",
        "DeploymentWaitIntervalSeconds": "0",
    }


def serverless(lane: Lane, bucket: str, purpose: str) -> dict[str, str]:
    """Group mode, Serverless: no VPC, no network isolation (the template's Rules), one request at a time."""
    return {
        "EndpointType": "Serverless",
        "EnableNetworkIsolation": "false",
        "ServerlessMaxConcurrency": "1",
        "ModelPackageGroupName": lane.plan.names.name(purpose),
        "EndpointName": lane.plan.names.name(STACKS[purpose]),
        "ModelArtifactsBucketArn": lane.bucket_arn(bucket),
    }


def params(values: dict[str, str]) -> list[str]:
    return [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
