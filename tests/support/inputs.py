"""Parameter values the template tests deploy with: a VPC, the artifacts' bucket, and each package mode."""

from __future__ import annotations

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"}
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
# The role the stack creates reads the package's artifacts from this bucket only (Rule CreatedRoleReadsTheArtifacts).
ARTIFACTS_BUCKET_ARN = "arn:aws:s3:::ml-artifacts-111122223333"
ARTIFACTS = {"ModelArtifactsBucketArn": ARTIFACTS_BUCKET_ARN}
ARN_MODE = {**VPC, **ARTIFACTS, "ModelPackageArn": PACKAGE_ARN}
GROUP_MODE = {**VPC, **ARTIFACTS, "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": "artifacts-111122223333"}
