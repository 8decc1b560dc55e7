"""A template-only deploy (plain CloudFormation change sets, as the AWS CLI, Service Catalog or StackSets deploy,
without the deploy client's checks) of a combination AWS refuses fails the way AWS fails it: the resource is refused
with the service's reason and the stack rolls back. moto ignores the template's Rules, so these values reach the
services; its refusals are bent to be AWS's (tests.support.moto.refusals, which quotes each source). The rest of the
e2e suite passing on the same bent moto is the proof that the committed template makes none of these calls."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.e2e import LocalAws, arn_mode, cli, outputs_of, parameters, params, serving, stack_of
from tests.support.local_aws import REGION

MOTO_ACCOUNT = "123456789012"
TRUST = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"Service": "sagemaker.amazonaws.com"}}]}  # fmt: skip


def executed(aws: LocalAws, stack: str, values: dict[str, str], kind: str = "CREATE") -> dict[str, str]:
    """Execute a change set of the committed template, as a template-only deploy does; logical id -> reason of each
    resource that failed in it."""
    cloudformation = aws.client("cloudformation")
    seen = {e["EventId"] for e in _events(aws, stack)} if kind == "UPDATE" else set()
    cloudformation.create_change_set(
        StackName=stack, ChangeSetName=f"{stack}-{kind.lower()}", ChangeSetType=kind, TemplateURL=aws.template_url(),
        Parameters=parameters(values), Capabilities=["CAPABILITY_IAM"],
    )  # fmt: skip
    cloudformation.execute_change_set(StackName=stack, ChangeSetName=f"{stack}-{kind.lower()}")
    return {e["LogicalResourceId"]: e.get("ResourceStatusReason", "") for e in _events(aws, stack)
            if e["ResourceStatus"].endswith("_FAILED") and e["EventId"] not in seen}  # fmt: skip


def _events(aws: LocalAws, stack: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = aws.client("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]
    return events


def role_without_describe_alarms(aws: LocalAws) -> str:
    """An execution role that may read the model but not the rollback alarms."""
    iam = aws.client("iam")
    arn: str = iam.create_role(RoleName="no-alarms", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    iam.put_role_policy(RoleName="no-alarms", PolicyName="read", PolicyDocument=json.dumps(document))
    return arn


@pytest.mark.parametrize(
    ("values", "failed_resource", "reason"),
    [
        (  # the Rule TrafficShiftsSageMakerCanMake refuses it on AWS
            {"DeploymentStrategy": "CANARY", "DeploymentTrafficStepPercent": "60", "InitialInstanceCount": "2"},
            "Endpoint",
            "CanarySize CAPACITY_PERCENT 60 is 60% of variant AllTraffic's 2 instances: Value must be less than or "
            "equal to 50% of the variant's total instance count.",
        ),
        (  # only the deploy client checks a topic's Region (a Rule cannot split an ARN)
            {"AlarmTopicArn": f"arn:aws:sns:us-east-1:{MOTO_ACCOUNT}:people"},
            "Invocation5xxAlarm",
            f"Invalid region us-east-1 specified. Only {REGION} is supported.",
        ),
    ],
)
def test_a_template_only_create_that_aws_refuses_rolls_back_with_the_services_reason(
    aws: LocalAws, values: dict[str, str], failed_resource: str, reason: str
) -> None:
    failed = executed(aws, "churn-refused", {**arn_mode(aws), **values})

    assert failed[failed_resource] == reason  # (moto creates what another resource refers to early, so that one
    # fails too)
    assert stack_of(aws, "churn-refused")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert aws.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_a_given_execution_role_that_may_not_read_the_rollback_alarms_fails_the_endpoint(aws: LocalAws) -> None:
    """SageMaker guide, Auto-Rollback Configuration and Monitoring: "Ensure that your IAM execution role has permission
    to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify." (the parameter's
    description asks for it; the role the stack creates has it, as every other e2e deploy shows)."""
    role = role_without_describe_alarms(aws)

    failed = executed(aws, "churn-role", {**arn_mode(aws), "ModelExecutionRoleArn": role})

    (reason,) = failed.values()
    assert list(failed) == ["Endpoint"]
    assert reason.startswith(
        "Ensure that your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on the "
        f"auto-rollback alarms you specify: {role} may not on arn:aws:cloudwatch:{REGION}:{MOTO_ACCOUNT}:alarm:"
    )
    assert stack_of(aws, "churn-role")["StackStatus"] == "ROLLBACK_COMPLETE"


def test_template_only_updates_that_rename_the_variant_or_change_a_scaled_type_roll_back(aws: LocalAws) -> None:
    """Deployment guardrails, Exclusions: "your new endpoint configuration must have the same variant name as the old
    endpoint configuration"; Update endpoints that use auto scaling: "If the update would change the instance type for
    any model that is a target for auto scaling, the update fails." The deploy client refuses both before any call;
    a template-only update reaches SageMaker, which refuses the UpdateEndpoint, and the stack rolls back."""
    values = {**arn_mode(aws), "ManagedInstanceScaling": "true"}
    assert cli(aws, "deploy", "--stack-name", "churn-scaled", *params(values)).returncode == 0
    endpoint = outputs_of(aws, "churn-scaled")["EndpointName"]
    before = serving(aws, endpoint)

    renamed = executed(aws, "churn-scaled", {**values, "VariantName": "green"}, kind="UPDATE")
    retyped = executed(aws, "churn-scaled", {**values, "InstanceType": "ml.c5.large"}, kind="UPDATE")

    assert "your new endpoint configuration must have the same variant name" in renamed["Endpoint"]
    assert retyped["Endpoint"].endswith(
        "Variant AllTraffic is a target for auto scaling and the update would change its instance type "
        "(ml.m5.large -> ml.c5.large): the update fails; deregister the scalable target first."
    )
    assert stack_of(aws, "churn-scaled")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert serving(aws, endpoint)[2] == before[2]
    variants = aws.client("sagemaker").describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
    assert [v["VariantName"] for v in variants] == ["AllTraffic"]
