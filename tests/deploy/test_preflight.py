"""The live preflight: read-only calls after the offline checks and before anything is created or deleted, on
botocore Stubbers (a call not queued fails the test, so a DeleteStack or CreateChangeSet after a problem would too).
AWS's words for each check are in generator.deploy.preflight's docstring; the ones a test leans on are beside it."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import pytest

from generator.cli import main
from generator.deploy.cloudformation import DeployedStack
from generator.deploy.console import Console
from generator.deploy.context import DeployContext
from generator.deploy.preflight import PreflightError, preflight
from generator.deploy.request import DeployRequest, _parameter_notes, _resolution_note
from generator.deploy.template_file import load_template
from generator.deploy.verbs import deploy
from tests.support.stubbed_aws import (
    ACCOUNT,
    REGION,
    SAGEMAKER,
    StubbedAws,
    endpoint_like_with,
    run_with,
    stacks,
    terminal_console,
)

pytestmark = pytest.mark.live_preflight

V3 = f"{SAGEMAKER}:model-package/churn/3"
NETWORKED = endpoint_like_with(
    {"VpcId": "", "SubnetIds": "", "ModelExecutionRoleArn": "", "ModelArtifactsKmsKeyArn": ""}
)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-execution"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def stubbed() -> StubbedAws:
    return StubbedAws()


def package(stubbed: StubbedAws, status: str, arn: str = V3) -> None:
    """DescribeModelPackage as SageMaker answers it: ModelApprovalStatus is Approved, Rejected or
    PendingManualApproval (the API model's ModelApprovalStatus enum)."""
    answer = {"ModelPackageName": "churn", "ModelPackageArn": arn, "CreationTime": "2026-11-30T10:00:00Z",
              "ModelPackageStatus": "Completed", "ModelApprovalStatus": status,
              "ModelPackageStatusDetails": {"ValidationStatuses": []}}  # fmt: skip
    stubbed["sagemaker"].add_response("describe_model_package", answer, {"ModelPackageName": arn})


def subnets(stubbed: StubbedAws, found: list[tuple[str, str, str]]) -> None:
    """DescribeSubnets answering (id, VPC, zone) each."""
    answer = {"Subnets": [{"SubnetId": s, "VpcId": v, "AvailabilityZone": z} for s, v, z in found]}
    stubbed["ec2"].add_response("describe_subnets", answer, {"SubnetIds": [s for s, _, _ in found]})


def identity(stubbed: StubbedAws) -> None:
    stubbed["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/me"})


