"""Conditions nobody refers to, removed: a template assembled from some of the builders another template uses (the
SageMaker Projects template leaves features out) would otherwise keep Conditions only the left-out builders read,
which cfn-lint reports, and which may name inputs the template does not declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import Template

CONDITION_FUNCTIONS = ("Fn::If",)


def drop_unused_conditions(template: Template) -> list[str]:
    """Remove every Condition that no resource, output, `Fn::If` or kept Condition refers to, until none is left;
    return the names removed, sorted."""
    removed: list[str] = []
    while True:
        document = template.to_dict()
        conditions = document.get("Conditions", {})
        outside = {key: value for key, value in document.items() if key != "Conditions"}
        used = set(_references(outside))
        for name, body in conditions.items():
            used |= {ref for ref in _references(body) if ref != name}
        unused = sorted(set(conditions) - used)
        if not unused:
            return sorted(removed)
        for name in unused:
            del template.conditions[name]
        removed += unused


def _references(node: Any) -> Iterator[str]:
    """Names of Conditions referred to: a `Condition` key holding a name (a resource's, an output's, a Condition
    function's), and the first argument of `Fn::If`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Condition" and isinstance(value, str):
                yield value
            elif key in CONDITION_FUNCTIONS and isinstance(value, list) and value and isinstance(value[0], str):
                yield value[0]
            yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)
