"""`destroy`: delete the stack, follow it, remove the endpoint configs and models earlier deploys kept (the stack
retains them when it replaces them: see generator.deploy.retained_cleanup), and name the KMS key it keeps with the
command that deletes it."""

from __future__ import annotations

from generator.deploy.components import destroy_refusal
from generator.deploy.context import EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED, DeployContext, DeployFailed
from generator.deploy.inputs import InputError
from generator.deploy.report import follow_operation, report
from generator.deploy.request import role_arn_problems
from generator.deploy.retained_cleanup import remove_all

KEY_TYPE = "AWS::KMS::Key"
RETAINED_TYPES = ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig")  # UpdateReplacePolicy Retain


def run(context: DeployContext, name: str, role_arn: str | None = None) -> int:
    if problems := role_arn_problems(role_arn):
        raise InputError(problems)
    stack = context.cloudformation.describe(name)
    if stack is None:
        context.console.line(f"No stack named {name} in {context.aws.region_name}: nothing to destroy.")
        return EXIT_OK
    if stack.busy:
        raise DeployFailed(f"stack {name} is busy ({stack.status}): wait for it, then destroy")
    if refusal := destroy_refusal(context, stack, name):
        context.console.error(f"refused: {refusal}")
        context.console.line(f"Nothing was deleted; {name} is unchanged.")
        return EXIT_REFUSED
    resources = context.cloudformation.resources(stack.stack_id)
    keys = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == KEY_TYPE and r.get("PhysicalResourceId")]
    retains = any(r["ResourceType"] in RETAINED_TYPES for r in resources)
    marker = context.cloudformation.latest_event_id(stack.stack_id)
    context.cloudformation.delete_stack(stack.stack_id, role_arn)
    context.console.line(f"Deleting stack {name} ({len(resources)} resources)...")
    outcome = follow_operation(context, stack.stack_id, len(resources), marker, name)
    if outcome is None:
        return EXIT_INTERRUPTED
    code = report(context, outcome, name)
    if code == EXIT_OK and retains:  # the endpoint is gone with the stack: nothing can serve them any more
        remove_all(context, stack.stack_id, stack.created)
    for key in keys if code == EXIT_OK else []:
        context.console.line(
            f"Kept the KMS key {key} (DeletionPolicy Retain: data encrypted with it stays readable). "
            f"To delete it after a 30-day wait: aws kms schedule-key-deletion --key-id {key} "
            f"--pending-window-in-days 30 --region {context.aws.region_name}"
        )
    return code
