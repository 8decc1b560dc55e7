"""Whether the endpoint really serves what the stack says. SageMaker can roll a deployment back by itself (its
rollback alarms, failed health checks) while CloudFormation reports the update complete; Terraform's provider
issues #39099, #40048, #46663 and #48997 are users hurt by exactly that. So after every deploy the endpoint's
current EndpointConfig, from DescribeEndpoint, is compared with the stack's."""

from __future__ import annotations

from botocore.exceptions import ClientError

from generator.deploy.context import DeployContext, DeployFailed

ENDPOINT, ENDPOINT_CONFIG = "Endpoint", "EndpointConfig"  # the endpoint template's logical ids


def check_serving(context: DeployContext, stack_name: str) -> None:
    """Raise DeployFailed naming what the endpoint serves when it is not the stack's EndpointConfig."""
    stack = context.cloudformation.describe(stack_name)
    if stack is None:
        return
    ids = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in context.cloudformation.resources(stack.stack_id)
    }
    if not ids.get(ENDPOINT) or not ids.get(ENDPOINT_CONFIG):
        return  # not an endpoint stack (the registry kit), or one without its endpoint yet
    endpoint_name = ids[ENDPOINT].rsplit("/", 1)[-1]  # an ARN or a name, by CloudFormation's version
    expected = ids[ENDPOINT_CONFIG].rsplit("/", 1)[-1]
    sagemaker = context.aws.client("sagemaker")
    served = str(sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"])
    if served == expected:
        return
    package = _package_of(context, served)
    raise DeployFailed(
        f"endpoint {endpoint_name} serves {served} ({package}), not the stack's {expected}: SageMaker rolled the "
        f"deployment back by itself (a rollback alarm or a failed health check: see the endpoint's events), while "
        f"CloudFormation says {stack.status}. Fix the cause, then deploy again with a new token (--resolve-latest) "
        "or a new package."
    )


def config_package(context: DeployContext, config: str) -> str | None:
    """The model package behind an endpoint config: its variant's model, that model's package."""
    sagemaker = context.aws.client("sagemaker")
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
    model = sagemaker.describe_model(ModelName=variants[0]["ModelName"])
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    package = container.get("ModelPackageName")
    return str(package) if package else None


def _package_of(context: DeployContext, config: str) -> str:
    """The package behind a config, or why it cannot be told: the update's cleanup deletes the replaced config and
    model, though the endpoint went back to them."""
    try:
        package = config_package(context, config)
    except ClientError as error:
        if error.response["Error"].get("Code") != "ValidationException":  # SageMaker's answer for "no such"
            raise
        return "a config the stack's update deleted afterwards"
    return f"model package {package}" if package else "no model package"
