"""What the templates and the code that reads them at run time must agree on, in one place all of them import: names
only, no boto3, so the builders (which never import boto3) and the Lambda zip (which never imports the generator) can
share it, and the deploy client reads a deployed stack by the same names.

Each name is written on one side and read on the other:
- the handler a template runs, and the environment it sets on that function (`Resolver`, `Updater`, `GroupShare`);
- the properties a template gives a custom resource, which its handler reads, and the `Data` the handler answers
  with, which the template reads with Fn::GetAtt;
- the outputs and logical ids of an endpoint stack that the approval updater and the deploy client read
  (`Outputs`, `LogicalIds`), and the one parameter the updater sets (`RESOLUTION_TOKEN_PARAMETER`).

tests.custom_resource.test_contract holds both sides to it, from the rendered templates and the handlers' code."""

from __future__ import annotations

# Every Model and EndpointConfig of an endpoint stack carries this tag, valued with the stack's id: the template keeps
# them when CloudFormation replaces them (UpdateReplacePolicy Retain), and the cleanup finds them by it.
STACK_TAG = "sagemaker-endpoint:stack-id"

# CloudFormation's event for each change of a stack's status (CloudFormation User Guide, "Stack Status Change event
# detail"): the stack's rule sends the ends of its updates to the approval queue, and the updater acts on them.
STACK_STATUS_SOURCE = "aws.cloudformation"
STACK_STATUS_DETAIL_TYPE = "CloudFormation Stack Status Change"
UPDATE_SUCCEEDED = "UPDATE_COMPLETE"  # check what the endpoint serves, then remove what the stack retained
UPDATE_FAILURES = ("UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED")  # tell a person

# The endpoint template's parameter that the approval updater sets to a new value (with every other parameter kept)
# so that the package resolver runs again; the deploy client sets it for --resolve-latest.
RESOLUTION_TOKEN_PARAMETER = "PackageResolutionToken"


class Resolver:
    """The package resolver: the function behind the endpoint template's Custom::LatestApprovedModelPackage."""

    HANDLER = "custom_resource.resolver_handler.lambda_handler"

    class Property:
        MODEL_PACKAGE_GROUP_NAME = "ModelPackageGroupName"  # a name, or a registry's group ARN
        RESOLUTION_TOKEN = "ResolutionToken"  # never read: a new value is a property change, so an Update comes

    class Data:
        """The answer's Fn::GetAtt attributes."""

        MODEL_PACKAGE_ARN = "ModelPackageArn"
        MODEL_PACKAGE_GROUP_NAME = "ModelPackageGroupName"
        MODEL_PACKAGE_VERSION = "ModelPackageVersion"
        CREATION_TIME = "CreationTime"


class Updater:
    """The approval updater: the function the endpoint template runs on its approval queue (deploy on approval)."""

    HANDLER = "custom_resource.approval_updater.lambda_handler"

    class Environment:
        STACK_ID = "STACK_ID"
        DEPLOYMENT_ROLE_ARN = "DEPLOYMENT_ROLE_ARN"
        MODEL_PACKAGE_GROUP_NAME = "MODEL_PACKAGE_GROUP_NAME"
        DEAD_LETTER_QUEUE_URL = "DEAD_LETTER_QUEUE_URL"
        ALARM_TOPIC_ARN = "ALARM_TOPIC_ARN"  # empty: what needs a person is only logged


class GroupShare:
    """The registry kit's share: the function behind its Custom::ModelPackageGroupShare."""

    HANDLER = "custom_resource.group_share.lambda_handler"

    class Property:
        MODEL_PACKAGE_GROUP_NAME = "ModelPackageGroupName"
        WORKLOAD_ACCOUNT_IDS = "WorkloadAccountIds"
        STATEMENT_ID_PREFIX = "StatementIdPrefix"  # this stack's statements in the group's policy start with it

    class Data:
        MODEL_PACKAGE_GROUP_ARN = "ModelPackageGroupArn"


class Outputs:
    """The endpoint stack's outputs that are read once it is deployed: by the approval updater (the endpoint and the
    package it serves), the deploy client, and the seed-farmer module's metadata (generator.common.names.OUTPUT_KEYS
    orders them)."""

    MODEL_EXECUTION_ROLE_ARN = "ModelExecutionRoleArn"
    MODEL_NAME = "ModelName"
    ENDPOINT_NAME = "EndpointName"
    MODEL_PACKAGE_ARN = "ModelPackageArn"
    ENDPOINT_URL = "EndpointUrl"
    KMS_KEY_ID = "KmsKeyId"
    SECURITY_GROUP_ID = "SecurityGroupId"


class LogicalIds:
    """The endpoint stack's resources that the approval updater and the deploy client find by logical id."""

    ENDPOINT = "Endpoint"
    ENDPOINT_CONFIG = "EndpointConfig"  # what the endpoint must serve after an update
    APPROVAL_QUEUE = "ApprovalQueue"
    APPROVAL_DEAD_LETTER_QUEUE = "ApprovalDeadLetterQueue"
    # Goes to ALARM by design whenever requests wait at zero instances: it triggers scaling, it is not trouble.
    BACKLOG_WITHOUT_CAPACITY_ALARM = "BacklogWithoutCapacityAlarm"


class ComponentOutputs:
    """An inference component's stack (inference-component.yaml): the outputs the approval updater and the deploy
    client read. Its ModelPackageArn output is `Outputs.MODEL_PACKAGE_ARN`, as the endpoint stack's."""

    INFERENCE_COMPONENT_NAME = "InferenceComponentName"  # its presence tells a component's stack from an endpoint's
    ENDPOINT_NAME = "EndpointName"  # the shared endpoint that hosts the component
    MODEL_PACKAGE_ARN = "ModelPackageArn"


class ComponentLogicalIds:
    """An inference component's stack: the resources the approval updater and the deploy client find by logical id."""

    MODEL = "Model"  # what the component must serve after an update
    INFERENCE_COMPONENT = "InferenceComponent"
    # Goes to ALARM whenever a request finds no copy: it wakes the component from zero, it is not trouble.
    NO_CAPACITY_ALARM = "NoCapacityAlarm"
