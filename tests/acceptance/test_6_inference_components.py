"""Inference components in a real account: a shared endpoint (inference-endpoint.yaml) in the lane's VPC, on the
lane's instance type, and one component on it (inference-component.yaml) made from the ARN-mode version. What moto
cannot say, AWS answers here: that CreateEndpointConfig takes our model-less variant with its execution role, that a
Model made from a ModelPackageName serves as a component's Specification.ModelName (AWS's documentation is silent),
that the component answers when called by its name, and that the endpoint is not destroyed while it hosts it. The
scenario makes and destroys both stacks itself (the sweeper removes what a failure leaves: components before their
endpoint)."""

from __future__ import annotations

import json

import pytest

from tests.support.acceptance.artifact import REQUEST_TYPE, RESPONSE_TYPE, answer
from tests.support.acceptance.commands import command
from tests.support.acceptance.lane import Lane, Versions, params
from tests.support.acceptance.settings import Network

pytestmark = pytest.mark.acceptance
SCENARIO = "inference-components"
ENDPOINT_STACK, COMPONENT_STACK, COMPONENT = "ic-endpoint", "ic-component", "ic"


def test_a_component_from_a_package_serves_on_a_shared_endpoint_that_is_not_destroyed_while_it_hosts_it(
    lane: Lane, bucket: str, versions: Versions, network: Network
) -> None:
    names, deadline = lane.plan.names, lane.deadline(SCENARIO)
    endpoint, component = names.name(ENDPOINT_STACK), names.name(COMPONENT)
    shared = {"EndpointName": endpoint, "InstanceType": lane.plan.price.instance_type, "VpcId": network.vpc_id,
              "SubnetIds": ",".join(network.subnet_ids)}  # fmt: skip
    made = command(deadline, "deploy", "--template", "inference-endpoint", "--stack-name", endpoint,
                   *params(shared), *lane.tag_args())  # fmt: skip
    assert made.code == 0, str(made)
    package = versions.of("arn", 1)
    values = {"EndpointName": endpoint, "InferenceComponentName": component, "ModelPackageArn": package,
              "ModelArtifactsBucketArn": lane.bucket_arn(bucket), "MinMemoryRequiredInMb": "1024"}  # fmt: skip
    stack = names.name(COMPONENT_STACK)
    joined = command(deadline, "deploy", "--template", "inference-component", "--stack-name", stack,
                     "--artifacts-bucket", bucket, *params(values), *lane.tag_args())  # fmt: skip
    assert joined.code == 0, str(joined)

    runtime = lane.clients("sagemaker-runtime")
    answered = runtime.invoke_endpoint(EndpointName=endpoint, InferenceComponentName=component,
                                       ContentType=REQUEST_TYPE, Accept=RESPONSE_TYPE, Body=b"1,2,3")  # fmt: skip
    assert json.loads(answered["Body"].read()) == answer("arn-v1")
    status = command(deadline, "status", "--template", "inference-component", "--stack-name", stack)
    assert status.code == 0, str(status)
    assert (status.json()["ModelPackageArn"], status.json()["Copies"]["Desired"]) == (package, 1)

    refused = command(deadline, "destroy", "--template", "inference-endpoint", "--stack-name", endpoint)
    assert refused.code == 3, str(refused)
    assert f"which still hosts 1 inference component(s): {component}." in refused.stderr
    for gone in (stack, endpoint):
        run = command(deadline, "destroy", "--stack-name", gone)
        assert run.code == 0, str(run)
        assert f"Stack {gone}: DELETE_COMPLETE" in run.stderr.splitlines()
