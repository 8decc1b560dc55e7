"""`deploy`: plan, refuse an Endpoint replacement unless allowed, ask before replacing or removing anything on a
terminal, execute, follow, report, and check that the endpoint serves what the stack says."""

from __future__ import annotations

from generator.deploy.bus_policy import BUS_POLICY, bus_policy_warning
from generator.deploy.context import EXIT_FAILED, EXIT_INTERRUPTED, DeployContext
from generator.deploy.report import follow_operation, print_outputs, report
from generator.deploy.request import DeployRequest, discard, prepare_plan
from generator.deploy.serving import check_serving


def run(context: DeployContext, request: DeployRequest, *, always_ask: bool = False) -> int:
    """`always_ask`: ask on a terminal before any plan (promote), not only one that replaces or removes."""
    plan = prepare_plan(context, request)
    if plan is None:
        check_serving(context, request.stack_name)
        return print_outputs(context, request.stack_name)
    if plan.replaces_endpoint and not request.allow_endpoint_replacement:
        discard(context, plan)
        context.console.error(
            "refused: the plan replaces the Endpoint. Keep EndpointName as it is, or deploy again with "
            "--allow-endpoint-replacement if a new endpoint is what you want."
        )
        return EXIT_FAILED
    if any(change.action == "Add" and change.logical_id == BUS_POLICY for change in plan.changes):
        warning = bus_policy_warning(context.aws.client("events"))
        if warning:
            context.console.warning(warning)
    asks = (plan.destructive or always_ask) and context.console.is_terminal and not request.yes
    question = "The plan replaces or removes resources. Execute it?" if plan.destructive else "Execute the plan?"
    if asks and not context.console.confirm(question):
        discard(context, plan)
        context.console.line("Not executed: nothing was changed.")
        return EXIT_FAILED
    marker = context.cloudformation.latest_event_id(plan.stack_id)
    context.cloudformation.execute_change_set(plan.change_set_id)
    context.console.line(f"Executing the plan on stack {plan.stack_name}...")
    outcome = follow_operation(context, plan.stack_id, len(plan.changes), marker, request.stack_name)
    if outcome is None:
        return EXIT_INTERRUPTED
    if outcome.succeeded:
        check_serving(context, request.stack_name)  # before the outputs: they would claim what is not served
    return report(context, outcome, request.stack_name)
