"""The bent moto refuses the endpoint deployments SageMaker documents as refused, and takes the ones at the limit
(tests.support.moto.deployment_refusals quotes each source)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.local_aws import client

ACCOUNT, REGION = "123456789012", "eu-west-1"
ALARM = "rollback-5xx"
ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{ALARM}"
DESCRIBE_ALARM = {"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": ALARM_ARN}
TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}
PACKAGE = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/1"


def refused(call: Callable[[], Any]) -> str:
    """The message of the ValidationException SageMaker answers the call with."""
    with pytest.raises(Exception) as raised:  # noqa: PT011  # botocore's ClientError, asserted on below
        call()
    error = raised.value.response["Error"]  # type: ignore[attr-defined]
    assert error["Code"] == "ValidationException", error
    return str(error["Message"])


class Aws:
    """The clients a deployment test uses, and the resources it starts from."""

    def __init__(self, url: str) -> None:
        self.sagemaker, self.iam = client("sagemaker", url), client("iam", url)
        self.cloudwatch, self.scaling = client("cloudwatch", url), client("application-autoscaling", url)
        self.cloudformation = client("cloudformation", url)
        self.cloudwatch.put_metric_alarm(
            AlarmName=ALARM, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors", Statistic="Sum",
            Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        )  # fmt: skip

    def role(self, name: str, *statements: dict[str, Any], boundary: str | None = None) -> str:
        extra = {"PermissionsBoundary": boundary} if boundary else {}
        arn: str = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **extra)["Role"][
            "Arn"
        ]
        if statements:
            document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
            self.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=document)
        return arn

    def policy(self, name: str, *statements: dict[str, Any]) -> str:
        document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
        arn: str = self.iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]
        return arn

    def config(self, name: str, role: str, instance_type: str = "ml.m5.large", count: int = 4,
               variant: str = "v") -> str:  # fmt: skip
        self.sagemaker.create_model(
            ModelName=name, ExecutionRoleArn=role, PrimaryContainer={"ModelPackageName": PACKAGE}
        )
        production = {"VariantName": variant, "ModelName": name, "InstanceType": instance_type,
                      "InitialInstanceCount": count}  # fmt: skip
        self.sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[production])
        return name


@pytest.fixture
def aws(refusing_aws: str) -> Aws:
    return Aws(refusing_aws)


def blue_green(step: str, kind: str, value: int, alarms: tuple[str, ...] = (ALARM,)) -> dict[str, Any]:
    routing = {"Type": "LINEAR" if step == "LinearStepSize" else "CANARY", "WaitIntervalInSeconds": 60,
               step: {"Type": kind, "Value": value}}  # fmt: skip
    return {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing},
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": a} for a in alarms]}}  # fmt: skip


@pytest.mark.parametrize(
    ("step", "kind", "refused_value", "taken_value"),
    [
        ("CanarySize", "CAPACITY_PERCENT", 51, 50),
        ("CanarySize", "INSTANCE_COUNT", 3, 2),  # of 4 instances: 75 % and 50 %
        ("LinearStepSize", "CAPACITY_PERCENT", 9, 10),
        ("LinearStepSize", "CAPACITY_PERCENT", 51, 50),
    ],
)
def test_traffic_steps_outside_the_share_of_the_variants_instances_are_refused(
    aws: Aws, step: str, kind: str, refused_value: int, taken_value: int
) -> None:
    """TrafficRoutingConfig: CanarySize "Value must be less than or equal to 50% of the variant's total instance
    count."; LinearStepSize "Value must be 10-50% of the variant's total instance count."."""
    config = aws.config("c", aws.role("model", DESCRIBE_ALARM))

    deployment = blue_green(step, kind, refused_value)
    message = refused(
        lambda: aws.sagemaker.create_endpoint(EndpointName="e", EndpointConfigName=config, DeploymentConfig=deployment)
    )

    assert f"{step} {kind} {refused_value} is " in message
    assert message.endswith("of the variant's total instance count.")
    aws.sagemaker.create_endpoint(
        EndpointName="e", EndpointConfigName=config, DeploymentConfig=blue_green(step, kind, taken_value)
    )


