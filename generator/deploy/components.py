"""What the deploy client does differently for inference components (`--template inference-endpoint |
inference-component`), kept in one module so the verbs only ask it:

- `destroy` of a shared endpoint's stack refuses while the endpoint still hosts components, and names them: SageMaker
  refuses to delete such an endpoint ("There are some underlying Models that are part of this endpoint. Please delete
  the resources under Model tabs.", https://github.com/aws/amazon-sagemaker-feedback/issues/143), and CloudFormation
  refuses to delete an export another stack imports ("You can't delete a stack if another stack references one of its
  outputs", CloudFormation User Guide, Fn::ImportValue). Asking first fails before anything is touched.
- `status` of a component's stack reports its copies and the package its model comes from.
- `promote` reads what a component serves (its model's package) instead of an endpoint's config.
- `plan` and `deploy` of a component read the shared endpoint it joins, before any change: it must exist and host
  components (a variant without a model), and what each copy asks must suit its instance family
  (generator.common.instance_families says why, and where AWS is silent).

ListInferenceComponents filters by endpoint ("An endpoint name to filter the listed inference components. The
response includes only those inference components that are hosted at the specified endpoint.", SageMaker API
Reference, ListInferenceComponents) and pages by NextToken, at most 100 a page (botocore's MaxResults: 1 to 100)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from custom_resource.contract import ComponentOutputs, Outputs
from generator.common.instance_families import ACCELERATED_FAMILIES, CPU_FAMILIES, family_of
from generator.deploy.cloudformation import DeployedStack
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.gates import Served
from generator.deploy.health import Health, alarm_names, alarm_states
from generator.deploy.template_file import EndpointTemplate

PAGE_SIZE = 100  # ListInferenceComponents' largest MaxResults
ACCELERATORS = "NumberOfAcceleratorDevicesRequired"


def is_component_template(template: EndpointTemplate) -> bool:
    """inference-component.yaml: the only template with an InferenceComponentName output."""
    return ComponentOutputs.INFERENCE_COMPONENT_NAME in template.document.get("Outputs", {})


def is_shared_endpoint(stack: DeployedStack) -> bool:
    """An inference-endpoint.yaml stack: an endpoint and no package of its own (an endpoint stack names the package it
    serves, a component stack its component), whichever --template was given."""
    outputs = stack.outputs
    return Outputs.ENDPOINT_NAME in outputs and not {Outputs.MODEL_PACKAGE_ARN, Outputs.MODEL_NAME} & outputs.keys()


def hosted_components(context: DeployContext, endpoint_name: str) -> list[str]:
    """The names of the components the endpoint hosts, in any state, oldest first."""
    sagemaker = context.aws.client("sagemaker")
    names: list[str] = []
    request: dict[str, Any] = {"EndpointNameEquals": endpoint_name, "MaxResults": PAGE_SIZE}
    while True:
        page = sagemaker.list_inference_components(**request)
        names += [c["InferenceComponentName"] for c in page["InferenceComponents"]]
        if not page.get("NextToken"):
            return sorted(names)
        request["NextToken"] = page["NextToken"]


def destroy_refusal(context: DeployContext, stack: DeployedStack, stack_name: str) -> str | None:
    """Before any change: why a shared endpoint that hosts components is not destroyed (its components' stacks go
    first), or None."""
    if not is_shared_endpoint(stack):
        return None
    endpoint = stack.outputs[Outputs.ENDPOINT_NAME]
    hosted = hosted_components(context, endpoint)
    if not hosted:
        return None
    return (
        f"stack {stack_name} is endpoint {endpoint}, which still hosts {len(hosted)} inference component(s): "
        f"{', '.join(hosted)}. Destroy their stacks first (sagemaker-endpoint destroy --template inference-component "
        "--stack-name <stack>): SageMaker does not delete an endpoint that hosts components"
    )


def _component_stack(context: DeployContext, stack_name: str) -> tuple[DeployedStack, str]:
    stack = context.cloudformation.describe(stack_name)
    if stack is None:
        raise DeployFailed(f"no stack named {stack_name} in {context.aws.region_name}")
    component = stack.outputs.get(ComponentOutputs.INFERENCE_COMPONENT_NAME)
    if not component:
        raise DeployFailed(f"stack {stack_name} has no {ComponentOutputs.INFERENCE_COMPONENT_NAME} output: not an "
                           "inference-component stack (is --template right?)")  # fmt: skip
    return stack, component


def _served_model(context: DeployContext, component: str) -> tuple[dict[str, Any], str | None]:
    """(DescribeInferenceComponent's answer, the package of the model it serves: None for a model not from one)."""
    sagemaker = context.aws.client("sagemaker")
    described: dict[str, Any] = sagemaker.describe_inference_component(InferenceComponentName=component)
    model = sagemaker.describe_model(ModelName=described["Specification"]["ModelName"])
    package = model.get("PrimaryContainer", {}).get("ModelPackageName")
    return described, str(package) if package else None


def component_health(context: DeployContext, stack_name: str) -> Health:
    """`status` of a component: its state, copies and package, its alarms; a package other than its stack's is a
    rollback SageMaker made by itself."""
    stack, component = _component_stack(context, stack_name)
    described, package = _served_model(context, component)
    resources = context.cloudformation.resources(stack.stack_id)
    runtime = described.get("RuntimeConfig", {})
    report: dict[str, Any] = {
        "StackStatus": stack.status,
        "InferenceComponentName": component,
        "EndpointName": described["EndpointName"],
        "InferenceComponentStatus": described["InferenceComponentStatus"],
        "ModelPackageArn": package,
        "ServingSince": described["LastModifiedTime"].isoformat(),
        "Copies": {"Current": runtime.get("CurrentCopyCount"), "Desired": runtime.get("DesiredCopyCount")},
        "Alarms": alarm_states(context, alarm_names(resources)),  # not NoCapacityAlarm: it wakes copies from zero
    }
    return Health(report, _problems(stack, report))


def _problems(stack: DeployedStack, report: dict[str, Any]) -> list[str]:
    component, problems = report["InferenceComponentName"], []
    if report["InferenceComponentStatus"] != "InService":
        problems.append(f"inference component {component} is {report['InferenceComponentStatus']}, not InService")
    expected = stack.outputs.get(ComponentOutputs.MODEL_PACKAGE_ARN, "")
    if (report["ModelPackageArn"] or "").lower() != expected.lower():
        problems.append(f"inference component {component} serves {report['ModelPackageArn']}, not its stack's "
                        f"{expected}: SageMaker rolled its last update back")  # fmt: skip
    problems += [f"alarm {name} is in ALARM" for name, state in report["Alarms"].items() if state == "ALARM"]
    if report["StackStatus"].endswith("_FAILED"):
        problems.append(f"stack {stack.raw['StackName']} is {report['StackStatus']} and needs a person")
    return problems


def read_served_component(context: DeployContext, stack_name: str) -> Served:
    """What `promote` carries from a component's stack: the package its component's model comes from, which must be
    the stack's own (else SageMaker rolled the component back and the stage is not what it says)."""
    stack, component = _component_stack(context, stack_name)
    described, package = _served_model(context, component)
    expected = stack.outputs.get(ComponentOutputs.MODEL_PACKAGE_ARN, "")
    if package is None or package.lower() != expected.lower():
        raise DeployFailed(
            f"inference component {component} serves {package}, not its stack's {expected}: SageMaker rolled it "
            "back; nothing is promoted from a stage that is not what it says"
        )
    alarms = tuple(alarm_names(context.cloudformation.resources(stack.stack_id)))
    return Served(stack_name, component, package, described["LastModifiedTime"],
                  described["InferenceComponentStatus"], alarms)  # fmt: skip


def summary_lines(report: dict[str, Any]) -> list[str]:
    """A component's `status` on a terminal."""
    copies = report["Copies"]
    return [
        f"stack     {report['StackStatus']}",
        f"component {report['InferenceComponentName']} on {report['EndpointName']}: "
        f"{report['InferenceComponentStatus']}",
        f"serving   {report['ModelPackageArn']} since {report['ServingSince']}",
        f"copies    {copies['Current']} of {copies['Desired']} desired",
        *(f"alarm     {alarm}: {state}" for alarm, state in report["Alarms"].items()),
    ]


def compute_problems(context: DeployContext, values: dict[str, str | None]) -> list[str]:
    """Every reason the shared endpoint named by EndpointName cannot take this component as asked, all at once."""
    endpoint = values.get(ComponentOutputs.ENDPOINT_NAME)
    if not endpoint:
        return []  # required: the parameter checks say so
    sagemaker = context.aws.client("sagemaker")
    try:
        config_name = sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ValidationException":
            raise
        return [f"EndpointName {endpoint}: no such endpoint in {context.aws.region_name}; deploy its "
                "inference-endpoint stack first (--template inference-endpoint)"]  # fmt: skip
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
    problems = []
    for variant in variants:
        if variant.get("ModelName"):
            problems.append(f"EndpointName {endpoint}: its variant {variant['VariantName']} serves model "
                            f"{variant['ModelName']}, so it hosts no inference components: name an endpoint of an "
                            "inference-endpoint stack")  # fmt: skip
        elif variant.get("InstanceType"):
            problems += _family_problems(endpoint, str(variant["InstanceType"]), values.get(ACCELERATORS) or "")
    return problems


def _family_problems(endpoint: str, instance_type: str, accelerators: str) -> list[str]:
    family = family_of(instance_type)
    where = f"EndpointName {endpoint} runs {instance_type}"
    if family in ACCELERATED_FAMILIES and not accelerators:
        return [f"{ACCELERATORS} is empty but {where}, an accelerated type: set how many devices each copy reserves "
                "(1 or more)"]  # fmt: skip
    if family in CPU_FAMILIES and accelerators:
        return [f"{ACCELERATORS} is {accelerators} but {where}, which has no accelerators: leave it empty"]
    if family not in ACCELERATED_FAMILIES | CPU_FAMILIES:
        return [f"{where}, a family this client does not know to have accelerators or not: refused until it is "
                "placed (generator.common.instance_families)"]  # fmt: skip
    return []
