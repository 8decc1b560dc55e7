"""`make acceptance-clean`: find everything the lane ever made in this account and Region, and remove it in an
order AWS accepts; idempotent (what is gone already counts as removed), and it says what it removed.

Found by name (every name starts with naming.PREFIX) and by tag (naming.TAG_KEY, which stacks pass on to their
resources: retained KMS keys, Models and EndpointConfigs kept on replacement, security groups); a SageMaker
project's stack is SageMaker's (SP-*), so what it keeps is found by the project's name in its sagemaker:project-name
tag. Removed in ORDER: the SageMaker project (its stack goes with it), the endpoint stacks, then the deployer
role's stack (the others' updates and deletes use its role); what a stack left behind (inference components before
the endpoints that host them, as SageMaker refuses to delete an endpoint that still hosts one; endpoints before
their configs and models; a group's versions before the group); buckets, emptied of every object version; roles and
policies; log groups; KMS keys, scheduled for deletion (7 days, the shortest wait); last the VPCs, whose subnets
SageMaker's network interfaces hold until its endpoints are gone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.acceptance.naming import DEPLOYER, PREFIX, TAG_KEY

PROJECT_TAG = "sagemaker:project-name"  # the project template tags what its stack makes with the project's name

ORDER = (
    "project", "stack", "deployer-stack", "inference-component", "endpoint", "endpoint-config", "model",
    "model-package", "model-package-group", "bucket", "role", "policy", "log-group", "kms-key", "security-group", "vpc",
)  # fmt: skip
# Log groups the lane's names lead to: SageMaker's for each endpoint (named after it), the stacks' own.
LOG_GROUP_PREFIXES = ("/aws/sagemaker/Endpoints/", "/sagemaker-endpoint/")
DEPLOYER_POLICY_PATH = "/sagemaker-endpoint-deployer/"  # deployer-role.yaml's managed policies
# Tagged ARNs the sweeper leaves to whoever owns them: stacks remove theirs, a VPC's teardown its pieces.
OWNED_ELSEWHERE = (
    "cloudformation:stack", "ec2:subnet", "ec2:route-table", "ec2:vpc-endpoint", "ec2:network-interface",
    "ec2:security-group-rule",
    "lambda:", "sqs:", "events:", "cloudwatch:", "application-autoscaling:", "logs:metric-filter",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    kind: str
    ident: str  # a name, an ID or an ARN: what the kind's delete call takes


def plan(items: Iterable[Item]) -> list[Item]:
    """Each item once, in ORDER, then by name (stable output)."""
    return sorted(set(items), key=lambda item: (ORDER.index(item.kind), item.ident))


def prefix_for(run_id: str | None) -> str:
    return f"{PREFIX}{run_id}-" if run_id else PREFIX


def stack_item(name: str) -> Item:
    return Item("deployer-stack" if name.endswith(f"-{DEPLOYER}") else "stack", name)


KNOWN = {  # (service, resource type in the ARN) -> kind
    ("sagemaker", "project"): "project",
    ("sagemaker", "inference-component"): "inference-component",
    ("sagemaker", "endpoint"): "endpoint",
    ("sagemaker", "endpoint-config"): "endpoint-config",
    ("sagemaker", "model"): "model",
    ("sagemaker", "model-package-group"): "model-package-group",
    ("kms", "key"): "kms-key",
    ("logs", "log-group"): "log-group",
    ("ec2", "vpc"): "vpc",
    ("ec2", "security-group"): "security-group",
    ("iam", "role"): "role",
    ("iam", "policy"): "policy",
}
BY_ARN = ("endpoint", "endpoint-config", "model")  # named by listing: SageMaker lower-cases names in its ARNs
ARN_RESOURCE = re.compile(r"^([^:/]+)[:/](.*)$")


def classify(arn: str) -> Item | None:
    """A tagged resource's ARN as the item the sweeper removes; None for what another step owns; `unknown` for a
    kind it cannot remove (reported, never guessed at)."""
    _, _, service, _, _, resource = arn.split(":", 5)
    if service == "s3":
        return Item("bucket", resource)
    match = ARN_RESOURCE.match(resource)
    kind, rest = (match.group(1), match.group(2)) if match else (resource, "")
    if f"{service}:{kind}".startswith(OWNED_ELSEWHERE):
        return None
    if (service, kind) not in KNOWN:
        return Item("unknown", arn)
    item_kind = KNOWN[(service, kind)]
    if item_kind in BY_ARN or item_kind == "policy":  # IAM deletes a managed policy by its ARN
        return Item(item_kind, arn)
    return Item(item_kind, rest.rsplit("/", 1)[-1] if service == "iam" else rest.removesuffix(":*"))


def inventory(clients: Callable[[str], Any], run_id: str | None = None) -> list[Item]:
    """Everything of the lane's (one run's, given its id) that is still there."""
    prefix = prefix_for(run_id)
    found = [*_stacks(clients("cloudformation"), prefix), *_tagged(clients("resourcegroupstaggingapi"), run_id)]
    found += _named(clients, prefix)
    sagemaker = clients("sagemaker")
    return with_versions(live_keys(exact_names(found, sagemaker), clients("kms")), sagemaker)


def _stacks(cloudformation: Any, prefix: str) -> Iterator[Item]:
    for page in cloudformation.get_paginator("list_stacks").paginate():
        for summary in page["StackSummaries"]:
            if summary["StackStatus"] != "DELETE_COMPLETE" and summary["StackName"].startswith(prefix):
                yield stack_item(summary["StackName"])


def _tagged(tagging: Any, run_id: str | None) -> Iterator[Item]:
    tag_filter = {"Key": TAG_KEY, **({"Values": [run_id]} if run_id else {})}
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=[tag_filter]):
        for resource in page["ResourceTagMappingList"]:
            if (item := classify(resource["ResourceARN"])) is not None:
                yield item
    prefix = prefix_for(run_id)
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=[{"Key": PROJECT_TAG}]):
        for resource in page["ResourceTagMappingList"]:
            names = [tag["Value"] for tag in resource["Tags"] if tag["Key"] == PROJECT_TAG]
            if names and names[0].startswith(prefix) and (item := classify(resource["ResourceARN"])) is not None:
                yield item


def _named(clients: Callable[[str], Any], prefix: str) -> Iterator[Item]:
    """What carries no tag (SageMaker's endpoint log groups, a group's versions) or may have lost it."""
    sagemaker = clients("sagemaker")
    for page in sagemaker.get_paginator("list_projects").paginate(NameContains=prefix):
        yield from (
            Item("project", p["ProjectName"]) for p in page["ProjectSummaryList"] if p["ProjectName"].startswith(prefix)
        )
    for page in sagemaker.get_paginator("list_endpoints").paginate(NameContains=prefix):
        yield from (
            Item("endpoint", e["EndpointName"]) for e in page["Endpoints"] if e["EndpointName"].startswith(prefix)
        )
    for page in sagemaker.get_paginator("list_model_package_groups").paginate(NameContains=prefix):
        for group in page["ModelPackageGroupSummaryList"]:
            if group["ModelPackageGroupName"].startswith(prefix):
                yield Item("model-package-group", group["ModelPackageGroupName"])
    buckets = clients("s3").list_buckets()["Buckets"]
    yield from (Item("bucket", b["Name"]) for b in buckets if b["Name"].startswith(prefix))
    logs = clients("logs")
    for start in LOG_GROUP_PREFIXES:
        for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=f"{start}{prefix}"):
            yield from (Item("log-group", group["logGroupName"]) for group in page["logGroups"])
    yield from _iam(clients("iam"), prefix)


def _iam(iam: Any, prefix: str) -> Iterator[Item]:
    """CloudFormation names a stack's roles and policies `<stack name>-<logical id>-<suffix>`."""
    for page in iam.get_paginator("list_roles").paginate():
        yield from (Item("role", r["RoleName"]) for r in page["Roles"] if r["RoleName"].startswith(prefix))
    for page in iam.get_paginator("list_policies").paginate(Scope="Local", PathPrefix=DEPLOYER_POLICY_PATH):
        yield from (Item("policy", p["Arn"]) for p in page["Policies"] if p["PolicyName"].startswith(prefix))


