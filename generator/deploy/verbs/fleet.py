"""`fleet deploy`, `fleet outputs` and `fleet destroy`: the endpoint template as a StackSet across accounts and
Regions. CloudFormation's StackSets engine does the rollout; this module asks it for what was requested, follows
each operation, and reports every instance with its outputs as a JSON list on stdout."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.deploy import checks, engine
from generator.deploy.artifacts_bucket import ArtifactsBucket
from generator.deploy.console import Console
from generator.deploy.context import EXIT_FAILED, EXIT_OK, DeployContext, DeployFailed
from generator.deploy.engine import merged_values
from generator.deploy.fleet.code import readers_of, upload_resolver_everywhere
from generator.deploy.fleet.instances import FleetReader
from generator.deploy.fleet.request import SERVICE_MANAGED, FleetRequest, check_fleet_request, parse_overrides
from generator.deploy.fleet.stack_set import OperationOutcome, StackSets
from generator.deploy.fleet.targets import Batch, batches, desired, ou_chunks, preferences, targets_argument
from generator.deploy.inputs import InputError, parse_assignments, read_params_file
from generator.deploy.request import CODE_BUCKET, CODE_KEY, GROUP, template_source
from generator.deploy.steps import step
from generator.deploy.verbs.options import Commands, OneLineErrors, Options, aws_verb

MODELS = {"self-managed": "SELF_MANAGED", "service-managed": "SERVICE_MANAGED"}
ROLE_KEYS = ("AdministrationRoleARN", "ExecutionRoleName")


def register(commands: Commands, options: Options) -> None:
    fleet = commands.add_parser("fleet", help="the endpoint as a StackSet across accounts and Regions")
    verbs = fleet.add_subparsers(dest="fleet_command", required=True, metavar="{deploy,outputs,destroy}")
    named, reading, rollout = _fleet_options(options.aws)
    deploy_verb = verbs.add_parser(
        "deploy",
        parents=[named, reading, rollout],
        help="create or update the StackSet and its instances; follow; print them as JSON",
    )
    _add_deploy_options(deploy_verb)
    deploy_verb.set_defaults(run=aws_verb(lambda args, context: deploy(context, _deploy_request(args))))
    outputs_verb = verbs.add_parser(
        "outputs", parents=[named, reading], help="print every instance and its outputs as JSON"
    )
    outputs_verb.set_defaults(
        run=aws_verb(
            lambda args, context: outputs(
                context, args.stack_set_name, args.read_role_name, delegated_admin=args.delegated_admin
            )
        )
    )
    destroy_verb = verbs.add_parser(
        "destroy", parents=[named, rollout], help="delete every instance, following it, then the StackSet"
    )
    destroy_verb.add_argument("--yes", action="store_true", help="on a terminal, delete without asking")
    destroy_verb.set_defaults(run=aws_verb(lambda args, context: destroy(context, _destroy_request(args))))


def _fleet_options(aws: argparse.ArgumentParser) -> tuple[argparse.ArgumentParser, ...]:
    """The options fleet's verbs share: the stack set, reading other accounts, the rollout's pace."""
    named = OneLineErrors(add_help=False, parents=[aws])
    named.add_argument("--stack-set-name", required=True, metavar="NAME", help="the StackSet, in --region (its home)")
    named.add_argument(
        "--delegated-admin", action="store_true", help="call as the Organization's delegated StackSets administrator"
    )
    reading = OneLineErrors(add_help=False)
    reading.add_argument(
        "--read-role-name", metavar="NAME", help="role read in other accounts (default sagemaker-endpoint-fleet-reader)"
    )
    rollout = OneLineErrors(add_help=False)
    rollout.add_argument(
        "--max-concurrent-percent",
        type=int,
        metavar="N",
        help="accounts at once per Region, in %% (default: 1 account)",
    )
    rollout.add_argument(
        "--failure-tolerance-percent",
        type=int,
        default=0,
        metavar="N",
        help="failures tolerated per Region, in %% (default 0)",
    )
    return named, reading, rollout


def _add_deploy_options(deploy_verb: argparse.ArgumentParser) -> None:
    deploy_verb.add_argument("--accounts", action="append", metavar="A,B", help="target accounts (self-managed)")
    deploy_verb.add_argument(
        "--organizational-units", action="append", metavar="OU,...", help="target OUs (service-managed)"
    )
    deploy_verb.add_argument(
        "--regions", action="append", required=True, metavar="R1,R2", help="target Regions, in rollout order"
    )
    deploy_verb.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a template parameter (repeatable)"
    )
    deploy_verb.add_argument("--params-file", type=Path, metavar="FILE", help="JSON/YAML mapping of parameters")
    deploy_verb.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="[ACCOUNT/]REGION:KEY=VALUE",
        help="a parameter for one Region, or one account there (repeatable)",
    )
    deploy_verb.add_argument(
        "--permission-model",
        choices=["self-managed", "service-managed"],
        help="default: self-managed for --accounts, service-managed for OUs",
    )
    deploy_verb.add_argument(
        "--administration-role-arn",
        metavar="ARN",
        help="self-managed: the admin role (default AWSCloudFormationStackSetAdministrationRole)",
    )
    deploy_verb.add_argument(
        "--execution-role-name",
        metavar="NAME",
        help="self-managed: the targets' role (default AWSCloudFormationStackSetExecutionRole)",
    )
    deploy_verb.add_argument(
        "--region-order",
        choices=["sequential", "parallel"],
        default="sequential",
        help="Regions one after another (default) or at once",
    )
    deploy_verb.add_argument("--yes", action="store_true", help="on a terminal, apply the plan without asking")


def _listed(option: list[str] | None) -> list[str]:
    return [item.strip() for given in option or [] for item in given.split(",") if item.strip()]


def _deploy_request(args: argparse.Namespace) -> FleetRequest:
    """The fleet's targets, options and values; malformed ones are every problem at once (exit 2)."""
    given, problems = read_params_file(args.params_file) if args.params_file else ({}, [])
    from_args, bad = parse_assignments("--param", args.param)
    overrides, bad_overrides = parse_overrides(args.override)
    problems += bad + bad_overrides
    if problems:
        raise InputError(problems)
    return FleetRequest(
        stack_set_name=args.stack_set_name,
        regions=_listed(args.regions),
        accounts=_listed(args.accounts),
        organizational_units=_listed(args.organizational_units),
        given=given | from_args,
        overrides=overrides,
        permission_model=args.permission_model,
        administration_role_arn=args.administration_role_arn,
        execution_role_name=args.execution_role_name,
        delegated_admin=args.delegated_admin,
        max_concurrent_percent=args.max_concurrent_percent,
        failure_tolerance_percent=args.failure_tolerance_percent,
        region_order=args.region_order,
        read_role_name=args.read_role_name,
        yes=args.yes,
    )


