"""build_template(): the shared endpoint, one builder per resource group, in dependency order."""

from __future__ import annotations

from troposphere import GetAtt, Template

from generator.endpoint.alarms import add_disk_alarm
from generator.endpoint.data_capture import data_capture_location
from generator.endpoint.encryption import add_encryption_key
from generator.endpoint.network import add_security_group
from generator.endpoint.tags import add_resource_tags
from generator.inference_endpoint.context import SharedEndpointStack, add_conditions
from generator.inference_endpoint.dashboard import add_shared_endpoint_dashboard
from generator.inference_endpoint.endpoint import add_shared_endpoint, derive_shared_endpoint_name
from generator.inference_endpoint.inputs import add_shared_endpoint_inputs
from generator.inference_endpoint.role import add_execution_role

DESCRIPTION = (
    "SageMaker endpoint in your VPC without a model, whose instances inference components share "
    "(inference-component.yaml): managed instance scaling, down to zero where SageMaker accepts it, KMS encryption, "
    "optional data capture and a least-privilege execution role."
)


def build_template() -> Template:
    template = Template(Description=DESCRIPTION)
    add_shared_endpoint_inputs(template)
    stack = SharedEndpointStack(
        template=template,
        conditions=add_conditions(template),
        tags=add_resource_tags(template),
        endpoint_name=derive_shared_endpoint_name(template),
    )
    capture = data_capture_location(stack)
    security_group = add_security_group(stack)
    role = add_execution_role(stack, security_group, capture)
    key = add_encryption_key(stack, GetAtt(role, "Arn"))
    add_shared_endpoint(stack, role, key, security_group, capture)
    add_disk_alarm(stack)
    add_shared_endpoint_dashboard(stack)  # last: it shows every alarm the template declares
    return template
