"""The live scenarios' fixtures: the plan (from `make acceptance`'s preflight, or made here when pytest runs them
directly), the lane's resources, made once per run, and the three endpoint stacks, each deployed by the command.
At the end, whatever happened, the sweeper removes everything this run made."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import boto3
import pytest

from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import STACKS, VERSIONS, Deployed, Lane, Versions, params, realtime, serverless
from tests.support.acceptance.preflight import EXIT_NOT_OPTED_IN, Plan, PlanHolder, preflight
from tests.support.acceptance.removal import sweep
from tests.support.acceptance.settings import Network, read_settings
from tests.support.acceptance.world import (
    client_factory,
    create_bucket,
    create_deployer_role,
    create_network,
    register_versions,
    upload_model,
)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@pytest.fixture(scope="session")
def plan(request: pytest.FixtureRequest) -> Plan:
    for plugin in request.config.pluginmanager.get_plugins():
        if isinstance(plugin, PlanHolder):
            return plugin.plan
    settings, problems = read_settings(os.environ)
    outcome = preflight(settings, problems, boto3.Session())
    if outcome.plan is None:
        if outcome.code == EXIT_NOT_OPTED_IN:
            pytest.skip("\n".join(outcome.lines))
        pytest.fail("\n".join(outcome.lines), pytrace=False)
    for line in outcome.lines:
        say(line)
    return outcome.plan


@pytest.fixture(scope="session")
def lane(plan: Plan) -> Iterator[Lane]:
    clients = client_factory(boto3.Session())
    yield Lane(plan, clients)
    say(f"Sweeping what run {plan.names.run_id} made:")
    sweep(clients, say, plan.names.run_id)


@pytest.fixture(scope="session")
def bucket(lane: Lane) -> str:
    s3 = lane.clients("s3")
    name = create_bucket(s3, lane.plan.names, lane.plan.region, lane.plan.caller.partition)
    for versions in VERSIONS.values():
        for label, _ in versions:
            upload_model(s3, name, label)
    return name


@pytest.fixture(scope="session")
def versions(lane: Lane, bucket: str) -> Versions:
    arns: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for purpose, wanted in VERSIONS.items():
        urls = [(f"s3://{bucket}/models/{label}/model.tar.gz", status) for label, status in wanted]
        group = lane.plan.names.name(purpose)
        arns[purpose] = register_versions(lane.clients("sagemaker"), group, lane.plan.names, lane.plan.image, urls)
        labels |= dict(zip(arns[purpose], [label for label, _ in wanted], strict=True))
    return Versions(arns, labels)


@pytest.fixture(scope="session")
def network(lane: Lane) -> Network:
    return lane.plan.settings.network or create_network(lane.clients("ec2"), lane.plan.names, lane.plan.region)


@pytest.fixture(scope="session")
def deployer_role(lane: Lane, bucket: str) -> str:
    return create_deployer_role(lane.clients("cloudformation"), lane.plan.names, bucket)


@pytest.fixture(scope="session")
def arn_stack(lane: Lane, bucket: str, versions: Versions, network: Network) -> Deployed:
    values = realtime(lane, bucket, network, versions.of("arn", 1))
    return _deploy(lane, "arn", values, "--artifacts-bucket", bucket)


@pytest.fixture(scope="session")
def group_stack(lane: Lane, bucket: str, versions: Versions) -> Deployed:
    assert versions.arns["group"], "the group has its versions before the stack resolves it"
    return _deploy(lane, "group", serverless(lane, bucket, "group"), "--artifacts-bucket", bucket)


@pytest.fixture(scope="session")
def approval_stack(lane: Lane, bucket: str, versions: Versions, deployer_role: str) -> Deployed:
    """Created with the deployer role as its service role, as a Service Catalog launch would: its own updates use
    that role too (DeploymentRoleArn)."""
    assert versions.arns["approval"], "the group has its versions before the stack resolves it"
    values = {**serverless(lane, bucket, "approval"), "DeployOnApproval": "true", "DeploymentRoleArn": deployer_role}
    return _deploy(lane, "approval", values, "--artifacts-bucket", bucket, "--role-arn", deployer_role)


def _deploy(lane: Lane, purpose: str, values: dict[str, str], *options: str) -> Deployed:
    stack = lane.plan.names.name(STACKS[purpose])
    deadline = lane.deadline(STACKS[purpose])
    run = command(deadline, "deploy", "--stack-name", stack, *params(values), *options, *lane.tag_args())
    return Deployed(stack, values["EndpointName"], run)
