"""The package resolver, only in model package group mode: log group, role, Lambda and custom resource.

At deploy time the custom resource asks our Lambda for the group's latest Approved package; its
`ModelPackageArn` attribute feeds the Model. The Lambda answers within its 60 s timeout (crhelper sends
FAILED just before it), and `ServiceTimeout` bounds how long CloudFormation waits if it never answers.
"""

from __future__ import annotations

from awacs import sagemaker
from awacs.aws import Statement
from troposphere import AWSObject, GetAtt, If, Not, PropsDictType
from troposphere.kms import Key

from custom_resource.contract import RESOLUTION_TOKEN_PARAMETER, Resolver
from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, only_if
from generator.cfn.inputs import Input, free_text
from generator.endpoint.context import PackageStack
from generator.endpoint.lambda_functions import (
    CODE_BUCKET,
    StackFunction,
    add_stack_function,
    log_group_key_statement,
)
from generator.endpoint.model import PACKAGE_ARN, PACKAGE_GROUP

SERVICE_TIMEOUT_SECONDS = 300
FUNCTION_NAME_PREFIX = "sagemaker-endpoint-resolver-"  # + the stack's UUID: 64 characters, Lambda's maximum
# Scanner checks that do not fit a custom-resource function, each with the reason a reviewer reads.
CHECKOV_SKIPS = {
    "CKV_AWS_115": "Runs once per deploy; reserved concurrency would take from the account's unreserved pool "
    "and fails in accounts at the minimum.",
    "CKV_AWS_116": "CloudFormation gets every outcome as the custom resource's answer (crhelper sends FAILED "
    "even before a timeout); a DLQ would hold events nobody replays.",
    "CKV_AWS_117": "Calls only the SageMaker API; in the endpoint's private subnets it would need a NAT gateway "
    "or a SageMaker API VPC endpoint that the endpoint itself does not need.",
}
RESOLVER = StackFunction(
    title="PackageResolver",
    purpose="Package resolver",
    name_prefix=FUNCTION_NAME_PREFIX,
    log_name="package-resolver",
    description="Finds the latest Approved package of a model package group (stack ${AWS::StackName})",
    handler=Resolver.HANDLER,
    checkov_skips=CHECKOV_SKIPS,
)


TOKEN = Input(
    RESOLUTION_TOKEN_PARAMETER,
    "Resolution token",
    "Any new value makes the stack resolve the group's latest Approved package again (a pipeline passes a build id or "
    "a timestamp). Unchanged package: nothing is replaced.",
    free_text(max_length=128),
)


def _add_resolver_rule(stack: PackageStack) -> None:
    stack.template.add_rule(
        "ModelPackageGroupNeedsResolverCode",
        {
            "RuleCondition": Not(is_empty(PACKAGE_GROUP)),
            "Assertions": [
                {
                    "Assert": Not(is_empty(CODE_BUCKET)),
                    "AssertDescription": "ModelPackageGroupName needs the resolver Lambda: upload the zip that "
                    "`make build` writes to dist/ to a bucket in this Region and set ResolverCodeS3Bucket.",
                }
            ],
        },
    )


def key_statements(stack: PackageStack, spec: StackFunction = RESOLVER) -> list[object]:
    """What the stack's key allows in group mode: CloudWatch Logs encrypts the resolver's log group."""
    return [only_if(stack.conditions.use_package_group, log_group_key_statement(spec, "LogsEncryptResolverLogGroup"))]


def add_package_resolver(
    stack: PackageStack, key: Key, *, spec: StackFunction = RESOLVER, given_role: object | None = None
) -> If:
    """Add the resolver; return the model package ARN the Model uses, resolved or given. `given_role`: an existing
    role the function runs with (it must allow what read_configured_group grants); none is created then."""
    _add_resolver_rule(stack)
    group_mode = stack.conditions.use_package_group
    function = add_stack_function(
        stack,
        spec,
        condition=group_mode,
        key=key,
        statements=[] if given_role is not None else [read_configured_group(stack)],
        given_role=given_role,
    )
    resolved = stack.template.add_resource(
        LatestApprovedModelPackage(
            "LatestApprovedModelPackage",
            Condition=group_mode,
            ServiceToken=GetAtt(function, "Arn"),
            ServiceTimeout=SERVICE_TIMEOUT_SECONDS,
            **{
                Resolver.Property.MODEL_PACKAGE_GROUP_NAME: PACKAGE_GROUP.ref(),
                Resolver.Property.RESOLUTION_TOKEN: TOKEN.ref(),
            },
        )
    )
    resolved_arn = GetAtt(resolved, Resolver.Data.MODEL_PACKAGE_ARN)
    return If(stack.conditions.use_package_arn, PACKAGE_ARN.ref(), resolved_arn)


class LatestApprovedModelPackage(AWSObject):
    """The custom resource, typed so its properties are checked like any other resource's."""

    resource_type = "Custom::LatestApprovedModelPackage"
    props: PropsDictType = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (int, False),
        Resolver.Property.MODEL_PACKAGE_GROUP_NAME: (str, True),
        Resolver.Property.RESOLUTION_TOKEN: (str, False),  # a new value makes CloudFormation send an Update
    }


def read_configured_group(stack: PackageStack) -> Statement:
    """List the configured group's packages (and describe the group, to say why none is approved): that group
    only, in its own account, which may be a central registry's (whose group policy must allow it as well)."""
    return allow(
        "ReadConfiguredModelPackageGroup",
        [sagemaker.ListModelPackages, sagemaker.DescribeModelPackageGroup],
        [stack.group.arn, stack.group.packages_arn()],
    )
