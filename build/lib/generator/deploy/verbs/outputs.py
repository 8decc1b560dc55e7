"""`outputs`: the stack's seven outputs as JSON."""

from __future__ import annotations

from generator.deploy.context import DeployContext
from generator.deploy.report import print_outputs


def run(context: DeployContext, name: str) -> int:
    return print_outputs(context, name)
