"""Parameter values the template tests deploy with: a VPC, and each package mode."""

from __future__ import annotations

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"}
PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"
ARN_MODE = {**VPC, "ModelPackageArn": PACKAGE_ARN}
GROUP_MODE = {**VPC, "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": "artifacts-111122223333"}
