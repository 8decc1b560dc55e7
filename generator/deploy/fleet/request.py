"""A fleet request as given, and every problem with it found before any AWS call (exit 2, all at once)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.common.patterns import ACCOUNT, REGION, ROLE_ARN
from generator.deploy import checks, service_limits
from generator.deploy.inputs import InputError
from generator.deploy.template_file import EndpointTemplate

SELF_MANAGED, SERVICE_MANAGED = "self-managed", "service-managed"
OU = r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}"  # CreateStackInstances' pattern for OrganizationalUnitIds
STACK_SET_NAME = r"[a-zA-Z][-a-zA-Z0-9]{0,127}"
ROLE_NAME = r"[\w+=,.@-]{1,64}"
OVERRIDE = re.compile(rf"(?:(?P<account>{ACCOUNT})/)?(?P<region>{REGION}):(?P<key>[^=]+)=(?P<value>.*)", re.DOTALL)
PACKAGE_ARN, DEPLOY_ON_APPROVAL = "ModelPackageArn", "DeployOnApproval"


@dataclass(frozen=True)
class Override:
    """`[ACCOUNT/]REGION:KEY=VALUE`: a parameter's value for the instances of one Region, or of one account there."""

    region: str
    key: str
    value: str
    account: str | None = None


@dataclass
class FleetRequest:
    stack_set_name: str
    regions: list[str]
    accounts: list[str] = field(default_factory=list)
    organizational_units: list[str] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    permission_model: str | None = None  # None: the targets decide (accounts: self-managed, OUs: service-managed)
    administration_role_arn: str | None = None
    execution_role_name: str | None = None
    delegated_admin: bool = False
    max_concurrent_percent: int | None = None
    failure_tolerance_percent: int = 0
    region_order: str = "sequential"
    read_role_name: str | None = None
    yes: bool = False  # on a terminal, apply (or destroy) without asking

    @property
    def model(self) -> str:
        return self.permission_model or (SERVICE_MANAGED if self.organizational_units else SELF_MANAGED)


def parse_overrides(texts: list[str]) -> tuple[list[Override], list[str]]:
    overrides, problems = [], []
    for text in texts:
        match = OVERRIDE.fullmatch(text)
        if match is None:
            problems.append(
                f"--override {text!r}: write it as [ACCOUNT/]REGION:KEY=VALUE, e.g. eu-west-1:InstanceCount=2"
            )
        else:
            overrides.append(Override(match["region"], match["key"].strip(), match["value"], match["account"]))
    return overrides, problems


def check_fleet_request(request: FleetRequest, template: EndpointTemplate) -> None:
    """Raise InputError with every problem of the targets, the options and the parameters."""
    problems = _target_problems(request) + _option_problems(request) + _parameter_problems(request, template)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))


def _target_problems(request: FleetRequest) -> list[str]:
    problems = []
    if not re.fullmatch(STACK_SET_NAME, request.stack_set_name):
        problems.append(
            f"--stack-set-name {request.stack_set_name!r}: a letter, then letters, digits and hyphens (128 at most)"
        )
    if request.accounts and request.organizational_units:
        problems.append("--accounts and --organizational-units: give one of them, not both")
    if not request.accounts and not request.organizational_units:
        problems.append(
            "no targets: give --accounts A,B (self-managed) or --organizational-units OU,... (service-managed)"
        )
    problems += [
        f"--accounts {a!r}: an account ID is 12 digits" for a in request.accounts if not re.fullmatch(ACCOUNT, a)
    ]
    problems += [
        f"--organizational-units {ou!r}: an OU ID (ou-xxxx-yyyyyyyy) or a root ID (r-xxxx)"
        for ou in request.organizational_units
        if not re.fullmatch(OU, ou)
    ]
    if not request.regions:
        problems.append("--regions: give at least one Region")
    problems += [
        f"--regions {r!r}: not a Region name (e.g. eu-west-1)" for r in request.regions if not re.fullmatch(REGION, r)
    ]
    if len(set(request.regions)) != len(request.regions):
        problems.append("--regions names a Region twice: the order given is the rollout order")
    for override in request.overrides:
        if override.region not in request.regions:
            problems.append(
                f"--override {override.region}:{override.key}: Region {override.region} is not in --regions"
            )
        if override.account and request.organizational_units:
            problems.append(
                f"--override {override.account}/...: an account's override needs --accounts (self-managed); a fleet "
                "of OUs takes overrides per Region"
            )
        if override.account and request.accounts and override.account not in request.accounts:
            problems.append(f"--override {override.account}/...: account {override.account} is not in --accounts")
    return problems


