"""Every SageMaker, Application Auto Scaling, CloudWatch, SQS, EventBridge, Lambda and CloudWatch Logs resource of
inference-endpoint.yaml and inference-component.yaml, as the API requests CloudFormation makes to create (and update)
it, is a request its API accepts: botocore's shapes checked by `tests.support.request_shapes`, as the endpoint
template's are. Each value set under each set of pseudo parameters, at the longest values the parameters admit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from _pytest.mark import ParameterSet

from tests.support.components import (
    COMPONENT_ARN_MODE,
    COMPONENT_GROUP_MODE,
    ENDPOINT_ROLE,
    SHARED,
    component_template,
    exports,
    shared_endpoint_template,
)
from tests.support.deploy_time import PSEUDO_SETS, DeployTimeEvaluator, in_partition
from tests.support.inputs import ARTIFACTS
from tests.support.resource_requests import TRANSLATIONS, check, translated_resources

ACCOUNT = "111122223333"
TOPIC = f"arn:aws:sns:eu-west-1:{ACCOUNT}:" + "a" * 256
SHARED_SETS = {
    "defaults": SHARED,
    "every option, long values": {
        **SHARED, "EndpointName": "e" * 63, "InstanceType": "ml.g5.48xlarge", "InitialInstanceCount": "10",
        "ScalingMinInstanceCount": "10", "ScalingMaxInstanceCount": "100", "RoutingStrategy": "RANDOM",
        "VariantName": "v" * 63, "DataCaptureSamplingPercentage": "100", "AlarmTopicArn": TOPIC, **ARTIFACTS,
        "DataCapturePrefix": ("capture/" * 60)[:442] + "x",
    },
}  # fmt: skip
COMPONENT_SETS = {
    "ARN mode": COMPONENT_ARN_MODE,
    "group mode, every option, long values": {
        **COMPONENT_GROUP_MODE, "EndpointName": "e" * 63, "InferenceComponentName": "c" * 63,
        "ModelPackageGroupName": "arn:aws:sagemaker:eu-west-1:444455556666:model-package-group/" + "g" * 63,
        "NumberOfAcceleratorDevicesRequired": "16", "NumberOfCpuCoresRequired": "999.75",
        "MinMemoryRequiredInMb": "4194304", "ModelDataDownloadTimeoutInSeconds": "3600",
        "ContainerStartupHealthCheckTimeoutInSeconds": "3600", "CopyCount": "10", "ScalingMinCopyCount": "0",
        "ScalingMaxCopyCount": "100",
        "ScalingMetric": "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
        "ScalingTargetPerCopy": "100000", "DeploymentBatchPercent": "5", "DeploymentWaitIntervalSeconds": "3600",
        "DeploymentTimeoutSeconds": "28800", "RollbackMaxInvocation5xxErrors": "1000000",
        "RollbackMaxModelLatencyMicroseconds": "600000000", "DeployOnApproval": "true",
        "DeploymentRoleArn": ENDPOINT_ROLE, "AlarmTopicArn": TOPIC,
    },
}  # fmt: skip
TEMPLATES: dict[str, tuple[Callable[[], dict[str, Any]], dict[str, dict[str, str]]]] = {
    "inference-endpoint": (shared_endpoint_template, SHARED_SETS),
    "inference-component": (component_template, COMPONENT_SETS),
}


@cache
def deployed(template_name: str, value_set: str, pseudo: str) -> DeployTimeEvaluator:
    build, value_sets = TEMPLATES[template_name]
    values = in_partition(value_sets[value_set], PSEUDO_SETS[pseudo])
    shared = in_partition(exports(values.get("EndpointName", "")), PSEUDO_SETS[pseudo])
    return DeployTimeEvaluator(build(), values, PSEUDO_SETS[pseudo], exports=shared)


def cases() -> Iterator[ParameterSet]:
    for template_name, (_, value_sets) in TEMPLATES.items():
        for value_set in value_sets:
            assert deployed(template_name, value_set, "test defaults").failed_rules() == []
            for pseudo in PSEUDO_SETS:
                for logical_id in translated_resources(deployed(template_name, value_set, pseudo)):
                    yield pytest.param(template_name, value_set, pseudo, logical_id,
                                       id=f"{template_name}:{value_set}:{pseudo}:{logical_id}")  # fmt: skip


CASES = list(cases())


@pytest.mark.parametrize(("template_name", "value_set", "pseudo", "logical_id"), CASES)
def test_each_resource_makes_requests_its_api_accepts(
    template_name: str, value_set: str, pseudo: str, logical_id: str
) -> None:
    checked = check(deployed(template_name, value_set, pseudo), logical_id)
    assert checked.problems == [], "\n".join(checked.problems)


def test_every_translated_resource_is_checked_by_some_value_set() -> None:
    checked = {(case.values[0], case.values[3]) for case in CASES}
    expected = {
        (name, logical_id)
        for name, (build, _) in TEMPLATES.items()
        for logical_id, resource in build()["Resources"].items()
        if resource["Type"] in TRANSLATIONS
    }
    assert expected - checked == set()
