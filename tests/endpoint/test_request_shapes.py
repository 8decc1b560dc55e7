"""Every SageMaker, SQS, EventBridge, Application Auto Scaling, CloudWatch, CloudWatch Logs and Lambda resource of
sagemaker-endpoint.yaml and registry-access.yaml, as the API requests CloudFormation makes to create it, is a
request its API accepts: required members, types, enums, lengths, values and patterns of botocore's shapes
(`tests.support.request_shapes`). cfn-lint, checkov and moto all pass a value the API refuses; the stack then
fails mid-create.

Checked for every value set of the every-branch test, for value sets at the longest values the parameters admit,
and for inputs the parameters admit that no API takes; each under every set of pseudo parameters (the test
defaults, a 128-character stack name, the aws-cn partition). A known failure is a strict xfail naming its source:
it turns the suite red when fixed, so the mark is removed with the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from _pytest.mark import ParameterSet

from generator.deploy.checks import constraint_problems
from generator.endpoint.template import build_template
from generator.registry.forwarding import MAX_ACCOUNTS
from generator.registry.template import build_registry_access_template
from tests.support.deploy_time import PSEUDO_SETS, DeployTimeEvaluator, in_partition
from tests.support.inputs import OPTIONAL_EMPTY, VPC
from tests.support.resource_requests import TRANSLATIONS, check, translated_resources

ACCOUNT, REGISTRY = "111122223333", "444455556666"
GROUP_NAME = ("churn-prediction-" * 4)[:62] + "x"  # SageMaker EntityName: at most 63
BUCKET = (f"ml-artifacts-{ACCOUNT}-" * 3)[:62] + "x"  # S3: at most 63
SUBNETS = [f"subnet-{n:017x}" for n in range(1, 18)]  # SageMaker VpcConfig.Subnets: at most 16
PACKAGE = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package/churn/3"
ONE_SUBNET = {**VPC, "SubnetIds": SUBNETS[0]}


def s3_uri(length: int) -> str:
    head = f"s3://{BUCKET}/"
    return head + ("requests/" * 60)[: length - len(head) - 1] + "x"


def topic(name: str) -> str:
    """An SNS topic ARN with a 256-character name, the most SNS allows."""
    return f"arn:aws:sns:eu-west-1:{ACCOUNT}:" + (name + "_" * 256)[:255] + "x"


LONGEST = {
    "RealTime, every option, long values": {
        **VPC, "SubnetIds": ",".join(SUBNETS[:16]),
        "ModelPackageGroupName": f"arn:aws:sagemaker:eu-west-1:{REGISTRY}:model-package-group/{GROUP_NAME}",
        "ResolverCodeS3Bucket": BUCKET, "ResolverCodeS3Key": ("releases/" * 120)[:1019] + "x.zip",
        "PackageResolutionToken": "t" * 128, "InstanceType": "ml.m5.24xlarge", "InitialInstanceCount": "10",
        "InitialVariantWeight": "1000", "VariantName": "v" * 63, "EndpointName": "e" * 63, "VolumeSizeInGB": "512",
        "ModelDataDownloadTimeoutInSeconds": "3600", "ContainerStartupHealthCheckTimeoutInSeconds": "3600",
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
        "EcrRepoArn": f"arn:aws:ecr:eu-west-1:{REGISTRY}:repository/" + ("team/" * 40)[:199] + "x",
        "ModelArtifactsKmsKeyArn": f"arn:aws:kms:eu-west-1:{REGISTRY}:key/mrk-0123456789abcdef0123456789abcdef",
        "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/" + ("boundaries/" * 50)[:511] + "x",
        "DataCaptureSamplingPercentage": "100", "DataCapturePrefix": ("capture/" * 60)[:442] + "x",
        "ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "10", "ScalingMaxInstanceCount": "100",
        "ScalingTargetInvocationsPerInstance": "100000", "ScalingScaleInCooldownSeconds": "3600",
        "ScalingScaleOutCooldownSeconds": "3600", "DeploymentStrategy": "LINEAR", "DeploymentTrafficStepPercent": "50",
        "DeploymentWaitIntervalSeconds": "3600", "DeploymentBakeSeconds": "3600", "DeploymentTimeoutSeconds": "28800",
        "RollbackMaxInvocation5xxErrors": "1000000", "RollbackMaxModelLatencyMicroseconds": "600000000",
        "SageMakerProjectName": "p" * 32, "SageMakerProjectId": "i" * 20, "SageMakerDomainId": "d-" + "a" * 61,
        "SageMakerDomainArn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:domain/d-" + "a" * 61,
        "DeployOnApproval": "true",
        "DeploymentRoleArn": f"arn:aws:iam::{ACCOUNT}:role/" + ("deployers/" * 60)[:511] + "x",
        "AlarmTopicArn": topic("endpoint-alarms"),
    },
    "RealTime canary, ARN mode, long values": {
        **VPC, "SubnetIds": ",".join(SUBNETS[:16]),
        "ModelPackageArn": f"arn:aws:sagemaker:eu-west-1:{REGISTRY}:model-package/{GROUP_NAME}/123456789",
        "ModelExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/" + ("models/" * 80)[:511] + "x",
        "InitialInstanceCount": "10", "DeploymentStrategy": "CANARY", "DeploymentTrafficStepPercent": "50",
        "EnableNetworkIsolation": "false", "AlarmTopicArn": topic("endpoint-alarms"),
    },
    "Async, every option, long values": {
        **VPC, "EndpointType": "Async", "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
        "ModelPackageGroupName": GROUP_NAME, "ResolverCodeS3Bucket": BUCKET,
        "AsyncOutputS3Uri": s3_uri(512), "AsyncFailureS3Uri": s3_uri(512), "AsyncInputS3Uri": s3_uri(512),
        "AsyncSuccessTopicArn": topic("succeeded"), "AsyncErrorTopicArn": topic("failed"),
        "AsyncMaxConcurrentInvocationsPerInstance": "1000", "ManagedInstanceScaling": "true",
        "ScalingMinInstanceCount": "0", "ScalingMaxInstanceCount": "100", "ScalingTargetBacklogPerInstance": "100000",
        "EndpointName": "e" * 63, "AlarmTopicArn": topic("endpoint-alarms"),
    },
    "Serverless at its largest, long values": {
        "EndpointType": "Serverless", "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
        "ModelPackageGroupName": GROUP_NAME, "ResolverCodeS3Bucket": BUCKET,
        "EnableNetworkIsolation": "false", "ServerlessMemorySizeInMB": "6144", "ServerlessMaxConcurrency": "200",
        "ServerlessProvisionedConcurrency": "200", "ManagedInstanceScaling": "true",
        "ScalingScaleInCooldownSeconds": "3600", "EndpointName": "e" * 63, "AlarmTopicArn": topic("endpoint-alarms"),
    },
}  # fmt: skip

# Inputs an API refuses: the template must refuse them first (a constraint or a Rule), or they are known failures.
ADMITTED_BUT_REFUSED = {
    "a package version of ten digits": {**ONE_SUBNET, "ModelPackageArn": PACKAGE.replace("/3", "/1234567890")},
    "seventeen subnets": {
        **VPC, "SubnetIds": ",".join(SUBNETS), "ModelPackageArn": PACKAGE,
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
    },
    "a 512-character data-capture prefix": {
        **ONE_SUBNET, "ModelPackageArn": PACKAGE, "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
        "DataCaptureSamplingPercentage": "100", "DataCapturePrefix": ("capture/" * 70)[:511] + "x",
    },
    "fractions where SageMaker counts": {
        **ONE_SUBNET, "ModelPackageArn": PACKAGE, "InitialInstanceCount": "2.5", "DeploymentStrategy": "CANARY",
        "DeploymentTrafficStepPercent": "12.5", "DeploymentWaitIntervalSeconds": "0.5",
        "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}", "DataCaptureSamplingPercentage": "12.5",
    },
    "fractions where Application Auto Scaling counts": {
        **ONE_SUBNET, "ModelPackageArn": PACKAGE, "ManagedInstanceScaling": "true",
        "ScalingMaxInstanceCount": "10.5", "ScalingScaleInCooldownSeconds": "0.5",
    },
    "an instance count written 02": {**ONE_SUBNET, "ModelPackageArn": PACKAGE, "InitialInstanceCount": "02"},
}  # fmt: skip

REGISTRY_VALUE_SETS = {
    "one workload account": {
        "ModelPackageGroupName": "churn", "WorkloadAccountIds": ACCOUNT, "ResolverCodeS3Bucket": "artifacts-a",
    },
    "every workload account the kit takes, long values": {
        "ModelPackageGroupName": GROUP_NAME, "ResolverCodeS3Bucket": BUCKET,
        "WorkloadAccountIds": ",".join(f"{100000000000 + n:012d}" for n in range(1, MAX_ACCOUNTS + 1)),
        "ResolverCodeS3Key": ("releases/" * 120)[:1019] + "x.zip",
        "PermissionsBoundaryArn": f"arn:aws:iam::{REGISTRY}:policy/" + ("boundaries/" * 50)[:511] + "x",
    },
}  # fmt: skip

TEMPLATES: dict[str, tuple[Callable[[], Any], dict[str, dict[str, str]]]] = {
    "sagemaker-endpoint": (build_template, {**OPTIONAL_EMPTY, **LONGEST, **ADMITTED_BUT_REFUSED}),
    "registry-access": (build_registry_access_template, REGISTRY_VALUE_SETS),
}
IN_SCOPE = ("SageMaker", "SQS", "Events", "ApplicationAutoScaling", "CloudWatch", "Lambda", "Logs")
LONG_NAME = "a 128-character stack name"


@dataclass(frozen=True)
class KnownFailure:
    """A failure the templates have today, for the cases it matches (None matches any)."""

    logical_id: str
    reason: str
    value_set: str | None = None
    pseudo: str | None = None

    def matches(self, value_set: str, pseudo: str, logical_id: str) -> bool:
        return logical_id == self.logical_id and self.value_set in (None, value_set) and self.pseudo in (None, pseudo)


KNOWN_FAILURES = (
    KnownFailure(
        "Model", value_set="seventeen subnets",
        reason="SubnetIds has no count limit (Rules cannot count a list); CreateModel's VpcConfig.Subnets takes at "
        "most 16: the deploy client refuses more before any call, a template-only deploy fails at CreateModel",
    ),
)  # fmt: skip


@cache
def template(name: str) -> dict[str, Any]:
    return TEMPLATES[name][0]().to_dict()  # type: ignore[no-any-return]


@cache
def deployed(template_name: str, value_set: str, pseudo: str) -> DeployTimeEvaluator:
    """The template evaluated once per value set and pseudo parameters, shared by its resources' tests."""
    values = in_partition(TEMPLATES[template_name][1][value_set], PSEUDO_SETS[pseudo])
    return DeployTimeEvaluator(template(template_name), values, PSEUDO_SETS[pseudo])


