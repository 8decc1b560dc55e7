"""Which StackSet calls bring the fleet to what was asked: the instances to create and those whose parameter
overrides change, as batches. One call applies one set of overrides to every account and Region it names, so
targets are grouped by their overrides, and Regions with the same accounts share a call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from generator.deploy.fleet.request import SERVICE_MANAGED, FleetRequest, overrides_at

Place = tuple[str | None, str]  # (account, Region); the account is None for an OU's instances of a Region
# "The maximum number of organizational unit (OUs) supported by a CreateStackInstances operation is 50" (the same for
# UpdateStackInstances, DeleteStackInstances and UpdateStackSet; CloudFormation API Reference), which advises "Batch
# processing: ... split up the operations into multiple calls": a fleet of more OUs takes a call per 50.
OUS_PER_OPERATION = 50


@dataclass(frozen=True)
class Batch:
    """One CreateStackInstances or UpdateStackInstances call."""

    regions: tuple[str, ...]
    overrides: tuple[tuple[str, str], ...]
    accounts: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()

    def arguments(self, preferences: dict[str, Any]) -> dict[str, Any]:
        return {
            **targets_argument(self.accounts, self.organizational_units),
            "Regions": list(self.regions),
            "ParameterOverrides": [{"ParameterKey": k, "ParameterValue": v} for k, v in self.overrides],
            "OperationPreferences": {**preferences, "RegionOrder": list(self.regions)},
        }

    @property
    def shown(self) -> str:
        where = ", ".join(self.accounts or self.organizational_units)
        values = ", ".join(f"{k}={v}" for k, v in self.overrides)
        return f"{where} in {', '.join(self.regions)}" + (f" (overrides: {values})" if values else "")


def targets_argument(accounts: tuple[str, ...] | list[str], ous: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Accounts by `Accounts` (self-managed), OUs by `DeploymentTargets` (service-managed)."""
    return {"DeploymentTargets": {"OrganizationalUnitIds": list(ous)}} if ous else {"Accounts": list(accounts)}


def desired(request: FleetRequest, per_region: dict[str, dict[str, str]]) -> dict[Place, dict[str, str]]:
    """Each place's overrides: the request's, plus what the command sets per Region (the resolver's bucket)."""
    accounts: list[str | None] = [None] if request.model == SERVICE_MANAGED else list(request.accounts)
    return {
        (account, region): per_region.get(region, {}) | overrides_at(request, account, region)
        for region in request.regions
        for account in accounts
    }


def batches(request: FleetRequest, places: dict[Place, dict[str, str]]) -> list[Batch]:
    """The places as few calls as their overrides allow, in the order of --regions."""
    by_overrides: dict[tuple[tuple[str, str], ...], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for (account, region), overrides in places.items():
        by_overrides[tuple(sorted(overrides.items()))][region].append(account or "")
    found = []
    for values, accounts_by_region in by_overrides.items():
        regions_by_accounts: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for region, region_accounts in accounts_by_region.items():
            regions_by_accounts[tuple(sorted(region_accounts))].append(region)
        for accounts, regions in regions_by_accounts.items():
            ordered = tuple(sorted(regions, key=request.regions.index))
            if request.model == SERVICE_MANAGED:
                found += [Batch(ordered, values, organizational_units=ous) for ous in ou_batches(request)]
            else:
                found.append(Batch(ordered, values, accounts=accounts))
    return sorted(found, key=lambda b: request.regions.index(b.regions[0]))


def ou_batches(request: FleetRequest) -> list[tuple[str, ...]]:
    """The OUs in calls of at most OUS_PER_OPERATION, in the order given."""
    return ou_chunks(request.organizational_units)


def ou_chunks(ous: list[str]) -> list[tuple[str, ...]]:
    return [tuple(ous[start : start + OUS_PER_OPERATION]) for start in range(0, len(ous), OUS_PER_OPERATION)]


def preferences(request: FleetRequest) -> dict[str, Any]:
    """Safe by default: one Region after another, no failure tolerated, one account at a time."""
    chosen: dict[str, Any] = {
        "RegionConcurrencyType": request.region_order.upper(),
        "FailureTolerancePercentage": request.failure_tolerance_percent,
    }
    if request.max_concurrent_percent is None:
        chosen["MaxConcurrentCount"] = 1
    else:
        chosen["MaxConcurrentPercentage"] = request.max_concurrent_percent
    return chosen
