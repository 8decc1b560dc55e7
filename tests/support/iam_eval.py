"""A small IAM policy evaluator, for what our policies use: Allow/Deny, Action/NotAction, Resource/NotResource
with `*` and `?` wildcards, and the String/Arn/Bool condition operators (with IfExists). As IAM does: actions
match case-insensitively, a condition on a key the request lacks is false (true with IfExists), and an explicit
Deny wins. moto's evaluator passes a condition whose key the request lacks, so it would prove too much."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tests.support.template_eval import Evaluator

Context = Mapping[str, str]


def allows(statements: Sequence[Mapping[str, Any]], action: str, resource: str, context: Context | None = None) -> bool:
    applicable = [s for s in statements if _applies(s, action, resource, context or {})]
    return any(s["Effect"] == "Allow" for s in applicable) and not any(s["Effect"] == "Deny" for s in applicable)


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Context) -> bool:
    if "NotAction" in statement:
        action_matches = not _any(statement["NotAction"], action, case_sensitive=False)
    else:
        action_matches = _any(statement["Action"], action, case_sensitive=False)
    if "NotResource" in statement:
        resource_matches = not _any(statement["NotResource"], resource, case_sensitive=True)
    else:
        resource_matches = _any(statement.get("Resource", "*"), resource, case_sensitive=True)
    return action_matches and resource_matches and _conditions_hold(statement.get("Condition", {}), context)


def _any(patterns: str | Sequence[str], value: str, *, case_sensitive: bool) -> bool:
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return any(_glob(pattern, value, case_sensitive=case_sensitive) for pattern in patterns)


def _glob(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM wildcards: `*` any run of characters (slashes included), `?` one character; nothing else is special."""
    regex = "".join({"*": ".*", "?": "."}.get(ch, re.escape(ch)) for ch in pattern)
    return re.fullmatch(regex, value, flags=0 if case_sensitive else re.IGNORECASE) is not None


OPERATORS: dict[str, Callable[[Any, str], bool]] = {
    "StringEquals": lambda expected, actual: actual == expected,
    "StringEqualsIgnoreCase": lambda expected, actual: actual.casefold() == str(expected).casefold(),
    "StringLike": lambda expected, actual: _glob(expected, actual, case_sensitive=True),
    "ArnEquals": lambda expected, actual: actual == expected,
    "ArnLike": lambda expected, actual: _glob(expected, actual, case_sensitive=True),
    "Bool": lambda expected, actual: actual.lower() == str(expected).lower(),
}


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Context) -> bool:
    for operator, tests in conditions.items():
        base, if_exists = (operator[: -len("IfExists")], True) if operator.endswith("IfExists") else (operator, False)
        compare = OPERATORS[base]  # an operator not listed here fails loudly: extend the evaluator and its tests
        for key, expected in tests.items():
            if key not in context:
                if not if_exists:
                    return False
                continue
            values = expected if isinstance(expected, list) else [expected]
            if not any(compare(value, context[key]) for value in values):
                return False
    return True


def managed_policy_statements(role_template: Mapping[str, Any], pseudo: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every statement of a role template's managed policies, as CloudFormation would create them (`pseudo`: the
    account, Region and stack name)."""
    resources = Evaluator(dict(role_template), {}, dict(pseudo)).resources()
    return [
        statement
        for resource in resources.values()
        if resource["Type"] == "AWS::IAM::ManagedPolicy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
