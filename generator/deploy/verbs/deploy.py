"""`deploy`: plan, refuse an Endpoint replacement unless allowed, ask before replacing or removing anything on a
terminal, execute, follow, report, and check that the endpoint serves what the stack says."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from generator.deploy import engine
from generator.deploy.bus_policy import BUS_POLICY, bus_policy_warning
from generator.deploy.change_sets import Plan, show_plan
from generator.deploy.context import EXIT_INTERRUPTED, DeployContext
from generator.deploy.report import follow_operation, print_outputs, report
from generator.deploy.request import DeployRequest, discard, prepare_plan
from generator.deploy.serving import check_serving
from generator.deploy.verbs.options import Commands, Options, aws_verb, deploy_request


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser(
        "deploy", parents=[options.inputs], help="plan, execute and follow; print the outputs as JSON"
    )
    parser.add_argument(
        "--allow-endpoint-replacement", action="store_true", help="accept a plan that replaces the Endpoint"
    )
    parser.add_argument(
        "--yes", action="store_true", help="on a terminal, execute a plan that replaces or removes without asking"
    )
    parser.set_defaults(run=aws_verb(_run))


def _run(args: argparse.Namespace, context: DeployContext) -> int:
    allow, yes = args.allow_endpoint_replacement, args.yes
    return run(context, deploy_request(args, context, allow_endpoint_replacement=allow, yes=yes))


def run(context: DeployContext, request: DeployRequest, *, always_ask: bool = False) -> int:
    """`always_ask`: ask on a terminal before any plan (promote), not only one that replaces or removes."""
    return engine.run(context.console, StackDeploy(context, request, always_ask=always_ask), yes=request.yes)


@dataclass
class StackDeploy(engine.Operation[Plan]):
    """A stack's deploy, as the engine runs it: a change set planned, shown, refused when it replaces the Endpoint
    without the flag, asked about on a terminal when it replaces or removes anything (or always, for promote),
    executed, followed, verified and reported."""

    context: DeployContext
    request: DeployRequest
    always_ask: bool = False

    def plan(self) -> Plan | None:
        return prepare_plan(self.context, self.request)

    def unchanged(self) -> int:
        check_serving(self.context, self.request.stack_name)
        return print_outputs(self.context, self.request.stack_name)

    def show(self, plan: Plan) -> None:
        show_plan(plan, self.context.console)
        adds_bus_policy = any(change.action == "Add" and change.logical_id == BUS_POLICY for change in plan.changes)
        if adds_bus_policy and (warning := bus_policy_warning(self.context.aws.client("events"))):
            self.context.console.warning(warning)

    def refusal(self, plan: Plan) -> str | None:
        if plan.replaces_endpoint and not self.request.allow_endpoint_replacement:
            return (
                "the plan replaces the Endpoint. Keep EndpointName as it is, or deploy again with "
                "--allow-endpoint-replacement if a new endpoint is what you want."
            )
        return None

    def question(self, plan: Plan) -> str | None:
        if plan.destructive:
            return "The plan replaces or removes resources. Execute it?"
        return "Execute the plan?" if self.always_ask else None

    def discard(self, plan: Plan) -> None:
        discard(self.context, plan)

    def apply(self, plan: Plan) -> int:
        context, name = self.context, self.request.stack_name
        marker = context.cloudformation.latest_event_id(plan.stack_id)
        context.cloudformation.execute_change_set(plan.change_set_id)
        context.console.line(f"Executing the plan on stack {plan.stack_name}...")
        outcome = follow_operation(context, plan.stack_id, len(plan.changes), marker, name)
        if outcome is None:
            return EXIT_INTERRUPTED
        if outcome.succeeded:
            check_serving(context, name)  # before the outputs: they would claim what is not served
        return report(context, outcome, name)
