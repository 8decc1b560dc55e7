"""`plan`: show what a deploy would change, then delete the change set: the engine's plan and show steps of `deploy`,
never applied."""

from __future__ import annotations

from dataclasses import replace

from generator.deploy.context import EXIT_OK, DeployContext
from generator.deploy.request import DeployRequest
from generator.deploy.verbs.deploy import StackDeploy
from generator.deploy.verbs.options import Commands, Options, aws_verb, deploy_request


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser(
        "plan", parents=[options.inputs], help="show what a deploy would change (a change set, then deleted)"
    )
    parser.set_defaults(run=aws_verb(lambda args, context: run(context, deploy_request(args, context))))


def run(context: DeployContext, request: DeployRequest) -> int:
    operation = StackDeploy(context, replace(request, planning=True))
    plan = operation.plan()
    if plan is not None:
        operation.show(plan)
        operation.discard(plan)
    return EXIT_OK
