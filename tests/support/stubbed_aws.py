"""The deploy client against botocore Stubbers, run as a user runs it (`generator.cli.main`): every client the
command asks for is stubbed, so each call is checked against the API model and a call nobody queued (an UpdateStack,
a DeleteStackSet) fails the test. Answers are shaped as the service models require; helpers build the common ones."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from rich.console import Console as RichConsole

from custom_resource.contract import STACK_TAG
from generator.deploy import template_file
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.template_file import EndpointTemplate
from tests.support.published_change_sets import replacing_the_endpoint

REGION, ACCOUNT = "eu-west-1", "111122223333"
PEER = "444455556666"  # another account of a fleet
SAGEMAKER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
SERVICES = (
    "cloudformation",
    "sagemaker",
    "cloudwatch",
    "s3",
    "sts",
    "sqs",
    "iam",
    "organizations",
    "resourcegroupstaggingapi",
    "ec2",
    "kms",
    "ecr",
)
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
# ENDPOINT_LIKE with what group mode, --resolve-latest and seed-farmer's permissions boundary set.
GROUP_LIKE = EndpointTemplate(
    ENDPOINT_LIKE.body.replace(
        "Parameters:\n",
        "Parameters:\n"
        "  ResolverCodeS3Bucket: {Type: String, Default: ''}\n"
        "  ResolverCodeS3Key: {Type: String, Default: ''}\n"
        "  PackageResolutionToken: {Type: String, Default: ''}\n"
        "  PermissionsBoundaryArn: {Type: String, Default: ''}\n",
        1,
    )
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
    """One stubbed client per service, made and activated on first use (by the test queueing an answer, or by the
    command asking for the client: then with nothing queued, so any call fails); `done()` checks every queued answer
    was asked for."""

    def __init__(self) -> None:
        self.stubs: dict[str, Stubber] = {}
        self.clients: dict[str, Any] = _OnFirstUse(self._stubbed_client)

    def _stubbed_client(self, service: str) -> Any:
        client = shared_session().client(service)  # type: ignore[call-overload]
        self.stubs[service] = Stubber(client)
        self.stubs[service].activate()
        return client

    def __getitem__(self, service: str) -> Stubber:
        self.clients[service]  # made now if it was not yet
        return self.stubs[service]

    def aws(self) -> Aws:
        return Aws(REGION, clients=self.clients)

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


class _OnFirstUse(dict[str, Any]):
    """The clients of SERVICES, each made when first looked up. Aws.client asks `in` before it makes a real client:
    every service of SERVICES is in, so none is ever made for real. (A client costs 10 to 40 ms to make; most tests
    use two or three of the eight.)"""

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self.make = make

    def __contains__(self, service: object) -> bool:
        return service in SERVICES

    def __missing__(self, service: str) -> Any:
        if service not in SERVICES:
            raise KeyError(service)
        self[service] = client = self.make(service)
        return client


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
    sagemaker = stubbed["sagemaker"]
    expect_endpoint(sagemaker, endpoint, served)
    expect_config_model(sagemaker, served, f"model-of-{served}")
    expect_found_and_deleted(stubbed, {served: f"model-of-{served}"}, configs or {}, stack)


def expect_all_removed(stubbed: StubbedAws, configs: dict[str, str], *, stack: str = "churn") -> None:
    """What `custom_resource.retained.remove_all` does once `destroy` has deleted the stack: every config the stack
    kept (`configs`, each with its model) found by tag, listed for its exact name, and deleted, configs first."""
    expect_found_and_deleted(stubbed, {}, configs, stack)


def expect_found_and_deleted(stubbed: StubbedAws, kept: dict[str, str], removed: dict[str, str], stack: str) -> None:
    """The stack's tagged configs and models (`kept` and `removed`, config -> model) by GetResources, their exact
    names by ListEndpointConfigs and ListModels since the stack was made (a type nothing is tagged with is not
    listed), then DeleteEndpointConfig and DeleteModel of those of `removed`, each in name order."""
    sagemaker, tagging = stubbed["sagemaker"], stubbed["resourcegroupstaggingapi"]
    found = kept | removed
    arns = [f"{SAGEMAKER}:endpoint-config/{c.lower()}" for c in found] + [
        f"{SAGEMAKER}:model/{m.lower()}" for m in found.values()
    ]
    tagging.add_response("get_resources", {"ResourceTagMappingList": [
        {"ResourceARN": arn, "Tags": [{"Key": STACK_TAG, "Value": stack_id(stack)}]} for arn in arns
    ]}, {"TagFilters": [{"Key": STACK_TAG, "Values": [stack_id(stack)]}],
         "ResourceTypeFilters": ["sagemaker:endpoint-config", "sagemaker:model"]})  # fmt: skip
    if not found:
        return
    sagemaker.add_response("list_endpoint_configs", {"EndpointConfigs": [
        {"EndpointConfigName": c, "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/{c.lower()}", "CreationTime": WHEN}
        for c in found
    ]}, {"CreationTimeAfter": WHEN})  # fmt: skip
    sagemaker.add_response("list_models", {"Models": [
        {"ModelName": m, "ModelArn": f"{SAGEMAKER}:model/{m.lower()}", "CreationTime": WHEN} for m in found.values()
    ]}, {"CreationTimeAfter": WHEN})  # fmt: skip
    for config in sorted(removed):
        sagemaker.add_response("delete_endpoint_config", {}, {"EndpointConfigName": config})
    for model in sorted(removed.values()):
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


def stack_event(
    name: str, event_id: str, logical_id: str, kind: str, status: str, *, reason: str | None = None
) -> dict[str, Any]:
    event = {
        "StackId": stack_id(name), "EventId": event_id, "StackName": name, "LogicalResourceId": logical_id,
        "PhysicalResourceId": stack_id(name) if kind == "AWS::CloudFormation::Stack" else logical_id,
        "ResourceType": kind, "Timestamp": WHEN, "ResourceStatus": status,
    }  # fmt: skip
    return event | ({"ResourceStatusReason": reason} if reason else {})


def expect_execution(cloudformation: Stubber, name: str, change_set_id: str, final_status: str) -> None:
    """ExecuteChangeSet and following it to `final_status`: the events before it, then the operation's own, once."""
    sid = {"StackName": stack_id(name)}
    before = stack_event(name, "e-0", name, "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)
    expect_execute(cloudformation, change_set_id)
    operation = [
        stack_event(name, "e-2", name, "AWS::CloudFormation::Stack", final_status),
        stack_event(name, "e-1", "Endpoint", "AWS::SageMaker::Endpoint", "UPDATE_COMPLETE"),
    ]
    expect_followed(cloudformation, name, before, operation, final_status)


def expect_execute(cloudformation: Stubber, change_set_id: str) -> None:
    """ExecuteChangeSet of the change set by its id, with the change set's name (in its ARN) as ClientRequestToken,
    so that a retried request is not a second execution (ExecuteChangeSet: "A unique identifier for this
    ExecuteChangeSet request. Specify this token if you plan to retry requests so that CloudFormation knows that
    you're not attempting to execute a change set to update a stack with the same name.",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html)."""
    token = change_set_id.split(":changeSet/", 1)[1].split("/", 1)[0]
    cloudformation.add_response("execute_change_set", {}, {"ChangeSetName": change_set_id, "ClientRequestToken": token})


def expect_followed(
    cloudformation: Stubber,
    name: str,
    before: dict[str, Any],
    operation: list[dict[str, Any]],
    final_status: str,
    *,
    late: tuple[dict[str, Any], ...] = (),
) -> None:
    """Following an operation that has started after the event `before`, seen settled at the first look: the events
    up to `before` skipped, the operation's (newest first), the stack's `final_status`, then the `late` events written
    as it settled (newest first)."""
    sid = {"StackName": stack_id(name)}
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)  # skipping older ones
    cloudformation.add_response("describe_stack_events", {"StackEvents": [*operation, before]}, sid)
    cloudformation.add_response("describe_stacks", stacks(name, final_status), sid)
    cloudformation.add_response("describe_stack_events", {"StackEvents": [*late, *operation, before]}, sid)


