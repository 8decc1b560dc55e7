"""The artifacts bucket: where the resolver zip (and a template over the inline limit) waits for CloudFormation.

Created on first use, named for the account and Region, and locked down: default encryption, public access
blocked, TLS-only policy, versioning, and a lifecycle that clears what no stack needs any more.

Its name is predictable, and bucket names are global: another account could create it first and let us write into
it, then CloudFormation and Lambda would read what it put there. So every call on it says whose it must be
(ExpectedBucketOwner: "If the account ID that you provide does not match the actual owner of the bucket, the request
fails with the HTTP status code 403 Forbidden (access denied)", S3 API Reference, HeadBucket). A bucket the user
names with --artifacts-bucket may be another account's on purpose, and is used as given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from generator.common.names import POLICY_VERSION, artifacts_bucket_name
from generator.deploy.aws import URL_SUFFIX, Aws
from generator.deploy.context import DeployFailed
from generator.deploy.steps import step

RESOLVER_PREFIX = "resolver/"
TEMPLATE_PREFIX = "templates/"
# Each deploy uploads the resolver zip again, so a zip in use stays current; one no deploy has used for a
# year, and replaced versions after 30 days, are deleted. Templates are read once, when the change set is made.
LIFECYCLE = {
    "Rules": [
        {
            "ID": "unused-resolver-zips",
            "Filter": {"Prefix": RESOLVER_PREFIX},
            "Status": "Enabled",
            "Expiration": {"Days": 365},
        },
        {
            "ID": "uploaded-templates",
            "Filter": {"Prefix": TEMPLATE_PREFIX},
            "Status": "Enabled",
            "Expiration": {"Days": 30},
        },
        {
            "ID": "old-versions-and-uploads",
            "Filter": {},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
    ]
}


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    url: str


class ArtifactsBucket:
    def __init__(self, aws: Aws, name: str | None) -> None:
        self.aws = aws
        self.given = name
        self._ready = False

    @property
    def name(self) -> str:
        if self.given:
            return self.given
        account, _ = self.aws.identity
        return artifacts_bucket_name(account, self.aws.region_name)

    @property
    def owner(self) -> dict[str, str]:
        """ExpectedBucketOwner for our bucket; nothing for one the user named."""
        return {} if self.given else {"ExpectedBucketOwner": self.aws.identity[0]}

    def upload(self, key: str, body: bytes, what: str) -> Upload:
        """`what` the body is, as the step names it ("the resolver zip")."""
        self._ensure()
        with step(f"uploading {what} to s3://{self.name}/{key}"):
            self.aws.client("s3").put_object(Bucket=self.name, Key=key, Body=body, **self.owner)
        _, partition = self.aws.identity
        s3_host = f"s3.{self.aws.region_name}.{URL_SUFFIX.get(partition, 'amazonaws.com')}"
        if "." in self.name:  # a dotted name breaks the virtual host's TLS certificate: path style
            return Upload(self.name, key, f"https://{s3_host}/{self.name}/{key}")
        return Upload(self.name, key, f"https://{self.name}.{s3_host}/{key}")

    def _ensure(self) -> None:
        """A bucket the user named must exist; ours is created, hardened, the first time."""
        if self._ready:
            return
        s3 = self.aws.client("s3")
        with step(f"reading the artifacts bucket {self.name}"):
            try:
                s3.head_bucket(Bucket=self.name, **self.owner)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if not self.given and code in ("403", "AccessDenied"):
                    raise self._taken() from None
                if self.given or code not in ("404", "NoSuchBucket"):
                    raise
                missing = True
            else:
                missing = False
        if missing:
            with step(f"creating the artifacts bucket {self.name}"):
                self._create(s3)
        self._ready = True

    def _taken(self) -> DeployFailed:
        return DeployFailed(
            f"bucket {self.name} exists and is not this account's (or denies it): bucket names are global, and "
            "another account may have taken this one. Pass --artifacts-bucket with a bucket of yours"
        )

    def _create(self, s3: Any) -> None:
        region = self.aws.region_name
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        try:
            s3.create_bucket(Bucket=self.name, **location)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            if code == "BucketAlreadyExists":
                raise self._taken() from None
            if code != "BucketAlreadyOwnedByYou":  # another deploy of ours made it a moment ago: harden it anyway
                raise
        owner = self.owner
        s3.put_public_access_block(
            Bucket=self.name,
            **owner,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=self.name,
            **owner,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        s3.put_bucket_versioning(Bucket=self.name, VersioningConfiguration={"Status": "Enabled"}, **owner)
        policy = json.dumps(tls_only_policy(self.name, self.aws.identity[1]))
        s3.put_bucket_policy(Bucket=self.name, Policy=policy, **owner)
        s3.put_bucket_lifecycle_configuration(Bucket=self.name, LifecycleConfiguration=LIFECYCLE, **owner)


def tls_only_policy(bucket: str, partition: str) -> dict[str, Any]:
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "DenyPlainHttp",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
