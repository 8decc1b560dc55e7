"""Doubles for the acceptance lane's offline tests: a boto3 session whose STS and Price List clients are botocore
Stubbers (every call checked against the API model; an unexpected one fails), and Price List answers."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.credentials import Credentials
from botocore.stub import Stubber

from tests.support.stubbed_aws import shared_session

ACCOUNT = "111122223333"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/maintainer"


class StubbedSession:
    """What the lane asks of a boto3 Session before it creates anything: a Region, credentials, STS, the Price List.
    Any other client is a failure: nothing may be created before the bound is accepted."""

    def __init__(self, region: str | None = "eu-west-1", credentials: Credentials | None = None) -> None:
        self.region_name = region
        self.credentials = credentials or Credentials("AKIAEXAMPLEEXAMPLE", "secret")
        self.clients = {"sts": shared_session().client("sts"), "pricing": shared_session().client("pricing")}
        self.stubs = {name: Stubber(made) for name, made in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()
        self.pricing_region: str | None = None

    def get_credentials(self) -> Credentials | None:
        return self.credentials

    def client(self, service: str, region_name: str | None = None) -> Any:
        if service not in self.clients:
            raise AssertionError(f"a {service} client asked for before anything may be created")
        if service == "pricing":
            self.pricing_region = region_name
        return self.clients[service]

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def identity(stubbed: StubbedSession, account: str = ACCOUNT) -> None:
    arn = CALLER.replace(ACCOUNT, account)
    stubbed.stubs["sts"].add_response("get_caller_identity", {"UserId": "AROAEXAMPLE:maintainer", "Account": account,
                                                              "Arn": arn})  # fmt: skip


def product(instance: str, usd: str, component: str = "Hosting", unit: str = "Hrs", region: str = "eu-west-1") -> str:
    """One GetProducts PriceList entry, shaped as "Reading the service price list file" describes a product and its
    OnDemand term: product.attributes, terms.OnDemand.<offer term>.priceDimensions.<rate code>.unit/pricePerUnit."""
    sku = hashlib.sha256(f"{instance}/{component}/{unit}".encode()).hexdigest()[:16].upper()
    term, rate = f"{sku}.JRTCKXETXF", f"{sku}.JRTCKXETXF.6YS6EN2CT7"
    usage = {"Hosting": "Host", "Notebook": "Notebk"}.get(component, component)
    return json.dumps({
        "product": {"productFamily": "ML Instance", "sku": sku, "attributes": {
            "instanceName": instance, "regionCode": region, "component": component,
            "usagetype": f"EUW1-{usage}:{instance}", "servicecode": "AmazonSageMaker"}},
        "serviceCode": "AmazonSageMaker",
        "terms": {"OnDemand": {term: {"offerTermCode": "JRTCKXETXF", "sku": sku, "priceDimensions": {rate: {
            "rateCode": rate, "unit": unit, "description": f"{instance} {component}", "pricePerUnit": {"USD": usd}}}}}},
    })  # fmt: skip


def prices(stubbed: StubbedSession, instance: str, *entries: str, region: str = "eu-west-1") -> None:
    """The GetProducts exchange for one instance type, with its exact request."""
    stubbed.stubs["pricing"].add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": list(entries)},
        {"ServiceCode": "AmazonSageMaker", "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
            {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance}]},
    )  # fmt: skip
