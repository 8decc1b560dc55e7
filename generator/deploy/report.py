"""Following a stack operation to its end and saying how it ended: the root cause first, then what is left."""

from __future__ import annotations

import json

from custom_resource.contract import Outputs
from generator.deploy.context import EXIT_FAILED, EXIT_OK, DeployContext, DeployFailed
from generator.deploy.progress import Follower, Outcome


def follow_operation(
    context: DeployContext, stack_id: str, total: int, marker: str | None, name: str
) -> Outcome | None:
    """The operation's outcome; None when the person stopped following with Ctrl-C."""
    follower = Follower(context.aws, context.console, stack_id, total)
    try:
        return follower.follow(marker)
    except KeyboardInterrupt:
        context.console.line()
        context.console.warning(
            f"stopped following; CloudFormation carries on with stack {name}. "
            f"Follow it again with: sagemaker-endpoint follow --stack-name {name}"
        )
        return None


def report(context: DeployContext, outcome: Outcome, name: str) -> int:
    """Success: the status and the outputs. Failure: the root cause, then the state the stack was left in."""
    if outcome.succeeded:
        context.console.success(f"Stack {name}: {outcome.status}")
        return print_outputs(context, name) if outcome.status != "DELETE_COMPLETE" else EXIT_OK
    cause = outcome.root_cause
    if cause:
        context.console.error(f"{cause.logical_id} ({cause.resource_type}) {cause.status}: {cause.reason}")
    context.console.line(_final_state(context, outcome, name), "bold")
    return EXIT_FAILED


def _final_state(context: DeployContext, outcome: Outcome, name: str) -> str:
    status = outcome.status
    if status == "ROLLBACK_COMPLETE":
        kept = outcome.physical_ids("AWS::KMS::Key")
        left = f" but the KMS key {kept[0]}, retained by design" if kept else ""
        return f"rolled back ({status}): nothing was left behind{left}; the next deploy replaces the empty stack."
    if status == "UPDATE_ROLLBACK_COMPLETE":
        stack = context.cloudformation.describe(name)
        serving = stack.outputs.get(Outputs.MODEL_PACKAGE_ARN, "its previous model package") if stack else "?"
        return f"rolled back ({status}): the endpoint still serves {serving}"
    if status == "UPDATE_ROLLBACK_FAILED":
        return (
            f"stack {name} is {status} and needs a person: fix the cause above, then run "
            f"`aws cloudformation continue-update-rollback --stack-name {name}`"
        )
    return f"stack {name} ended in {status}"


def print_outputs(context: DeployContext, name: str) -> int:
    """The outputs as one JSON object on stdout: the endpoint's seven in the order of the module we replace."""
    stack = context.cloudformation.describe(name)
    if stack is None:
        raise DeployFailed(f"no stack named {name} in {context.aws.region_name}")
    outputs = stack.outputs
    keys = context.template.output_keys
    missing = [key for key in keys if key not in outputs]
    if missing:
        raise DeployFailed(
            f"stack {name} ({stack.status}) has no output {', '.join(missing)}: "
            "is it a sagemaker-endpoint stack, and deployed?"
        )
    json.dump({key: outputs[key] for key in keys}, context.stdout, indent=2)
    context.stdout.write("\n")
    return EXIT_OK