def test_a_rolling_batch_under_five_percent_is_refused(aws: Aws) -> None:
    """RollingUpdatePolicy.MaximumBatchSize: "Value must be between 5% to 50% of the variant's total instance
    count."."""
    config = aws.config("c", aws.role("model"))

    def rolling(value: int) -> dict[str, Any]:
        return {"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": value},
                                        "WaitIntervalInSeconds": 60}}  # fmt: skip

    message = refused(lambda: aws.sagemaker.create_endpoint(EndpointName="e", EndpointConfigName=config,
                                                            DeploymentConfig=rolling(4)))  # fmt: skip
    assert message == (
        "MaximumBatchSize CAPACITY_PERCENT 4 is 4% of variant v's 4 instances: Value must be 5-50% of the variant's "
        "total instance count."
    )
    aws.sagemaker.create_endpoint(EndpointName="e", EndpointConfigName=config, DeploymentConfig=rolling(5))


def test_an_auto_rollback_alarm_that_does_not_exist_is_refused(aws: Aws) -> None:
    """Alarm.AlarmName: "The name of a CloudWatch alarm in your account." (botocore sagemaker)."""
    config = aws.config("c", aws.role("model", DESCRIBE_ALARM))

    message = refused(lambda: aws.sagemaker.create_endpoint(
        EndpointName="e", EndpointConfigName=config,
        DeploymentConfig=blue_green("CanarySize", "CAPACITY_PERCENT", 50, alarms=(ALARM, "ghost"))))  # fmt: skip

    assert message == "Auto-rollback alarm ghost is not a CloudWatch alarm in your account."


DENY_ALARM = {**DESCRIBE_ALARM, "Effect": "Deny"}
SAGEMAKER_ONLY = {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}


@pytest.mark.parametrize(
    ("inline", "attached", "boundary"),
    [
        ((), (), ()),  # nothing granted
        ((DESCRIBE_ALARM, DENY_ALARM), (), ()),  # an explicit deny wins
        ((DESCRIBE_ALARM,), (DENY_ALARM,), ()),  # in another policy of the role too
        (({**DESCRIBE_ALARM, "Resource": f"{ALARM_ARN}-other"},), (), ()),  # another alarm
        ((DESCRIBE_ALARM,), (), (SAGEMAKER_ONLY,)),  # outside the permissions boundary
    ],
)
def test_an_execution_role_that_may_not_describe_the_rollback_alarms_is_refused(
    aws: Aws, inline: tuple[dict[str, Any], ...], attached: tuple[dict[str, Any], ...],
    boundary: tuple[dict[str, Any], ...],
) -> None:  # fmt: skip
    """SageMaker guide, Auto-Rollback Configuration and Monitoring: "Ensure that your IAM execution role has permission
    to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify." Evaluated by moto's own
    IAM policy evaluation; AWS publishes no message, so the message is the guide's words."""
    role = aws.role("model", *inline, boundary=aws.policy("boundary", *boundary) if boundary else None)
    if attached:
        aws.iam.attach_role_policy(RoleName="model", PolicyArn=aws.policy("attached", *attached))
    config = aws.config("c", role)

    message = refused(lambda: aws.sagemaker.create_endpoint(
        EndpointName="e", EndpointConfigName=config,
        DeploymentConfig=blue_green("CanarySize", "CAPACITY_PERCENT", 50)))  # fmt: skip

    assert message == (
        "Ensure that your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on the "
        f"auto-rollback alarms you specify: {role} may not on {ALARM_ARN}."
    )


