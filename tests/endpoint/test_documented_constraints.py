"""Constraints AWS documents for the endpoint template and the registry kit that docs/aws-constraints.md lists and
no other test held: IAM's and KMS's sizes at the longest values the parameters admit, EventBridge's event pattern
quota, Lambda's environment size, CloudWatch's alarm rules, EC2's description characters, what the Async role must
reach, the dashboard's account-wide name and the tag values SageMaker Projects' inputs become. Each quotes its
source; each row of the page names the test that holds it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from generator.deploy.checks import constraint_problems
from generator.endpoint.template import build_template
from generator.registry.forwarding import MAX_ACCOUNTS
from generator.registry.template import build_registry_access_template
from tests.support.deploy_time import PSEUDO_SETS, DeployTimeEvaluator, in_partition
from tests.support.iam_eval import allows
from tests.support.inputs import ARN_MODE, GROUP_MODE, VPC
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
ACCOUNT, REGISTRY = "111122223333", "444455556666"
BUCKET = (f"ml-artifacts-{ACCOUNT}-" * 3)[:62] + "x"  # S3: at most 63
GROUP_NAME = ("churn-prediction-" * 4)[:62] + "x"  # SageMaker EntityName: at most 63
SUBNETS = ",".join(f"subnet-{n:017x}" for n in range(1, 17))  # VpcConfig.Subnets: at most 16


def topic(name: str) -> str:
    """An SNS topic ARN with a 256-character name, the most SNS allows."""
    return f"arn:aws:sns:eu-west-1:{ACCOUNT}:" + (name + "_" * 256)[:255] + "x"


def s3_uri(length: int) -> str:
    head = f"s3://{BUCKET}/"
    return head + ("requests/" * 60)[: length - len(head) - 1] + "x"


EVERY_OPTION = {
    **VPC, "SubnetIds": SUBNETS, "ModelArtifactsBucketArn": f"arn:aws:s3:::{BUCKET}",
    "ModelPackageGroupName": f"arn:aws:sagemaker:eu-west-1:{REGISTRY}:model-package-group/{GROUP_NAME}",
    "ResolverCodeS3Bucket": BUCKET, "ResolverCodeS3Key": ("releases/" * 120)[:1019] + "x.zip",
    "EcrRepoArn": f"arn:aws:ecr:eu-west-1:{REGISTRY}:repository/" + ("team/" * 40)[:199] + "x",
    "ModelArtifactsKmsKeyArn": f"arn:aws:kms:eu-west-1:{REGISTRY}:key/mrk-0123456789abcdef0123456789abcdef",
    "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/" + ("boundaries/" * 50)[:511] + "x",
    "DeployOnApproval": "true",
    "DeploymentRoleArn": f"arn:aws:iam::{ACCOUNT}:role/" + ("deployers/" * 60)[:511] + "x",
    "AlarmTopicArn": topic("endpoint-alarms"), "EndpointName": "e" * 63, "VariantName": "v" * 63,
    "ManagedInstanceScaling": "true", "ScalingMaxInstanceCount": "100",
    "SageMakerProjectName": "p" * 32, "SageMakerProjectId": "i" * 20, "SageMakerDomainId": "d-" + "a" * 61,
    "SageMakerDomainArn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:domain/d-" + "a" * 61,
}  # fmt: skip
LONGEST = {
    "RealTime, data capture, every option": {
        **EVERY_OPTION, "DataCaptureSamplingPercentage": "100", "DataCapturePrefix": ("capture/" * 60)[:442] + "x",
    },
    "Async, every option": {
        **EVERY_OPTION, "EndpointType": "Async", "ScalingMinInstanceCount": "0",
        "AsyncOutputS3Uri": s3_uri(512), "AsyncFailureS3Uri": s3_uri(512), "AsyncInputS3Uri": s3_uri(512),
        "AsyncSuccessTopicArn": topic("succeeded"), "AsyncErrorTopicArn": topic("failed"),
    },
}  # fmt: skip
REGISTRY_KIT = {
    "ModelPackageGroupName": GROUP_NAME, "ResolverCodeS3Bucket": BUCKET, "AlarmTopicArn": topic("registry"),
    "WorkloadAccountIds": ",".join(f"{100000000000 + n:012d}" for n in range(1, MAX_ACCOUNTS + 1)),
    "PermissionsBoundaryArn": f"arn:aws:iam::{REGISTRY}:policy/" + ("boundaries/" * 50)[:511] + "x",
}  # fmt: skip
LONG_NAME = PSEUDO_SETS["a 128-character stack name"]


@cache
def deployed(template_name: str, value_set: str, pseudo: str) -> DeployTimeEvaluator:
    """The template as CloudFormation evaluates it, every reference a stand-in at its longest."""
    build, values = (
        (build_template, LONGEST[value_set])
        if template_name == "endpoint"
        else (build_registry_access_template, REGISTRY_KIT)
    )
    evaluator = DeployTimeEvaluator(build().to_dict(), in_partition(values, PSEUDO_SETS[pseudo]), PSEUDO_SETS[pseudo])
    assert evaluator.failed_rules() == [], value_set
    return evaluator


CASES = [
    *[("endpoint", value_set, pseudo) for value_set in LONGEST for pseudo in PSEUDO_SETS],
    *[("registry-access", "25 accounts", pseudo) for pseudo in PSEUDO_SETS],
]


def of_type(evaluator: DeployTimeEvaluator, resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: evaluator.properties(name) for name, kind in evaluator.created().items() if kind == resource_type}


def iam_size(document: Any) -> int:
    """IAM guide, IAM and AWS STS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
    "IAM doesn't count white space when calculating the size of a policy against these limits.\""""
    return len(re.sub(r"\s", "", json.dumps(document)))


