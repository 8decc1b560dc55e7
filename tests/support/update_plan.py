"""Predict what CloudFormation does to each resource when parameter values change, offline.

A property change is a replacement when the property is create-only in the resource's schema (the schemas
cfn-lint ships), an in-place modification otherwise. A replaced resource gets a new name and id, so every
Ref or Fn::GetAtt to it counts as changed in the resources that use it. A custom resource's attributes
change only when the caller says its answer changes (`changed_attributes`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import cfnlint

from tests.support.template_eval import Evaluator

Action = Literal["Replace", "Modify"]
SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"


@cache
def create_only_properties(resource_type: str) -> frozenset[str]:
    if resource_type.startswith("Custom::"):
        return frozenset()
    providers = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    schema = json.loads((SCHEMAS / "resources" / f"{providers[resource_type]}.json").read_text())
    return frozenset(path.split("/")[2] for path in schema.get("createOnlyProperties", []))


def plan(
    template: dict[str, Any],
    before: dict[str, str],
    after: dict[str, str],
    changed_attributes: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Action]:
    """The resources existing before and after that CloudFormation replaces or modifies."""
    old, new = Evaluator(template, before).resources(), Evaluator(template, after).resources()
    actions: dict[str, Action] = {}
    for name in dependency_order(new):
        if name not in old:
            continue
        changed = _changed_properties(old[name], new[name], actions, changed_attributes)
        if changed & create_only_properties(new[name]["Type"]):
            actions[name] = "Replace"
        elif changed:
            actions[name] = "Modify"
    return actions


def _changed_properties(
    old: dict[str, Any], new: dict[str, Any], actions: dict[str, Action], changed_attributes: frozenset[tuple[str, str]]
) -> set[str]:
    old_props, new_props = old.get("Properties", {}), new.get("Properties", {})
    return {
        key
        for key in set(old_props) | set(new_props)
        if old_props.get(key) != new_props.get(key) or _uses_changed(new_props.get(key), actions, changed_attributes)
    }


def _uses_changed(node: Any, actions: dict[str, Action], changed_attributes: frozenset[tuple[str, str]]) -> bool:
    if isinstance(node, list):
        return any(_uses_changed(item, actions, changed_attributes) for item in node)
    if not isinstance(node, dict):
        return False
    if "Ref" in node and actions.get(node["Ref"]) == "Replace":
        return True
    if "Fn::GetAtt" in node:
        resource, attribute = node["Fn::GetAtt"]
        return actions.get(resource) == "Replace" or (resource, attribute) in changed_attributes
    return any(_uses_changed(value, actions, changed_attributes) for value in node.values())


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Resources after everything they reference (Ref, Fn::GetAtt, DependsOn), ties by name: the same order in
    every process (a set's order follows the string hash seed, which differs per process)."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered or name not in resources:
            return
        for dependency in sorted(references(resources[name])):
            visit(dependency)
        ordered.append(name)

    for name in sorted(resources):
        visit(name)
    return ordered


def references(node: Any) -> set[str]:
    """Names a node refers to with Ref, Fn::GetAtt or DependsOn: resources, parameters, pseudo parameters."""
    if isinstance(node, list):
        return set().union(*(references(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set()
    if isinstance(node.get("Ref"), str):
        found.add(node["Ref"])
    if "Fn::GetAtt" in node:
        found.add(node["Fn::GetAtt"][0])
    depends = node.get("DependsOn", [])
    found |= {depends} if isinstance(depends, str) else set(depends)
    return found | set().union(*(references(value) for value in node.values()))


def resource_changes(
    template: dict[str, Any], before: dict[str, str], after: dict[str, str], pseudo: dict[str, str]
) -> list[dict[str, Any]]:
    """The ResourceChange entries of a change set, as CloudFormation writes them: Action, Replacement, Details.

    A property is changed statically when its value differs (caused by a parameter, a replaced resource, or the
    template), dynamically when it reads an attribute of a resource that is only modified: then CloudFormation
    cannot know the new value in advance and a create-only property makes the Replacement `Conditional`.
    """
    old_eval, new_eval = Evaluator(template, before, pseudo), Evaluator(template, after, pseudo)
    old, new = old_eval.resources(), new_eval.resources()
    changed_params = {name for name in new_eval.params if old_eval.params[name] != new_eval.params[name]}
    replacement: dict[str, str] = {}  # resource -> True / Conditional / False, for those that change
    changes = []
    for name in dependency_order(new):
        if name not in old:
            changes.append({"Action": "Add", "LogicalResourceId": name, "ResourceType": new[name]["Type"]})
            continue
        raw = template["Resources"][name].get("Properties", {})
        create_only = create_only_properties(new[name]["Type"])
        old_props, new_props = old[name].get("Properties", {}), new[name].get("Properties", {})
        details = []
        for prop in sorted(set(old_props) | set(new_props)):
            static = old_props.get(prop) != new_props.get(prop)
            details += _details(
                prop,
                raw.get(prop),
                static=static,
                create_only=prop in create_only,
                changed_params=changed_params,
                replacement=replacement,
            )
        if not details:
            continue
        recreate = {d["Target"]["RequiresRecreation"] for d in details}
        replacement[name] = (
            "True" if "Always" in recreate else "Conditional" if "Conditionally" in recreate else "False"
        )
        changes.append(
            {
                "Action": "Modify",
                "LogicalResourceId": name,
                "PhysicalResourceId": "",
                "ResourceType": new[name]["Type"],
                "Replacement": replacement[name],
                "Scope": sorted({"Properties"}),
                "Details": details,
            }
        )
    changes += [
        {"Action": "Remove", "LogicalResourceId": name, "ResourceType": old[name]["Type"]}
        for name in old
        if name not in new
    ]
    return changes


def _details(
    prop: str, raw: Any, *, static: bool, create_only: bool, changed_params: set[str], replacement: dict[str, str]
) -> list[dict[str, Any]]:
    """Why one property changes: each parameter or resource it reads that changed, or the template itself."""
    names = references(raw) | _sub_variables(raw)
    found = []

    def detail(source: str, entity: str, evaluation: str) -> dict[str, Any]:
        recreate = ("Always" if evaluation == "Static" else "Conditionally") if create_only else "Never"
        return {
            "Target": {"Attribute": "Properties", "Name": prop, "RequiresRecreation": recreate},
            "Evaluation": evaluation,
            "ChangeSource": source,
            "CausingEntity": entity,
        }

    replaced = [n for n in sorted(names) if replacement.get(n) == "True"]
    found += [detail("ResourceReference", name, "Static") for name in replaced]
    if static:
        found += [detail("ParameterReference", name, "Static") for name in sorted(names & changed_params)]
        if not found:
            found.append(detail("DirectModification", "", "Static"))
    found += [
        detail("ResourceAttribute", f"{resource}.{attribute}", "Dynamic")
        for resource, attribute in sorted(_attributes(raw))
        if replacement.get(resource) in ("False", "Conditional") and not static
    ]
    return found


def _attributes(node: Any) -> set[tuple[str, str]]:
    if isinstance(node, list):
        return set().union(*(_attributes(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {tuple(node["Fn::GetAtt"])} if "Fn::GetAtt" in node else set()
    return found | set().union(*(_attributes(value) for value in node.values()))


def _sub_variables(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_sub_variables(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found: set[str] = set()
    if "Fn::Sub" in node:
        text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
        found = set(re.findall(r"\$\{([^}!.]+)\}", text))
    return found | set().union(*(_sub_variables(value) for value in node.values()))
