"""Resources: for each parameter and condition, the property a deploy with those values gets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.endpoint.instance_storage import NVME_FAMILIES
from generator.endpoint.lambda_functions import RUNTIME, TIMEOUT_SECONDS
from generator.endpoint.resolver import SERVICE_TIMEOUT_SECONDS
from tests.support.inputs import ARN_MODE, GROUP_MODE, PACKAGE_ARN
from tests.support.request_shapes import member_shape
from tests.support.template_eval import PSEUDO, Evaluator, stack_id

Deploy = Callable[..., Evaluator]
BUCKET_ARN = "arn:aws:s3:::ml-artifacts-111122223333"
GIVEN_ROLE = "arn:aws:iam::111122223333:role/service-role/ExistingSageMakerRole"
REPO_ARN = "arn:aws:ecr:eu-west-1:111122223333:repository/team/inference"
RESOLVER = {"PackageResolverLogGroup", "PackageResolverRole", "PackageResolverFunction", "LatestApprovedModelPackage",
            "PackageResolverErrorsFilter", "PackageResolverErrorsAlarm"}  # fmt: skip
ALWAYS = {
    "Dashboard",
    "DiskUtilizationAlarm",
    "EndpointSecurityGroup",
    "EncryptionKey",
    "EncryptionKeyAlias",
    "Model",
    "EndpointConfig",
    "Endpoint",
    "Invocation5xxAlarm",
    "ModelLatencyAlarm",
}


STACK_ID_TAG = {"Key": "sagemaker-endpoint:stack-id", "Value": stack_id(PSEUDO)}


def props(resources: dict[str, Any], name: str) -> dict[str, Any]:
    return resources[name]["Properties"]  # type: ignore[no-any-return]


def statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def model_role_statements(deploy: Deploy, **values: str) -> dict[str, dict[str, Any]]:
    role = props(deploy(**values).resources(), "ModelExecutionRole")
    (policy,) = role["Policies"]
    return statements(policy["PolicyDocument"])


# --- which resources exist ---------------------------------------------------------------------------------


def test_given_an_arn_then_the_stack_has_no_resolver_and_creates_a_role(deploy: Deploy) -> None:
    assert set(deploy(**ARN_MODE).resources()) == ALWAYS | {"ModelExecutionRole"}


def test_given_a_group_then_the_resolver_is_added(deploy: Deploy) -> None:
    assert set(deploy(**GROUP_MODE).resources()) == ALWAYS | {"ModelExecutionRole"} | RESOLVER


def test_given_an_existing_role_then_no_role_is_created_and_the_model_runs_with_it(deploy: Deploy) -> None:
    stack = deploy(**ARN_MODE, ModelExecutionRoleArn=GIVEN_ROLE)
    resources = stack.resources()
    assert "ModelExecutionRole" not in resources
    assert props(resources, "Model")["ExecutionRoleArn"] == GIVEN_ROLE
    assert stack.outputs()["ModelExecutionRoleArn"] == GIVEN_ROLE


# --- model --------------------------------------------------------------------------------------------------


def test_given_an_arn_then_the_model_runs_that_package_in_our_subnets(deploy: Deploy) -> None:
    model = props(deploy(**ARN_MODE).resources(), "Model")
    assert model == {
        "PrimaryContainer": {"ModelPackageName": PACKAGE_ARN},
        "ExecutionRoleArn": {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]},
        "EnableNetworkIsolation": "true",
        "VpcConfig": {
            "SecurityGroupIds": [{"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]}],
            "Subnets": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        },
        "Tags": [STACK_ID_TAG],
    }


def test_given_a_group_then_the_model_runs_the_resolved_package(deploy: Deploy) -> None:
    stack = deploy(**GROUP_MODE)
    resolved = {"Fn::GetAtt": ["LatestApprovedModelPackage", "ModelPackageArn"]}
    assert props(stack.resources(), "Model")["PrimaryContainer"] == {"ModelPackageName": resolved}
    assert stack.outputs()["ModelPackageArn"] == resolved


def test_network_isolation_follows_its_parameter(deploy: Deploy) -> None:
    assert (
        props(deploy(**ARN_MODE, EnableNetworkIsolation="false").resources(), "Model")["EnableNetworkIsolation"]
        == "false"
    )


def test_model_and_endpoint_config_have_no_fixed_name_so_a_new_package_replaces_them_cleanly(
    template: dict[str, Any],
) -> None:
    """Defect 9 of the module we replace: names stamped with the synth time replaced them on every deploy."""
    assert "ModelName" not in template["Resources"]["Model"]["Properties"]
    assert "EndpointConfigName" not in template["Resources"]["EndpointConfig"]["Properties"]


# --- endpoint config ----------------------------------------------------------------------------------------


def test_the_production_variant_comes_from_the_parameters(deploy: Deploy) -> None:
    config = props(
        deploy(
            **ARN_MODE, VariantName="blue", InstanceType="ml.c5.2xlarge", InitialInstanceCount="3",
            InitialVariantWeight="0.5",
        ).resources(),
        "EndpointConfig",
    )  # fmt: skip
    assert config["ProductionVariants"] == [
        {
            "InitialInstanceCount": "3",
            "InitialVariantWeight": "0.5",
            "InstanceType": "ml.c5.2xlarge",
            "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
            "VariantName": "blue",
        }
    ]
    assert "ManagedInstanceScaling" not in config["ProductionVariants"][0]


LARGE_MODEL = {
    "VolumeSizeInGB": "200",
    "ModelDataDownloadTimeoutInSeconds": "1800",
    "ContainerStartupHealthCheckTimeoutInSeconds": "900",
}


@pytest.mark.parametrize("setting", LARGE_MODEL)
def test_given_a_large_model_setting_then_it_reaches_the_variant_and_empty_leaves_it_out(
    deploy: Deploy, setting: str
) -> None:
    (variant,) = props(deploy(**ARN_MODE, **{setting: LARGE_MODEL[setting]}).resources(), "EndpointConfig")[
        "ProductionVariants"
    ]
    assert {key: variant[key] for key in LARGE_MODEL if key in variant} == {setting: LARGE_MODEL[setting]}
    (default,) = props(deploy(**ARN_MODE).resources(), "EndpointConfig")["ProductionVariants"]
    assert set(LARGE_MODEL) & set(default) == set()


@pytest.mark.parametrize("family", NVME_FAMILIES)
def test_given_an_nvme_instance_type_then_the_volume_size_is_left_out_and_the_timeouts_kept(
    deploy: Deploy, family: str
) -> None:
    """SageMaker uses the NVMe storage instead of an EBS volume, the only kind VolumeSizeInGB sizes."""
    resources = deploy(**ARN_MODE, **LARGE_MODEL, InstanceType=f"ml.{family}.xlarge").resources()
    (variant,) = props(resources, "EndpointConfig")["ProductionVariants"]
    assert {key: variant.get(key) for key in LARGE_MODEL} == {**LARGE_MODEL, "VolumeSizeInGB": None}


@pytest.mark.parametrize("instance_type", ["ml.m4.xlarge", "ml.m5.large", "ml.c5.xlarge", "ml.inf2.xlarge"])
def test_given_an_instance_type_without_local_storage_then_its_volume_uses_our_key(
    deploy: Deploy, instance_type: str
) -> None:
    config = props(deploy(**ARN_MODE, **LARGE_MODEL, InstanceType=instance_type).resources(), "EndpointConfig")
    assert config["KmsKeyId"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    assert config["ProductionVariants"][0]["VolumeSizeInGB"] == "200"


@pytest.mark.parametrize("family", NVME_FAMILIES)
def test_given_an_instance_type_with_nvme_storage_then_no_kms_key_is_requested(deploy: Deploy, family: str) -> None:
    """Defect 7: SageMaker rejects KmsKeyId for instance types with local NVMe storage."""
    config = props(deploy(**ARN_MODE, InstanceType=f"ml.{family}.xlarge").resources(), "EndpointConfig")
    assert "KmsKeyId" not in config


def test_given_an_instance_type_on_neither_storage_list_then_it_deploys_without_a_key_or_volume_size(
    deploy: Deploy,
) -> None:
    """A family the template does not know may have local NVMe storage, for which SageMaker refuses a volume size
    ("Currently only Amazon EBS gp2 storage volumes are supported"): the safe side sends neither that nor the key,
    and SageMaker encrypts the volume with its default key."""
    stack = deploy(**ARN_MODE, InstanceType="ml.z99.48xlarge", VolumeSizeInGB="100")
    assert stack.failed_rules() == []
    config = props(stack.resources(), "EndpointConfig")
    assert "KmsKeyId" not in config
    assert "VolumeSizeInGB" not in config["ProductionVariants"][0]


def test_given_an_ebs_instance_type_then_the_volume_is_encrypted_with_the_stacks_key_and_sized(deploy: Deploy) -> None:
    config = props(deploy(**ARN_MODE, InstanceType="ml.m5.xlarge", VolumeSizeInGB="100").resources(), "EndpointConfig")
    assert config["KmsKeyId"] == {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
    assert config["ProductionVariants"][0]["VolumeSizeInGB"] == "100"


def test_given_sampling_zero_then_nothing_is_captured(deploy: Deploy) -> None:
    config = props(deploy(**ARN_MODE).resources(), "EndpointConfig")
    assert "DataCaptureConfig" not in config


@pytest.mark.parametrize(
    ("prefix", "destination", "grant"),
    [
        ("", "s3://ml-artifacts-111122223333", f"{BUCKET_ARN}/*"),
        ("capture", "s3://ml-artifacts-111122223333/capture", f"{BUCKET_ARN}/capture/*"),
        ("team/churn", "s3://ml-artifacts-111122223333/team/churn", f"{BUCKET_ARN}/team/churn/*"),
    ],
)
def test_given_sampling_then_input_and_output_are_captured_to_the_prefix_without_double_slash(
    deploy: Deploy, prefix: str, destination: str, grant: str
) -> None:
    """Defects 5 and 6: the sampling input was ignored, and an empty prefix gave `bucket//*`."""
    values = {**ARN_MODE, "DataCaptureSamplingPercentage": "25", "ModelArtifactsBucketArn": BUCKET_ARN}
    config = props(deploy(**values, DataCapturePrefix=prefix).resources(), "EndpointConfig")
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": "25",
        "DestinationS3Uri": destination,
        "KmsKeyId": {"Fn::GetAtt": ["EncryptionKey", "Arn"]},
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]},
    }
    write = model_role_statements(deploy, **values, DataCapturePrefix=prefix)["WriteCapturedData"]
    assert (write["Action"], write["Resource"]) == (["s3:PutObject"], [grant])
    assert "//" not in json.dumps(write["Resource"]).replace("arn:aws:s3:::", "")


def test_the_endpoint_runs_on_the_endpoint_config(deploy: Deploy) -> None:
    endpoint = props(deploy(**ARN_MODE).resources(), "Endpoint")
    assert endpoint["EndpointConfigName"] == {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]}


# --- security group, key -------------------------------------------------------------------------------------


def test_the_security_group_allows_no_ingress_and_only_described_https_egress(deploy: Deploy) -> None:
    group = props(deploy(**ARN_MODE).resources(), "EndpointSecurityGroup")
    assert group["VpcId"] == "vpc-0123456789abcdef0"
    assert "SecurityGroupIngress" not in group
    assert group["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to AWS APIs (S3, ECR, CloudWatch) via VPC endpoints or NAT",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]


def test_the_key_rotates_has_an_alias_and_is_retained(deploy: Deploy) -> None:
    resources = deploy(**ARN_MODE).resources()
    assert resources["EncryptionKey"]["DeletionPolicy"] == "Retain"
    assert resources["EncryptionKey"]["UpdateReplacePolicy"] == "Retain"
    assert props(resources, "EncryptionKey")["EnableKeyRotation"] is True
    assert props(resources, "EncryptionKeyAlias") == {
        "AliasName": "alias/sagemaker-endpoint/ml-endpoint",
        "TargetKeyId": {"Ref": "EncryptionKey"},
    }


def key_statements(deploy: Deploy, **values: str) -> dict[str, dict[str, Any]]:
    return statements(props(deploy(**values).resources(), "EncryptionKey")["KeyPolicy"])


def test_the_key_policy_lets_the_account_administer_and_only_our_principals_use_the_key(deploy: Deploy) -> None:
    """Defect 11: the old role could use every key in the account; here the key names who uses it."""
    policy = key_statements(deploy, **ARN_MODE)
    root = {"AWS": "arn:aws:iam::111122223333:root"}
    assert set(policy) == {
        "AccountAdministersKey",
        "ModelRoleUsesKey",
        "AccountUsesKeyThroughSageMaker",
        "SageMakerGrantsForEndpointVolume",
        "GrantsOnlyForAwsResources",
        "AccountReadsCapturedDataThroughS3",
    }
    administer = policy["AccountAdministersKey"]
    assert administer["Principal"] == root
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"} & set(administer["Action"])
    assert policy["ModelRoleUsesKey"]["Principal"] == {"AWS": {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]}}
    via_sagemaker = policy["AccountUsesKeyThroughSageMaker"]["Condition"]["StringEquals"]
    assert via_sagemaker == {"kms:CallerAccount": "111122223333", "kms:ViaService": "sagemaker.eu-west-1.amazonaws.com"}
    assert policy["SageMakerGrantsForEndpointVolume"]["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert policy["AccountReadsCapturedDataThroughS3"]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]


def test_given_an_existing_role_then_the_key_policy_names_that_role(deploy: Deploy) -> None:
    policy = key_statements(deploy, **ARN_MODE, ModelExecutionRoleArn=GIVEN_ROLE)
    assert policy["ModelRoleUsesKey"]["Principal"] == {"AWS": GIVEN_ROLE}


def test_given_a_group_then_logs_may_use_the_key_only_for_the_resolver_log_group(deploy: Deploy) -> None:
    logs = key_statements(deploy, **GROUP_MODE)["LogsEncryptResolverLogGroup"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                "arn:aws:logs:eu-west-1:111122223333:log-group:/sagemaker-endpoint/ml-endpoint/package-resolver"
            )
        }
    }


# --- model role ----------------------------------------------------------------------------------------------


def test_given_no_repo_or_capture_then_the_role_reads_the_artifacts_and_has_network_logs_metrics_and_alarms(
    deploy: Deploy,
) -> None:
    assert set(model_role_statements(deploy, **ARN_MODE)) == {
        "ListModelArtifactsBucket",
        "ReadModelArtifacts",
        "WriteEndpointLogs",
        "PublishEndpointMetrics",
        "DescribeRollbackAlarms",
        "CreateEndpointNetworkInterfaces",
        "ManageEndpointNetworkInterfaces",
        "DescribeEndpointNetwork",
    }


def test_the_role_may_describe_exactly_the_two_rollback_alarms(deploy: Deploy) -> None:
    """SageMaker guide, Auto-Rollback Configuration and Monitoring: "Ensure that your IAM execution role has
    permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify." IAM's
    reference authorizes DescribeAlarms on the alarm resource type, so the grant names those two alarms only."""
    stack = deploy(**ARN_MODE)
    grant = model_role_statements(deploy, **ARN_MODE)["DescribeRollbackAlarms"]
    assert grant["Action"] == ["cloudwatch:DescribeAlarms"]
    rollback = props(stack.resources(), "Endpoint")["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    names = [props(stack.resources(), alarm["AlarmName"]["Ref"])["AlarmName"] for alarm in rollback]
    assert grant["Resource"] == [f"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:{name}" for name in names]


def test_given_a_bucket_then_the_role_reads_only_that_bucket(deploy: Deploy) -> None:
    role = model_role_statements(deploy, **ARN_MODE)
    assert (role["ListModelArtifactsBucket"]["Action"], role["ListModelArtifactsBucket"]["Resource"]) == (
        ["s3:ListBucket"],
        [BUCKET_ARN],
    )
    assert (role["ReadModelArtifacts"]["Action"], role["ReadModelArtifacts"]["Resource"]) == (
        ["s3:GetObject"],
        [f"{BUCKET_ARN}/*"],
    )
    assert "WriteCapturedData" not in role


def test_given_a_repository_then_the_role_pulls_only_from_it(deploy: Deploy) -> None:
    role = model_role_statements(deploy, **ARN_MODE, EcrRepoArn=REPO_ARN)
    assert role["PullInferenceImage"]["Resource"] == [REPO_ARN]
    assert role["PullInferenceImage"]["Action"] == [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ]
    assert role["GetEcrAuthorizationToken"]["Action"] == ["ecr:GetAuthorizationToken"]


def test_the_role_attaches_network_interfaces_only_with_our_security_group_in_our_vpc(deploy: Deploy) -> None:
    role = model_role_statements(deploy, **ARN_MODE)
    create = role["CreateEndpointNetworkInterfaces"]["Resource"]
    assert create[-1] == {
        "Fn::Sub": [
            "arn:aws:ec2:eu-west-1:111122223333:security-group/${GroupId}",
            {"GroupId": {"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]}},
        ]
    }
    assert role["ManageEndpointNetworkInterfaces"]["Condition"] == {
        "ArnEquals": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0123456789abcdef0"}
    }


def test_the_role_uses_no_kms_action_itself(deploy: Deploy) -> None:
    """The key policy grants the role our key; an IAM grant here could reach other keys."""
    every = model_role_statements(deploy, **ARN_MODE, EcrRepoArn=REPO_ARN, DataCaptureSamplingPercentage="5")
    assert not [action for s in every.values() for action in s["Action"] if action.startswith("kms:")]


def test_every_wildcard_resource_is_an_action_that_cannot_be_scoped(deploy: Deploy) -> None:
    every = model_role_statements(deploy, **ARN_MODE, EcrRepoArn=REPO_ARN, DataCaptureSamplingPercentage="5")
    wildcards = {sid: s["Action"] for sid, s in every.items() if "*" in s["Resource"]}
    assert wildcards == {
        "GetEcrAuthorizationToken": ["ecr:GetAuthorizationToken"],
        "PublishEndpointMetrics": ["cloudwatch:PutMetricData"],
        "DescribeEndpointNetwork": [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ],
    }


# --- resolver ------------------------------------------------------------------------------------------------


def test_given_a_group_then_the_resolver_reads_only_that_group_and_writes_only_its_log_group(
    deploy: Deploy,
) -> None:
    resources = deploy(**GROUP_MODE).resources()
    (policy,) = props(resources, "PackageResolverRole")["Policies"]
    assert statements(policy["PolicyDocument"]) == {
        "ReadConfiguredModelPackageGroup": {
            "Sid": "ReadConfiguredModelPackageGroup",
            "Effect": "Allow",
            "Action": ["sagemaker:ListModelPackages", "sagemaker:DescribeModelPackageGroup"],
            "Resource": [
                "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn",
                "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/*",
            ],
        },
        "WriteOwnLogs": {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": ["PackageResolverLogGroup", "Arn"]}],
        },
    }


def test_given_a_group_then_the_function_runs_our_zip_with_a_bounded_timeout(deploy: Deploy) -> None:
    resources = deploy(**GROUP_MODE, ResolverCodeS3Key="custom/key.zip").resources()
    function = props(resources, "PackageResolverFunction")
    assert function["Runtime"] == RUNTIME == "python3.13"
    assert function["Handler"] == "custom_resource.resolver_handler.lambda_handler"
    assert function["Code"] == {"S3Bucket": "artifacts-111122223333", "S3Key": "custom/key.zip"}
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "PackageResolverLogGroup"}}
    assert function["MemorySize"] == 128
    resolved = props(resources, "LatestApprovedModelPackage")
    assert resolved == {
        "ServiceToken": {"Fn::GetAtt": ["PackageResolverFunction", "Arn"]},
        "ServiceTimeout": SERVICE_TIMEOUT_SECONDS,
        "ModelPackageGroupName": "churn",
        "ResolutionToken": "",
    }
    assert function["Timeout"] == TIMEOUT_SECONDS <= SERVICE_TIMEOUT_SECONDS / 4


def test_the_resolver_log_group_is_encrypted_and_expires(deploy: Deploy) -> None:
    log_group = props(deploy(**GROUP_MODE).resources(), "PackageResolverLogGroup")
    assert log_group == {
        "LogGroupName": "/sagemaker-endpoint/ml-endpoint/package-resolver",
        "RetentionInDays": 365,
        "KmsKeyId": {"Fn::GetAtt": ["EncryptionKey", "Arn"]},
        "Tags": [],
    }


# --- tags ----------------------------------------------------------------------------------------------------

TAGGED = {
    "SageMakerProjectName": ("sagemaker:project-name", "churn-project"),
    "SageMakerProjectId": ("sagemaker:project-id", "p-abcdef123456"),
    "SageMakerDomainId": ("sagemaker:domain-id", "d-abcdef123456"),
    "SageMakerDomainArn": ("sagemaker:domain-arn", "arn:aws:sagemaker:eu-west-1:111122223333:domain/d-abcdef123456"),
}


def test_given_all_tag_inputs_then_every_taggable_resource_carries_all_four(deploy: Deploy) -> None:
    values = {name: value for name, (_, value) in TAGGED.items()}
    resources = deploy(**GROUP_MODE, **values, ManagedInstanceScaling="true").resources()
    expected = [{"Key": key, "Value": value} for key, value in TAGGED.values()]
    taggable = {name for name, resource in resources.items() if "Tags" in resource["Properties"]}
    untaggable = {"EncryptionKeyAlias", "LatestApprovedModelPackage", "InvocationsScalingPolicy", "Dashboard",
                  "PackageResolverErrorsFilter"}  # fmt: skip
    assert taggable == set(resources) - untaggable
    retained = {"Model", "EndpointConfig"}  # kept on replacement, so also tagged with the stack id that finds them
    for name in taggable:
        assert props(resources, name)["Tags"] == expected + ([STACK_ID_TAG] if name in retained else []), name


def test_a_replaced_model_or_endpoint_config_is_retained_and_tagged_with_the_stack_id(template: dict[str, Any]) -> None:
    """SageMaker can roll an update back to the previous config by itself (terraform-provider-aws #48997), and AWS
    documents no CloudFormation behaviour for it: CloudFormation must not delete what the endpoint may still serve.
    The stack's delete removes the current ones (the endpoint goes first)."""
    for name in ("Model", "EndpointConfig"):
        resource = template["Resources"][name]
        assert (resource["UpdateReplacePolicy"], resource["DeletionPolicy"]) == ("Retain", "Delete"), name
        assert {"Key": "sagemaker-endpoint:stack-id", "Value": {"Ref": "AWS::StackId"}} in resource["Properties"][
            "Tags"
        ]


@pytest.mark.parametrize("parameter", TAGGED)
def test_given_one_tag_input_then_only_its_tag_is_set(deploy: Deploy, parameter: str) -> None:
    key, value = TAGGED[parameter]
    resources = deploy(**ARN_MODE, **{parameter: value}).resources()
    assert props(resources, "Endpoint")["Tags"] == [{"Key": key, "Value": value}]


# --- outputs -------------------------------------------------------------------------------------------------


def test_outputs_are_the_seed_metadata_keys_each_described_and_the_stable_ones_exported(
    template: dict[str, Any],
) -> None:
    """CloudFormation refuses to change an export another stack imports ("After another stack imports an output
    value, you can't delete the stack that is exporting the output value or modify the exported output value": User
    Guide, exports): ModelName and ModelPackageArn change with every package, so exporting them would make every
    update fail once anything imported them."""
    extras = {"DashboardUrl", "AsyncOutputS3Uri"}  # operations', and an Async endpoint's (endpoint types)
    outputs = {key: output for key, output in template["Outputs"].items() if key not in extras}
    assert set(outputs) == {
        "ModelExecutionRoleArn",
        "ModelName",
        "ModelPackageArn",
        "EndpointName",
        "EndpointUrl",
        "KmsKeyId",
        "SecurityGroupId",
    }
    changing = {"ModelName", "ModelPackageArn"}
    for key, output in outputs.items():
        assert output["Description"]
        if key in changing:
            assert "Export" not in output, key
        else:
            assert output["Export"] == {"Name": {"Fn::Sub": f"${{AWS::StackName}}-{key}"}}


def test_arn_mode_outputs(deploy: Deploy) -> None:
    outputs = deploy(**ARN_MODE).outputs()
    assert outputs.pop("DashboardUrl")  # tests/endpoint/test_operations.py reads it
    assert outputs == {
        "ModelExecutionRoleArn": {"Fn::GetAtt": ["ModelExecutionRole", "Arn"]},
        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
        "ModelPackageArn": PACKAGE_ARN,
        "EndpointName": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
        "EndpointUrl": {
            "Fn::Sub": [
                "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/${Name}/invocations",
                {"Name": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}},
            ]
        },
        "KmsKeyId": {"Ref": "EncryptionKey"},
        "SecurityGroupId": {"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]},
    }


def test_in_the_china_partition_arns_and_hosts_follow_the_partition(template: dict[str, Any]) -> None:
    """Defect 10: the old EndpointUrl hard-coded amazonaws.com."""
    china = {"AWS::Partition": "aws-cn", "AWS::Region": "cn-north-1", "AWS::URLSuffix": "amazonaws.com.cn"}
    stack = Evaluator(template, {**GROUP_MODE, "ModelArtifactsBucketArn": "arn:aws-cn:s3:::ml-artifacts"}, pseudo=china)
    assert stack.outputs()["EndpointUrl"]["Fn::Sub"][0] == (
        "https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/endpoints/${Name}/invocations"
    )
    rendered = json.dumps(stack.resources())
    assert "arn:aws:" not in rendered
    assert "sagemaker.cn-north-1.amazonaws.com.cn" in rendered


def test_the_template_never_hard_codes_a_partition_or_a_service_host(template: dict[str, Any]) -> None:
    text = json.dumps(template)
    assert "arn:aws:" not in text
    # names, not hosts: the same in every partition
    service_principals = {
        "sagemaker.amazonaws.com", "lambda.amazonaws.com", "events.amazonaws.com", "cloudformation.amazonaws.com"
    }  # fmt: skip
    for principal in service_principals:
        text = text.replace(f'"{principal}"', '""')
    assert "amazonaws.com" not in text


def test_given_a_permissions_boundary_then_every_role_the_stack_creates_has_it(deploy: Deploy) -> None:
    boundary = "arn:aws:iam::111122223333:policy/ml-boundary"
    bounded = deploy(**GROUP_MODE, PermissionsBoundaryArn=boundary).resources()
    unbounded = deploy(**GROUP_MODE).resources()
    role_names = sorted(name for name, r in bounded.items() if r["Type"] == "AWS::IAM::Role")
    assert role_names == ["ModelExecutionRole", "PackageResolverRole"]
    assert [bounded[name]["Properties"]["PermissionsBoundary"] for name in role_names] == [boundary, boundary]
    assert [unbounded[name]["Properties"].get("PermissionsBoundary") for name in role_names] == [None, None]
    assert {bounded[name]["Properties"]["Path"] for name in role_names} == {"/sagemaker-endpoint/"}


# CreateEndpointConfig's ProductionVariant.InferenceAmiVersion: "Specifies an option from a collection of
# preconfigured Amazon Machine Image (AMI) images." (botocore's sagemaker service model; its enum is
# ProductionVariantInferenceAmiVersion, which the parameter's AllowedValues repeat). CloudFormation's
# AWS::SageMaker::EndpointConfig lists ProductionVariants among its createOnlyProperties (cfn-lint's schema).
AMI = "al2-ami-sagemaker-inference-gpu-3-1"


def test_given_an_inference_ami_then_the_variant_carries_it_and_empty_leaves_it_out(deploy: Deploy) -> None:
    (variant,) = props(deploy(**ARN_MODE, InstanceType="ml.g5.xlarge", InferenceAmiVersion=AMI).resources(),
                       "EndpointConfig")["ProductionVariants"]  # fmt: skip
    assert variant["InferenceAmiVersion"] == AMI
    (default,) = props(deploy(**ARN_MODE).resources(), "EndpointConfig")["ProductionVariants"]
    assert "InferenceAmiVersion" not in default


def test_the_inference_ami_takes_exactly_the_versions_sagemaker_documents(template: dict[str, Any]) -> None:
    variants: Any = member_shape("sagemaker", "CreateEndpointConfig", "ProductionVariants")  # a ListShape
    documented = variants.member
    assert template["Parameters"]["InferenceAmiVersion"]["AllowedValues"] == [
        "",
        *documented.members["InferenceAmiVersion"].enum,
    ]