def _destroy_request(args: argparse.Namespace) -> FleetRequest:
    return FleetRequest(
        stack_set_name=args.stack_set_name,
        regions=[],
        delegated_admin=args.delegated_admin,
        max_concurrent_percent=args.max_concurrent_percent,
        failure_tolerance_percent=args.failure_tolerance_percent,
        yes=args.yes,
    )


@dataclass
class _Fleet:
    context: DeployContext
    request: FleetRequest
    stack_sets: StackSets

    @property
    def name(self) -> str:
        return self.request.stack_set_name


def deploy(context: DeployContext, request: FleetRequest) -> int:
    """Show what changes (the stack set, the instances to create, the overrides to update), ask on a terminal,
    then apply it: the stack set first, then the instances."""
    check_fleet_request(request, context.template)
    fleet = _Fleet(context, request, StackSets(context.aws, context.console, delegated_admin=request.delegated_admin))
    return engine.run(context.console, FleetDeploy(fleet), yes=request.yes)


@dataclass
class _FleetPlan:
    stack_set: str  # "create", "update", or "" when it stays as it is
    changed: list[str]  # what changes in it: the template, parameters by name, its roles
    creates: list[Batch]
    updates: list[Batch]
    values: dict[str, str] = field(default_factory=dict)  # every parameter as the stack set will hold it
    existing: dict[str, Any] | None = None  # the stack set as DescribeStackSet gave it; None: to be created

    @property
    def empty(self) -> bool:
        return not (self.stack_set or self.creates or self.updates)

    def show(self, console: Console, name: str) -> None:
        console.line(f"Plan for stack set {name}:", "bold")
        if self.stack_set == "create":
            console.line("  +    create the stack set")
        elif self.stack_set:
            console.line(f"  ~    update the stack set and every instance: {', '.join(self.changed)}")
        for batch in self.creates:
            console.line(f"  +    create instances: {batch.shown}")
        for batch in self.updates:
            console.line(f"  ~    update instances' overrides: {batch.shown}")


