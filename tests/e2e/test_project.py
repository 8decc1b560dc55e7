"""SageMaker Projects from S3, end to end on the local AWS: `project publish` to a bucket that already has a CORS rule
and a domain; a project created with CreateProject's TemplateProviders (moto bent: tests/support/moto/projects.py)
from the URL publish printed, run by the project launch role; its stack and resources carry the project's tags;
deleting the project deletes its stack; `project unpublish` leaves the bucket and the domain as they were."""

from __future__ import annotations

import json

from moto.iam.aws_managed_policies import aws_managed_policies_data

from tests.support.e2e import LocalAws, cli, outputs
from tests.support.moto.projects import projects_from_s3_templates
from tests.support.paths import TEMPLATES

BUCKET, DOMAIN_NAME = "team-templates", "a1b2c3d4e5f6"
DOMAIN = f"d-{DOMAIN_NAME}"  # moto names a domain d-<name>
THEIRS = {"ID": "web-app", "AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.example.com"]}
LOCATION_TAG = "sagemaker:projectS3TemplatesLocation"
LOCATION = f"s3://{BUCKET}/sagemaker-projects-templates/"
KEY = "sagemaker-projects-templates/sagemaker-endpoint.yaml"
MOTO_ACCOUNT = "123456789012"  # moto's default account


def given_a_bucket_with_a_cors_rule_and_a_domain(aws: LocalAws) -> str:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [THEIRS]})
    domain = aws.client("sagemaker").create_domain(
        DomainName=DOMAIN_NAME, AuthMode="IAM", VpcId=aws.vpc_id, SubnetIds=aws.subnet_ids,
        DefaultUserSettings={"ExecutionRole": f"arn:aws:iam::{MOTO_ACCOUNT}:role/studio"},
        Tags=[{"Key": "team", "Value": "ml"}],  # the domain's own tag: publish and unpublish leave it
    )  # fmt: skip
    return str(domain["DomainArn"])


def given_awss_projects_execution_role(aws: LocalAws) -> None:
    """The model's default role as AWS's sample makes it: `service-role/AmazonSageMakerProjectsExecutionRole`, trusting
    SageMaker, with the AWS managed policy AmazonSageMakerFullAccess only (tests/fixtures/sagemaker_projects/SOURCE.md).
    Its document is AWS's (v29, moto's copy of AWS's managed policies), made a customer managed policy here because
    the local moto does not load AWS's; its AllowAWSServiceActions statement grants cloudwatch:DescribeAlarms on `*`,
    which SageMaker checks on the rollback alarms ("Ensure that your IAM execution role has permission to perform
    the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify", SageMaker guide, Auto-Rollback
    Configuration and Monitoring)."""
    iam = aws.client("iam")
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                            "Action": "sts:AssumeRole"}]}  # fmt: skip
    iam.create_role(Path="/service-role/", RoleName="AmazonSageMakerProjectsExecutionRole",
                    AssumeRolePolicyDocument=json.dumps(trust))  # fmt: skip
    document = json.loads(aws_managed_policies_data)["AmazonSageMakerFullAccess"]["Document"]
    policy = iam.create_policy(PolicyName="AmazonSageMakerFullAccess", PolicyDocument=json.dumps(document))
    iam.attach_role_policy(RoleName="AmazonSageMakerProjectsExecutionRole", PolicyArn=policy["Policy"]["Arn"])


def launch_role(aws: LocalAws) -> str:
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="project-launch",
        TemplateBody=(TEMPLATES / "project-launch-role.yaml").read_text(),
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName="project-launch")["Stacks"][0]
    return outputs(stack)["ProjectLaunchRoleArn"]


