"""The deploy client against botocore Stubbers, run as a user runs it (`generator.cli.main`): every client the
command asks for is stubbed, so each call is checked against the API model and a call nobody queued (an UpdateStack,
a DeleteStackSet) fails the test. Answers are shaped as the service models require; helpers build the common ones."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from custom_resource.contract import STACK_TAG
from generator.deploy import template_file
from generator.deploy.aws import Aws
from generator.deploy.template_file import EndpointTemplate

REGION, ACCOUNT = "eu-west-1", "111122223333"
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
SERVICES = ("cloudformation", "sagemaker", "cloudwatch", "s3", "sts", "resourcegroupstaggingapi", "organizations")
WHEN = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# The endpoint template's parameters that deploy and promote judge by, its endpoint and its outputs: small enough to
# send inline (the real one goes through S3) and to read in a test.
ENDPOINT_LIKE = EndpointTemplate(
    "Parameters:\n"
    "  ModelPackageArn: {Type: String, Default: ''}\n"
    "  ModelPackageGroupName: {Type: String, Default: ''}\n"
    "  DeployOnApproval: {Type: String, Default: 'false'}\n"
    "  EndpointName: {Type: String, Default: ''}\n"
    "Resources:\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\n"
    "    Properties: {EndpointName: !Ref EndpointName, EndpointConfigName: config}\n"
    "Outputs:\n  EndpointName: {Value: !GetAtt Endpoint.EndpointName}\n"
    "  ModelPackageArn: {Value: !Ref ModelPackageArn}\n"
)


def endpoint_like_with(defaults: dict[str, str]) -> EndpointTemplate:
    """ENDPOINT_LIKE with more String parameters of the endpoint template (name -> its default), for the checks that
    read them."""
    lines = "".join(f"  {name}: {{Type: String, Default: '{value}'}}\n" for name, value in defaults.items())
    return EndpointTemplate(ENDPOINT_LIKE.body.replace("Parameters:\n", "Parameters:\n" + lines, 1))


@cache
def shared_session() -> boto3.Session:
    """One session for every test: it caches the service models, which take a second to parse per session."""
    return boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


class StubbedAws:
    """One stubbed client per service, active from the start; `done()` checks every queued answer was asked for."""

    def __init__(self) -> None:
        session = shared_session()
        self.clients: dict[str, Any] = {service: session.client(service) for service in SERVICES}  # type: ignore[call-overload]
        self.stubs = {service: Stubber(client) for service, client in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()

    def __getitem__(self, service: str) -> Stubber:
        return self.stubs[service]

    def aws(self) -> Aws:
        return Aws(REGION, clients=self.clients)

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def run_with(monkeypatch: pytest.MonkeyPatch, stubbed: StubbedAws, template: EndpointTemplate) -> None:
    """Make `main` use the stubbed clients (in any Region it names) and `template` for the endpoint template."""
    monkeypatch.setattr(Aws, "client", lambda _self, service: stubbed.clients[service])
    monkeypatch.setattr(template_file, "load_template", lambda *_, **__: template)


def stack_id(name: str) -> str:
    return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"


def stacks(
    name: str, status: str, parameters: dict[str, str] | None = None, outputs: dict[str, str] | None = None
) -> dict[str, Any]:
    """A DescribeStacks answer of one stack."""
    return {"Stacks": [{
        "StackName": name, "StackId": stack_id(name), "CreationTime": WHEN, "StackStatus": status,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in (outputs or {}).items()],
    }]}  # fmt: skip


def resources(*summaries: tuple[str, str, str]) -> dict[str, Any]:
    """A ListStackResources answer: (logical id, physical id, type) each."""
    return {"StackResourceSummaries": [
        {"LogicalResourceId": logical, "PhysicalResourceId": physical, "ResourceType": kind,
         "LastUpdatedTimestamp": WHEN, "ResourceStatus": "UPDATE_COMPLETE"}
        for logical, physical, kind in summaries
    ]}  # fmt: skip


def endpoint_stack_resources(endpoint: str, config: str, *alarms: str) -> dict[str, Any]:
    """An endpoint stack's resources as ListStackResources names them (the Endpoint by ARN), with its alarms."""
    return resources(
        ("Endpoint", f"{SAGEMAKER}:endpoint/{endpoint}", "AWS::SageMaker::Endpoint"),
        ("EndpointConfig", f"{SAGEMAKER}:endpoint-config/{config}", "AWS::SageMaker::EndpointConfig"),
        *((f"Alarm{n}", alarm, "AWS::CloudWatch::Alarm") for n, alarm in enumerate(alarms)),
    )


