"""CreateModel and CreateEndpointConfig requests that SageMaker documents as refused and moto 5.2.5 accepts. Test code.

Each check sits in the backend (`SageMakerModelBackend.create_model`, `create_endpoint_config`), which both the API and
moto's CloudFormation (`Model`, `FakeEndpointConfig.create_from_cloudformation_json`) call, and answers as SageMaker
does, ValidationException. Where AWS publishes no message, the message is the documented constraint's words:
- VpcConfig.Subnets: botocore sagemaker `Subnets` `"max":16` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/
  API_VpcConfig.html: "Array Members: Minimum number of 1 item. Maximum number of 16 items.").
- ContainerDefinition.ModelPackageName: botocore sagemaker `VersionedArnOrName` (`"max":176`, its pattern ends in
  `(\\/[0-9]{1,9})?`: a version of at most nine digits; https://docs.aws.amazon.com/sagemaker/latest/APIReference/
  API_ContainerDefinition.html).
- DataCaptureConfig.DestinationS3Uri: botocore sagemaker `DestinationS3Uri` `"max":512`
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DataCaptureConfig.html).
- ProductionVariantServerlessConfig.ProvisionedConcurrency: "Should be less than or equal to `MaxConcurrency`."
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html).
- AsyncInferenceConfig on ml.inf1: "Note that if your endpoint uses any of the features listed in this Exclusions page,
  you cannot use Asynchronous Inference." (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference.html); the
  Exclusions page lists "Endpoints that use Inf1 (Inferentia-based) instances"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html).
- ProductionVariant.VolumeSizeInGB on a type with local NVMe storage: "Currently only Amazon EBS gp2 storage volumes are
  supported." (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html) and "When using an
  ML instance with NVMe SSD volumes, SageMaker doesn't provision Amazon EBS General Purpose SSD (gp2) storage."
  (botocore sagemaker `ResourceConfig.VolumeSizeInGB`). Which types have NVMe instance storage is EC2's answer, not a
  list of ours: `InstanceStorageInfo.NvmeSupport` of DescribeInstanceTypes ("Indicates whether non-volatile memory
  express (NVMe) is supported.", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStorageInfo.html),
  as moto recorded EC2's answers (`moto.ec2.models.instance_types.INSTANCE_TYPES`). A type that recording lacks
  (ml.dl1, ml.p6e-gb200) is not refused: the bend enforces only what AWS's data says.
- Tags of a model, an endpoint config and an endpoint (CreateEndpoint's are checked in deployment_refusals.py):
  botocore sagemaker `TagList` `"max":50`, `TagKey` `"max":128,"min":1`, `TagValue` `"max":256`, both with the pattern
  `([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html), read
  as Unicode categories (letters, separators, numbers) and those symbols. SageMaker's model is silent on `aws:` tags
  and the count; other services say "Tags with this prefix do not count against your tags per resource limit."
  (botocore ecs `Tag`), and CloudFormation adds its own `aws:cloudformation:*` tags, so they are not counted here.
- Not bent: KmsKeyId with such a type. The current CreateEndpointConfig reference says only that the key "does not
  encrypt instance local storage" ("If any of the models that you specify in the `ProductionVariants` parameter use
  nitro-based instances with local storage, the `KmsKeyId` parameter does not encrypt instance local storage.",
  botocore sagemaker `CreateEndpointConfigInput.KmsKeyId`); the older text that the call fails is gone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.ec2.models.instance_types import INSTANCE_TYPES
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpointConfig, Model, SageMakerModelBackend

MAX_SUBNETS = 16
VERSIONED_ARN_OR_NAME = re.compile(  # botocore sagemaker VersionedArnOrName, "max":176
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:[a-z\-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?"
)
MAX_PACKAGE_NAME = 176
MAX_CAPTURE_URI = 512
MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE = 50, 128, 256
TAG_SYMBOLS = "_.:/=+-@"


@contextmanager
def sagemaker_refusals() -> Iterator[None]:
    with ExitStack() as patches:
        for name, check in (("create_model", _model_problems), ("create_endpoint_config", _config_problems)):
            original = getattr(SageMakerModelBackend, name)
            patches.enter_context(mock.patch.object(SageMakerModelBackend, name, _refusing(original, check)))
        yield


def _refusing(original: Callable[..., Any], problems: Callable[..., list[str]]) -> Callable[..., Any]:
    def call(self: SageMakerModelBackend, *args: Any, **kwargs: Any) -> Model | FakeEndpointConfig:
        found = problems(**kwargs)
        if found:
            raise ValidationError(message="; ".join(found))
        return original(self, *args, **kwargs)  # type: ignore[no-any-return]

    return call


def _model_problems(*, vpc_config: Any = None, primary_container: Any = None, containers: Any = None,
                    tags: Any = None, **_rest: Any) -> list[str]:  # fmt: skip
    problems = tag_problems(tags)
    subnets = (vpc_config or {}).get("Subnets") or []
    if len(subnets) > MAX_SUBNETS:
        problems.append(f"VpcConfig.Subnets: Maximum number of {MAX_SUBNETS} items (given {len(subnets)}).")
    for container in [primary_container or {}, *(containers or [])]:
        package = container.get("ModelPackageName")
        if package is not None and not _versioned_arn_or_name(str(package)):
            problems.append(
                f"ModelPackageName {package!r}: must match {VERSIONED_ARN_OR_NAME.pattern} "
                f"and be at most {MAX_PACKAGE_NAME} characters."
            )
    return problems


def _versioned_arn_or_name(value: str) -> bool:
    return len(value) <= MAX_PACKAGE_NAME and VERSIONED_ARN_OR_NAME.fullmatch(value) is not None


def _config_problems(*, production_variants: Any = None, data_capture_config: Any = None,
                     async_inference_config: Any = None, tags: Any = None, **_rest: Any) -> list[str]:  # fmt: skip
    variants = list(production_variants or [])
    problems = tag_problems(tags) + [problem for variant in variants for problem in _variant_problems(variant)]
    uri = str((data_capture_config or {}).get("DestinationS3Uri") or "")
    if len(uri) > MAX_CAPTURE_URI:
        problems.append(f"DataCaptureConfig.DestinationS3Uri: Maximum length of {MAX_CAPTURE_URI} (given {len(uri)}).")
    if async_inference_config and any(_family(v) == "inf1" for v in variants):
        problems.append(
            "AsyncInferenceConfig: if your endpoint uses any of the features listed in the deployment guardrails "
            "Exclusions page (Inf1 instances), you cannot use Asynchronous Inference."
        )
    return problems


def _variant_problems(variant: dict[str, Any]) -> list[str]:
    problems = []
    serverless = variant.get("ServerlessConfig") or {}
    provisioned, maximum = serverless.get("ProvisionedConcurrency"), serverless.get("MaxConcurrency")
    if provisioned is not None and maximum is not None and float(provisioned) > float(maximum):
        problems.append(
            f"ProductionVariant {variant.get('VariantName')}: ServerlessConfig.ProvisionedConcurrency ({provisioned}) "
            f"should be less than or equal to MaxConcurrency ({maximum})."
        )
    instance_type = str(variant.get("InstanceType") or "")
    if variant.get("VolumeSizeInGB") is not None and has_nvme_instance_storage(instance_type):
        problems.append(
            f"ProductionVariant {variant.get('VariantName')}: VolumeSizeInGB with {instance_type}, which has NVMe "
            "instance storage: currently only Amazon EBS gp2 storage volumes are supported."
        )
    return problems


def _family(variant: dict[str, Any]) -> str:
    parts = str(variant.get("InstanceType") or "").split(".")
    return parts[1] if len(parts) == 3 and parts[0] == "ml" else ""  # ml.<family>.<size>


def has_nvme_instance_storage(instance_type: str) -> bool:
    """EC2's DescribeInstanceTypes answer for the type without its `ml.` (as moto recorded it): NVMe instance store."""
    ec2_type = INSTANCE_TYPES.get(instance_type.removeprefix("ml."), {})
    storage = ec2_type.get("InstanceStorageInfo") or {}
    return bool(ec2_type.get("InstanceStorageSupported")) and storage.get("NvmeSupport") in ("supported", "required")


def tag_problems(tags: list[dict[str, str]] | None) -> list[str]:
    """What SageMaker's Tag shapes refuse in a request's Tags."""
    given = list(tags or [])
    counted = [tag for tag in given if not str(tag.get("Key", "")).startswith("aws:")]
    problems = [f"Tags: Maximum number of {MAX_TAGS} items (given {len(counted)})."] if len(counted) > MAX_TAGS else []
    for tag in given:
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if not 1 <= len(key) <= MAX_TAG_KEY or not _tag_text(key):
            problems.append(f"Tag key {key!r}: 1-{MAX_TAG_KEY} letters, separators, numbers or {TAG_SYMBOLS}.")
        if len(value) > MAX_TAG_VALUE or not _tag_text(value):
            problems.append(f"Tag {key} value {value!r}: at most {MAX_TAG_VALUE} letters, separators, numbers or "
                            f"{TAG_SYMBOLS}.")  # fmt: skip
    return problems


def _tag_text(text: str) -> bool:
    """`[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`: letters, separators and numbers of any script, and those symbols."""
    return all(unicodedata.category(c)[0] in "LZN" or c in TAG_SYMBOLS for c in text)
