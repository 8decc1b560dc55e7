"""CreateChangeSet and ExecuteChangeSet carry a token, so that a request botocore retries after a lost answer is known
by CloudFormation as the same one, not a second change set of the same name (which it refuses) or a second execution.
"Specify this token if you plan to retry requests so that CloudFormation knows that you're not attempting to create
another change set with the same name." (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/
API_CreateChangeSet.html; ExecuteChangeSet's ClientRequestToken the same, pattern `[a-zA-Z0-9][-a-zA-Z0-9]*`, 1-128.)
The command's change set names (`sagemaker-endpoint-<time>-<hex>`) fit that pattern; each call's token is its name."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from generator.deploy.cloudformation import CloudFormation

NAME = "sagemaker-endpoint-20261130-100000-a1b2c3"
CHANGE_SET = f"arn:aws:cloudformation:eu-west-1:111122223333:changeSet/{NAME}/1a2345b6-0000-00a0-a123-00abc0abc000"


def test_the_change_set_name_is_the_token_of_its_creation_and_of_its_execution() -> None:
    client = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_response("create_change_set", {"Id": CHANGE_SET, "StackId": "stack"}, {
            "ChangeSetName": NAME, "ChangeSetType": "UPDATE", "ClientToken": NAME, "StackName": "churn",
        })  # fmt: skip
        stub.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET, "ClientRequestToken": NAME})
        gateway = CloudFormation(client)
        assert gateway.create_change_set(NAME, "UPDATE", {"StackName": "churn"}) == (CHANGE_SET, "stack")
        gateway.execute_change_set(CHANGE_SET)
        stub.assert_no_pending_responses()
