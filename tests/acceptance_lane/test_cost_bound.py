"""The cost and time bound, offline: its arithmetic, the price it takes from AWS's Price List (requests checked by a
Stubber against the pricing API model, answers shaped as AWS documents price list products), and the refusal to
start above ACCEPTANCE_MAX_USD, before anything is created."""

from __future__ import annotations

from decimal import Decimal

from tests.support.acceptance import cost
from tests.support.acceptance.cost import Price, cost_bound, hosting_candidates, instance_price, time_bound_minutes
from tests.support.acceptance.doubles import ACCOUNT, StubbedSession, identity, prices, product
from tests.support.acceptance.preflight import EXIT_MISCONFIGURED, EXIT_OVER_BUDGET, preflight, production_variant_types
from tests.support.acceptance.settings import Settings

T2_MEDIUM = Price("ml.t2.medium", Decimal("0.056"), "a test")


def test_the_time_bound_is_setup_every_scenario_and_the_sweep() -> None:
    assert time_bound_minutes() == 15 + (45 + 45 + 75 + 40 + 40 + 60 + 45) + 30


def test_the_cost_bound_adds_instances_serverless_and_stacks_each_rounded_up_to_the_cent() -> None:
    """395 minutes is 6.5833 h. RealTime: 0.056 x 2 instances x 1 stack x 6.5833 = 0.7373, up to 0.74. Serverless:
    8 invocations x 3 attempts = 24, x 60 s x 2 GB x 0.0001 = 0.288, up to 0.29. Stacks: 4 x 6.5833 x 0.05 =
    1.3167, up to 1.32. The shared endpoint, within its 60-minute scenario: 0.056 x 2 x 1 = 0.112, up to 0.12; its
    and its component's stacks: 2 x 1 x 0.05 = 0.10. Total 2.57."""
    bound = cost_bound(T2_MEDIUM)

    assert (bound.minutes, bound.usd) == (395, Decimal("2.57"))
    assert bound.lines == (
        "  RealTime   ml.t2.medium $0.056/h x 2 instances (blue/green) x 1 stack x 6.58 h = $0.74",
        "  Serverless 2 GB x 60 s x 24 invocations x $0.0001/GB-s = $0.29",
        "  Stacks     4 x 6.58 h x $0.05/h (KMS key, alarms, dashboard, Lambda, queues, logs) = $1.32",
        "  Shared     ml.t2.medium $0.056/h x 2 instances x 1.00 h (inference-components only) = $0.12",
        "  Components 2 stacks x 1.00 h x $0.05/h = $0.10",
    )


def test_candidates_are_the_x86_medium_and_large_general_purpose_and_compute_types() -> None:
    """The scikit-learn image is x86: Graviton families (c7g, m6gd) are out; larger sizes cost more."""
    given = ["ml.t2.medium", "ml.c7g.large", "ml.m6gd.large", "ml.c5.xlarge", "ml.r5.large", "ml.m5.large",
             "ml.c6in.large", "ml.g4dn.xlarge", "ml.c8g.medium"]  # fmt: skip

    assert hosting_candidates(given) == ["ml.c6in.large", "ml.m5.large", "ml.t2.medium"]
    assert "ml.t2.medium" in hosting_candidates(production_variant_types())


def test_the_highest_hosting_hourly_price_of_the_type_is_taken(stubbed: StubbedSession) -> None:
    """Hosting products only when the Price List marks them; of those, the highest on-demand hourly price (the safe
    side of a bound); a notebook's price and a non-hourly unit do not count."""
    prices(stubbed, "ml.t2.medium",
           product("ml.t2.medium", "0.0560000000"), product("ml.t2.medium", "0.0580000000", unit="Hours"),
           product("ml.t2.medium", "0.9000000000", unit="GB-Mo"),
           product("ml.t2.medium", "0.0700000000", "Notebook"))  # fmt: skip

    price, problems = instance_price(stubbed.clients["pricing"], "eu-west-1", "ml.t2.medium")

    assert problems == []
    assert price == Price("ml.t2.medium", Decimal("0.0580000000"), f"{cost.PRICE_LIST_SOURCE}, regionCode eu-west-1")


def test_without_a_hosting_mark_every_hourly_product_of_the_type_counts(stubbed: StubbedSession) -> None:
    prices(stubbed, "ml.m5.large", product("ml.m5.large", "0.115", "Training"), product("ml.m5.large", "0.13", "Batch"))

    price, _ = instance_price(stubbed.clients["pricing"], "eu-west-1", "ml.m5.large")

    assert price is not None
    assert price.usd_per_hour == Decimal("0.13")