def no_stack(cloudformation: Stubber, name: str) -> None:
    """DescribeStacks of a name no stack has: CloudFormation's ValidationError."""
    cloudformation.add_client_error(
        "describe_stacks", "ValidationError", f"Stack with id {name} does not exist", 400, {"StackName": name}
    )


def expect_identity(sts: Stubber, account: str = ACCOUNT) -> None:
    sts.add_response("get_caller_identity", {"Arn": f"arn:aws:iam::{account}:user/ci", "Account": account,
                                             "UserId": "AIDAEXAMPLEUSERID0001"})  # fmt: skip


def terminal_console(err: io.StringIO) -> Console:
    """A console that takes `err` for a terminal, as a person's would be (colour and bars; no colour codes unless
    `err` is asked for them by the test)."""
    console = Console(err)
    console.rich = RichConsole(file=err, force_terminal=True, color_system=None, highlight=False, width=120)
    return console


def timeless(text: str) -> list[str]:
    """Lines as printed, the elapsed time that starts an event line (`  0:00  `) written `m:ss`: the tests through
    `main` run on the real clock."""
    return [re.sub(r"^ {0,3}\d+:\d\d  ", "m:ss  ", line) for line in text.splitlines()]


class JsonText:
    """An expected parameter that is a JSON document (a bucket policy): equal to any text that parses to `value`,
    whatever its key order or spacing."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.value

    def __hash__(self) -> int:
        return hash(json.dumps(self.value, sort_keys=True))

    def __repr__(self) -> str:
        return f"JsonText({self.value!r})"


class Matching:
    """An expected parameter that is any text matching `pattern` in full (a token made of the time and a random
    part)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch(self.pattern, other) is not None

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Matching({self.pattern!r})"


