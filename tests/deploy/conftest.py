"""The deploy client's tests: the live preflight (generator.deploy.preflight) is stood aside in every test but those
marked `live_preflight` (tests/deploy/test_preflight.py, which asserts its exact calls on Stubbers), so that a test
about the change set or the follower queues only the calls it is about. The e2e tests run it for real on moto."""

from __future__ import annotations

from typing import Any

import pytest

from generator.deploy import request as deploy_request


@pytest.fixture(autouse=True)
def preflight_stood_aside(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The values each preflight was given, in order; the real one when the test is marked live_preflight."""
    seen: list[dict[str, Any]] = []
    if request.node.get_closest_marker("live_preflight") is None:
        monkeypatch.setattr(deploy_request, "preflight", lambda _context, values, *_a, **_k: seen.append(dict(values)))
    return seen
