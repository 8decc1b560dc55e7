"""What the component's builders are handed: the endpoint template's PackageStack (the package, its group, deploy on
approval), the component's name, and what it imports from its shared endpoint's stack.

The component names its endpoint (EndpointName) and imports the rest by that name from the endpoint's stack
(Fn::ImportValue of `sagemaker-endpoint:<EndpointName>:<output>`): its variant, role and network isolation come from
one place and cannot disagree with it; an endpoint without such a stack has no such export, and CloudFormation refuses
the import before anything is made; and "You can't delete a stack if another stack references one of its outputs.
You can't modify or remove an output value that is referenced by another stack." (CloudFormation Template Reference,
Fn::ImportValue, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
intrinsic-function-reference-importvalue.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, AWSHelperFn, If, ImportValue, Join, Not, Ref, Sub, Template

from generator.cfn.conditions import add_named_condition, is_empty, stack_uuid
from generator.cfn.inputs import Input, pattern
from generator.common.names import ENDPOINT_EXPORT_PREFIX
from generator.common.patterns import SAGEMAKER_NAME
from generator.endpoint import alarms, deploy_on_approval, lambda_functions, model
from generator.endpoint.context import PERMISSIONS_BOUNDARY, PackageConditions, PackageStack
from generator.inference_endpoint.endpoint import ISOLATION_OUTPUT, VARIANT_OUTPUT
from generator.inference_endpoint.role import ROLE_ARN_OUTPUT, ROLE_NAME_OUTPUT

# InferenceComponentName (CreateInferenceComponent): at most 63 characters of this pattern.
COMPONENT_NAME_PATTERN = r"[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?"

ENDPOINT_NAME = Input(
    "EndpointName",
    "Shared endpoint",
    "Endpoint of an inference-endpoint.yaml stack that hosts this component, in this account and Region (that "
    "stack's EndpointName output): its variant, execution role and network isolation are imported from its stack.",
    pattern(SAGEMAKER_NAME, "an endpoint name (letters, digits, hyphens; up to 63 characters)", optional_value=False,
            max_length=63),
    default=None,
)  # fmt: skip
COMPONENT_NAME = Input(
    "InferenceComponentName",
    "Component name",
    "Name of the component, which callers send with each request (InferenceComponentName). Empty names it "
    "component-<stack UUID>. Keep it for the stack's life: the deploy client refuses a change.",
    pattern(COMPONENT_NAME_PATTERN, "letters, digits and hyphens, not at either end, up to 63 characters",
            max_length=63),
)  # fmt: skip


@dataclass(frozen=True)
class SharedEndpoint:
    """What the component takes from its shared endpoint's stack."""

    name: Ref
    variant: ImportValue
    role_arn: ImportValue
    role_name: ImportValue
    network_isolation: ImportValue


@dataclass(frozen=True)
class ComponentStack(PackageStack):
    component_name: If
    endpoint: SharedEndpoint


def imported(output: str) -> ImportValue:
    return ImportValue(Sub(f"{ENDPOINT_EXPORT_PREFIX}${{{ENDPOINT_NAME.name}}}:{output}"))


def shared_endpoint() -> SharedEndpoint:
    return SharedEndpoint(
        name=ENDPOINT_NAME.ref(),
        variant=imported(VARIANT_OUTPUT),
        role_arn=imported(ROLE_ARN_OUTPUT),
        role_name=imported(ROLE_NAME_OUTPUT),
        network_isolation=imported(ISOLATION_OUTPUT),
    )


def derive_component_name(template: Template) -> If:
    """InferenceComponentName, or `component-<stack UUID>` (46 characters): known before the component exists, so
    its scalable target and alarms name it (CloudFormation's GetAtt does not return it)."""
    has_name = add_named_condition(template, "HasInferenceComponentName", Not(is_empty(COMPONENT_NAME)))
    return If(has_name, COMPONENT_NAME.ref(), Join("", ["component-", stack_uuid()]))


def add_conditions(template: Template) -> PackageConditions:
    """As the endpoint template's: group mode tests the resolver's code bucket too, which its Rule requires."""
    group_mode = And(Not(is_empty(model.PACKAGE_GROUP)), Not(is_empty(lambda_functions.CODE_BUCKET)))

    def add(name: str, condition: AWSHelperFn) -> str:
        return add_named_condition(template, name, condition)

    return PackageConditions(
        has_permissions_boundary=add("HasPermissionsBoundary", Not(is_empty(PERMISSIONS_BOUNDARY))),
        alarm_topic=add("HasAlarmTopic", Not(is_empty(alarms.ALARM_TOPIC))),
        use_package_arn=add("UseModelPackageArn", Not(is_empty(model.PACKAGE_ARN))),
        use_package_group=add("UseModelPackageGroup", group_mode),
        deploy_on_approval=add("DeployOnApprovalEnabled", deploy_on_approval.enabled(group_mode)),
    )
