"""The resolver zip in every Region of a fleet. A Lambda function reads its code from a bucket in its own Region
(AWS::Lambda::Function Code: "an Amazon S3 bucket in the same AWS Region as your function. The bucket can be in a
different AWS account"), so the zip goes to the administrator account's artifacts bucket of each Region, and each
bucket's policy lets the fleet's accounts read exactly the resolver's objects: the accounts by ID, or, for an
Organization's OUs, every principal of the Organization by `aws:PrincipalOrgID`. The statement is merged by its Sid;
nothing else is touched.

The bucket blocks public policies, and S3 calls a policy public unless it grants "only to fixed values (values that
don't contain a wildcard or an AWS Identity and Access Management Policy Variable)" of a principal or a key such as
`aws:PrincipalOrgID` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html):
the Organization's ID is such a fixed value, where `aws:PrincipalOrgPaths` patterns (wildcards, and a key S3 does not
list) would be refused. The zip is the open resolver code, so the whole Organization may read it.

"Bucket policies are limited to 20 KB in size" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
access-policy-language-overview.html): a policy that the grant would take past 20,480 bytes is refused with the ways
around it, before it is sent.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from generator.common.names import POLICY_VERSION
from generator.deploy.artifacts_bucket import RESOLVER_PREFIX, ArtifactsBucket
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import DeployFailed
from generator.deploy.steps import step

READ_SID = "SageMakerEndpointFleetReadsResolverCode"
POLICY_MAX_BYTES = 20 * 1024


def upload_resolver_everywhere(
    aws: Aws, console: Console, regions: list[str], readers: dict[str, Any] | None
) -> tuple[str, dict[str, str]]:
    """(the zip's key, the same everywhere; Region -> its bucket). `readers`: the statement's Principal and
    Condition for other accounts, None when every instance is in this account."""
    from generator.common.lambda_zip import build_resolver_package  # noqa: PLC0415  # only group mode needs the zip

    package = build_resolver_package()
    key = RESOLVER_PREFIX + package.file_name
    buckets = {}
    for region in regions:
        bucket = ArtifactsBucket(aws.in_region(region), None)
        upload = bucket.upload(key, package.content, "the resolver zip")
        if readers is not None:
            grant_reads(bucket.aws.client("s3"), upload.bucket, aws.identity, readers)
        buckets[region] = upload.bucket
        console.line(f"Resolver code for {region}: s3://{upload.bucket}/{key}")
    return key, buckets


def readers_of(
    accounts: list[str], own_account: str, partition: str, organization: str | None
) -> dict[str, Any] | None:
    """Who reads the code: other accounts by ID, or the Organization's principals; None when nobody else."""
    if organization:
        return {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization}}}
    others = sorted({account for account in accounts if account != own_account})
    if not others:
        return None
    return {"Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in others]}}


def grant_reads(s3: Any, bucket: str, identity: tuple[str, str], readers: dict[str, Any]) -> None:
    """Merge (replace) this module's statement into the bucket policy, keeping every other statement. `identity`:
    the caller's (account, partition); the account owns the bucket (ExpectedBucketOwner)."""
    owner, partition = identity
    policy = _policy(s3, bucket, owner)
    statement = {
        "Sid": READ_SID,
        "Effect": "Allow",
        **readers,
        "Action": "s3:GetObject",
        "Resource": f"arn:{partition}:s3:::{bucket}/{RESOLVER_PREFIX}*",
    }
    kept = [s for s in policy.get("Statement", []) if s.get("Sid") != READ_SID]
    policy["Statement"] = [*kept, statement]
    document = json.dumps(policy, separators=(",", ":"))
    if len(document.encode()) > POLICY_MAX_BYTES:
        raise DeployFailed(
            f"granting the fleet's accounts read access makes the policy of bucket {bucket} "
            f"{len(document.encode())} bytes, over S3's 20 KB ({POLICY_MAX_BYTES} bytes) for a bucket policy: deploy "
            "to --organizational-units (one aws:PrincipalOrgID condition for every account), split the accounts "
            "into several stack sets, or give ResolverCodeS3Bucket a bucket of yours that they can read"
        )
    with step(f"granting the fleet's accounts read access in the policy of bucket {bucket}"):
        s3.put_bucket_policy(Bucket=bucket, Policy=document, ExpectedBucketOwner=owner)


def _policy(s3: Any, bucket: str, owner: str) -> dict[str, Any]:
    with step(f"reading the policy of bucket {bucket}"):
        try:
            document: dict[str, Any] = json.loads(
                s3.get_bucket_policy(Bucket=bucket, ExpectedBucketOwner=owner)["Policy"]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchBucketPolicy":
                raise
            document = {"Version": POLICY_VERSION, "Statement": []}
    return document