def refused(template_name: str, value_set: str) -> list[str]:
    """Why CloudFormation refuses the values before it creates anything: a parameter constraint or a Rule."""
    evaluator = deployed(template_name, value_set, "test defaults")
    specs = template(template_name)["Parameters"]
    return constraint_problems(TEMPLATES[template_name][1][value_set], specs) + evaluator.failed_rules()


def cases() -> Iterator[ParameterSet]:
    for template_name, (_, value_sets) in TEMPLATES.items():
        for value_set in value_sets:
            if refused(template_name, value_set):
                continue
            for pseudo in PSEUDO_SETS:
                for logical_id in translated_resources(deployed(template_name, value_set, pseudo)):
                    known = [f for f in KNOWN_FAILURES if f.matches(value_set, pseudo, logical_id)]
                    yield pytest.param(
                        template_name, value_set, pseudo, logical_id,
                        id=f"{template_name}:{value_set}:{pseudo}:{logical_id}",
                        marks=[pytest.mark.xfail(strict=True, reason=f.reason) for f in known],
                    )  # fmt: skip


CASES = list(cases())


@pytest.mark.parametrize(("template_name", "value_set", "pseudo", "logical_id"), CASES)
def test_each_resource_makes_requests_its_api_accepts(
    template_name: str, value_set: str, pseudo: str, logical_id: str
) -> None:
    """Every request of the resource meets its API's shape, and every property was translated into one."""
    checked = check(deployed(template_name, value_set, pseudo), logical_id)
    assert checked.problems == [], "\n".join(checked.problems)


