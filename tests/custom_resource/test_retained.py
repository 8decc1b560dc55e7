"""The stack's retained Models and EndpointConfigs: found by tag, named by listing, and removed only when neither the
endpoint nor the stack uses them. Exact calls on botocore Stubbers, so every request matches the API models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from custom_resource import retained
from custom_resource.contract import STACK_TAG
from custom_resource.retained import Removed

REGION, ACCOUNT = "eu-west-1", "111122223333"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/churn/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
# CloudFormation's names keep their capitals; SageMaker writes them in lower case in ARNs.
OLD, SERVED, NEW = "EndpointConfig-Old1", "EndpointConfig-Served2", "EndpointConfig-New3"
MODEL = {OLD: "Model-Old1", SERVED: "Model-Served2", NEW: "Model-New3"}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}/{name.lower()}"


@pytest.fixture
def clients() -> Iterator[tuple[Stubber, Stubber, Any, Any]]:
    session = boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    sagemaker, tagging = session.client("sagemaker"), session.client("resourcegroupstaggingapi")
    with Stubber(sagemaker) as sm, Stubber(tagging) as tags:
        yield sm, tags, sagemaker, tagging
        sm.assert_no_pending_responses()
        tags.assert_no_pending_responses()


def expect_tagged(tags: Stubber, *arns: str) -> None:
    tags.add_response(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": a, "Tags": [{"Key": STACK_TAG, "Value": STACK_ID}]} for a in arns]},
        {"TagFilters": [{"Key": STACK_TAG, "Values": [STACK_ID]}], "ResourceTypeFilters": list(retained_types())},
    )


def retained_types() -> tuple[str, str]:
    return (retained.CONFIG_TYPE, retained.MODEL_TYPE)


def expect_listed(sm: Stubber, configs: list[str], models: list[str], *, others: bool = True) -> None:
    """Both lists, with a config and a model of another stack among them (which must never be touched)."""
    when = datetime(2026, 11, 20, tzinfo=UTC)
    configs = [*configs, "someone-elses-config"] if others else configs
    models = [*models, "someone-elses-model"] if others else models
    sm.add_response("list_endpoint_configs", {"EndpointConfigs": [
        {"EndpointConfigName": c, "EndpointConfigArn": arn("endpoint-config", c), "CreationTime": when} for c in configs
    ]}, {"CreationTimeAfter": SINCE})  # fmt: skip
    sm.add_response("list_models", {"Models": [
        {"ModelName": m, "ModelArn": arn("model", m), "CreationTime": when} for m in models
    ]}, {"CreationTimeAfter": SINCE})  # fmt: skip


def expect_config(sm: Stubber, config: str) -> None:
    sm.add_response("describe_endpoint_config", {
        "EndpointConfigName": config, "EndpointConfigArn": arn("endpoint-config", config),
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": MODEL[config]}], "CreationTime": SINCE,
    }, {"EndpointConfigName": config})  # fmt: skip


def expect_endpoint(sm: Stubber, served: str, pending: str | None = None) -> None:
    answer: dict[str, Any] = {
        "EndpointName": "churn-ep", "EndpointArn": arn("endpoint", "churn-ep"), "EndpointConfigName": served,
        "EndpointStatus": "InService", "CreationTime": SINCE, "LastModifiedTime": SINCE,
    }  # fmt: skip
    if pending:
        answer["PendingDeploymentSummary"] = {"EndpointConfigName": pending}
    sm.add_response("describe_endpoint", answer, {"EndpointName": "churn-ep"})


def every_tagged(*configs: str) -> list[str]:
    return [*(arn("endpoint-config", c) for c in configs), *(arn("model", MODEL[c]) for c in configs)]


def test_after_a_silent_rollback_the_served_config_and_the_stacks_own_stay_and_only_the_older_one_goes(
    clients: tuple[Stubber, Stubber, Any, Any],
) -> None:
    """The endpoint went back to SERVED while the stack says NEW: both stay, with their models; OLD goes."""
    sm, tags, sagemaker, tagging = clients
    expect_endpoint(sm, SERVED)
    expect_config(sm, NEW)
    expect_config(sm, SERVED)
    expect_tagged(tags, *every_tagged(OLD, SERVED, NEW))
    expect_listed(sm, [OLD, SERVED, NEW], [MODEL[OLD], MODEL[SERVED], MODEL[NEW]])
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": OLD})
    sm.add_response("delete_model", {}, {"ModelName": MODEL[OLD]})
    removed = retained.remove_unserved(
        sagemaker, tagging, stack_id=STACK_ID, since=SINCE, endpoint_name="churn-ep", stack_config=NEW
    )
    assert removed == Removed([OLD], [MODEL[OLD]])


def test_while_a_deployment_runs_its_pending_config_is_kept_too(clients: tuple[Stubber, Stubber, Any, Any]) -> None:
    sm, tags, sagemaker, tagging = clients
    expect_endpoint(sm, SERVED, pending=NEW)
    for config in sorted({SERVED, NEW}):  # the kept configs are read in no fixed order: the stub wants one
        expect_config(sm, config)
    expect_tagged(tags, *every_tagged(SERVED, NEW))
    expect_listed(sm, [SERVED, NEW], [MODEL[SERVED], MODEL[NEW]])
    removed = retained.remove_unserved(
        sagemaker, tagging, stack_id=STACK_ID, since=SINCE, endpoint_name="churn-ep", stack_config=SERVED
    )
    assert not removed


def test_names_come_from_the_listing_with_their_capitals_never_from_the_lower_cased_arn(
    clients: tuple[Stubber, Stubber, Any, Any],
) -> None:
    """DeleteEndpointConfig gets `EndpointConfig-Old1`, as SageMaker lists it, not `endpointconfig-old1`."""
    sm, tags, sagemaker, tagging = clients
    expect_tagged(tags, *every_tagged(OLD))
    expect_listed(sm, [OLD], [MODEL[OLD]])
    sm.add_response("delete_endpoint_config", {}, {"EndpointConfigName": "EndpointConfig-Old1"})
    sm.add_response("delete_model", {}, {"ModelName": "Model-Old1"})
    assert retained.remove_all(sagemaker, tagging, stack_id=STACK_ID, since=SINCE) == Removed([OLD], [MODEL[OLD]])


def test_a_stack_with_nothing_retained_lists_nothing_and_deletes_nothing(
    clients: tuple[Stubber, Stubber, Any, Any],
) -> None:
    _sm, tags, sagemaker, tagging = clients
    expect_tagged(tags)
    assert not retained.remove_all(sagemaker, tagging, stack_id=STACK_ID, since=SINCE)


def test_a_resource_deleted_meanwhile_counts_as_removed_and_another_error_stops_the_cleanup(
    clients: tuple[Stubber, Stubber, Any, Any],
) -> None:
    sm, tags, sagemaker, tagging = clients
    expect_tagged(tags, *every_tagged(OLD))
    expect_listed(sm, [OLD], [MODEL[OLD]], others=False)
    sm.add_client_error("delete_endpoint_config", "ValidationException", "Could not find endpoint configuration")
    sm.add_client_error("delete_model", "AccessDeniedException", "not authorized")
    with pytest.raises(ClientError, match="AccessDenied"):
        retained.remove_all(sagemaker, tagging, stack_id=STACK_ID, since=SINCE)


def test_a_kept_config_already_gone_keeps_nothing_else_alive(clients: tuple[Stubber, Stubber, Any, Any]) -> None:
    """The endpoint names a config SageMaker no longer knows (deleted by hand): no model is kept for it."""
    sm, _tags, sagemaker, _tagging = clients
    expect_endpoint(sm, SERVED)
    sm.add_client_error("describe_endpoint_config", "ValidationException", "Could not find endpoint configuration")
    configs, models = retained.in_use(sagemaker, "churn-ep", SERVED)
    assert (configs, models) == ({SERVED.lower()}, set())
