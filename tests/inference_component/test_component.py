"""One model package as an inference component (templates/inference-component.yaml), evaluated as CloudFormation
would for given values and its shared endpoint's exports: what SageMaker asks of a component, and what the template
refuses before anything is made."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.components import (
    COMPONENT_ARN_MODE,
    COMPONENT_GROUP_MODE,
    ENDPOINT_ROLE,
    SHARED_ENDPOINT,
    component,
    component_template,
    exports,
    shared_endpoint,
    shared_endpoint_template,
)
from tests.support.inputs import PACKAGE_ARN
from tests.support.template_eval import STACK_UUID, Evaluator, EveryBranchEvaluator, as_text

NAME = f"component-{STACK_UUID}"


def accepts(name: str, value: str) -> bool:
    spec = component_template()["Parameters"][name]
    if "AllowedValues" in spec:
        return value in spec["AllowedValues"]
    return re.fullmatch(spec["AllowedPattern"], value) is not None


def props(logical_id: str, **values: str) -> dict[str, Any]:
    found: dict[str, Any] = component(**values).resources()[logical_id]["Properties"]
    return found


def test_the_model_is_made_from_the_package_with_the_endpoints_role_and_isolation() -> None:
    """Specification.ModelName: "The name of an existing SageMaker AI model object in your account"
    (InferenceComponentSpecification); AWS's SDK makes it from the package (ModelPackage.deploy with
    INFERENCE_COMPONENT_BASED: `container_def = {"ModelPackageName": self.model_package_arn}`). Isolation imported:
    the SDK sets the config's "to match the built Model ..., fixing CreateInferenceComponent rejection on mismatched
    network isolation" (aws/sagemaker-python-sdk 04a71225c). No VpcConfig: AWS says nothing of a model's own under an
    endpoint with components; the endpoint config's places the instances."""
    for isolation in ("true", "false"):
        model = component(isolation).resources()["Model"]
        assert model["Properties"]["PrimaryContainer"] == {"ModelPackageName": PACKAGE_ARN}
        assert model["Properties"]["ExecutionRoleArn"] == ENDPOINT_ROLE
        assert model["Properties"]["EnableNetworkIsolation"] == isolation
        assert "VpcConfig" not in model["Properties"]
        assert (model["UpdateReplacePolicy"], model["DependsOn"]) == ("Retain", ["PackageAccessPolicy"])


def test_the_component_joins_the_named_endpoint_and_its_imported_variant() -> None:
    """CreateInferenceComponent requires InferenceComponentName and EndpointName (botocore `required`); CloudFormation
    returns no GetAtt for the name, so the template derives it, and the scalable target and alarms name it."""
    component_props = props("InferenceComponent")
    assert (component_props["InferenceComponentName"], component_props["EndpointName"]) == (NAME, SHARED_ENDPOINT)
    assert component_props["VariantName"] == "AllTraffic"
    assert component_props["Specification"]["ModelName"] == {"Fn::GetAtt": ["Model", "ModelName"]}
    assert props("InferenceComponent", InferenceComponentName="churn")["InferenceComponentName"] == "churn"


def test_every_import_is_an_export_the_shared_endpoints_stack_makes() -> None:
    """The component imports by the endpoint's name what inference-endpoint.yaml exports under it. "You can't delete a
    stack if another stack references one of its outputs." (CloudFormation Template Reference, Fn::ImportValue): the
    endpoint's stack cannot go while a component imports from it."""
    shared = shared_endpoint()
    made = {shared.value(o["Export"]["Name"]) for o in shared_endpoint_template()["Outputs"].values() if "Export" in o}
    imported: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if "Fn::ImportValue" in node:
                imported.add(component().value(node["Fn::ImportValue"]))
            for item in node.values():
                collect(item)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(component_template()["Resources"])
    assert imported == {f"sagemaker-endpoint:{SHARED_ENDPOINT}:{key}" for key in
                        ("ExecutionRoleArn", "ExecutionRoleName", "VariantName", "EnableNetworkIsolation")}  # fmt: skip
    assert imported <= made