def test_a_published_template_becomes_a_tagged_project_stack_and_unpublish_restores_the_bucket_and_domain(
    aws: LocalAws,
) -> None:
    domain_arn = given_a_bucket_with_a_cors_rule_and_a_domain(aws)
    given_awss_projects_execution_role(aws)
    published = publish_and_check(aws, domain_arn)

    with projects_from_s3_templates():
        stack_id = create_project_and_check_its_stack(aws, published)
        aws.client("sagemaker").delete_project(ProjectName="churn-endpoint")
        gone = aws.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"][0]
        assert gone["StackStatus"] == "DELETE_COMPLETE"

    unpublish = cli(aws, "project", "unpublish", "--bucket", BUCKET, "--domain-id", DOMAIN, "--yes")
    assert unpublish.returncode == 0, unpublish.stderr
    s3 = aws.client("s3")
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="sagemaker-projects-templates/").get("Contents", []) == []
    assert s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"] == [THEIRS]
    assert aws.client("sagemaker").list_tags(ResourceArn=domain_arn)["Tags"] == [{"Key": "team", "Value": "ml"}]


def publish_and_check(aws: LocalAws, domain_arn: str) -> dict[str, str]:
    """The object tagged visible, Studio's rule first and theirs kept, the domain tagged, and `list` seeing it."""
    publish = cli(aws, "project", "publish", "--bucket", BUCKET, "--domain-id", DOMAIN, "--yes")
    assert publish.returncode == 0, publish.stderr
    s3 = aws.client("s3")
    assert s3.get_object_tagging(Bucket=BUCKET, Key=KEY)["TagSet"] == [
        {"Key": "sagemaker:studio-visibility", "Value": "true"}
    ]
    rules = s3.get_bucket_cors(Bucket=BUCKET)["CORSRules"]
    assert [rule.get("ID") for rule in rules] == ["sagemaker-endpoint-studio-projects", "web-app"]
    assert rules[1] == THEIRS
    tags = aws.client("sagemaker").list_tags(ResourceArn=domain_arn)["Tags"]
    assert tags == [{"Key": "team", "Value": "ml"}, {"Key": LOCATION_TAG, "Value": LOCATION}]
    listed = json.loads(cli(aws, "project", "list", "--domain-id", DOMAIN).stdout)
    assert (listed["Location"], listed["StudioCors"]) == (LOCATION, True)
    assert listed["Templates"] == [{"Key": KEY, "Visible": True}]
    published: dict[str, str] = json.loads(publish.stdout)
    return published


def create_project_and_check_its_stack(aws: LocalAws, published: dict[str, str]) -> str:
    """CreateProject from the printed URL and name, with the launch role: the project completes, its SP- stack and
    its SageMaker resources carry the project's name and id, and the model runs as AWS's Projects execution role."""
    sagemaker = aws.client("sagemaker")
    values = {**aws.network(), "ModelPackageArn": aws.versions[0], "InstanceType": "ml.m5.large"}
    sagemaker.create_project(ProjectName="churn-endpoint", TemplateProviders=[{"CfnTemplateProvider": {
        "TemplateName": published["TemplateName"], "TemplateURL": published["TemplateURL"],
        "RoleARN": launch_role(aws), "Parameters": [{"Key": key, "Value": value} for key, value in values.items()],
    }}])  # fmt: skip
    project = sagemaker.describe_project(ProjectName="churn-endpoint")
    stack = project["TemplateProviderDetails"][0]["CfnTemplateProviderDetail"]["StackDetail"]
    assert project["ProjectStatus"] == "CreateCompleted", stack["StatusMessage"]
    assert stack["Name"].startswith("SP-")
    project_tags = {"sagemaker:project-name": "churn-endpoint", "sagemaker:project-id": project["ProjectId"]}
    described = aws.client("cloudformation").describe_stacks(StackName=stack["Id"])["Stacks"][0]
    assert {tag["Key"]: tag["Value"] for tag in described["Tags"]} == project_tags
    ids = aws.physical_ids(stack["Id"])
    for resource in ("Endpoint", "EndpointConfig", "Model"):
        tags = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=ids[resource])["Tags"]}
        assert project_tags.items() <= tags.items(), resource
    model = sagemaker.describe_model(ModelName=ids["Model"].rsplit("/", 1)[1])
    assert (
        model["ExecutionRoleArn"]
        == f"arn:aws:iam::{MOTO_ACCOUNT}:role/service-role/AmazonSageMakerProjectsExecutionRole"
    )
    return str(stack["Id"])
