"""Exit codes that mean one thing in every verb, and errors that say where: a failure in AWS (1) names the step and the
resource it was working on; credentials that are missing or that AWS does not accept (7) name --profile, the
environment variables and `aws sso login`. Run as a user runs it, on botocore Stubbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.common.lambda_zip import build_resolver_package
from tests.support.stubbed_aws import (
    ENDPOINT_LIKE,
    GROUP_LIKE,
    StubbedAws,
    artifacts_bucket,
    expect_identity,
    no_stack,
    owned_artifacts_bucket,
    run_with,
)

CREDENTIALS_HINT = (
    "pass --profile NAME (a profile of ~/.aws/config), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary ones); for IAM Identity Center (SSO), run "
    "`aws sso login --profile NAME` first"
)
ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3"


def test_without_any_credentials_the_command_exits_7_naming_the_ways_to_give_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """botocore's credential chain finds nothing (no variables, no files, no instance metadata): its "Unable to
    locate credentials" alone does not say what to do."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code = main(["outputs", "--stack-name", "churn", "--region", "eu-west-1"])
    assert (code, *capsys.readouterr()) == (
        7, "", f"error: no usable AWS credentials (Unable to locate credentials): {CREDENTIALS_HINT}\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ExpiredToken", "The security token included in the request is expired"),
        ("InvalidClientTokenId", "The security token included in the request is invalid."),
    ],
)
def test_credentials_aws_refuses_exit_7_with_the_same_hint(
    code: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Expired or unknown credentials are not a failure in AWS but of the caller's setup: AWS lists both among the
    errors common to every API ("ExpiredTokenException: The security token included in the request is expired.",
    https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html; InvalidClientTokenId: "The X.509
    certificate or AWS access key ID provided does not exist in our records",
    https://docs.aws.amazon.com/emr/latest/APIReference/CommonErrors.html)."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, ENDPOINT_LIKE)
    stubbed["cloudformation"].add_client_error("describe_stacks", code, message, 403, {"StackName": "churn"})
    exit_code = main(["status", "--stack-name", "churn", "--region", "eu-west-1"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (exit_code, out) == (7, "")
    assert err == (
        f"error: no usable AWS credentials (An error occurred ({code}) when calling the DescribeStacks operation: "
        f"{message}): {CREDENTIALS_HINT}\n"
    )


def test_a_refused_upload_names_the_step_and_the_object_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """botocore's "An error occurred (403) when calling the PutObject operation" says neither what was being uploaded
    nor where: the step names both."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, GROUP_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    expect_identity(stubbed["sts"])
    stubbed["s3"].add_response("head_bucket", {}, owned_artifacts_bucket())
    key = f"resolver/{build_resolver_package().file_name}"
    stubbed["s3"].add_client_error("put_object", "403", "Forbidden", 403, owned_artifacts_bucket() | {"Key": key,
                                   "Body": build_resolver_package().content})  # fmt: skip
    code = main(["plan", "--stack-name", "churn", "--region", "eu-west-1", "--param", "ModelPackageGroupName=churn"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        f"error: uploading the resolver zip to s3://{artifacts_bucket()}/{key}: An error occurred (403) when calling "
        "the PutObject operation: Forbidden\n"
    )


def test_a_refused_change_set_names_the_change_set_and_the_stack(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, ENDPOINT_LIKE)
    no_stack(stubbed["cloudformation"], "churn")
    denied = "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: cloudformation:CreateChangeSet"
    stubbed["cloudformation"].add_client_error("create_change_set", "AccessDenied", denied, 403)
    code = main(["plan", "--stack-name", "churn", "--region", "eu-west-1", "--param", f"ModelPackageArn={ARN}"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("error: creating change set sagemaker-endpoint-")
    assert err.endswith(
        f" for stack churn: An error occurred (AccessDenied) when calling the CreateChangeSet operation: {denied}\n"
    )
