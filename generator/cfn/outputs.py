"""Outputs as every template here writes them: described, and exported under the stack's name."""

from __future__ import annotations

from troposphere import Export, Output, Sub, Template


def add_exported_output(
    template: Template,
    key: str,
    value: object,
    description: str,
    condition: str | None = None,
    *,
    export: bool = True,
) -> None:
    """An output exported as <stack>-<key>, so other stacks can import it; only where `condition` holds, if given.
    `export=False` for a value every update may change: CloudFormation refuses to change an export another stack
    imports ("Cannot update export ... as it is in use"), so exporting it would make every such update fail."""
    output = Output(key, Description=description, Value=value)
    if export:
        output.Export = Export(Sub(f"${{AWS::StackName}}-{key}"))
    if condition is not None:
        output.Condition = condition
    template.add_output(output)
