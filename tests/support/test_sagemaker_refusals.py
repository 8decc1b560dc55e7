"""The bent moto refuses the CreateModel and CreateEndpointConfig requests SageMaker documents as refused, and takes
the same requests at the limit (tests.support.moto.sagemaker_refusals quotes each source)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.local_aws import client
from tests.support.moto.sagemaker_refusals import has_nvme_instance_storage

ROLE = "arn:aws:iam::123456789012:role/model"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn"
NETWORK = {"SecurityGroupIds": ["sg-0123456789abcdef0"]}


def subnets(count: int) -> list[str]:
    return [f"subnet-{i:017x}" for i in range(count)]


def refused(call: Callable[[], Any]) -> str:
    """The message of the ValidationException SageMaker answers the call with."""
    with pytest.raises(Exception) as raised:  # noqa: PT011  # botocore's ClientError, asserted on below
        call()
    error = raised.value.response["Error"]  # type: ignore[attr-defined]
    assert error["Code"] == "ValidationException", error
    return str(error["Message"])


@pytest.fixture
def sagemaker(refusing_aws: str) -> Any:
    api = client("sagemaker", refusing_aws)
    api.create_model(ModelName="m", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1"})
    return api


def variant(**settings: Any) -> dict[str, Any]:
    return {"VariantName": "v", "ModelName": "m", **settings}


INSTANCES = {"InstanceType": "ml.m5.large", "InitialInstanceCount": 1}


def test_create_model_refuses_seventeen_subnets_and_takes_sixteen(sagemaker: Any) -> None:
    """VpcConfig.Subnets: "Maximum number of 16 items." (API Reference, VpcConfig; botocore `"max":16`)."""
    message = refused(
        lambda: sagemaker.create_model(
            ModelName="wide",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1"},
            VpcConfig={**NETWORK, "Subnets": subnets(17)},
        )
    )
    assert message == "VpcConfig.Subnets: Maximum number of 16 items (given 17)."
    sagemaker.create_model(
        ModelName="wide", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1"},
        VpcConfig={**NETWORK, "Subnets": subnets(16)},
    )  # fmt: skip


def test_create_model_refuses_a_package_version_of_ten_digits_and_takes_nine(sagemaker: Any) -> None:
    """ContainerDefinition.ModelPackageName is a VersionedArnOrName: its version `(\\/[0-9]{1,9})?` (botocore)."""
    message = refused(
        lambda: sagemaker.create_model(
            ModelName="ten", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1234567890"}
        )
    )
    assert message.startswith(f"ModelPackageName '{PACKAGE}/1234567890': must match ")
    sagemaker.create_model(
        ModelName="nine", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/123456789"}
    )


def test_endpoint_config_refuses_a_capture_uri_over_512_characters_and_takes_512(sagemaker: Any) -> None:
    """DataCaptureConfig.DestinationS3Uri: `"max":512` (botocore; API Reference, DataCaptureConfig)."""

    def capture(length: int) -> dict[str, Any]:
        uri = "s3://bucket/" + "p" * (length - len("s3://bucket/"))
        return {"InitialSamplingPercentage": 10, "DestinationS3Uri": uri, "CaptureOptions": [{"CaptureMode": "Input"}]}

    message = refused(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="c", ProductionVariants=[variant(**INSTANCES)], DataCaptureConfig=capture(513)
        )
    )
    assert message == "DataCaptureConfig.DestinationS3Uri: Maximum length of 512 (given 513)."
    sagemaker.create_endpoint_config(
        EndpointConfigName="c", ProductionVariants=[variant(**INSTANCES)], DataCaptureConfig=capture(512)
    )


def test_endpoint_config_refuses_provisioned_concurrency_above_the_maximum_and_takes_it_equal(sagemaker: Any) -> None:
    """ProductionVariantServerlessConfig.ProvisionedConcurrency: "Should be less than or equal to MaxConcurrency."."""

    def serverless(provisioned: int) -> list[dict[str, Any]]:
        config = {"MemorySizeInMB": 2048, "MaxConcurrency": 30, "ProvisionedConcurrency": provisioned}
        return [variant(ServerlessConfig=config)]

    message = refused(
        lambda: sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=serverless(50))
    )
    assert message == (
        "ProductionVariant v: ServerlessConfig.ProvisionedConcurrency (50) should be less than or equal to "
        "MaxConcurrency (30)."
    )
    sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=serverless(30))


def test_endpoint_config_refuses_asynchronous_inference_on_inf1_and_takes_it_on_m5(sagemaker: Any) -> None:
    """Async inference: "if your endpoint uses any of the features listed in this Exclusions page, you cannot use
    Asynchronous Inference"; the Exclusions page lists "Endpoints that use Inf1 (Inferentia-based) instances"."""
    asynchronous = {"OutputConfig": {"S3OutputPath": "s3://bucket/out"}}
    message = refused(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="c",
            AsyncInferenceConfig=asynchronous,
            ProductionVariants=[variant(InstanceType="ml.inf1.xlarge", InitialInstanceCount=1)],
        )
    )
    assert message.startswith("AsyncInferenceConfig: if your endpoint uses any of the features listed in the ")
    sagemaker.create_endpoint_config(
        EndpointConfigName="c", AsyncInferenceConfig=asynchronous, ProductionVariants=[variant(**INSTANCES)]
    )


