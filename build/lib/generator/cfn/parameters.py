"""Parameter factories that more than one template uses."""

from __future__ import annotations

from typing import Any

from troposphere import Parameter

from generator.common.patterns import optional


def optional_parameter(title: str, pattern: str, must_be: str, description: str, **props: Any) -> Parameter:
    """An optional String parameter: empty, or a value matching `pattern`."""
    return Parameter(
        title,
        Type="String",
        Default="",
        AllowedPattern=optional(pattern),
        ConstraintDescription=f"must be {must_be}, or empty",
        Description=description,
        **props,
    )