@dataclass
class FleetDeploy(engine.Operation[_FleetPlan]):
    """A fleet's deploy, as the engine runs it: what StackSets holds compared with what is asked, shown, asked about
    on a terminal, then applied (the stack set, then the instances), each operation followed; every instance
    reported."""

    fleet: _Fleet

    def plan(self) -> _FleetPlan | None:
        fleet, request = self.fleet, self.fleet.request
        existing = fleet.stack_sets.describe(fleet.name)
        if existing and existing.get("PermissionModel") != MODELS[request.model]:
            raise DeployFailed(
                f"stack set {fleet.name} is {existing.get('PermissionModel')}; a StackSet's permission model cannot "
                f"change: deploy a new one under another name, or use --permission-model to match it"
            )
        values = _stack_set_values(fleet.context, request, existing)
        plan = _plan(fleet, existing, values, desired(request, _resolver_code(fleet, values)))
        plan.values, plan.existing = values, existing
        return None if plan.empty else plan

    def unchanged(self) -> int:
        self.fleet.context.console.success(f"No changes: stack set {self.fleet.name} and its instances already match.")
        return _report(self.fleet, [])

    def show(self, plan: _FleetPlan) -> None:
        plan.show(self.fleet.context.console, self.fleet.name)

    def question(self, plan: _FleetPlan) -> str | None:
        return "Apply it to the fleet?" if not plan.empty else None

    def apply(self, plan: _FleetPlan) -> int:
        fleet = self.fleet
        outcomes = _apply_stack_set(fleet, plan, plan.values, plan.existing)
        outcomes += [_run_batch(fleet, "create_stack_instances", b, "Creating instances:") for b in plan.creates]
        outcomes += [_run_batch(fleet, "update_stack_instances", b, "Updating overrides:") for b in plan.updates]
        return _report(fleet, outcomes)


def outputs(context: DeployContext, name: str, read_role: str | None, *, delegated_admin: bool = False) -> int:
    stack_sets = StackSets(context.aws, context.console, delegated_admin=delegated_admin)
    if stack_sets.describe(name) is None:
        raise DeployFailed(f"no stack set named {name} in {context.aws.region_name}")
    request = FleetRequest(name, [], read_role_name=read_role, delegated_admin=delegated_admin)
    return _report(_Fleet(context, request, stack_sets), [], exit_on_failure=False)


def destroy(context: DeployContext, request: FleetRequest) -> int:
    """Delete every instance (their stacks too), following it, then the stack set."""
    stack_sets = StackSets(context.aws, context.console, delegated_admin=request.delegated_admin)
    return engine.run(context.console, FleetDestroy(context, request, stack_sets), yes=request.yes)


@dataclass
class FleetDestroy(engine.Operation[list[dict[str, Any]]]):
    """A fleet's deletion, as the engine runs it: the stack set's instances, asked about on a terminal, deleted and
    followed, then the stack set."""

    context: DeployContext
    request: FleetRequest
    stack_sets: StackSets

    @property
    def name(self) -> str:
        return self.request.stack_set_name

    def plan(self) -> list[dict[str, Any]] | None:
        """Its instances; None when there is no stack set."""
        if self.stack_sets.describe(self.name) is None:
            return None
        return self.stack_sets.instances(self.name)

    def unchanged(self) -> int:
        region = self.context.aws.region_name
        self.context.console.success(f"No stack set named {self.name} in {region}: nothing to delete.")
        return EXIT_OK

    def question(self, plan: list[dict[str, Any]]) -> str | None:
        return f"Delete stack set {self.name} and its {len(plan)} instance(s), with their endpoints?"

    def apply(self, plan: list[dict[str, Any]]) -> int:
        context, name = self.context, self.name
        if plan and not _delete_instances(context, self.stack_sets, self.request, plan):
            context.console.line(
                f"stack set {name} is kept: it still has instances. Fix the cause, then destroy again."
            )
            return EXIT_FAILED
        self.stack_sets.delete(name)
        context.console.success(f"Stack set {name}: deleted, with its {len(plan)} instance(s).")
        return EXIT_OK


