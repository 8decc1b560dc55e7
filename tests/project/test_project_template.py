"""The SageMaker Projects template (templates/sagemaker-project.yaml): what SageMaker passes it, what it needs of
CloudFormation, and how AWS's own SageMaker Projects roles cover what it creates.

AWS's roles are the sample's (aws-samples/sagemaker-custom-project-templates at 6906ed90, vendored in
tests/fixtures/sagemaker_projects with SOURCE.md): AWS publishes no managed policy for S3 project templates."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from custom_resource.contract import STACK_TAG
from generator.deploy.template_file import EndpointTemplate, parse_template
from tests.support.iam_eval import allows
from tests.support.paths import FIXTURES, ROOT, TEMPLATES
from tests.support.template_eval import Evaluator

ACCOUNT, REGION = "111122223333", "eu-west-1"
PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::StackName": "SP-p-a1b2c3d4e5f6-sagemaker-endpoint"}
PROJECT = {"SageMakerProjectName": "churn-endpoint", "SageMakerProjectId": "p-a1b2c3d4e5f6"}
VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"}
ARN_MODE = {**PROJECT, **VPC, "ModelPackageArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/3"}
CODE_BUCKET = f"sagemaker-endpoint-artifacts-{ACCOUNT}-{REGION}"
GROUP_MODE = {**PROJECT, **VPC, "ModelPackageGroupName": "churn", "ResolverCodeS3Bucket": CODE_BUCKET}
AWS_EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMakerProjectsExecutionRole"
AWS_LAMBDA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMakerProjectsLambdaRole"
SAMPLE_ROLES = FIXTURES / "sagemaker_projects"


@cache
def project() -> dict[str, Any]:
    return parse_template((TEMPLATES / "sagemaker-project.yaml").read_text())


def deploy(**values: str) -> Evaluator:
    return Evaluator(project(), values, PSEUDO)


@cache
def sagemaker_shapes() -> dict[str, Any]:
    (model,) = (ROOT / ".venv" / "lib").glob("python3*/site-packages/botocore/data/sagemaker/*/service-2.json.gz")
    shapes: dict[str, Any] = json.loads(gzip.decompress(Path(model).read_bytes()))["shapes"]
    return shapes


def sample_policy(name: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = json.loads((SAMPLE_ROLES / name).read_text())["Statement"]
    return statements


def test_the_project_template_creates_no_iam_resource_so_it_needs_no_capability() -> None:
    """CreateProject's template provider has no Capabilities member (TemplateName, TemplateURL, RoleARN, Parameters),
    and no AWS source says SageMaker passes one, while CloudFormation: "If you don't specify either of these
    capabilities, CloudFormation returns an InsufficientCapabilities error" (CreateStack, Capabilities)."""
    assert set(sagemaker_shapes()["CfnCreateTemplateProvider"]["members"]) == {
        "TemplateName", "TemplateURL", "RoleARN", "Parameters"
    }  # fmt: skip
    assert [r["Type"] for r in project()["Resources"].values() if r["Type"].startswith("AWS::IAM::")] == []
    assert EndpointTemplate((TEMPLATES / "sagemaker-project.yaml").read_text()).capabilities == []


def test_the_project_name_and_id_are_required_and_accept_what_createproject_accepts() -> None:
    """SageMaker passes both: "For the product to work with SageMaker Projects, add the following parameters to your
    product template" (SageMaker Developer Guide, custom project templates). Each is checked by the API's own
    pattern and length (ProjectEntityName, ProjectId), so a project SageMaker creates is never refused here: a name
    may start with a digit."""
    parameters = project()["Parameters"]
    probes = ["2026-churn", "p-a1b2c3d4e5f6", "a--b", "", "-a", "a-", "a_b", "a" * 20, "a" * 21, "a" * 32, "a" * 33]
    for name, shape in (("SageMakerProjectName", "ProjectEntityName"), ("SageMakerProjectId", "ProjectId")):
        api, ours = sagemaker_shapes()[shape], parameters[name]
        assert "Default" not in ours
        assert ours["MaxLength"] == api["max"]
        for value in probes:
            api_takes = api["min"] <= len(value) <= api["max"] and re.fullmatch(api["pattern"], value) is not None
            we_take = len(value) <= ours["MaxLength"] and re.fullmatch(ours["AllowedPattern"], value) is not None
            assert we_take == api_takes, (name, value)


