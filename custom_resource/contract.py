"""What the templates and the Lambda code must agree on, in one place both import: names only, no boto3, so the
builders (which never import boto3) and the Lambda zip (which never imports the generator) can share it."""

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
