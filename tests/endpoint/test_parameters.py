"""Parameters: every seed input is there, typed, constrained, described, grouped and labelled."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.common.lambda_zip import build_resolver_package

SEED_INPUTS = {
    "vpc-id": "VpcId",
    "subnet-ids": "SubnetIds",
    "model-package-arn": "ModelPackageArn",
    "model-package-group-name": "ModelPackageGroupName",
    "sagemaker-project-id": "SageMakerProjectId",
    "sagemaker-project-name": "SageMakerProjectName",
    "sagemaker-domain-id": "SageMakerDomainId",
    "sagemaker-domain-arn": "SageMakerDomainArn",
    "model-execution-role-arn": "ModelExecutionRoleArn",
    "enable-network-isolation": "EnableNetworkIsolation",
    "model-artifacts-bucket-arn": "ModelArtifactsBucketArn",
    "ecr-repo-arn": "EcrRepoArn",
    "variant-name": "VariantName",
    "initial-instance-count": "InitialInstanceCount",
    "initial-variant-weight": "InitialVariantWeight",
    "instance-type": "InstanceType",
    "data-capture-samping-percentage": "DataCaptureSamplingPercentage",
    "data-capture-prefix": "DataCapturePrefix",
}
SEED_SCALING = {
    "managed-instance-scaling": "ManagedInstanceScaling",
    "scaling-min-instance-count": "ScalingMinInstanceCount",
    "scaling-max-instance-count": "ScalingMaxInstanceCount",
}


def accepts(template: dict[str, Any], name: str, value: str) -> bool:
    """What CloudFormation checks for a String parameter: the whole value matches AllowedPattern."""
    spec = template["Parameters"][name]
    return re.fullmatch(spec["AllowedPattern"], value) is not None and len(value) <= spec.get("MaxLength", 4096)


def test_each_seed_input_is_declared_by_exactly_one_parameter(template: dict[str, Any]) -> None:
    """The seed README's names (its typo corrected: the deploy client reads both spellings) are in the metadata."""
    declared = {
        facts["SeedFarmer"]: name
        for name, facts in template["Metadata"]["SageMakerEndpoint::Inputs"].items()
        if "SeedFarmer" in facts
    }
    seed = {key.replace("samping", "sampling"): name for key, name in {**SEED_INPUTS, **SEED_SCALING}.items()}
    assert declared == seed