class SameText:
    """An expected parameter that takes the first text it is compared with (matching `pattern` in full) and, from
    then on, equals only that text: one instance given for two parameters of a call checks they carry the same
    generated value (a change set's name and its request token)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.seen: str | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str) or re.fullmatch(self.pattern, other) is None:
            return False
        if self.seen is None:
            self.seen = other
        return other == self.seen

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"SameText({self.pattern!r}, seen={self.seen!r})"


# The command's change set names (generator.deploy.change_sets.create_plan): the time and a random part.
CHANGE_SET_NAME = r"sagemaker-endpoint-\d{8}-\d{6}-[0-9a-f]{6}"


def parameter_list(values: dict[str, str]) -> list[dict[str, str]]:
    """Parameters as CloudFormation takes them."""
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def adding_the_endpoint(name: str = "churn") -> dict[str, Any]:
    """A computed CREATE change set (DescribeChangeSet): the Guide's example, its one change an Add of our Endpoint."""
    answer = replacing_the_endpoint("False") | {"StackId": stack_id(name), "StackName": name}
    answer["Changes"][0]["ResourceChange"] = {
        "Action": "Add", "LogicalResourceId": "Endpoint", "ResourceType": "AWS::SageMaker::Endpoint",
    }  # fmt: skip
    return answer


def expect_plan(cloudformation: Stubber, change_type: str, request: dict[str, Any], answer: dict[str, Any]) -> None:
    """CreateChangeSet of the stack `answer` names, with exactly `request` besides, then DescribeChangeSet answered
    with `answer`: for the waiter, and once computed for the paginator. The change set is named by the command, and
    its name is also the request's ClientToken, so that botocore's retry of a request whose answer was lost is known
    as the same ("Specify this token if you plan to retry requests so that CloudFormation knows that you're not
    attempting to create another change set with the same name",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html)."""
    name = answer["StackName"]
    change_set_name = SameText(CHANGE_SET_NAME)
    cloudformation.add_response("create_change_set", {"Id": answer["ChangeSetId"], "StackId": stack_id(name)}, {
        "ChangeSetName": change_set_name, "ClientToken": change_set_name, "ChangeSetType": change_type,
        "StackName": name, "Description": "sagemaker-endpoint deploy", **request,
    })  # fmt: skip
    for _ in range(2 if answer["Status"] == "CREATE_COMPLETE" else 1):
        cloudformation.add_response("describe_change_set", answer, {"ChangeSetName": answer["ChangeSetId"]})


def expect_discard(cloudformation: Stubber, answer: dict[str, Any], *, created: bool) -> None:
    """The change set deleted; after a CREATE change set, the empty stack it made (REVIEW_IN_PROGRESS) too."""
    cloudformation.add_response("delete_change_set", {}, {"ChangeSetName": answer["ChangeSetId"]})
    if created:
        cloudformation.add_response("delete_stack", {}, {"StackName": stack_id(answer["StackName"])})


def artifacts_bucket(region: str = REGION) -> str:
    return f"sagemaker-endpoint-artifacts-{ACCOUNT}-{region}"


def owned_artifacts_bucket(region: str = REGION) -> dict[str, str]:
    """Bucket and ExpectedBucketOwner of a call on the artifacts bucket of the command's own name: its name is
    predictable and bucket names are global, so each call says whose it must be ("If the account ID that you provide
    does not match the actual owner of the bucket, the request fails with the HTTP status code 403 Forbidden (access
    denied)", https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html)."""
    return {"Bucket": artifacts_bucket(region), "ExpectedBucketOwner": ACCOUNT}


