"""`outputs`: the stack's seven outputs as JSON."""

from __future__ import annotations

from generator.deploy.context import DeployContext
from generator.deploy.report import print_outputs
from generator.deploy.verbs.options import Commands, Options, aws_verb


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser("outputs", parents=[options.stack], help="print the stack's outputs as JSON")
    parser.set_defaults(run=aws_verb(lambda args, context: run(context, args.stack_name)))


def run(context: DeployContext, name: str) -> int:
    return print_outputs(context, name)
