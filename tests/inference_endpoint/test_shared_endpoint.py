"""The shared endpoint (templates/inference-endpoint.yaml), evaluated as CloudFormation would for given values: what
SageMaker asks of an endpoint that hosts inference components, and what the template refuses before anything is
made."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.components import ENDPOINT_ROLE, SHARED, SHARED_ENDPOINT, shared_endpoint, shared_endpoint_template
from tests.support.inputs import ARTIFACTS
from tests.support.template_eval import EveryBranchEvaluator, as_text

US_EAST_1 = {"AWS::Region": "us-east-1"}


def config(**values: str) -> dict[str, Any]:
    props: dict[str, Any] = shared_endpoint(**values).resources()["EndpointConfig"]["Properties"]
    return props


def test_the_config_has_an_execution_role_and_one_variant_without_a_model() -> None:
    """ "Inference Components are not supported in this Endpoint. Please make sure this endpoint can deploy inference
    components" answers a component on a variant with a model (https://github.com/hashicorp/terraform-provider-aws/
    issues/40644); ProductionVariant requires only VariantName (botocore sagemaker service-2, ProductionVariant
    `required: ['VariantName']`). ExecutionRoleArn: "`ExecutionRoleArn` is required on the endpoint configuration once
    inference components are enabled ... `CreateEndpointConfig` returned 400" (https://github.com/stdapi-ai/stdapi.ai/
    issues/43); the API reference marks it optional, so it is always set."""
    props = config()
    assert props["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    (variant,) = props["ProductionVariants"]
    assert "ModelName" not in variant
    assert variant == {
        "VariantName": "AllTraffic",
        "InstanceType": "ml.m5.xlarge",
        "InitialInstanceCount": "1",
        "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": "1", "MaxInstanceCount": "4"},
        "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
    }


def test_vpc_and_network_isolation_are_the_configs_own() -> None:
    """CreateEndpointConfig takes VpcConfig and EnableNetworkIsolation, "Sets whether all model containers deployed to
    the endpoint are isolated" (botocore sagemaker service-2, CreateEndpointConfigInput): on an endpoint without a
    model on its variant, the config carries them for every component."""
    props = config(EnableNetworkIsolation="false")
    assert props["VpcConfig"] == {
        "SecurityGroupIds": [{"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]}],
        "Subnets": SHARED["SubnetIds"].split(","),
    }
    assert props["EnableNetworkIsolation"] == "false"
    assert config()["EnableNetworkIsolation"] == "true"


@pytest.mark.parametrize(("instance_type", "keyed"), [("ml.m5.xlarge", True), ("ml.g5.2xlarge", False)])
def test_the_volume_key_is_sent_only_for_families_with_an_ebs_volume(instance_type: str, keyed: bool) -> None:
    """ "If any of the models that you specify in the ProductionVariants parameter use nitro-based instances with local
    storage, the KmsKeyId parameter does not encrypt instance local storage" (CreateEndpointConfig, SageMaker API
    Reference): the endpoint template's rule (generator.endpoint.instance_storage), reused."""
    props = config(InstanceType=instance_type, VolumeSizeInGB="100")
    assert ("KmsKeyId" in props) is keyed
    assert ("VolumeSizeInGB" in props["ProductionVariants"][0]) is keyed


def test_scaling_to_zero_instances_is_refused_outside_the_regions_where_it_was_seen_accepted() -> None:
    """ "Min instance count needs to be greater than 0 for enabled managed instance scaling" in eu-west-3, while "the
    identical call is accepted in us-east-1" (https://github.com/stdapi-ai/stdapi.ai/issues/43); AWS lists no Region
    either way, so 0 is refused where it has not been seen accepted."""
    refused = shared_endpoint(ScalingMinInstanceCount="0").failed_rules()
    assert refused == [
        "ScalingMinInstanceCount 0 (instances scale to zero) is refused in this Region: AWS lists no Region where "
        "SageMaker accepts it, eu-west-3 refused it, and it has been seen accepted in us-east-1 only. Set "
        "ScalingMinInstanceCount to 1 (components still scale to zero copies), or deploy there."
    ]
    accepted = shared_endpoint(US_EAST_1, ScalingMinInstanceCount="0")
    assert accepted.failed_rules() == []
    variant = accepted.resources()["EndpointConfig"]["Properties"]["ProductionVariants"][0]
    assert variant["ManagedInstanceScaling"]["MinInstanceCount"] == "0"


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"ScalingMinInstanceCount": "3", "ScalingMaxInstanceCount": "2", "InitialInstanceCount": "3"},
         "ScalingMaxInstanceCount is below ScalingMinInstanceCount"),
        ({"ScalingMinInstanceCount": "2", "InitialInstanceCount": "1"}, "InitialInstanceCount is below"),
        ({"ScalingMaxInstanceCount": "2", "InitialInstanceCount": "3"}, "InitialInstanceCount is above"),
    ],
)  # fmt: skip
def test_instance_counts_out_of_order_are_refused_with_the_fix(values: dict[str, str], refusal: str) -> None:
    """ManagedInstanceScaling: "The minimum number of instances that the endpoint must retain" and "The maximum number
    of instances that the endpoint can provision" (ProductionVariantManagedInstanceScaling): a minimum above the
    maximum names no count; AWS says nothing of an initial count outside them, so that is refused too."""
    failed = shared_endpoint(**values).failed_rules()
    assert [text for text in failed if refusal in text] != []
    assert [text for text in failed if "Scaling" not in text and "InitialInstanceCount" not in text] == []


