"""Where the model's artifacts are: the bucket of its model data, the ECR repository of a custom image, and the key
that encrypts them (possibly a registry account's). The execution role the stack creates may read exactly these
(model_role); captured data goes to the bucket too (data_capture)."""

from __future__ import annotations

from generator.cfn.inputs import Input, pattern
from generator.common.patterns import BUCKET_ARN, ECR_REPO_ARN, KMS_KEY_ARN

BUCKET = Input(
    "ModelArtifactsBucketArn",
    "Model artifacts bucket ARN",
    "Bucket of the package's model artifacts (its ModelDataUrl); it also receives captured data. Required when the "
    "stack creates the execution role, which may read only this bucket.",
    pattern(BUCKET_ARN, "an S3 bucket ARN (arn:<partition>:s3:::<bucket>)"),
    seed_name="model-artifacts-bucket-arn",
)
ECR_REPO = Input(
    "EcrRepoArn",
    "ECR repository ARN",
    "Repository of a custom inference image. Leave empty for SageMaker's images.",
    pattern(ECR_REPO_ARN, "an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)"),
    seed_name="ecr-repo-arn",
)
KMS_KEY = Input(
    "ModelArtifactsKmsKeyArn",
    "Model artifacts KMS key ARN",
    "Key encrypting the model artifacts, possibly a registry account's: the execution role the stack creates may "
    "decrypt with it. Leave empty when the artifacts use S3-managed keys.",
    pattern(KMS_KEY_ARN, "a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)"),
)
