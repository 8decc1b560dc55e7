"""The live preflight: read-only calls, after the offline checks and before the first call that creates or deletes
anything, that ask the account what only it can answer. Every problem is found before any is told (exit 2); a check
AWS will not let the caller make (access denied, another account's resource, throttling) is said in one line and
skipped; a package waiting for approval is a warning, asked about on a terminal.

What each check relies on (AWS's words):
- DescribeModelPackage returns ModelApprovalStatus, one of Approved, Rejected, PendingManualApproval (the API model's
  ModelApprovalStatus enum, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribeModelPackage.html);
  a package "is regional" as its ARN says (arn:<partition>:sagemaker:<region>:...); SageMaker answers a name it does
  not know with ValidationException (as custom_resource.latest_approved reads it).
- ListModelPackages "returns only model versions that belong to the specified model group" and filters by
  ModelApprovalStatus (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackages.html).
- DescribeSubnets returns each subnet's VpcId and AvailabilityZone ("The Availability Zone of the subnet.",
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html); an unknown id is InvalidSubnetID.NotFound,
  an unknown VPC InvalidVpcID.NotFound ("The specified subnet does not exist." / "The specified VPC does not exist.",
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
- SageMaker's hosting guide: "You must create at least two subnets in different availability zones in your private
  VPC, even if you have only one hosting instance." (https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html).
  It speaks of the VPC, not of the subnets given to CreateModel (whose VpcConfig.Subnets takes one to 16): subnets
  all in one zone are a warning, not a refusal.
- GetRole: "The request was rejected because it referenced a resource entity that does not exist." (NoSuchEntity,
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html); Role.AssumeRolePolicyDocument is "The policy
  that grants an entity permission to assume the role.": the execution role must name sagemaker.amazonaws.com, a
  CloudFormation role cloudformation.amazonaws.com.
- HeadBucket: "If the bucket doesn't exist or you don't have permission to access it, the HEAD request returns a
  generic 400 Bad Request, 403 Forbidden, or 404 Not Found HTTP status code." (https://docs.aws.amazon.com/AmazonS3/
  latest/API/API_HeadBucket.html): only 404 is "does not exist"; KMS DescribeKey's NotFoundException and ECR
  DescribeRepositories' RepositoryNotFoundException are theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from generator.deploy.context import DeployContext
from generator.deploy.engine import Values, confirm
from generator.deploy.errors import Declined
from generator.deploy.inputs import InputError
from generator.deploy.steps import CREDENTIAL_CODES, not_configured

PACKAGE, GROUP, VPC, SUBNETS = "ModelPackageArn", "ModelPackageGroupName", "VpcId", "SubnetIds"
EXECUTION_ROLE, DEPLOYMENT_ROLE = "ModelExecutionRoleArn", "DeploymentRoleArn"
BUCKET, KEY, REPOSITORY = "ModelArtifactsBucketArn", "ModelArtifactsKmsKeyArn", "EcrRepoArn"
SAGEMAKER_SERVICE, CLOUDFORMATION_SERVICE = "sagemaker.amazonaws.com", "cloudformation.amazonaws.com"
MISSING_PACKAGE = frozenset({"ValidationException", "ResourceNotFound"})


class PreflightError(InputError):
    """Bad input only the account could show: every problem, found before anything was created or deleted."""

    summary = "problem(s) found in the account; nothing was created or deleted."


class Unchecked(Exception):
    """A check AWS did not answer; said in one line, and the preflight goes on."""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)  # refused: exit 2, nothing created or deleted
    warnings: list[str] = field(default_factory=list)  # said, and the deploy goes on
    questions: list[str] = field(default_factory=list)  # said, and asked about on a terminal
    unchecked: list[str] = field(default_factory=list)  # checks AWS did not let us make
    latest_approved: str | None = None  # the group's newest Approved package: what --resolve-latest would deploy


def read(what: str, call: Callable[[], Any], missing: Collection[str]) -> Any:
    """A read-only call's answer; None when AWS says the resource does not exist (an error code of `missing`).
    Any other refusal is Unchecked, but credentials AWS refuses are the command's to report (exit 7)."""
    try:
        return call()
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in missing:
            return None
        if code in CREDENTIAL_CODES:
            raise not_configured(error) from None
        raise Unchecked(f"could not check {what} ({code or 'no answer'}); going on without it") from None
    except BotoCoreError as error:
        raise Unchecked(f"could not check {what} ({error}); going on without it") from None


