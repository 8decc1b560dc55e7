"""CloudFormation's side of the resolver: the events it sends (tests/fixtures/events) and the Lambda context."""

from __future__ import annotations

import json
from typing import Any

from tests.support.cfn_response_server import ResponseRecorder
from tests.support.paths import EVENTS


class LambdaContext:
    """What crhelper reads from the Lambda context."""

    aws_request_id = "4f3e2d1c-0b9a-4876-9543-210fedcba987"
    function_name = "ml-endpoint-PackageResolverFunction-AbC123"

    def __init__(self, remaining_ms: int = 60_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def event(kind: str, recorder: ResponseRecorder, **changes: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / f"{kind}.json").read_text())
    return {**loaded, "ResponseURL": recorder.url, **changes}
