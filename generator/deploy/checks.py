"""Every check CloudFormation would make of the parameters, made here first and all at once.

Per parameter: the name, its type, AllowedValues, AllowedPattern, length and numeric bounds, read from the
template itself. Across parameters: each Rule of the template, evaluated with three-valued logic so that a
value not known yet (a parameter the user did not give, before we know whether the stack exists) never fails
an assertion; and the autoscaling order with exact numbers, which the template's Rules only enumerate.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from generator.common.scaling_order import (
    ENDPOINT_TYPE,
    SCALING_ORDER,
    SCALING_SWITCH,
    SERVERLESS,
    SERVERLESS_ORDER,
    AtMost,
)

GROUP, PACKAGE = "ModelPackageGroupName", "ModelPackageArn"

# CloudFormation checks AWS-specific parameter types against the account; their shape is checked here.
AWS_ID_PATTERNS = {"AWS::EC2::VPC::Id": r"vpc-[0-9a-f]{8,17}", "AWS::EC2::Subnet::Id": r"subnet-[0-9a-f]{8,17}"}
LIST_TYPE = re.compile(r"List<(?P<item>.+)>")

Values = Mapping[str, str | None]  # None: not known yet


def unknown_names(given: Mapping[str, str], specs: Mapping[str, Any]) -> list[str]:
    problems = []
    for name in given:
        if name in specs:
            continue
        closest = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.6) or [
            known for known in specs if known.lower() == name.lower()
        ]
        hint = f"did you mean {closest[0]}?" if closest else "`sagemaker-endpoint parameters` lists them"
        problems.append(f"{name}: not a parameter of the template; {hint}")
    return problems


def constraint_problems(given: Mapping[str, str], specs: Mapping[str, Any]) -> list[str]:
    """Each given value against its parameter's declared constraints."""
    return [problem for name, value in given.items() if name in specs for problem in _check(name, value, specs[name])]


def missing_required(values: Values, specs: Mapping[str, Any]) -> list[str]:
    return [
        f"{name}: required, it has no default; pass --param {name}=..."
        for name, spec in specs.items()
        if "Default" not in spec and not values.get(name)
    ]


