"""From a deploy request to a shown plan: the input checked offline, merged with the stack's current values,
the artifacts uploaded, and a change set made. Shared by `plan` and `deploy`."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from custom_resource.contract import RESOLUTION_TOKEN_PARAMETER, Outputs
from generator.common.patterns import ROLE_ARN
from generator.deploy import checks, service_limits
from generator.deploy.artifacts_bucket import RESOLVER_PREFIX, TEMPLATE_PREFIX, ArtifactsBucket
from generator.deploy.change_sets import ChangeSetFailed, Plan, create_plan
from generator.deploy.cloudformation import DeployedStack, shown
from generator.deploy.components import compute_problems, is_component_template
from generator.deploy.context import DeployContext, DeployFailed, Refused
from generator.deploy.engine import Values, merged_values
from generator.deploy.failed_creates import FAILED_CREATE
from generator.deploy.in_place_updates import in_place_problems
from generator.deploy.inputs import InputError
from generator.deploy.preflight import Findings, preflight
from generator.deploy.steps import step

TOKEN = RESOLUTION_TOKEN_PARAMETER  # the approval updater sets it too
ENDPOINT_TYPE, REAL_TIME, NAME = "EndpointType", "RealTime", "EndpointName"
GROUP, PACKAGE = checks.GROUP, checks.PACKAGE
CODE_BUCKET, CODE_KEY = "ResolverCodeS3Bucket", "ResolverCodeS3Key"
BOUNDARY = "PermissionsBoundaryArn"
# "A stack name can contain only alphanumeric characters (case sensitive) and hyphens. It must start with an
# alphabetical character and can't be longer than 128 characters." (CloudFormation API Reference, CreateStack)
STACK_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]{0,127}")


@dataclass
class DeployRequest:
    """What the person asked for, as given on the command line or by seed-farmer's environment."""

    stack_name: str
    given: dict[str, str]
    resolve_latest: bool = False
    artifacts_bucket: str | None = None
    role_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    allow_endpoint_replacement: bool = False
    yes: bool = False  # execute a plan that replaces or removes resources without asking on a terminal
    role_path: str | None = None  # use the one role under this IAM path as the service role (seed-farmer)
    permissions_boundary_name: str | None = None  # a policy of this account, set on every role the stack creates
    planning: bool = False  # `plan`: the preflight warns and never asks


def check_offline(context: DeployContext, request: DeployRequest) -> None:
    """Everything that can be judged from the input alone; raises InputError with every problem."""
    specs = context.template.parameters
    given = request.given
    problems = checks.unknown_names(given, specs) + checks.constraint_problems(given, specs)
    known: Values = dict.fromkeys(specs)
    known |= {name: value for name, value in given.items() if name in specs}
    problems += _unique(checks.rule_problems(context.template.rules, known) + checks.scaling_order_problems(known))
    problems += checks.group_region_problems(known, context.aws.region_given)
    problems += checks.package_region_problems(known, context.aws.region_given)
    problems += service_limits.value_problems(known, context.aws.region_given)
    problems += service_limits.tag_problems(request.tags, context.template.most_resource_tags)
    problems += role_arn_problems(request.role_arn)
    if not STACK_NAME.fullmatch(request.stack_name):
        problems.append(
            f"stack name {request.stack_name!r}: a letter, then letters, digits and hyphens, 128 characters at most"
        )
    if request.resolve_latest and TOKEN in given:
        problems.append(f"--resolve-latest sets {TOKEN} itself: drop --param {TOKEN}")
    if problems:
        raise InputError(problems)