def test_the_value_sets_left_out_are_those_cloudformation_refuses_before_creating_anything() -> None:
    """A value set refused by a parameter constraint or a Rule creates nothing, so it has no request to check; a
    value set meant to be deployed that a typo makes refused would silently check nothing."""
    left_out = {
        (name, value_set)
        for name, (_, value_sets) in TEMPLATES.items()
        for value_set in value_sets
        if refused(name, value_set)
    }
    assert left_out == {
        ("sagemaker-endpoint", "only the required network"),
        ("sagemaker-endpoint", "every String parameter empty"),
        # refused by the template as the API would refuse them (they were known failures before)
        ("sagemaker-endpoint", "a package version of ten digits"),
        ("sagemaker-endpoint", "a 512-character data-capture prefix"),
        ("sagemaker-endpoint", "fractions where SageMaker counts"),
        ("sagemaker-endpoint", "fractions where Application Auto Scaling counts"),
        ("sagemaker-endpoint", "an instance count written 02"),
    }


def test_every_resource_type_of_these_services_has_a_translation() -> None:
    """A resource of a new type (an AWS::Lambda::Permission, say) must get a translation, or nothing checks it."""
    types = {resource["Type"] for name in TEMPLATES for resource in template(name)["Resources"].values()}
    in_scope = {t for t in types if t.split("::")[1] in IN_SCOPE}
    assert in_scope - set(TRANSLATIONS) == set()


def test_some_value_set_creates_each_resource_so_each_is_checked() -> None:
    """A resource no value set creates is never checked: add a value set that creates it."""
    checked = {(case.values[0], case.values[3]) for case in CASES}
    expected = {
        (name, logical_id)
        for name in TEMPLATES
        for logical_id, resource in template(name)["Resources"].items()
        if resource["Type"] in TRANSLATIONS
    }
    assert expected - checked == set()
