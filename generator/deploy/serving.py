"""Whether the endpoint really serves what the stack says. SageMaker can roll a deployment back by itself (its
rollback alarms, failed health checks) while CloudFormation reports the update complete; Terraform's provider
issues #39099, #40048, #46663 and #48997 are users hurt by exactly that. So after every deploy the endpoint's
current EndpointConfig, from DescribeEndpoint, is compared with the stack's; only once it matches are the configs and
models earlier deploys kept, and nothing serves any more, removed.

Names are compared without regard to case: a stack resource's physical id may be an ARN, and SageMaker writes names
in lower case in its ARNs (a config named `EndpointConfig-AbC` has the ARN `...:endpoint-config/endpointconfig-abc`)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from custom_resource.contract import LogicalIds, Outputs
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.retained_cleanup import remove_unserved

ENDPOINT, ENDPOINT_CONFIG = LogicalIds.ENDPOINT, LogicalIds.ENDPOINT_CONFIG
ENDPOINT_OUTPUT, IN_SERVICE = Outputs.ENDPOINT_NAME, "InService"
NOT_FOUND = "ValidationException"  # SageMaker's answer for a name it does not know


def check_serving(context: DeployContext, stack_name: str, *, clean: bool = True) -> None:
    """Raise DeployFailed naming what the endpoint serves when it is not the stack's EndpointConfig; when it is (and
    the endpoint is InService), remove what earlier deploys kept that nothing serves, unless `clean` is False (a
    reader, such as `fleet outputs` through its read-only role)."""
    stack = context.cloudformation.describe(stack_name)
    if stack is None:
        return
    ids = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for r in context.cloudformation.resources(stack.stack_id)
    }
    if not ids.get(ENDPOINT) or not ids.get(ENDPOINT_CONFIG):
        return  # not an endpoint stack (the registry kit), or one without its endpoint yet
    # The output is the exact name; a physical id may be an ARN, with the name in lower case.
    endpoint_name = stack.outputs.get(ENDPOINT_OUTPUT) or ids[ENDPOINT].rsplit("/", 1)[-1]
    expected = ids[ENDPOINT_CONFIG].rsplit("/", 1)[-1]
    endpoint = context.aws.client("sagemaker").describe_endpoint(EndpointName=endpoint_name)
    served = str(endpoint["EndpointConfigName"])
    if not same_name(served, expected):
        package = _package_of(context, served)
        raise DeployFailed(
            f"endpoint {endpoint_name} serves {served} ({package}), not the stack's {expected}: SageMaker rolled the "
            f"deployment back by itself (a rollback alarm or a failed health check: see the endpoint's events), "
            f"while CloudFormation says {stack.status}. Fix the cause, then deploy again with a new token "
            "(--resolve-latest) or a new package."
        )
    if clean and endpoint["EndpointStatus"] == IN_SERVICE:
        remove_unserved(context, stack.stack_id, stack.created, endpoint_name, served)


def same_name(one: str, other: str) -> bool:
    """SageMaker names compared as its ARNs write them, in lower case."""
    return one.lower() == other.lower()


class ConfigGone(DeployFailed):
    """SageMaker no longer describes a config the endpoint serves, or that config's model: deleted while in use.
    "If you delete the EndpointConfig of an endpoint that is active or being created or updated you may lose
    visibility into the instance type the endpoint is using" (UpdateEndpoint, SageMaker API Reference)."""

    def __init__(self, config: str) -> None:
        super().__init__(f"{config}, which SageMaker no longer describes (deleted while the endpoint uses it)")
        self.config = config


def config_package(context: DeployContext, config: str) -> str | None:
    """The model package behind an endpoint config: its variant's model, that model's package. Raises ConfigGone
    when SageMaker no longer knows the config or its model."""
    sagemaker = context.aws.client("sagemaker")
    try:
        variants = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"]
        model = sagemaker.describe_model(ModelName=variants[0]["ModelName"])
    except ClientError as error:
        if error.response["Error"].get("Code") != NOT_FOUND:
            raise
        raise ConfigGone(config) from None
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    package = container.get("ModelPackageName")
    return str(package) if package else None


def _package_of(context: DeployContext, config: str) -> str:
    """The package behind a config, or why it cannot be told."""
    try:
        package = config_package(context, config)
    except ConfigGone:
        return "a config SageMaker no longer describes: deleted while in use"
    return f"model package {package}" if package else "no model package"