def prepare_plan(context: DeployContext, request: DeployRequest) -> Plan | None:
    """The change set for this request; None when there is nothing to change (said, and its change set deleted)."""
    check_offline(context, request)
    stack = context.cloudformation.describe(request.stack_name)
    existing = _stack_to_update(stack, request.stack_name)
    values = _values(context, request, existing)
    if request.resolve_latest and not values.get(GROUP):
        raise Refused(
            f"--resolve-latest applies only to a stack deployed from a model package group ({GROUP}); stack "
            f"{request.stack_name} deploys {PACKAGE}={values.get(PACKAGE) or '(none)'}. Give the new version with "
            f"--param {PACKAGE}=ARN, or switch to a group with --param {GROUP}=NAME --param {PACKAGE}=''."
        )
    if existing:
        _say_a_type_change(context, existing, values)
        if problems := in_place_problems(existing.parameters, values):
            raise InputError(problems)
    uploads_resolver = bool(values.get(GROUP)) and CODE_BUCKET not in request.given
    _check_complete(context, {**values, CODE_BUCKET: "set-by-the-deploy-client"} if uploads_resolver else values)
    if is_component_template(context.template) and (problems := compute_problems(context, values)):
        raise InputError(problems)
    roles = [request.role_arn] if request.role_arn else []
    findings = preflight(context, values, roles, ask=not (request.yes or request.planning))
    if stack is not None and stack.status == FAILED_CREATE:
        _delete_failed_create(context, stack)
    if request.permissions_boundary_name:
        account, partition = context.aws.identity
        values[BOUNDARY] = f"arn:{partition}:iam::{account}:policy/{request.permissions_boundary_name}"
    role_arn = _role_under(context, request.role_path) if request.role_path else request.role_arn
    artifacts = ArtifactsBucket(context.aws, request.artifacts_bucket)
    if uploads_resolver:
        values |= _upload_resolver(context, artifacts)
    change_request = {
        "StackName": request.stack_name,
        **template_source(context, artifacts),
        **_change_settings(context, request, values, role_arn, update=existing is not None),
    }
    try:
        plan = create_plan(context.cloudformation, change_request, "UPDATE" if existing else "CREATE")
    except ChangeSetFailed as failed:
        discard(context, failed.plan)
        raise DeployFailed(f"CloudFormation could not plan the change: {failed.reason}") from None
    plan.notes = _parameter_notes(existing, values) + _resolution_note(request, existing, findings)
    if plan.no_changes:
        discard(context, plan)
        context.console.success(f"No changes: stack {request.stack_name} already matches the template and parameters.")
        return None
    return plan


def _parameter_notes(existing: DeployedStack | None, values: Values) -> list[str]:
    """Each parameter an update changes, old -> new (the token --resolve-latest sets each time is left out)."""
    if existing is None:
        return []
    held = existing.parameters
    changed = [name for name, value in values.items() if value is not None and name != TOKEN and
               held.get(name, "") != value]  # fmt: skip
    return [f"{name}: {held.get(name) or 'empty'} -> {values[name] or 'empty'}" for name in changed]


def _resolution_note(request: DeployRequest, existing: DeployedStack | None, findings: Findings | None) -> list[str]:
    """What --resolve-latest would deploy: the group's newest Approved version, as the preflight found it."""
    if not (request.resolve_latest and findings and findings.latest_approved):
        return []
    served = existing.outputs.get(Outputs.MODEL_PACKAGE_ARN) if existing else None
    now = f" (the stack serves {served})" if served else ""
    return [f"--resolve-latest deploys {findings.latest_approved}, the group's newest Approved version{now}"]


def _say_a_type_change(context: DeployContext, existing: DeployedStack, values: Values) -> None:
    """A change of EndpointType is a new endpoint: SageMaker cannot turn one type into another. With the derived
    name that is what the plan shows (the name changes with the type); a fixed name would make CloudFormation
    update the endpoint in place, which SageMaker refuses, so it is refused here first."""
    if ENDPOINT_TYPE not in context.template.parameters:
        return
    before = existing.parameters.get(ENDPOINT_TYPE) or REAL_TIME  # stacks older than the types are RealTime
    after = values.get(ENDPOINT_TYPE) or REAL_TIME
    if before == after:
        return
    name = values.get(NAME) or ""
    if name and name == existing.parameters.get(NAME):
        raise InputError(
            [
                f"EndpointType changes from {before} to {after} but EndpointName stays {name!r}: SageMaker cannot "
                "convert an endpoint to another type, and the new one cannot take the old one's name while it "
                "exists. Give a new EndpointName (or clear it), and deploy with --allow-endpoint-replacement."
            ]
        )
    context.console.line(
        f"EndpointType: {before} -> {after}. SageMaker cannot convert an endpoint to another type: this makes a "
        "new endpoint and deletes the old one (the plan replaces the Endpoint).",
        "bold",
    )


def discard(context: DeployContext, plan: Plan) -> None:
    """Delete the change set, and the empty stack a CREATE change set leaves in REVIEW_IN_PROGRESS; only then is
    there nothing left for an interruption to remove."""
    context.cloudformation.delete_change_set(plan.change_set_id)
    if plan.change_type == "CREATE":
        context.cloudformation.delete_stack(plan.stack_id)
    context.cleanup.done(shown(plan.change_set_id))


def role_arn_problems(role_arn: str | None) -> list[str]:
    if role_arn is None or re.fullmatch(ROLE_ARN, role_arn):
        return []
    return [f"--role-arn {role_arn!r}: must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)"]


