"""A fleet of one account in two Regions, through the command, on the local moto (StackSets bent to behave as
documented: tests/support/moto/stack_sets.py): deploy with per-Region overrides, outputs, an update of one
parameter, destroy. The second Region follows its own registry's group (group mode by override), so the command
puts the resolver's zip in that Region's bucket and points that Region's instances at it."""

from __future__ import annotations

import json
from typing import Any

from tests.support.e2e import LocalAws, cli
from tests.support.local_aws import REGION, register_versions

ACCOUNT = "123456789012"  # moto's account
SECOND = "eu-central-1"
NAME = "churn-fleet"


def _second_region(aws: LocalAws) -> tuple[dict[str, str], str]:
    """A VPC and a group of the second Region (packages are regional, and so are subnets); its newest Approved."""
    ec2 = _client_in(aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZone=f"{SECOND}a")["Subnet"]
    *_, newest = register_versions(_client_in(aws, "sagemaker"), "churn", ["Approved", "Approved", "Rejected"])[:2]
    values = {"VpcId": vpc, "SubnetIds": subnet["SubnetId"], "ModelPackageArn": "", "ModelPackageGroupName": "churn"}
    return values, newest


def _client_in(aws: LocalAws, service: str) -> Any:
    import boto3  # noqa: PLC0415

    return boto3.client(  # type: ignore[call-overload]
        service, region_name=SECOND, endpoint_url=aws.endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


def _fleet(aws: LocalAws, *args: str) -> Any:
    return cli(aws, "fleet", *args, "--stack-set-name", NAME, "--region", REGION)


def _instances_by_region(result: Any) -> dict[str, dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return {instance["Region"]: instance for instance in json.loads(result.stdout)}


def _stack_parameters(aws: LocalAws, stack_id: str, region: str) -> dict[str, str]:
    cloudformation = aws.client("cloudformation") if region == REGION else _client_in(aws, "cloudformation")
    (stack,) = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}


def test_a_fleet_in_two_regions_is_deployed_read_updated_and_destroyed(aws: LocalAws) -> None:
    second, resolved = _second_region(aws)
    overrides = [arg for key, value in second.items() for arg in ("--override", f"{SECOND}:{key}={value}")]
    home = {"VpcId": aws.vpc_id, "SubnetIds": ",".join(aws.subnet_ids), "ModelPackageArn": aws.versions[0]}
    home_params = [arg for key, value in home.items() for arg in ("--param", f"{key}={value}")]
    deploy = [
        "deploy", "--accounts", ACCOUNT, "--regions", f"{REGION},{SECOND}", *home_params, *overrides,
        "--param", "InstanceType=ml.m5.large", "--param", "EnableNetworkIsolation=false",
    ]  # fmt: skip

    created = _instances_by_region(_fleet(aws, *deploy))
    assert set(created) == {REGION, SECOND}
    for region, instance in created.items():
        assert (instance["Account"], instance["Status"], instance["StatusReason"]) == (ACCOUNT, "CURRENT", "")
        sagemaker = aws.client("sagemaker") if region == REGION else _client_in(aws, "sagemaker")
        endpoint = sagemaker.describe_endpoint(EndpointName=instance["EndpointName"])
        assert endpoint["EndpointStatus"] == "InService"
        assert instance["EndpointUrl"].endswith(f"/endpoints/{instance['EndpointName']}/invocations")
    assert created[REGION]["ModelPackageArn"] == aws.versions[0]
    assert created[SECOND]["ModelPackageArn"] == resolved  # its own group's newest Approved, resolved there

    listed = aws.client("cloudformation").list_stack_instances(StackSetName=NAME)["Summaries"]
    stacks = {s["Region"]: s["StackId"] for s in listed}
    assert all(stack.split("/")[1].startswith(f"StackSet-{NAME}-") for stack in stacks.values())
    in_second = _stack_parameters(aws, stacks[SECOND], SECOND)
    assert in_second["VpcId"] == second["VpcId"]
    bucket = f"sagemaker-endpoint-artifacts-{ACCOUNT}-{SECOND}"  # the zip in the function's own Region
    assert in_second["ResolverCodeS3Bucket"] == bucket
    assert _client_in(aws, "s3").head_object(Bucket=bucket, Key=in_second["ResolverCodeS3Key"])["ContentLength"] > 0

    again = _fleet(aws, *deploy)
    assert "No changes" in again.stderr, again.stderr

    update = _fleet(aws, *deploy, "--param", "ScalingMaxInstanceCount=6")
    assert "  ~    update the stack set and every instance: ScalingMaxInstanceCount" in update.stderr
    updated = _instances_by_region(update)
    assert {i["Status"] for i in updated.values()} == {"CURRENT"}
    for region, stack_id in stacks.items():
        values = _stack_parameters(aws, stack_id, region)
        assert values["ScalingMaxInstanceCount"] == "6"
        assert values["ModelPackageArn"] == (aws.versions[0] if region == REGION else "")

    assert _instances_by_region(_fleet(aws, "outputs")) == updated

    destroyed = _fleet(aws, "destroy")
    assert destroyed.returncode == 0, destroyed.stderr
    assert f"Stack set {NAME}: deleted, with its 2 instance(s)." in destroyed.stderr
    for region, stack_id in stacks.items():
        cloudformation = aws.client("cloudformation") if region == REGION else _client_in(aws, "cloudformation")
        (stack,) = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
        assert stack["StackStatus"] == "DELETE_COMPLETE"
    assert _fleet(aws, "outputs").returncode == 1
