"""The resolver zip in every Region of a fleet. A Lambda function reads its code from a bucket in its own Region
(AWS::Lambda::Function Code: "an Amazon S3 bucket in the same AWS Region as your function. The bucket can be in a
different AWS account"), so the zip goes to the administrator account's artifacts bucket of each Region, and each
bucket's policy lets the fleet's accounts read exactly the resolver's objects: the accounts by ID, or an
Organization's OUs by `aws:PrincipalOrgPaths`. The statement is merged by its Sid; nothing else is touched.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from generator.common.names import POLICY_VERSION
from generator.deploy.artifacts_bucket import RESOLVER_PREFIX, ArtifactsBucket
from generator.deploy.aws import Aws
from generator.deploy.console import Console

READ_SID = "SageMakerEndpointFleetReadsResolverCode"


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
        upload = bucket.upload(key, package.content)
        if readers is not None:
            grant_reads(bucket.aws.client("s3"), upload.bucket, aws.identity[1], readers)
        buckets[region] = upload.bucket
        console.line(f"Resolver code for {region}: s3://{upload.bucket}/{key}")
    return key, buckets


def readers_of(accounts: list[str], own_account: str, partition: str, org_paths: list[str]) -> dict[str, Any] | None:
    """Who reads the code: other accounts by ID, or principals of the OUs' paths; None when nobody else."""
    if org_paths:
        return {
            "Principal": {"AWS": "*"},
            "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": sorted(org_paths)}},
        }
    others = sorted({account for account in accounts if account != own_account})
    if not others:
        return None
    return {"Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in others]}}


def grant_reads(s3: Any, bucket: str, partition: str, readers: dict[str, Any]) -> None:
    """Merge (replace) this module's statement into the bucket policy, keeping every other statement."""
    policy = _policy(s3, bucket)
    statement = {
        "Sid": READ_SID,
        "Effect": "Allow",
        **readers,
        "Action": "s3:GetObject",
        "Resource": f"arn:{partition}:s3:::{bucket}/{RESOLVER_PREFIX}*",
    }
    kept = [s for s in policy.get("Statement", []) if s.get("Sid") != READ_SID]
    policy["Statement"] = [*kept, statement]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _policy(s3: Any, bucket: str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchBucketPolicy":
            raise
        document = {"Version": POLICY_VERSION, "Statement": []}
    return document