def preflight(context: DeployContext, values: Values, service_roles: Collection[str], *, ask: bool) -> Findings:
    """Run every check and tell what it found: problems raise PreflightError (exit 2, nothing created or deleted),
    a package waiting for approval is asked about on a terminal when `ask` (declined: exit 6)."""
    findings = run_preflight(context, values, service_roles)
    for line in findings.unchecked + findings.warnings + findings.questions:
        context.console.warning(line)
    if findings.problems:
        raise PreflightError(findings.problems)
    if findings.questions and ask and not confirm(context.console, "Deploy it anyway?", yes=False):
        raise Declined("Nothing was changed.")
    return findings


def run_preflight(context: DeployContext, values: Values, service_roles: Collection[str] = ()) -> Findings:
    """Every check whose input is set; `service_roles` are CloudFormation roles given on the command line."""
    findings = Findings()
    # the registry kit names its own group to share, which needs no Approved version yet: the endpoint's only
    group = (values.get(GROUP) or "") if PACKAGE in context.template.parameters else ""
    checks: list[Callable[[], None]] = [
        lambda: package_check(context, values.get(PACKAGE) or "", findings),
        lambda: group_check(context, group, findings),
        lambda: network_check(context, values.get(VPC) or "", values.get(SUBNETS) or "", findings),
        lambda: role_check(context, EXECUTION_ROLE, values.get(EXECUTION_ROLE) or "", SAGEMAKER_SERVICE, findings),
        lambda: role_check(
            context, DEPLOYMENT_ROLE, values.get(DEPLOYMENT_ROLE) or "", CLOUDFORMATION_SERVICE, findings
        ),
        lambda: bucket_check(context, values.get(BUCKET) or "", findings),
        lambda: key_check(context, values.get(KEY) or "", findings),
        lambda: repository_check(context, values.get(REPOSITORY) or "", findings),
    ]
    checks += [partial(role_check, context, "--role-arn", role, CLOUDFORMATION_SERVICE, findings)
               for role in service_roles]  # fmt: skip
    for check in checks:
        try:
            check()
        except Unchecked as unchecked:
            findings.unchecked.append(str(unchecked))
    return findings


def package_check(context: DeployContext, arn: str, findings: Findings) -> None:
    """The package exists and is not Rejected; waiting for approval is asked about."""
    if not arn or arn.split(":")[3] != context.aws.region_name:
        return  # another Region is the offline checks' to refuse
    sagemaker = context.aws.client("sagemaker")
    described = read(f"{PACKAGE} {arn}", lambda: sagemaker.describe_model_package(ModelPackageName=arn),
                     MISSING_PACKAGE)  # fmt: skip
    if described is None:
        findings.problems.append(f"{PACKAGE}={arn!r}: no such model package in {context.aws.region_name}")
        return
    status = described.get("ModelApprovalStatus", "")
    if status == "Rejected":
        findings.problems.append(
            f"{PACKAGE}={arn!r}: the package is Rejected; approve it (aws sagemaker update-model-package "
            "--model-approval-status Approved) or give an Approved one"
        )
    elif status == "PendingManualApproval":
        findings.questions.append(f"{PACKAGE}={arn!r}: the package is PendingManualApproval, not Approved yet")


def group_check(context: DeployContext, group: str, findings: Findings) -> None:
    """The group has an Approved package (what the resolver will deploy); the newest is named."""
    if not group or (group.startswith("arn:") and group.split(":")[3] != context.aws.region_name):
        return
    sagemaker = context.aws.client("sagemaker")
    listed = read(
        f"{GROUP} {group}",
        lambda: sagemaker.list_model_packages(
            ModelPackageGroupName=group,
            ModelApprovalStatus="Approved",
            SortBy="CreationTime",
            SortOrder="Descending",
            MaxResults=1,
        ),
        MISSING_PACKAGE,
    )
    approved = (listed or {}).get("ModelPackageSummaryList", [])
    if approved:
        findings.latest_approved = str(approved[0]["ModelPackageArn"])
    else:
        findings.problems.append(
            f"{GROUP}={group!r}: no Approved model package in the group (or no such group): approve a version "
            "(aws sagemaker update-model-package --model-approval-status Approved)"
        )


