"""Evaluate a rendered template for given parameter values, as CloudFormation would before creating anything.

`effective_resources` drops resources whose Condition is false and resolves Fn::If, AWS::NoValue, Ref to
parameters and pseudo parameters, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, and Fn::ImportValue
from the exports given (another stack's outputs), leaving references to resources (Ref, Fn::GetAtt) as they are.
`failed_rules` returns the AssertDescription of every failed Rule
assertion. Tests assert on what a deploy with those values would really get.
"""

from __future__ import annotations

import re
from typing import Any

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "111122223333",
    "AWS::StackName": "ml-endpoint",
    "AWS::URLSuffix": "amazonaws.com",
}
STACK_UUID = "5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
NO_VALUE = object()


def stack_id(pseudo: dict[str, str]) -> str:
    """The stack's id as CloudFormation makes it, in the partition, Region and account the other values name."""
    return (
        f"arn:{pseudo['AWS::Partition']}:cloudformation:{pseudo['AWS::Region']}:{pseudo['AWS::AccountId']}:"
        f"stack/{pseudo['AWS::StackName']}/{STACK_UUID}"
    )


class Evaluator:
    def __init__(
        self,
        template: dict[str, Any],
        values: dict[str, str],
        pseudo: dict[str, str] | None = None,
        exports: dict[str, str] | None = None,
    ):
        self.template = template
        self.exports = exports or {}
        self.pseudo = {**PSEUDO, **(pseudo or {})}
        self.pseudo.setdefault("AWS::StackId", stack_id(self.pseudo))
        self.params = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
        unknown = set(values) - set(self.params)
        if unknown:
            raise KeyError(f"not parameters of the template: {sorted(unknown)}")
        self.params.update(values)
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = self.truth(self.template["Conditions"][name])
        return self._conditions[name]

    def truth(self, expression: dict[str, Any]) -> bool:
        ((function, args),) = expression.items()
        if function == "Condition":
            return self.condition(args)
        if function == "Fn::Equals":
            left, right = (self.value(arg) for arg in args)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not self.truth(args[0])
        if function == "Fn::And":
            return all(self.truth(arg) for arg in args)
        if function == "Fn::Or":
            return any(self.truth(arg) for arg in args)
        if function == "Fn::Contains":
            return str(self.value(args[1])) in [str(item) for item in self.value(args[0])]
        if function == "Fn::EachMemberEquals":  # Rules only
            return all(str(item) == str(self.value(args[1])) for item in self.value(args[0]))
        raise ValueError(f"not a condition function: {function}")

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for item in (self.value(element) for element in node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, args),) = node.items()
            if key == "Ref":
                return self._ref(args)
            if key == "Fn::If":
                return self.value(args[1] if self.condition(args[0]) else args[2])
            if key == "Fn::Select":
                return self.value(args[1])[int(self.value(args[0]))]
            if key == "Fn::Split":
                source = self.value(args[1])
                return source.split(args[0]) if isinstance(source, str) else {key: [args[0], source]}
            if key == "Fn::Sub":
                return self._sub(args)
            if key == "Fn::ImportValue":
                return self._import(self.value(args))
            if key == "Fn::FindInMap":
                name, top, second = (self.value(arg) for arg in args)
                return self.template["Mappings"][name][top][second]
            if key == "Fn::Join":
                parts = self.value(args[1])
                return args[0].join(parts) if all(isinstance(p, str) for p in parts) else {key: [args[0], parts]}
            if key in {"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"}:
                return self.truth(node)
        result = {key: self.value(item) for key, item in node.items()}
        return {key: item for key, item in result.items() if item is not NO_VALUE}

    def _import(self, name: str) -> str:
        if name not in self.exports:
            raise KeyError(f"no export named {name}: CloudFormation refuses the stack")
        return self.exports[name]

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.params:
            spec = self.template["Parameters"][name]
            value = self.params[name]
            return (
                value.split(",") if spec["Type"].startswith("List<") or spec["Type"] == "CommaDelimitedList" else value
            )
        if name in self.pseudo:
            return self.pseudo[name]
        return {"Ref": name}

    def _sub(self, args: Any) -> Any:
        text, variables = (args, {}) if isinstance(args, str) else (args[0], args[1])
        resolved = {name: self.value(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in resolved and isinstance(resolved[name], str):
                return str(resolved[name])
            if name not in resolved:
                known = self._ref(name)
                if isinstance(known, str):
                    return known
            return match.group(0)

        text = re.sub(r"\$\{([^}!]+)\}", replace, text)
        unresolved = {name: value for name, value in resolved.items() if f"${{{name}}}" in text}
        if "${" not in text:
            return text
        return {"Fn::Sub": [text, unresolved] if unresolved else text}

    def resources(self) -> dict[str, Any]:
        return {
            name: self.value({key: item for key, item in resource.items() if key != "Condition"})
            for name, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    def outputs(self) -> dict[str, Any]:
        return {
            name: self.value(output["Value"])
            for name, output in self.template["Outputs"].items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    def failed_rules(self) -> list[str]:
        failures = []
        for rule in self.template.get("Rules", {}).values():
            if "RuleCondition" in rule and not self.truth(rule["RuleCondition"]):
                continue
            failures += [a["AssertDescription"] for a in rule["Assertions"] if not self.truth(a["Assert"])]
        return failures


class EveryBranchEvaluator(Evaluator):
    """Evaluates both branches of every Fn::If, and fails on an Fn::Select out of its list's range.

    CloudFormation does not document that it skips the branch not taken; an expression that fails there is a
    deploy that works only by an undocumented grace."""

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, args),) = node.items()
            if key == "Fn::If":
                taken, other = (args[1], args[2]) if self.condition(args[0]) else (args[2], args[1])
                self.value(other)
                return self.value(taken)
            if key == "Fn::Select":
                index, items = int(self.value(args[0])), self.value(args[1])
                if not isinstance(items, list):
                    return {key: [index, items]}
                if not 0 <= index < len(items):
                    raise IndexError(f"Fn::Select {index} of a {len(items)}-item list {items}: {node}")
                return items[index]
        return super().value(node)

    def everything(self) -> None:
        """Every Condition, and every resource and output whatever its Condition."""
        for name in self.template["Conditions"]:
            self.condition(name)
        for section in ("Resources", "Outputs"):
            for entry in self.template[section].values():
                self.value({key: item for key, item in entry.items() if key != "Condition"})


def as_text(value: Any) -> str:
    """An evaluated value that still holds references to resources, as text: `<Name.Attribute>` for Fn::GetAtt,
    `<Name>` for a resource's Ref; Fn::Sub and Fn::Join around them are applied. For reading a generated body."""
    if isinstance(value, str):
        return value
    ((key, args),) = value.items()
    if key == "Fn::GetAtt":
        return f"<{args[0]}.{args[1]}>"
    if key == "Ref":
        return f"<{args}>"
    if key == "Fn::Join":
        return str(args[0]).join(as_text(part) for part in args[1])
    if key == "Fn::Sub":
        text, variables = (args, {}) if isinstance(args, str) else (args[0], args[1])
        for name, item in variables.items():
            text = text.replace(f"${{{name}}}", as_text(item))
        return str(text)
    raise ValueError(f"cannot render {key} as text")
