"""Inference components on the local AWS: one shared endpoint (inference-endpoint.yaml), two components
(inference-component.yaml) from two model package groups, each following its own group through its own approval
updater (run from the shipped zip), with moto bent for inference components as SageMaker documents them
(tests/support/moto/inference_components.py)."""

from __future__ import annotations

from typing import Any

from tests.support.approvals import run_updater, state_change
from tests.support.e2e import CODE_BUCKET, GROUP, LocalAws, cli, deploy_role, outputs
from tests.support.local_aws import ARTIFACTS_BUCKET, register_versions

SHARED_ENDPOINT = "shared-gpu"


def shared_endpoint(aws: LocalAws) -> dict[str, Any]:
    values = {**aws.network(), "EndpointName": SHARED_ENDPOINT, "InstanceType": "ml.m5.large"}
    return aws.create_stack("shared", values, "inference-endpoint")


def component_values(aws: LocalAws, group: str, **more: str) -> dict[str, str]:
    return {
        "EndpointName": SHARED_ENDPOINT,
        "ModelPackageGroupName": group,
        "ResolverCodeS3Bucket": CODE_BUCKET,
        "ResolverCodeS3Key": aws.resolver_zip.name,
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}",
        "MinMemoryRequiredInMb": "2048",
        **more,
    }


def served(aws: LocalAws, stack: str) -> tuple[str, str]:
    """(the component's model, that model's package) of a component stack, as SageMaker describes them."""
    sagemaker = aws.client("sagemaker")
    name = outputs(aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0])["InferenceComponentName"]
    model = sagemaker.describe_inference_component(InferenceComponentName=name)["Specification"]["ModelName"]
    return model, sagemaker.describe_model(ModelName=model)["PrimaryContainer"]["ModelPackageName"]


def test_each_component_follows_its_own_group_an_approval_and_a_rejection_change_only_it(aws: LocalAws) -> None:
    """Two groups, two components on one endpoint: approving churn's v4 deploys it to churn's component alone (a
    rolling update of that component), rejecting it takes churn's component back to v3; fraud's, resolved from its own
    group, is never touched (its stack does not follow its group: only the churn stack's updater runs here)."""
    sagemaker = aws.client("sagemaker")
    role = deploy_role(aws)["DeployerRoleArn"]
    assert shared_endpoint(aws)["StackStatus"] == "CREATE_COMPLETE"
    fraud = register_versions(sagemaker, "fraud", ["Approved", "Approved"])
    follow = {"DeployOnApproval": "true", "DeploymentRoleArn": role}
    for stack, group, more in (("churn-component", GROUP, follow), ("fraud-component", "fraud", {})):
        created = aws.create_stack(stack, component_values(aws, group, **more), "inference-component")
        assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    listed = sagemaker.list_inference_components(EndpointNameEquals=SHARED_ENDPOINT)["InferenceComponents"]
    assert len(listed) == 2
    assert [served(aws, s)[1] for s in ("churn-component", "fraud-component")] == [aws.versions[2], fraud[1]]
    fraud_before = served(aws, "fraud-component")

    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Approved")
    result, log = run_updater(aws, "churn-component", state_change("Approved", aws.versions[3], GROUP))
    assert result == {"batchItemFailures": []}, log
    assert served(aws, "churn-component")[1] == aws.versions[3]
    assert served(aws, "fraud-component") == fraud_before

    sagemaker.update_model_package(ModelPackageArn=aws.versions[3], ModelApprovalStatus="Rejected")
    result, log = run_updater(aws, "churn-component", state_change("Rejected", aws.versions[3], GROUP))
    assert result == {"batchItemFailures": []}, log
    assert served(aws, "churn-component")[1] == aws.versions[2]
    assert served(aws, "fraud-component") == fraud_before


def test_a_component_scales_to_zero_copies_and_the_endpoint_is_not_destroyed_while_it_hosts_components(
    aws: LocalAws,
) -> None:
    """Scale to zero as AWS's recipe sets it ("Register the inference component as a scalable target. When you
    register it, set the minimum capacity to 0", then a step scaling policy on the NoCapacityInvocationFailures alarm:
    https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html); the component is
    still created with one copy (created with 0 it is refused: "Inference components copy count an integer larger
    than 0", https://github.com/stdapi-ai/stdapi.ai/issues/43). `destroy` of the shared endpoint refuses, exit 5,
    while a component remains (SageMaker refuses to delete such an endpoint,
    https://github.com/aws/amazon-sagemaker-feedback/issues/143), and names those left, until the last is gone."""
    assert shared_endpoint(aws)["StackStatus"] == "CREATE_COMPLETE"
    register_versions(aws.client("sagemaker"), "fraud", ["Approved"])
    to_zero = {"ScalingMinCopyCount": "0", "InferenceComponentName": "churn"}
    for stack, group, more in (("churn-component", GROUP, to_zero), ("fraud-component", "fraud", {})):
        created = aws.create_stack(stack, component_values(aws, group, **more), "inference-component")
        assert created["StackStatus"] == "CREATE_COMPLETE", created.get("StackStatusReason")
    described = aws.client("sagemaker").describe_inference_component(InferenceComponentName="churn")
    assert described["RuntimeConfig"]["DesiredCopyCount"] == 1
    scaling = aws.client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=["inference-component/churn"]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["ScalableDimension"]) == (0, "sagemaker:inference-component:DesiredCopyCount")
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId="inference-component/churn")
    step = [p for p in policies["ScalingPolicies"] if p["PolicyType"] == "StepScaling"]
    assert [p["StepScalingPolicyConfiguration"]["StepAdjustments"] for p in step] == [
        [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]
    ]
    alarms = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    (wake,) = [a for a in alarms if a["MetricName"] == "NoCapacityInvocationFailures"]
    assert wake["Dimensions"] == [{"Name": "InferenceComponentName", "Value": "churn"}]
    assert wake["AlarmActions"] == [step[0]["PolicyARN"]]

    refused = cli(aws, "destroy", "--template", "inference-endpoint", "--stack-name", "shared")
    assert refused.returncode == 5, refused.stderr
    assert "still hosts 2 inference component(s): " in refused.stderr
    assert aws.client("cloudformation").describe_stacks(StackName="shared")["Stacks"][0]["StackStatus"] == (
        "CREATE_COMPLETE"
    )
    assert cli(aws, "destroy", "--template", "inference-component", "--stack-name", "churn-component").returncode == 0
    refused = cli(aws, "destroy", "--template", "inference-endpoint", "--stack-name", "shared")
    assert refused.returncode == 5, refused.stderr
    assert "still hosts 1 inference component(s): component-" in refused.stderr
    assert cli(aws, "destroy", "--template", "inference-component", "--stack-name", "fraud-component").returncode == 0
    gone = cli(aws, "destroy", "--template", "inference-endpoint", "--stack-name", "shared")
    assert gone.returncode == 0, gone.stderr
