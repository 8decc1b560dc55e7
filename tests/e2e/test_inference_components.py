"""Inference components on the local AWS: one shared endpoint (inference-endpoint.yaml), two components
(inference-component.yaml) from two model package groups, each following its own group through its own approval
updater (run from the shipped zip), with moto bent for inference components as SageMaker documents them
(tests/support/moto/inference_components.py)."""

from __future__ import annotations

from typing import Any

from tests.support.approvals import run_updater, state_change
from tests.support.e2e import CODE_BUCKET, GROUP, LocalAws, deploy_role, outputs
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