def test_each_copy_reserves_the_memory_and_only_what_is_given() -> None:
    """InferenceComponentComputeResourceRequirements: `required: ['MinMemoryRequiredInMb']` (min 128),
    NumberOfCpuCoresRequired min 0.25, NumberOfAcceleratorDevicesRequired min 1 (botocore sagemaker service-2)."""
    assert props("InferenceComponent")["Specification"]["ComputeResourceRequirements"] == {
        "MinMemoryRequiredInMb": "1024"
    }
    gpu = props("InferenceComponent", NumberOfAcceleratorDevicesRequired="1", MinMemoryRequiredInMb="8192")
    assert gpu["Specification"]["ComputeResourceRequirements"] == {
        "MinMemoryRequiredInMb": "8192",
        "NumberOfAcceleratorDevicesRequired": "1",
    }
    assert accepts("NumberOfCpuCoresRequired", "0.25")
    assert accepts("NumberOfCpuCoresRequired", "2.5")
    assert not accepts("NumberOfCpuCoresRequired", "0.2")
    assert not accepts("NumberOfCpuCoresRequired", "0")
    assert not accepts("NumberOfAcceleratorDevicesRequired", "0")
    assert not accepts("MinMemoryRequiredInMb", "127")
    assert not accepts("MinMemoryRequiredInMb", "")


def test_a_component_is_never_created_with_zero_copies() -> None:
    """ "Inference components copy count an integer larger than 0" (https://github.com/stdapi-ai/stdapi.ai/issues/43):
    CopyCount's constraint refuses 0; scale to zero is the scalable target's minimum."""
    assert not accepts("CopyCount", "0")
    assert accepts("CopyCount", "1")
    assert props("InferenceComponent", CopyCount="2")["RuntimeConfig"] == {"CopyCount": "2"}
    assert accepts("ScalingMinCopyCount", "0")


def test_the_rolling_update_moves_5_to_50_percent_of_capacity_and_rolls_back_on_its_alarms() -> None:
    """MaximumBatchSize: "The value must be between 5% to 50% of the copy count of the inference component"
    (InferenceComponentRollingUpdatePolicy): a CAPACITY_PERCENT, whatever the copies; WaitIntervalInSeconds 0 to 3600,
    MaximumExecutionTimeoutInSeconds 600 to 28800 (botocore). No RollbackMaximumBatchSize: blue/green rollback."""
    deployment = props("InferenceComponent")["DeploymentConfig"]
    assert deployment == {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": "50"},
            "WaitIntervalInSeconds": "300",
            "MaximumExecutionTimeoutInSeconds": "7200",
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": {"Ref": "Invocation5xxAlarm"}}, {"AlarmName": {"Ref": "ModelLatencyAlarm"}}]
        },
    }
    assert [accepts("DeploymentBatchPercent", v) for v in ("4", "5", "50", "51")] == [False, True, True, False]
    alarm = props("Invocation5xxAlarm")
    assert alarm["Dimensions"] == [{"Name": "InferenceComponentName", "Value": NAME}]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SageMaker", "Invocation5XXErrors")
    assert alarm["AlarmName"] == f"sagemaker-endpoint-{STACK_UUID}-rollback-5xx"


