"""Condition and value building blocks that any template uses."""

from __future__ import annotations

from collections.abc import Sequence

from troposphere import And, AWSHelperFn, Condition, Equals, Or, Parameter, Ref, Select, Split, Template

from generator.cfn.inputs import Input

MAX_OR_OPERANDS = 10  # Fn::Or takes 2 to 10 conditions


def is_empty(parameter: Input | Parameter) -> Equals:
    return Equals(parameter.ref() if isinstance(parameter, Input) else Ref(parameter), "")


def any_of(conditions: Sequence[AWSHelperFn]) -> AWSHelperFn:
    """Fn::Or of any number of conditions, nested in groups of at most ten."""
    if len(conditions) == 1:
        return conditions[0]
    if len(conditions) <= MAX_OR_OPERANDS:
        return Or(*conditions)
    groups = [conditions[i : i + MAX_OR_OPERANDS] for i in range(0, len(conditions), MAX_OR_OPERANDS)]
    return any_of([any_of(group) for group in groups])


def all_of(*names: str) -> And:
    """Fn::And of named Conditions."""
    return And(*(Condition(name) for name in names))


def add_named_condition(template: Template, name: str, condition: AWSHelperFn) -> str:
    """Add the Condition and return its name, which is what resources and `If` refer to."""
    template.add_condition(name, condition)
    return name


def stack_uuid() -> Select:
    """The UUID at the end of the stack's id: unique, fixed for the stack's life, 36 characters."""
    return Select(2, Split("/", Ref("AWS::StackId")))
