"""An API request checked against botocore's shape of it: required members, types, minimums (botocore's own
`ParamValidator`), and the maximums, enums and patterns its shapes state but it leaves unchecked (`ShapeValidator`,
a subclass, reading them from the same shapes). Every rule comes from the service model; the few the model states
only in a member's documentation string are `ProseRule`s that quote it (a test finds each quote there).

A request carries what CloudFormation sends for a resource (see `tests.support.resource_requests`); CloudFormation's
own conversions of property values (`"1"` for an integer) are applied first.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape
from botocore.validate import ParamValidator, ValidationErrors

# --- botocore's validator, extended by what its shapes say and it does not check --------------------------------


@cache
def service_model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def member_shape(service: str, operation: str, member: str) -> Shape:
    shape = service_model(service).operation_model(operation).input_shape
    assert isinstance(shape, StructureShape)
    return shape.members[member]


def max_length(service: str, operation: str, member: str) -> int:
    return int(member_shape(service, operation, member).metadata["max"])


@cache
def readable_pattern(pattern: str) -> re.Pattern[str] | None:
    """The model's (Java) pattern where Python's `re` reads it; None where it cannot be read the same way: `re`
    refuses `\\p{...}` classes and surrogate ranges, and warns where Java would nest or intersect sets."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(pattern, re.ASCII)
        except (re.error, FutureWarning):
            return None


def beyond_botocore(value: Any, shape: Shape) -> list[str]:
    """What the shape says of the value that botocore's ParamValidator leaves unchecked. A pattern must match the
    whole value, as AWS matches it: SageMaker refused `health_and_personal_care_inter_title-2018-09-06-05-57-49-470`
    ("failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*",
    https://github.com/aws/sagemaker-python-sdk/issues/384), whose start alone would match."""
    meta, kind = shape.metadata, shape.type_name
    problems = []
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"length {len(value)} above its maximum {meta['max']}: {value!r}")
        if "enum" in meta and value not in meta["enum"]:
            problems.append(f"{value!r} is not one of {meta['enum']}")
        pattern = readable_pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.fullmatch(value):
            problems.append(f"{value!r} does not match {meta['pattern']}")
    elif kind in ("list", "map") and isinstance(value, list | tuple | dict):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{len(value)} items, above its maximum {meta['max']}")
        if kind == "map" and "min" in meta and len(value) < meta["min"]:  # botocore checks the min of lists only
            problems.append(f"{len(value)} items, below its minimum {meta['min']}")
    elif kind in ("integer", "long", "double", "float") and _is_number(value) and value > meta.get("max", value):
        problems.append(f"{value} above its maximum {meta['max']}")
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class ShapeErrors(ValidationErrors):
    def _format_error(self, error: tuple[str, str, dict[str, Any]]) -> str:
        reason, name, details = error
        if reason == "beyond botocore":
            return f"Invalid value for parameter {name or 'input'}: {details['problem']}"
        return str(super()._format_error(error))  # type: ignore[misc]


class ShapeValidator(ParamValidator):
    """botocore's ParamValidator, also checking `max`, `enum` and `pattern` (and a map's `min`) of every shape."""

    VALIDATED_METADATA_ATTRS = ParamValidator.VALIDATED_METADATA_ATTRS | {"max", "enum", "pattern"}

    def validate(self, params: Mapping[str, Any], shape: Shape) -> ShapeErrors:
        errors = ShapeErrors()
        self._validate(params, shape, errors, "")
        return errors

    def _validate(self, params: Any, shape: Shape, errors: ValidationErrors, name: str) -> None:
        super()._validate(params, shape, errors, name)  # type: ignore[misc]
        for problem in beyond_botocore(params, shape):
            errors.report(name, "beyond botocore", problem=problem)