@pytest.mark.parametrize(("template_name", "value_set", "pseudo"), CASES)
def test_every_role_and_key_fits_iam_and_kms_at_the_longest_values(
    template_name: str, value_set: str, pseudo: str
) -> None:
    """IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): "Role policy size
    can't exceed 10,240 characters."; "Role trust policy length | 2048 characters". CreateRole
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, botocore `roleDescriptionType`): max
    1000, `[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*`; `policyNameType` max 128 `[\\w+=,.@-]+`.
    KMS quotas (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html): "Key policy document
    size | 32 KB (32,768 bytes)"; CreateKey's Description max 8192; CreateAlias
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html): "The alias name cannot begin with
    alias/aws/." (`AliasNameType`: max 256, `^alias/[a-zA-Z0-9/_-]+$`). A value built from the stack name or a long
    ARN is longest here."""
    evaluator = deployed(template_name, value_set, pseudo)
    roles = of_type(evaluator, "AWS::IAM::Role")
    assert roles
    for name, role in roles.items():
        assert "RoleName" not in role, name  # CloudFormation names it: unique, within 64
        assert sum(iam_size(p["PolicyDocument"]) for p in role.get("Policies", [])) <= 10_240, name
        assert iam_size(role["AssumeRolePolicyDocument"]) <= 2_048, name
        assert len(role.get("Description", "")) <= 1_000, name
        assert re.fullmatch(r"[\t\n\r\x20-\x7e\xa1-\xff]*", role.get("Description", "")), name
        assert all(re.fullmatch(r"[\w+=,.@-]{1,128}", p["PolicyName"]) for p in role.get("Policies", [])), name
    for name, key in of_type(evaluator, "AWS::KMS::Key").items():
        assert len(json.dumps(key["KeyPolicy"], separators=(",", ":")).encode()) <= 32_768, name
        assert len(key.get("Description", "")) <= 8_192, name
    for name, alias in of_type(evaluator, "AWS::KMS::Alias").items():
        assert re.fullmatch(r"alias/[a-zA-Z0-9/_-]+", alias["AliasName"]), name
        assert len(alias["AliasName"]) <= 256, name
        assert not alias["AliasName"].startswith("alias/aws/"), name


@pytest.mark.parametrize("pseudo", PSEUDO_SETS)
def test_the_security_group_describes_itself_as_ec2_accepts(pseudo: str) -> None:
    """CreateSecurityGroup (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html),
    GroupDescription: "Constraints: Up to 255 characters in length Valid characters: a-z, A-Z, 0-9, spaces, and
    ._-:/()#,@[]+=&;{}!$*"; IpRange Description the same (API_IpRange.html). The stack name is in the first."""
    (group,) = of_type(deployed("endpoint", "Async, every option", pseudo), "AWS::EC2::SecurityGroup").values()
    allowed = r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}"
    assert re.fullmatch(allowed, group["GroupDescription"])
    assert all(re.fullmatch(allowed, rule["Description"]) for rule in group["SecurityGroupEgress"])