def role(stubbed: StubbedAws, service: str) -> None:
    """GetRole's AssumeRolePolicyDocument as the API sends it, URL-encoded JSON ("The policy that grants an entity
    permission to assume the role.", https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html); boto3's
    own client decodes it into a dict, a Stubber does not."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}  # fmt: skip
    document = quote(json.dumps(trust))
    answer = {"Role": {"Path": "/", "RoleName": "churn-execution", "RoleId": "AROAEXAMPLEEXAMPLE01", "Arn": ROLE,
                       "CreateDate": "2026-11-30T10:00:00Z", "AssumeRolePolicyDocument": document}}  # fmt: skip
    stubbed["iam"].add_response("get_role", answer, {"RoleName": "churn-execution"})


def context(stubbed: StubbedAws, err: io.StringIO, *, terminal: bool = False) -> DeployContext:
    console = terminal_console(err) if terminal else Console(err)
    return DeployContext(stubbed.aws(), NETWORKED, console, io.StringIO())


def test_every_problem_the_account_shows_is_told_at_once_with_exit_2_and_a_failed_create_is_kept(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Rejected package, a subnet of another VPC, subnets in one zone, an execution role SageMaker may not assume
    and a key the caller may not read: one run says all of it, and the failed create the stack is stays (no
    DeleteStack, no CreateChangeSet is queued). SageMaker's hosting guide: "You must create at least two subnets in
    different availability zones in your private VPC, even if you have only one hosting instance."
    (https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html): of the VPC, so given subnets in one zone warn."""
    run_with(monkeypatch, stubbed, NETWORKED)
    stubbed["cloudformation"].add_response("describe_stacks", stacks("churn", "ROLLBACK_COMPLETE"),
                                           {"StackName": "churn"})  # fmt: skip
    package(stubbed, "Rejected")
    stubbed["ec2"].add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0a1b2c3d"}]}, {"VpcIds": ["vpc-0a1b2c3d"]})
    subnets(stubbed, [("subnet-0a", "vpc-0a1b2c3d", "eu-west-1a"), ("subnet-0b", "vpc-9f8e7d6c", "eu-west-1a")])
    identity(stubbed)
    role(stubbed, "lambda.amazonaws.com")
    stubbed["kms"].add_client_error("describe_key", "AccessDeniedException", "not allowed", 400, {"KeyId": KEY})
    code = main(["deploy", "--stack-name", "churn", "--region", REGION, "--param", f"ModelPackageArn={V3}",
                 "--param", "VpcId=vpc-0a1b2c3d", "--param", "SubnetIds=subnet-0a,subnet-0b",
                 "--param", f"ModelExecutionRoleArn={ROLE}", "--param", f"ModelArtifactsKmsKeyArn={KEY}"])  # fmt: skip
    stubbed.done()
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"warning: could not check ModelArtifactsKmsKeyArn {KEY} (AccessDeniedException); going on without it",
        "warning: SubnetIds: every subnet is in eu-west-1a; SageMaker's guide advises subnets in at least two "
        "Availability Zones, so that the endpoint survives a zone's outage",
        f"error: ModelPackageArn={V3!r}: the package is Rejected; approve it (aws sagemaker update-model-package "
        "--model-approval-status Approved) or give an Approved one",
        "error: SubnetIds: subnet-0b not in VpcId vpc-0a1b2c3d: give subnets of vpc-0a1b2c3d",
        f"error: ModelExecutionRoleArn={ROLE!r}: the role's trust policy does not let sagemaker.amazonaws.com "
        "assume it: add it as a Principal Service with sts:AssumeRole",
        "3 problem(s) found in the account; nothing was created or deleted.",
    ]


def test_a_package_or_vpc_or_subnet_that_does_not_exist_and_a_group_with_nothing_approved_are_problems(
    stubbed: StubbedAws,
) -> None:
    """EC2's error codes: "InvalidSubnetID.NotFound: The specified subnet does not exist." and
    "InvalidVpcID.NotFound: The specified VPC does not exist." (https://docs.aws.amazon.com/AWSEC2/latest/
    APIReference/errors-overview.html). ListModelPackages filtered by ModelApprovalStatus=Approved, newest first,
    one: an empty list is a group the resolver would fail on, minutes in."""
    missing = f"ModelPackage {V3} does not exist."
    stubbed["sagemaker"].add_client_error("describe_model_package", "ValidationException", missing, 400,
                                          {"ModelPackageName": V3})  # fmt: skip
    stubbed["sagemaker"].add_response("list_model_packages", {"ModelPackageSummaryList": []}, {
        "ModelPackageGroupName": "churn", "ModelApprovalStatus": "Approved", "SortBy": "CreationTime",
        "SortOrder": "Descending", "MaxResults": 1})  # fmt: skip
    stubbed["ec2"].add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "no", 400, {"VpcIds": ["vpc-0gone"]})
    stubbed["ec2"].add_client_error("describe_subnets", "InvalidSubnetID.NotFound", "no", 400,
                                    {"SubnetIds": ["subnet-0gone"]})  # fmt: skip
    values: dict[str, Any] = {"ModelPackageArn": V3, "ModelPackageGroupName": "churn", "VpcId": "vpc-0gone",
                              "SubnetIds": "subnet-0gone"}  # fmt: skip
    with pytest.raises(PreflightError) as refused:
        preflight(context(stubbed, io.StringIO()), values, [], ask=True)
    stubbed.done()
    assert refused.value.problems == [
        f"ModelPackageArn={V3!r}: no such model package in eu-west-1",
        "ModelPackageGroupName='churn': no Approved model package in the group (or no such group): approve a "
        "version (aws sagemaker update-model-package --model-approval-status Approved)",
        "VpcId='vpc-0gone': no such VPC in eu-west-1",
        "SubnetIds='subnet-0gone': a subnet does not exist in eu-west-1 (EC2 names none of them: aws ec2 "
        "describe-subnets --subnet-ids subnet-0gone)",
    ]