def as_cloudformation_converts(value: Any, shape: Shape) -> Any:
    """The value as the API receives it from CloudFormation, which takes `"1"` for an integer and `"true"` for a
    boolean (a Number parameter's Ref is a string). AWS does not document the conversion: only canonical spellings
    are converted, anything else is left for the validator to refuse (the safe side)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        return {k: as_cloudformation_converts(v, members[k]) if k in members else v for k, v in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [as_cloudformation_converts(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: as_cloudformation_converts(item, shape.value) for key, item in value.items()}
    return _scalar_as_cloudformation_converts(value, shape.type_name)


def _scalar_as_cloudformation_converts(value: Any, kind: str) -> Any:
    if kind in ("integer", "long") and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if kind in ("double", "float") and isinstance(value, str) and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
        return float(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "string" and isinstance(value, bool):
        return str(value).lower()
    if kind == "string" and _is_number(value):
        return str(value)
    return value


# --- rules the model states only in its documentation ------------------------------------------------------------


@dataclass(frozen=True)
class ProseRule:
    """A rule a member's documentation string states and its shape does not; `quote` must be in that string."""

    service: str
    operation: str
    member: str
    quote: str
    broken_by: Callable[[Mapping[str, Any]], str | None]

    def documentation(self) -> str:
        text = re.sub(r"<[^>]+>", " ", member_shape(self.service, self.operation, self.member).documentation)
        return " ".join(text.split())


def _queue_name_problem(params: Mapping[str, Any]) -> str | None:
    name = str(params["QueueName"])
    fifo = params.get("Attributes", {}).get("FifoQueue") == "true"
    base = name.removesuffix(".fifo") if fifo else name
    if len(name) > 80 or not re.fullmatch(r"[A-Za-z0-9_-]+", base):
        return f"queue name {name!r}: up to 80 alphanumeric characters, hyphens and underscores"
    if fifo and not name.endswith(".fifo"):
        return f"FIFO queue name {name!r} does not end with .fifo"
    return None


def _dashboard_name_problem(params: Mapping[str, Any]) -> str | None:
    name = str(params["DashboardName"])
    return None if re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name) else f"dashboard name {name!r}"


def _dashboard_body_problem(params: Mapping[str, Any]) -> str | None:
    try:
        json.loads(params["DashboardBody"])
    except (TypeError, ValueError) as error:
        return f"dashboard body is not JSON: {error}"
    return None


def _function_name_problem(params: Mapping[str, Any]) -> str | None:
    name = str(params["FunctionName"])
    return None if ":" in name or len(name) <= 64 else f"function name of {len(name)} characters: {name!r}"


def _retention_problem(params: Mapping[str, Any]) -> str | None:
    days = params["retentionInDays"]
    return None if days in LOG_RETENTION_DAYS else f"retention of {days} days is not one of {LOG_RETENTION_DAYS}"


LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)  # fmt: skip
PROSE_RULES = (
    ProseRule("sqs", "CreateQueue", "QueueName", "A queue name can have up to 80 characters.", _queue_name_problem),
    ProseRule(
        "sqs", "CreateQueue", "QueueName", "A FIFO queue name must end with the .fifo suffix.", _queue_name_problem
    ),
    ProseRule(
        "cloudwatch",
        "PutDashboard",
        "DashboardName",
        'The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_".',
        _dashboard_name_problem,
    ),
    ProseRule(
        "cloudwatch",
        "PutDashboard",
        "DashboardBody",
        "The detailed information about the dashboard in JSON format",
        _dashboard_body_problem,
    ),
    ProseRule(
        "lambda",
        "CreateFunction",
        "FunctionName",
        "If you specify only the function name, it is limited to 64 characters in length.",
        _function_name_problem,
    ),
    ProseRule(
        "logs",
        "PutRetentionPolicy",
        "retentionInDays",
        "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
        "2557, 2922, 3288, and 3653.",
        _retention_problem,
    ),
)


# --- requests ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    service: str
    operation: str
    params: dict[str, Any]

    def problems(self) -> list[str]:
        """Every problem botocore's shapes, and the prose rules of this operation, find in the request."""
        shape = service_model(self.service).operation_model(self.operation).input_shape
        assert shape is not None, f"{self.operation} takes no input"
        params = as_cloudformation_converts(self.params, shape)
        report = ShapeValidator().validate(params, shape).generate_report()
        found = [f"{self.operation}: {line}" for line in report.splitlines() if line]
        for rule in PROSE_RULES:
            if (rule.service, rule.operation) == (self.service, self.operation) and rule.member in params:
                broken = rule.broken_by(params)
                if broken and f"{self.operation}: {broken}" not in found:
                    found.append(f"{self.operation}: {broken}")
        return found


def request(service: str, operation: str, **params: Any) -> Request:
    """A request with the members that have a value (an absent property is an absent member)."""
    return Request(service, operation, {key: value for key, value in params.items() if value is not None})