@pytest.mark.parametrize("pseudo", PSEUDO_SETS)
def test_the_approval_rules_event_pattern_stays_far_below_eventbridges_quota(pseudo: str) -> None:
    """EventBridge quotas (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html), event pattern
    size: 2,048 characters by default, adjustable (the row as read in the page's Japanese rendering:
    "イベントパターンのサイズ サポートされている各リージョン: 2,048 可能 イベントパターンの最大サイズ (文字数)"). Our
    patterns carry a group ARN of up to 170 characters and a stack id."""
    rules = of_type(deployed("endpoint", "RealTime, data capture, every option", pseudo), "AWS::Events::Rule")
    assert set(rules) == {"ApprovalRule", "StackStatusRule"}
    assert all(len(json.dumps(rule["EventPattern"])) <= 2_048 for rule in rules.values())


@pytest.mark.parametrize("pseudo", PSEUDO_SETS)
def test_the_updaters_environment_stays_under_lambdas_4_kb_at_its_longest(pseudo: str) -> None:
    """Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): "Function environment
    variables — 4 KB, for all environment variables associated with the function, in aggregate" (as the audit read
    the table row). The updater carries the stack id, a role ARN with a 512-character path, the group and the topic."""
    functions = of_type(deployed("endpoint", "Async, every option", pseudo), "AWS::Lambda::Function")
    for name, function in functions.items():
        variables = function.get("Environment", {}).get("Variables", {})
        assert sum(len(key.encode()) + len(str(value).encode()) for key, value in variables.items()) <= 4_096, name
    assert functions["ApprovalUpdaterFunction"]["Environment"]["Variables"]


def test_the_updaters_mapping_and_functions_set_nothing_fifo_or_their_invocation_forbids(deploy: Deploy) -> None:
    """CreateEventSourceMapping (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html):
    BatchSize "For FIFO queues the max is 10."; a batching window is not for FIFO queues, and ScalingConfig's
    MaximumConcurrency takes 2-1000 (one message group needs none). A function's DeadLetterConfig is "where Lambda
    sends asynchronous events when they fail processing" (CloudFormation reference, AWS::Lambda::Function): the
    mapping invokes synchronously, so the queue's redrive policy keeps what fails; no reserved concurrency is set."""
    resources = deploy(
        **GROUP_MODE, DeployOnApproval="true", DeploymentRoleArn=f"arn:aws:iam::{ACCOUNT}:role/d"
    ).resources()
    mapping = resources["ApprovalQueueToUpdater"]["Properties"]
    assert mapping["BatchSize"] <= 10
    assert {"MaximumBatchingWindowInSeconds", "ScalingConfig"} & set(mapping) == set()
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 2
    assert all({"DeadLetterConfig", "ReservedConcurrentExecutions"} & set(f) == set() for f in functions)


