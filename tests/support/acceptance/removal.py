"""How the sweeper removes each kind of item (sweeper.ORDER), and the sweep itself.

Every remover treats "not found" as done, so a second sweep, or one after a half-finished one, removes what is left
and reports the rest as gone. A removal that fails is reported and the sweep goes on: one stuck resource must not
keep the others (and their cost) alive.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from tests.support.acceptance.sweeper import Item, inventory

KEY_PENDING_WINDOW_DAYS = 7  # ScheduleKeyDeletion: "you can specify a waiting period of 7-30 days"
GONE = {
    "NoSuchBucket", "NoSuchEntity", "NotFoundException", "ResourceNotFoundException", "InvalidVpcID.NotFound",
    "InvalidGroup.NotFound", "InvalidSubnetID.NotFound", "InvalidVpcEndpointId.NotFound",
    "InvalidRouteTableID.NotFound",
}  # fmt: skip
MISSING = re.compile(r"could not find|does not exist|not found", re.IGNORECASE)  # SageMaker's ValidationException
BUSY = {"DependencyViolation"}  # EC2: a network interface SageMaker has not released yet
Clients = Callable[[str], Any]


@dataclass
class Swept:
    removed: int = 0
    gone: int = 0  # found (a tag outlives its resource for a while), but removed already
    failed: int = 0
    left: int = 0  # a kind the sweeper does not remove

    @property
    def clean(self) -> bool:
        return not (self.failed or self.left)


def sweep(clients: Clients, say: Callable[[str], None], run_id: str | None = None) -> Swept:
    """Remove everything found, saying what happened to each."""
    swept = Swept()
    items = inventory(clients, run_id)
    if not items:
        say("Nothing to remove.")
        return swept
    for item in items:
        status, detail = remove(clients, item)
        setattr(swept, status, getattr(swept, status) + 1)
        say(f"{STATUS_WORDS[status]}{detail}: {item.kind} {item.ident}")
    say(f"Removed {swept.removed}, gone already {swept.gone}, failed {swept.failed}, left {swept.left}."
        + ("" if swept.clean else " Run make acceptance-clean again later, or remove those by hand."))  # fmt: skip
    return swept


STATUS_WORDS = {"removed": "removed", "gone": "gone already", "failed": "FAILED", "left": "LEFT"}


def remove(clients: Clients, item: Item) -> tuple[str, str]:
    """(a field of Swept, what to add to its word)."""
    remover = REMOVERS.get(item.kind)
    if remover is None:
        return "left", " (the sweeper does not remove this kind: remove it by hand)"
    try:
        remover(clients, item.ident)
    except ClientError as error:
        code = error.response["Error"].get("Code", "")
        message = error.response["Error"].get("Message", "")
        if code in GONE or (code in ("ValidationException", "ValidationError") and MISSING.search(message)):
            return "gone", ""
        return "failed", f" ({code}: {message})"
    except WaiterError as error:
        return "failed", f" (still there after waiting: {error})"
    return "removed", ""


def _stack(clients: Clients, name: str) -> None:
    cloudformation = clients("cloudformation")
    cloudformation.delete_stack(StackName=name)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 160}
    )


PROJECT_DELETE_POLLS = 160  # every 15 s: as long as a stack's deletion is waited for


def _project(clients: Clients, name: str, *, delay: float = 15) -> None:
    """DeleteProject deletes the project's stack ("project deletion removes all associated CloudFormation
    resources", AWS ML blog on S3-based project templates): done once DescribeProject no longer finds it (a
    ValidationException naming it missing, which `remove` counts as gone when it comes first) or says
    DeleteCompleted; DeleteFailed is a failure."""
    sagemaker = clients("sagemaker")
    sagemaker.delete_project(ProjectName=name)
    status = "DeleteInProgress"
    for _ in range(PROJECT_DELETE_POLLS):
        try:
            status = sagemaker.describe_project(ProjectName=name)["ProjectStatus"]
        except ClientError as error:
            if MISSING.search(error.response["Error"].get("Message", "")):
                return
            raise
        if status == "DeleteCompleted":
            return
        if status == "DeleteFailed":
            raise WaiterError("project_deleted", f"ProjectStatus {status}", {})
        time.sleep(delay)
    raise WaiterError("project_deleted", f"ProjectStatus {status}", {})


def _endpoint(clients: Clients, name: str) -> None:
    sagemaker = clients("sagemaker")
    sagemaker.delete_endpoint(EndpointName=name)
    sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 80})


COMPONENT_WAIT_SECONDS, COMPONENT_TRIES = 15, 80  # botocore has no waiter for inference components


def _inference_component(clients: Clients, name: str, pause: Callable[[float], None] = time.sleep) -> None:
    """Deleted, then asked about until SageMaker no longer knows it (its endpoint cannot go before: "There are some
    underlying Models that are part of this endpoint", https://github.com/aws/amazon-sagemaker-feedback/issues/143)."""
    sagemaker = clients("sagemaker")
    sagemaker.delete_inference_component(InferenceComponentName=name)
    for _ in range(COMPONENT_TRIES):
        try:
            sagemaker.describe_inference_component(InferenceComponentName=name)
        except ClientError as error:
            if MISSING.search(error.response["Error"].get("Message", "")):
                return
            raise
        pause(COMPONENT_WAIT_SECONDS)
    raise WaiterError("InferenceComponentDeleted", f"{name} still there", {})


def _bucket(clients: Clients, name: str) -> None:
    """Every version and delete marker first: S3 deletes only an empty bucket."""
    s3 = clients("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if objects:
            s3.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def _role(clients: Clients, name: str) -> None:
    """IAM deletes a role only without policies or instance profiles."""
    iam = clients("iam")
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for policy in page["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy_name in page["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    for page in iam.get_paginator("list_instance_profiles_for_role").paginate(RoleName=name):
        for profile in page["InstanceProfiles"]:
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_role(RoleName=name)


def _policy(clients: Clients, arn: str) -> None:
    """IAM deletes a managed policy only once detached and without its other versions."""
    iam = clients("iam")
    for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn):
        for role in page["PolicyRoles"]:
            iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
        for user in page["PolicyUsers"]:
            iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
        for group in page["PolicyGroups"]:
            iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


def _kms_key(clients: Clients, key_id: str) -> None:
    """Scheduled for deletion after the shortest wait; a key already scheduled is left as it is."""
    kms = clients("kms")
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    if metadata["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
        return
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=KEY_PENDING_WINDOW_DAYS)


def _security_group(clients: Clients, group_id: str) -> None:
    _until_released(clients("ec2").delete_security_group, GroupId=group_id)


def _vpc(clients: Clients, vpc_id: str) -> None:
    """A VPC the lane made, piece by piece: its S3 gateway endpoint, security groups, subnets, route tables."""
    ec2 = clients("ec2")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    endpoints = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]
                 if e["State"].lower() not in ("deleted", "deleting")]  # fmt: skip
    if endpoints:
        ec2.delete_vpc_endpoints(VpcEndpointIds=endpoints)
    for group in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]:
        if group["GroupName"] != "default":
            _until_released(ec2.delete_security_group, GroupId=group["GroupId"])
    for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
        _until_released(ec2.delete_subnet, SubnetId=subnet["SubnetId"])
    for table in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]:
        if not any(association.get("Main") for association in table.get("Associations", [])):
            ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    _until_released(ec2.delete_vpc, VpcId=vpc_id)


