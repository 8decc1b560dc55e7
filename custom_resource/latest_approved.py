"""Find the newest Approved model package of a SageMaker model package group.

Pure logic: the SageMaker client comes in as an argument, so tests check the exact requests against the
real API model (botocore Stubber, moto). Every failure is a `ResolutionError` whose message is the
CloudFormation Reason a person reads: it names the group and says what to do. crhelper keeps only the
last 240 characters of a longer Reason, so messages stay under that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from custom_resource.contract import Resolver

if TYPE_CHECKING:  # the stubs are a development dependency, not shipped in the Lambda zip
    from mypy_boto3_sagemaker import SageMakerClient

MISSING_GROUP_CODES = frozenset({"ValidationException", "ResourceNotFound"})
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
THROTTLING_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException"})
PACKAGE_TYPE: Final = "Versioned"  # the ModelPackageType enum's spelling in the API model ("VERSIONED" in its prose)
NOTHING_APPROVED_FIX = (
    "approve a version (aws sagemaker update-model-package --model-approval-status Approved) and deploy again."
)


class ResolutionError(Exception):
    """Resolution failed; the message is written for the person reading the stack events."""


class NothingApproved(ResolutionError):
    """The group exists and has no Approved package (none yet, or every one rejected)."""


@dataclass(frozen=True)
class ApprovedPackage:
    """The package a deploy will use, with what the custom resource returns to CloudFormation."""

    arn: str
    group_name: str
    version: int | None
    created: datetime

    def response_data(self) -> dict[str, str]:
        return response_data(
            self.arn, self.group_name, "" if self.version is None else str(self.version), self.created.isoformat()
        )


def response_data(arn: str, group_name: str, version: str, created: str) -> dict[str, str]:
    """Fn::GetAtt attributes of the custom resource (CloudFormation caps Data at 4096 bytes)."""
    return {
        Resolver.Data.MODEL_PACKAGE_ARN: arn,
        Resolver.Data.MODEL_PACKAGE_GROUP_NAME: group_name,
        Resolver.Data.MODEL_PACKAGE_VERSION: version,
        Resolver.Data.CREATION_TIME: created,
    }


def group_name_of(group: str) -> str:
    """The name part of a group given by name or by ARN (arn:...:model-package-group/<name>)."""
    return group.rsplit("/", 1)[-1]


def where(group: str) -> str:
    """Where a group given by name or ARN lives, for a message."""
    if not group.startswith("arn:"):
        return "in this account and Region"
    fields = group.split(":")
    return f"in account {fields[4]}, Region {fields[3]}"


def check_region(group: str, region: str) -> None:
    """Model packages are regional: a group ARN of another Region can never serve this stack."""
    fields = group.split(":")
    if group.startswith("arn:") and len(fields) > 3 and fields[3] != region:
        raise ResolutionError(
            f"ModelPackageGroupName is a group of Region {fields[3]}, but this stack is in {region}: model packages "
            f"are regional. Give a group of {region} (copy the package there) or deploy the stack in {fields[3]}."
        )


def latest_approved_package(sagemaker: SageMakerClient, group_name: str) -> ApprovedPackage:
    """Return the group's most recently created Approved package, or raise `ResolutionError`. `group_name` is a
    name (this account) or an ARN (a registry's group, which may be another account's: ListModelPackages takes it).

    Newest first and one item: one call whatever the group's size. The API's default order is
    Ascending, so item 0 of an unsorted list is the OLDEST approved package. The API's default type is
    UNVERSIONED while a group holds versions: ask for the versions, which is right under either reading.
    """
    try:
        response = sagemaker.list_model_packages(
            ModelPackageGroupName=group_name,
            ModelPackageType=PACKAGE_TYPE,
            ModelApprovalStatus="Approved",
            SortBy="CreationTime",
            SortOrder="Descending",
            MaxResults=1,
        )
    except ClientError as error:
        raise ResolutionError(_api_failure(group_name, error)) from error
    summaries = response["ModelPackageSummaryList"]
    if not summaries:
        raise _nothing_approved_error(sagemaker, group_name)
    newest = summaries[0]
    return ApprovedPackage(
        arn=newest["ModelPackageArn"],
        group_name=group_name_of(group_name),
        version=newest.get("ModelPackageVersion"),
        created=newest["CreationTime"],
    )


def _nothing_approved_error(sagemaker: SageMakerClient, group_name: str) -> ResolutionError:
    """A group with nothing approved (NothingApproved, which an Update may outlast), or a missing or unreadable
    group (a plain ResolutionError, which always fails); only a failed resolution pays this call."""
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group_name)
    except ClientError as error:
        if _code(error) in MISSING_GROUP_CODES:
            return ResolutionError(
                f"Model package group '{group_name_of(group_name)}' does not exist {where(group_name)}: "
                "fix ModelPackageGroupName (names are case-sensitive) or register the group first."
            )
        return ResolutionError(_api_failure(group_name, error))
    return NothingApproved(f"Model package group '{group_name}' has no Approved model package: {NOTHING_APPROVED_FIX}")


def _api_failure(group_name: str, error: ClientError) -> str:
    code = _code(error)
    if code in ACCESS_DENIED_CODES:
        if group_name.startswith("arn:"):
            return (
                f"Access denied reading model package group '{group_name_of(group_name)}' {where(group_name)} "
                f"({code}): its group policy must allow this account (templates/registry-access.yaml)."
            )
        return (
            f"Access denied reading model package group '{group_name}' ({code}): allow the resolver "
            "role sagemaker:ListModelPackages on the group, and check SCPs and the group's resource policy."
        )
    if code in THROTTLING_CODES:
        attempts = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
        return (
            f"SageMaker throttled reading model package group '{group_name}' ({code}, {attempts} attempts with "
            "backoff): deploy again in a few minutes, or raise the account's SageMaker API request quota."
            if attempts > 1
            else f"SageMaker throttled reading model package group '{group_name}' ({code}): deploy again in a few "
            "minutes, or raise the account's SageMaker API request quota."
        )
    if code in MISSING_GROUP_CODES:
        return (
            f"Model package group '{group_name_of(group_name)}' was rejected by SageMaker ({code}): check that "
            f"ModelPackageGroupName names an existing group {where(group_name)}."
        )
    return (
        f"SageMaker failed while reading model package group '{group_name}' ({code}): "
        "deploy again; if it persists, check the resolver's log group."
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))
