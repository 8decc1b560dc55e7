"""The run's cost and time bound, computed from what it creates, printed before anything is created.

What costs money, and how it is bounded:
- the RealTime endpoint: its instance type's on-demand hourly price, from AWS's Price List (pricing:GetProducts),
  times the instances it can have at once (2: SageMaker keeps the old fleet while the new one takes traffic),
  times the whole run's time bound (the stack lives from the first scenario to `destroy`);
- the Serverless endpoints: each invocation, at most 60 s ("A customer's model containers must respond to requests
  within 60 seconds", InvokeEndpoint), of the template's default 2 GB, at an assumed ceiling price per GB-second;
- each endpoint stack's small items (KMS key, alarms, dashboard, Lambda, queues, logs) at a per-hour ceiling;
- the shared endpoint of the inference-components scenario: the same instance price, 2 instances, and its two
  stacks' small items, for that scenario's time bound only (it makes and destroys them).
The VPC, its subnets and the S3 gateway endpoint cost nothing; so do KMS keys scheduled for deletion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

PRICE_LIST_SERVICE = "AmazonSageMaker"
PRICE_LIST_SOURCE = "AWS Price List Query API (pricing:GetProducts, ServiceCode AmazonSageMaker)"
PRICING_PAGE = "https://aws.amazon.com/sagemaker/pricing/"
# The Price List Query API answers from these Regions only (Billing User Guide, "Using the AWS Price List Query API").
PRICING_REGION = {"aws": "us-east-1", "aws-cn": "cn-northwest-1"}
HOURLY_UNITS = {"hrs", "hr", "hour", "hours"}
HOSTING_USAGE = re.compile(r"(?:^|-)Host:")  # usage types such as EUW1-Host:ml.m5.large

PEAK_INSTANCES = 2  # a blue/green update keeps the old fleet while the new one takes the traffic
SERVERLESS_MEMORY_GB = 2  # the template's default ServerlessMemorySizeInMB, 2048
INVOCATION_SECONDS = 60  # InvokeEndpoint: the container answers within 60 s
INVOCATION_ATTEMPTS = 3  # a cold serverless endpoint may need a retry
# Ceilings, not list prices: SageMaker's pricing page lists serverless compute per GB-second and per Region;
# these are generous multiples of it so that no Region exceeds them.
SERVERLESS_USD_PER_GB_SECOND = Decimal("0.0001")
STACK_USD_PER_HOUR = Decimal("0.05")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scenario:
    name: str
    proves: str
    minutes: int
    invocations: int


SETUP = Scenario("setup", "bucket, model package groups, VPC, deployer role", 15, 0)
SCENARIOS = (
    Scenario("arn-mode", "ARN mode, RealTime in a VPC: deploy, invoke, status", 45, 1),
    Scenario("group-mode", "group mode, Serverless; an approval, then deploy --resolve-latest", 45, 2),
    Scenario("deploy-on-approval", "the stack redeploys on an approval and rolls back on a rejection", 75, 3),
    Scenario("promote", "promote group mode's package to the RealTime stack; again: nothing to do", 40, 1),
    Scenario("project", "publish; a SageMaker project from S3, Serverless; delete it; unpublish", 40, 1),
    # Its one invocation is of a RealTime endpoint, paid by the instance: none counted as Serverless.
    Scenario(
        "inference-components",
        "a shared endpoint and a component: deploy, invoke, status; destroy refused while it hosts the component",
        60,
        0,
    ),
    Scenario("destroy", "destroy every stack; again: nothing to destroy", 45, 0),
)
SWEEP = Scenario("sweep", "remove everything the run made", 30, 0)
REALTIME_STACKS = 1  # arn-mode, the target of promote
SERVERLESS_STACKS = 3  # group-mode, deploy-on-approval, the project's
# The shared endpoint and its component live within their own scenario only: made and destroyed there.
COMPONENTS_SCENARIO = "inference-components"
COMPONENTS_STACKS = 2


@dataclass(frozen=True)
class Price:
    instance_type: str
    usd_per_hour: Decimal
    source: str


@dataclass(frozen=True)
class Bound:
    minutes: int
    usd: Decimal
    lines: tuple[str, ...]


def time_bound_minutes() -> int:
    return sum(s.minutes for s in (SETUP, *SCENARIOS, SWEEP))


def cost_bound(price: Price) -> Bound:
    """Each part rounded up to the cent, the total their sum: a bound, never an estimate that may fall short."""
    minutes = time_bound_minutes()
    hours = Decimal(minutes) / 60
    invocations = sum(s.invocations for s in SCENARIOS) * INVOCATION_ATTEMPTS
    realtime = _cents(price.usd_per_hour * PEAK_INSTANCES * REALTIME_STACKS * hours)
    serverless = _cents(SERVERLESS_USD_PER_GB_SECOND * SERVERLESS_MEMORY_GB * INVOCATION_SECONDS * invocations)
    stacks = REALTIME_STACKS + SERVERLESS_STACKS
    overhead = _cents(STACK_USD_PER_HOUR * stacks * hours)
    shared_hours = Decimal(next(s.minutes for s in SCENARIOS if s.name == COMPONENTS_SCENARIO)) / 60
    shared = _cents(price.usd_per_hour * PEAK_INSTANCES * shared_hours)
    components = _cents(STACK_USD_PER_HOUR * COMPONENTS_STACKS * shared_hours)
    lines = (
        f"  RealTime   {price.instance_type} ${price.usd_per_hour}/h x {PEAK_INSTANCES} instances (blue/green) "
        f"x {REALTIME_STACKS} stack x {hours:.2f} h = ${realtime}",
        f"  Serverless {SERVERLESS_MEMORY_GB} GB x {INVOCATION_SECONDS} s x {invocations} invocations "
        f"x ${SERVERLESS_USD_PER_GB_SECOND}/GB-s = ${serverless}",
        f"  Stacks     {stacks} x {hours:.2f} h x ${STACK_USD_PER_HOUR}/h (KMS key, alarms, dashboard, Lambda, "
        f"queues, logs) = ${overhead}",
        f"  Shared     {price.instance_type} ${price.usd_per_hour}/h x {PEAK_INSTANCES} instances "
        f"x {shared_hours:.2f} h ({COMPONENTS_SCENARIO} only) = ${shared}",
        f"  Components {COMPONENTS_STACKS} stacks x {shared_hours:.2f} h x ${STACK_USD_PER_HOUR}/h = ${components}",
    )
    return Bound(minutes, realtime + serverless + overhead + shared + components, lines)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_UP)


def hosting_candidates(instance_types: Iterable[str]) -> list[str]:
    """The smallest x86 general-purpose and compute types SageMaker hosts (botocore's ProductionVariantInstanceType):
    the scikit-learn image is x86 only, so Graviton families (a `g` after the generation: c7g, m6gd) are out."""
    pattern = re.compile(r"^ml\.([tcm])[0-9]+([a-z]*)\.(medium|large)$")
    return sorted(t for t in instance_types if (m := pattern.match(t)) and "g" not in m.group(2))


def cheapest_price(pricing: Any, region: str, candidates: Iterable[str]) -> tuple[Price | None, list[str]]:
    """The cheapest candidate the Price List prices in `region` (a type it lists is offered there)."""
    priced: list[Price] = []
    for instance_type in candidates:
        price, problems = instance_price(pricing, region, instance_type)
        if problems:
            return None, problems
        if price is not None:
            priced.append(price)
    if not priced:
        return None, [f"the Price List prices none of {', '.join(candidates)} for SageMaker in {region}"]
    return min(priced, key=lambda p: (p.usd_per_hour, p.instance_type)), []


def instance_price(pricing: Any, region: str, instance_type: str) -> tuple[Price | None, list[str]]:
    """The highest on-demand hourly price of the type's hosting products in `region` (every product of the type
    when none says it is hosting): the safe side for a bound. (None, []) when the Price List has no such product."""
    filters = [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
    ]
    try:
        pages = pricing.get_paginator("get_products").paginate(ServiceCode=PRICE_LIST_SERVICE, Filters=filters)
        products = [json.loads(item) for page in pages for item in page["PriceList"]]
    except (ClientError, BotoCoreError) as error:
        return None, [f"cannot read the Price List ({error}): allow pricing:GetProducts, or set the price yourself"]
    hosting = [p for p in products if _is_hosting(p)] or products
    prices = [price for product in hosting for price in _on_demand_hourly(product)]
    if not prices:
        return None, []
    return Price(instance_type, max(prices), f"{PRICE_LIST_SOURCE}, regionCode {region}"), []


def _is_hosting(product: dict[str, Any]) -> bool:
    attributes = product.get("product", {}).get("attributes", {})
    return "Hosting" in attributes.values() or HOSTING_USAGE.search(str(attributes.get("usagetype", ""))) is not None


def _on_demand_hourly(product: dict[str, Any]) -> Iterator[Decimal]:
    """The terms' OnDemand price dimensions billed per hour, in USD ("Reading the service price list file":
    terms -> OnDemand -> offer term -> priceDimensions -> rate code -> unit, pricePerUnit)."""
    for term in _offer_terms(product.get("terms", {}).get("OnDemand", {})):
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and str(dimension.get("unit", "")).lower() in HOURLY_UNITS:
                yield Decimal(usd)


def _offer_terms(on_demand: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """GetProducts keys OnDemand by offer term code; the price list files add a level keyed by SKU."""
    for value in on_demand.values():
        if "priceDimensions" in value:
            yield value
        else:
            yield from (term for term in value.values() if isinstance(term, dict))
