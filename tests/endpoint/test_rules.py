"""Rules: each rejects the combination it targets, before any resource exists, with an actionable message."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.inputs import ARN_MODE, ARTIFACTS, GROUP_MODE, PACKAGE_ARN, VPC
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
GIVEN_ROLE = {"ModelExecutionRoleArn": "arn:aws:iam::111122223333:role/team-model-role"}


@pytest.mark.parametrize("values", [ARN_MODE, GROUP_MODE], ids=["arn", "group"])
def test_given_exactly_one_package_source_then_no_rule_fails(deploy: Deploy, values: dict[str, str]) -> None:
    assert deploy(**values).failed_rules() == []


def test_given_neither_package_source_then_the_rule_asks_for_one(deploy: Deploy) -> None:
    assert deploy(**VPC, **ARTIFACTS).failed_rules() == [
        "Set ModelPackageArn (deploy that version) or ModelPackageGroupName "
        "(deploy the group's latest Approved version): both are empty."
    ]


def test_given_both_package_sources_then_the_rule_says_to_clear_one(deploy: Deploy) -> None:
    """The module we replace let the ARN silently win."""
    assert deploy(**GROUP_MODE, ModelPackageArn=PACKAGE_ARN).failed_rules() == [
        "Set only one of ModelPackageArn and ModelPackageGroupName: both are set; clear the one you do not want."
    ]


def test_given_data_capture_without_a_bucket_then_the_rule_names_both_fixes(deploy: Deploy) -> None:
    values = {**ARN_MODE, **GIVEN_ROLE, "ModelArtifactsBucketArn": ""}
    assert deploy(**values, DataCaptureSamplingPercentage="20").failed_rules() == [
        "DataCaptureSamplingPercentage is above 0 but ModelArtifactsBucketArn is empty: set the bucket that "
        "receives captured data, or set the percentage to 0."
    ]


def test_given_data_capture_with_a_bucket_then_no_rule_fails(deploy: Deploy) -> None:
    assert deploy(**ARN_MODE, DataCaptureSamplingPercentage="20").failed_rules() == []


def test_given_a_group_without_resolver_code_bucket_then_the_rule_says_where_the_zip_is(deploy: Deploy) -> None:
    values = {**GROUP_MODE, "ResolverCodeS3Bucket": ""}
    assert deploy(**values).failed_rules() == [
        "ModelPackageGroupName needs the resolver Lambda: upload the zip that `make build` writes to dist/ "
        "to a bucket in this Region and set ResolverCodeS3Bucket."
    ]


# --- what SageMaker itself refuses (docs/aws-constraints.md) ---------------------------------------------------------


def test_the_role_the_stack_creates_needs_the_artifacts_bucket_and_a_given_role_does_not(deploy: Deploy) -> None:
    """SageMaker downloads ModelDataUrl with the execution role ("Scope S3 permissions to objects that you specify in
    the PrimaryContainer.ModelDataUrl": SageMaker guide, CreateModel API: Execution Role Permissions); the created
    role reads only ModelArtifactsBucketArn, so without it every endpoint would fail to download its model."""
    no_bucket = {**ARN_MODE, "ModelArtifactsBucketArn": ""}
    assert deploy(**no_bucket).failed_rules() == [
        "The execution role the stack creates may read only ModelArtifactsBucketArn, and SageMaker downloads the "
        "model artifacts with it: set ModelArtifactsBucketArn to the bucket of the package's ModelDataUrl, or give "
        "ModelExecutionRoleArn."
    ]
    assert deploy(**no_bucket, **GIVEN_ROLE).failed_rules() == []


CANARY_TOO_BIG = (
    "DeploymentStrategy CANARY: DeploymentTrafficStepPercent must be 1 to 50 (a canary is at most half "
    "of the instances)."
)
LINEAR_OUT = (
    "DeploymentStrategy LINEAR: DeploymentTrafficStepPercent must be 10 to 50 (each step moves 10 to 50 "
    "percent of the instances)."
)
ONE_INSTANCE = (
    "CANARY and LINEAR shift traffic in steps of the variant's instances: set InitialInstanceCount to 2 or "
    "more, or DeploymentStrategy to ALL_AT_ONCE."
)
SCALED_TO_ONE = (
    "CANARY and LINEAR need 2 or more instances when an update starts: with ManagedInstanceScaling, set "
    "ScalingMinInstanceCount to 2 or more, or DeploymentStrategy to ALL_AT_ONCE."
)
INF1 = (
    "ml.inf1 endpoints cannot use deployment guardrails (SageMaker updates them all at once, without the bake): "
    "set DeploymentStrategy to ALL_AT_ONCE."
)
TWO = {**ARN_MODE, "InitialInstanceCount": "2"}
SCALED = {"ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "1", "ScalingMaxInstanceCount": "4"}
TRAFFIC_CASES = {
    # SageMaker API reference, TrafficRoutingConfig.CanarySize: "Value must be less than or equal to 50% of the
    # variant's total instance count."
    "canary of 50": ({**TWO, "DeploymentStrategy": "CANARY", "DeploymentTrafficStepPercent": "50"}, []),
    "canary of 51": ({**TWO, "DeploymentStrategy": "CANARY", "DeploymentTrafficStepPercent": "51"}, [CANARY_TOO_BIG]),
    # LinearStepSize: "Value must be 10-50% of the variant's total instance count."
    "linear of 9": ({**TWO, "DeploymentStrategy": "LINEAR", "DeploymentTrafficStepPercent": "9"}, [LINEAR_OUT]),
    "linear of 10": ({**TWO, "DeploymentStrategy": "LINEAR", "DeploymentTrafficStepPercent": "10"}, []),
    "linear of 60": ({**TWO, "DeploymentStrategy": "LINEAR", "DeploymentTrafficStepPercent": "60"}, [LINEAR_OUT]),
    "all at once of 100": ({**ARN_MODE, "DeploymentTrafficStepPercent": "100"}, []),  # the step is unused
    # Percentages of one instance: AWS does not say how they round; half of one is no instance (the safe side).
    "canary on one instance": ({**ARN_MODE, "DeploymentStrategy": "CANARY"}, [ONE_INSTANCE]),
    "linear scaled down to one": ({**TWO, **SCALED, "DeploymentStrategy": "LINEAR"}, [SCALED_TO_ONE]),
    "canary scaled from two": ({**TWO, **SCALED, "ScalingMinInstanceCount": "2", "DeploymentStrategy": "CANARY"}, []),
    # Deployment guardrails exclusions: Inf1 endpoints "fall back to using a blue/green deployment with all at once
    # traffic shifting and no final baking period".
    "canary on inf1": ({**TWO, "InstanceType": "ml.inf1.xlarge", "DeploymentStrategy": "CANARY"}, [INF1]),
    "all at once on inf1": ({**TWO, "InstanceType": "ml.inf1.xlarge"}, []),
}  # fmt: skip


@pytest.mark.parametrize(("values", "failures"), TRAFFIC_CASES.values(), ids=TRAFFIC_CASES.keys())
def test_canary_and_linear_steps_are_what_sagemaker_accepts(
    deploy: Deploy, values: dict[str, str], failures: list[str]
) -> None:
    assert deploy(**values).failed_rules() == failures


ASYNC = {**ARN_MODE, "EndpointType": "Async", "AsyncOutputS3Uri": "s3://ml-async-111122223333/out"}


def test_async_refuses_inferentia_1_and_data_capture(deploy: Deploy) -> None:
    """Async inference guide: "if your endpoint uses any of the features listed in this Exclusions page, you cannot
    use Asynchronous Inference" (the deployment guardrails exclusions, Inf1 among them). Data capture: the guide's
    feature table (2023) marks it for real-time only and no newer page says otherwise: refused, the safe side."""
    assert deploy(**ASYNC, InstanceType="ml.inf1.2xlarge").failed_rules() == [
        "Asynchronous inference is not available on ml.inf1 instances: choose another InstanceType (ml.inf2 works), "
        "or EndpointType RealTime."
    ]
    assert deploy(**ASYNC, DataCaptureSamplingPercentage="5").failed_rules() == [
        "DataCaptureSamplingPercentage is for EndpointType RealTime (SageMaker's feature table marks data capture for "
        "real-time endpoints only): set it to 0, or set EndpointType to RealTime."
    ]
    assert deploy(**ASYNC, InstanceType="ml.inf2.xlarge").failed_rules() == []