def test_every_parameter_is_described_grouped_and_labelled_once(template: dict[str, Any]) -> None:
    interface = template["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [name for group in interface["ParameterGroups"] for name in group["Parameters"]]
    assert sorted(grouped) == sorted(template["Parameters"])
    assert set(interface["ParameterLabels"]) == set(template["Parameters"])
    assert all(spec["Description"].strip() for spec in template["Parameters"].values())


@pytest.mark.parametrize(
    ("name", "type_", "default"),
    [
        # optional for a serverless endpoint, which has no VPC; required for the others by a Rule
        ("VpcId", "String", ""),
        ("SubnetIds", "CommaDelimitedList", ""),
        ("EnableNetworkIsolation", "String", "true"),
        ("VariantName", "String", "AllTraffic"),
        # whole numbers are Strings with a canonical pattern (see the numbers' test below); the seed's defaults
        ("InitialInstanceCount", "String", "1"),
        ("InitialVariantWeight", "String", "1.0"),
        ("InstanceType", "String", "ml.m4.xlarge"),
        ("DataCaptureSamplingPercentage", "String", "0"),
        ("ModelPackageArn", "String", ""),
        ("ModelPackageGroupName", "String", ""),
        ("ManagedInstanceScaling", "String", "false"),
        ("ScalingMinInstanceCount", "String", "1"),
        ("ScalingMaxInstanceCount", "String", "10"),
    ],
)
def test_parameter_types_and_defaults_follow_the_seed(
    template: dict[str, Any], name: str, type_: str, default: object
) -> None:
    spec = template["Parameters"][name]
    assert spec["Type"] == type_
    assert spec.get("Default") == default


def test_sagemaker_projects_parameters_are_declared_as_projects_expect(template: dict[str, Any]) -> None:
    name = template["Parameters"]["SageMakerProjectName"]
    assert name["MaxLength"] == 32
    assert accepts(template, "SageMakerProjectName", "churn-model-2")
    # CreateProject's ProjectName is [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}: a project may start with a digit, and
    # SageMaker passes its name here
    assert accepts(template, "SageMakerProjectName", "2025-churn")
    assert not accepts(template, "SageMakerProjectName", "-churn")
    assert accepts(template, "SageMakerProjectId", "p-abcdef123456")


VALID = {
    "ModelPackageArn": [
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "arn:aws-cn:sagemaker:cn-north-1:111122223333:model-package/churn-xgb/12",
        "arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:model-package/churn/999999999",
        "",
    ],
    "ModelPackageGroupName": ["churn", "Churn-Model-2", ""],
    "ModelExecutionRoleArn": ["arn:aws:iam::111122223333:role/service-role/SageMakerRole", ""],
    "ModelArtifactsBucketArn": ["arn:aws:s3:::ml-artifacts-111122223333", "arn:aws-cn:s3:::my.bucket", ""],
    "EcrRepoArn": ["arn:aws:ecr:eu-west-1:111122223333:repository/team/inference", ""],
    "SageMakerDomainId": ["d-abcdef123456", ""],
    "SageMakerDomainArn": ["arn:aws:sagemaker:eu-west-1:111122223333:domain/d-abcdef123456", ""],
    "DataCapturePrefix": ["", "capture", "endpoints/churn/capture"],
    "InstanceType": ["ml.m5.xlarge", "ml.g5.2xlarge", "ml.p6-b200.48xlarge"],
    "VariantName": ["AllTraffic", "blue-1"],
    "ResolverCodeS3Bucket": ["", "artifacts-111122223333"],
    "EndpointName": ["", "churn-prod", "a" * 63],
    "VolumeSizeInGB": ["", "1", "30", "512"],
    "ModelDataDownloadTimeoutInSeconds": ["", "60", "900", "3600"],
    "ContainerStartupHealthCheckTimeoutInSeconds": ["", "60", "3600"],
}
INVALID = {
    "ModelPackageArn": [
        "churn/3",
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn",
        "arn:aws:sagemaker:eu-west-1:1111:model-package/churn/3",
        " arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        # no version: a Marketplace (unversioned) package, which Serverless and Async do not support
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package/marketplace-model",
        # VersionedArnOrName allows at most 9 digits
        "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/1234567890",
    ],
    "ModelPackageGroupName": ["-churn", "churn_model", "a" * 64, "arn:aws:sagemaker:eu-west-1:111122223333:x"],
    "ModelExecutionRoleArn": ["SageMakerRole", "arn:aws:iam::111122223333:user/alice"],
    "ModelArtifactsBucketArn": ["ml-artifacts", "s3://ml-artifacts", "arn:aws:s3:::Bad_Bucket"],
    "EcrRepoArn": ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/inference"],
    "SageMakerDomainId": ["abcdef123456"],
    "SageMakerDomainArn": ["d-abcdef123456"],
    "DataCapturePrefix": ["/capture", "capture/", "a//b"],
    "InstanceType": ["m5.xlarge", "ml.m5", ""],
    "VariantName": ["", "all traffic"],
    "ResolverCodeS3Bucket": ["Bucket", "s3://bucket"],
    "EndpointName": ["churn_prod", "-churn", "a" * 64],
    "VolumeSizeInGB": ["0", "513", "030", "1.5", "-1", " 30"],
    "ModelDataDownloadTimeoutInSeconds": ["59", "3601", "0900", "1e3"],
    "ContainerStartupHealthCheckTimeoutInSeconds": ["59", "3601", "sixty"],
}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, values in VALID.items() for v in values])
def test_given_a_well_formed_value_then_the_parameter_accepts_it(
    template: dict[str, Any], name: str, value: str
) -> None:
    assert accepts(template, name, value)


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, values in INVALID.items() for v in values])
def test_given_a_malformed_value_then_the_parameter_rejects_it_with_a_constraint_description(
    template: dict[str, Any], name: str, value: str
) -> None:
    assert not accepts(template, name, value)
    assert "must be" in template["Parameters"][name]["ConstraintDescription"]


