"""Before anything is created: the opt-in, the account, the Region's image and the cost bound, each refusal saying
what to do, and the plan the scenarios run with.

Exit codes of `make acceptance` before the scenarios run: 0 when not opted in (nothing to do, nothing done), 2 when
misconfigured (a bad value, no credentials, another account), 3 when the cost bound exceeds ACCEPTANCE_MAX_USD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.model import StringShape

from tests.support.acceptance import cost
from tests.support.acceptance.identity import Caller, caller_identity, credential_problems
from tests.support.acceptance.images import sklearn_image
from tests.support.acceptance.naming import RunNames, new_run_id
from tests.support.acceptance.settings import (
    ACCOUNT,
    DEFAULT_MAX_USD,
    DOMAIN,
    HOURLY_USD,
    INSTANCE_TYPE,
    MAX_USD,
    SUBNETS,
    VPC,
    Settings,
)

EXIT_NOT_OPTED_IN, EXIT_MISCONFIGURED, EXIT_OVER_BUDGET = 0, 2, 3
# What the lane calls itself, besides the deploy command's calls and what the stacks create.
LANE_ACTIONS = (
    "pricing:GetProducts", "tag:GetResources", "sagemaker:InvokeEndpoint",
    "s3:CreateBucket, PutBucketPublicAccessBlock, PutEncryptionConfiguration, PutBucketPolicy, PutBucketTagging, "
    "PutObject, ListAllMyBuckets, ListBucketVersions, DeleteObject, DeleteObjectVersion, DeleteBucket",
    "sagemaker:CreateModelPackageGroup, CreateModelPackage, UpdateModelPackage, ListModelPackageGroups, "
    "ListModelPackages, DeleteModelPackage, DeleteModelPackageGroup, ListEndpoints, ListEndpointConfigs, "
    "ListModels, DeleteEndpoint, DeleteEndpointConfig, DeleteModel, DescribeEndpoint",
    "ec2:DescribeAvailabilityZones, CreateVpc, CreateSubnet, CreateTags, DescribeRouteTables, "
    "CreateVpcEndpoint, DescribeVpcs, DescribeSubnets, DescribeSecurityGroups, "
    "DescribeVpcEndpoints, DeleteVpcEndpoints, DeleteSecurityGroup, DeleteSubnet, DeleteRouteTable, DeleteVpc",
    "cloudformation:CreateStack, DescribeStacks, ListStacks, DeleteStack",
    "iam:PassRole (the deployer role, to CloudFormation), ListRoles, ListPolicies, and what removing a role or "
    "policy takes",
    "logs:DescribeLogGroups, DeleteLogGroup", "kms:DescribeKey, ScheduleKeyDeletion",
    "with ACCEPTANCE_DOMAIN_ID: sagemaker:CreateProject, DescribeProject, ListProjects, DeleteProject, ListTags, "
    "AddTags, DeleteTags (the domain); s3:GetBucketCors, PutBucketCors, GetObjectTagging, ListBucket",
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    settings: Settings
    caller: Caller
    region: str
    names: RunNames
    image: str
    price: cost.Price
    bound: cost.Bound


@dataclass(frozen=True)
class PlanHolder:
    """Hands the runner's plan to the scenarios' fixtures (a pytest plugin object, found by its type)."""

    plan: Plan


@dataclass
class Outcome:
    code: int
    lines: list[str] = field(default_factory=list)
    plan: Plan | None = None


def needs() -> list[str]:
    """What the lane needs, said when it is not opted in and after any misconfiguration."""
    hours, minutes = divmod(cost.time_bound_minutes(), 60)
    return [
        "make acceptance runs the end-to-end scenarios in a real AWS account and creates billable resources there.",
        f"It runs only when you name that account: {ACCOUNT}=123456789012 make acceptance",
        "with credentials of that account (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and a Region",
        "(AWS_DEFAULT_REGION or AWS_REGION, or the profile's). It checks the account with STS GetCallerIdentity "
        "and refuses any other.",
        f"Optional: {MAX_USD} (default ${DEFAULT_MAX_USD}), {VPC} and {SUBNETS} (else it makes a VPC), "
        f"{INSTANCE_TYPE} and {HOURLY_USD} (else the Region's cheapest type, priced by the Price List), {DOMAIN} "
        "(a SageMaker domain the project scenario may tag; else that scenario is skipped).",
        "Permissions: AdministratorAccess in a sandbox account is simplest. In detail: what "
        "templates/deployer-policy.json grants (the endpoint stacks), creating deployer-role.yaml's role and "
        "policies, and the lane's own calls:",
        *(f"  {actions}" for actions in LANE_ACTIONS),
        f"Time bound: {hours} h {minutes:02d} min. Cost bound: computed before anything is created from the "
        "Region's price of its cheapest instance type, as: "
        f"{cost.PEAK_INSTANCES} instances x that price x the time bound, + serverless and stack ceilings; the run "
        f"is refused above {MAX_USD}.",
        "After a crash: the same variables, then make acceptance-clean removes everything the lane made.",
    ]


def preflight(settings: Settings | None, problems: list[str], session: Any, run_id: str | None = None) -> Outcome:
    """Each check in turn; the first that fails ends it, before anything is created."""
    if settings is None:
        if not problems:
            return Outcome(EXIT_NOT_OPTED_IN, ["Nothing run: not opted in.", *needs()])
        return _misconfigured(problems)
    caller, problems = checked_caller(settings, session)
    if caller is None:
        return _misconfigured(problems)
    plan, problems = _plan(settings, session, caller, run_id or new_run_id())
    if plan is None:
        return _misconfigured(problems)
    if plan.bound.usd > settings.max_usd:
        return Outcome(EXIT_OVER_BUDGET, [*describe(plan), _over_budget(plan)])
    return Outcome(0, describe(plan), plan)


def checked_caller(settings: Settings, session: Any) -> tuple[Caller | None, list[str]]:
    """A Region, credentials, and the named account's: what `clean` checks too."""
    if problems := credential_problems(session):
        return None, problems
    return caller_identity(session.client("sts"), settings.account_id)


