"""The resolver code of a fleet in group mode, as `fleet deploy` runs it on botocore Stubbers (any call not queued
fails the test): the zip goes to the administrator account's artifacts bucket of every Region (made there on first
use), each bucket's policy gets one statement letting the fleet's other accounts, or its Organization, read exactly
the zip, merged by its Sid after the statements the bucket already has, and each Region's instances get their
bucket."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.common.lambda_zip import build_resolver_package
from tests.support.stubbed_aws import (
    ACCOUNT,
    GROUP_LIKE,
    PEER,
    JsonText,
    StubbedAws,
    artifacts_bucket,
    expect_identity,
    expect_new_bucket,
    expect_new_fleet,
    owned_artifacts_bucket,
    run_with,
    tls_only,
)

HOME, OTHER = "eu-west-1", "us-east-1"
RESOLVER = build_resolver_package()
RESOLVER_KEY = f"resolver/{RESOLVER.file_name}"
READ_SID = "SageMakerEndpointFleetReadsResolverCode"
HOME_BUCKET, OTHER_BUCKET = artifacts_bucket(HOME), artifacts_bucket(OTHER)
# What the stack set holds: the defaults, the group, the zip's key and the first Region's bucket.
SHARED = {"DeployOnApproval": "false", "EndpointName": "", "ModelPackageArn": "", "PackageResolutionToken": "",
          "PermissionsBoundaryArn": "", "ModelPackageGroupName": "churn", "ResolverCodeS3Key": RESOLVER_KEY,
          "ResolverCodeS3Bucket": HOME_BUCKET}  # fmt: skip
FLEET_DEPLOY = ["fleet", "deploy", "--stack-set-name", "churn-fleet", "--region", HOME,
                "--param", "ModelPackageGroupName=churn"]  # fmt: skip


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, GROUP_LIKE)
    return aws


def read_grant(bucket: str, readers: dict[str, Any]) -> dict[str, Any]:
    return {"Sid": READ_SID, "Effect": "Allow", **readers, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/resolver/*"}  # fmt: skip


def expect_zip_put(s3: Stubber, region: str) -> None:
    put = owned_artifacts_bucket(region) | {"Key": RESOLVER_KEY, "Body": RESOLVER.content}
    s3.add_response("put_object", {"ETag": '"0123"'}, put)


def test_the_zip_goes_to_each_regions_bucket_readable_by_the_other_accounts_and_each_region_gets_it(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A function reads its code from a bucket of its own Region (AWS::Lambda::Function Code: "an Amazon S3 bucket in
    the same AWS Region as your function. The bucket can be in a different AWS account",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html).
    eu-west-1's bucket exists without a policy (GetBucketPolicy: NoSuchBucketPolicy): the grant is its only
    statement. us-east-1's is made now, so its TLS-only statement comes first and is kept. The reader is the other
    account, by its root ARN; this account needs no grant. Each call on a bucket names this account as its owner
    (owned_artifacts_bucket)."""
    s3 = stubbed["s3"]
    for _ in range(3):  # the fleet's account, then each Region's bucket name
        expect_identity(stubbed["sts"])
    home, other = owned_artifacts_bucket(HOME), owned_artifacts_bucket(OTHER)
    s3.add_response("head_bucket", {}, home)
    expect_zip_put(s3, HOME)
    s3.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "The bucket policy does not exist", 404, home)
    peer = {"Principal": {"AWS": [f"arn:aws:iam::{PEER}:root"]}}
    only_ours = {"Version": "2012-10-17", "Statement": [read_grant(HOME_BUCKET, peer)]}
    s3.add_response("put_bucket_policy", {}, home | {"Policy": JsonText(only_ours)})
    expect_new_bucket(s3, OTHER)
    expect_zip_put(s3, OTHER)
    tls = tls_only(OTHER_BUCKET)
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(tls)}, other)
    merged = tls | {"Statement": [*tls["Statement"], read_grant(OTHER_BUCKET, peer)]}
    s3.add_response("put_bucket_policy", {}, other | {"Policy": JsonText(merged)})
    expect_new_fleet(stubbed["cloudformation"], GROUP_LIKE, SHARED, [
        ([ACCOUNT, PEER], [HOME], {"ResolverCodeS3Bucket": HOME_BUCKET}),
        ([ACCOUNT, PEER], [OTHER], {"ResolverCodeS3Bucket": OTHER_BUCKET}),
    ])  # fmt: skip
    code = main([*FLEET_DEPLOY, "--regions", f"{HOME},{OTHER}", "--accounts", f"{ACCOUNT},{PEER}"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "[]\n"), err
    assert err.splitlines()[:5] == [
        f"Resolver code for {HOME}: s3://{HOME_BUCKET}/{RESOLVER_KEY}",
        f"Resolver code for {OTHER}: s3://{OTHER_BUCKET}/{RESOLVER_KEY}",
        "Plan for stack set churn-fleet:",
        "  +    create the stack set",
        f"  +    create instances: {ACCOUNT}, {PEER} in {HOME} (overrides: ResolverCodeS3Bucket={HOME_BUCKET})",
    ]


def test_an_organizations_ous_read_the_zip_by_its_org_id_and_the_owners_statements_are_kept(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A service-managed fleet's accounts are not known in advance (an OU gains accounts), so the readers are the
    principals of the Organization, by `aws:PrincipalOrgID`. (This test once expected `aws:PrincipalOrgPaths`
    patterns of the OUs; the command no longer sends them on purpose: the bucket blocks public policies, and S3 calls
    a policy public unless it grants "only to fixed values (values that don't contain a wildcard or an AWS Identity
    and Access Management Policy Variable)",
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html, which the
    Organization's ID is and the paths' wildcards are not.) The bucket's other statements, ours and the owner's, stay
    as they were; an older grant of ours is replaced, by its Sid."""
    s3 = stubbed["s3"]
    for _ in range(2):  # the fleet's account, then the Region's bucket name
        expect_identity(stubbed["sts"])
    stubbed["organizations"].add_response("describe_organization", {"Organization": {"Id": "o-a1b2c3d4e5"}}, {})
    home = owned_artifacts_bucket(HOME)
    s3.add_response("head_bucket", {}, home)
    expect_zip_put(s3, HOME)
    owners = {"Sid": "AuditReads", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/audit"},
              "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{HOME_BUCKET}"}  # fmt: skip
    tls = tls_only(HOME_BUCKET)
    held = tls | {"Statement": [*tls["Statement"], owners, read_grant(HOME_BUCKET, {"Principal": "old"})]}
    s3.add_response("get_bucket_policy", {"Policy": json.dumps(held)}, home)
    org = {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
    merged = tls | {"Statement": [*tls["Statement"], owners, read_grant(HOME_BUCKET, org)]}
    s3.add_response("put_bucket_policy", {}, home | {"Policy": JsonText(merged)})
    ous = ["ou-ab12-cdefgh34", "r-ab12"]
    expect_new_fleet(stubbed["cloudformation"], GROUP_LIKE, SHARED, [
        (ous, [HOME], {"ResolverCodeS3Bucket": HOME_BUCKET}),
    ], organizations=True)  # fmt: skip
    code = main([*FLEET_DEPLOY, "--regions", HOME, "--organizational-units", ",".join(ous)])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "[]\n"), err
    assert "Stack set churn-fleet: created (service-managed)." in err.splitlines()
