"""The artifacts bucket as `plan` uses it, run as a user runs it on botocore Stubbers (any call not queued fails, so a
CreateBucket nobody expected fails the test): in group mode the resolver zip goes to the bucket of the account and
Region, created and hardened on first use and reused as it is afterwards; a template over the inline limit goes there
too; a bucket the user names is never created, and one that is not ours stops the plan before any change set."""

from __future__ import annotations

import hashlib

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.common.lambda_zip import build_resolver_package
from generator.deploy.template_file import EndpointTemplate
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    GROUP_LIKE,
    StubbedAws,
    adding_the_endpoint,
    artifacts_bucket,
    expect_discard,
    expect_identity,
    expect_new_bucket,
    expect_plan,
    no_stack,
    owned_artifacts_bucket,
    parameter_list,
    run_with,
)

PLAN = ["plan", "--stack-name", "churn"]
GROUP_MODE = ["--param", "ModelPackageGroupName=churn"]
RESOLVER = build_resolver_package()
RESOLVER_KEY = f"resolver/{RESOLVER.file_name}"
# ENDPOINT_LIKE past CloudFormation's 51,200-byte TemplateBody limit (CreateChangeSet TemplateBody, "Maximum length of
# 51,200 bytes", https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
LARGE = EndpointTemplate(ENDPOINT_LIKE.body + "# " + "x" * 51_200 + "\n")
LARGE_KEY = f"templates/sagemaker-endpoint-{hashlib.sha256(LARGE.body.encode()).hexdigest()}.yaml"


def stubbed_with(monkeypatch: pytest.MonkeyPatch, template: EndpointTemplate) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, template)
    return aws


def expect_resolver_put(s3: Stubber, region: str) -> None:
    """The zip put in the bucket of our own name, asked for as this account's."""
    put = owned_artifacts_bucket(region) | {"Key": RESOLVER_KEY, "Body": RESOLVER.content}
    s3.add_response("put_object", {"ETag": '"0123"'}, put)