def test_components_import_the_role_variant_and_isolation_by_the_endpoints_name() -> None:
    """Exports are named `sagemaker-endpoint:<endpoint name>:<output>`; each is what a component's stack imports."""
    outputs = shared_endpoint_template()["Outputs"]
    evaluated = shared_endpoint()
    by_name = {key: evaluated.value(output["Export"]["Name"]) for key, output in outputs.items() if "Export" in output}
    assert {key: name for key, name in by_name.items() if name.startswith("sagemaker-endpoint:")} == {
        key: f"sagemaker-endpoint:{SHARED_ENDPOINT}:{key}"
        for key in ("ExecutionRoleArn", "ExecutionRoleName", "VariantName", "EnableNetworkIsolation")
    }
    assert as_text(evaluated.outputs()["EndpointUrl"]) == (
        "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/<Endpoint.EndpointName>/invocations"
    )


def test_the_execution_role_writes_only_the_endpoints_logs_metrics_capture_and_network_interfaces() -> None:
    """What the endpoint's role itself may do; each component adds its package's read access to it
    (generator.inference_component.access)."""
    role = shared_endpoint(DataCaptureSamplingPercentage="10", **ARTIFACTS).resources()["ExecutionRole"]["Properties"]
    (policy,) = role["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert list(statements) == [
        "WriteEndpointLogs", "PublishEndpointMetrics", "WriteCapturedData", "CreateEndpointNetworkInterfaces",
        "ManageEndpointNetworkInterfaces", "DescribeEndpointNetwork",
    ]  # fmt: skip
    assert statements["WriteEndpointLogs"]["Resource"][0].endswith(
        f":log-group:/aws/sagemaker/Endpoints/{SHARED_ENDPOINT}"
    )
    assert statements["WriteCapturedData"]["Resource"] == ["arn:aws:s3:::ml-artifacts-111122223333/*"]
    assert not [s for s in statements.values() if any(a.startswith(("s3:Get", "ecr:")) for a in s["Action"])]
    assert role["Path"] == "/sagemaker-endpoint/"  # a component's policy attaches to it there (ENDPOINT_ROLE)
    assert ENDPOINT_ROLE.split(":role", 1)[1].startswith(role["Path"])


def test_data_capture_needs_its_bucket_and_then_captures_input_and_output() -> None:
    """DataCaptureConfig requires InitialSamplingPercentage, DestinationS3Uri and CaptureOptions (botocore
    DataCaptureConfig `required`). AWS says nothing of capture with components: the endpoint's capture covers them."""
    assert shared_endpoint(DataCaptureSamplingPercentage="10", ModelArtifactsBucketArn="").failed_rules() != []
    capture = config(DataCaptureSamplingPercentage="10", **ARTIFACTS)["DataCaptureConfig"]
    assert capture["DestinationS3Uri"] == "s3://ml-artifacts-111122223333"
    assert capture["CaptureOptions"] == [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]
    assert "DataCaptureConfig" not in config()


def test_the_inputs_refuse_what_the_api_refuses() -> None:
    """The API's bounds, enforced by the parameters: ManagedInstanceScaling MinInstanceCount `min: 0`,
    MaxInstanceCount `min: 1`; RoutingStrategy one of the CloudFormation schema's enum that needs no other setting."""
    params = shared_endpoint_template()["Parameters"]

    def accepts(name: str, value: str) -> bool:
        spec = params[name]
        if "AllowedValues" in spec:
            return value in spec["AllowedValues"]
        return re.fullmatch(spec["AllowedPattern"], value) is not None

    assert accepts("ScalingMinInstanceCount", "0")
    assert not accepts("ScalingMinInstanceCount", "-1")
    assert accepts("ScalingMaxInstanceCount", "1")
    assert not accepts("ScalingMaxInstanceCount", "0")
    assert accepts("RoutingStrategy", "RANDOM")
    assert not accepts("RoutingStrategy", "PREFIX_AWARE")
    assert not accepts("VpcId", "")
    assert not accepts("SubnetIds", "")


@pytest.mark.parametrize(
    "values",
    [{}, {"EndpointName": "", "DataCaptureSamplingPercentage": "10", "DataCapturePrefix": "c", **ARTIFACTS}],
)
def test_every_branch_of_every_expression_evaluates(values: dict[str, str]) -> None:
    EveryBranchEvaluator(shared_endpoint_template(), {**SHARED, **values}).everything()
