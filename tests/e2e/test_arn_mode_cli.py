"""Scenario 2: ARN mode deployed as the README says, with the real AWS CLI (`aws cloudformation deploy`).

moto returns no Outputs for a stack made through a change set, so the resources are read back through
the SageMaker, IAM, KMS and EC2 APIs."""

from __future__ import annotations

from tests.support.e2e import (
    CODE_BUCKET,
    LocalAws,
    aws_cli,
)


def test_given_an_arn_then_aws_cloudformation_deploy_creates_the_stack_as_configured(aws: LocalAws) -> None:
    package = aws.versions[0]
    deploy = aws_cli(
        aws, "cloudformation", "deploy",
        "--stack-name", "churn-arn",
        "--template-file", "templates/sagemaker-endpoint.yaml", "--s3-bucket", CODE_BUCKET,
        "--capabilities", "CAPABILITY_IAM",
        "--parameter-overrides",
        f"VpcId={aws.vpc_id}", f"SubnetIds={','.join(aws.subnet_ids)}", f"ModelPackageArn={package}",
        "InstanceType=ml.m5.large", "EndpointName=churn-prod", "EnableNetworkIsolation=false",
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stderr
    assert "Successfully created/updated stack - churn-arn" in deploy.stdout
    assert aws.runtime.requests == []  # ARN mode has no custom resource

    stack = aws.client("cloudformation").describe_stacks(StackName="churn-arn")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    ids = aws.physical_ids("churn-arn")
    assert "LatestApprovedModelPackage" not in ids

    sagemaker = aws.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName="churn-prod")
    assert endpoint["EndpointArn"] == ids["Endpoint"]
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert model["ModelArn"] == ids["Model"]
    assert model["PrimaryContainer"]["ModelPackageName"] == package
    assert model["EnableNetworkIsolation"] is False

    role = aws.client("iam").get_role(RoleName=ids["ModelExecutionRole"])["Role"]
    assert model["ExecutionRoleArn"] == role["Arn"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert aws.client("iam").list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["ModelExecutionRole"]

    kms = aws.client("kms")
    key = kms.describe_key(KeyId=ids["EncryptionKey"])["KeyMetadata"]
    assert config["KmsKeyId"] == key["Arn"]
    aliases = kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert [alias["AliasName"] for alias in aliases] == ["alias/sagemaker-endpoint/churn-arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True

    (group,) = aws.client("ec2").describe_security_groups(GroupIds=[ids["EndpointSecurityGroup"]])["SecurityGroups"]
    assert group["VpcId"] == aws.vpc_id
    assert model["VpcConfig"]["SecurityGroupIds"] == [group["GroupId"]]