@pytest.mark.parametrize("instance_type", ["ml.g4dn.xlarge", "ml.m5d.large"])
def test_endpoint_config_refuses_a_volume_size_on_a_type_with_nvme_storage(sagemaker: Any, instance_type: str) -> None:
    """VolumeSizeInGB: "Currently only Amazon EBS gp2 storage volumes are supported." (ProductionVariant); an NVMe
    type gets no EBS gp2 volume. ml.m5.large (EBS only) takes the size."""
    message = refused(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="c",
            ProductionVariants=[variant(InstanceType=instance_type, InitialInstanceCount=1, VolumeSizeInGB=30)],
        )
    )
    assert message == (
        f"ProductionVariant v: VolumeSizeInGB with {instance_type}, which has NVMe instance storage: currently only "
        "Amazon EBS gp2 storage volumes are supported."
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="c", ProductionVariants=[variant(**INSTANCES, VolumeSizeInGB=30)]
    )


def test_endpoint_config_takes_a_key_with_an_nvme_type_as_the_current_reference_says(sagemaker: Any) -> None:
    """CreateEndpointConfig.KmsKeyId, current text: with nitro-based instances with local storage "the KmsKeyId
    parameter does not encrypt instance local storage" (the older "the call ... fails" is gone): not refused."""
    sagemaker.create_endpoint_config(
        EndpointConfigName="c", KmsKeyId="arn:aws:kms:eu-west-1:123456789012:key/k",
        ProductionVariants=[variant(InstanceType="ml.g4dn.xlarge", InitialInstanceCount=1)],
    )  # fmt: skip


def test_ec2s_instance_storage_answers_agree_with_sagemakers_examples() -> None:
    """botocore sagemaker ResourceConfig.VolumeSizeInGB: "ML instance families with the NVMe-type instance storage
    include ml.p4d, ml.g4dn, and ml.g5." and "ML instance families that use EBS volumes include ml.c5 and ml.p2."."""
    assert all(has_nvme_instance_storage(t) for t in ("ml.p4d.24xlarge", "ml.g4dn.xlarge", "ml.g5.xlarge"))
    assert not any(has_nvme_instance_storage(t) for t in ("ml.c5.xlarge", "ml.p2.xlarge", "ml.unknown.xlarge"))


def test_a_model_that_cloudformation_creates_is_refused_the_same_way(executed: Any) -> None:
    """The check is in the backend that moto's CloudFormation calls: the stack rolls back with SageMaker's reason."""
    model = {"Type": "AWS::SageMaker::Model", "Properties": {
        "ExecutionRoleArn": ROLE, "PrimaryContainer": {"ModelPackageName": f"{PACKAGE}/1"},
        "VpcConfig": {**NETWORK, "Subnets": subnets(17)}}}  # fmt: skip

    status, failed = executed("wide", json.dumps({"Parameters": {}, "Resources": {"Model": model}}))

    assert (status, failed) == (
        "ROLLBACK_COMPLETE",
        {"Model": "VpcConfig.Subnets: Maximum number of 16 items (given 17)."},
    )


@pytest.mark.parametrize(
    ("tags", "problem"),
    [
        ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "Tags: Maximum number of 50 items (given 51)."),
        ([{"Key": "domain", "Value": "d" * 257}], f"Tag domain value {'d' * 257!r}: at most 256 letters, "),
        ([{"Key": "k" * 129, "Value": "v"}], f"Tag key {'k' * 129!r}: 1-128 letters, "),
        ([{"Key": "team", "Value": "ML (prod)"}], "Tag team value 'ML (prod)': at most 256 letters, "),
    ],
)
def test_create_model_refuses_tags_its_tag_shapes_refuse(
    sagemaker: Any, tags: list[dict[str, str]], problem: str
) -> None:
    """Tag: TagList `"max":50`, TagKey `"max":128`, TagValue `"max":256`, both `([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)`
    (botocore sagemaker; API Reference, Tag)."""
    message = refused(
        lambda: sagemaker.create_model(
            ModelName="tagged", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1"}, Tags=tags
        )
    )
    assert message.startswith(problem)


def test_create_model_takes_fifty_tags_at_their_longest_in_any_script_and_aws_tags_beyond(sagemaker: Any) -> None:
    tags = [{"Key": f"k{i:03}" + "é" * 124, "Value": "ü 1_.:/=+-@" + "v" * 245} for i in range(50)]
    sagemaker.create_model(
        ModelName="tagged", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": f"{PACKAGE}/1"},
        Tags=[*tags, {"Key": "aws:cloudformation:stack-name", "Value": "churn"}],
    )  # fmt: skip


def test_an_endpoint_config_and_an_endpoint_refuse_the_same_tags(sagemaker: Any) -> None:
    bad = [{"Key": "team", "Value": "ML (prod)"}]
    assert refused(
        lambda: sagemaker.create_endpoint_config(
            EndpointConfigName="c", ProductionVariants=[variant(**INSTANCES)], Tags=bad
        )
    ).startswith("Tag team value")
    sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[variant(**INSTANCES)])
    assert refused(lambda: sagemaker.create_endpoint(EndpointName="e", EndpointConfigName="c", Tags=bad)).startswith(
        "Tag team value"
    )
