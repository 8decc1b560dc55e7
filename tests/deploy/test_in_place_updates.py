"""Changes SageMaker refuses on an endpoint updated in place, refused by `plan` and `deploy` once the stack's previous
values are read and before anything changes (exit 2; the Stubber has nothing queued after DescribeStacks, so a
change set or an upload would fail the test), each with the way to make it.

- "When doing a blue/green or rolling deployment, your new endpoint configuration must have the same variant name as
  the old endpoint configuration." (https://docs.aws.amazon.com/sagemaker/latest/dg/
  deployment-guardrails-exclusions.html)
- "If the update would change the instance type for any model that is a target for automatic scaling, the update
  fails." (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling.html)"""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.deploy.in_place_updates import in_place_problems
from tests.support.stubbed_aws import StubbedAws, endpoint_like_with, run_with, stacks

DEFAULTS = {"VariantName": "AllTraffic", "InstanceType": "ml.m4.xlarge", "ManagedInstanceScaling": "false",
            "EndpointType": "RealTime"}  # fmt: skip
DEPLOYED = {**DEFAULTS, "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
            "ModelPackageGroupName": "", "DeployOnApproval": "false", "EndpointName": "churn-ep"}  # fmt: skip
RENAME = (
    "error: VariantName changes from 'AllTraffic' to 'Blue', but the endpoint is updated in place, and SageMaker's "
    "blue/green update keeps the variant's name. Keep VariantName='AllTraffic'; or, for the new name, make a new "
    "endpoint: give a new EndpointName with it and deploy with --allow-endpoint-replacement"
)
RETYPE = (
    "error: InstanceType changes from ml.m5.xlarge to ml.c5.xlarge while ManagedInstanceScaling is on: SageMaker "
    "refuses to change the instance type of a variant registered for autoscaling, and CloudFormation deregisters it "
    "only after the update. Deploy twice: first ManagedInstanceScaling=false with InstanceType=ml.m5.xlarge, then "
    "InstanceType=ml.c5.xlarge with ManagedInstanceScaling=true"
)


@pytest.mark.parametrize("verb", ["plan", "deploy"])
def test_a_renamed_variant_and_a_new_instance_type_under_autoscaling_are_refused_with_the_way_to_make_them(
    verb: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Turning autoscaling off in the same update is refused too: the target is deregistered after UpdateEndpoint."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, endpoint_like_with(DEFAULTS))
    scaled = DEPLOYED | {"ManagedInstanceScaling": "true", "InstanceType": "ml.m5.xlarge"}
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "UPDATE_COMPLETE", scaled),
                                           {"StackName": "churn"})  # fmt: skip
    changes = ["VariantName=Blue", "InstanceType=ml.c5.xlarge", "ManagedInstanceScaling=false"]
    code = main([verb, "--stack-name", "churn", "--region", "eu-west-1", *(f"--param={c}" for c in changes)])
    stubbed.done()
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        RENAME,
        RETYPE,
        "2 problem(s) in the input; nothing was sent to AWS.",
    ]


def test_a_new_endpoint_takes_any_variant_name_and_instance_type() -> None:
    """A new EndpointName, or a new EndpointType under the derived name, replaces the endpoint: no blue/green."""
    previous = DEPLOYED | {"ManagedInstanceScaling": "true"}
    changed = {**previous, "VariantName": "Blue", "InstanceType": "ml.c5.xlarge"}
    assert in_place_problems(previous, changed | {"EndpointName": "churn-ep-2"}) == []
    derived = {**previous, "EndpointName": ""}
    assert in_place_problems(derived, {**changed, "EndpointName": "", "EndpointType": "Async"}) == []
    assert len(in_place_problems(derived, {**changed, "EndpointName": ""})) == 2


def test_without_autoscaling_the_instance_type_changes_in_place_and_serverless_has_none() -> None:
    assert in_place_problems(DEPLOYED, {**DEPLOYED, "InstanceType": "ml.c5.xlarge"}) == []
    serverless = DEPLOYED | {"EndpointType": "Serverless", "ManagedInstanceScaling": "true"}
    assert in_place_problems(serverless, {**serverless, "InstanceType": "ml.c5.xlarge"}) == []