def test_the_regions_cheapest_priced_candidate_is_chosen(stubbed: StubbedSession) -> None:
    """A type the Price List does not list for the Region (an empty answer) is not offered there."""
    prices(stubbed, "ml.c5.large", product("ml.c5.large", "0.102"))
    prices(stubbed, "ml.m5.large", product("ml.m5.large", "0.115"))
    prices(stubbed, "ml.t2.medium")  # not in this Region

    price, problems = cost.cheapest_price(stubbed.clients["pricing"], "eu-west-1",
                                          ["ml.c5.large", "ml.m5.large", "ml.t2.medium"])  # fmt: skip

    assert problems == []
    assert price is not None
    assert (price.instance_type, price.usd_per_hour) == ("ml.c5.large", Decimal("0.102"))


def test_a_bound_above_the_maximum_is_refused_with_exit_3_before_anything_is_created(stubbed: StubbedSession) -> None:
    """The stubbed session gives STS and the Price List only: creating anything would fail the test."""
    identity(stubbed)
    prices(stubbed, "ml.t2.medium", product("ml.t2.medium", "0.056"))

    outcome = preflight(Settings(ACCOUNT, Decimal(1), instance_type="ml.t2.medium"), [], stubbed, "r2601151403a1b2")

    assert (outcome.code, outcome.plan) == (EXIT_OVER_BUDGET, None)
    assert outcome.lines[-1] == (
        "refused: the cost bound $2.57 exceeds ACCEPTANCE_MAX_USD $1; nothing was created. Raise ACCEPTANCE_MAX_USD, "
        "or set ACCEPTANCE_INSTANCE_TYPE to a cheaper type."
    )
    assert stubbed.pricing_region == "us-east-1"  # the Price List Query API's Region for the aws partition


def test_within_the_maximum_the_plan_says_what_it_creates_its_bounds_and_their_assumptions(
    stubbed: StubbedSession,
) -> None:
    identity(stubbed)
    prices(stubbed, "ml.t2.medium", product("ml.t2.medium", "0.056"))

    outcome = preflight(Settings(ACCOUNT, instance_type="ml.t2.medium"), [], stubbed, "r2601151403a1b2")

    assert outcome.code == 0
    assert outcome.plan is not None
    assert outcome.plan.image == "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    text = "\n".join(outcome.lines)
    assert outcome.lines[0] == ("Acceptance run r2601151403a1b2: account 111122223333, eu-west-1, as "
                                "arn:aws:sts::111122223333:assumed-role/Admin/maintainer")  # fmt: skip
    for said in ("named sme-acceptance-r2601151403a1b2-* and tagged sagemaker-endpoint:acceptance=r2601151403a1b2",
                 "  deploy-on-approval    75 min  the stack redeploys on an approval and rolls back on a rejection",
                 "Time bound: 6 h 35 min.", "Cost bound: $2.57 at most (refused above ACCEPTANCE_MAX_USD $5):",
                 "ml.t2.medium at $0.056/h from AWS Price List Query API", "https://aws.amazon.com/sagemaker/pricing/",
                 "https://aws.amazon.com/kms/pricing/"):  # fmt: skip
        assert said in text


def test_a_given_type_and_price_are_taken_as_they_are_without_the_price_list(stubbed: StubbedSession) -> None:
    identity(stubbed)

    outcome = preflight(Settings(ACCOUNT, instance_type="ml.c5.large", hourly_usd=Decimal("0.2")), [], stubbed)

    assert outcome.plan is not None
    assert outcome.plan.price == Price("ml.c5.large", Decimal("0.2"), "ACCEPTANCE_HOURLY_USD, as given")


def test_a_price_list_it_may_not_read_stops_it_naming_the_permission(stubbed: StubbedSession) -> None:
    identity(stubbed)
    stubbed.stubs["pricing"].add_client_error("get_products", "AccessDeniedException", "not authorized")

    outcome = preflight(Settings(ACCOUNT, instance_type="ml.t2.medium"), [], stubbed)

    assert outcome.code == EXIT_MISCONFIGURED
    assert outcome.lines[0].startswith("error: cannot read the Price List (")
    assert outcome.lines[0].endswith("): allow pricing:GetProducts, or set the price yourself")


def test_a_type_the_price_list_does_not_offer_in_the_region_stops_it(stubbed: StubbedSession) -> None:
    identity(stubbed)
    prices(stubbed, "ml.t2.medium")

    outcome = preflight(Settings(ACCOUNT, instance_type="ml.t2.medium"), [], stubbed)

    assert outcome.lines[0] == "error: the Price List has no SageMaker hosting price for ml.t2.medium in eu-west-1"
