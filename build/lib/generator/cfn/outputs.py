"""Outputs as every template here writes them: described, and exported under the stack's name."""

from __future__ import annotations

from troposphere import Export, Output, Sub, Template


def add_exported_output(template: Template, key: str, value: object, description: str) -> None:
    """An output exported as <stack>-<key>, so other stacks can import it."""
    template.add_output(
        Output(key, Description=description, Value=value, Export=Export(Sub(f"${{AWS::StackName}}-{key}")))
    )