def _check(name: str, value: str, spec: Mapping[str, Any]) -> list[str]:
    why = spec.get("ConstraintDescription")
    shown = f"{name}={value!r}"
    kind = str(spec.get("Type", "String"))
    if kind == "Number":
        return _check_number(shown, value, spec, why)
    item = LIST_TYPE.fullmatch(kind)
    if item and item["item"] in AWS_ID_PATTERNS:
        items = value.split(",")
        bad = [each for each in items if not re.fullmatch(AWS_ID_PATTERNS[item["item"]], each.strip())]
        if bad or not value:
            return [f"{shown}: expected comma-separated {item['item']} values such as subnet-0123456789abcdef0"]
        return []
    if kind in AWS_ID_PATTERNS and not re.fullmatch(AWS_ID_PATTERNS[kind], value):
        return [f"{shown}: expected an {kind} such as vpc-0123456789abcdef0"]
    if kind == "CommaDelimitedList":  # CloudFormation checks each item against the constraints
        return [
            problem for each in value.split(",") for problem in _check(name, each.strip(), {**spec, "Type": "String"})
        ]
    problems = []
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(a) for a in allowed]:
        problems.append(f"{shown}: must be one of {', '.join(str(a) for a in allowed)}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, value):
        problems.append(f"{shown}: {why or f'must match {pattern}'}")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        problems.append(f"{shown}: at most {spec['MaxLength']} characters, it has {len(value)}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        problems.append(f"{shown}: at least {spec['MinLength']} characters")
    return problems


def _check_number(shown: str, value: str, spec: Mapping[str, Any], why: str | None) -> list[str]:
    try:
        number = float(value)
    except ValueError:
        return [f"{shown}: {why or 'must be a number'}"]
    if "MinValue" in spec and number < float(spec["MinValue"]):
        return [f"{shown}: below its minimum {spec['MinValue']}"]
    if "MaxValue" in spec and number > float(spec["MaxValue"]):
        return [f"{shown}: above its maximum {spec['MaxValue']}"]
    return []


def rule_problems(rules: Mapping[str, Any], values: Values) -> list[str]:
    """The AssertDescription of every assertion that is false for these values (unknown values pass)."""
    problems = []
    for rule in rules.values():
        if "RuleCondition" in rule and _truth(rule["RuleCondition"], values) is not True:
            continue
        problems += [a["AssertDescription"] for a in rule["Assertions"] if _truth(a["Assert"], values) is False]
    return problems


def scaling_order_problems(values: Values) -> list[str]:
    """The order of counts with exact numbers: instance counts when autoscaling instances, and a serverless
    endpoint's provisioned concurrency against its maximum (the Rules enumerate only small values)."""
    serverless = _order_problems(values, [SERVERLESS_ORDER]) if values.get(ENDPOINT_TYPE) == SERVERLESS else []
    return serverless + (_order_problems(values, SCALING_ORDER) if values.get(SCALING_SWITCH) == "true" else [])


def _order_problems(values: Values, orders: Sequence[AtMost]) -> list[str]:
    problems = []
    for order in orders:
        lower, upper = _number(values.get(order.lower)), _number(values.get(order.upper))
        if lower is not None and upper is not None and lower > upper:
            problems.append(order.description)
    return problems


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def _truth(expression: Mapping[str, Any], values: Values) -> bool | None:
    """True, False, or None when it depends on a value not known yet."""
    ((function, args),) = expression.items()
    if function == "Fn::Not":
        inner = _truth(args[0], values)
        return None if inner is None else not inner
    if function in ("Fn::And", "Fn::Or"):
        results = [_truth(arg, values) for arg in args]
        decisive = function == "Fn::Or"  # the result that settles it: True for Or, False for And
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    if function == "Fn::Equals":
        left, right = (_value(arg, values) for arg in args)
        return None if left is None or right is None else str(left) == str(right)
    if function in ("Fn::Contains", "Fn::EachMemberEquals"):
        return _membership(function, _value(args[0], values), _value(args[1], values))
    raise ValueError(f"a Rule uses {function}, which the deploy client cannot evaluate")


def _membership(function: str, members: Any, value: Any) -> bool | None:
    """Fn::Contains: the value is one of the members. Fn::EachMemberEquals: every member is the value, a list
    parameter's members split as CloudFormation splits them."""
    if members is None or value is None:
        return None
    if function == "Fn::Contains":
        return str(value) in [str(member) for member in members]
    items = members.split(",") if isinstance(members, str) else members
    return all(str(item).strip() == str(value) for item in items)


def _value(node: Any, values: Values) -> Any:
    if isinstance(node, dict) and set(node) == {"Ref"}:
        return values.get(node["Ref"])
    if isinstance(node, list):
        items = [_value(item, values) for item in node]
        return None if None in items else items
    return node


def group_region_problems(values: Values, region: str | None) -> list[str]:
    """A model package group of another Region can never serve the stack: model packages are regional."""
    return _region_problems(values, region, GROUP, "model-package-group/", "group")


def package_region_problems(values: Values, region: str | None) -> list[str]:
    """A model package of another Region can never serve the stack (a fleet says it its own way, per Region)."""
    return _region_problems(values, region, PACKAGE, "model-package/", "package")


def _region_problems(values: Values, region: str | None, name: str, kind: str, what: str) -> list[str]:
    given = values.get(name) or ""
    fields = given.split(":")
    is_arn = len(fields) == 6 and fields[2] == "sagemaker" and fields[5].startswith(kind)
    if not region or not is_arn or fields[3] == region:
        return []  # a malformed value is the parameter pattern's to report
    return [
        f"{name}={given!r}: a {what} of Region {fields[3]}, but the stack deploys to {region}; model packages are "
        f"regional: give a {what} of {region}, or deploy with --region {fields[3]}"
    ]
