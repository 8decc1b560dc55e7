"""The artifacts bucket's name is predictable and bucket names are global, so every call on the bucket the command
names for itself says whose it must be, as a user runs `deploy` in group mode, on botocore Stubbers (each S3 call's
arguments are checked exactly).

- ExpectedBucketOwner: "If the account ID that you provide does not match the actual owner of the bucket, the request
  fails with the HTTP status code 403 Forbidden (access denied)." (https://docs.aws.amazon.com/AmazonS3/latest/API/
  API_HeadBucket.html; the same member on PutObject, PutBucketPolicy, PutPublicAccessBlock, PutBucketEncryption,
  PutBucketVersioning and PutBucketLifecycleConfiguration; CreateBucket has none.)
- BucketAlreadyOwnedByYou: "The bucket you tried to create already exists, and you own it. Amazon S3 returns this
  error in all Amazon Web Services Regions except in the North Virginia Region." (API_CreateBucket.html): a deploy that
  raced another to create it carries on."""

from __future__ import annotations

import json

import pytest
from botocore.stub import ANY

from generator.cli import main
from generator.deploy.artifacts_bucket import LIFECYCLE, tls_only_policy
from tests.support.stubbed_aws import StubbedAws, endpoint_like_with, run_with

ACCOUNT, REGION = "111122223333", "eu-west-1"
BUCKET = f"sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}"
DEPLOY = ["deploy", "--stack-name", "churn", "--region", REGION, "--param", "ModelPackageGroupName=churn"]
OWNED = {"Bucket": BUCKET, "ExpectedBucketOwner": ACCOUNT}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    """A new stack in group mode: the command reads the stack (none), then uploads the resolver zip."""
    aws = StubbedAws()
    run_with(monkeypatch, aws, endpoint_like_with({"ResolverCodeS3Bucket": "", "ResolverCodeS3Key": ""}))
    aws["cloudformation"].add_client_error("describe_stacks", "ValidationError", "Stack with id churn does not exist",
                                           400, {"StackName": "churn"})  # fmt: skip
    aws["sts"].add_response("get_caller_identity", {"Arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "Account": ACCOUNT})
    return aws


def stop_at_the_plan(stubbed: StubbedAws) -> None:
    """The uploads are what is checked: CloudFormation then refuses the plan, which ends the command (exit 1)."""
    stubbed["cloudformation"].add_client_error("create_change_set", "ValidationError", "stop here")


@pytest.mark.parametrize("created", ["now", "by a deploy racing this one"])
def test_the_bucket_it_makes_is_asked_for_as_this_accounts_at_every_call(
    created: str, stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = stubbed["s3"]
    s3.add_client_error("head_bucket", "404", "Not Found", 404, OWNED)
    location = {"Bucket": BUCKET, "CreateBucketConfiguration": {"LocationConstraint": REGION}}
    if created == "now":
        s3.add_response("create_bucket", {}, location)
    else:
        s3.add_client_error("create_bucket", "BucketAlreadyOwnedByYou", "you own it", 409, location)
    blocked = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
    s3.add_response("put_public_access_block", {}, {**OWNED, "PublicAccessBlockConfiguration": blocked})
    s3.add_response("put_bucket_encryption", {}, {**OWNED, "ServerSideEncryptionConfiguration": {
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}})  # fmt: skip
    s3.add_response("put_bucket_versioning", {}, {**OWNED, "VersioningConfiguration": {"Status": "Enabled"}})
    s3.add_response("put_bucket_policy", {}, {**OWNED, "Policy": json.dumps(tls_only_policy(BUCKET, "aws"))})
    s3.add_response("put_bucket_lifecycle_configuration", {}, {**OWNED, "LifecycleConfiguration": LIFECYCLE})
    s3.add_response("put_object", {}, {**OWNED, "Key": ANY, "Body": ANY})
    stop_at_the_plan(stubbed)
    code = main(DEPLOY)
    stubbed.done()
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1].endswith("stop here")


def test_a_bucket_of_that_name_owned_by_another_account_stops_the_deploy_before_anything_is_written(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed["s3"].add_client_error("head_bucket", "403", "Forbidden", 403, OWNED)
    code = main(DEPLOY)
    stubbed.done()
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: bucket {BUCKET} exists and is not this account's (or denies it): bucket names are global, and "
        "another account may have taken this one. Pass --artifacts-bucket with a bucket of yours"
    )


def test_a_bucket_the_user_names_is_used_as_given_whoever_owns_it(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team's shared artifacts bucket may well be another account's: no ExpectedBucketOwner on it."""
    s3 = stubbed["s3"]
    s3.add_response("head_bucket", {}, {"Bucket": "team-artifacts"})
    s3.add_response("put_object", {}, {"Bucket": "team-artifacts", "Key": ANY, "Body": ANY})
    stop_at_the_plan(stubbed)
    code = main([*DEPLOY, "--artifacts-bucket", "team-artifacts"])
    assert code == 1, capsys.readouterr().err
    stubbed["s3"].assert_no_pending_responses()
