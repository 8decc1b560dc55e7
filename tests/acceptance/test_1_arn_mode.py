"""ARN mode in a real account: the version named by ARN, on the smallest instance type, in a VPC (two private
subnets, an S3 gateway endpoint, no NAT), answers an invocation; `status` reports it healthy."""

from __future__ import annotations

import pytest

from tests.support.acceptance.artifact import answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Deployed, Lane, Versions
from tests.support.acceptance.settings import Network
from tests.support.acceptance.world import invoke

pytestmark = pytest.mark.acceptance


def test_arn_mode_serves_the_named_version_from_an_instance_in_the_vpc(
    lane: Lane, arn_stack: Deployed, versions: Versions, network: Network
) -> None:
    """The template's RealTime path on AWS itself: the security group, the KMS volume key, network isolation and
    the VPC configuration are accepted, and the container gets its model data from S3 through the VPC."""
    assert arn_stack.run.code == 0, str(arn_stack.run)
    assert arn_stack.run.json()["ModelPackageArn"] == versions.of("arn", 1)
    sagemaker = lane.clients("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=arn_stack.endpoint)
    (variant,) = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])[
        "ProductionVariants"
    ]
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert (endpoint["EndpointStatus"], variant["InstanceType"]) == ("InService", lane.plan.price.instance_type)
    assert sorted(model["VpcConfig"]["Subnets"]) == sorted(network.subnet_ids)
    assert model["EnableNetworkIsolation"] is True
    assert invoke(lane.clients("sagemaker-runtime"), arn_stack.endpoint) == answer("arn-v1")


def test_status_says_the_realtime_endpoint_is_in_service_on_its_one_instance(
    lane: Lane, arn_stack: Deployed, versions: Versions
) -> None:
    run = command(lane.deadline("arn-mode"), "status", "--stack-name", arn_stack.stack)

    assert run.code == 0, str(run)
    report = run.json()
    assert (report["EndpointStatus"], report["ModelPackageArn"]) == ("InService", versions.of("arn", 1))
    assert report["Instances"] == {"AllTraffic": {"Current": 1, "Desired": 1}}
