"""The shared endpoint and inference component templates as the tests deploy them: their rendered dicts, parameter
values, and the exports a shared endpoint's stack makes for its components."""

from __future__ import annotations

from functools import cache
from typing import Any

from generator.inference_component.template import build_template as build_component
from generator.inference_endpoint.template import build_template as build_shared_endpoint
from tests.support.inputs import ARTIFACTS, PACKAGE_ARN, VPC
from tests.support.template_eval import PSEUDO, Evaluator

ACCOUNT = PSEUDO["AWS::AccountId"]
SHARED_ENDPOINT = "shared-gpu"
ENDPOINT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint/shared-ExecutionRole-Q1W2E3R4T5Y6"
SHARED = {**VPC, "EndpointName": SHARED_ENDPOINT}
COMPONENT_ARN_MODE = {"EndpointName": SHARED_ENDPOINT, "ModelPackageArn": PACKAGE_ARN, **ARTIFACTS}
COMPONENT_GROUP_MODE = {
    "EndpointName": SHARED_ENDPOINT,
    "ModelPackageGroupName": "churn",
    "ResolverCodeS3Bucket": "artifacts-111122223333",
    **ARTIFACTS,
}


def exports(endpoint: str = SHARED_ENDPOINT, isolation: str = "true") -> dict[str, str]:
    """What that endpoint's stack exports for its components (generator.inference_endpoint.context)."""
    values = {
        "ExecutionRoleArn": ENDPOINT_ROLE,
        "ExecutionRoleName": ENDPOINT_ROLE.rsplit("/", 1)[1],
        "VariantName": "AllTraffic",
        "EnableNetworkIsolation": isolation,
    }
    return {f"sagemaker-endpoint:{endpoint}:{key}": value for key, value in values.items()}


@cache
def shared_endpoint_template() -> dict[str, Any]:
    return build_shared_endpoint().to_dict()  # type: ignore[no-any-return]


@cache
def component_template() -> dict[str, Any]:
    return build_component().to_dict()  # type: ignore[no-any-return]


def shared_endpoint(pseudo: dict[str, str] | None = None, /, **values: str) -> Evaluator:
    return Evaluator(shared_endpoint_template(), {**SHARED, **values}, pseudo)


def component(isolation: str = "true", /, **values: str) -> Evaluator:
    return Evaluator(component_template(), {**COMPONENT_ARN_MODE, **values}, exports=exports(isolation=isolation))
