"""The registry kit's custom resource (templates/registry-access.yaml): shares one model package group read-only
with workload accounts through the group's resource policy, and never loses a statement that is not its own.

PutModelPackageGroupPolicy replaces the whole policy. So every request reads the policy, drops this stack's own
statements (known by their Sid prefix), adds them again for the accounts now listed, and writes the result; a
Delete drops this stack's statements only, and deletes the policy when nothing else is left in it.

The Put takes no revision id, so a writer between our read and our write is overwritten by us, or overwrites us.
AWS is silent on concurrent writers, so each write is read back (see `write_verified`): when our statements are not
what we wrote, another writer came between, and the whole read-merge-write is made again, a bounded number of times.
Another share stack on the group does the same, so the statements of either are put back by its own check.

The stack shares one group for its whole life: an Update that names another group is refused (the share's role may
edit that one group's policy only, so it could not unshare the old group; see `refuse_a_group_change`).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from crhelper import CfnResource

from custom_resource.contract import GroupShare

POLICY_VERSION = "2012-10-17"
MAX_ACCOUNTS = 25  # the registry kit's forwarding rules hold this many targets (5 rules of 5)
# PutModelPackageGroupPolicy's ResourcePolicy (botocore's PolicyString shape: "max":20480, "min":1), in characters:
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PutModelPackageGroupPolicy.html
MAX_POLICY_CHARACTERS = 20_480
# AWS is silent on concurrent writers of a group's policy (PutModelPackageGroupPolicy has no revision id and documents
# only ConflictException): the read-merge-write is read back, and made again at most this many times in all.
WRITE_ATTEMPTS = 3
ACCOUNT = re.compile(r"[0-9]{12}")
READ_PACKAGE_ACTIONS = ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
GROUP, ACCOUNTS = GroupShare.Property.MODEL_PACKAGE_GROUP_NAME, GroupShare.Property.WORKLOAD_ACCOUNT_IDS
SID_PREFIX = GroupShare.Property.STATEMENT_ID_PREFIX
logger = logging.getLogger(__name__)
helper = CfnResource(json_logging=False, log_level="INFO", boto_level="CRITICAL", sleep_on_delete=0)


class ShareError(Exception):
    """The share cannot be applied; the message is what a person reads in the stack events."""


@cache
def sagemaker_client() -> Any:
    return boto3.client("sagemaker", config=Config(retries={"mode": "standard", "total_max_attempts": 4}))


def share_statements(group_arn: str, accounts: list[str], sid_prefix: str) -> list[dict[str, Any]]:
    """Read the group and its packages, and create models from them: nothing more, for exactly these accounts."""
    partition = group_arn.split(":")[1]
    principal = {"AWS": [f"arn:{partition}:iam::{account}:root" for account in accounts]}
    packages = group_arn.replace(":model-package-group/", ":model-package/") + "/*"
    return [
        {"Sid": f"{sid_prefix}DescribeGroup", "Effect": "Allow", "Principal": principal,
         "Action": ["sagemaker:DescribeModelPackageGroup"], "Resource": group_arn},
        {"Sid": f"{sid_prefix}ReadPackages", "Effect": "Allow", "Principal": principal,
         "Action": READ_PACKAGE_ACTIONS, "Resource": packages},
    ]  # fmt: skip


def merged(policy: dict[str, Any] | None, ours: list[dict[str, Any]], sid_prefix: str) -> dict[str, Any] | None:
    """The policy with our statements replaced by `ours` (none: removed), everyone else's kept as they are;
    None when nothing is left."""
    statements = (policy or {}).get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    kept = [s for s in statements if not str(s.get("Sid", "")).startswith(sid_prefix)]
    if not kept and not ours:
        return None
    return {**(policy or {}), "Version": (policy or {}).get("Version", POLICY_VERSION), "Statement": kept + ours}


def workload_accounts(given: str | list[str], registry_account: str) -> list[str]:
    """The listed accounts (the property's list, or a comma-separated string), checked: every problem in one
    message."""
    accounts = [a.strip() for a in (given.split(",") if isinstance(given, str) else given) if a.strip()]
    problems = [f"'{a}' is not a 12-digit account ID" for a in accounts if not ACCOUNT.fullmatch(a)]
    if registry_account in accounts:
        problems.append(f"{registry_account} is the registry's own account, which needs no share")
    if len(set(accounts)) != len(accounts):
        problems.append("an account is listed twice")
    if not accounts:
        problems.append("no account is listed")
    if len(accounts) > MAX_ACCOUNTS:
        problems.append(f"{len(accounts)} accounts, more than the {MAX_ACCOUNTS} one stack serves: deploy a second "
                        "registry-access stack for the rest")  # fmt: skip
    if problems:
        raise ShareError("WorkloadAccountIds: " + "; ".join(problems) + ".")
    return accounts


def current_policy(sagemaker: Any, group: str) -> dict[str, Any] | None:
    """The group's policy, or None when it has none. A group without a policy answers ValidationException, as a
    missing group does: DescribeModelPackageGroup tells them apart."""
    try:
        return dict(json.loads(sagemaker.get_model_package_group_policy(ModelPackageGroupName=group)["ResourcePolicy"]))
    except ClientError as error:
        if error.response["Error"]["Code"] != "ValidationException":
            raise
    describe_group(sagemaker, group)
    return None


def describe_group(sagemaker: Any, group: str) -> dict[str, Any]:
    try:
        return dict(sagemaker.describe_model_package_group(ModelPackageGroupName=group))
    except ClientError as error:
        if error.response["Error"]["Code"] in ("ValidationException", "ResourceNotFound"):
            raise ShareError(
                f"Model package group '{group}' does not exist in this account and Region: fix ModelPackageGroupName "
                "or create the group first (the registry kit shares a group, it does not create one)."
            ) from error
        raise


def policy_text(policy: dict[str, Any], ours: list[dict[str, Any]]) -> str:
    """The policy as written: compact JSON (white space would count against the limit), refused when over it."""
    text = json.dumps(policy, separators=(",", ":"))
    if len(text) > MAX_POLICY_CHARACTERS:
        own = len(json.dumps(ours, separators=(",", ":")))
        raise ShareError(
            f"The group's policy would be {len(text)} characters, over the {MAX_POLICY_CHARACTERS} "
            f"PutModelPackageGroupPolicy accepts ({own} are this stack's statements): remove statements the group "
            "no longer needs from its policy, or list fewer WorkloadAccountIds here."
        )
    return text


def write(sagemaker: Any, group: str, policy: dict[str, Any] | None, ours: list[dict[str, Any]]) -> None:
    if policy is None:
        sagemaker.delete_model_package_group_policy(ModelPackageGroupName=group)
    else:
        sagemaker.put_model_package_group_policy(ModelPackageGroupName=group, ResourcePolicy=policy_text(policy, ours))


def own_statements(policy: dict[str, Any] | None, sid_prefix: str) -> list[dict[str, Any]]:
    statements = (policy or {}).get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    return [s for s in statements if str(s.get("Sid", "")).startswith(sid_prefix)]


def canonical(value: Any) -> Any:
    """A policy element in one spelling: AWS is silent on whether the policy read back is the text written, and
    IAM's grammar lets one value stand for a list of one."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        return items[0] if len(items) == 1 else sorted(items, key=json.dumps)
    return value


def holds_exactly(policy: dict[str, Any] | None, ours: list[dict[str, Any]], sid_prefix: str) -> bool:
    return bool(canonical(own_statements(policy, sid_prefix)) == canonical(ours))


def write_verified(
    sagemaker: Any, group: str, ours: list[dict[str, Any]], sid_prefix: str, policy: dict[str, Any] | None
) -> None:
    """Merge into `policy` (just read), write, then read back: our statements must be exactly `ours` (none on a
    Delete). When they are not, another writer came between our read and our write (or just after it): after a
    short random pause (so that two stacks do not meet again), everything is done again from a fresh read, so that
    their statements are kept. Fails after WRITE_ATTEMPTS, rather than answer SUCCESS for a share that is not in
    the policy."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        write(sagemaker, group, merged(policy, ours, sid_prefix), ours)
        if holds_exactly(current_policy(sagemaker, group), ours, sid_prefix):
            return
        logger.warning("Group %s: the policy changed under write %d of %d", group, attempt, WRITE_ATTEMPTS)
        if attempt < WRITE_ATTEMPTS:
            time.sleep(random.uniform(1, 3))
            policy = current_policy(sagemaker, group)
    raise ShareError(
        f"The policy of group '{group}' was changed by another writer during each of {WRITE_ATTEMPTS} writes: retry "
        "the stack operation once the other change (another registry-access stack, or a person) is done."
    )


def refuse_a_group_change(event: dict[str, Any]) -> bool:
    """An Update to another group is refused: the share's role may edit the policy of the stack's one group only
    (least privilege), so it could not remove our statements from the old group, which would stay shared. Returns
    True for the rollback of such a refused Update (properties back to the shared group): nothing was written, so
    nothing is to be done, and no call is made that the role, not yet rolled back, might not allow."""
    if event["RequestType"] != "Update":
        return False
    group = event["ResourceProperties"][GROUP]
    shared = str(event.get("PhysicalResourceId", "")).rsplit("/", 1)[-1]
    if group == shared:
        return bool(event.get("OldResourceProperties", {}).get(GROUP, group) != group)
    logger.error("ModelPackageGroupName changed from %s to %s: refused", shared, group)
    raise ShareError(  # at most 256 characters (crhelper truncates a longer Reason), with a 63-character name
        f"ModelPackageGroupName cannot change to '{group}': one registry-access stack shares one group. Deploy another "
        "for the new group, and delete this one when no workload needs the old group."
    )


@helper.create
@helper.update
def share(event: dict[str, Any], _context: object) -> str:
    """Put our statements for the listed accounts, on the stack's one group (another group on Update: refused)."""
    properties = event["ResourceProperties"]
    if refuse_a_group_change(event):
        logger.info("Rollback to %s: the refused change wrote nothing", event["PhysicalResourceId"])
        helper.Data.update({GroupShare.Data.MODEL_PACKAGE_GROUP_ARN: event["PhysicalResourceId"]})
        return str(event["PhysicalResourceId"])
    group, sid_prefix = properties[GROUP], properties[SID_PREFIX]
    sagemaker = sagemaker_client()
    group_arn = describe_group(sagemaker, group)["ModelPackageGroupArn"]
    accounts = workload_accounts(properties.get(ACCOUNTS, []), group_arn.split(":")[4])
    ours = share_statements(group_arn, accounts, sid_prefix)
    write_verified(sagemaker, group, ours, sid_prefix, current_policy(sagemaker, group))
    logger.info("%s shared with %s (statements %s*)", group_arn, ", ".join(accounts), sid_prefix)
    helper.Data.update({GroupShare.Data.MODEL_PACKAGE_GROUP_ARN: group_arn})
    return str(group_arn)


@helper.delete
def unshare(event: dict[str, Any], _context: object) -> None:
    """Remove our statements only. A group already gone, or an id that is not a group (a failed Create), leaves
    nothing to remove: the delete succeeds, so it never hangs on this resource."""
    group_arn = str(event.get("PhysicalResourceId", ""))
    sid_prefix = event["ResourceProperties"][SID_PREFIX]
    if ":model-package-group/" not in group_arn:
        logger.info("Delete %s: no share was made", group_arn)
        return
    group = group_arn.rsplit("/", 1)[1]
    sagemaker = sagemaker_client()
    try:
        policy = current_policy(sagemaker, group)
    except ShareError:
        logger.info("Delete: group %s is gone, and its policy with it", group_arn)
        return
    if own_statements(policy, sid_prefix):
        write_verified(sagemaker, group, [], sid_prefix, policy)
    logger.info("Delete: statements %s* removed from %s", sid_prefix, group_arn)


def lambda_handler(event: dict[str, Any], context: object) -> None:
    helper(event, context)
