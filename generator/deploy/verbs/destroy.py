"""`destroy`: delete the stack, follow it, remove the endpoint configs and models earlier deploys kept (the stack
retains them when it replaces them: see generator.deploy.retained_cleanup), and name the KMS key it keeps with the
command that deletes it. The engine runs it as it runs a deploy: plan (read the stack), show, confirm, apply."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from generator.deploy import engine
from generator.deploy.cloudformation import DeployedStack
from generator.deploy.components import destroy_refusal
from generator.deploy.context import EXIT_INTERRUPTED, EXIT_OK, DeployContext, DeployFailed, Refused
from generator.deploy.inputs import InputError
from generator.deploy.report import follow_operation, report
from generator.deploy.request import role_arn_problems
from generator.deploy.retained_cleanup import remove_all
from generator.deploy.verbs.options import Commands, Options, aws_verb, stack_name_of

KEY_TYPE = "AWS::KMS::Key"
REVIEW = "REVIEW_IN_PROGRESS"
RETAINED_TYPES = ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig")  # UpdateReplacePolicy Retain


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser(
        "destroy", parents=[options.module, options.template], help="delete the stack and follow it"
    )
    parser.add_argument("--role-arn", metavar="ARN", help="service role CloudFormation uses for the delete")
    parser.add_argument("--yes", action="store_true", help="delete without asking, even on a terminal")
    parser.set_defaults(run=aws_verb(_run))


def _run(args: argparse.Namespace, context: DeployContext) -> int:
    return run(context, stack_name_of(args, context), args.role_arn, yes=args.yes)


def run(context: DeployContext, name: str, role_arn: str | None = None, *, yes: bool = False) -> int:
    """On a terminal, what is deleted is shown and asked about unless `yes`; elsewhere (CI) it is deleted."""
    if problems := role_arn_problems(role_arn):
        raise InputError(problems)
    return engine.run(context.console, StackDestroy(context, name, role_arn, asks=not yes), yes=yes)


@dataclass(frozen=True)
class Deletion:
    """The stack to delete, with what it holds."""

    stack: DeployedStack
    resources: list[dict[str, Any]]

    @property
    def keys(self) -> list[str]:
        return [r["PhysicalResourceId"] for r in self.resources if r["ResourceType"] == KEY_TYPE and
                r.get("PhysicalResourceId")]  # fmt: skip

    @property
    def retains(self) -> bool:
        return any(r["ResourceType"] in RETAINED_TYPES for r in self.resources)


@dataclass
class StackDestroy(engine.Operation[Deletion]):
    """A stack's deletion, as the engine runs it."""

    context: DeployContext
    name: str
    role_arn: str | None = None
    asks: bool = False  # show what is deleted before the question (on a terminal, without --yes)

    def plan(self) -> Deletion | None:
        """The stack and what it holds. REVIEW_IN_PROGRESS ends in _IN_PROGRESS but nothing is at work on it: a
        change set made and never executed (a stopped plan), which never changes by itself, so it is deleted."""
        stack = self.context.cloudformation.describe(self.name)
        if stack is None:
            return None
        if stack.busy and stack.status != REVIEW:
            raise DeployFailed(f"stack {self.name} is busy ({stack.status}): wait for it, then destroy")
        if refusal := destroy_refusal(self.context, stack, self.name):
            raise Refused(f"{refusal}. Nothing was deleted; {self.name} is unchanged.")
        return Deletion(stack, self.context.cloudformation.resources(stack.stack_id))

    def show(self, plan: Deletion) -> None:
        if not (self.asks and self.context.console.is_terminal):
            return
        line = self.context.console.line
        line(f"Stack {self.name} ({plan.stack.status}) and its {len(plan.resources)} resources will be deleted:")
        for resource in plan.resources:
            kept = " (kept: DeletionPolicy Retain)" if resource["ResourceType"] == KEY_TYPE else ""
            line(f"  - {resource['LogicalResourceId']} ({resource['ResourceType']}){kept}")

    def question(self, plan: Deletion) -> str | None:  # noqa: ARG002  # every destroy is asked about on a terminal
        return f"Delete stack {self.name}?"

    def unchanged(self) -> int:
        self.context.console.line(f"No stack named {self.name} in {self.context.aws.region_name}: nothing to destroy.")
        return EXIT_OK

    def apply(self, plan: Deletion) -> int:
        context, stack = self.context, plan.stack
        marker = context.cloudformation.latest_event_id(stack.stack_id)
        context.cloudformation.delete_stack(stack.stack_id, self.role_arn)
        context.console.line(f"Deleting stack {self.name} ({len(plan.resources)} resources)...")
        outcome = follow_operation(context, stack.stack_id, len(plan.resources), marker, self.name)
        if outcome is None:
            return EXIT_INTERRUPTED
        code = report(context, outcome, self.name)
        if code == EXIT_OK and plan.retains:  # the endpoint is gone with the stack: nothing can serve them any more
            remove_all(context, stack.stack_id, stack.created)
        for key in plan.keys if code == EXIT_OK else []:
            context.console.line(
                f"Kept the KMS key {key} (DeletionPolicy Retain: data encrypted with it stays readable). "
                f"To delete it after a 30-day wait: aws kms schedule-key-deletion --key-id {key} "
                f"--pending-window-in-days 30 --region {context.aws.region_name}"
            )
        return code
