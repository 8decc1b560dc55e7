"""Outputs as every template here writes them: described, and exported under the stack's name."""

from __future__ import annotations

from troposphere import Export, Output, Sub, Template


def add_exported_output(
    template: Template, key: str, value: object, description: str, condition: str | None = None
) -> None:
    """An output exported as <stack>-<key>, so other stacks can import it; only where `condition` holds, if given."""
    output = Output(key, Description=description, Value=value, Export=Export(Sub(f"${{AWS::StackName}}-{key}")))
    if condition is not None:
        output.Condition = condition
    template.add_output(output)
