"""What each AWS subcommand does: plan, deploy, outputs, destroy, follow. Exit codes: 0 done, 1 failed in AWS,
2 bad input (found before any AWS call that changes anything), 130 stopped following with Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import ClientError

from generator.common.names import OUTPUT_KEYS
from generator.common.patterns import ROLE_ARN
from generator.deploy import checks
from generator.deploy.artifacts_bucket import RESOLVER_PREFIX, TEMPLATE_PREFIX, ArtifactsBucket
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.follow import Follower, Outcome, latest_event_id
from generator.deploy.inputs import InputError
from generator.deploy.plan import ChangeSetFailed, Plan, create_plan, show_plan
from generator.deploy.template_file import EndpointTemplate

TOKEN = "PackageResolutionToken"
GROUP = "ModelPackageGroupName"
CODE_BUCKET, CODE_KEY = "ResolverCodeS3Bucket", "ResolverCodeS3Key"
BOUNDARY = "PermissionsBoundaryArn"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass
class DeployRequest:
    stack_name: str
    given: dict[str, str]
    resolve_latest: bool = False
    artifacts_bucket: str | None = None
    role_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    allow_endpoint_replacement: bool = False
    role_path: str | None = None  # use the one role under this IAM path as the service role (seed-farmer)
    permissions_boundary_name: str | None = None  # a policy of this account, set on every role the stack creates


@dataclass
class Stack:
    """An existing stack as DescribeStacks returns it."""

    raw: dict[str, Any]

    @property
    def stack_id(self) -> str:
        return str(self.raw["StackId"])

    @property
    def status(self) -> str:
        return str(self.raw["StackStatus"])

    @property
    def parameters(self) -> dict[str, str]:
        return {p["ParameterKey"]: p.get("ParameterValue", "") for p in self.raw.get("Parameters") or []}

    @property
    def outputs(self) -> dict[str, str]:
        return {o["OutputKey"]: o["OutputValue"] for o in self.raw.get("Outputs") or []}


class DeployClient:
    def __init__(self, aws: Aws, template: EndpointTemplate, console: Console, stdout: TextIO) -> None:
        self.aws = aws
        self.template = template
        self.console = console
        self.stdout = stdout

    # --- checks --------------------------------------------------------------------------------------------

    def check_offline(self, request: DeployRequest) -> None:
        """Everything that can be judged from the input alone; raises InputError with every problem."""
        specs = self.template.parameters
        given = request.given
        problems = checks.unknown_names(given, specs) + checks.constraint_problems(given, specs)
        known: dict[str, str | None] = dict.fromkeys(specs)
        known |= {name: value for name, value in given.items() if name in specs}
        problems += _unique(checks.rule_problems(self.template.rules, known) + checks.scaling_order_problems(known))
        problems += role_arn_problems(request.role_arn)
        if request.resolve_latest and TOKEN in given:
            problems.append(f"--resolve-latest sets {TOKEN} itself: drop --param {TOKEN}")
        if problems:
            raise InputError(problems)

    def _check_complete(self, values: dict[str, str | None]) -> None:
        specs = self.template.parameters
        problems = checks.missing_required(values, specs)
        problems += _unique(checks.rule_problems(self.template.rules, values) + checks.scaling_order_problems(values))
        if problems:
            raise InputError(problems)

    # --- plan and deploy -----------------------------------------------------------------------------------

    def plan(self, request: DeployRequest) -> int:
        plan = self._make_plan(request)
        if plan is None:
            return EXIT_OK
        self._discard(plan)
        return EXIT_OK

    def deploy(self, request: DeployRequest) -> int:
        plan = self._make_plan(request)
        if plan is None:
            return self.outputs(request.stack_name)
        if plan.replaces_endpoint and not request.allow_endpoint_replacement:
            self._discard(plan)
            self.console.error(
                "refused: the plan replaces the Endpoint. Keep EndpointName as it is, or deploy again with "
                "--allow-endpoint-replacement if a new endpoint is what you want."
            )
            return EXIT_FAILED
        cloudformation = self.aws.client("cloudformation")
        marker = latest_event_id(cloudformation, plan.stack_id)
        cloudformation.execute_change_set(ChangeSetName=plan.change_set_id)
        self.console.line(f"Executing the plan on stack {plan.stack_name}...")
        outcome = self._follow(plan.stack_id, len(plan.changes), marker, request.stack_name)
        if outcome is None:
            return EXIT_INTERRUPTED
        return self._report(outcome, request.stack_name)

    def _make_plan(self, request: DeployRequest) -> Plan | None:
        """The change set for this request, shown; None when there is nothing to change."""
        self.check_offline(request)
        cloudformation = self.aws.client("cloudformation")
        existing = self._existing_stack(request.stack_name, clear_failed_create=True)
        values = self._values(request, existing)
        uploads_resolver = bool(values.get(GROUP)) and CODE_BUCKET not in request.given
        self._check_complete({**values, CODE_BUCKET: "set-by-the-deploy-client"} if uploads_resolver else values)
        if request.permissions_boundary_name:
            account, partition = self.aws.identity
            values[BOUNDARY] = f"arn:{partition}:iam::{account}:policy/{request.permissions_boundary_name}"
        role_arn = self._role_under(request.role_path) if request.role_path else request.role_arn
        artifacts = ArtifactsBucket(self.aws, request.artifacts_bucket)
        if uploads_resolver:
            values |= self._upload_resolver(artifacts)
        body = self._template_source(artifacts)
        change_request: dict[str, Any] = {
            "StackName": request.stack_name,
            **body,
            "Parameters": self._parameters_to_send(values, update=existing is not None),
            "Capabilities": self.template.capabilities,
            "Description": "sagemaker-endpoint deploy",
        }
        if role_arn:
            change_request["RoleARN"] = role_arn
        if request.tags:
            change_request["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags.items()]
        try:
            plan = create_plan(cloudformation, change_request, "UPDATE" if existing else "CREATE")
        except ChangeSetFailed as failed:
            self._discard(failed.plan)
            raise DeployFailed(f"CloudFormation could not plan the change: {failed.reason}") from None
        if plan.no_changes:
            self._discard(plan)
            self.console.success(f"No changes: stack {request.stack_name} already matches the template and parameters.")
            return None
        show_plan(plan, self.console)
        return plan

    def _values(self, request: DeployRequest, existing: Stack | None) -> dict[str, str | None]:
        """Every parameter: as given, else as the stack has it now, else the template's default (None: none)."""
        values: dict[str, str | None] = {
            name: str(spec.get("Default", "")) if "Default" in spec else None
            for name, spec in self.template.parameters.items()
        }
        if existing:
            values |= {k: v for k, v in existing.parameters.items() if k in values}
        values |= request.given
        if request.resolve_latest:
            values[TOKEN] = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        return values

    def _role_under(self, path: str) -> str:
        """The one role under an IAM path (case-insensitive: seed-farmer lower-cases the project in one place)."""
        first_segment = "/" + path.strip("/").split("/")[0] + "/"  # exact below; IAM's prefix match is case-sensitive
        pages = self.aws.client("iam").get_paginator("list_roles").paginate(PathPrefix=first_segment)
        roles = [r["Arn"] for page in pages for r in page["Roles"] if r["Path"].lower() == path.lower()]
        if len(roles) != 1:
            raise DeployFailed(
                f"expected one deployer role under the IAM path {path}, found {len(roles)}: deploy the module's "
                "modulestack.yaml (seed-farmer does, before the module)"
            )
        return str(roles[0])

    def _parameters_to_send(self, values: dict[str, str | None], update: bool) -> list[dict[str, str]]:
        """An update sends every value (the previous ones kept, as `aws cloudformation deploy` keeps them);
        a create only those that differ from the template's defaults."""
        specs = self.template.parameters
        return [
            {"ParameterKey": name, "ParameterValue": value}
            for name, value in values.items()
            if value is not None and (update or value != str(specs[name].get("Default", "")))
        ]

    def _upload_resolver(self, artifacts: ArtifactsBucket) -> dict[str, str | None]:
        from generator.common.lambda_zip import build_resolver_package  # noqa: PLC0415  # only group mode needs the zip

        package = build_resolver_package()
        upload = artifacts.upload(RESOLVER_PREFIX + package.file_name, package.content)
        self.console.line(f"Resolver code: s3://{upload.bucket}/{upload.key}")
        return {CODE_BUCKET: upload.bucket, CODE_KEY: upload.key}

    def _template_source(self, artifacts: ArtifactsBucket) -> dict[str, str]:
        if self.template.fits_inline:
            return {"TemplateBody": self.template.body}
        digest = hashlib.sha256(self.template.body.encode()).hexdigest()
        upload = artifacts.upload(f"{TEMPLATE_PREFIX}sagemaker-endpoint-{digest}.yaml", self.template.body.encode())
        self.console.line(f"Template: over the inline limit, sent as s3://{upload.bucket}/{upload.key}")
        return {"TemplateURL": upload.url}

    def _discard(self, plan: Plan) -> None:
        """Delete the change set, and the empty stack a CREATE change set leaves in REVIEW_IN_PROGRESS."""
        cloudformation = self.aws.client("cloudformation")
        cloudformation.delete_change_set(ChangeSetName=plan.change_set_id)
        if plan.change_type == "CREATE":
            cloudformation.delete_stack(StackName=plan.stack_id)

    def _existing_stack(self, name: str, clear_failed_create: bool = False) -> Stack | None:
        """The stack to update, or None to create one. A failed create (ROLLBACK_COMPLETE) holds nothing and
        cannot be updated: it is deleted first, as CDK does. A stack in progress is not touched."""
        stack = self._describe(name)
        if stack is None or stack.status == "REVIEW_IN_PROGRESS":
            return None
        if stack.status.endswith("_IN_PROGRESS"):
            raise DeployFailed(
                f"stack {name} is busy ({stack.status}): wait for it, or watch it with "
                f"`sagemaker-endpoint follow --stack-name {name}`"
            )
        if stack.status == "ROLLBACK_COMPLETE" and clear_failed_create:
            self.console.line(f"Stack {name} is an empty failed create (ROLLBACK_COMPLETE): deleting it first.")
            cloudformation = self.aws.client("cloudformation")
            cloudformation.delete_stack(StackName=stack.stack_id)
            cloudformation.get_waiter("stack_delete_complete").wait(StackName=stack.stack_id, WaiterConfig={"Delay": 2})
            return None
        return stack

    def _describe(self, name: str) -> Stack | None:
        try:
            (raw,) = self.aws.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
        except ClientError as error:
            if "does not exist" in error.response["Error"].get("Message", ""):
                return None
            raise
        return Stack(raw)

    # --- following and reporting ---------------------------------------------------------------------------

    def _follow(self, stack_id: str, total: int, marker: str | None, name: str) -> Outcome | None:
        follower = Follower(self.aws, self.console, stack_id, total)
        try:
            return follower.follow(marker)
        except KeyboardInterrupt:
            self.console.line()
            self.console.warning(
                f"stopped following; CloudFormation carries on with stack {name}. "
                f"Follow it again with: sagemaker-endpoint follow --stack-name {name}"
            )
            return None

    def _report(self, outcome: Outcome, name: str) -> int:
        if outcome.succeeded:
            self.console.success(f"Stack {name}: {outcome.status}")
            return self.outputs(name) if outcome.status != "DELETE_COMPLETE" else EXIT_OK
        cause = outcome.root_cause
        if cause:
            self.console.error(f"{cause.logical_id} ({cause.resource_type}) {cause.status}: {cause.reason}")
        self.console.line(self._final_state(outcome, name), "bold")
        return EXIT_FAILED

    def _final_state(self, outcome: Outcome, name: str) -> str:
        status = outcome.status
        if status == "ROLLBACK_COMPLETE":
            kept = outcome.physical_ids("AWS::KMS::Key")
            left = f" but the KMS key {kept[0]}, retained by design" if kept else ""
            return f"rolled back ({status}): nothing was left behind{left}; the next deploy replaces the empty stack."
        if status == "UPDATE_ROLLBACK_COMPLETE":
            stack = self._describe(name)
            serving = stack.outputs.get("ModelPackageArn", "its previous model package") if stack else "?"
            return f"rolled back ({status}): the endpoint still serves {serving}"
        if status == "UPDATE_ROLLBACK_FAILED":
            return (
                f"stack {name} is {status} and needs a person: fix the cause above, then run "
                f"`aws cloudformation continue-update-rollback --stack-name {name}`"
            )
        return f"stack {name} ended in {status}"

    # --- outputs, destroy, follow --------------------------------------------------------------------------

    def outputs(self, name: str) -> int:
        stack = self._describe(name)
        if stack is None:
            raise DeployFailed(f"no stack named {name} in {self.aws.region_name}")
        outputs = stack.outputs
        missing = [key for key in OUTPUT_KEYS if key not in outputs]
        if missing:
            raise DeployFailed(
                f"stack {name} ({stack.status}) has no output {', '.join(missing)}: "
                "is it a sagemaker-endpoint stack, and deployed?"
            )
        json.dump({key: outputs[key] for key in OUTPUT_KEYS}, self.stdout, indent=2)
        self.stdout.write("\n")
        return EXIT_OK

    def destroy(self, name: str, role_arn: str | None = None) -> int:
        if problems := role_arn_problems(role_arn):
            raise InputError(problems)
        stack = self._describe(name)
        if stack is None:
            self.console.line(f"No stack named {name} in {self.aws.region_name}: nothing to destroy.")
            return EXIT_OK
        if stack.status.endswith("_IN_PROGRESS"):
            raise DeployFailed(f"stack {name} is busy ({stack.status}): wait for it, then destroy")
        cloudformation = self.aws.client("cloudformation")
        resources = cloudformation.list_stack_resources(StackName=stack.stack_id)["StackResourceSummaries"]
        keys = [
            r["PhysicalResourceId"]
            for r in resources
            if r["ResourceType"] == "AWS::KMS::Key" and r.get("PhysicalResourceId")
        ]
        marker = latest_event_id(cloudformation, stack.stack_id)
        cloudformation.delete_stack(StackName=stack.stack_id, **({"RoleARN": role_arn} if role_arn else {}))
        self.console.line(f"Deleting stack {name} ({len(resources)} resources)...")
        outcome = self._follow(stack.stack_id, len(resources), marker, name)
        if outcome is None:
            return EXIT_INTERRUPTED
        code = self._report(outcome, name)
        for key in keys if code == EXIT_OK else []:
            self.console.line(
                f"Kept the KMS key {key} (DeletionPolicy Retain: data encrypted with it stays readable). "
                f"To delete it after a 30-day wait: aws kms schedule-key-deletion --key-id {key} "
                f"--pending-window-in-days 30 --region {self.aws.region_name}"
            )
        return code

    def follow(self, name: str) -> int:
        stack = self._describe(name)
        if stack is None:
            raise DeployFailed(f"no stack named {name} in {self.aws.region_name}")
        if not stack.status.endswith("_IN_PROGRESS"):
            self.console.line(f"Stack {name} is {stack.status}; nothing in progress.")
            return (
                self.outputs(name) if stack.status.endswith("_COMPLETE") and "ROLLBACK" not in stack.status else EXIT_OK
            )
        resources = self.aws.client("cloudformation").list_stack_resources(StackName=stack.stack_id)
        marker = latest_event_id(self.aws.client("cloudformation"), stack.stack_id)
        outcome = self._follow(stack.stack_id, len(resources["StackResourceSummaries"]), marker, name)
        return EXIT_INTERRUPTED if outcome is None else self._report(outcome, name)


class DeployFailed(Exception):
    """An AWS-side failure with a message a person can act on (exit code 1)."""


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))


def role_arn_problems(role_arn: str | None) -> list[str]:
    if role_arn is None or re.fullmatch(ROLE_ARN, role_arn):
        return []
    return [f"--role-arn {role_arn!r}: must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"]
