"""`python -m tests.support.acceptance run|clean`: what `make acceptance` and `make acceptance-clean` run.

`run`: the preflight (opt-in, account, cost bound), then the scenarios of tests.acceptance under pytest, with
`--confcutdir` so that the unit tests' conftest (which sets stand-in credentials) stays out. `clean`: the same
opt-in and account check, then the sweeper.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping, Sequence

import boto3
import pytest

from tests.support.acceptance.preflight import (
    EXIT_MISCONFIGURED,
    EXIT_NOT_OPTED_IN,
    PlanHolder,
    checked_caller,
    needs,
    preflight,
)
from tests.support.acceptance.removal import sweep
from tests.support.acceptance.settings import Settings, read_settings
from tests.support.acceptance.world import client_factory
from tests.support.paths import ROOT

LANE = ROOT / "tests" / "acceptance"
PYTEST_ARGS = ["--confcutdir", str(LANE), "-m", "acceptance", "-s", "-v", str(LANE)]


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in ("run", "clean"):
        say(f"usage: python -m tests.support.acceptance run|clean (not {command!r})")
        return EXIT_MISCONFIGURED
    settings, problems = read_settings(os.environ)
    region_for_boto3(os.environ)
    session = boto3.Session()
    if command == "clean":
        return clean(settings, problems, session)
    outcome = preflight(settings, problems, session)
    for line in outcome.lines:
        say(line)
    if outcome.plan is None:
        return outcome.code
    return int(pytest.main(PYTEST_ARGS, plugins=[PlanHolder(outcome.plan)]))


def clean(settings: Settings | None, problems: list[str], session: boto3.Session) -> int:
    """The same opt-in and account check as `run`, then the sweeper: exit 1 while something could not be removed."""
    if settings is None:
        for line in [f"error: {problem}" for problem in problems] or ["Nothing removed: not opted in."]:
            say(line)
        for line in needs():
            say(line)
        return EXIT_MISCONFIGURED if problems else EXIT_NOT_OPTED_IN
    caller, problems = checked_caller(settings, session)
    if caller is None:
        for problem in problems:
            say(f"error: {problem}")
        return EXIT_MISCONFIGURED
    which = f"run {settings.run_id}" if settings.run_id else "every run"
    say(f"Sweeping {which} of the acceptance lane in account {caller.account}, {session.region_name}:")
    return 0 if sweep(client_factory(session), say, settings.run_id).clean else 1


def region_for_boto3(env: MutableMapping[str, str]) -> None:
    """boto3 reads the Region from AWS_DEFAULT_REGION, not AWS_REGION (which other AWS SDKs read): AWS_REGION alone
    is passed on, to this process's sessions and to the commands it runs."""
    if env.get("AWS_REGION") and not env.get("AWS_DEFAULT_REGION"):
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"]


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
