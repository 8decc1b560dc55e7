"""`deploy`: plan, refuse an Endpoint replacement unless allowed, execute, follow, report."""

from __future__ import annotations

from generator.deploy.context import EXIT_FAILED, EXIT_INTERRUPTED, DeployContext
from generator.deploy.report import follow_operation, print_outputs, report
from generator.deploy.request import DeployRequest, discard, prepare_plan


def run(context: DeployContext, request: DeployRequest) -> int:
    plan = prepare_plan(context, request)
    if plan is None:
        return print_outputs(context, request.stack_name)
    if plan.replaces_endpoint and not request.allow_endpoint_replacement:
        discard(context, plan)
        context.console.error(
            "refused: the plan replaces the Endpoint. Keep EndpointName as it is, or deploy again with "
            "--allow-endpoint-replacement if a new endpoint is what you want."
        )
        return EXIT_FAILED
    marker = context.cloudformation.latest_event_id(plan.stack_id)
    context.cloudformation.execute_change_set(plan.change_set_id)
    context.console.line(f"Executing the plan on stack {plan.stack_name}...")
    outcome = follow_operation(context, plan.stack_id, len(plan.changes), marker, request.stack_name)
    return EXIT_INTERRUPTED if outcome is None else report(context, outcome, request.stack_name)