def test_every_other_parameter_has_a_default_and_studio_marks_it_optional() -> None:
    """AWS's S3 samples mark optional parameters in `Metadata: SagemakerTemplateParameterRules: <name>: {Optional:
    true}`; a project is created from Studio's form, which must not demand what the template can default."""
    parameters = project()["Parameters"]
    others = {name for name in parameters if name not in PROJECT}
    assert {name for name in others if "Default" not in parameters[name]} == set()
    assert project()["Metadata"]["SagemakerTemplateParameterRules"] == {name: {"Optional": True} for name in others}


def test_empty_roles_run_the_model_and_the_resolver_as_awss_project_use_roles() -> None:
    """The sample creates service-role/AmazonSageMakerProjectsExecutionRole (trusting SageMaker) and
    service-role/AmazonSageMakerProjectsLambdaRole (trusting Lambda); its launch role may pass exactly
    `arn:aws:iam::*:role/service-role/AmazonSageMakerProjects*`."""
    resources = deploy(**GROUP_MODE).resources()
    assert resources["Model"]["Properties"]["ExecutionRoleArn"] == AWS_EXECUTION_ROLE
    assert resources["PackageResolverFunction"]["Properties"]["Role"] == AWS_LAMBDA_ROLE
    assert deploy(**GROUP_MODE).outputs()["ModelExecutionRoleArn"] == AWS_EXECUTION_ROLE
    launch = sample_policy("launch-role-policy.json")
    for role in (AWS_EXECUTION_ROLE, AWS_LAMBDA_ROLE):
        assert allows(launch, "iam:PassRole", role)


