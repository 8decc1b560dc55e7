"""Template inputs, each declared once beside the builder that uses it.

An `Input` is a parameter with everything said about it in one place: its name, constraint and default, the label
and group the console shows, its description, the endpoint types it applies to and the name seed-farmer's module
gave it. From the declarations alone come the template's Parameters and its `AWS::CloudFormation::Interface`, the
Rule that refuses another endpoint type's settings, the metadata the deploy client reads (`INPUTS_METADATA`), and the
tables of the docs (generator.docs_tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from troposphere import AWSHelperFn, Equals, Or, Parameter, Ref, Template

from generator.common.names import INPUTS_METADATA
from generator.common.patterns import optional, required, whole_number_range

OTHER_TYPES_RULE = "SettingsOfAnotherType"


@dataclass(frozen=True)
class Constraint:
    """How CloudFormation checks a value, and how the docs say it."""

    props: tuple[tuple[str, Any], ...]
    shown: str  # for the docs: "1 to 100", "one of ...", "a VPC ID such as ..."

    def as_props(self) -> dict[str, Any]:
        """The Parameter's properties (a tuple of values, kept hashable here, is CloudFormation's list)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self.props}


def pattern(regex: str, must_be: str, *, optional_value: bool = True, max_length: int | None = None) -> Constraint:
    """A String matching `regex` (or empty, when optional); `must_be` completes "must be ..." in the message."""
    props: list[tuple[str, Any]] = [
        ("AllowedPattern", optional(regex) if optional_value else required(regex)),
        ("ConstraintDescription", f"must be {must_be}, or empty" if optional_value else f"must be {must_be}"),
    ]
    if max_length is not None:
        props.append(("MaxLength", max_length))
    return Constraint(tuple(props), f"{must_be}, or empty" if optional_value else must_be)


def whole_number(low: int, high: int, *, optional_value: bool = False) -> Constraint:
    """A whole number from low to high, as a String whose pattern is exactly that range in one spelling (no sign,
    decimals or leading zeros): a Number would also take "00" or "1.5", which the Rules, comparing text, would not
    see as 0 or 1, and which SageMaker's integer properties refuse. Optional: empty is SageMaker's default."""
    must_be = f"a whole number from {low} to {high}"
    regex = whole_number_range(low, high)
    return Constraint(
        (
            ("AllowedPattern", optional(regex) if optional_value else required(regex)),
            ("ConstraintDescription", f"must be {must_be}, or empty" if optional_value else f"must be {must_be}"),
            ("MaxLength", len(str(high))),
        ),
        f"{low} to {high}, or empty" if optional_value else f"{low} to {high}",
    )


def choice(*values: str) -> Constraint:
    return Constraint((("AllowedValues", tuple(values)),), " / ".join(f"`{v}`" for v in values))


def free_text(*, min_length: int | None = None, max_length: int | None = None) -> Constraint:
    props = [(key, value) for key, value in (("MinLength", min_length), ("MaxLength", max_length)) if value is not None]
    return Constraint(tuple(props), f"at most {max_length} characters" if max_length else "any text")


@dataclass(frozen=True)
class Input:
    """One parameter. `endpoint_types` empty: it applies to every type; otherwise another type refuses it unless it
    is off: empty, or `off` (DataCaptureSamplingPercentage 0). An input with another default (an instance type) is
    left alone by the types it does not apply to. `seed_name`: the input of the seed-farmer module this template
    replaces, as that module's README spells it, when it had one."""

    name: str
    label: str
    description: str
    constraint: Constraint
    default: str | None = ""  # None: no Default, so CloudFormation asks for a value
    endpoint_types: tuple[str, ...] = ()
    seed_name: str | None = None
    kind: str = "String"
    off: str | None = None
    why_these_types: str = ""  # why another endpoint type refuses it, said in the refusal

    @property
    def off_value(self) -> str | None:
        """The value that means "not set", which another endpoint type requires; None: any value is left alone."""
        return self.off if self.off is not None else ("" if self.default == "" else None)

    @property
    def parameter(self) -> Parameter:
        return _parameter(self)

    def ref(self) -> Ref:
        return Ref(self.name)

    def is_unset(self) -> AWSHelperFn:
        """True while the input is off (empty by default): for a list, while it holds no member."""
        off = "" if self.off_value is None else self.off_value
        if self.kind == "CommaDelimitedList":
            return EachMemberEquals(self.ref(), off)
        return Equals(self.ref(), off)


