"""A central registry serving a workload account, on the local AWS with two accounts (moto bent as
tests/support/moto/cross_account.py says): the registry kit deployed with the command in the registry account, the
endpoint deployed in the workload account from the group's ARN, and approvals travelling from the registry's bus
through the forwarding rule to the workload's queue, where the stack's own updater applies them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support.e2e import GROUP, TEMPLATE, LocalAws, cli, outputs, parameters
from tests.support.lambda_runtime import handler_result
from tests.support.local_aws import REGION
from tests.support.moto.cross_account import DENIED_DELIVERIES, GROUP_POLICIES, LOST_DELIVERIES, cross_account_moto

REGISTRY = "123456789012"  # moto's default account, where the `aws` fixture registered the group's versions
WORKLOAD = "210987654321"
GROUP_ARN = f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package-group/{GROUP}"
UPDATER = "custom_resource.approval_updater.lambda_handler"
THEIRS = {"Sid": "TrainingRegisters", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
          "Action": "sagemaker:CreateModelPackage", "Resource": GROUP_ARN}  # fmt: skip


@dataclass
class Workload:
    """The workload account: its credentials on the same local AWS."""

    endpoint_url: str
    env: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=REGION,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=self.env["AWS_SESSION_TOKEN"],
        )

    @classmethod
    def assumed(cls, aws: LocalAws, account: str) -> Workload:
        """An account's credentials on the local AWS: moto answers them from that account's backends."""
        role = f"arn:aws:iam::{account}:role/platform"
        credentials = aws.client("sts").assume_role(RoleArn=role, RoleSessionName="e2e")["Credentials"]
        keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        values = (credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        return cls(aws.endpoint_url, dict(zip(keys, values, strict=True)))


@pytest.fixture
def workload(aws: LocalAws) -> Iterator[Workload]:
    """The registry kit in the registry account (the group already had a policy of its owner's), then the endpoint
    in the workload account, following the group by ARN."""
    with cross_account_moto():
        GROUP_POLICIES[(REGISTRY, REGION, GROUP)] = json.dumps({"Version": "2012-10-17", "Statement": [THEIRS]})
        kit = cli(aws, "deploy", "--template", "registry-access", "--stack-name", "churn-registry",
                  "--param", f"ModelPackageGroupName={GROUP}", "--param", f"WorkloadAccountIds={WORKLOAD}")  # fmt: skip
        assert kit.returncode == 0, kit.stderr
        account = Workload.assumed(aws, WORKLOAD)
        aws.runtime.account_env[WORKLOAD] = account.env
        _deploy_endpoint(aws, account)
        yield account


def _deploy_endpoint(aws: LocalAws, account: Workload) -> None:
    ec2, s3 = account.client("ec2"), account.client("s3")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]
               ["SubnetId"] for i, zone in ((1, "a"), (2, "b"))]  # fmt: skip
    bucket = f"workload-code-{WORKLOAD}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key=aws.resolver_zip.name, Body=aws.resolver_zip.read_bytes())
    s3.put_object(Bucket=bucket, Key="sagemaker-endpoint.yaml", Body=TEMPLATE.encode())
    values = {"VpcId": vpc, "SubnetIds": ",".join(subnets), "InstanceType": "ml.m5.large",
              "ModelPackageGroupName": GROUP_ARN, "ResolverCodeS3Bucket": bucket,
              "ResolverCodeS3Key": aws.resolver_zip.name, "DeployOnApproval": "true",
              "DeploymentRoleArn": f"arn:aws:iam::{WORKLOAD}:role/sagemaker-endpoint-deployer/deployer"}  # fmt: skip
    account.client("cloudformation").create_stack(
        StackName="churn-prod", TemplateURL=f"https://s3.amazonaws.com/{bucket}/sagemaker-endpoint.yaml",
        Parameters=parameters(values), Capabilities=["CAPABILITY_IAM"],
    )  # fmt: skip


def stack(account: Workload) -> dict[str, Any]:
    found: dict[str, Any] = account.client("cloudformation").describe_stacks(StackName="churn-prod")["Stacks"][0]
    return found


def sagemaker_says(aws: LocalAws, status: str, version: int, group: str = GROUP) -> None:
    """What SageMaker puts on the registry's default bus when a version's status changes (the event's documented
    shape: SageMaker Developer Guide, "Automating SageMaker with EventBridge")."""
    package = (
        aws.versions[version] if group == GROUP else f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/{group}/1"
    )
    if group == GROUP:
        aws.client("sagemaker").update_model_package(ModelPackageArn=package, ModelApprovalStatus=status)
    detail = {"ModelPackageGroupName": group, "ModelPackageArn": package, "ModelApprovalStatus": status}
    entry = {"Source": "aws.sagemaker", "DetailType": "SageMaker Model Package State Change",
             "Detail": json.dumps(detail), "Resources": [package]}  # fmt: skip
    assert aws.client("events").put_events(Entries=[entry])["FailedEntryCount"] == 0


def queued(account: Workload) -> list[dict[str, Any]]:
    """The approval queue's messages as Lambda's SQS batches would hand them to the updater."""
    sqs = account.client("sqs")
    (url,) = [u for u in sqs.list_queues()["QueueUrls"] if u.endswith(".fifo") and not u.endswith("-dlq.fifo")]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [{"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs",
             "attributes": {"MessageGroupId": m["Attributes"]["MessageGroupId"]}} for m in messages]  # fmt: skip


def run_updater(aws: LocalAws, account: Workload, record: dict[str, Any]) -> tuple[Any, str]:
    functions = account.client("lambda").list_functions()["Functions"]
    (function,) = [f for f in functions if f["FunctionName"].startswith("sagemaker-endpoint-updater-")]
    env = function["Environment"]["Variables"]
    code = aws.runtime.sandbox.unpack(aws.resolver_zip.read_bytes(), "updater")
    env = {**aws.runtime.aws_env, **account.env, **env}
    run = aws.runtime.sandbox.invoke(
        code, UPDATER, {"Records": [record]}, env, region=REGION, function_name=function["FunctionName"]
    )
    return handler_result(run), run.stderr


def test_the_workload_deploys_the_registrys_newest_approved_package_by_the_groups_arn(
    aws: LocalAws, workload: Workload
) -> None:
    deployed = stack(workload)
    assert deployed["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(deployed)["ModelPackageArn"] == aws.versions[2]  # v3: the newest Approved, in the registry
    assert set(outputs(deployed)) >= {"ModelExecutionRoleArn", "ModelName", "EndpointName", "EndpointUrl",
                                      "KmsKeyId", "SecurityGroupId"}  # fmt: skip
    model = workload.client("sagemaker").describe_model(ModelName=outputs(deployed)["ModelName"])
    assert model["PrimaryContainer"]["ModelPackageName"] == aws.versions[2]
    policy = json.loads(GROUP_POLICIES[(REGISTRY, REGION, GROUP)])
    theirs, *ours = [s["Sid"] for s in policy["Statement"]]
    assert theirs == "TrainingRegisters"  # the owner's statement is kept, first
    assert [re.sub("SageMakerEndpoint[0-9a-f]{8}", "", sid) for sid in ours] == ["DescribeGroup", "ReadPackages"]
    assert all(s["Principal"] == {"AWS": [f"arn:aws:iam::{WORKLOAD}:root"]} for s in policy["Statement"][1:])
    bus = json.loads(workload.client("events").describe_event_bus(Name="default")["Policy"])
    (admitted,) = bus["Statement"]
    assert admitted["Principal"] == {"AWS": f"arn:aws:iam::{REGISTRY}:root"}
    unlisted = Workload.assumed(aws, "777788889999").client("sagemaker")
    with pytest.raises(unlisted.exceptions.ClientError, match="not authorized"):  # an account the kit does not list
        unlisted.list_model_packages(ModelPackageGroupName=GROUP_ARN)


def test_an_approval_reaches_the_workload_a_rejection_rolls_it_back_and_removing_both_stacks_keeps_the_policy(
    aws: LocalAws, workload: Workload
) -> None:
    sagemaker_says(aws, "Approved", 0, group="fraud")  # the registry's other group: not forwarded
    same_name_elsewhere = {"Source": "aws.sagemaker", "DetailType": "SageMaker Model Package State Change",
                           "Detail": json.dumps({"ModelPackageGroupName": GROUP, "ModelApprovalStatus": "Approved",
                                                 "ModelPackageArn": aws.versions[3]})}  # fmt: skip
    workload.client("events").put_events(Entries=[same_name_elsewhere])  # the workload's own account: not the registry
    assert queued(workload) == []

    sagemaker_says(aws, "Approved", 3)
    (record,) = queued(workload)
    event = json.loads(record["body"])
    assert (event["account"], event["detail"]["ModelPackageArn"]) == (REGISTRY, aws.versions[3])
    result, log = run_updater(aws, workload, record)
    assert result == {"batchItemFailures": []}, log
    assert outputs(stack(workload))["ModelPackageArn"] == aws.versions[3]

    sagemaker_says(aws, "Rejected", 3)
    (record,) = queued(workload)
    result, log = run_updater(aws, workload, record)
    assert result == {"batchItemFailures": []}, log
    assert outputs(stack(workload))["ModelPackageArn"] == aws.versions[2]
    assert DENIED_DELIVERIES == []

    # Removing both stacks leaves the group policy as its owner wrote it, and the registry's versions.
    workload.client("cloudformation").delete_stack(StackName="churn-prod")
    assert "Policy" not in workload.client("events").describe_event_bus(Name="default")
    gone = cli(aws, "destroy", "--stack-name", "churn-registry")
    assert gone.returncode == 0, gone.stderr
    assert json.loads(GROUP_POLICIES[(REGISTRY, REGION, GROUP)])["Statement"] == [THEIRS]
    assert aws.client("sagemaker").describe_model_package(ModelPackageName=aws.versions[2])["ModelPackageArn"]


def test_an_approval_a_workload_bus_refuses_lands_in_the_registrys_dead_letter_queue_with_its_alarm(
    aws: LocalAws,
) -> None:
    """A listed account whose bus does not admit the registry (its endpoint stack not deployed yet): EventBridge
    does not retry a permission error and, without a target DLQ, drops the event ("for errors that result from
    missing permissions to a target ... no retry attempts will happen", EventBridge User Guide, eb-rule-dlq.html).
    The kit's standard queue keeps it, with the rule and target, and an alarm on that queue tells the topic."""
    topic = aws.client("sns").create_topic(Name="registry-alarms")["TopicArn"]
    with cross_account_moto():
        kit = cli(aws, "deploy", "--template", "registry-access", "--stack-name", "churn-registry",
                  "--param", f"ModelPackageGroupName={GROUP}", "--param", f"WorkloadAccountIds={WORKLOAD}",
                  "--param", f"AlarmTopicArn={topic}")  # fmt: skip
        assert kit.returncode == 0, kit.stderr
        sagemaker_says(aws, "Approved", 3)
        assert DENIED_DELIVERIES  # refused by the bus
        assert LOST_DELIVERIES == []  # and kept by the queue
    sqs = aws.client("sqs")
    (url,) = [u for u in sqs.list_queues()["QueueUrls"] if "UndeliveredApprovals" in u]
    (message,) = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    event = json.loads(message["Body"])
    assert (event["account"], event["detail"]["ModelPackageArn"]) == (REGISTRY, aws.versions[3])
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["TARGET_ARN"] == f"arn:aws:events:{REGION}:{WORKLOAD}:event-bus/default"
    assert re.fullmatch(rf"arn:aws:events:{REGION}:{REGISTRY}:rule/sagemaker-endpoint-forward-1-[0-9a-f]{{8}}",
                        attributes["RULE_ARN"])  # fmt: skip
    alarms = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    (depth,) = [a for a in alarms if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    assert depth["Dimensions"] == [{"Name": "QueueName", "Value": url.rsplit("/", 1)[1]}]
    assert (depth["AlarmActions"], depth["Threshold"], depth["ComparisonOperator"]) == (
        [topic],
        1.0,
        "GreaterThanOrEqualToThreshold",
    )
