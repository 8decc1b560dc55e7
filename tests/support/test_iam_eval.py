"""The test IAM evaluator against IAM's documented semantics, for the features the deployer policy uses."""

from __future__ import annotations

from tests.support.iam_eval import allows

BUCKET = "arn:aws:s3:::artifacts/resolver/zip"


def test_actions_match_case_insensitively_with_wildcards_and_resources_with_case() -> None:
    statement = {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::artifacts/*"}
    assert allows([statement], "s3:getobject", BUCKET)
    assert not allows([statement], "s3:PutObject", BUCKET)
    assert not allows([statement], "s3:GetObject", "arn:aws:s3:::Artifacts/zip")
    assert allows([{**statement, "Resource": "arn:aws:s3:::artifact?/*"}], "s3:GetObject", BUCKET)
    assert not allows([{**statement, "Resource": "arn:aws:s3:::artifacts.*"}], "s3:GetObject", BUCKET)  # `.` is literal


def test_not_action_and_not_resource_invert_the_match() -> None:
    statement = {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}
    assert allows([statement], "s3:GetObject", BUCKET)
    assert not allows([statement], "iam:PassRole", BUCKET)
    assert not allows([statement], "s3:GetObject", "arn:aws:s3:::secret/x")


def test_a_condition_on_a_key_the_request_lacks_is_false_unless_if_exists() -> None:
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                 "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}  # fmt: skip
    assert allows(
        [statement], "iam:PassRole", "arn:aws:iam::1:role/r", {"iam:PassedToService": "sagemaker.amazonaws.com"}
    )
    assert not allows(
        [statement], "iam:PassRole", "arn:aws:iam::1:role/r", {"iam:PassedToService": "ec2.amazonaws.com"}
    )
    assert not allows([statement], "iam:PassRole", "arn:aws:iam::1:role/r")
    lenient = {**statement, "Condition": {"StringEqualsIfExists": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}
    assert allows([lenient], "iam:PassRole", "arn:aws:iam::1:role/r")


def test_an_explicit_deny_wins_and_nothing_is_allowed_by_default() -> None:
    allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    deny = {
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert not allows([allow, deny], "s3:GetObject", BUCKET, {"aws:SecureTransport": "false"})
    assert allows([allow, deny], "s3:GetObject", BUCKET, {"aws:SecureTransport": "true"})
    assert not allows([], "s3:GetObject", BUCKET)


def test_string_equals_ignore_case_matches_whatever_the_case() -> None:
    """ "StringEqualsIgnoreCase: Exact matching, ignoring case" (IAM User Guide, IAM JSON policy elements: Condition
    operators, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
    AmazonSageMakerFullAccess uses it on s3:ExistingObjectTag/SageMaker."""
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                 "Condition": {"StringEqualsIgnoreCase": {"s3:ExistingObjectTag/SageMaker": "true"}}}  # fmt: skip
    assert allows([statement], "s3:GetObject", BUCKET, {"s3:ExistingObjectTag/SageMaker": "TRUE"})
    assert not allows([statement], "s3:GetObject", BUCKET, {"s3:ExistingObjectTag/SageMaker": "yes"})
    assert not allows([statement], "s3:GetObject", BUCKET)