def test_copies_scale_on_a_per_copy_metric_between_minimum_and_maximum() -> None:
    """RegisterScalableTarget: "inference-component/my-inference-component", dimension
    "sagemaker:inference-component:DesiredCopyCount"; PredefinedMetricType SageMakerInferenceComponentInvocationsPerCopy
    (Application Auto Scaling API Reference). Registered after the component (DependsOn)."""
    resources = component(ScalingMaxCopyCount="8").resources()
    target = resources["ScalableTarget"]
    assert target["DependsOn"] == ["InferenceComponent"]
    assert {k: target["Properties"][k] for k in ("ResourceId", "ScalableDimension", "ServiceNamespace")} == {
        "ResourceId": f"inference-component/{NAME}",
        "ScalableDimension": "sagemaker:inference-component:DesiredCopyCount",
        "ServiceNamespace": "sagemaker",
    }
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == ("1", "8")
    tracking = resources["CopiesScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    metric = tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
    assert metric == "SageMakerInferenceComponentInvocationsPerCopy"
    assert "ScaleOutFromZeroPolicy" not in resources
    assert "NoCapacityAlarm" not in resources


def test_scale_to_zero_adds_the_documented_step_policy_and_its_no_capacity_alarm() -> None:
    """SageMaker Developer Guide, "Scale an endpoint to zero instances": min capacity 0; a step policy
    `{"AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Maximum", "Cooldown": 60, "StepAdjustments":
    [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}`; its alarm on NoCapacityInvocationFailures, dimension
    InferenceComponentName, Sum, 60 s, threshold 1, one datapoint. The page's GreaterThanThreshold would need two
    failed requests; AWS's launch post uses GreaterThanOrEqualToThreshold, as here."""
    resources = component(ScalingMinCopyCount="0").resources()
    assert resources["ScalableTarget"]["Properties"]["MinCapacity"] == "0"
    step = resources["ScaleOutFromZeroPolicy"]["Properties"]
    assert step["PolicyType"] == "StepScaling"
    assert step["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity",
        "MetricAggregationType": "Maximum",
        "Cooldown": 60,
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
    }
    alarm = resources["NoCapacityAlarm"]["Properties"]
    assert {k: alarm[k] for k in ("Namespace", "MetricName", "Dimensions", "Statistic", "Period", "Threshold")} == {
        "Namespace": "AWS/SageMaker",
        "MetricName": "NoCapacityInvocationFailures",
        "Dimensions": [{"Name": "InferenceComponentName", "Value": NAME}],
        "Statistic": "Sum",
        "Period": 60,
        "Threshold": 1,
    }
    assert (alarm["ComparisonOperator"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (
        "GreaterThanOrEqualToThreshold",
        1,
        1,
    )
    assert alarm["AlarmActions"] == [{"Ref": "ScaleOutFromZeroPolicy"}]


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"ScalingMinCopyCount": "3", "ScalingMaxCopyCount": "2", "CopyCount": "3"}, "ScalingMaxCopyCount is below"),
        ({"ScalingMinCopyCount": "2", "CopyCount": "1"}, "CopyCount is below ScalingMinCopyCount"),
        ({"ScalingMaxCopyCount": "2", "CopyCount": "3"}, "CopyCount is above ScalingMaxCopyCount"),
    ],
)
def test_copy_counts_out_of_order_are_refused_with_the_fix(values: dict[str, str], refusal: str) -> None:
    assert [text for text in component(**values).failed_rules() if refusal in text] != []


def test_the_endpoints_role_may_read_only_this_packages_bucket_repository_key_and_alarms() -> None:
    """The role SageMaker fetches a component's artifacts and image with, and reads its rollback alarms with
    ("Ensure that your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on the
    auto-rollback alarms you specify": SageMaker Developer Guide), while the component exists."""
    repo = "arn:aws:ecr:eu-west-1:111122223333:repository/team/churn"
    key = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    policy = props("PackageAccessPolicy", EcrRepoArn=repo, ModelArtifactsKmsKeyArn=key)
    assert (policy["Roles"], policy["Path"]) == ([ENDPOINT_ROLE.rsplit("/", 1)[1]], "/sagemaker-endpoint/")
    statements = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["PolicyDocument"]["Statement"]}
    assert statements == {
        "ListModelArtifactsBucket": (["s3:ListBucket"], [COMPONENT_ARN_MODE["ModelArtifactsBucketArn"]]),
        "ReadModelArtifacts": (["s3:GetObject"], [COMPONENT_ARN_MODE["ModelArtifactsBucketArn"] + "/*"]),
        "PullInferenceImage": (
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repo]
        ),
        "GetEcrAuthorizationToken": (["ecr:GetAuthorizationToken"], ["*"]),  # it has no resource type
        "DecryptModelArtifacts": (["kms:Decrypt", "kms:DescribeKey"], [key]),
        "GrantModelArtifactsKeyToSageMaker": (["kms:CreateGrant"], [key]),
        "DescribeRollbackAlarms": (
            ["cloudwatch:DescribeAlarms"],
            [f"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:sagemaker-endpoint-{STACK_UUID}-rollback-{kind}"
             for kind in ("5xx", "latency")],
        ),
    }  # fmt: skip
    without = props("PackageAccessPolicy")["PolicyDocument"]["Statement"]
    assert [s["Sid"] for s in without] == ["ListModelArtifactsBucket", "ReadModelArtifacts", "DescribeRollbackAlarms"]


