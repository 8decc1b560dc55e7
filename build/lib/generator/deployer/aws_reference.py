"""What cfn-lint ships about AWS, read as data (without importing cfn-lint): each resource type's registry schema,
whose `handlers` list the permissions CloudFormation needs to create, update and delete it; and IAM's service
authorization reference, which says which actions exist and on which resource types each can be scoped."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

HANDLERS = ("create", "update", "delete")


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
    """Every permission the type's create, update and delete handlers list."""
    schema_file = _json("schemas", "providers", "us-east-1.json")[resource_type]
    handlers = _json("schemas", "resources", f"{schema_file}.json").get("handlers", {})
    return frozenset(p for handler in HANDLERS for p in handlers.get(handler, {}).get("permissions", []))


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
