"""The SageMaker Model: the model package's containers, run in our subnets with our security group.

No fixed name: every Model property is create-only, so a new package means a new Model, and a fixed
name would make that replacement collide with the Model it replaces. A replaced Model is retained, not deleted:
SageMaker may roll the endpoint back to it by itself (custom_resource/retained.py removes it once unused).
"""

from __future__ import annotations

from troposphere import GetAtt, If, NoValue, Ref
from troposphere.ec2 import SecurityGroup
from troposphere.sagemaker import ContainerDefinition, Model, VpcConfig

from generator.endpoint.context import EndpointStack, add_output
from generator.endpoint.tags import retained_resource_tags


def add_model(stack: EndpointStack, package_arn: If, role_arn: If, security_group: SecurityGroup) -> Model:
    params = stack.params
    model = stack.template.add_resource(
        Model(
            "Model",
            PrimaryContainer=ContainerDefinition(ModelPackageName=package_arn),
            ExecutionRoleArn=role_arn,
            EnableNetworkIsolation=Ref(params.enable_network_isolation),
            VpcConfig=If(
                stack.conditions.in_vpc,
                VpcConfig(SecurityGroupIds=[GetAtt(security_group, "GroupId")], Subnets=Ref(params.subnet_ids)),
                NoValue,
            ),
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",
            DeletionPolicy="Delete",
        )
    )
    # Both change with every new package: not exported (add_exported_output says why).
    add_output(stack, "ModelName", GetAtt(model, "ModelName"), "Name of the SageMaker model", export=False)
    add_output(
        stack,
        "ModelPackageArn",
        package_arn,
        "Model package deployed: the given ARN or the resolved one",
        export=False,
    )
    return model
