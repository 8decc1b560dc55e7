"""The endpoint template's inputs, in the order the console shows them: a table of contents of the declarations
each feature keeps beside its builder. What they derive is added here: the Parameters, the Interface, the metadata
the deploy client reads, and the Rule that refuses another endpoint type's settings."""

from __future__ import annotations

from dataclasses import replace

from troposphere import Template

from generator.cfn.inputs import InputGroup, add_inputs, add_other_types_rule
from generator.endpoint import (
    alarms,
    artifacts,
    asynchronous,
    autoscaling,
    data_capture,
    deploy_on_approval,
    endpoint,
    lambda_functions,
    model,
    model_role,
    network,
    resolver,
    rollback,
    serverless,
    tags,
    types,
    variant,
)
from generator.endpoint.context import PERMISSIONS_BOUNDARY


def input_groups(resolver_code_key: str) -> tuple[InputGroup, ...]:
    """Every input, grouped and ordered for the console; the code key's default names the zip rendered with."""
    return (
        InputGroup("Model package (set exactly one)", model.PACKAGE_INPUTS),
        InputGroup("Endpoint type", types.INPUTS),
        InputGroup("Network (RealTime and Async)", network.INPUTS),
        InputGroup("Endpoint", (*variant.BEFORE_NAME, endpoint.ENDPOINT_NAME, *variant.AFTER_NAME)),
        InputGroup("Serverless (EndpointType Serverless)", serverless.INPUTS),
        InputGroup("Asynchronous inference (EndpointType Async)", asynchronous.INPUTS),
        InputGroup(
            "Model permissions",
            (
                model.NETWORK_ISOLATION,
                model_role.EXECUTION_ROLE,
                PERMISSIONS_BOUNDARY,
                artifacts.BUCKET,
                artifacts.ECR_REPO,
                artifacts.KMS_KEY,
            ),
        ),
        InputGroup("Data capture", data_capture.INPUTS),
        InputGroup("Autoscaling (Application Auto Scaling)", autoscaling.INPUTS),
        InputGroup("Safe updates: blue/green with automatic rollback", rollback.INPUTS),
        *following_groups(resolver_code_key),
    )


def following_groups(resolver_code_key: str) -> tuple[InputGroup, ...]:
    """The groups a template that follows a model package group ends with: tags, the resolver's code, deploy on
    approval and the alarm topic."""
    code_key = replace(lambda_functions.CODE_KEY, default=resolver_code_key)
    return (
        InputGroup("SageMaker project and domain (tags)", tags.INPUTS),
        InputGroup(
            "Package resolver code (model package group only)",
            (lambda_functions.CODE_BUCKET, resolver.TOKEN, code_key),
        ),
        InputGroup("Deploy on approval (model package group only)", deploy_on_approval.INPUTS),
        InputGroup("Operations", (alarms.ALARM_TOPIC,)),
    )


def add_endpoint_inputs(template: Template, resolver_code_key: str) -> None:
    groups = input_groups(resolver_code_key)
    add_inputs(template, groups)
    add_other_types_rule(template, types.ENDPOINT_TYPE, [entry for group in groups for entry in group.inputs])