def expect_new_bucket(s3: Stubber, region: str = REGION) -> None:
    """The artifacts bucket not there yet (HeadBucket 404), then created and hardened: outside us-east-1 with its
    Region as LocationConstraint (in us-east-1 without: "If you don't specify a Region, the bucket is created in the
    US East (N. Virginia) Region", https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html), public
    access blocked, AES256 by default, versioned, a TLS-only policy and the lifecycle of what it holds. Every call
    but CreateBucket (which has no such member) names this account as the bucket's owner."""
    bucket = artifacts_bucket(region)
    named = owned_artifacts_bucket(region)
    s3.add_client_error("head_bucket", "404", "Not Found", 404, named)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.add_response("create_bucket", {"Location": f"/{bucket}"}, {"Bucket": bucket} | where)
    s3.add_response(
        "put_public_access_block",
        {},
        named
        | {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            }
        },
    )
    s3.add_response(
        "put_bucket_encryption",
        {},
        named
        | {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
    )
    s3.add_response("put_bucket_versioning", {}, named | {"VersioningConfiguration": {"Status": "Enabled"}})
    s3.add_response("put_bucket_policy", {}, named | {"Policy": JsonText(tls_only(bucket))})
    s3.add_response("put_bucket_lifecycle_configuration", {}, named | {"LifecycleConfiguration": {"Rules": [
        {"ID": "unused-resolver-zips", "Filter": {"Prefix": "resolver/"}, "Status": "Enabled",
         "Expiration": {"Days": 365}},
        {"ID": "uploaded-templates", "Filter": {"Prefix": "templates/"}, "Status": "Enabled",
         "Expiration": {"Days": 30}},
        {"ID": "old-versions-and-uploads", "Filter": {}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    ]}})  # fmt: skip


def tls_only(bucket: str) -> dict[str, Any]:
    """The artifacts bucket's policy: every request without TLS denied."""
    arn = f"arn:aws:s3:::{bucket}"
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}  # fmt: skip


Batched = tuple[list[str], list[str], dict[str, str]]  # one StackSet call's accounts (or OUs), Regions and overrides
SAFE_ROLLOUT = {"RegionConcurrencyType": "SEQUENTIAL", "FailureTolerancePercentage": 0, "MaxConcurrentCount": 1}


def expect_operation(
    cloudformation: Stubber, verb: str, arguments: dict[str, Any], results: Sequence[tuple[str, ...]], **end: str
) -> None:
    """A StackSet operation on churn-fleet started with `arguments` and seen ended at the first look: `status`
    (SUCCEEDED unless given, with `id` op-1 unless given), with each (account, Region, status[, reason]) result."""
    operation = {"StackSetName": "churn-fleet", "OperationId": end.get("id", "op-1")}
    cloudformation.add_response(verb, {"OperationId": operation["OperationId"]}, {"StackSetName": "churn-fleet",
                                                                                   **arguments})  # fmt: skip
    status = end.get("status", "SUCCEEDED")
    cloudformation.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": status}}, operation)
    summaries = [{"Account": a, "Region": r, "Status": s, **({"StatusReason": why[0]} if why else {})}
                 for a, r, s, *why in results]  # fmt: skip
    cloudformation.add_response("list_stack_set_operation_results", {"Summaries": summaries}, operation)


def instances_call(targets: dict[str, Any], regions: list[str], overrides: dict[str, str]) -> dict[str, Any]:
    """CreateStackInstances' or UpdateStackInstances' arguments: the safe rollout in the order of `regions`."""
    return {**targets, "Regions": regions, "ParameterOverrides": parameter_list(dict(sorted(overrides.items()))),
            "OperationPreferences": SAFE_ROLLOUT | {"RegionOrder": regions}}  # fmt: skip


def expect_new_fleet(
    cloudformation: Stubber,
    template: EndpointTemplate,
    values: dict[str, str],
    created: list[Batched],
    *,
    organizations: bool = False,
) -> None:
    """No stack set churn-fleet yet; it is created with `values` (self-managed, or service-managed for
    `organizations` with automatic deployment off), then one CreateStackInstances per batch, each followed to
    SUCCEEDED, then the instances listed for the report (none, to keep it short)."""
    name = {"StackSetName": "churn-fleet"}
    cloudformation.add_client_error("describe_stack_set", "StackSetNotFoundException", "StackSet churn-fleet not found",
                                    400, name)  # fmt: skip
    model = {"PermissionModel": "SERVICE_MANAGED", "AutoDeployment": {"Enabled": False}} if organizations else {
        "PermissionModel": "SELF_MANAGED"}  # fmt: skip
    cloudformation.add_response("create_stack_set", {"StackSetId": "churn-fleet:1"}, {
        **name, "Description": "sagemaker-endpoint fleet", "TemplateBody": template.body,
        "Parameters": parameter_list(dict(sorted(values.items()))), "Capabilities": [], **model,
    })  # fmt: skip
    for n, (targets, regions, overrides) in enumerate(created):
        where = {"DeploymentTargets": {"OrganizationalUnitIds": targets}} if organizations else {"Accounts": targets}
        accounts = [PEER] if organizations else targets  # an OU's accounts, as the operation's results name them
        results = [(a, r, "SUCCEEDED") for r in regions for a in accounts]
        expect_operation(cloudformation, "create_stack_instances", instances_call(where, regions, overrides), results,
                         id=f"op-{n}")  # fmt: skip
    cloudformation.add_response("list_stack_instances", {"Summaries": []}, name)
