"""The EndpointConfig (one production variant: instances, or a ServerlessConfig) and the Endpoint.

The EndpointConfig has no fixed name, for the same reason as the Model: its properties are create-only.
The Endpoint updates in place to a new EndpointConfig (SageMaker UpdateEndpoint) with a blue/green deployment
that rolls back on alarms (rollback.py); its name is Stack.endpoint_name.
"""

from __future__ import annotations

from troposphere import And, Condition, GetAtt, If, Not, NoValue, Parameter, PropsDictType, Ref, Sub
from troposphere.kms import Key
from troposphere.sagemaker import (
    CaptureContentTypeHeader,
    CaptureOption,
    DataCaptureConfig,
    Endpoint,
    EndpointConfig,
    Model,
    ProductionVariant,
    VariantProperty,
)

from generator.cfn.conditions import is_empty
from generator.endpoint.asynchronous import async_inference_config
from generator.endpoint.context import EndpointStack, add_condition, add_output
from generator.endpoint.data_capture import DataCaptureLocation
from generator.endpoint.instance_storage import add_ebs_volume_condition
from generator.endpoint.rollback import add_deployment_config
from generator.endpoint.serverless import serverless_variant
from generator.endpoint.tags import retained_resource_tags

# VariantPropertyType also lists DataCaptureConfig, documented "(Not currently supported.)": only the weight.
NOT_RETAINED_WITH_SCALING = ("DesiredWeight",)
CSV_CONTENT_TYPES = ["text/csv"]
JSON_CONTENT_TYPES = ["application/json"]


class EndpointDataCaptureConfig(DataCaptureConfig):
    """The EndpointConfig's DataCaptureConfig. troposphere 4.11.1 types that property with the TransformJob
    shape (no EnableCapture, CaptureOptions or sampling); this subclass has the EndpointConfig's."""

    props: PropsDictType = {
        "CaptureContentTypeHeader": (CaptureContentTypeHeader, False),
        "CaptureOptions": ([CaptureOption], True),
        "DestinationS3Uri": (str, True),
        "EnableCapture": (bool, False),
        "InitialSamplingPercentage": (int, True),
        "KmsKeyId": (str, False),
    }


def add_endpoint(stack: EndpointStack, model: Model, key: Key, capture: DataCaptureLocation) -> Endpoint:
    params = stack.params
    ebs_volume = add_ebs_volume_condition(stack)
    instances = ProductionVariant(
        ModelName=GetAtt(model, "ModelName"),
        VariantName=Ref(params.variant_name),
        InstanceType=Ref(params.instance_type),
        InitialInstanceCount=Ref(params.initial_instance_count),
        InitialVariantWeight=Ref(params.initial_variant_weight),
        **_large_model_settings(stack, ebs_volume),
    )
    config = stack.template.add_resource(
        EndpointConfig(
            "EndpointConfig",
            ProductionVariants=If(stack.conditions.serverless, [serverless_variant(stack, model)], [instances]),
            KmsKeyId=If(ebs_volume, GetAtt(key, "Arn"), NoValue),
            DataCaptureConfig=If(stack.conditions.data_capture_enabled, _data_capture(stack, key, capture), NoValue),
            AsyncInferenceConfig=async_inference_config(stack, key),
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",
            DeletionPolicy="Delete",  # the endpoint may go back to it by itself: see model.py
        )
    )
    endpoint = stack.template.add_resource(
        Endpoint(
            "Endpoint",
            EndpointName=stack.endpoint_name,
            EndpointConfigName=GetAtt(config, "EndpointConfigName"),
            DeploymentConfig=add_deployment_config(stack, config),
            # Autoscaling owns the instance count: an update keeps the current count instead of resetting
            # it to InitialInstanceCount, and takes the weight from the new config.
            RetainAllVariantProperties=If(stack.conditions.scaling_enabled, True, NoValue),
            ExcludeRetainedVariantProperties=If(
                stack.conditions.scaling_enabled,
                [VariantProperty(VariantPropertyType=kind) for kind in NOT_RETAINED_WITH_SCALING],
                NoValue,
            ),
            Tags=stack.tags,
        )
    )
    name = GetAtt(endpoint, "EndpointName")
    add_output(stack, "EndpointName", name, "Name of the SageMaker endpoint")
    # InvokeEndpoint's path, or InvokeEndpointAsync's for Async (the sagemaker-runtime API model's requestUri)
    action = If(stack.conditions.asynchronous, "async-invocations", "invocations")
    add_output(
        stack,
        "EndpointUrl",
        Sub(
            "https://runtime.sagemaker.${AWS::Region}.${AWS::URLSuffix}/endpoints/${Name}/${Action}",
            Name=name,
            Action=action,
        ),
        "URL that invokes the endpoint (SageMaker runtime InvokeEndpoint; InvokeEndpointAsync for Async)",
    )
    return endpoint


def _large_model_settings(stack: EndpointStack, ebs_volume: str) -> dict[str, If]:
    """Each setting when it is set; the volume size only for types with an EBS volume (instance_storage.py)."""
    params = stack.params

    def when_set(parameter: Parameter, condition: str, *also: Condition) -> If:
        is_set = Not(is_empty(parameter))
        return If(add_condition(stack, condition, And(is_set, *also) if also else is_set), Ref(parameter), NoValue)

    return {
        "VolumeSizeInGB": when_set(params.volume_size_in_gb, "SetVolumeSize", Condition(ebs_volume)),
        "ModelDataDownloadTimeoutInSeconds": when_set(
            params.model_data_download_timeout_in_seconds, "HasModelDataDownloadTimeout"
        ),
        "ContainerStartupHealthCheckTimeoutInSeconds": when_set(
            params.container_startup_health_check_timeout_in_seconds, "HasContainerStartupTimeout"
        ),
    }


def _data_capture(stack: EndpointStack, key: Key, capture: DataCaptureLocation) -> EndpointDataCaptureConfig:
    return EndpointDataCaptureConfig(
        EnableCapture=True,
        InitialSamplingPercentage=Ref(stack.params.data_capture_sampling_percentage),
        DestinationS3Uri=capture.s3_uri,
        KmsKeyId=GetAtt(key, "Arn"),
        CaptureOptions=[CaptureOption(CaptureMode="Input"), CaptureOption(CaptureMode="Output")],
        CaptureContentTypeHeader=CaptureContentTypeHeader(
            CsvContentTypes=CSV_CONTENT_TYPES, JsonContentTypes=JSON_CONTENT_TYPES
        ),
    )
