"""EndpointType: RealTime deploys the instance-based stack and nothing of the other types; Serverless has a
ServerlessConfig and none of what SageMaker does not support for it; Async writes to S3 with the stack's key and
can scale to zero. Each invalid combination is refused by a Rule before anything is created."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.common.scaling_order import SERVERLESS_ORDER
from tests.support.iam_eval import allows
from tests.support.inputs import ARN_MODE, ARTIFACTS, GROUP_MODE, PACKAGE_ARN, VPC
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
BUCKET = "arn:aws:s3:::ml-artifacts-111122223333"
TOPIC = "arn:aws:sns:eu-west-1:111122223333:async-{}"
SERVERLESS = {
    "EndpointType": "Serverless",
    "ModelPackageArn": PACKAGE_ARN,
    "EnableNetworkIsolation": "false",
    **ARTIFACTS,
}
ASYNC = {**ARN_MODE, "EndpointType": "Async", "AsyncOutputS3Uri": "s3://ml-async-111122223333/churn/out"}
REAL_TIME_CASES = {
    "ARN mode": ARN_MODE,
    "group mode following approvals, with an alarm topic": {
        **GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": "arn:aws:iam::111122223333:role/deployer",
        "AlarmTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops",
    },
    "capture, scaling, canary, an NVMe type, a name": {
        **ARN_MODE, "DataCaptureSamplingPercentage": "20", "ModelArtifactsBucketArn": BUCKET,
        "ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "2", "InitialInstanceCount": "2",
        "DeploymentStrategy": "CANARY", "InstanceType": "ml.g5.xlarge", "EndpointName": "churn-prod",
        "VolumeSizeInGB": "100", "EcrRepoArn": "arn:aws:ecr:eu-west-1:111122223333:repository/churn",
    },
}  # fmt: skip


def props(evaluator: Evaluator, name: str) -> dict[str, Any]:
    return evaluator.resources()[name]["Properties"]  # type: ignore[no-any-return]


# What every RealTime stack makes: the model and its endpoint in the VPC, the key that encrypts its volume, the role
# it runs as (none given), the two alarms that roll a bad update back, the disk alarm and the dashboard.
REAL_TIME_CORE = {
    "Model",
    "EndpointConfig",
    "Endpoint",
    "EndpointSecurityGroup",
    "EncryptionKey",
    "EncryptionKeyAlias",
    "ModelExecutionRole",
    "Invocation5xxAlarm",
    "ModelLatencyAlarm",
    "DiskUtilizationAlarm",
    "Dashboard",
}
# Group mode adds the resolver (a custom resource, its function, role, logs and error alarm); following approvals
# adds the queues, the rule and the updater.
RESOLVER = {
    "LatestApprovedModelPackage",
    "PackageResolverFunction",
    "PackageResolverRole",
    "PackageResolverLogGroup",
    "PackageResolverErrorsFilter",
    "PackageResolverErrorsAlarm",
}
FOLLOWS_APPROVALS = {
    "ApprovalQueue",
    "ApprovalQueuePolicy",
    "ApprovalDeadLetterQueue",
    "ApprovalDeadLettersAlarm",
    "ApprovalRule",
    "ApprovalQueueToUpdater",
    "ApprovalUpdaterFunction",
    "ApprovalUpdaterRole",
    "ApprovalUpdaterLogGroup",
    "ApprovalUpdaterErrorsFilter",
    "ApprovalUpdaterErrorsAlarm",
    "ApprovalUpdaterFailedInvocationsAlarm",
    "ApprovalDeadLettersExpiringAlarm",
    "ApprovalQueueStuckAlarm",
    "ApprovalUndeliveredQueue",
    "ApprovalUndeliveredQueuePolicy",
    "ApprovalUndeliveredAlarm",
    "ApprovalUndeliveredExpiringAlarm",
    "ApprovalRuleFailedInvocationsAlarm",
    "StackStatusRule",
    "StackStatusRuleFailedInvocationsAlarm",
}
REAL_TIME_RESOURCES = {
    "ARN mode": REAL_TIME_CORE,
    "group mode following approvals, with an alarm topic": REAL_TIME_CORE | RESOLVER | FOLLOWS_APPROVALS,
    # instance autoscaling: a scalable target and its invocations policy
    "capture, scaling, canary, an NVMe type, a name": REAL_TIME_CORE | {"ScalableTarget", "InvocationsScalingPolicy"},
}  # fmt: skip
SEVEN_OUTPUTS = {"ModelExecutionRoleArn", "ModelName", "ModelPackageArn", "EndpointName", "EndpointUrl", "KmsKeyId",
                 "SecurityGroupId"}  # fmt: skip


@pytest.mark.parametrize("case", REAL_TIME_CASES, ids=REAL_TIME_CASES.keys())
def test_a_real_time_stack_makes_its_resources_and_none_of_another_types(template: dict[str, Any], case: str) -> None:
    """Nothing serverless or asynchronous in a RealTime stack: an exact list, so any change to it is deliberate."""
    stack = Evaluator(template, REAL_TIME_CASES[case])
    assert set(stack.resources()) == REAL_TIME_RESOURCES[case]
    assert set(stack.outputs()) == SEVEN_OUTPUTS | {"DashboardUrl"}
    variant = props(stack, "EndpointConfig")["ProductionVariants"][0]
    assert "ServerlessConfig" not in variant
    assert "AsyncInferenceConfig" not in props(stack, "EndpointConfig")
    assert stack.outputs()["SecurityGroupId"] != "none"
    assert stack.failed_rules() == []


def test_a_serverless_variant_has_a_serverless_config_and_no_instance_settings(deploy: Deploy) -> None:
    stack = deploy(**SERVERLESS, ServerlessMemorySizeInMB="4096", ServerlessMaxConcurrency="50")
    config = props(stack, "EndpointConfig")
    assert config["ProductionVariants"] == [
        {
            "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
            "VariantName": "AllTraffic",
            "ServerlessConfig": {"MemorySizeInMB": "4096", "MaxConcurrency": "50"},
        }
    ]
    assert "KmsKeyId" not in config  # no instance, so no storage volume to encrypt
    assert "DataCaptureConfig" not in config
    assert "AsyncInferenceConfig" not in config
    assert stack.failed_rules() == []


def test_a_serverless_stack_has_no_vpc_security_group_disk_alarm_or_network_permissions(deploy: Deploy) -> None:
    stack = deploy(**SERVERLESS)
    resources = stack.resources()
    assert "EndpointSecurityGroup" not in resources
    assert "DiskUtilizationAlarm" not in resources
    assert "VpcConfig" not in props(stack, "Model")
    statements = props(stack, "ModelExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert not [s for s in statements if any(str(a).startswith("ec2:") for a in s["Action"])]
    outputs = stack.outputs()
    assert outputs["SecurityGroupId"] == "none"
    assert outputs["EndpointName"] == {"Fn::GetAtt": ["Endpoint", "EndpointName"]}
    name = props(stack, "Endpoint")["EndpointName"]
    assert name == "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-serverless"


def test_the_derived_name_differs_per_type_so_a_change_of_type_makes_a_new_endpoint(deploy: Deploy) -> None:
    names = {
        kind: props(deploy(**values), "Endpoint")["EndpointName"]
        for kind, values in {"RealTime": ARN_MODE, "Serverless": SERVERLESS, "Async": ASYNC}.items()
    }
    assert names == {
        "RealTime": "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f",
        "Serverless": "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-serverless",
        "Async": "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-async",
    }
    assert all(len(name) <= 63 for name in names.values())


def test_provisioned_concurrency_is_set_and_autoscaled_between_itself_and_the_maximum(deploy: Deploy) -> None:
    stack = deploy(**SERVERLESS, ServerlessProvisionedConcurrency="4", ServerlessMaxConcurrency="30",
                   ManagedInstanceScaling="true")  # fmt: skip
    variant = props(stack, "EndpointConfig")["ProductionVariants"][0]
    assert variant["ServerlessConfig"]["ProvisionedConcurrency"] == "4"
    target = props(stack, "ScalableTarget")
    assert (target["ScalableDimension"], target["MinCapacity"], target["MaxCapacity"]) == (
        "sagemaker:variant:DesiredProvisionedConcurrency",
        "4",
        "30",
    )
    resources = stack.resources()
    assert {"InvocationsScalingPolicy", "BacklogScalingPolicy", "ScaleOutFromZeroPolicy"}.isdisjoint(resources)
    tracking = props(stack, "ProvisionedConcurrencyScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerVariantProvisionedConcurrencyUtilization"
    }
    assert tracking["TargetValue"] == 0.5
    assert stack.failed_rules() == []


SERVERLESS_REFUSALS = {
    "a VPC": ({"VpcId": VPC["VpcId"]}, "VpcId is for EndpointType RealTime and Async (a serverless endpoint runs "
              "outside your VPC: SageMaker takes no VPC configuration for it): clear it, or set EndpointType to "
              "RealTime or Async."),
    "subnets": ({"SubnetIds": VPC["SubnetIds"]}, "SubnetIds is for EndpointType RealTime and Async (a serverless "
                "endpoint runs outside your VPC: SageMaker takes no VPC configuration for it): clear it, or set "
                "EndpointType to RealTime or Async."),
    "network isolation": ({"EnableNetworkIsolation": "true"}, "Serverless endpoints do not support network "
                          "isolation: set EnableNetworkIsolation to false to accept that, or choose EndpointType "
                          "RealTime."),
    "data capture": ({"DataCaptureSamplingPercentage": "10", "ModelArtifactsBucketArn": BUCKET},
                     "DataCaptureSamplingPercentage is for EndpointType RealTime (SageMaker's feature table marks "
                     "data capture for real-time endpoints only): set it to 0, or set EndpointType to RealTime."),
    "an instance setting": ({"VolumeSizeInGB": "50"}, "VolumeSizeInGB is for EndpointType RealTime and Async (a "
                            "serverless endpoint has no instances): clear it, or set EndpointType to RealTime or "
                            "Async."),
    "an inference AMI": ({"InferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-2"}, "InferenceAmiVersion is for "
                          "EndpointType RealTime and Async (a serverless endpoint has no instances): clear it, or set "
                          "EndpointType to RealTime or Async."),
    "a download timeout": ({"ModelDataDownloadTimeoutInSeconds": "600"}, "ModelDataDownloadTimeoutInSeconds is for "
                           "EndpointType RealTime and Async (a serverless endpoint has no instances): clear it, or "
                           "set EndpointType to RealTime or Async."),
    "a startup timeout": ({"ContainerStartupHealthCheckTimeoutInSeconds": "600"}, "ContainerStartupHealthCheck"
                          "TimeoutInSeconds is for EndpointType RealTime and Async (a serverless endpoint has no "
                          "instances): clear it, or set EndpointType to RealTime or Async."),
    "a canary": ({"DeploymentStrategy": "CANARY"}, "Serverless endpoints update blue/green all at once: set "
                 "DeploymentStrategy to ALL_AT_ONCE (canary and linear steps are sized in instances)."),
    "scaling without provisioned concurrency": ({"ManagedInstanceScaling": "true"}, "With EndpointType Serverless, "
        "ManagedInstanceScaling scales provisioned concurrency: set ServerlessProvisionedConcurrency (its floor), or "
        "set ManagedInstanceScaling to false."),
    "provisioned above the maximum": ({"ServerlessProvisionedConcurrency": "6", "ServerlessMaxConcurrency": "5"},
        "ServerlessProvisionedConcurrency is above ServerlessMaxConcurrency: lower it, or raise the maximum."),
    "async settings": ({"AsyncOutputS3Uri": "s3://b/p"}, "AsyncOutputS3Uri is for EndpointType Async: clear it, or "
                       "set EndpointType to Async."),
}  # fmt: skip


@pytest.mark.parametrize(("given", "message"), SERVERLESS_REFUSALS.values(), ids=SERVERLESS_REFUSALS.keys())
def test_what_serverless_does_not_support_is_refused_before_anything_is_created(
    deploy: Deploy, given: dict[str, str], message: str
) -> None:
    assert deploy(**{**SERVERLESS, **given}).failed_rules() == [message]


def pairs_around_each_maximum_and_every_value_at_decade_edges() -> list[tuple[int, str]]:
    """Every maximum 1-200 with no, the least, the most, and its neighbouring provisioned concurrency; and every
    provisioned value against the maxima where a decade starts or ends (the whole grid takes 6 s)."""
    around = [(m, p) for m in range(1, 201) for p in ("", "1", "200", str(m - 1), str(m), str(m + 1))]
    edges = [(m, p) for m in (1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 109, 110, 190, 199, 200)
             for p in ["", *map(str, range(1, 201))]]  # fmt: skip
    return [(m, p) for m, p in around + edges if p in ("", *map(str, range(1, 201)))]


def test_provisioned_concurrency_above_the_maximum_is_refused_for_every_pair_of_values(
    template: dict[str, Any],
) -> None:
    """SageMaker API, ProductionVariantServerlessConfig.ProvisionedConcurrency
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html): "Should
    be less than or equal to MaxConcurrency." Rules cannot compare numbers, so the Rule decides it decade by decade:
    each maximum 1-200 against the provisioned concurrencies around it, and every one at the decades' edges, is refused
    exactly when above it, so a
    template-only deploy (console, Service Catalog, StackSets) is refused as the command refuses it."""
    (assertion,) = [
        a["Assert"] for a in template["Rules"]["ServerlessSupportsNoneOfThese"]["Assertions"]
        if a["AssertDescription"] == SERVERLESS_ORDER.description
    ]  # fmt: skip
    evaluator = Evaluator(template, SERVERLESS)
    wrong = []
    for maximum, provisioned in pairs_around_each_maximum_and_every_value_at_decade_edges():
        evaluator.params.update(ServerlessMaxConcurrency=str(maximum), ServerlessProvisionedConcurrency=provisioned)
        if evaluator.truth(assertion) != (provisioned == "" or int(provisioned) <= maximum):
            wrong.append((maximum, provisioned))
    assert wrong == []


def test_async_writes_responses_and_failures_with_the_stacks_key_and_tells_the_topics(deploy: Deploy) -> None:
    stack = deploy(**ASYNC, AsyncFailureS3Uri="s3://ml-async-111122223333/churn/failed",
                   AsyncSuccessTopicArn=TOPIC.format("ok"), AsyncErrorTopicArn=TOPIC.format("failed"),
                   AsyncMaxConcurrentInvocationsPerInstance="4")  # fmt: skip
    assert props(stack, "EndpointConfig")["AsyncInferenceConfig"] == {
        "OutputConfig": {
            "S3OutputPath": "s3://ml-async-111122223333/churn/out",
            "S3FailurePath": "s3://ml-async-111122223333/churn/failed",
            "KmsKeyId": {"Fn::GetAtt": ["EncryptionKey", "Arn"]},
            "NotificationConfig": {"SuccessTopic": TOPIC.format("ok"), "ErrorTopic": TOPIC.format("failed")},
        },
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": "4"},
    }
    assert props(stack, "EndpointConfig")["ProductionVariants"][0]["InstanceType"] == "ml.m4.xlarge"
    assert stack.outputs()["AsyncOutputS3Uri"] == "s3://ml-async-111122223333/churn/out"
    assert "EndpointSecurityGroup" in stack.resources()
    assert stack.failed_rules() == []


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("s3:PutObject", "arn:aws:s3:::ml-async-111122223333/churn/out/5b1c.out", True),
        ("s3:PutObject", "arn:aws:s3:::ml-async-111122223333/churn/failed/5b1c.err", True),
        ("s3:GetObject", "arn:aws:s3:::ml-requests-111122223333/churn/in/payload.json", True),
        ("sns:Publish", "arn:aws:sns:eu-west-1:111122223333:async-ok", True),
        ("sns:Publish", "arn:aws:sns:eu-west-1:111122223333:async-failed", True),
        ("s3:PutObject", "arn:aws:s3:::ml-async-111122223333/churn/other/5b1c.out", False),
        ("s3:PutObject", "arn:aws:s3:::ml-async-111122223333/churn/outside.out", False),
        ("s3:PutObject", "arn:aws:s3:::ml-requests-111122223333/churn/in/payload.json", False),
        ("s3:GetObject", "arn:aws:s3:::ml-async-111122223333/churn/out/5b1c.out", False),
        ("sns:Publish", "arn:aws:sns:eu-west-1:111122223333:ops", False),
    ],
)
def test_the_execution_role_writes_exactly_the_async_prefixes_and_publishes_to_exactly_the_topics(
    deploy: Deploy, action: str, resource: str, allowed: bool
) -> None:
    stack = deploy(**ASYNC, AsyncFailureS3Uri="s3://ml-async-111122223333/churn/failed",
                   AsyncInputS3Uri="s3://ml-requests-111122223333/churn/in",
                   AsyncSuccessTopicArn=TOPIC.format("ok"), AsyncErrorTopicArn=TOPIC.format("failed"))  # fmt: skip
    statements = props(stack, "ModelExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    assert allows(statements, action, resource) is allowed


def test_an_async_endpoint_scales_to_zero_on_its_backlog_and_back_out_when_requests_wait(deploy: Deploy) -> None:
    stack = deploy(**ASYNC, ManagedInstanceScaling="true", ScalingMinInstanceCount="0",
                   ScalingTargetBacklogPerInstance="3")  # fmt: skip
    assert stack.failed_rules() == []
    target = props(stack, "ScalableTarget")
    assert (target["ScalableDimension"], target["MinCapacity"]) == ("sagemaker:variant:DesiredInstanceCount", "0")
    name = "endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f-async"
    tracking = props(stack, "BacklogScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["CustomizedMetricSpecification"] == {
        "MetricName": "ApproximateBacklogSizePerInstance", "Namespace": "AWS/SageMaker",
        "Dimensions": [{"Name": "EndpointName", "Value": name}], "Statistic": "Average",
    }  # fmt: skip
    assert tracking["TargetValue"] == "3"
    step = props(stack, "ScaleOutFromZeroPolicy")
    assert step["StepScalingPolicyConfiguration"]["StepAdjustments"] == [
        {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}
    ]
    alarm = props(stack, "BacklogWithoutCapacityAlarm")
    assert (alarm["MetricName"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "HasBacklogWithoutCapacity",
        1,
        "GreaterThanOrEqualToThreshold",
    )
    assert alarm["AlarmActions"] == [{"Ref": "ScaleOutFromZeroPolicy"}]
    assert "InvocationsScalingPolicy" not in stack.resources()


TYPE_REFUSALS = {
    "Async without an output": ({**ARN_MODE, "EndpointType": "Async"}, "EndpointType Async writes every response to "
                                "S3: set AsyncOutputS3Uri (s3://bucket/prefix)."),
    "RealTime scaling to zero": ({**ARN_MODE, "ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "0"},
        "ScalingMinInstanceCount 0 (scale to zero) is for EndpointType Async, whose requests wait in a queue: a "
        "RealTime endpoint needs an instance to answer. Set it to 1 or more."),
    "RealTime without a VPC": ({"ModelPackageArn": PACKAGE_ARN, **ARTIFACTS}, "EndpointType RealTime and Async "
        "run instances in your VPC: set VpcId and SubnetIds (or choose EndpointType Serverless, which runs outside "
        "it)."),
    "RealTime with async settings": ({**ARN_MODE, "AsyncErrorTopicArn": TOPIC.format("failed")}, "AsyncErrorTopicArn "
        "is for EndpointType Async: clear it, or set EndpointType to Async."),
    "RealTime with provisioned concurrency": ({**ARN_MODE, "ServerlessProvisionedConcurrency": "2"},
        "ServerlessProvisionedConcurrency is for EndpointType Serverless: clear it, or set EndpointType to "
        "Serverless."),
}  # fmt: skip


@pytest.mark.parametrize(("values", "message"), TYPE_REFUSALS.values(), ids=TYPE_REFUSALS.keys())
def test_each_type_refuses_what_it_cannot_take(deploy: Deploy, values: dict[str, str], message: str) -> None:
    assert deploy(**values).failed_rules() == [message]


@pytest.mark.parametrize("endpoint_type", ["Serverless", "Async"])
def test_group_mode_and_deploy_on_approval_work_for_the_other_types_too(deploy: Deploy, endpoint_type: str) -> None:
    approval = {
        "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": "artifacts-111122223333", **ARTIFACTS,
        "DeployOnApproval": "true", "DeploymentRoleArn": "arn:aws:iam::111122223333:role/deployer",
    }  # fmt: skip
    typed = (
        {"EndpointType": "Serverless", "EnableNetworkIsolation": "false"}
        if endpoint_type == "Serverless"
        else {**VPC, "EndpointType": "Async", "AsyncOutputS3Uri": "s3://ml-async-111122223333/out"}
    )
    stack = deploy(**approval, **typed)
    assert stack.failed_rules() == []
    resources = stack.resources()
    assert {"LatestApprovedModelPackage", "ApprovalRule", "ApprovalQueue", "ApprovalUpdaterFunction"} <= set(resources)
    container = props(stack, "Model")["PrimaryContainer"]
    assert container["ModelPackageName"] == {"Fn::GetAtt": ["LatestApprovedModelPackage", "ModelPackageArn"]}
    assert stack.outputs()["ModelPackageArn"] == container["ModelPackageName"]


def dashboard(stack: Evaluator) -> list[dict[str, Any]]:
    from tests.support.template_eval import as_text  # noqa: PLC0415

    widgets: list[dict[str, Any]] = json.loads(as_text(props(stack, "Dashboard")["DashboardBody"]))["widgets"]
    return widgets


def metric_names(widgets: list[dict[str, Any]]) -> set[str]:
    return {m[1] for w in widgets if w["type"] == "metric" for m in w["properties"]["metrics"] if len(m) > 1}


# What each type's guide lists as published, each list exhaustive:
# https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html: "Any metric not listed below
# is not published for serverless endpoints." ... "Serverless endpoints can also use the Invocations4XXErrors,
# Invocations5XXErrors, Invocations, ModelLatency, ModelSetupTime and MemoryUtilization metrics." (with
# OverheadLatency, and ServerlessConcurrentExecutionsUtilization for every serverless endpoint);
# https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html: "Any metric not listed below is not
# published if the endpoint is enabled for asynchronous inference. Such metrics include (but are not limited to):
# OverheadLatency Invocations InvocationsPerInstance" (the list: the 4xx/5xx errors, ModelLatency, the backlog, the
# request and response failures and latencies; "Asynchronous Inference also includes host-level metrics").
PUBLISHED = {
    "Serverless": {"Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", "OverheadLatency",
                   "ModelSetupTime", "MemoryUtilization", "ServerlessConcurrentExecutionsUtilization"},
    "Async": {"Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency", "ApproximateBacklogSize",
              "ApproximateBacklogSizePerInstance", "ApproximateAgeOfOldestRequest", "HasBacklogWithoutCapacity",
              "RequestDownloadFailures", "ResponseUploadFailures", "NotificationFailures", "RequestDownloadLatency",
              "ResponseUploadLatency", "ExpiredRequests", "InvocationFailures", "TimeInBacklog",
              "TotalProcessingTime", "CPUUtilization", "MemoryUtilization", "DiskUtilization"},
}  # fmt: skip
APPROVALS = {  # group mode, following approvals
    "ModelPackageArn": "", "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": "artifacts-111122223333",
    "DeployOnApproval": "true", "DeploymentRoleArn": "arn:aws:iam::111122223333:role/deployer",
}  # fmt: skip
APPROVAL_QUEUE_METRICS = {"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"}


@pytest.mark.parametrize("endpoint_type", ["Serverless", "Async"])
@pytest.mark.parametrize("on_approval", [False, True], ids=["by ARN", "on approval"])
def test_each_types_dashboard_shows_only_metrics_sagemaker_publishes_for_that_type(
    deploy: Deploy, endpoint_type: str, on_approval: bool
) -> None:
    """A widget on a metric the type does not publish stays empty, or misleads: each type has its own body, every
    metric on it from its type's exhaustive list (the approval queues' SQS metrics where deploy on approval is on)."""
    values = {"Serverless": SERVERLESS, "Async": ASYNC}[endpoint_type]
    if on_approval:
        values = {**values, **APPROVALS}
    widgets = dashboard(deploy(**values))
    allowed = PUBLISHED[endpoint_type] | (APPROVAL_QUEUE_METRICS if on_approval else set())
    assert metric_names(widgets) <= allowed
    assert ("Approval queue" in [w["properties"]["title"] for w in widgets]) is on_approval
    assert len({(w["x"], w["y"]) for w in widgets}) == len(widgets)  # no widget hides another


def test_a_serverless_dashboard_has_no_instances_and_shows_concurrency_memory_and_cold_starts(deploy: Deploy) -> None:
    widgets = dashboard(deploy(**SERVERLESS))
    assert [w["properties"]["title"] for w in widgets] == [
        "Invocations", "Errors: 4xx and 5xx", "Latency, p99 (microseconds)", "Concurrency in use (of the maximum)",
        "Memory (%)", "Cold starts: model setup time (microseconds)", "Alarms",
    ]  # fmt: skip
    assert not {"CPUUtilization", "DiskUtilization", "InvocationsPerInstance"} & metric_names(widgets)


def test_an_async_dashboard_counts_instances_by_cpu_samples_and_shows_its_queue_and_failures(deploy: Deploy) -> None:
    """The async troubleshooting guide (https://docs.aws.amazon.com/sagemaker/latest/dg/
    async-inference-troubleshooting.html) counts instances by CPUUtilization's sample count: "check the sample count
    statistic for a 1 minute period. The count should be equal to the number of active instances." The queue's
    metrics are published "with the EndpointName dimension" only (async-inference-monitor)."""
    stack = deploy(**ASYNC)
    name = props(stack, "Endpoint")["EndpointName"]
    widgets = {w["properties"]["title"]: w["properties"] for w in dashboard(stack)}
    (count,) = widgets["Instances against the scaling bounds"]["metrics"]
    assert (count[0], count[1], count[-1]["stat"], widgets["Instances against the scaling bounds"]["period"]) == (
        "/aws/sagemaker/Endpoints",
        "CPUUtilization",
        "SampleCount",
        60,
    )
    for title in ("Async requests waiting", "Async requests waiting with no instance",
                  "Oldest async request waiting (seconds)"):  # fmt: skip
        assert all(m[2:-1] == ["EndpointName", name] for m in widgets[title]["metrics"]), title
    assert {m[1] for m in widgets["Async requests failed"]["metrics"]} == {
        "InvocationFailures", "RequestDownloadFailures", "ResponseUploadFailures", "NotificationFailures",
        "ExpiredRequests",
    }  # fmt: skip
    for other in (ARN_MODE, SERVERLESS):
        assert "Async requests waiting" not in [w["properties"]["title"] for w in dashboard(deploy(**other))]


def test_an_async_endpoint_is_invoked_at_its_async_invocations_path(deploy: Deploy) -> None:
    """InvokeEndpointAsync's requestUri is /endpoints/{EndpointName}/async-invocations (sagemaker-runtime API model);
    InvokeEndpoint's, for RealTime and Serverless, /endpoints/{EndpointName}/invocations."""
    for values, action in ((ASYNC, "async-invocations"), (ARN_MODE, "invocations"), (SERVERLESS, "invocations")):
        url = deploy(**values).outputs()["EndpointUrl"]["Fn::Sub"]
        assert url[0].endswith("/endpoints/${Name}/" + action), values


