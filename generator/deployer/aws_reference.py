"""What cfn-lint ships about AWS, read as data (without importing cfn-lint): each resource type's registry schema,
whose `handlers` list the permissions CloudFormation needs to create, update and delete it; and IAM's service
authorization reference, which says which actions exist and on which resource types each can be scoped."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

from awacs.aws import Action

# The handlers CloudFormation runs for a stack's resources: create, update and delete, and read (it reads a resource
# back, e.g. for drift detection and while an operation stabilises); besides them, a schema's `tagging.permissions`
# are what it needs to manage the resource's tags (stack tags, propagated).
HANDLERS = ("create", "read", "update", "delete")


@cache
def _data() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.origin is None:
        raise RuntimeError("cfn-lint is not installed: run `make build`, which installs the pinned requirements")
    return Path(spec.origin).parent / "data"


@cache
def _json(*path: str) -> Any:
    return json.loads(_data().joinpath(*path).read_text())


def handler_permissions(resource_type: str) -> frozenset[str]:
    """Every permission the type's create, read, update and delete handlers list, and its tagging permissions."""
    schema_file = _json("schemas", "providers", "us-east-1.json")[resource_type]
    schema = _json("schemas", "resources", f"{schema_file}.json")
    handlers = schema.get("handlers", {})
    tagging = schema.get("tagging", {}).get("permissions", [])
    return frozenset([*(p for handler in HANDLERS for p in handlers.get(handler, {}).get("permissions", [])), *tagging])


def resource_types(template: dict[str, Any]) -> list[str]:
    return sorted({resource["Type"] for resource in template["Resources"].values()})


def is_iam_action(action: str) -> bool:
    """A handler list may name what IAM does not know (e.g. `s3:REST.PUT.OBJECT`, an S3 log entry)."""
    service, _, name = action.partition(":")
    return name.lower() in _json("AdditionalSpecs", "Policies.json").get(service, {}).get("Actions", {})


def scopable(action: str) -> bool:
    """Whether IAM defines a resource type for the action; without one, only `Resource: *` grants it."""
    service, _, name = action.partition(":")
    return bool(_json("AdditionalSpecs", "Policies.json")[service]["Actions"][name.lower()].get("Resources"))


def actions_scoped_to(service: str, resource_type: str) -> list[str]:
    """Every action IAM authorizes on `resource_type` of `service`, spelled as IAM spells it (awacs' names; IAM's
    reference as cfn-lint ships it keys actions in lower case)."""
    spelled = {
        str(a.action).lower(): str(a.action)
        for a in vars(import_module(f"awacs.{service}")).values()
        if isinstance(a, Action)
    }
    listed = _json("AdditionalSpecs", "Policies.json")[service]["Actions"]
    return sorted(f"{service}:{spelled.get(name, name)}" for name, spec in listed.items()
                  if resource_type in spec.get("Resources", []))  # fmt: skip
