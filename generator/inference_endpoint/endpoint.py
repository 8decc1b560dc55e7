"""The shared endpoint's EndpointConfig and Endpoint, and the outputs its components import.

The config carries what an endpoint hosting components takes at its own level: ExecutionRoleArn (role), VpcConfig with
the stack's security group, and EnableNetworkIsolation, which "Sets whether all model containers deployed to the
endpoint are isolated" (CreateEndpointConfig, SageMaker API Reference). Both are accepted only on an endpoint without
a model on its variant ("since the API only supports this for Inference Components endpoints":
terraform-provider-aws #48738; VpcConfig "Can only be used with Inference Components endpoints": #48884). Each
component's model takes the endpoint's isolation, imported, never its own: AWS's SDK sets the config's isolation "to
match the built Model ..., fixing CreateInferenceComponent rejection on mismatched network isolation"
(aws/sagemaker-python-sdk commit 04a71225c). KmsKeyId only for instance families with an EBS volume
(generator.endpoint.instance_storage), as the endpoint template does. AWS documents data capture per endpoint config
and says nothing of it with components: capture is the endpoint's, of every component it hosts.

The config is retained when replaced and tagged with the stack's id, as the endpoint template's is, so the deploy
client's check of what the endpoint serves and its cleanup apply unchanged.
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import GetAtt, If, Join, Not, NoValue, Ref, Sub, Template
from troposphere.ec2 import SecurityGroup
from troposphere.iam import Role
from troposphere.kms import Key
from troposphere.sagemaker import Endpoint, EndpointConfig, VpcConfig

from generator.cfn.conditions import add_named_condition, is_empty, stack_uuid
from generator.endpoint import model
from generator.endpoint.context import add_output
from generator.endpoint.data_capture import DataCaptureLocation
from generator.endpoint.endpoint import ENDPOINT_NAME, data_capture_config
from generator.endpoint.instance_storage import add_ebs_volume_condition
from generator.endpoint.network import SUBNET_IDS
from generator.endpoint.tags import retained_resource_tags
from generator.inference_endpoint.context import SharedEndpointStack, add_component_output
from generator.inference_endpoint.instances import VARIANT_NAME, shared_variant

# The outputs each component imports (context.add_component_output), besides the role's (role.py).
VARIANT_OUTPUT, ISOLATION_OUTPUT = "VariantName", "EnableNetworkIsolation"

NETWORK_ISOLATION = replace(
    model.NETWORK_ISOLATION,
    description="Run every component's container without network access; each component's model takes this value.",
    seed_name=None,
)


def derive_shared_endpoint_name(template: Template) -> If:
    """EndpointName, or `endpoint-<stack UUID>` when it is empty: known before the endpoint exists."""
    has_name = add_named_condition(template, "HasEndpointName", Not(is_empty(ENDPOINT_NAME)))
    return If(has_name, ENDPOINT_NAME.ref(), Join("", ["endpoint-", stack_uuid()]))


def add_shared_endpoint(
    stack: SharedEndpointStack, role: Role, key: Key, security_group: SecurityGroup, capture: DataCaptureLocation
) -> Endpoint:
    ebs_volume = add_ebs_volume_condition(stack)
    config = stack.template.add_resource(
        EndpointConfig(
            "EndpointConfig",
            ExecutionRoleArn=GetAtt(role, "Arn"),
            ProductionVariants=[shared_variant(stack, ebs_volume)],
            KmsKeyId=If(ebs_volume, GetAtt(key, "Arn"), NoValue),
            VpcConfig=If(
                stack.conditions.in_vpc,
                VpcConfig(SecurityGroupIds=[GetAtt(security_group, "GroupId")], Subnets=SUBNET_IDS.ref()),
                NoValue,
            ),
            EnableNetworkIsolation=NETWORK_ISOLATION.ref(),
            DataCaptureConfig=If(stack.conditions.data_capture_enabled, data_capture_config(key, capture), NoValue),
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",  # as the endpoint template's: the endpoint may go back to it by itself
            DeletionPolicy="Delete",
        )
    )
    endpoint = stack.template.add_resource(
        Endpoint(
            "Endpoint",
            EndpointName=stack.endpoint_name,
            EndpointConfigName=GetAtt(config, "EndpointConfigName"),
            Tags=stack.tags,
        )
    )
    _add_outputs(stack, endpoint)
    return endpoint


def _add_outputs(stack: SharedEndpointStack, endpoint: Endpoint) -> None:
    name = GetAtt(endpoint, "EndpointName")
    add_output(stack, "EndpointName", name, "Name of the shared endpoint")
    add_output(stack, "EndpointArn", Ref(endpoint), "ARN of the shared endpoint")
    add_component_output(stack, VARIANT_OUTPUT, VARIANT_NAME.ref(), "Its production variant, hosting the components")
    add_component_output(
        stack, ISOLATION_OUTPUT, NETWORK_ISOLATION.ref(), "Whether its containers run without network access"
    )
    add_output(
        stack,
        "EndpointUrl",
        Sub("https://runtime.sagemaker.${AWS::Region}.${AWS::URLSuffix}/endpoints/${Name}/invocations", Name=name),
        "URL that invokes a component: InvokeEndpoint with the component's name (InferenceComponentName)",
    )
