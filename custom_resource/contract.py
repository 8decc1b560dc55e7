"""What the templates and the Lambda code must agree on, in one place both import: names only, no boto3, so the
builders (which never import boto3) and the Lambda zip (which never imports the generator) can share it."""

from __future__ import annotations

# Every Model and EndpointConfig of an endpoint stack carries this tag, valued with the stack's id: the template keeps
# them when CloudFormation replaces them (UpdateReplacePolicy Retain), and the cleanup finds them by it.
STACK_TAG = "sagemaker-endpoint:stack-id"