def _check_complete(context: DeployContext, values: Values) -> None:
    """With the stack's values known: required parameters, and the Rules that waited for them."""
    problems = checks.missing_required(values, context.template.parameters)
    problems += _unique(checks.rule_problems(context.template.rules, values) + checks.scaling_order_problems(values))
    problems += service_limits.value_problems(values, context.aws.region_name)
    if problems:
        raise InputError(problems)


def _stack_to_update(stack: DeployedStack | None, name: str) -> DeployedStack | None:
    """The stack to update, or None to create one (none yet, an empty REVIEW_IN_PROGRESS one, or a failed create,
    deleted once the new inputs pass). A stack in progress is not touched."""
    if stack is None or stack.status in ("REVIEW_IN_PROGRESS", FAILED_CREATE):
        return None
    if stack.busy:
        raise DeployFailed(
            f"stack {name} is busy ({stack.status}): wait for it, or watch it with "
            f"`sagemaker-endpoint follow --stack-name {name}`"
        )
    return stack


def _delete_failed_create(context: DeployContext, stack: DeployedStack) -> None:
    """A failed create (ROLLBACK_COMPLETE) holds nothing and cannot be updated: deleted, as CDK does, only once the
    offline checks and the preflight passed, so that bad input never costs the stack the values it held."""
    context.console.line(
        f"Stack {stack.raw['StackName']} is an empty failed create (ROLLBACK_COMPLETE) and the new inputs passed "
        "every check: deleting it first."
    )
    context.cloudformation.delete_stack(stack.stack_id)
    context.cloudformation.wait_until_deleted(stack.stack_id)


def _values(context: DeployContext, request: DeployRequest, existing: DeployedStack | None) -> Values:
    """Every parameter, by the engine's one merge: as given, else as the stack has it now, else the default."""
    values = merged_values(context.template.parameters, existing.parameters if existing else {}, request.given)
    if request.resolve_latest:
        values[TOKEN] = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    return values


def _change_settings(
    context: DeployContext, request: DeployRequest, values: Values, role_arn: str | None, *, update: bool
) -> dict[str, Any]:
    """CreateChangeSet's arguments but the stack and the template. An update sends every value (the previous ones
    kept, as `aws cloudformation deploy` keeps them); a create only those that differ from the template's defaults."""
    specs = context.template.parameters
    settings: dict[str, Any] = {
        "Parameters": [
            {"ParameterKey": name, "ParameterValue": value}
            for name, value in values.items()
            if value is not None and (update or value != str(specs[name].get("Default", "")))
        ],
        "Capabilities": context.template.capabilities,
        "Description": "sagemaker-endpoint deploy",
    }
    if role_arn:
        settings["RoleARN"] = role_arn
    if request.tags:
        settings["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags.items()]
    return settings


def _role_under(context: DeployContext, path: str) -> str:
    """The one role under an IAM path (case-insensitive: seed-farmer lower-cases the project in one place)."""
    first_segment = "/" + path.strip("/").split("/")[0] + "/"  # exact below; IAM's prefix match is case-sensitive
    with step(f"finding the deployer role under the IAM path {path}"):
        pages = context.aws.client("iam").get_paginator("list_roles").paginate(PathPrefix=first_segment)
        roles = [r["Arn"] for page in pages for r in page["Roles"] if r["Path"].lower() == path.lower()]
    if len(roles) != 1:
        raise DeployFailed(
            f"expected one deployer role under the IAM path {path}, found {len(roles)}: deploy the module's "
            "modulestack.yaml (seed-farmer does, before the module)"
        )
    return str(roles[0])


def _upload_resolver(context: DeployContext, artifacts: ArtifactsBucket) -> Values:
    from generator.common.lambda_zip import build_resolver_package  # noqa: PLC0415  # only group mode needs the zip

    package = build_resolver_package()
    upload = artifacts.upload(RESOLVER_PREFIX + package.file_name, package.content, "the resolver zip")
    context.console.line(f"Resolver code: s3://{upload.bucket}/{upload.key}")
    return {CODE_BUCKET: upload.bucket, CODE_KEY: upload.key}


def template_source(context: DeployContext, artifacts: ArtifactsBucket) -> dict[str, str]:
    template = context.template
    if template.fits_inline:
        return {"TemplateBody": template.body}
    digest = hashlib.sha256(template.body.encode()).hexdigest()
    upload = artifacts.upload(
        f"{TEMPLATE_PREFIX}sagemaker-endpoint-{digest}.yaml", template.body.encode(), "the template"
    )
    context.console.line(f"Template: over the inline limit, sent as s3://{upload.bucket}/{upload.key}")
    return {"TemplateURL": upload.url}


def _unique(problems: list[str]) -> list[str]:
    return list(dict.fromkeys(problems))
