"""`follow`: watch a stack operation in progress to its end, as deploy and destroy do."""

from __future__ import annotations

from generator.deploy.context import EXIT_INTERRUPTED, EXIT_OK, DeployContext, DeployFailed
from generator.deploy.report import follow_operation, print_outputs, report
from generator.deploy.verbs.options import Commands, Options, aws_verb


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser("follow", parents=[options.stack], help="follow a stack operation in progress")
    parser.set_defaults(run=aws_verb(lambda args, context: run(context, args.stack_name)))


def run(context: DeployContext, name: str) -> int:
    stack = context.cloudformation.describe(name)
    if stack is None:
        raise DeployFailed(f"no stack named {name} in {context.aws.region_name}")
    if not stack.busy:
        context.console.line(f"Stack {name} is {stack.status}; nothing in progress.")
        settled = stack.status.endswith("_COMPLETE") and "ROLLBACK" not in stack.status
        return print_outputs(context, name) if settled else EXIT_OK
    resources = context.cloudformation.resources(stack.stack_id)
    marker = context.cloudformation.latest_event_id(stack.stack_id)
    outcome = follow_operation(context, stack.stack_id, len(resources), marker, name)
    return EXIT_INTERRUPTED if outcome is None else report(context, outcome, name)
