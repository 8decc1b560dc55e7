"""`plan`: show what a deploy would change, then delete the change set."""

from __future__ import annotations

from generator.deploy.context import EXIT_OK, DeployContext
from generator.deploy.request import DeployRequest, discard, prepare_plan
from generator.deploy.verbs.options import Commands, Options, aws_verb, deploy_request


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser(
        "plan", parents=[options.inputs], help="show what a deploy would change (a change set, then deleted)"
    )
    parser.set_defaults(run=aws_verb(lambda args, context: run(context, deploy_request(args, context))))


def run(context: DeployContext, request: DeployRequest) -> int:
    plan = prepare_plan(context, request)
    if plan is not None:
        discard(context, plan)
    return EXIT_OK
