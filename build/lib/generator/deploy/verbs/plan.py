"""`plan`: show what a deploy would change, then delete the change set."""

from __future__ import annotations

from generator.deploy.context import EXIT_OK, DeployContext
from generator.deploy.request import DeployRequest, discard, prepare_plan


def run(context: DeployContext, request: DeployRequest) -> int:
    plan = prepare_plan(context, request)
    if plan is not None:
        discard(context, plan)
    return EXIT_OK
