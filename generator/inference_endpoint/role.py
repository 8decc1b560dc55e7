"""The shared endpoint's execution role: the EndpointConfig's ExecutionRoleArn, and each component's model's role.

An endpoint whose variant has no model needs ExecutionRoleArn: CreateEndpointConfig "returned 400" without it
(https://github.com/stdapi-ai/stdapi.ai/issues/43), AWS's own example passes it (SageMaker scale-to-zero launch post:
`create_endpoint_config(EndpointConfigName=endpoint_config_name,ExecutionRoleArn=role,...)`), while the API reference
marks it optional: the safe side is to always set it. Which role SageMaker uses to fetch a component's artifacts and
image, the endpoint's or its model's, AWS does not say; so one role is both (the research's safe choice), and each
component stack attaches a policy to it reading only its own package's bucket, repository and key
(generator.inference_component.access), for as long as the component exists. This role itself may write only the
endpoint's logs and metrics, its captured data, and network interfaces with the stack's security group.
"""

from __future__ import annotations

from awacs import s3
from troposphere import GetAtt, Ref
from troposphere.ec2 import SecurityGroup
from troposphere.iam import Role

from generator.cfn.iam import allow, only_if, policy_document
from generator.common.names import Service
from generator.endpoint.context import add_service_role
from generator.endpoint.data_capture import DataCaptureLocation
from generator.endpoint.model_role import network_statements, publish_endpoint_metrics, write_endpoint_logs
from generator.inference_endpoint.context import SharedEndpointStack, add_component_output

ROLE_ARN_OUTPUT, ROLE_NAME_OUTPUT = "ExecutionRoleArn", "ExecutionRoleName"  # components import both


def add_execution_role(stack: SharedEndpointStack, security_group: SecurityGroup, capture: DataCaptureLocation) -> Role:
    role = add_service_role(
        stack,
        "ExecutionRole",
        condition=None,
        purpose="SageMaker execution role of the shared endpoint and its components' models",
        service=Service.SAGEMAKER,
        policy=policy_document(
            write_endpoint_logs(stack.endpoint_name),
            publish_endpoint_metrics(),
            only_if(
                stack.conditions.data_capture_enabled,
                allow("WriteCapturedData", [s3.PutObject], [capture.objects_arn]),
            ),
            *(only_if(stack.conditions.in_vpc, s) for s in network_statements(security_group)),
        ),
    )
    add_component_output(
        stack,
        ROLE_ARN_OUTPUT,
        GetAtt(role, "Arn"),
        "Role SageMaker assumes for the endpoint and its components' models",
    )
    add_component_output(stack, ROLE_NAME_OUTPUT, Ref(role), "Its name: each component attaches its package's access")
    return role