RELEASE_WAIT_SECONDS, RELEASE_TRIES = 30, 30  # SageMaker may hold a network interface minutes after an endpoint


def _until_released(call: Callable[..., object], **arguments: str) -> None:
    """EC2 answers DependencyViolation while a network interface still uses the group or subnet: wait, retry."""
    for attempt in range(RELEASE_TRIES):
        try:
            call(**arguments)
            return
        except ClientError as error:
            if error.response["Error"].get("Code") not in BUSY or attempt == RELEASE_TRIES - 1:
                raise
            time.sleep(RELEASE_WAIT_SECONDS)


REMOVERS: dict[str, Callable[[Clients, str], None]] = {
    "project": _project,
    "stack": _stack,
    "deployer-stack": _stack,
    "inference-component": _inference_component,
    "endpoint": _endpoint,
    "endpoint-config": lambda c, name: c("sagemaker").delete_endpoint_config(EndpointConfigName=name),
    "model": lambda c, name: c("sagemaker").delete_model(ModelName=name),
    "model-package": lambda c, arn: c("sagemaker").delete_model_package(ModelPackageName=arn),
    "model-package-group": lambda c, name: c("sagemaker").delete_model_package_group(ModelPackageGroupName=name),
    "bucket": _bucket,
    "role": _role,
    "policy": _policy,
    "log-group": lambda c, name: c("logs").delete_log_group(logGroupName=name),
    "kms-key": _kms_key,
    "security-group": _security_group,
    "vpc": _vpc,
}
