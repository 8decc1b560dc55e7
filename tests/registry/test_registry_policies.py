"""`sagemaker-endpoint registry-policies`: the statements a registry owner merges into its bucket, key and repository
policies, printed as JSON; what they allow (the IAM evaluator), and bad input refused with every problem at once."""

from __future__ import annotations

import json

import pytest

from generator.cli import main
from tests.support.iam_eval import allows

GROUP = "arn:aws:sagemaker:eu-west-1:444455556666:model-package-group/churn"
BUCKET = "arn:aws:s3:::registry-models"
KEY = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
REPO = "arn:aws:ecr:eu-west-1:444455556666:repository/churn"
WORKLOADS = ["111122223333", "222233334444"]
EXECUTION_ROLE = "arn:aws:iam::111122223333:role/sagemaker-endpoint/churn-prod-ModelExecutionRole-A1B2C3"


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["registry-policies", "--group", GROUP, "--workload-accounts", *args]) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def test_it_prints_the_statements_for_each_resource_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    everything = printed(capsys, ",".join(WORKLOADS), "--bucket", BUCKET, "--kms-key", KEY, "--ecr-repo", REPO)
    assert set(everything) == {"Version", "ModelPackageGroupArn", "Bucket", "KmsKey", "EcrRepository"}
    only_bucket = printed(capsys, *WORKLOADS, "--bucket", BUCKET)  # spaces work as commas do
    assert set(only_bucket) == {"Version", "ModelPackageGroupArn", "Bucket"}
    assert only_bucket["Bucket"] == everything["Bucket"]
    sids = [s["Sid"] for kind in ("Bucket", "KmsKey", "EcrRepository") for s in everything[kind]["Statement"]]  # type: ignore[index]
    assert sids == [
        "SageMakerEndpointWorkloadsListArtifacts", "SageMakerEndpointWorkloadsReadArtifacts",
        "SageMakerEndpointWorkloadsDecryptArtifacts", "SageMakerEndpointWorkloadsGrantToSageMaker",
        "SageMakerEndpointWorkloadsPullImage",
    ]  # fmt: skip


def test_the_statements_admit_the_workloads_execution_roles_and_nothing_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    policies = printed(capsys, *WORKLOADS, "--bucket", BUCKET, "--kms-key", KEY, "--ecr-repo", REPO)
    bucket = policies["Bucket"]["Statement"]  # type: ignore[index]
    key = policies["KmsKey"]["Statement"]  # type: ignore[index]
    repo = [{**s, "Resource": REPO} for s in policies["EcrRepository"]["Statement"]]  # type: ignore[index]
    role = {"aws:PrincipalArn": EXECUTION_ROLE}
    assert allows(bucket, "s3:GetObject", f"{BUCKET}/churn/model.tar.gz", role)
    assert not allows(bucket, "s3:PutObject", f"{BUCKET}/churn/model.tar.gz", role)
    assert not allows(bucket, "s3:GetObject", f"{BUCKET}/churn/model.tar.gz",
                      {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/developer"})  # fmt: skip
    assert allows(key, "kms:Decrypt", KEY, role)
    assert not allows(key, "kms:Encrypt", KEY, role)
    assert not allows(key, "kms:CreateGrant", KEY, {**role, "kms:GrantIsForAWSResource": "false"})
    assert allows(repo, "ecr:BatchGetImage", REPO, role)
    assert not allows(repo, "ecr:PutImage", REPO, role)
    principals = {json.dumps(s["Principal"]) for s in [*bucket, *key, *repo]}
    assert principals == {json.dumps({"AWS": [f"arn:aws:iam::{a}:root" for a in WORKLOADS]})}


def test_bad_input_exits_2_naming_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["registry-policies", "--group", "arn:aws:sagemaker:eu-west-1:444455556666:model-package/churn/3",
                 "--workload-accounts", "1111", "--kms-key", KEY.replace("eu-west-1", "us-east-1"),
                 "--ecr-repo", "churn"])  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --group 'arn:aws:sagemaker:eu-west-1:444455556666:model-package/churn/3': must be a model package "
        "group ARN (arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>)",
        "error: --workload-accounts: '1111' is not a 12-digit account ID",
        f"error: --kms-key '{KEY.replace('eu-west-1', 'us-east-1')}': in us-east-1, but the group is in eu-west-1: "
        "use one of the group's Region (SageMaker reads keys and images of the endpoint's Region)",
        "error: --ecr-repo 'churn': not an ARN of that kind",
        "4 problem(s) in the input.",
    ]
