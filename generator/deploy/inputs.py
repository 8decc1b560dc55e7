"""Parameter values as a user gives them: `--param KEY=VALUE`, or a file (a JSON or YAML mapping, or the AWS
CLI's `[{"ParameterKey": ..., "ParameterValue": ...}]` list). Every value becomes the string CloudFormation takes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class InputError(Exception):
    """Bad input, found before any AWS call: every problem, one line each."""

    summary = "problem(s) in the input; nothing was sent to AWS."

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_assignments(option: str, assignments: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """`KEY=VALUE` strings -> mapping; a malformed one is a problem naming the option."""
    values: dict[str, str] = {}
    problems = []
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            problems.append(f"{option} {assignment!r}: write it as KEY=VALUE")
        else:
            values[key.strip()] = value
    return values, problems


def read_params_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """A mapping or the AWS CLI's list; lists become comma-separated, booleans `true`/`false`."""
    import yaml  # noqa: PLC0415  # only a params file needs it; the command line registers every verb at start

    where = f"--params-file {path}"
    try:
        data = yaml.safe_load(path.read_text())  # JSON is YAML
    except OSError as error:
        return {}, [f"{where}: cannot read it: {error.strerror}"]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return {}, [f"{where}: not JSON or YAML: {error.problem}{at}"]
    if isinstance(data, list) and all(isinstance(item, dict) and "ParameterKey" in item for item in data):
        data = {item["ParameterKey"]: item.get("ParameterValue", "") for item in data}
    if not isinstance(data, dict):
        return {}, [f'{where}: expected a mapping of parameter names to values, or [{{"ParameterKey": ...}}]']
    return {str(key): as_parameter_value(value) for key, value in data.items()}, []


def as_parameter_value(value: Any) -> str:
    """The string CloudFormation would receive for a JSON/YAML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(as_parameter_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return "" if value is None else str(value)