def test_an_execution_role_allowed_within_its_boundary_deploys(aws: Aws) -> None:
    boundary = aws.policy("boundary", {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"})
    config = aws.config("c", aws.role("model", DESCRIBE_ALARM, boundary=boundary))

    aws.sagemaker.create_endpoint(
        EndpointName="e", EndpointConfigName=config, DeploymentConfig=blue_green("CanarySize", "CAPACITY_PERCENT", 50)
    )


def test_an_update_that_renames_the_variant_is_refused_and_one_that_keeps_it_is_taken(aws: Aws) -> None:
    """Deployment guardrails, Exclusions: "When doing a blue/green or rolling deployment, your new endpoint
    configuration must have the same variant name as the old endpoint configuration." Every UpdateEndpoint is one
    ("If no update policy is specified, SageMaker uses a blue/green deployment strategy ... by default")."""
    role = aws.role("model", DESCRIBE_ALARM)
    aws.sagemaker.create_endpoint(EndpointName="e", EndpointConfigName=aws.config("blue", role, variant="blue"))

    message = refused(lambda: aws.sagemaker.update_endpoint(
        EndpointName="e", EndpointConfigName=aws.config("green", role, variant="green")))  # fmt: skip

    assert message == (
        "Variant names ['green'] differ from the endpoint's ['blue']: when doing a blue/green or rolling deployment, "
        "your new endpoint configuration must have the same variant name as the old endpoint configuration."
    )
    assert aws.sagemaker.describe_endpoint(EndpointName="e")["EndpointConfigName"] == "blue"
    aws.sagemaker.update_endpoint(EndpointName="e", EndpointConfigName=aws.config("blue-2", role, variant="blue"))
    assert aws.sagemaker.describe_endpoint(EndpointName="e")["EndpointConfigName"] == "blue-2"


def test_an_update_that_changes_the_instance_type_of_a_scaled_variant_is_refused(aws: Aws) -> None:
    """SageMaker guide, Update endpoints that use auto scaling: "If the update would change the instance type for any
    model that is a target for auto scaling, the update fails." A new model on the same type is the documented
    exception ("If you change the model for a variant that is configured for auto scaling, Amazon SageMaker AI auto
    scaling allows the update."), and without the target the type may change."""
    role = aws.role("model")
    aws.sagemaker.create_endpoint(EndpointName="e", EndpointConfigName=aws.config("m5", role))
    target = {"ServiceNamespace": "sagemaker", "ResourceId": "endpoint/e/variant/v",
              "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}  # fmt: skip
    aws.scaling.register_scalable_target(**target, MinCapacity=1, MaxCapacity=4)

    message = refused(lambda: aws.sagemaker.update_endpoint(
        EndpointName="e", EndpointConfigName=aws.config("c5", role, instance_type="ml.c5.large")))  # fmt: skip

    assert message == (
        "Variant v is a target for auto scaling and the update would change its instance type (ml.m5.large -> "
        "ml.c5.large): the update fails; deregister the scalable target first."
    )
    aws.sagemaker.update_endpoint(EndpointName="e", EndpointConfigName=aws.config("m5-new-model", role))
    aws.scaling.deregister_scalable_target(**target)
    aws.sagemaker.update_endpoint(EndpointName="e", EndpointConfigName="c5")


def test_an_endpoint_that_cloudformation_creates_is_refused_the_same_way(aws: Aws, executed: Any) -> None:
    """moto's CloudFormation creates an endpoint through its own model, not CreateEndpoint: the same check applies
    there, and the stack rolls back with SageMaker's reason."""
    config = aws.config("c", aws.role("model", DESCRIBE_ALARM), count=2)
    endpoint = {"Type": "AWS::SageMaker::Endpoint", "Properties": {
        "EndpointConfigName": config, "DeploymentConfig": blue_green("CanarySize", "INSTANCE_COUNT", 2)}}  # fmt: skip

    status, failed = executed("canary", json.dumps({"Parameters": {}, "Resources": {"Endpoint": endpoint}}))

    assert (status, list(failed)) == ("ROLLBACK_COMPLETE", ["Endpoint"])
    assert failed["Endpoint"].startswith("CanarySize INSTANCE_COUNT 2 is 100% of variant v's 2 instances: ")