def test_a_package_pending_approval_is_asked_about_on_a_terminal_and_a_no_exits_6_before_any_change(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing but DescribeStacks is queued on CloudFormation: a no changes nothing."""
    stubbed["cloudformation"].add_response(
        "describe_stacks", stacks("churn", "UPDATE_COMPLETE"), {"StackName": "churn"}
    )
    package(stubbed, "PendingManualApproval")
    monkeypatch.setattr("builtins.input", lambda: "n")
    err = io.StringIO()
    code = deploy.run(context(stubbed, err, terminal=True), DeployRequest("churn", {"ModelPackageArn": V3}))
    stubbed.done()
    assert code == 6
    assert " ".join(err.getvalue().split()) == (  # the terminal wraps at 120 columns
        f"warning: ModelPackageArn={V3!r}: the package is PendingManualApproval, not Approved yet "
        "Deploy it anyway? [y/N] Nothing was changed."
    )


def test_off_a_terminal_a_package_pending_approval_is_a_warning_and_the_deploy_goes_on(stubbed: StubbedAws) -> None:
    package(stubbed, "PendingManualApproval")
    err = io.StringIO()
    preflight(context(stubbed, err), {"ModelPackageArn": V3}, [], ask=True)  # no question, no exception
    stubbed.done()
    assert (
        err.getvalue() == f"warning: ModelPackageArn={V3!r}: the package is PendingManualApproval, not Approved yet\n"
    )


def test_a_role_of_another_account_is_said_unchecked_and_a_good_network_and_role_say_nothing(
    stubbed: StubbedAws,
) -> None:
    """GetRole looks a name up in the caller's account only, so another account's role cannot be checked: one line,
    and no IAM call (none is queued for it). The --role-arn service role must trust CloudFormation."""
    other = "arn:aws:iam::444455556666:role/theirs"
    identity(stubbed)
    stubbed["ec2"].add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0a"}]}, {"VpcIds": ["vpc-0a"]})
    subnets(stubbed, [("subnet-0a", "vpc-0a", "eu-west-1a"), ("subnet-0b", "vpc-0a", "eu-west-1b")])
    role(stubbed, "cloudformation.amazonaws.com")
    err = io.StringIO()
    values: dict[str, str | None] = {
        "VpcId": "vpc-0a",
        "SubnetIds": "subnet-0a, subnet-0b",
        "ModelExecutionRoleArn": other,
    }
    preflight(context(stubbed, err), values, [ROLE], ask=True)
    stubbed.done()
    assert err.getvalue().splitlines() == [
        f"warning: could not check ModelExecutionRoleArn {other} (a role of another account); going on without it",
    ]


@pytest.mark.usefixtures("no_aws_session")
def test_a_package_of_another_region_exits_2_before_any_aws_call(capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/3"
    code = main(["deploy", "--stack-name", "churn", "--region", "eu-west-1", "--param", f"ModelPackageArn={elsewhere}"])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: ModelPackageArn={elsewhere!r}: a package of Region us-east-1, but the stack deploys to eu-west-1; "
        "model packages are regional: give a package of eu-west-1, or deploy with --region us-east-1",
        "1 problem(s) in the input; nothing was sent to AWS.",
    ]


def test_the_plan_verb_warns_of_a_pending_package_and_never_asks(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    package(stubbed, "PendingManualApproval")
    monkeypatch.setattr("builtins.input", lambda: pytest.fail("plan asked"))
    err = io.StringIO()
    preflight(context(stubbed, err, terminal=True), {"ModelPackageArn": V3}, [], ask=False)
    stubbed.done()
    assert "PendingManualApproval" in err.getvalue()


def test_the_plan_names_each_changed_parameter_old_to_new_and_the_version_resolve_latest_deploys(
    stubbed: StubbedAws,
) -> None:
    """The group's newest Approved version is what the resolver picks ("the most recently created Approved package"
    of the group, ListModelPackages SortBy CreationTime, Descending); the token --resolve-latest sets each time is
    not a change worth a line."""
    v4 = f"{SAGEMAKER}:model-package/churn/4"
    stubbed["sagemaker"].add_response("list_model_packages", {"ModelPackageSummaryList": [{
        "ModelPackageArn": v4, "ModelPackageGroupName": "churn", "ModelPackageVersion": 4,
        "CreationTime": "2026-11-30T10:00:00Z", "ModelPackageStatus": "Completed", "ModelApprovalStatus": "Approved",
    }]}, {"ModelPackageGroupName": "churn", "ModelApprovalStatus": "Approved", "SortBy": "CreationTime",
          "SortOrder": "Descending", "MaxResults": 1})  # fmt: skip
    findings = preflight(context(stubbed, io.StringIO()), {"ModelPackageGroupName": "churn"}, [], ask=True)
    stubbed.done()
    parameters = {"ModelPackageGroupName": "churn", "InstanceType": "ml.m5.large", "PackageResolutionToken": "t-1"}
    existing = DeployedStack(stacks("churn", "UPDATE_COMPLETE", parameters, {"ModelPackageArn": V3})["Stacks"][0])
    values: dict[str, str | None] = {"ModelPackageGroupName": "churn", "InstanceType": "ml.g5.xlarge",
                                     "PackageResolutionToken": "t-2", "EndpointName": ""}  # fmt: skip
    request = DeployRequest("churn", {}, resolve_latest=True)
    assert _parameter_notes(existing, values) + _resolution_note(request, existing, findings) == [
        "InstanceType: ml.m5.large -> ml.g5.xlarge",
        f"--resolve-latest deploys {v4}, the group's newest Approved version (the stack serves {V3})",
    ]


def test_a_bucket_key_or_repository_that_does_not_exist_is_a_problem_and_a_forbidden_bucket_is_unchecked(
    stubbed: StubbedAws,
) -> None:
    """HeadBucket: "If the bucket doesn't exist or you don't have permission to access it, the HEAD request returns
    a generic 400 Bad Request, 403 Forbidden, or 404 Not Found HTTP status code." (https://docs.aws.amazon.com/
    AmazonS3/latest/API/API_HeadBucket.html): only 404 says it does not exist; 403 may be another account's bucket.
    KMS DescribeKey's NotFoundException and ECR DescribeRepositories' RepositoryNotFoundException ("The specified
    repository could not be found.") are their own words for it."""
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/churn-image"
    stubbed["s3"].add_client_error("head_bucket", "404", "Not Found", 404, {"Bucket": "gone-bucket"})
    stubbed["kms"].add_client_error("describe_key", "NotFoundException", "no key", 400, {"KeyId": KEY})
    stubbed["ecr"].add_client_error("describe_repositories", "RepositoryNotFoundException", "no", 400,
                                    {"registryId": ACCOUNT, "repositoryNames": ["churn-image"]})  # fmt: skip
    values: dict[str, str | None] = {"ModelArtifactsBucketArn": "arn:aws:s3:::gone-bucket",
                                     "ModelArtifactsKmsKeyArn": KEY, "EcrRepoArn": repository}  # fmt: skip
    with pytest.raises(PreflightError) as refused:
        preflight(context(stubbed, io.StringIO()), values, [], ask=True)
    assert refused.value.problems == [
        "ModelArtifactsBucketArn='arn:aws:s3:::gone-bucket': no such S3 bucket",
        f"ModelArtifactsKmsKeyArn={KEY!r}: no such KMS key",
        f"EcrRepoArn={repository!r}: no such ECR repository",
    ]
    stubbed["s3"].add_client_error("head_bucket", "403", "Forbidden", 403, {"Bucket": "theirs"})
    err = io.StringIO()
    preflight(context(stubbed, err), {"ModelArtifactsBucketArn": "arn:aws:s3:::theirs"}, [], ask=True)
    stubbed.done()
    assert err.getvalue() == (
        "warning: could not check ModelArtifactsBucketArn arn:aws:s3:::theirs (403); going on without it\n"
    )


def test_the_registry_kits_group_is_not_asked_for_an_approved_version(stubbed: StubbedAws) -> None:
    """The registry kit (--template registry-access) shares a group, which may have no version yet: no
    ListModelPackages is queued, so one made fails the test."""
    registry = DeployContext(
        stubbed.aws(), load_template(name="registry-access"), Console(io.StringIO()), io.StringIO()
    )
    findings = preflight(registry, {"ModelPackageGroupName": "churn"}, [], ask=True)
    stubbed.done()
    assert (findings.problems, findings.unchecked) == ([], [])
