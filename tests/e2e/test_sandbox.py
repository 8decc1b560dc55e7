"""`make sandbox` (tests.support.sandbox): what it seeds is what the README's quick start and the live preflight
need, and what it prints names the server and says it is not AWS."""

from __future__ import annotations

from tests.support.local_aws import REGION, client, moto_server, reset
from tests.support.sandbox import instructions, seed


def test_the_sandbox_seeds_two_subnets_in_two_zones_an_approved_group_and_prints_what_to_export() -> None:
    with moto_server() as url:
        values = seed(url)
        subnets = client("ec2", url).describe_subnets(SubnetIds=values["SubnetIds"].split(","))["Subnets"]
        approved = client("sagemaker", url).list_model_packages(
            ModelPackageGroupName="churn", ModelApprovalStatus="Approved"
        )["ModelPackageSummaryList"]
        printed = instructions(url, values).splitlines()
        reset(url)
    assert {s["VpcId"] for s in subnets} == {values["VpcId"]}
    assert sorted(s["AvailabilityZone"] for s in subnets) == [f"{REGION}a", f"{REGION}b"]
    assert values["ModelPackageArn"] in {p["ModelPackageArn"] for p in approved}
    assert printed[0].startswith("# A local moto server, NOT AWS")
    assert f"export AWS_ENDPOINT_URL={url} AWS_REGION={REGION}" in printed
    assert sum(line.startswith("sagemaker-endpoint deploy ") for line in printed) == 2
