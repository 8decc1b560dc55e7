"""What the maintainer told the lane, from the environment, checked before any AWS call.

The opt-in is ACCEPTANCE_ACCOUNT_ID: without it the lane runs nothing (and says what it needs). With it, every
other value is checked at once; any problem is a misconfiguration, reported together, and nothing runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

ACCOUNT = "ACCEPTANCE_ACCOUNT_ID"
MAX_USD = "ACCEPTANCE_MAX_USD"
VPC = "ACCEPTANCE_VPC_ID"
SUBNETS = "ACCEPTANCE_SUBNET_IDS"
INSTANCE_TYPE = "ACCEPTANCE_INSTANCE_TYPE"
HOURLY_USD = "ACCEPTANCE_HOURLY_USD"
RUN_ID = "ACCEPTANCE_RUN_ID"  # acceptance-clean only: sweep one run instead of every run
DOMAIN = "ACCEPTANCE_DOMAIN_ID"  # the project scenario only: a SageMaker domain the run may tag (else it is skipped)
DEFAULT_MAX_USD = Decimal(5)

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
INSTANCE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")  # the template's InstanceType AllowedPattern
RUN = re.compile(r"^r[0-9]{10}[0-9a-f]{4}$")  # naming.new_run_id
DOMAIN_ID = re.compile(r"^d-(-*[a-z0-9]){1,61}$")  # botocore sagemaker DomainId


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    account_id: str
    max_usd: Decimal = DEFAULT_MAX_USD
    network: Network | None = None  # None: the lane makes its own VPC
    instance_type: str | None = None  # None: the Region's cheapest the template accepts
    hourly_usd: Decimal | None = None  # None: from AWS's Price List
    run_id: str | None = None
    domain_id: str | None = None  # None: the project scenario is skipped


def read_settings(env: Mapping[str, str]) -> tuple[Settings | None, list[str]]:
    """(settings, []) to run; (None, []) when not opted in; (None, problems) when misconfigured."""
    account = env.get(ACCOUNT, "").strip()
    if not account:
        return None, []
    problems: list[str] = []
    if not ACCOUNT_ID.match(account):
        problems.append(f"{ACCOUNT} {account!r}: an AWS account ID is 12 digits")
    max_usd = _dollars(env, MAX_USD, problems) or DEFAULT_MAX_USD
    network = _network(env, problems)
    instance_type = env.get(INSTANCE_TYPE, "").strip() or None
    if instance_type and not INSTANCE.match(instance_type):
        problems.append(f"{INSTANCE_TYPE} {instance_type!r}: a SageMaker instance type such as ml.m5.large")
    hourly = _dollars(env, HOURLY_USD, problems)
    if hourly is not None and not instance_type:
        problems.append(f"{HOURLY_USD} is a price of {INSTANCE_TYPE}: set that too")
    run_id = env.get(RUN_ID, "").strip() or None
    if run_id and not RUN.match(run_id):
        problems.append(f"{RUN_ID} {run_id!r}: a run id as the lane prints it, such as r2601151403a1b2")
    domain_id = env.get(DOMAIN, "").strip() or None
    if domain_id and not DOMAIN_ID.match(domain_id):
        problems.append(f"{DOMAIN} {domain_id!r}: a SageMaker domain ID such as d-abcdef123456")
    if problems:
        return None, problems
    return Settings(account, max_usd, network, instance_type, hourly, run_id, domain_id), []


def _dollars(env: Mapping[str, str], name: str, problems: list[str]) -> Decimal | None:
    given = env.get(name, "").strip()
    if not given:
        return None
    try:
        value = Decimal(given)
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        problems.append(f"{name} {given!r}: a number of US dollars, more than 0")
        return None
    return value


def _network(env: Mapping[str, str], problems: list[str]) -> Network | None:
    """Both or neither: a VPC without its subnets (or the reverse) is a mistake, not a request for a new VPC."""
    vpc = env.get(VPC, "").strip()
    subnets = tuple(s.strip() for s in env.get(SUBNETS, "").split(",") if s.strip())
    if not vpc and not subnets:
        return None
    if not vpc or not subnets:
        missing, given = (VPC, SUBNETS) if not vpc else (SUBNETS, VPC)
        problems.append(f"{given} is set but {missing} is not: give both, or neither for a VPC the lane makes")
        return None
    if not VPC_ID.match(vpc):
        problems.append(f"{VPC} {vpc!r}: a VPC ID such as vpc-0123456789abcdef0")
    bad = [s for s in subnets if not SUBNET_ID.match(s)]
    if bad or len(subnets) < 2:
        problems.append(
            f"{SUBNETS} {','.join(subnets)!r}: two or more subnet IDs (subnet-...) of {VPC}, comma-separated, "
            "in two Availability Zones"
        )
    return Network(vpc, subnets)