def test_the_updater_reads_the_encrypted_queue_with_the_stacks_key(deploy: Deploy) -> None:
    """SQS guide, "Configuring an Amazon SQS queue to trigger a Lambda function"
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html):
    "If you associate an encrypted queue with a Lambda function but Lambda doesn't poll for messages, add the
    kms:Decrypt permission to your Lambda execution role." The key policy delegates its use through SQS to IAM."""
    resources = deploy(
        **GROUP_MODE, DeployOnApproval="true", DeploymentRoleArn=f"arn:aws:iam::{ACCOUNT}:role/d"
    ).resources()
    (policy,) = resources["ApprovalUpdaterRole"]["Properties"]["Policies"]
    key = {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    grants = [s for s in policy["PolicyDocument"]["Statement"] if key in s["Resource"]]
    assert any("kms:Decrypt" in s["Action"] for s in grants)
    statements = {s["Sid"]: s for s in resources["EncryptionKey"]["Properties"]["KeyPolicy"]["Statement"]}
    through_sqs = statements["AccountReadsApprovalQueueThroughSqs"]
    assert "kms:Decrypt" in through_sqs["Action"]
    assert through_sqs["Condition"]["StringEquals"]["kms:ViaService"] == "sqs.eu-west-1.amazonaws.com"


def test_logs_may_use_each_key_only_for_the_log_group_it_encrypts(deploy: Deploy) -> None:
    """CloudWatch Logs guide (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
    "CloudWatch Logs now supports encryption context, using kms:EncryptionContext:aws:logs:arn as the key and the ARN
    of the log group as the value for that key." Each statement names one log group, the same as its LogGroupName."""
    resources = deploy(
        **GROUP_MODE, DeployOnApproval="true", DeploymentRoleArn=f"arn:aws:iam::{ACCOUNT}:role/d"
    ).resources()
    statements = {s["Sid"]: s for s in resources["EncryptionKey"]["Properties"]["KeyPolicy"]["Statement"]}
    for sid, log_group in (("LogsEncryptResolverLogGroup", "PackageResolverLogGroup"),
                           ("LogsEncryptUpdaterLogGroup", "ApprovalUpdaterLogGroup")):  # fmt: skip
        statement = statements[sid]
        assert statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
        (arn,) = statement["Condition"]["ArnEquals"].values()
        name = resources[log_group]["Properties"]["LogGroupName"]
        assert arn == f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{name}"
    kit = Evaluator(build_registry_access_template().to_dict(), REGISTRY_KIT).resources()
    share = {s["Sid"]: s for s in kit["GroupShareLogKey"]["Properties"]["KeyPolicy"]["Statement"]}
    (arn,) = share["LogsEncryptShareLogGroup"]["Condition"]["ArnEquals"].values()
    assert arn.endswith(f":log-group:{kit['GroupShareLogGroup']['Properties']['LogGroupName']}")


ALARM_STATISTICS = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"}


@pytest.mark.parametrize(("template_name", "value_set", "pseudo"), [c for c in CASES if c[2] == "test defaults"])
def test_every_alarm_is_one_cloudwatch_accepts(template_name: str, value_set: str, pseudo: str) -> None:
    """PutMetricAlarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html):
    Period "Valid values are 10, 20, 30, and any multiple of 60."; "For alarms with a period of less than one hour
    (3,600 seconds), the total evaluation period can't be longer than one day (86,400 seconds)."; DatapointsToAlarm
    is the M of "M out of N"; "you must specify either Statistic or ExtendedStatistic, but not both"; TreatMissingData
    "Valid Values: breaching | notBreaching | ignore | missing"; at most 5 actions of each kind."""
    alarms = of_type(deployed(template_name, value_set, pseudo), "AWS::CloudWatch::Alarm")
    assert alarms
    for name, alarm in alarms.items():
        period, evaluations = int(alarm["Period"]), int(alarm["EvaluationPeriods"])
        assert period in (10, 20, 30) or period % 60 == 0, name
        assert period >= 3_600 or period * evaluations <= 86_400, name
        assert int(alarm.get("DatapointsToAlarm", evaluations)) <= evaluations, name
        assert ("Statistic" in alarm) != ("ExtendedStatistic" in alarm), name
        assert alarm.get("Statistic", "Sum") in ALARM_STATISTICS, name
        assert alarm.get("TreatMissingData", "missing") in {"breaching", "notBreaching", "ignore", "missing"}, name
        assert all(len(alarm.get(actions, [])) <= 5 for actions in ("AlarmActions", "OKActions")), name


def test_the_scaling_policies_keep_scale_in_and_the_target_suspends_nothing() -> None:
    """TargetTrackingScalingPolicyConfiguration
    (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html),
    DisableScaleIn: "The default value is false." SuspendedState (API_SuspendedState.html): "Setting it to false
    (default) resumes the specified scaling activities." An Async endpoint scales in to zero only with scale-in on."""
    evaluator = deployed("endpoint", "Async, every option", "test defaults")
    (target,) = of_type(evaluator, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert "SuspendedState" not in target
    policies = of_type(evaluator, "AWS::ApplicationAutoScaling::ScalingPolicy")
    tracking = [
        p["TargetTrackingScalingPolicyConfiguration"]
        for p in policies.values()
        if p["PolicyType"] == "TargetTrackingScaling"
    ]
    assert tracking
    assert all("DisableScaleIn" not in t for t in tracking)


ASYNC = {**ARN_MODE, "EndpointType": "Async"}
URIS = ("AsyncOutputS3Uri", "AsyncFailureS3Uri", "AsyncInputS3Uri")


@pytest.mark.parametrize("uri", ["s3://ml-async-111122223333/churn/out/", "s3://ml-async-111122223333/"])
@pytest.mark.parametrize("name", URIS)
def test_an_async_uri_with_a_trailing_slash_is_refused_and_the_grants_cover_the_objects_under_it(
    template: dict[str, Any], deploy: Deploy, name: str, uri: str
) -> None:
    """Async inference prerequisites (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-create-endpoint-
    prerequisites.html): "Asynchronous Inference needs access to your Amazon S3 bucket URI." A trailing slash made the
    grant `prefix//*`, which no object under the prefix matches: it is refused, and the grant for the same URI
    without it covers what SageMaker writes and reads there."""
    assert constraint_problems({name: uri}, template["Parameters"])
    clean = uri.rstrip("/") + ("/churn" if uri.count("/") == 3 else "")
    stack = deploy(**ASYNC, **{"AsyncOutputS3Uri": "s3://ml-async-111122223333/base", name: clean})
    (policy,) = stack.resources()["ModelExecutionRole"]["Properties"]["Policies"]
    action = "s3:GetObject" if name == "AsyncInputS3Uri" else "s3:PutObject"
    bucket_and_key = clean.removeprefix("s3://")
    assert allows(policy["PolicyDocument"]["Statement"], action, f"arn:aws:s3:::{bucket_and_key}/5b1c.out")


def test_the_async_role_may_abort_the_multipart_uploads_of_its_responses_and_failures(deploy: Deploy) -> None:
    """Async inference prerequisites (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-create-endpoint-
    prerequisites.html) list the role's S3 actions: `"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
    "s3:ListBucket"`. Responses of up to 1 GB go up in parts; an interrupted one must be abortable."""
    stack = deploy(**ASYNC, AsyncOutputS3Uri="s3://ml-async-111122223333/churn/out",
                   AsyncFailureS3Uri="s3://ml-async-111122223333/churn/failed")  # fmt: skip
    (policy,) = stack.resources()["ModelExecutionRole"]["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    for prefix in ("out", "failed"):
        assert allows(statements, "s3:AbortMultipartUpload", f"arn:aws:s3:::ml-async-111122223333/churn/{prefix}/x")
    assert not allows(statements, "s3:AbortMultipartUpload", "arn:aws:s3:::ml-async-111122223333/churn/other/x")


def test_the_dashboard_is_named_for_the_stack_and_its_region(deploy: Deploy) -> None:
    """PutDashboard (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html): "All
    dashboards in your account are global, not region-specific." Stacks of one name in two Regions must not share one;
    the name stays within "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"."."""
    name = deploy(**ARN_MODE).resources()["Dashboard"]["Properties"]["DashboardName"]
    assert name == "sagemaker-endpoint-ml-endpoint-eu-west-1"
    longest = deployed("endpoint", "Async, every option", "a 128-character stack name")
    (dashboard,) = of_type(longest, "AWS::CloudWatch::Dashboard").values()
    assert dashboard["DashboardName"].endswith(f"{LONG_NAME['AWS::StackName']}-eu-west-1")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", dashboard["DashboardName"])


@pytest.mark.parametrize(
    "name", ["SageMakerProjectName", "SageMakerProjectId", "SageMakerDomainId", "SageMakerDomainArn"]
)
def test_the_domain_parameters_fit_a_tag_value(template: dict[str, Any], name: str) -> None:
    """SageMaker's, CloudWatch's and Application Auto Scaling's Tag shapes take a value of at most 256 characters
    (botocore sagemaker `TagValue`: `"max":256`, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html).
    Each of these parameters becomes a tag on every taggable resource: none may be longer."""
    spec = template["Parameters"][name]
    assert int(spec["MaxLength"]) <= 256
    assert constraint_problems({name: "d" * (int(spec["MaxLength"]) + 1)}, template["Parameters"])