def _plan(settings: Settings, session: Any, caller: Caller, run_id: str) -> tuple[Plan | None, list[str]]:
    region = str(session.region_name)
    image = sklearn_image(region)
    if image is None:
        return None, [f"no scikit-learn inference image known for {region}: run the lane in another Region"]
    price, problems = _price(settings, session, caller.partition, region)
    if price is None:
        return None, problems
    names = RunNames(run_id, caller.account)
    return Plan(settings, caller, region, names, image, price, cost.cost_bound(price)), []


def _misconfigured(problems: list[str]) -> Outcome:
    lines = [f"error: {problem}" for problem in problems]
    return Outcome(EXIT_MISCONFIGURED, [*lines, "Nothing was created.", "", *needs()])


def _over_budget(plan: Plan) -> str:
    return (
        f"refused: the cost bound ${plan.bound.usd} exceeds {MAX_USD} ${plan.settings.max_usd}; nothing was created. "
        f"Raise {MAX_USD}, or set {INSTANCE_TYPE} to a cheaper type."
    )


def _price(settings: Settings, session: Any, partition: str, region: str) -> tuple[cost.Price | None, list[str]]:
    if settings.instance_type and settings.hourly_usd is not None:
        return cost.Price(settings.instance_type, settings.hourly_usd, f"{HOURLY_USD}, as given"), []
    pricing_region = cost.PRICING_REGION.get(partition)
    if pricing_region is None:
        return None, [f"no Price List in partition {partition}: set {INSTANCE_TYPE} and {HOURLY_USD}"]
    pricing = session.client("pricing", region_name=pricing_region)
    if settings.instance_type:
        price, problems = cost.instance_price(pricing, region, settings.instance_type)
        if price is None and not problems:
            problems = [f"the Price List has no SageMaker hosting price for {settings.instance_type} in {region}"]
        return price, problems
    candidates = cost.hosting_candidates(production_variant_types())
    return cost.cheapest_price(pricing, region, candidates)


def production_variant_types() -> list[str]:
    """Every instance type SageMaker hosts, from botocore's service model (ProductionVariantInstanceType)."""
    shape = botocore.session.get_session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType")
    assert isinstance(shape, StringShape)
    return list(shape.enum)


def describe(plan: Plan) -> list[str]:
    """The plan as the maintainer reads it before the run starts."""
    hours, minutes = divmod(plan.bound.minutes, 60)
    scenarios = [f"  {s.name:<20} {s.minutes:>3} min  {s.proves}" for s in (cost.SETUP, *cost.SCENARIOS, cost.SWEEP)]
    return [
        f"Acceptance run {plan.names.run_id}: account {plan.caller.account}, {plan.region}, as {plan.caller.arn}",
        f"Everything it creates is named {plan.names.prefix}* and tagged {plan.names.cli_tag}.",
        "Scenarios, one after another, each stopped at its limit:",
        *scenarios,
        f"Time bound: {hours} h {minutes:02d} min.",
        f"Cost bound: ${plan.bound.usd} at most (refused above {MAX_USD} ${plan.settings.max_usd}):",
        *plan.bound.lines,
        f"Assumptions: on-demand prices; {plan.price.instance_type} at ${plan.price.usd_per_hour}/h from "
        f"{plan.price.source}; serverless compute and each stack's small items at the ceilings above (generous "
        f"multiples of {cost.PRICING_PAGE}); no charge for the VPC, its subnets and S3 gateway endpoint, nor for "
        "KMS keys scheduled for deletion (https://aws.amazon.com/kms/pricing/). The bound holds when the run ends "
        "or is swept (make acceptance-clean) promptly after a crash.",
    ]