def _option_problems(request: FleetRequest) -> list[str]:
    problems = []
    model = request.model
    both = request.accounts and request.organizational_units  # already a problem of its own
    if model == SELF_MANAGED and request.organizational_units and not both:
        problems.append("--organizational-units needs --permission-model service-managed (AWS Organizations)")
    if model == SERVICE_MANAGED and request.accounts and not both:
        problems.append("--accounts needs --permission-model self-managed; a service-managed fleet targets OUs")
    if model == SERVICE_MANAGED and (request.administration_role_arn or request.execution_role_name):
        problems.append(
            "--administration-role-arn and --execution-role-name are for self-managed StackSets; service-managed "
            "ones use the Organization's roles"
        )
    if request.delegated_admin and model != SERVICE_MANAGED:
        problems.append("--delegated-admin is for service-managed StackSets run from a delegated administrator")
    if request.administration_role_arn and not re.fullmatch(ROLE_ARN, request.administration_role_arn):
        problems.append(f"--administration-role-arn {request.administration_role_arn!r}: an IAM role ARN")
    for option, name in (
        ("--execution-role-name", request.execution_role_name),
        ("--read-role-name", request.read_role_name),
    ):
        if name is not None and not re.fullmatch(ROLE_NAME, name):
            problems.append(f"{option} {name!r}: an IAM role name (letters, digits and +=,.@_-, 64 at most)")
    if request.max_concurrent_percent is not None and not 1 <= request.max_concurrent_percent <= 100:
        problems.append(f"--max-concurrent-percent {request.max_concurrent_percent}: a percentage from 1 to 100")
    if not 0 <= request.failure_tolerance_percent <= 100:
        problems.append(f"--failure-tolerance-percent {request.failure_tolerance_percent}: a percentage from 0 to 100")
    return problems


def _parameter_problems(request: FleetRequest, template: EndpointTemplate) -> list[str]:
    """The stack set's values, then each Region's (and account's) values with its overrides, as deploy checks them."""
    specs = template.parameters
    override_values = {o.key: o.value for o in request.overrides}
    problems = checks.unknown_names(request.given, specs) + checks.unknown_names(override_values, specs)
    problems += checks.constraint_problems(request.given, specs)
    problems += checks.constraint_problems({o.key: o.value for o in request.overrides}, specs)
    if request.given.get(DEPLOY_ON_APPROVAL, "false") == "true" or override_values.get(DEPLOY_ON_APPROVAL) == "true":
        problems.append(
            f"{DEPLOY_ON_APPROVAL}=true: a fleet's instances belong to their StackSet and are never updated one by "
            "one; let approvals deploy a staging stack, then carry its package with `promote` or `fleet deploy`"
        )
    for place, values in _values_per_place(request, specs).items():
        found = checks.rule_problems(template.rules, values) + checks.scaling_order_problems(values)
        found += checks.group_region_problems(values, place[1]) + _package_region_problems(values, place[1])
        found += service_limits.value_problems(values, place[1])
        problems += [f"{_shown(place)}: {problem}" for problem in found]
    return problems


def overrides_at(request: FleetRequest, account: str | None, region: str) -> dict[str, str]:
    """The overrides of one place: its Region's, then (winning) its account's there."""
    region_wide = {o.key: o.value for o in request.overrides if o.region == region and o.account is None}
    return region_wide | {o.key: o.value for o in request.overrides if o.region == region and o.account == account}


def _values_per_place(request: FleetRequest, specs: dict[str, Any]) -> dict[tuple[str | None, str], checks.Values]:
    """(account or None, Region) -> each value there as far as known (None: the stack set's, or a default)."""
    places: list[tuple[str | None, str]] = [(None, region) for region in request.regions]
    places += [(o.account, o.region) for o in request.overrides if o.account]
    base: dict[str, str | None] = dict.fromkeys(specs)
    base |= {k: v for k, v in request.given.items() if k in specs}
    return {place: base | {k: v for k, v in overrides_at(request, *place).items() if k in specs} for place in places}


def _package_region_problems(values: checks.Values, region: str) -> list[str]:
    arn = values.get(PACKAGE_ARN) or ""
    fields = arn.split(":")
    if len(fields) < 6 or fields[3] == region:
        return []
    return [
        f"{PACKAGE_ARN} is a package of {fields[3]}; model packages are regional: give this Region its own with "
        f"--override {region}:{PACKAGE_ARN}=..."
    ]


def _shown(place: tuple[str | None, str]) -> str:
    account, region = place
    return f"{account}/{region}" if account else region
