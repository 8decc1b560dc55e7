"""The Models and EndpointConfigs an endpoint stack keeps when CloudFormation replaces them, and their removal once
the endpoint is known not to need them.

SageMaker can roll an endpoint update back by itself (its auto-rollback alarms, a failed health check): the endpoint
is InService again on its previous EndpointConfig, and AWS documents no CloudFormation behaviour for that case. If
CloudFormation then reports success, its cleanup would delete the previous config and model the endpoint still runs
on. So the template retains them (UpdateReplacePolicy Retain) and tags each with STACK_TAG; after the endpoint is
verified, the deploy client and the approval updater call `remove_unserved`, and `destroy` calls `remove_all`.

SageMaker writes names in lower case in its ARNs, and a lower-cased name does not always find a resource whose name
has capitals. So the stack's resources are found by tag (ARNs), and their exact names by listing them (names beside
the same ARNs), never by turning an ARN back into a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from custom_resource.contract import STACK_TAG

CONFIG_TYPE, MODEL_TYPE = "sagemaker:endpoint-config", "sagemaker:model"  # Resource Groups Tagging API types
NOT_FOUND = "ValidationException"  # SageMaker's answer for a name it does not know
LISTS = {  # how SageMaker lists each type: operation, the answer's key, the prefix of its Name and Arn fields
    CONFIG_TYPE: ("list_endpoint_configs", "EndpointConfigs", "EndpointConfig"),
    MODEL_TYPE: ("list_models", "Models", "Model"),
}


@dataclass(frozen=True)
class Retained:
    """The stack's Models and EndpointConfigs by exact name, each keyed by its lower-cased name."""

    configs: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Removed:
    configs: list[str]
    models: list[str]

    def __bool__(self) -> bool:
        return bool(self.configs or self.models)


def tagged_arns(tagging: Any, stack_id: str) -> dict[str, set[str]]:
    """The lower-cased ARNs of the stack's tagged Models and EndpointConfigs, by resource type."""
    found: dict[str, set[str]] = {CONFIG_TYPE: set(), MODEL_TYPE: set()}
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": STACK_TAG, "Values": [stack_id]}], ResourceTypeFilters=[CONFIG_TYPE, MODEL_TYPE]
    )
    for page in pages:
        for mapping in page["ResourceTagMappingList"]:
            arn = str(mapping["ResourceARN"]).lower()
            found[CONFIG_TYPE if ":endpoint-config/" in arn else MODEL_TYPE].add(arn)
    return found


def retained(sagemaker: Any, tagging: Any, stack_id: str, since: datetime) -> Retained:
    """Every Model and EndpointConfig tagged for this stack, with its exact name (listed since the stack was made)."""
    arns = tagged_arns(tagging, stack_id)
    return Retained(_names(sagemaker, CONFIG_TYPE, arns, since), _names(sagemaker, MODEL_TYPE, arns, since))


def _names(sagemaker: Any, resource_type: str, arns: dict[str, set[str]], since: datetime) -> dict[str, str]:
    """The exact names of the tagged resources of one type, by their lower-cased names."""
    if not arns[resource_type]:
        return {}
    operation, key, kind = LISTS[resource_type]
    pages = sagemaker.get_paginator(operation).paginate(CreationTimeAfter=since)
    listed = (item for page in pages for item in page[key])
    return {
        str(item[f"{kind}Name"]).lower(): str(item[f"{kind}Name"])
        for item in listed
        if str(item[f"{kind}Arn"]).lower() in arns[resource_type]
    }


def in_use(sagemaker: Any, endpoint_name: str, stack_config: str) -> tuple[set[str], set[str]]:
    """The lower-cased names of the configs the endpoint serves or is moving to, with the stack's own, and of their
    models: what must stay."""
    endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    configs = {stack_config, str(endpoint["EndpointConfigName"])}
    pending = endpoint.get("PendingDeploymentSummary") or {}
    if pending.get("EndpointConfigName"):
        configs.add(str(pending["EndpointConfigName"]))
    models: set[str] = set()
    for config in sorted(configs):  # in a fixed order, so the calls are the same on every run
        models |= _models_of(sagemaker, config)
    return {c.lower() for c in configs}, {m.lower() for m in models}


def _models_of(sagemaker: Any, config: str) -> set[str]:
    try:
        described = sagemaker.describe_endpoint_config(EndpointConfigName=config)
    except ClientError as error:
        if error.response["Error"]["Code"] != NOT_FOUND:
            raise
        return set()
    variants = [*described.get("ProductionVariants", []), *described.get("ShadowProductionVariants", [])]
    return {str(v["ModelName"]) for v in variants if v.get("ModelName")}


def remove_unserved(
    sagemaker: Any, tagging: Any, *, stack_id: str, since: datetime, endpoint_name: str, stack_config: str
) -> Removed:
    """Delete the stack's retained configs and models that neither the endpoint nor the stack uses. Call it only once
    the endpoint is InService on the stack's config: while it updates, the pending config is kept as well."""
    keep_configs, keep_models = in_use(sagemaker, endpoint_name, stack_config)
    found = retained(sagemaker, tagging, stack_id, since)
    return _delete(
        sagemaker,
        [name for lower, name in found.configs.items() if lower not in keep_configs],
        [name for lower, name in found.models.items() if lower not in keep_models],
    )


def remove_unserved_models(sagemaker: Any, tagging: Any, *, stack_id: str, since: datetime, keep: str) -> Removed:
    """An inference component's stack: delete the Models it retained but the one its component serves, `keep`. Call it
    only once the component is verified to serve the stack's own Model."""
    found = retained(sagemaker, tagging, stack_id, since)
    return _delete(sagemaker, [], [name for lower, name in found.models.items() if lower != keep.lower()])


def remove_all(sagemaker: Any, tagging: Any, *, stack_id: str, since: datetime) -> Removed:
    """After the stack and its endpoint are deleted: every config and model it retained."""
    found = retained(sagemaker, tagging, stack_id, since)
    return _delete(sagemaker, list(found.configs.values()), list(found.models.values()))


def _delete(sagemaker: Any, configs: Iterable[str], models: Iterable[str]) -> Removed:
    """Configs first (a config names its models); a name already gone counts as removed."""
    done = Removed([], [])
    for name in sorted(configs):
        _ignore_missing(sagemaker.delete_endpoint_config, EndpointConfigName=name)
        done.configs.append(name)
    for name in sorted(models):
        _ignore_missing(sagemaker.delete_model, ModelName=name)
        done.models.append(name)
    return done


def _ignore_missing(call: Any, **name: str) -> None:
    try:
        call(**name)
    except ClientError as error:
        if error.response["Error"]["Code"] != NOT_FOUND:
            raise
