"""The model package to deploy (a version, or a group's latest Approved one) and the SageMaker Model that runs it, in
our subnets with our security group.

No fixed name: every Model property is create-only, so a new package means a new Model, and a fixed
name would make that replacement collide with the Model it replaces. A replaced Model is retained, not deleted:
SageMaker may roll the endpoint back to it by itself (custom_resource.retained removes it once unused).
"""

from __future__ import annotations

from troposphere import And, GetAtt, If, Not, NoValue, Or
from troposphere.ec2 import SecurityGroup
from troposphere.sagemaker import ContainerDefinition, Model, VpcConfig

from custom_resource.contract import Outputs
from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Input, choice, pattern
from generator.common.patterns import MODEL_PACKAGE_ARN, MODEL_PACKAGE_GROUP
from generator.endpoint.context import EndpointStack, PackageStack, add_output
from generator.endpoint.network import SUBNET_IDS
from generator.endpoint.tags import retained_resource_tags

PACKAGE_ARN = Input(
    "ModelPackageArn",
    "Model package ARN",
    "Deploy this model package version. Leave empty to use ModelPackageGroupName.",
    pattern(
        MODEL_PACKAGE_ARN,
        "a SageMaker model package ARN (arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>)",
    ),
    seed_name="model-package-arn",
)
PACKAGE_GROUP = Input(
    "ModelPackageGroupName",
    "Model package group name or ARN",
    "Deploy the latest Approved package of this group, resolved at deploy time: a group of this account by name, or "
    "a central registry's group by ARN (same Region). Leave empty to use ModelPackageArn.",
    pattern(
        MODEL_PACKAGE_GROUP,
        "a model package group name (letters, digits, hyphens; up to 63 characters) or a group ARN "
        "(arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>)",
        max_length=170,
    ),
    seed_name="model-package-group-name",
)
NETWORK_ISOLATION = Input(
    "EnableNetworkIsolation",
    "Network isolation",
    "Run the model container without network access.",
    choice("true", "false"),
    default="true",
    seed_name="enable-network-isolation",
)
PACKAGE_INPUTS = (PACKAGE_ARN, PACKAGE_GROUP)


def add_package_rule(stack: PackageStack) -> None:
    """Exactly one package source: the module we replace let the ARN silently win when both were given."""
    arn_empty, group_empty = is_empty(PACKAGE_ARN), is_empty(PACKAGE_GROUP)
    stack.template.add_rule(
        "ExactlyOneModelPackageSource",
        {
            "Assertions": [
                {
                    "Assert": Not(And(arn_empty, group_empty)),
                    "AssertDescription": "Set ModelPackageArn (deploy that version) or ModelPackageGroupName "
                    "(deploy the group's latest Approved version): both are empty.",
                },
                {
                    "Assert": Or(arn_empty, group_empty),
                    "AssertDescription": "Set only one of ModelPackageArn and ModelPackageGroupName: "
                    "both are set; clear the one you do not want.",
                },
            ]
        },
    )


def add_model(stack: EndpointStack, package_arn: If, role_arn: If, security_group: SecurityGroup) -> Model:
    add_package_rule(stack)
    model = stack.template.add_resource(
        Model(
            "Model",
            PrimaryContainer=ContainerDefinition(ModelPackageName=package_arn),
            ExecutionRoleArn=role_arn,
            EnableNetworkIsolation=NETWORK_ISOLATION.ref(),
            VpcConfig=If(
                stack.conditions.in_vpc,
                VpcConfig(SecurityGroupIds=[GetAtt(security_group, "GroupId")], Subnets=SUBNET_IDS.ref()),
                NoValue,
            ),
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",
            DeletionPolicy="Delete",
        )
    )
    # Both change with every new package: not exported (add_exported_output says why).
    add_output(stack, Outputs.MODEL_NAME, GetAtt(model, "ModelName"), "Name of the SageMaker model", export=False)
    add_output(
        stack,
        Outputs.MODEL_PACKAGE_ARN,
        package_arn,
        "Model package deployed: the given ARN or the resolved one",
        export=False,
    )
    return model