def network_check(context: DeployContext, vpc: str, subnets: str, findings: Findings) -> None:
    """The VPC exists; the subnets exist, are the VPC's, and span two Availability Zones."""
    ec2 = context.aws.client("ec2")
    if vpc and read(f"{VPC} {vpc}", lambda: ec2.describe_vpcs(VpcIds=[vpc]), {"InvalidVpcID.NotFound"}) is None:
        findings.problems.append(f"{VPC}={vpc!r}: no such VPC in {context.aws.region_name}")
        vpc = ""
    ids = [subnet.strip() for subnet in subnets.split(",") if subnet.strip()]
    if not ids:
        return
    answer = read(f"{SUBNETS} {subnets}", lambda: ec2.describe_subnets(SubnetIds=ids), {"InvalidSubnetID.NotFound"})
    if answer is None:
        findings.problems.append(
            f"{SUBNETS}={subnets!r}: a subnet does not exist in {context.aws.region_name} (EC2 names none of "
            f"them: aws ec2 describe-subnets --subnet-ids {' '.join(ids)})"
        )
        return
    found = answer.get("Subnets", [])
    elsewhere = [s["SubnetId"] for s in found if vpc and s.get("VpcId") != vpc]
    if elsewhere:
        findings.problems.append(f"{SUBNETS}: {', '.join(elsewhere)} not in {VPC} {vpc}: give subnets of {vpc}")
    zones = sorted({s.get("AvailabilityZone", "") for s in found})
    if len(zones) == 1:
        findings.warnings.append(
            f"{SUBNETS}: every subnet is in {zones[0]}; SageMaker's guide advises subnets in at least two "
            "Availability Zones, so that the endpoint survives a zone's outage"
        )


def role_check(context: DeployContext, name: str, arn: str, service: str, findings: Findings) -> None:
    """The role exists and its trust policy lets `service` assume it."""
    if not arn:
        return
    account, _ = context.aws.identity
    if arn.split(":")[4] != account:
        raise Unchecked(f"could not check {name} {arn} (a role of another account); going on without it")
    role_name = arn.rsplit("/", 1)[-1]
    iam = context.aws.client("iam")
    role = read(f"{name} {arn}", lambda: iam.get_role(RoleName=role_name), {"NoSuchEntity"})
    if role is None:
        findings.problems.append(f"{name}={arn!r}: no such IAM role in account {account}")
    elif not trusts(role["Role"].get("AssumeRolePolicyDocument") or {}, service):
        findings.problems.append(
            f"{name}={arn!r}: the role's trust policy does not let {service} assume it: add it as a Principal "
            "Service with sts:AssumeRole"
        )


def trusts(document: dict[str, Any] | str, service: str) -> bool:
    """Whether an Allow statement names `service` as a principal (boto3 decodes the document into a dict; the API
    returns it URL-encoded, which is decoded here too)."""
    policy = json.loads(unquote(document)) if isinstance(document, str) else document
    statements = policy.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        services = statement.get("Principal", {}).get("Service", []) if statement.get("Effect") == "Allow" else []
        if service in ([services] if isinstance(services, str) else services):
            return True
    return False


def bucket_check(context: DeployContext, arn: str, findings: Findings) -> None:
    if not arn:
        return
    bucket = arn.split(":::", 1)[-1]
    s3 = context.aws.client("s3")
    if read(f"{BUCKET} {arn}", lambda: s3.head_bucket(Bucket=bucket), {"404", "NoSuchBucket"}) is None:
        findings.problems.append(f"{BUCKET}={arn!r}: no such S3 bucket")


def key_check(context: DeployContext, arn: str, findings: Findings) -> None:
    if not arn:
        return
    if arn.split(":")[3] != context.aws.region_name:
        raise Unchecked(f"could not check {KEY} {arn} (a key of another Region); going on without it")
    kms = context.aws.client("kms")
    if read(f"{KEY} {arn}", lambda: kms.describe_key(KeyId=arn), {"NotFoundException"}) is None:
        findings.problems.append(f"{KEY}={arn!r}: no such KMS key")


def repository_check(context: DeployContext, arn: str, findings: Findings) -> None:
    if not arn:
        return
    fields = arn.split(":")
    registry, name = fields[4], fields[5].split("/", 1)[-1]
    if fields[3] != context.aws.region_name:
        raise Unchecked(f"could not check {REPOSITORY} {arn} (a repository of another Region); going on without it")
    ecr = context.aws.client("ecr")
    described = read(
        f"{REPOSITORY} {arn}",
        lambda: ecr.describe_repositories(registryId=registry, repositoryNames=[name]),
        {"RepositoryNotFoundException"},
    )
    if described is None:
        findings.problems.append(f"{REPOSITORY}={arn!r}: no such ECR repository")