def with_versions(items: list[Item], sagemaker: Any) -> list[Item]:
    """A group's versions come before the group: SageMaker's API says nothing of deleting a group that has
    versions, so the safe side is to empty it first."""
    versions = [
        Item("model-package", package["ModelPackageArn"])
        for item in items
        if item.kind == "model-package-group"
        for page in sagemaker.get_paginator("list_model_packages").paginate(ModelPackageGroupName=item.ident)
        for package in page["ModelPackageSummaryList"]
    ]
    return plan([*items, *versions])


def exact_names(items: list[Item], sagemaker: Any) -> list[Item]:
    """Endpoints, configs and models found by ARN, named as SageMaker lists them; one no longer listed is gone."""
    wanted = {item.ident.lower(): item.kind for item in items if item.kind in BY_ARN and item.ident.startswith("arn:")}
    named = [item for item in items if not (item.kind in BY_ARN and item.ident.startswith("arn:"))]
    listings = {"endpoint": ("list_endpoints", "Endpoints"), "endpoint-config": ("list_endpoint_configs",
                "EndpointConfigs"), "model": ("list_models", "Models")}  # fmt: skip
    for kind, (operation, key) in listings.items():
        if kind not in wanted.values():
            continue
        field = "".join(word.capitalize() for word in kind.split("-"))  # EndpointConfig -> EndpointConfigArn
        for page in sagemaker.get_paginator(operation).paginate():
            named += [Item(kind, listed[f"{field}Name"]) for listed in page[key]
                      if wanted.get(str(listed[f"{field}Arn"]).lower()) == kind]  # fmt: skip
    return named


def live_keys(items: list[Item], kms: Any) -> list[Item]:
    """KMS keys keep their tags while pending deletion: those are done, not left."""
    return [item for item in items if item.kind != "kms-key" or _key_state(kms, item.ident) not in PENDING]


PENDING = ("PendingDeletion", "PendingReplicaDeletion", "gone")


def _key_state(kms: Any, key_id: str) -> str:
    try:
        return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])
    except kms.exceptions.NotFoundException:
        return "gone"