def test_awss_execution_role_may_do_what_the_model_needs_but_read_artifacts_outside_sagemaker_buckets() -> None:
    """AmazonSageMakerFullAccess (v29), the only policy of the sample's AmazonSageMakerProjectsExecutionRole: its
    AllowAWSServiceActions grants cloudwatch:DescribeAlarms and the ECR pulls on `*` ("Ensure that your IAM execution
    role has permission to perform the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify",
    SageMaker guide, deployment-guardrails-configuration); our key's policy names the role itself (a key policy alone
    may allow a principal: "Every KMS key must have exactly one key policy", KMS guide, key-policies). S3 it grants
    only on buckets named *sagemaker* (AllowS3ObjectActions) or objects tagged SageMaker=true: model artifacts or a
    capture bucket named otherwise need ModelExecutionRoleArn (docs/sagemaker-projects.md)."""
    resources = deploy(**ARN_MODE).resources()
    execution = sample_policy("execution-role-policy.json")
    rollback = resources["Endpoint"]["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"]
    names = [resources[alarm["AlarmName"]["Ref"]]["Properties"]["AlarmName"] for alarm in rollback]
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/churn"
    calls = [("cloudwatch:DescribeAlarms", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}") for name in names]
    calls += [("ecr:BatchGetImage", repository), ("ecr:GetDownloadUrlForLayer", repository),
              ("ecr:GetAuthorizationToken", "*"), ("s3:GetObject", "arn:aws:s3:::sagemaker-churn/model.tar.gz"),
              ("s3:PutObject", "arn:aws:s3:::team-sagemaker-capture/churn/x.jsonl")]  # fmt: skip
    assert len(names) == 2
    assert [call for call in calls if not allows(execution, *call)] == []
    assert not allows(execution, "s3:GetObject", "arn:aws:s3:::team-models/model.tar.gz")
    assert allows(execution, "s3:GetObject", "arn:aws:s3:::team-models/model.tar.gz",
                  {"s3:ExistingObjectTag/SageMaker": "true"})  # fmt: skip
    key_users = resources["EncryptionKey"]["Properties"]["KeyPolicy"]["Statement"]
    (model_uses_key,) = [s for s in key_users if s["Sid"] == "ModelRoleUsesKey"]
    assert model_uses_key["Principal"] == {"AWS": AWS_EXECUTION_ROLE}
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= set(model_uses_key["Action"])


def test_given_roles_are_used_as_given() -> None:
    team_model, team_lambda = (f"arn:aws:iam::{ACCOUNT}:role/team/{name}" for name in ("model", "resolver"))
    values = {**GROUP_MODE, "ModelExecutionRoleArn": team_model, "PackageResolverRoleArn": team_lambda}
    resources = deploy(**values).resources()
    assert resources["Model"]["Properties"]["ExecutionRoleArn"] == team_model
    assert resources["PackageResolverFunction"]["Properties"]["Role"] == team_lambda
    key_principals = json.dumps(resources["EncryptionKey"]["Properties"]["KeyPolicy"])
    assert team_model in key_principals


def test_the_resolver_logs_where_and_reads_what_awss_project_lambda_role_allows() -> None:
    """AmazonSageMakerProjectsLambdaServiceRolePolicy grants logs on `log-group:/aws/lambda/*` and sagemaker:* on
    model packages and groups: the resolver's log group is Lambda's own, /aws/lambda/<function name>."""
    resources = deploy(**GROUP_MODE).resources()
    function = resources["PackageResolverFunction"]["Properties"]
    log_group = resources["PackageResolverLogGroup"]["Properties"]["LogGroupName"]
    assert log_group == f"/aws/lambda/{function['FunctionName']}"
    lambda_role = sample_policy("lambda-role-policy.json")
    group_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/churn"
    calls = [
        ("logs:CreateLogStream", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}:log-stream:x"),
        ("logs:PutLogEvents", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{log_group}:log-stream:x"),
        ("sagemaker:ListModelPackages", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn/*"),
        ("sagemaker:DescribeModelPackageGroup", group_arn),
    ]
    assert [call for call in calls if not allows(lambda_role, *call)] == []


def test_deploy_on_approval_is_refused_before_anything_is_created() -> None:
    """Its updater needs a role the stack would create, and it would update the stack behind the project."""
    assert deploy(**GROUP_MODE).failed_rules() == []
    assert deploy(**GROUP_MODE, DeployOnApproval="true").failed_rules() == [
        "DeployOnApproval is true, which a SageMaker project cannot do: it needs an IAM role the stack would create "
        "(SageMaker does not say it passes CAPABILITY_IAM), and the stack would update itself behind the project. "
        "Set it to false and redeploy with UpdateProject."
    ]


def _arns(resources: dict[str, Any]) -> dict[str, str]:
    uuid = PSEUDO["AWS::StackName"]
    function = resources["PackageResolverFunction"]["Properties"]["FunctionName"]
    return {
        "model": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/model-a1b2c3",
        "config": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/config-a1b2c3",
        "endpoint": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/endpoint-a1b2c3",
        "function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}",
        "code": f"arn:aws:s3:::{CODE_BUCKET}/{resources['PackageResolverFunction']['Properties']['Code']['S3Key']}",
        "log group": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{function}",
        "key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/sagemaker-endpoint/{uuid}",
        "security group": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0",
        "alarm": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{uuid}-DiskUtilizationAlarm-A1B2C3",
        "dashboard": f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/sagemaker-endpoint-{uuid}-{REGION}",
        "scalable target": f"arn:aws:application-autoscaling:{REGION}:{ACCOUNT}:scalable-target/0a1b2c3d4e5f",
    }


# The call that creates each resource type (the API each CloudFormation resource reference names), on what.
CREATE_CALLS = [
    ("AWS::SageMaker::Model", "sagemaker:CreateModel", "model"),
    ("AWS::SageMaker::EndpointConfig", "sagemaker:CreateEndpointConfig", "config"),
    ("AWS::SageMaker::Endpoint", "sagemaker:CreateEndpoint", "endpoint"),
    ("AWS::SageMaker::Endpoint", "sagemaker:UpdateEndpoint", "endpoint"),
    ("AWS::Lambda::Function", "lambda:CreateFunction", "function"),
    ("AWS::Lambda::Function", "s3:GetObject", "code"),
    ("Custom::LatestApprovedModelPackage", "lambda:InvokeFunction", "function"),
    ("AWS::Logs::LogGroup", "logs:CreateLogGroup", "log group"),
    ("AWS::Logs::MetricFilter", "logs:PutMetricFilter", "log group"),
    ("AWS::KMS::Key", "kms:CreateKey", "key"),
    ("AWS::KMS::Alias", "kms:CreateAlias", "alias"),
    ("AWS::EC2::SecurityGroup", "ec2:CreateSecurityGroup", "security group"),
    ("AWS::CloudWatch::Alarm", "cloudwatch:PutMetricAlarm", "alarm"),
    ("AWS::CloudWatch::Dashboard", "cloudwatch:PutDashboard", "dashboard"),
    (
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "application-autoscaling:RegisterScalableTarget",
        "scalable target",
    ),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "application-autoscaling:PutScalingPolicy", "scalable target"),
]


def test_awss_sample_launch_role_covers_the_sagemaker_and_lambda_resources_but_lacks_five_services() -> None:
    """AmazonSageMakerAdmin-ProjectsServiceRolePolicy creates SageMaker models, configs and endpoints on
    `arn:aws:sagemaker:*:*:*`, functions named `sagemaker-*` and reads code from `sagemaker-*` buckets: our names fit.
    It has no kms, ec2, cloudwatch, application-autoscaling or logs statement beyond API Gateway's access logs, and no
    sagemaker:UpdateEndpoint: those are what templates/project-launch-role.yaml adds (docs/sagemaker-projects.md)."""
    resources = deploy(**GROUP_MODE, ManagedInstanceScaling="true").resources()
    types = {r["Type"] for r in resources.values()}
    arns = _arns(resources)
    launch = sample_policy("launch-role-policy.json")
    assert {kind for kind, _, _ in CREATE_CALLS} == types  # every type the template creates is judged
    denied = [f"{kind} {action}" for kind, action, on in CREATE_CALLS if not allows(launch, action, arns[on])]
    assert denied == [
        "AWS::SageMaker::Endpoint sagemaker:UpdateEndpoint",
        "AWS::Logs::LogGroup logs:CreateLogGroup",
        "AWS::Logs::MetricFilter logs:PutMetricFilter",
        "AWS::KMS::Key kms:CreateKey",
        "AWS::KMS::Alias kms:CreateAlias",
        "AWS::EC2::SecurityGroup ec2:CreateSecurityGroup",
        "AWS::CloudWatch::Alarm cloudwatch:PutMetricAlarm",
        "AWS::CloudWatch::Dashboard cloudwatch:PutDashboard",
        "AWS::ApplicationAutoScaling::ScalableTarget application-autoscaling:RegisterScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy application-autoscaling:PutScalingPolicy",
    ]


@pytest.mark.parametrize("kind", ["AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint",
                                  "AWS::Lambda::Function"])  # fmt: skip
def test_sagemaker_and_lambda_resources_carry_only_sagemaker_tag_keys_but_the_retained_one(kind: str) -> None:
    """The sample launch role tags SageMaker resources and functions only `"ForAllValues:StringLike": {"aws:TagKeys":
    ["sagemaker:*"]}`. Every tag we put is a sagemaker: key, but the Model's and EndpointConfig's STACK_TAG, by which
    a replaced one kept for SageMaker's rollback is found and removed: a role without it cannot replace them."""
    values = {**GROUP_MODE, "SageMakerDomainId": "d-a1b2c3d4e5f6"}
    (resource,) = [r for r in deploy(**values).resources().values() if r["Type"] == kind]
    keys = {tag["Key"] for tag in resource["Properties"]["Tags"] if tag is not None}
    expected_other = {STACK_TAG} if kind in ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig") else set()
    assert {key for key in keys if not key.startswith("sagemaker:")} == expected_other
    assert {"sagemaker:project-name", "sagemaker:project-id", "sagemaker:domain-id"} <= keys


def test_the_published_template_fits_what_cloudformation_reads_from_a_template_url() -> None:
    """CreateProject hands CloudFormation the template's S3 URL: "The URL must point to a template (max size: 1 MB)
    that's located in an Amazon S3 bucket" (botocore cloudformation CreateStackInput.TemplateURL). 1 MB is read as
    1,000,000 bytes, the safe side. SageMaker documents no limit of its own."""
    size = len((TEMPLATES / "sagemaker-project.yaml").read_bytes())
    assert 51_200 < size < 1_000_000  # past the inline limit: only a URL can carry it, as CreateProject does


def test_every_rule_of_the_endpoint_template_on_inputs_the_project_has_refuses_there_too() -> None:
    """The project template is built from the endpoint's builders: a Rule that a builder stops adding (as the network
    rule once did, when it moved out of the security group's builder) would let a project create what the endpoint
    template refuses. CreatedRoleReadsTheArtifacts is about the role the endpoint template creates; the project
    creates none."""
    endpoint = parse_template((TEMPLATES / "sagemaker-endpoint.yaml").read_text())
    rules = project()["Rules"]
    applicable = [
        name for name, rule in endpoint["Rules"].items()
        if set(re.findall(r'"Ref": "(\w+)"', json.dumps(rule))) <= set(project()["Parameters"])
    ]  # fmt: skip
    missing = [
        name
        for name in applicable
        if name != "CreatedRoleReadsTheArtifacts" and rules.get(name) != endpoint["Rules"][name]
    ]
    assert missing == []