def _delete_instances(
    context: DeployContext, stack_sets: StackSets, request: FleetRequest, instances: list[dict[str, Any]]
) -> bool:
    """DeleteStackInstances for every instance, OUs at most OUS_PER_OPERATION a call; False, naming each failed
    instance, as soon as one call does not succeed."""
    name = request.stack_set_name
    regions = list(dict.fromkeys(i["Region"] for i in instances))
    accounts = sorted({i["Account"] for i in instances})
    ous = sorted({i["OrganizationalUnitId"] for i in instances if i.get("OrganizationalUnitId")})
    for targets in [targets_argument([], chunk) for chunk in ou_chunks(ous)] or [targets_argument(accounts, [])]:
        arguments = {
            **targets,
            "Regions": regions,
            "RetainStacks": False,
            "OperationPreferences": {**preferences(request), "RegionOrder": regions},
        }
        outcome = stack_sets.run("delete_stack_instances", name, arguments, f"Deleting {len(instances)} instance(s)")
        if outcome.failures or outcome.status != "SUCCEEDED":
            _name_failures(context, outcome.failures)
            return False
    return True


def _stack_set_values(context: DeployContext, request: FleetRequest, existing: dict[str, Any] | None) -> dict[str, str]:
    """Every parameter as the stack set will hold it, by the engine's one merge (given, else as it holds it now, else
    the default); a required one every place overrides is held as the first place's."""
    specs = context.template.parameters
    held = {p["ParameterKey"]: p.get("ParameterValue", "") for p in (existing or {}).get("Parameters") or []}
    values = merged_values(specs, held, request.given)
    places = desired(request, {}).values()
    for name in [n for n, s in specs.items() if "Default" not in s and not values.get(n)]:
        if all(place.get(name) for place in places):  # e.g. each account's VpcId: the set holds the first
            values[name] = next(iter(places))[name]
    problems = checks.missing_required(values, specs)
    if problems:
        raise InputError([f"{p}, or --override REGION:KEY=VALUE for every Region" for p in problems])
    return {name: value for name, value in values.items() if value is not None}


def _resolver_code(fleet: _Fleet, values: dict[str, str]) -> dict[str, dict[str, str]]:
    """The Regions in group mode (by the stack set's value or a Region's override) without a code bucket of the
    user's: the zip in each, each Region's bucket an override."""
    request = fleet.request
    if CODE_BUCKET in request.given or any(o.key == CODE_BUCKET for o in request.overrides):
        return {}
    regions = [r for r in request.regions if _group_mode_in(request, values, r)]
    if not regions:
        return {}
    aws = fleet.context.aws
    own, partition = aws.identity
    organization = _organization_id(fleet) if request.model == SERVICE_MANAGED else None
    readers = readers_of(request.accounts, own, partition, organization)
    key, buckets = upload_resolver_everywhere(aws, fleet.context.console, regions, readers)
    values[CODE_KEY] = key
    values[CODE_BUCKET] = buckets[regions[0]]
    return {region: {CODE_BUCKET: bucket} for region, bucket in buckets.items()}


def _group_mode_in(request: FleetRequest, values: dict[str, str], region: str) -> bool:
    """A group for some instance of the Region, by its own values: its overrides (the account's over the Region's)
    first, else the stack set's. One account may clear the group where another still follows it."""
    shared = values.get(GROUP, "")
    places = desired(request, {}).items()
    return any(overrides.get(GROUP, shared) for (_, where), overrides in places if where == region)


def _organization_id(fleet: _Fleet) -> str:
    """The Organization's ID (`o-...`), a fixed value for aws:PrincipalOrgID."""
    with step("reading the Organization's ID (organizations:DescribeOrganization)"):
        return str(fleet.context.aws.client("organizations").describe_organization()["Organization"]["Id"])


def _plan(
    fleet: _Fleet,
    existing: dict[str, Any] | None,
    values: dict[str, str],
    places: dict[tuple[str | None, str], dict[str, str]],
) -> _FleetPlan:
    """What differs from what StackSets holds; read only. An OU's Regions are always created: that adds the accounts
    that joined it since (CloudFormation skips the instances that exist)."""
    request, stack_sets = fleet.request, fleet.stack_sets
    if existing is None:
        return _FleetPlan("create", [], batches(request, places), [])
    held = {p["ParameterKey"]: p.get("ParameterValue", "") for p in existing.get("Parameters") or []}
    changed = ["the template"] if existing.get("TemplateBody") != fleet.context.template.body else []
    changed += [name for name in sorted(set(held) | set(values)) if held.get(name) != values.get(name)]
    changed += [key for key, value in _roles(request).items() if existing.get(key) != value]
    present = {(i["Account"], i["Region"]) for i in stack_sets.instances(fleet.name)}
    service = request.model == SERVICE_MANAGED
    missing = {p: o for p, o in places.items() if service or p not in present}
    overridden = {}
    for (account, region), overrides in places.items():
        held_overrides = [
            stack_sets.overrides(fleet.name, a, r) for a, r in present if r == region and account in (None, a)
        ]
        if any(h != overrides for h in held_overrides):
            overridden[(account, region)] = overrides
    return _FleetPlan("update" if changed else "", changed, batches(request, missing), batches(request, overridden))