def test_resolver_code_key_defaults_to_the_zip_named_by_its_hash(template: dict[str, Any]) -> None:
    assert template["Parameters"]["ResolverCodeS3Key"]["Default"] == build_resolver_package().file_name


WHOLE_NUMBERS = {  # name: (lowest, highest) that SageMaker, Application Auto Scaling or CloudWatch accept
    "DataCaptureSamplingPercentage": (0, 100),
    "InitialInstanceCount": (1, 9999),
    "ScalingMinInstanceCount": (0, 10),  # 0 (scale to zero) for Async only, by a Rule
    "ScalingMaxInstanceCount": (1, 100),
    "DeploymentTrafficStepPercent": (1, 100),  # per strategy narrower, by a Rule
    "DeploymentWaitIntervalSeconds": (0, 3600),
    "DeploymentBakeSeconds": (0, 3600),
    "DeploymentTimeoutSeconds": (600, 28800),
    "ServerlessMaxConcurrency": (1, 200),
}


@pytest.mark.parametrize("name", WHOLE_NUMBERS)
def test_a_whole_number_accepts_exactly_its_range_in_one_spelling(template: dict[str, Any], name: str) -> None:
    """A Number parameter would take "00", "1.5" or "+1": the Rules compare values as text (a "00" minimum would slip
    past the Async-only scale-to-zero Rule) and SageMaker's integer properties refuse decimals. So each whole number is
    a String whose pattern is exactly its range, without sign, decimals or leading zeros."""
    low, high = WHOLE_NUMBERS[name]
    accepted = [value for value in range(high + 1000) if accepts(template, name, str(value))]
    assert accepted == list(range(low, high + 1))
    for other_spelling in (f"0{low}", f"{low}.0", f"+{low}", f" {low}", ""):
        assert not accepts(template, name, other_spelling), other_spelling
    assert template["Parameters"][name]["ConstraintDescription"] == f"must be a whole number from {low} to {high}"


def test_the_variant_weight_is_a_number_above_zero(template: dict[str, Any]) -> None:
    """VariantWeight: "The traffic to a production variant is determined by the ratio of the VariantWeight to the sum
    of all VariantWeight values": the only variant's weight of 0 would be a share of 0/0 (AWS is silent: refused)."""
    spec = template["Parameters"]["InitialVariantWeight"]
    for value in ("1.0", "1", "0.25", "2.5", "10"):
        assert re.fullmatch(spec["AllowedPattern"], value), value
    for value in ("0", "0.0", "-1", "00.5", "", "1e3"):
        assert not re.fullmatch(spec["AllowedPattern"], value), value


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("VolumeSizeInGB", 1, 512), ("ModelDataDownloadTimeoutInSeconds", 60, 3600),
     ("ContainerStartupHealthCheckTimeoutInSeconds", 60, 3600)],
)  # fmt: skip
def test_an_optional_number_accepts_exactly_its_range_or_empty(
    template: dict[str, Any], name: str, low: int, high: int
) -> None:
    """A String parameter (a Number cannot be empty) whose pattern is the range, checked for every number."""
    accepted = [value for value in range(10_000) if accepts(template, name, str(value))]
    assert accepted == list(range(low, high + 1))
    assert accepts(template, name, "")
    assert (
        template["Parameters"][name]["ConstraintDescription"]
        == f"must be a whole number from {low} to {high}, or empty"
    )