def test_the_outputs_say_how_to_invoke_it_and_what_it_serves() -> None:
    """InvokeEndpoint's InferenceComponentName: "If the endpoint hosts one or more inference components, this
    parameter specifies the name of inference component to invoke" (SageMaker Runtime API Reference)."""
    outputs = component().outputs()
    assert outputs["InferenceComponentName"] == NAME
    assert outputs["EndpointUrl"] == (
        f"https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/{SHARED_ENDPOINT}/invocations"
    )
    assert outputs["ModelPackageArn"] == PACKAGE_ARN
    assert as_text(outputs["ModelName"]) == "<Model.ModelName>"


def test_group_mode_resolves_the_package_and_keeps_a_key_only_for_its_own_logs_and_queues() -> None:
    """The resolver and deploy on approval are the endpoint template's; the key exists only where they do."""
    arn_mode = component().resources()
    assert "EncryptionKey" not in arn_mode
    assert "LatestApprovedModelPackage" not in arn_mode
    group = Evaluator(component_template(), COMPONENT_GROUP_MODE, exports=exports()).resources()
    assert group["Model"]["Properties"]["PrimaryContainer"] == {
        "ModelPackageName": {"Fn::GetAtt": ["LatestApprovedModelPackage", "ModelPackageArn"]}
    }
    assert "EncryptionKey" in group


def test_its_updater_checks_the_component_and_removes_only_models_this_stack_tagged() -> None:
    """After an update the updater compares the component's model with the stack's (DescribeInferenceComponent), then
    deletes the stack's retained Models it no longer serves, and only those tagged with its stack's id."""
    values = {**COMPONENT_GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ENDPOINT_ROLE}
    resources = Evaluator(component_template(), values, exports=exports()).resources()
    (policy,) = resources["ApprovalUpdaterRole"]["Properties"]["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["DescribeInferenceComponents"]["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:111122223333:inference-component/*"
    ]
    remove = statements["RemoveOwnRetainedModels"]
    assert (remove["Action"], remove["Condition"]) == (
        ["sagemaker:DeleteModel"],
        {"StringEquals": {"aws:ResourceTag/sagemaker-endpoint:stack-id": Evaluator(component_template(), {}).pseudo[
            "AWS::StackId"]}},
    )  # fmt: skip
    assert "DescribeEndpoints" not in statements
    assert "RemoveOwnRetainedResources" not in statements


@pytest.mark.parametrize(
    "values",
    [
        COMPONENT_ARN_MODE,
        {**COMPONENT_GROUP_MODE, "DeployOnApproval": "true", "DeploymentRoleArn": ENDPOINT_ROLE,
         "ScalingMinCopyCount": "0", "ModelDataDownloadTimeoutInSeconds": "600", "NumberOfCpuCoresRequired": "1"},
    ],
    ids=["arn mode", "group mode, everything on"],
)  # fmt: skip
def test_every_branch_of_every_expression_evaluates(values: dict[str, str]) -> None:
    EveryBranchEvaluator(component_template(), values, exports=exports()).everything()