def _roles(request: FleetRequest) -> dict[str, str]:
    roles = {}
    if request.administration_role_arn:
        roles["AdministrationRoleARN"] = request.administration_role_arn
    if request.execution_role_name:
        roles["ExecutionRoleName"] = request.execution_role_name
    return roles


def _roles_to_update(request: FleetRequest, existing: dict[str, Any]) -> dict[str, str]:
    """The roles UpdateStackSet must name: those given, else the stack set's own again. "If you specified a customized
    administrator role when you created the StackSet, you must specify a customized administrator role, even if it is
    the same customized administrator role used with this StackSet previously" (UpdateStackSet, CloudFormation API
    Reference); DescribeStackSet gives both. Self-managed only: service-managed sets use the Organization's roles."""
    if request.model == SERVICE_MANAGED:
        return _roles(request)
    held = {key: str(existing[key]) for key in ROLE_KEYS if existing.get(key)}
    return held | _roles(request)


def _apply_stack_set(
    fleet: _Fleet, plan: _FleetPlan, values: dict[str, str], existing: dict[str, Any] | None
) -> list[OperationOutcome]:
    context, request = fleet.context, fleet.request
    if not plan.stack_set:
        return []
    source = template_source(context, ArtifactsBucket(context.aws, None))
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]
    settings: dict[str, Any] = {"Parameters": parameters, "Capabilities": context.template.capabilities}
    settings |= _roles(request) if existing is None else _roles_to_update(request, existing)
    if plan.stack_set == "create":
        settings["PermissionModel"] = MODELS[request.model]
        if request.model == SERVICE_MANAGED:  # new accounts of an OU get no Region's overrides: deploy them again
            settings["AutoDeployment"] = {"Enabled": False}
        fleet.stack_sets.create(
            {"StackSetName": fleet.name, "Description": "sagemaker-endpoint fleet", **source, **settings}
        )
        context.console.line(f"Stack set {fleet.name}: created ({request.model}).")
        return []
    settings["OperationPreferences"] = {**preferences(request), "RegionOrder": request.regions}
    return [
        fleet.stack_sets.run(
            "update_stack_set", fleet.name, {**source, **settings}, "Updating the stack set and its instances"
        )
    ]


def _run_batch(fleet: _Fleet, verb: str, batch: Batch, what: str) -> OperationOutcome:
    return fleet.stack_sets.run(verb, fleet.name, batch.arguments(preferences(fleet.request)), f"{what} {batch.shown}")


def _report(fleet: _Fleet, outcomes: list[OperationOutcome], *, exit_on_failure: bool = True) -> int:
    """The JSON list on stdout; exit 1 naming each failed instance (in an operation, or as it stands now)."""
    context = fleet.context
    reader = FleetReader(context.aws, context.console, context.template, fleet.request.read_role_name)
    reports = reader.report(fleet.stack_sets.instances(fleet.name))
    json.dump([r.as_json() for r in reports], context.stdout, indent=2)
    context.stdout.write("\n")
    failed_results = [f for o in outcomes for f in o.failures]
    failed_reports = [r for r in reports if r.failed]
    if not failed_results and not failed_reports and all(o.status == "SUCCEEDED" for o in outcomes):
        return EXIT_OK
    _name_failures(context, failed_results)
    for report in failed_reports:
        context.console.error(
            f"{report.account} {report.region}: {report.status} {report.detailed_status}: {report.reason}"
        )
    stopped = [o.status for o in outcomes if o.status != "SUCCEEDED"]
    if stopped:
        context.console.error(
            f"the operation ended {stopped[0]}: StackSets stops a Region once its failures exceed the tolerance"
        )
    return EXIT_FAILED if exit_on_failure else EXIT_OK


def _name_failures(context: DeployContext, failures: list[Any]) -> None:
    for failure in failures:
        context.console.error(
            f"{failure.account} {failure.region}: {failure.status}: {failure.reason or 'no reason given'}"
        )
