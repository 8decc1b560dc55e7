"""What a registry account owns but the registry kit cannot: the statements its artifacts bucket, KMS key and ECR
repository need so the workload accounts' execution roles can load a shared package. `registry-policies` prints
them for the owner to merge (each with its Sid): a bucket, key or repository policy is whole, and never ours to
overwrite.

Every statement names the workload accounts and, by `aws:PrincipalArn`, only the roles under the path the endpoint
template gives its execution roles: not every principal of those accounts."""

from __future__ import annotations

import re
from typing import Any

from generator.common.names import POLICY_VERSION, ROLE_PATH
from generator.common.patterns import ACCOUNT, BUCKET_ARN, ECR_REPO_ARN, KMS_KEY_ARN, MODEL_PACKAGE_GROUP_ARN

SID_PREFIX = "SageMakerEndpointWorkloads"


def registry_policies(
    group_arn: str,
    accounts: list[str],
    *,
    bucket_arn: str | None = None,
    key_arn: str | None = None,
    repository_arn: str | None = None,
    role_path: str = ROLE_PATH,
) -> dict[str, Any]:
    """The statements per resource, as {"<kind>": {"Arn": ..., "Statement": [...]}}; kinds not asked for are left
    out."""
    partition = group_arn.split(":")[1]
    principals = {"AWS": [f"arn:{partition}:iam::{account}:root" for account in accounts]}
    roles = {"ArnLike": {"aws:PrincipalArn": [f"arn:{partition}:iam::{a}:role{role_path}*" for a in accounts]}}

    def statement(sid: str, actions: list[str], resource: str | None, **condition: Any) -> dict[str, Any]:
        """A repository policy names no resource (it is the repository's); the others do."""
        where = {"Resource": resource} if resource else {}
        return {"Sid": SID_PREFIX + sid, "Effect": "Allow", "Principal": principals, "Action": actions, **where,
                "Condition": {**roles, **condition}}  # fmt: skip

    policies: dict[str, Any] = {}
    if bucket_arn:
        policies["Bucket"] = {"Arn": bucket_arn, "Statement": [
            statement("ListArtifacts", ["s3:ListBucket"], bucket_arn),
            statement("ReadArtifacts", ["s3:GetObject"], f"{bucket_arn}/*"),
        ]}  # fmt: skip
    if key_arn:
        policies["KmsKey"] = {"Arn": key_arn, "Statement": [
            statement("DecryptArtifacts", ["kms:Decrypt", "kms:DescribeKey"], "*"),
            statement("GrantToSageMaker", ["kms:CreateGrant"], "*", Bool={"kms:GrantIsForAWSResource": "true"}),
        ]}  # fmt: skip
    if repository_arn:
        policies["EcrRepository"] = {"Arn": repository_arn, "Statement": [
            statement("PullImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                    "ecr:GetDownloadUrlForLayer"], None),
        ]}  # fmt: skip
    return {"Version": POLICY_VERSION, "ModelPackageGroupArn": group_arn, **policies}


def input_problems(
    group_arn: str, accounts: list[str], *, bucket_arn: str | None, key_arn: str | None, repository_arn: str | None
) -> list[str]:
    """Every problem with the command's input, each naming the option and the fix."""
    problems = []
    if not re.fullmatch(MODEL_PACKAGE_GROUP_ARN, group_arn):
        problems.append(
            f"--group {group_arn!r}: must be a model package group ARN "
            "(arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>)"
        )
    problems += [
        f"--workload-accounts: {a!r} is not a 12-digit account ID" for a in accounts if not re.fullmatch(ACCOUNT, a)
    ]
    if not accounts:
        problems.append("--workload-accounts: name at least one account")
    region = group_arn.split(":")[3] if group_arn.count(":") >= 4 else ""
    for option, value, pattern, regional in (
        ("--bucket", bucket_arn, BUCKET_ARN, False),
        ("--kms-key", key_arn, KMS_KEY_ARN, True),
        ("--ecr-repo", repository_arn, ECR_REPO_ARN, True),
    ):
        if value and not re.fullmatch(pattern, value):
            problems.append(f"{option} {value!r}: not an ARN of that kind")
        elif value and regional and value.split(":")[3] != region:
            problems.append(
                f"{option} {value!r}: in {value.split(':')[3]}, but the group is in {region}: use one of the "
                "group's Region (SageMaker reads keys and images of the endpoint's Region)"
            )
    return problems
