"""No intrinsic function in the template can fail for any value a parameter can take, on any branch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.inputs import ARN_MODE, GROUP_MODE, VPC
from tests.support.template_eval import EveryBranchEvaluator

OPTIONAL_EMPTY = {
    "only the required network": VPC,
    "ARN mode, every optional input empty": ARN_MODE,
    "group mode, every optional input empty": GROUP_MODE,
    "every String parameter empty": {**VPC, "InstanceType": "", "VariantName": ""},
    "a registry's group by ARN, following it, with its artifacts key": {
        **GROUP_MODE,
        "ModelPackageGroupName": "arn:aws:sagemaker:eu-west-1:444455556666:model-package-group/churn",
        "ModelArtifactsKmsKeyArn": "arn:aws:kms:eu-west-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef",
        "DeployOnApproval": "true",
        "DeploymentRoleArn": "arn:aws:iam::111122223333:role/deployer",
    },
    "this account's group by ARN": {
        **GROUP_MODE,
        "ModelPackageGroupName": "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn",
    },
    "serverless, no network, every optional input empty": {
        "EndpointType": "Serverless",
        "ModelPackageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/3",
        "EnableNetworkIsolation": "false",
    },
    "serverless with provisioned concurrency autoscaled": {
        "EndpointType": "Serverless",
        "ModelPackageGroupName": "churn",
        "ResolverCodeS3Bucket": "artifacts-111122223333",
        "EnableNetworkIsolation": "false",
        "ServerlessProvisionedConcurrency": "2",
        "ManagedInstanceScaling": "true",
    },
    "async with only its output": {**ARN_MODE, "EndpointType": "Async", "AsyncOutputS3Uri": "s3://bucket-a"},
    "async with everything, scaling to zero": {
        **GROUP_MODE,
        "EndpointType": "Async",
        "AsyncOutputS3Uri": "s3://bucket-a/out",
        "AsyncFailureS3Uri": "s3://bucket-a/failed",
        "AsyncInputS3Uri": "s3://bucket-b/in/requests",
        "AsyncSuccessTopicArn": "arn:aws:sns:eu-west-1:111122223333:ok",
        "AsyncErrorTopicArn": "arn:aws:sns:eu-west-1:111122223333:failed",
        "AsyncMaxConcurrentInvocationsPerInstance": "2",
        "ManagedInstanceScaling": "true",
        "ScalingMinInstanceCount": "0",
    },
}


@pytest.mark.parametrize("values", OPTIONAL_EMPTY.values(), ids=OPTIONAL_EMPTY.keys())
def test_every_branch_of_every_expression_evaluates_with_optional_inputs_empty(
    template: dict[str, Any], values: dict[str, str]
) -> None:
    EveryBranchEvaluator(template, values).everything()


def test_the_strict_evaluator_fails_on_a_select_out_of_range(template: dict[str, Any]) -> None:
    broken = {
        **template,
        "Outputs": {"Bad": {"Value": {"Fn::Select": [5, {"Fn::Split": [":", {"Ref": "EcrRepoArn"}]}]}}},
    }
    with pytest.raises(IndexError, match="Fn::Select 5 of a 1-item list"):
        EveryBranchEvaluator(broken, ARN_MODE).everything()
