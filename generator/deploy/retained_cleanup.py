"""The Models and EndpointConfigs an endpoint stack keeps when CloudFormation replaces them, removed by the deploy
client only once nothing may serve them.

SageMaker can roll an endpoint back to its previous EndpointConfig by itself while CloudFormation reports the update
complete; had CloudFormation deleted that config and its model, the endpoint would run on resources that no longer
exist. So the template retains them (UpdateReplacePolicy Retain) and tags each with the stack's id
(custom_resource.contract.STACK_TAG). `deploy` and `promote` remove what is not served once the endpoint is verified
to serve the stack's own config; `destroy` removes them all once the stack, and its endpoint, are gone.

A failure here (a role without tag:GetResources, say) is a warning, not a failed deploy: a retained config or model
costs nothing while no endpoint uses it, and the next deploy tries again.
"""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from custom_resource import retained
from custom_resource.contract import STACK_TAG
from generator.deploy.context import DeployContext

TAGGING = "resourcegroupstaggingapi"


def remove_unserved(context: DeployContext, stack_id: str, since: datetime, endpoint: str, served: str) -> None:
    """The stack's retained configs and models that neither the endpoint (served or pending) nor the stack uses.
    `served` is the config's exact name as DescribeEndpoint gives it, which is also the stack's own."""
    sagemaker, tagging = context.aws.client("sagemaker"), context.aws.client(TAGGING)
    try:
        removed = retained.remove_unserved(
            sagemaker, tagging, stack_id=stack_id, since=since, endpoint_name=endpoint, stack_config=served
        )
    except ClientError as error:
        _not_removed(context, error)
        return
    _say(context, removed, "no longer served by the endpoint")


def remove_all(context: DeployContext, stack_id: str, since: datetime) -> None:
    """After the stack and its endpoint are deleted: every config and model the stack retained."""
    sagemaker, tagging = context.aws.client("sagemaker"), context.aws.client(TAGGING)
    try:
        removed = retained.remove_all(sagemaker, tagging, stack_id=stack_id, since=since)
    except ClientError as error:
        _not_removed(context, error)
        return
    _say(context, removed, "its endpoint deleted")


def _say(context: DeployContext, removed: retained.Removed, why: str) -> None:
    if not removed:
        return
    parts = [
        f"{what} {', '.join(names)}"
        for what, names in (("endpoint config(s)", removed.configs), ("model(s)", removed.models))
        if names
    ]
    context.console.line(f"Removed what earlier deploys kept, {why}: {'; '.join(parts)}.")


def _not_removed(context: DeployContext, error: ClientError) -> None:
    context.console.warning(
        f"could not remove the endpoint configs and models earlier deploys kept ({error}): unused, they cost "
        "nothing; the next deploy tries again, or remove those tagged "
        f"{STACK_TAG} with this stack's id yourself"
    )