def expect_group_mode_plan(cloudformation: Stubber, bucket: str) -> None:
    """A CREATE change set (only what differs from the defaults) whose resolver code is the uploaded zip."""
    answer = adding_the_endpoint()
    values = {"ResolverCodeS3Bucket": bucket, "ResolverCodeS3Key": RESOLVER_KEY, "ModelPackageGroupName": "churn"}
    request = {"TemplateBody": GROUP_LIKE.body, "Capabilities": [], "Parameters": parameter_list(values)}
    expect_plan(cloudformation, "CREATE", request, answer)
    expect_discard(cloudformation, answer, created=True)


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1"])
def test_group_mode_creates_the_hardened_bucket_on_first_use_and_plans_with_the_resolver_zip_in_it(
    region: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Lambda function reads its code from S3, so group mode uploads the resolver zip before the change set. The
    bucket is named for the account and Region, made the first time with everything expect_new_bucket lists (in
    us-east-1 without a LocationConstraint, which S3 refuses there), then the zip is put under resolver/."""
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    expect_identity(stubbed["sts"])
    expect_new_bucket(stubbed["s3"], region)
    expect_resolver_put(stubbed["s3"], region)
    expect_group_mode_plan(stubbed["cloudformation"], artifacts_bucket(region))
    code = main([*PLAN, "--region", region, *GROUP_MODE])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f"Resolver code: s3://{artifacts_bucket(region)}/{RESOLVER_KEY}",
        "Plan to create stack churn:",
        "  +    Add         Endpoint  AWS::SageMaker::Endpoint",
        "Plan: 1 to add, 0 to modify, 0 to replace, 0 to remove.",
    ]


def test_an_existing_artifacts_bucket_is_reused_as_it_is_and_a_large_template_is_planned_from_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """HeadBucket 200: nothing is created or reconfigured, the template is put under templates/ (named by its
    sha256) and the change set reads it by TemplateURL, the bucket's virtual-hosted URL of the Region. Both S3 calls
    name this account as the bucket's owner."""
    stubbed = stubbed_with(monkeypatch, LARGE)
    bucket = artifacts_bucket()
    no_stack(stubbed["cloudformation"], "churn")
    expect_identity(stubbed["sts"])
    stubbed["s3"].add_response("head_bucket", {}, owned_artifacts_bucket())
    stubbed["s3"].add_response("put_object", {"ETag": '"0123"'}, owned_artifacts_bucket() | {
        "Key": LARGE_KEY, "Body": LARGE.body.encode()})  # fmt: skip
    answer = adding_the_endpoint()
    url = f"https://{bucket}.s3.eu-west-1.amazonaws.com/{LARGE_KEY}"
    arn_mode = {"ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"}
    request = {"TemplateURL": url, "Capabilities": [], "Parameters": parameter_list(arn_mode)}
    expect_plan(stubbed["cloudformation"], "CREATE", request, answer)
    expect_discard(stubbed["cloudformation"], answer, created=True)
    code = main([*PLAN, "--region", "eu-west-1", "--param", f"ModelPackageArn={arn_mode['ModelPackageArn']}"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (0, "")
    assert err.splitlines()[0] == f"Template: over the inline limit, sent as s3://{bucket}/{LARGE_KEY}"


def test_a_bucket_named_with_a_dot_is_addressed_path_style_in_the_template_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dot in a bucket name breaks the TLS certificate of its virtual host (`*.s3.<region>.amazonaws.com` covers
    one label), so the URL names the bucket in its path. The user's bucket is used as it is."""
    stubbed = stubbed_with(monkeypatch, LARGE)
    no_stack(stubbed["cloudformation"], "churn")
    stubbed["s3"].add_response("head_bucket", {}, {"Bucket": "team.artifacts"})
    stubbed["s3"].add_response("put_object", {"ETag": '"0123"'}, {
        "Bucket": "team.artifacts", "Key": LARGE_KEY, "Body": LARGE.body.encode()})  # fmt: skip
    expect_identity(stubbed["sts"])  # the partition, for the URL's host
    answer = adding_the_endpoint()
    request = {"TemplateURL": f"https://s3.eu-west-1.amazonaws.com/team.artifacts/{LARGE_KEY}", "Capabilities": []}
    expect_plan(stubbed["cloudformation"], "CREATE", request | {"Parameters": []}, answer)
    expect_discard(stubbed["cloudformation"], answer, created=True)
    code = main([*PLAN, "--region", "eu-west-1", "--artifacts-bucket", "team.artifacts"])
    stubbed.done()
    assert (code, capsys.readouterr().out) == (0, "")


def test_a_named_bucket_that_does_not_exist_is_not_created_and_the_plan_stops_with_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the bucket of our own name is created: one the user names is theirs to make (with their settings), and
    may be another account's on purpose, so it is asked for without ExpectedBucketOwner."""
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    stubbed["s3"].add_client_error("head_bucket", "404", "Not Found", 404, {"Bucket": "team-artifacts"})
    code = main([*PLAN, "--region", "eu-west-1", *GROUP_MODE, "--artifacts-bucket", "team-artifacts"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        "error: reading the artifacts bucket team-artifacts: An error occurred (404) when calling the HeadBucket "
        "operation: Not Found\n"
    )


def test_a_bucket_of_our_name_owned_by_another_account_stops_the_plan_before_any_change_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bucket names are global: another account may hold ours. HeadBucket then answers 403 ("If the bucket doesn't
    exist or you don't have permission to access it, the HEAD request returns a generic 400 Bad Request, 403 Forbidden,
    or 404 Not Found", https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), and so it does when the
    bucket is not the ExpectedBucketOwner's: the zip is not put there, no bucket is created, no change set is made,
    and the message says what happened and what to pass instead (it said only S3's "Forbidden" before)."""
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    expect_identity(stubbed["sts"])
    stubbed["s3"].add_client_error("head_bucket", "403", "Forbidden", 403, owned_artifacts_bucket())
    code = main([*PLAN, "--region", "eu-west-1", *GROUP_MODE])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"error: bucket {artifacts_bucket()} exists and is not this account's (or denies it): bucket names are "
        "global, and another account may have taken this one. Pass --artifacts-bucket with a bucket of yours\n"
    )


def test_a_bucket_of_our_name_taken_between_the_look_and_the_create_stops_the_plan_with_the_same_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """HeadBucket found nothing, then another account created the name first: CreateBucket answers
    BucketAlreadyExists ("The requested bucket name is not available. The bucket namespace is shared by all users of
    the system.", S3 API Reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html). Nothing
    is hardened or put there, no change set is made, and the message is the one for a bucket found taken."""
    stubbed = stubbed_with(monkeypatch, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    expect_identity(stubbed["sts"])
    s3 = stubbed["s3"]
    s3.add_client_error("head_bucket", "404", "Not Found", 404, owned_artifacts_bucket())
    where = {"Bucket": artifacts_bucket(), "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}
    s3.add_client_error("create_bucket", "BucketAlreadyExists", "The requested bucket name is not available", 409,
                        where)  # fmt: skip
    code = main([*PLAN, "--region", "eu-west-1", *GROUP_MODE])
    stubbed.done()
    assert (code, *capsys.readouterr()) == (1, "", (
        f"error: bucket {artifacts_bucket()} exists and is not this account's (or denies it): bucket names are "
        "global, and another account may have taken this one. Pass --artifacts-bucket with a bucket of yours\n"
    ))  # fmt: skip
