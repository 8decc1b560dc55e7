"""The endpoint's security group: nothing may connect in, and out only HTTPS.

Invocations reach a SageMaker endpoint through the SageMaker runtime API, never through this security
group, so it has no ingress at all. Its instances only need HTTPS to AWS APIs (S3 for model artifacts
and captured data, ECR, CloudWatch), through VPC endpoints or a NAT gateway.
"""

from __future__ import annotations

from troposphere import GetAtt, If, Ref, Sub
from troposphere.ec2 import SecurityGroup, SecurityGroupRule

from generator.endpoint.context import EndpointStack, add_output

HTTPS = 443
NO_SECURITY_GROUP = "none"  # an output cannot be empty; a serverless endpoint has no security group


def add_security_group(stack: EndpointStack) -> SecurityGroup:
    group = stack.template.add_resource(
        SecurityGroup(
            "EndpointSecurityGroup",
            Condition=stack.conditions.in_vpc,
            GroupDescription=Sub("SageMaker endpoint of stack ${AWS::StackName}: no ingress, HTTPS egress only"),
            VpcId=Ref(stack.params.vpc_id),
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
        "SecurityGroupId",
        If(stack.conditions.in_vpc, GetAtt(group, "GroupId"), NO_SECURITY_GROUP),
        "Security group of the endpoint's instances; `none` for a serverless endpoint, which runs outside your VPC",
    )
    return group