@cache
def _parameter(given: Input) -> Parameter:
    """One troposphere Parameter per Input, so every builder refers to the same object."""
    default = {} if given.default is None else {"Default": given.default}
    return Parameter(
        given.name, Type=given.kind, Description=given.description, **default, **given.constraint.as_props()
    )


@dataclass(frozen=True)
class InputGroup:
    """Inputs the console shows together, under `label`, in this order."""

    label: str
    inputs: tuple[Input, ...]


class EachMemberEquals(AWSHelperFn):
    """Fn::EachMemberEquals, a function of Rules only: true when every member of the list equals the value."""

    def __init__(self, values: object, value: str) -> None:
        self.data = {"Fn::EachMemberEquals": [values, value]}


class Contains(AWSHelperFn):
    """Fn::Contains, a function of Rules only: true when the value is one of the list's."""

    def __init__(self, values: Sequence[str], value: object) -> None:
        self.data = {"Fn::Contains": [list(values), value]}


def add_inputs(template: Template, groups: Sequence[InputGroup]) -> None:
    """Every input's parameter, the Interface that groups and labels them, and the metadata the deploy client reads."""
    inputs = [entry for group in groups for entry in group.inputs]
    names = [entry.name for entry in inputs]
    if len(set(names)) != len(names):
        raise AssertionError(f"an input is declared twice: {sorted({n for n in names if names.count(n) > 1})}")
    for entry in inputs:
        template.add_parameter(entry.parameter)
    interface = {
        "ParameterGroups": [
            {"Label": {"default": group.label}, "Parameters": [entry.name for entry in group.inputs]}
            for group in groups
        ],
        "ParameterLabels": {entry.name: {"default": entry.label} for entry in inputs},
    }
    facts = {entry.name: _facts(entry) for entry in inputs if _facts(entry)}
    template.set_metadata({"AWS::CloudFormation::Interface": interface, **({INPUTS_METADATA: facts} if facts else {})})


def _facts(entry: Input) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if entry.endpoint_types:
        facts["EndpointTypes"] = list(entry.endpoint_types)
    if entry.seed_name:
        facts["SeedFarmer"] = entry.seed_name
    return facts


def add_other_types_rule(template: Template, selector: Input, inputs: Iterable[Input]) -> None:
    """Refuse, before anything is created, a setting of another endpoint type than the one chosen: each typed input
    must hold its default unless `selector` names one of its types."""
    every_type = set(selector.constraint.as_props()["AllowedValues"])
    assertions = [
        {
            "Assert": Or(entry.is_unset(), *(Equals(selector.ref(), kind) for kind in entry.endpoint_types)),
            "AssertDescription": _other_type_message(selector, entry),
        }
        for entry in inputs
        if entry.endpoint_types and set(entry.endpoint_types) != every_type and entry.off_value is not None
    ]
    template.add_rule(OTHER_TYPES_RULE, {"Assertions": assertions})


def _other_type_message(selector: Input, entry: Input) -> str:
    reset = "clear it" if entry.off_value == "" else f"set it to {entry.off_value}"
    why = f" ({entry.why_these_types})" if entry.why_these_types else ""
    return (
        f"{entry.name} is for {selector.name} {' and '.join(entry.endpoint_types)}{why}: {reset}, or set "
        f"{selector.name} to {' or '.join(entry.endpoint_types)}."
    )
