"""Scenario 1: the whole stack in model package group mode, the real custom resource resolving the package."""

from __future__ import annotations

import pytest

from tests.support.e2e import (
    LocalAws,
    outputs,
)
from tests.support.local_aws import ARTIFACTS_BUCKET, REGION


def test_given_a_group_then_the_stack_deploys_the_latest_approved_version(aws: LocalAws) -> None:
    values = {
        **aws.group_mode(),
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}",
        "DataCaptureSamplingPercentage": "30",
        "DataCapturePrefix": "capture/churn",
        "VariantName": "blue",
        "InitialInstanceCount": "2",
        "InitialVariantWeight": "0.5",
    }
    stack = aws.create_stack("churn-endpoint", values)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    v3 = aws.versions[2]
    (create,) = aws.runtime.requests
    assert (create["RequestType"], create["ResourceProperties"]["ModelPackageGroupName"]) == ("Create", "churn")

    sagemaker, ids, out = aws.client("sagemaker"), aws.physical_ids("churn-endpoint"), outputs(stack)
    model = sagemaker.describe_model(ModelName=out["ModelName"])
    assert model["PrimaryContainer"]["ModelPackageName"] == v3
    assert model["VpcConfig"] == {"SecurityGroupIds": [out["SecurityGroupId"]], "Subnets": aws.subnet_ids}
    assert model["ExecutionRoleArn"] == out["ModelExecutionRoleArn"]

    endpoint = sagemaker.describe_endpoint(EndpointName=out["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    key_arn = aws.client("kms").describe_key(KeyId=out["KmsKeyId"])["KeyMetadata"]["Arn"]
    (variant,) = config["ProductionVariants"]
    assert {k: variant[k] for k in ("ModelName", "VariantName", "InstanceType", "InitialInstanceCount")} == {
        "ModelName": out["ModelName"],
        "VariantName": "blue",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 2,
    }
    assert variant["InitialVariantWeight"] == 0.5
    assert config["KmsKeyId"] == key_arn
    capture = config["DataCaptureConfig"]
    assert (capture["DestinationS3Uri"], capture["InitialSamplingPercentage"], capture["KmsKeyId"]) == (
        f"s3://{ARTIFACTS_BUCKET}/capture/churn",
        30,
        key_arn,
    )

    (group,) = aws.client("ec2").describe_security_groups(GroupIds=[out["SecurityGroupId"]])["SecurityGroups"]
    assert (group["VpcId"], group["IpPermissions"]) == (aws.vpc_id, [])
    assert [(rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) for rule in group["IpPermissionsEgress"]] == [
        ("tcp", 443, 443)
    ]

    stack_uuid = stack["StackId"].rsplit("/", 1)[1]
    assert out == {
        "ModelExecutionRoleArn": aws.client("iam").get_role(RoleName=ids["ModelExecutionRole"])["Role"]["Arn"],
        "ModelName": model["ModelName"],
        "ModelPackageArn": v3,
        "EndpointName": f"endpoint-{stack_uuid}",
        "EndpointUrl": f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/endpoint-{stack_uuid}/invocations",
        "KmsKeyId": ids["EncryptionKey"],
        "SecurityGroupId": group["GroupId"],
        "DashboardUrl": "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/"
        "sagemaker-endpoint-churn-endpoint-eu-west-1",
    }


@pytest.mark.parametrize("instance_type", ["ml.m5d.large", "ml.g4dn.xlarge"])
def test_given_an_nvme_instance_type_then_the_endpoint_config_requests_no_key(
    aws: LocalAws, instance_type: str
) -> None:
    stack = aws.create_stack("nvme-endpoint", {**aws.group_mode(), "InstanceType": instance_type})
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    sagemaker, out = aws.client("sagemaker"), outputs(stack)
    config_name = sagemaker.describe_endpoint(EndpointName=out["EndpointName"])["EndpointConfigName"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
    assert config["ProductionVariants"][0]["InstanceType"] == instance_type
    assert "KmsKeyId" not in config
