"""Every IAM statement of the shared endpoint and component templates with everything on: no wildcard action, and a
`*` in a resource only where the allowlist says why it cannot be narrower."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.support.components import (
    COMPONENT_GROUP_MODE,
    ENDPOINT_ROLE,
    component_template,
    exports,
    shared_endpoint,
)
from tests.support.inputs import ARTIFACTS
from tests.support.template_eval import Evaluator

THIS_KEY = "in a key policy, * is the key the policy is attached to"
GROUP = "the package versions of the configured group"
SHARED_ENDPOINT_WILDCARDS = {
    **{("EncryptionKey", sid): THIS_KEY for sid in (
        "AccountAdministersKey", "ModelRoleUsesKey", "AccountUsesKeyThroughSageMaker",
        "SageMakerGrantsForEndpointVolume", "GrantsOnlyForAwsResources", "AccountReadsCapturedDataThroughS3")},
    ("ExecutionRole", "WriteEndpointLogs"): "the log streams of the endpoint's own log group",
    ("ExecutionRole", "PublishEndpointMetrics"): "cloudwatch:PutMetricData has no resource type; a namespace "
    "condition limits it",
    ("ExecutionRole", "WriteCapturedData"): "the objects under the configured data-capture prefix",
    ("ExecutionRole", "CreateEndpointNetworkInterfaces"): "the interface does not exist yet; only our security "
    "group may be attached, which pins the VPC",
    ("ExecutionRole", "ManageEndpointNetworkInterfaces"): "SageMaker names the interfaces; an ec2:Vpc condition "
    "limits them to VpcId",
    ("ExecutionRole", "DescribeEndpointNetwork"): "EC2 Describe* actions have no resource type",
}  # fmt: skip
COMPONENT_WILDCARDS = {
    **{("EncryptionKey", sid): THIS_KEY for sid in (
        "AccountAdministersKey", "GrantsOnlyForAwsResources", "LogsEncryptResolverLogGroup",
        "EventBridgeWritesApprovalQueue", "AccountReadsApprovalQueueThroughSqs", "LogsEncryptUpdaterLogGroup")},
    ("PackageAccessPolicy", "ReadModelArtifacts"): "the objects of the package's bucket",
    ("PackageAccessPolicy", "GetEcrAuthorizationToken"): "ecr:GetAuthorizationToken has no resource type",
    ("PackageResolverRole", "ReadConfiguredModelPackageGroup"): GROUP,
    ("ApprovalUpdaterRole", "ReadConfiguredModelPackageGroup"): GROUP,
    ("ApprovalUpdaterRole", "DescribeInferenceComponents"): "read only; SageMaker lower-cases names in its ARNs and "
    "the component's name may hold capitals",
    ("ApprovalUpdaterRole", "FindRetainedModels"): "tag:GetResources and sagemaker:ListModels take no resource type",
    ("ApprovalUpdaterRole", "RemoveOwnRetainedModels"): "names unknown before CloudFormation makes them; only those "
    "tagged with this stack's id",
    ("ApprovalUpdaterRole", "UseAlarmTopicKeyThroughSns"): "the alarm topic's key is not known to the template; only "
    "through SNS",
}  # fmt: skip
ALERTS = "arn:aws:sns:eu-west-1:999988887777:ml-platform-alerts"


def statements(resources: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in sorted(resources.items()):
        props = resource.get("Properties", {})
        documents = [policy["PolicyDocument"] for policy in props.get("Policies", [])]
        documents += [props[key] for key in ("AssumeRolePolicyDocument", "KeyPolicy", "PolicyDocument") if key in props]
        for document in documents:
            for statement in document["Statement"]:
                yield name, statement


def wildcards(resources: dict[str, Any]) -> set[tuple[str, str]]:
    found = list(statements(resources))
    assert [(name, s["Sid"], a) for name, s in found for a in s["Action"] if "*" in a] == []
    return {(name, s["Sid"]) for name, s in found if "*" in json.dumps(s.get("Resource", []))}


def test_the_shared_endpoints_wildcard_resources_are_allowlisted_with_their_reasons() -> None:
    everything = shared_endpoint(DataCaptureSamplingPercentage="10", AlarmTopicArn=ALERTS, **ARTIFACTS).resources()
    assert wildcards(everything) == set(SHARED_ENDPOINT_WILDCARDS)


def test_the_components_wildcard_resources_are_allowlisted_with_their_reasons() -> None:
    values = {
        **COMPONENT_GROUP_MODE,
        "DeployOnApproval": "true",
        "DeploymentRoleArn": ENDPOINT_ROLE,
        "EcrRepoArn": "arn:aws:ecr:eu-west-1:111122223333:repository/team/churn",
        "AlarmTopicArn": ALERTS,
    }
    everything = Evaluator(component_template(), values, exports=exports()).resources()
    assert wildcards(everything) == set(COMPONENT_WILDCARDS)
    key_users = {s["Sid"] for name, s in statements(everything) if name == "EncryptionKey"}
    assert "ModelRoleUsesKey" not in key_users  # the component's key serves its own logs and queues only
