"""Every IAM statement of the template, listed: no wildcard action, and a `*` in a resource only where the
allowlist below says why it cannot be narrower."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest

from tests.support.inputs import GROUP_MODE
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
# Every option that adds statements: group mode, bucket, repository, data capture, autoscaling, alarm topic.
EVERYTHING_ON = {
    **GROUP_MODE,
    "ModelArtifactsBucketArn": "arn:aws:s3:::ml-artifacts-111122223333",
    "EcrRepoArn": "arn:aws:ecr:eu-west-1:111122223333:repository/team/inference",
    "DataCaptureSamplingPercentage": "10",
    "DataCapturePrefix": "capture",
    "ManagedInstanceScaling": "true",
    "InstanceType": "ml.c5.xlarge",
    "DeployOnApproval": "true",
    "DeploymentRoleArn": "arn:aws:iam::111122223333:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2",
    "AlarmTopicArn": "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts",
}
THIS_KEY = "in a key policy, * is the key the policy is attached to"
WILDCARD_RESOURCES = {
    ("ModelExecutionRole", "GetEcrAuthorizationToken"): "ecr:GetAuthorizationToken has no resource type",
    ("ModelExecutionRole", "PublishEndpointMetrics"): "cloudwatch:PutMetricData has no resource type; "
    "a cloudwatch:namespace condition limits it",
    ("ModelExecutionRole", "DescribeEndpointNetwork"): "EC2 Describe* actions have no resource type",
    ("ModelExecutionRole", "CreateEndpointNetworkInterfaces"): "the interface does not exist yet, and the subnets "
    "come as a list; only our security group may be attached, which pins the VPC",
    ("ModelExecutionRole", "ManageEndpointNetworkInterfaces"): "SageMaker names the interfaces; an ec2:Vpc "
    "condition limits them to VpcId",
    ("ModelExecutionRole", "ReadModelArtifacts"): "the objects of the configured bucket",
    ("ModelExecutionRole", "WriteCapturedData"): "the objects under the configured data-capture prefix",
    ("ModelExecutionRole", "WriteEndpointLogs"): "the log streams of the endpoint's own log group",
    ("PackageResolverRole", "ReadConfiguredModelPackageGroup"): "the package versions of the configured group",
    ("EncryptionKey", "AccountAdministersKey"): THIS_KEY,
    ("EncryptionKey", "ModelRoleUsesKey"): THIS_KEY,
    ("EncryptionKey", "AccountUsesKeyThroughSageMaker"): THIS_KEY,
    ("EncryptionKey", "SageMakerGrantsForEndpointVolume"): THIS_KEY,
    ("EncryptionKey", "GrantsOnlyForAwsResources"): THIS_KEY,
    ("EncryptionKey", "AccountReadsCapturedDataThroughS3"): THIS_KEY,
    ("EncryptionKey", "LogsEncryptResolverLogGroup"): THIS_KEY,
    ("EncryptionKey", "EventBridgeWritesApprovalQueue"): THIS_KEY,
    ("EncryptionKey", "AccountReadsApprovalQueueThroughSqs"): THIS_KEY,
    ("EncryptionKey", "LogsEncryptUpdaterLogGroup"): THIS_KEY,
    ("ApprovalUpdaterRole", "ReadConfiguredModelPackageGroup"): "the package versions of the configured group",
    ("ApprovalUpdaterRole", "DescribeEndpoints"): "read only; SageMaker lower-cases names in its ARNs and "
    "EndpointName may hold capitals, so the endpoint's own ARN cannot be spelled",
    ("ApprovalUpdaterRole", "FindRetainedResources"): "tag:GetResources, sagemaker:ListEndpointConfigs and "
    "sagemaker:ListModels take no resource type (cfn-lint's Policies.json); they only read",
    ("ApprovalUpdaterRole", "DescribeEndpointConfigs"): "read only; the stack's config names are CloudFormation's, "
    "with capitals SageMaker's ARNs lower-case: this account's and Region's configs",
    ("ApprovalUpdaterRole", "RemoveOwnRetainedResources"): "names unknown before CloudFormation makes them; only "
    "those tagged with this stack's id (aws:ResourceTag condition)",
    ("ApprovalUpdaterRole", "UseAlarmTopicKeyThroughSns"): "the alarm topic's key is not known to the template and may "
    "be another account's; only in requests SNS makes for the role (kms:ViaService)",
}


class Row(NamedTuple):
    resource: str
    sid: str
    effect: str
    actions: list[str]
    resources: list[Any]
    principal: Any


def iam_statements(resources: dict[str, Any]) -> Iterator[Row]:
    for name, resource in sorted(resources.items()):
        props = resource["Properties"]
        documents = [policy["PolicyDocument"] for policy in props.get("Policies", [])]
        documents += [props[key] for key in ("AssumeRolePolicyDocument", "KeyPolicy") if key in props]
        for document in documents:
            for s in document["Statement"]:
                yield Row(name, s["Sid"], s["Effect"], s["Action"], s.get("Resource", []), s.get("Principal"))


@pytest.fixture(scope="module")
def rows(template: dict[str, Any]) -> list[Row]:
    listed = list(iam_statements(Evaluator(template, EVERYTHING_ON).resources()))
    for row in listed:  # the listing the README's IAM table summarises; `pytest -s` shows it
        print(f"{row.resource:22} {row.sid:36} {row.effect:5} {' '.join(row.actions)} -> {json.dumps(row.resources)}")
    return listed


def test_every_statement_is_listed_with_a_unique_sid(rows: list[Row]) -> None:
    assert len({(row.resource, row.sid) for row in rows}) == len(rows)
    assert {row.resource for row in rows} == {
        "ModelExecutionRole", "PackageResolverRole", "ApprovalUpdaterRole", "EncryptionKey"
    }  # fmt: skip
    assert len(rows) == 39  # key policy 10, model role 11 + trust, resolver role 2 + trust, updater 13 + trust


def test_no_statement_has_a_wildcard_action(rows: list[Row]) -> None:
    assert [(row.resource, row.sid, a) for row in rows for a in row.actions if "*" in a] == []


def test_every_wildcard_resource_is_allowlisted_with_the_reason_it_cannot_be_narrower(rows: list[Row]) -> None:
    wildcards = {(row.resource, row.sid) for row in rows if "*" in json.dumps(row.resources)}
    assert wildcards == set(WILDCARD_RESOURCES)
    assert all(reason.strip() for reason in WILDCARD_RESOURCES.values())


def test_only_the_trust_policies_and_the_deny_have_no_resource(rows: list[Row]) -> None:
    assert {(row.resource, row.sid) for row in rows if not row.resources} == {
        ("ModelExecutionRole", "ServiceAssumesRole"),
        ("PackageResolverRole", "ServiceAssumesRole"),
        ("ApprovalUpdaterRole", "ServiceAssumesRole"),
    }


def test_the_only_wildcard_principal_is_in_the_deny_statement(rows: list[Row]) -> None:
    assert [(row.sid, row.effect) for row in rows if row.principal == {"AWS": "*"}] == [
        ("GrantsOnlyForAwsResources", "Deny")
    ]


def test_grants_on_the_key_are_only_for_aws_resources(rows: list[Row]) -> None:
    (deny,) = [row for row in rows if row.sid == "GrantsOnlyForAwsResources"]
    assert (deny.effect, deny.actions, deny.resources) == ("Deny", ["kms:CreateGrant"], ["*"])


def test_the_model_role_touches_only_our_bucket_prefix_repository_and_endpoint(rows: list[Row]) -> None:
    scoped = {row.sid: row.resources for row in rows if row.resource == "ModelExecutionRole"}
    assert scoped["ListModelArtifactsBucket"] == ["arn:aws:s3:::ml-artifacts-111122223333"]
    assert scoped["ReadModelArtifacts"] == ["arn:aws:s3:::ml-artifacts-111122223333/*"]
    assert scoped["WriteCapturedData"] == ["arn:aws:s3:::ml-artifacts-111122223333/capture/*"]
    assert scoped["PullInferenceImage"] == ["arn:aws:ecr:eu-west-1:111122223333:repository/team/inference"]
    assert all("/aws/sagemaker/Endpoints/endpoint-" in arn for arn in scoped["WriteEndpointLogs"])
    assert [arn.rsplit(":", 1)[1] for arn in scoped["DescribeRollbackAlarms"]] == [
        "sagemaker-endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-rollback-5xx",
        "sagemaker-endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-rollback-latency",
    ]
