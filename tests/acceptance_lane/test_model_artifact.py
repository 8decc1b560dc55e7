"""What the scenarios deploy, offline: the model artifact (a model.tar.gz for the SageMaker scikit-learn container
that answers its label), the Region's public scikit-learn image, the lane's bucket and its model versions on the
local moto."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.acceptance.artifact import ENVIRONMENT, INFERENCE_SCRIPT, answer, model_artifact
from tests.support.acceptance.images import sklearn_image
from tests.support.acceptance.naming import TAG_KEY, RunNames, new_run_id
from tests.support.acceptance.world import create_bucket, register_versions, s3_gateway_service, upload_model
from tests.support.local_aws import REGION

Clients = Callable[[str], Any]
RUN = RunNames("r2601151403a1b2", "123456789012")


def test_the_artifact_holds_the_label_and_the_script_under_code_and_nothing_else() -> None:
    """SAGEMAKER_SUBMIT_DIRECTORY /opt/ml/model/code: where SageMaker unpacks the artifact, code/ inside it, as the
    SageMaker Python SDK packs a model whose container runs with network isolation."""
    with tarfile.open(fileobj=io.BytesIO(model_artifact("group-v2")), mode="r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]

    assert sorted(members) == ["code/inference.py", "model.json"]
    assert json.loads(members["model.json"]) == {"label": "group-v2"}
    assert members["code/inference.py"].decode() == INFERENCE_SCRIPT
    assert ENVIRONMENT == {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}


def test_the_same_label_gives_the_same_bytes_and_another_label_other_bytes() -> None:
    assert model_artifact("v1") == model_artifact("v1") != model_artifact("v2")


def test_the_script_answers_its_label_whatever_it_is_sent(tmp_path: Path) -> None:
    """The four handlers the scikit-learn model server calls ("The SageMaker Scikit-learn model server loads your
    model by invoking a ``model_fn`` function that you must provide"), run as it runs them; output_fn's
    (body, content type) tuple is the form the container turns into its response."""
    with tarfile.open(fileobj=io.BytesIO(model_artifact("arn-v1")), mode="r:gz") as tar:
        tar.extractall(tmp_path, filter="data")
    script = ModuleType("inference")
    exec(compile((tmp_path / "code" / "inference.py").read_text(), "inference.py", "exec"), script.__dict__)

    model = script.model_fn(str(tmp_path))
    body, content_type = script.output_fn(script.predict_fn(script.input_fn("1,2,3", "text/csv"), model), "*/*")

    assert (json.loads(body), content_type) == (answer("arn-v1"), "application/json")


@pytest.mark.parametrize(
    ("region", "image"),
    [
        # AWS's "Docker Registry Paths and Example Code" page for us-east-1, Scikit-learn: the registry path
        # 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:<tag>, tag <version>-cpu-py3
        ("us-east-1", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"),
        ("eu-west-1", "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"),
        ("cn-north-1", "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3"),
        ("xx-nowhere-1", None),
    ],
)
def test_the_image_is_the_regions_scikit_learn_registry_path(region: str, image: str | None) -> None:
    assert sklearn_image(region) == image


def test_the_s3_gateway_service_is_named_for_the_region() -> None:
    assert (s3_gateway_service("eu-west-1"), s3_gateway_service("cn-north-1")) == (
        "com.amazonaws.eu-west-1.s3", "cn.com.amazonaws.cn-north-1.s3")  # fmt: skip


def test_the_lanes_bucket_is_encrypted_private_tls_only_and_tagged(local: Clients) -> None:
    s3 = local("s3")

    bucket = create_bucket(s3, RUN, REGION, "aws")

    assert bucket == "sme-acceptance-r2601151403a1b2-123456789012"
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": TAG_KEY, "Value": RUN.run_id}]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)  # fmt: skip
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    (deny,) = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_versions_are_registered_oldest_first_in_a_tagged_group_with_what_the_container_needs(local: Clients) -> None:
    """CreateModelPackage: a version "uses the tags associated with the model group. In this case, you cannot
    supply a tag argument." So the group carries the run's tag, the versions none of their own."""
    s3, sagemaker = local("s3"), local("sagemaker")
    bucket = create_bucket(s3, RUN, REGION, "aws")
    wanted = (("g-v1", "Approved"), ("g-v2", "PendingManualApproval"))
    urls = [(upload_model(s3, bucket, label), status) for label, status in wanted]

    arns = register_versions(sagemaker, RUN.name("group"), RUN, "image:1", urls)

    described = [sagemaker.describe_model_package(ModelPackageName=arn) for arn in arns]
    assert [d["ModelApprovalStatus"] for d in described] == ["Approved", "PendingManualApproval"]
    assert described[1]["InferenceSpecification"] == {
        "Containers": [{"Image": "image:1", "ModelDataUrl": f"s3://{bucket}/models/g-v2/model.tar.gz",
                        "Environment": ENVIRONMENT}],
        "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["application/json"],
    }  # fmt: skip
    group_arn = sagemaker.describe_model_package_group(ModelPackageGroupName=RUN.name("group"))["ModelPackageGroupArn"]
    assert sagemaker.list_tags(ResourceArn=group_arn)["Tags"] == RUN.tags
    assert s3.get_object(Bucket=bucket, Key="models/g-v2/model.tar.gz")["Body"].read() == model_artifact("g-v2")


def test_names_start_with_the_run_prefix_and_fit_sagemakers_entity_name() -> None:
    """EntityName (endpoints, model package groups): `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`; buckets: lower case."""
    run_id = new_run_id()
    names = RunNames(run_id, "123456789012")

    assert re.fullmatch(r"r[0-9]{10}[0-9a-f]{4}", run_id)
    assert names.name("deploy-on-approval") == f"sme-acceptance-{run_id}-deploy-on-approval"
    with pytest.raises(ValueError, match="longer than 63 characters"):
        names.name("x" * 40)
