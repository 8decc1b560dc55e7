"""CloudFormation glue for the package resolver (crhelper).

Create and Update answer with the group's latest Approved package: its ARN is the physical id, so a
newer package gives a new id and CloudFormation later sends Delete for the old one. An Update that finds
nothing approved keeps the package in use, so a rollback always completes. Delete has nothing
to remove and always succeeds, also for the id crhelper generates after a failed Create, so a
rollback or a stack delete never waits on this resource.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from crhelper import FAILED, CfnResource

from custom_resource.contract import Resolver
from custom_resource.latest_approved import (
    NothingApproved,
    ResolutionError,
    check_region,
    group_name_of,
    latest_approved_package,
    response_data,
)

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

logger = logging.getLogger(__name__)

TIMEOUT_REASON = (
    "The package resolver ran out of time reaching the SageMaker API: see its log group for the calls it made, "
    "check that the Lambda reaches SageMaker (throttling, network), then deploy again."
)


class ResolverResource(CfnResource):
    """crhelper, with a timeout Reason a person can act on: crhelper's own says only "Execution timed out"."""

    def _timeout(self) -> None:
        logger.error("About to time out: answering FAILED")
        self._send(FAILED, TIMEOUT_REASON)  # type: ignore[attr-defined]  # crhelper's stub omits its internals


# sleep_on_delete=0: crhelper otherwise sleeps two minutes on every Delete to let logs flush.
helper = ResolverResource(json_logging=False, log_level="INFO", boto_level="CRITICAL", sleep_on_delete=0)

# Standard mode retries throttling with exponential backoff. 4 attempts of at most 3 + 8 s plus the backoffs
# stay inside the function's 60 s timeout; crhelper's timer answers FAILED half a second before it anyway.
MAX_ATTEMPTS = 4
SAGEMAKER_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}, connect_timeout=3, read_timeout=8
)

GROUP_PROPERTY = Resolver.Property.MODEL_PACKAGE_GROUP_NAME


@cache
def sagemaker_client() -> SageMakerClient:
    """Created on the first request rather than at import, and then reused while the Lambda stays warm."""
    return boto3.client("sagemaker", config=SAGEMAKER_CONFIG)


@helper.create
@helper.update
def resolve(event: dict[str, Any], _context: object) -> str:
    """Answer with the latest Approved package; its ARN becomes the physical id."""
    group_name = event.get("ResourceProperties", {}).get(GROUP_PROPERTY, "")
    if not isinstance(group_name, str) or not group_name:
        raise ResolutionError(
            f"The custom resource has no {GROUP_PROPERTY} property: set the template's "
            f"{GROUP_PROPERTY} parameter (the template passes it to this resource)."
        )
    check_region(group_name, os.environ.get("AWS_REGION", ""))
    try:
        package = latest_approved_package(sagemaker_client(), group_name)
    except NothingApproved as nothing:
        kept = _package_in_use(event, group_name)
        if kept is None:
            raise
        # An update (a rollback among them) with nothing approved keeps the package in use: failing here would
        # leave a rollback stuck in UPDATE_ROLLBACK_FAILED, and a registry change never takes an endpoint away.
        logger.warning("%s Keeping %s, which the endpoint serves.", nothing, kept)
        helper.Data.update(response_data(kept, group_name_of(group_name), kept.rsplit("/", 1)[1], created=""))
        return kept
    logger.info(
        "%s %s: latest Approved package of %s is %s (version %s, created %s)",
        event["RequestType"],
        event["LogicalResourceId"],
        group_name,
        package.arn,
        package.version,
        package.created.isoformat(),
    )
    helper.Data.update(package.response_data())
    return package.arn


def _package_in_use(event: dict[str, Any], group_name: str) -> str | None:
    """On an Update, the package the resource resolved before, if it belongs to this group."""
    physical_id = str(event.get("PhysicalResourceId", ""))
    in_group = re.fullmatch(
        rf"arn:[^:]+:sagemaker:[^:]+:[0-9]{{12}}:model-package/{re.escape(group_name_of(group_name))}/[0-9]+",
        physical_id,
    )
    return physical_id if event["RequestType"] == "Update" and in_group else None


@helper.delete
def delete(event: dict[str, Any], _context: object) -> None:
    """Nothing to delete: resolving creates nothing. Succeeds for any physical id."""
    logger.info("Delete %s (%s): nothing to remove", event["LogicalResourceId"], event.get("PhysicalResourceId"))


def lambda_handler(event: dict[str, Any], context: object) -> None:
    """The Lambda entry point: crhelper runs the function for the request type and answers CloudFormation."""
    helper(event, context)
