"""Where RealTime and Async endpoints run: the VPC and subnets given, with a security group into which nothing may
connect and from which only HTTPS leaves.

Invocations reach a SageMaker endpoint through the SageMaker runtime API, never through this security
group, so it has no ingress at all. Its instances only need HTTPS to AWS APIs (S3 for model artifacts
and captured data, ECR, CloudWatch), through VPC endpoints or a NAT gateway. VpcId and SubnetIds are Strings rather
than AWS::EC2 types, which cannot be empty: a serverless endpoint has no VPC.
"""

from __future__ import annotations

from troposphere import And, Equals, GetAtt, If, Not, Sub
from troposphere.ec2 import SecurityGroup, SecurityGroupRule

from custom_resource.contract import Outputs
from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Constraint, Input, pattern
from generator.common.patterns import SUBNET_ID, VPC_ID, optional
from generator.endpoint.context import HostingStack, Stack, add_output
from generator.endpoint.types import ENDPOINT_TYPE, NO_VPC, SERVERLESS, WITH_INSTANCES

HTTPS = 443
NO_SECURITY_GROUP = "none"  # an output cannot be empty; a serverless endpoint has no security group

VPC = Input(
    "VpcId",
    "VPC",
    "VPC of the endpoint's instances. Required for RealTime and Async; empty for Serverless.",
    pattern(VPC_ID, "a VPC ID such as vpc-0123456789abcdef0"),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_VPC,
    seed_name="vpc-id",
)
SUBNET_IDS = Input(
    "SubnetIds",
    "Subnets",
    "Private subnets of VpcId for the endpoint's network interfaces (two or more Availability Zones for resilience; "
    "at most 16). Required for RealTime and Async; empty for Serverless.",
    Constraint(
        (
            ("AllowedPattern", optional(SUBNET_ID)),
            ("ConstraintDescription", "must be subnet IDs such as subnet-0123456789abcdef0, comma-separated"),
        ),
        "subnet IDs, comma-separated, at most 16, or empty",
    ),
    endpoint_types=WITH_INSTANCES,
    why_these_types=NO_VPC,
    seed_name="subnet-ids",
    kind="CommaDelimitedList",
)
INPUTS = (VPC, SUBNET_IDS)


def add_network_rule(stack: Stack) -> None:
    """The endpoint template's: RealTime and Async need the network; Serverless runs outside it."""
    stack.template.add_rule(
        "InstanceEndpointsNeedTheirNetwork",
        {
            "RuleCondition": Not(Equals(ENDPOINT_TYPE.ref(), SERVERLESS)),
            "Assertions": [
                {
                    "Assert": And(Not(is_empty(VPC)), Not(SUBNET_IDS.is_unset())),
                    "AssertDescription": "EndpointType RealTime and Async run instances in your VPC: set VpcId and "
                    "SubnetIds (or choose EndpointType Serverless, which runs outside it).",
                }
            ],
        },
    )


def add_security_group(stack: HostingStack) -> SecurityGroup:
    """The security group, where the stack's instances run in the user's VPC, and the SecurityGroupId output."""
    group = stack.template.add_resource(
        SecurityGroup(
            "EndpointSecurityGroup",
            Condition=stack.conditions.in_vpc,
            GroupDescription=Sub("SageMaker endpoint of stack ${AWS::StackName}: no ingress, HTTPS egress only"),
            VpcId=VPC.ref(),
            SecurityGroupEgress=[
                SecurityGroupRule(
                    Description="HTTPS to AWS APIs (S3, ECR, CloudWatch) via VPC endpoints or NAT",
                    IpProtocol="tcp",
                    FromPort=HTTPS,
                    ToPort=HTTPS,
                    CidrIp="0.0.0.0/0",
                )
            ],
            Tags=stack.tags,
        )
    )
    add_output(
        stack,
        Outputs.SECURITY_GROUP_ID,
        If(stack.conditions.in_vpc, GetAtt(group, "GroupId"), NO_SECURITY_GROUP),
        "Security group of the endpoint's instances; `none` for a serverless endpoint, which runs outside your VPC",
    )
    return group