def expect_endpoint(
    sagemaker: Stubber, name: str, config: str, *, status: str = "InService", since: datetime = WHEN
) -> None:
    sagemaker.add_response("describe_endpoint", {
        "EndpointName": name, "EndpointArn": f"{SAGEMAKER}:endpoint/{name}", "EndpointConfigName": config,
        "EndpointStatus": status, "CreationTime": WHEN, "LastModifiedTime": since,
    }, {"EndpointName": name})  # fmt: skip


def expect_retained(
    stubbed: StubbedAws, endpoint: str, served: str, *, configs: dict[str, str] | None = None, stack: str = "churn"
) -> None:
    """What `custom_resource.retained.remove_unserved` reads once the endpoint serves the stack's config `served`:
    the endpoint again, the served config's model, then the stack's tagged configs and models (Resource Groups
    Tagging API). `configs`: the other retained configs, each with its model; they are listed and then deleted."""
    sagemaker, tagging = stubbed["sagemaker"], stubbed["resourcegroupstaggingapi"]
    expect_endpoint(sagemaker, endpoint, served)
    expect_config_model(sagemaker, served, f"model-of-{served}")
    kept = {served: f"model-of-{served}", **(configs or {})}
    arns = [f"{SAGEMAKER}:endpoint-config/{c.lower()}" for c in kept] + [
        f"{SAGEMAKER}:model/{m.lower()}" for m in kept.values()
    ]
    tagging.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": arn, "Tags": [{"Key": STACK_TAG, "Value": stack_id(stack)}]} for arn in arns
    ]}, {"TagFilters": [{"Key": STACK_TAG, "Values": [stack_id(stack)]}],
         "ResourceTypeFilters": ["sagemaker:endpoint-config", "sagemaker:model"]})  # fmt: skip
    sagemaker.add_response("list_endpoint_configs", {"EndpointConfigs": [
        {"EndpointConfigName": c, "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/{c.lower()}", "CreationTime": WHEN}
        for c in kept
    ]}, {"CreationTimeAfter": WHEN})  # fmt: skip
    sagemaker.add_response("list_models", {"Models": [
        {"ModelName": m, "ModelArn": f"{SAGEMAKER}:model/{m.lower()}", "CreationTime": WHEN} for m in kept.values()
    ]}, {"CreationTimeAfter": WHEN})  # fmt: skip
    for config in sorted(configs or {}):
        sagemaker.add_response("delete_endpoint_config", {}, {"EndpointConfigName": config})
    for model in sorted((configs or {}).values()):
        sagemaker.add_response("delete_model", {}, {"ModelName": model})


def expect_config_model(sagemaker: Stubber, config: str, model: str) -> None:
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": config, "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/{config.lower()}",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": model}], "CreationTime": WHEN,
    }, {"EndpointConfigName": config})  # fmt: skip


def expect_config_package(sagemaker: Stubber, config: str, package: str) -> None:
    """DescribeEndpointConfig, then DescribeModel of its variant's model: the package behind the config."""
    model = f"model-of-{config}"
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": config, "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/{config}",
        "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": model}], "CreationTime": WHEN,
    }, {"EndpointConfigName": config})  # fmt: skip
    sagemaker.add_response("describe_model", {
        "ModelName": model, "ModelArn": f"{SAGEMAKER}:model/{model}", "CreationTime": WHEN,
        "PrimaryContainer": {"ModelPackageName": package},
    }, {"ModelName": model})  # fmt: skip


def stack_event(name: str, event_id: str, logical_id: str, kind: str, status: str) -> dict[str, Any]:
    return {
        "StackId": stack_id(name), "EventId": event_id, "StackName": name, "LogicalResourceId": logical_id,
        "PhysicalResourceId": stack_id(name) if kind == "AWS::CloudFormation::Stack" else logical_id,
        "ResourceType": kind, "Timestamp": WHEN, "ResourceStatus": status,
    }  # fmt: skip


def expect_execution(cloudformation: Stubber, name: str, change_set_id: str, final_status: str) -> None:
    """ExecuteChangeSet and following it to `final_status`: the events before it, then the operation's own, once."""
    sid = {"StackName": stack_id(name)}
    before = stack_event(name, "e-0", name, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)
    token = change_set_id.split(":changeSet/", 1)[1].split("/", 1)[0]  # the name in the change set's ARN
    cloudformation.add_response("execute_change_set", {}, {"ChangeSetName": change_set_id, "ClientRequestToken": token})
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)  # skipping older ones
    operation = [
        stack_event(name, "e-2", name, "AWS::CloudFormation::Stack", final_status),
        stack_event(name, "e-1", "Endpoint", "AWS::SageMaker::Endpoint", "UPDATE_COMPLETE"),
        before,
    ]
    cloudformation.add_response("describe_stack_events", {"StackEvents": operation}, sid)
    cloudformation.add_response("describe_stacks", stacks(name, final_status), sid)
    cloudformation.add_response("describe_stack_events", {"StackEvents": operation}, sid)  # nothing newer
