"""The EndpointConfig (one production variant: instances, or a ServerlessConfig) and the Endpoint, with its name.

The EndpointConfig has no fixed name, for the same reason as the Model: its properties are create-only.
The Endpoint updates in place to a new EndpointConfig (SageMaker UpdateEndpoint) with a blue/green deployment
that rolls back on alarms (rollback); its name is EndpointStack.endpoint_name, derived here.
"""

from __future__ import annotations

from troposphere import FindInMap, GetAtt, If, Join, Not, NoValue, PropsDictType, Sub, Template
from troposphere.kms import Key
from troposphere.sagemaker import (
    CaptureContentTypeHeader,
    CaptureOption,
    DataCaptureConfig,
    Endpoint,
    EndpointConfig,
    Model,
    VariantProperty,
)

from custom_resource.contract import LogicalIds, Outputs
from generator.cfn.conditions import add_named_condition, is_empty, stack_uuid
from generator.cfn.inputs import Input, pattern
from generator.common.patterns import SAGEMAKER_NAME
from generator.endpoint.asynchronous import async_inference_config
from generator.endpoint.context import EndpointStack, add_output
from generator.endpoint.data_capture import SAMPLING_PERCENTAGE, DataCaptureLocation
from generator.endpoint.instance_storage import add_ebs_volume_condition
from generator.endpoint.rollback import add_deployment_config
from generator.endpoint.serverless import serverless_variant
from generator.endpoint.tags import retained_resource_tags
from generator.endpoint.types import ASYNC, ENDPOINT_TYPE, REAL_TIME, SERVERLESS
from generator.endpoint.variant import instance_variant

ENDPOINT_TYPES_MAP, NAME_SUFFIX = "EndpointTypes", "NameSuffix"
NAME_SUFFIXES = {REAL_TIME: "", SERVERLESS: "-serverless", ASYNC: "-async"}
ENDPOINT_NAME = Input(
    "EndpointName",
    "Endpoint name",
    "Name of the endpoint. Empty names it endpoint-<stack UUID>. Changing it replaces the endpoint.",
    pattern(SAGEMAKER_NAME, "an endpoint name (letters, digits, hyphens; up to 63 characters)", max_length=63),
)

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


def derive_endpoint_name(template: Template) -> If:
    """EndpointName, or `endpoint-<stack UUID>` when it is empty: 45 characters, within SageMaker's 63, and
    known before the endpoint exists, so alarms, scaling and the role can name it without a dependency cycle.
    A Serverless or Async endpoint's derived name ends in `-serverless` or `-async` (56 at most): SageMaker
    cannot turn one type into another, so a change of EndpointType names, and so makes, a new endpoint. The suffix
    comes from a mapping, not a condition, so no expression has a branch some resource can never take."""
    has_name = add_named_condition(template, "HasEndpointName", Not(is_empty(ENDPOINT_NAME)))
    template.add_mapping(ENDPOINT_TYPES_MAP, {kind: {NAME_SUFFIX: suffix} for kind, suffix in NAME_SUFFIXES.items()})
    suffix = FindInMap(ENDPOINT_TYPES_MAP, ENDPOINT_TYPE.ref(), NAME_SUFFIX)
    return If(has_name, ENDPOINT_NAME.ref(), Join("", ["endpoint-", stack_uuid(), suffix]))


def add_endpoint(stack: EndpointStack, model: Model, key: Key, capture: DataCaptureLocation) -> Endpoint:
    ebs_volume = add_ebs_volume_condition(stack)
    config = stack.template.add_resource(
        EndpointConfig(
            LogicalIds.ENDPOINT_CONFIG,
            ProductionVariants=If(
                stack.conditions.serverless,
                [serverless_variant(stack, model)],
                [instance_variant(stack, model, ebs_volume)],
            ),
            KmsKeyId=If(ebs_volume, GetAtt(key, "Arn"), NoValue),
            DataCaptureConfig=If(stack.conditions.data_capture_enabled, data_capture_config(key, capture), NoValue),
            AsyncInferenceConfig=async_inference_config(stack, key),
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",  # the endpoint may go back to it by itself: see the model module
            DeletionPolicy="Delete",
        )
    )
    endpoint = stack.template.add_resource(
        Endpoint(
            LogicalIds.ENDPOINT,
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
    add_output(stack, Outputs.ENDPOINT_NAME, name, "Name of the SageMaker endpoint")
    # InvokeEndpoint's path, or InvokeEndpointAsync's for Async (the sagemaker-runtime API model's requestUri)
    action = If(stack.conditions.asynchronous, "async-invocations", "invocations")
    add_output(
        stack,
        Outputs.ENDPOINT_URL,
        Sub(
            "https://runtime.sagemaker.${AWS::Region}.${AWS::URLSuffix}/endpoints/${Name}/${Action}",
            Name=name,
            Action=action,
        ),
        "URL that invokes the endpoint (SageMaker runtime InvokeEndpoint; InvokeEndpointAsync for Async)",
    )
    return endpoint


def data_capture_config(key: Key, capture: DataCaptureLocation) -> EndpointDataCaptureConfig:
    return EndpointDataCaptureConfig(
        EnableCapture=True,
        InitialSamplingPercentage=SAMPLING_PERCENTAGE.ref(),
        DestinationS3Uri=capture.s3_uri,
        KmsKeyId=GetAtt(key, "Arn"),
        CaptureOptions=[CaptureOption(CaptureMode="Input"), CaptureOption(CaptureMode="Output")],
        CaptureContentTypeHeader=CaptureContentTypeHeader(
            CsvContentTypes=CSV_CONTENT_TYPES, JsonContentTypes=JSON_CONTENT_TYPES
        ),
    )
