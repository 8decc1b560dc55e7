"""Parameter values the template tests deploy with: a VPC, the artifacts' bucket, each package mode, and the value
sets that leave every optional input empty in turn (the every-branch test evaluates each, the request-shape test
checks each)."""

from __future__ import annotations

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"}
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
# The role the stack creates reads the package's artifacts from this bucket only (Rule CreatedRoleReadsTheArtifacts).
ARTIFACTS_BUCKET_ARN = "arn:aws:s3:::ml-artifacts-111122223333"
ARTIFACTS = {"ModelArtifactsBucketArn": ARTIFACTS_BUCKET_ARN}
ARN_MODE = {**VPC, **ARTIFACTS, "ModelPackageArn": PACKAGE_ARN}
GROUP_MODE = {**VPC, **ARTIFACTS, "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": "artifacts-111122223333"}

# Each optional input empty, on each branch of the template (EndpointType, package mode, registry group).
OPTIONAL_EMPTY = {
    "only the required network": {**VPC, **ARTIFACTS},
    "ARN mode, every optional input empty": ARN_MODE,
    "group mode, every optional input empty": GROUP_MODE,
    "every String parameter empty": {**VPC, **ARTIFACTS, "InstanceType": "", "VariantName": ""},
    "a registry's group by ARN, following it, with its artifacts key": {
        **GROUP_MODE,
        "ModelPackageGroupName": "arn:aws:sagemaker:eu-west-1:444455556666:model-package-group/churn",
        "ModelArtifactsKmsKeyArn": "arn:aws:kms:eu-west-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef",
        "DeployOnApproval": "true",
        "DeploymentRoleArn": "arn:aws:iam::111122223333:role/deployer",
    },
    "this account's group by ARN": {
        **GROUP_MODE,
        "ModelPackageGroupName": "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn",
    },
    "serverless, no network, every optional input empty": {
        "EndpointType": "Serverless",
        "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "EnableNetworkIsolation": "false",
        **ARTIFACTS,
    },
    "serverless with provisioned concurrency autoscaled": {
        "EndpointType": "Serverless",
        "ModelPackageGroupName": "churn",
        "ResolverCodeS3Bucket": "artifacts-111122223333",
        **ARTIFACTS,
        "EnableNetworkIsolation": "false",
        "ServerlessProvisionedConcurrency": "2",
        "ManagedInstanceScaling": "true",
    },
    "async with only its output": {**ARN_MODE, "EndpointType": "Async", "AsyncOutputS3Uri": "s3://bucket-a"},
    "async with everything, scaling to zero": {
        **GROUP_MODE,
        "EndpointType": "Async",
        "AsyncOutputS3Uri": "s3://bucket-a/out",
        "AsyncFailureS3Uri": "s3://bucket-a/failed",
        "AsyncInputS3Uri": "s3://bucket-b/in/requests",
        "AsyncSuccessTopicArn": "arn:aws:sns:eu-west-1:111122223333:ok",
        "AsyncErrorTopicArn": "arn:aws:sns:eu-west-1:111122223333:failed",
        "AsyncMaxConcurrentInvocationsPerInstance": "2",
        "ManagedInstanceScaling": "true",
        "ScalingMinInstanceCount": "0",
    },
}
