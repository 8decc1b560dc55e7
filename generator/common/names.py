"""Names that the templates, the deploy client and the kits must agree on. No troposphere here: the deploy client
imports this module too."""

from __future__ import annotations

from custom_resource.contract import ComponentLogicalIds, LogicalIds, Outputs

POLICY_VERSION = "2012-10-17"


class Service:
    """Service principal names: the same in every partition, so never built from ${AWS::URLSuffix}."""

    SAGEMAKER = "sagemaker.amazonaws.com"
    LAMBDA = "lambda.amazonaws.com"
    EVENTS = "events.amazonaws.com"
    CLOUDFORMATION = "cloudformation.amazonaws.com"
    SERVICE_CATALOG = "servicecatalog.amazonaws.com"
    SAGEMAKER_SCALING = "sagemaker.application-autoscaling.amazonaws.com"


def arn_pattern(service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
    """`arn:${AWS::Partition}:<service>:<region>:<account>:<resource>` as a `Sub` string: never a fixed partition."""
    region_part = "${AWS::Region}" if region else ""
    account_part = "${AWS::AccountId}" if account else ""
    return f"arn:${{AWS::Partition}}:{service}:{region_part}:{account_part}:{resource}"


ARTIFACTS_BUCKET_PREFIX = "sagemaker-endpoint-artifacts-"


def artifacts_bucket_name(account: str = "${AWS::AccountId}", region: str = "${AWS::Region}") -> str:
    """The bucket `deploy` creates for the resolver zip and large templates: one per account and Region.
    Without arguments, the `Sub` string a template uses for it."""
    return f"{ARTIFACTS_BUCKET_PREFIX}{account}-{region}"


# The endpoint template's metadata key under which each input's endpoint types and seed-farmer name are written
# (generator.cfn.inputs), for the deploy client, which reads the rendered template.
INPUTS_METADATA = "SageMakerEndpoint::Inputs"

# The role in each fleet account that `fleet outputs` assumes, which templates/stackset-execution-role.yaml creates.
FLEET_READER_ROLE = "sagemaker-endpoint-fleet-reader"

# Every role the endpoint template creates lives under this path, so a deployer role can create and pass only these.
ROLE_PATH = "/sagemaker-endpoint/"
# The deployer role's own path: not under ROLE_PATH, so it cannot edit itself.
DEPLOYER_PATH = "/sagemaker-endpoint-deployer/"
# The SageMaker Projects launch role's path (templates/project-launch-role.yaml): Studio users' execution roles may
# pass the roles under it to CloudFormation, and no other.
PROJECT_LAUNCH_PATH = "/sagemaker-endpoint-project-launch/"
# SageMaker names a project's stack SP-<...> (AWS's S3 template samples scope every stack statement to stack/SP-*).
PROJECT_STACK_PREFIX = "SP-"
# The object tag that makes SageMaker Studio list an S3 template ("Add the following key-value tag to the template so
# they become visible to SageMaker AI", SageMaker Developer Guide, custom project templates from S3).
STUDIO_VISIBILITY_TAG = ("sagemaker:studio-visibility", "true")

# The registry kit's forwarding rules are named with this prefix, which a workload's event bus policy names.
FORWARD_RULE_PREFIX = "sagemaker-endpoint-forward-"
# Where the deploy client uploads templates in the artifacts bucket (generator.deploy.artifacts_bucket keeps its own
# copy, TEMPLATE_PREFIX, since it imports nothing of the builders; a test keeps the two equal).
TEMPLATES_PREFIX = "templates/"
APPROVAL_SOURCE = "aws.sagemaker"
APPROVAL_DETAIL_TYPE = "SageMaker Model Package State Change"

# seed-farmer: the module's stack name ends in this (the CDK module's stack has no suffix: ours never takes its
# name), and its modulestack's deployer role lives under this path.
SEEDFARMER_STACK_SUFFIX = "-cfn"
SEEDFARMER_DEPLOYER_ROLE_PATH = DEPLOYER_PATH + "{project}/{deployment}/{module}/"

# The stack's outputs: the metadata keys of the seed-farmer module we replace, in its Output Example's order.
OUTPUT_KEYS = (
    Outputs.MODEL_EXECUTION_ROLE_ARN,
    Outputs.MODEL_NAME,
    Outputs.ENDPOINT_NAME,
    Outputs.MODEL_PACKAGE_ARN,
    Outputs.ENDPOINT_URL,
    Outputs.KMS_KEY_ID,
    Outputs.SECURITY_GROUP_ID,
)

# What a shared endpoint (inference-endpoint.yaml) exports for its inference components, each export named
# `<prefix><endpoint name>:<output>`: keyed by the endpoint's name, which the component takes as its EndpointName.
ENDPOINT_EXPORT_PREFIX = "sagemaker-endpoint:"


def endpoint_export(endpoint_name: str, output: str) -> str:
    return f"{ENDPOINT_EXPORT_PREFIX}{endpoint_name}:{output}"


# Alarms that trigger scaling rather than report trouble, by logical id: the Async stack's BacklogWithoutCapacityAlarm
# goes to ALARM by design whenever requests wait at zero instances, an inference component's NoCapacityAlarm whenever
# a request finds no copy (the action of each is its scale-out-from-zero policy). `status` and `promote` do not count
# them as health.
SCALING_TRIGGER_ALARMS = (LogicalIds.BACKLOG_WITHOUT_CAPACITY_ALARM, ComponentLogicalIds.NO_CAPACITY_ALARM)