def test_the_role_may_use_an_encrypted_async_topics_key_through_sns_only(deploy: Deploy) -> None:
    """SNS guide (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): "The publisher must have the
    `kms:GenerateDataKey` and `kms:Decrypt` permissions for the AWS KMS key." AWS is silent on the principal SageMaker
    publishes an async notification as: the safe side grants the execution role both, on the keys of each topic's
    account and Region (the topic ARN does not name its key), used through that Region's SNS only; none without a
    topic."""
    success = "arn:aws:sns:eu-west-1:999988887777:async-ok"
    stack = deploy(**ASYNC, AsyncSuccessTopicArn=success, AsyncErrorTopicArn=TOPIC.format("failed"))
    (policy,) = props(stack, "ModelExecutionRole")["Policies"]
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    for sid, account in (("UseAsyncSuccessTopicKey", "999988887777"), ("UseAsyncErrorTopicKey", "111122223333")):
        assert by_sid[sid] == {
            "Sid": sid, "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": [f"arn:aws:kms:eu-west-1:{account}:key/*"],
            "Condition": {"StringEquals": {"kms:ViaService": "sns.eu-west-1.amazonaws.com"}},
        }  # fmt: skip
    (bare,) = props(deploy(**ASYNC), "ModelExecutionRole")["Policies"]
    assert not {s["Sid"] for s in bare["PolicyDocument"]["Statement"]} & {
        "UseAsyncSuccessTopicKey",
        "UseAsyncErrorTopicKey",
    }
