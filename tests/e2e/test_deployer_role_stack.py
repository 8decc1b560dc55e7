"""deployer-role.yaml on the local AWS, and the endpoint deployed with the deployer role
as its service role, by the AWS CLI as the README shows and by `sagemaker-endpoint deploy --role-arn`.

moto does not enforce IAM on CloudFormation's calls, so what the role allows is proven offline
(tests/deployer/test_permissions.py); here the role and its policies are real IAM objects, and the stacks name them."""

from __future__ import annotations

import json

from tests.support.e2e import (
    CODE_BUCKET,
    LocalAws,
    arn_mode,
    aws_cli,
    cli,
    deploy_role,
    params,
    stack_of,
)
from tests.support.paths import ROOT

TEMPLATES = ROOT / "templates"


def test_the_deployer_role_stack_creates_the_role_with_its_derived_policies(aws: LocalAws) -> None:
    out = deploy_role(aws)
    iam = aws.client("iam")
    role_name = out["DeployerRoleArn"].rsplit("/", 1)[1]
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["Path"] == "/sagemaker-endpoint-deployer/"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["cloudformation.amazonaws.com", "servicecatalog.amazonaws.com"]
    }
    attached = sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"])
    assert attached == sorted(out["DeployerPolicyArns"].split(","))
    statements = []
    for arn in attached:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        statements += document["Statement"] if isinstance(document, dict) else json.loads(document)["Statement"]
    sids = {s["Sid"] for s in statements}
    # Derived from the three product templates: the component template adds inference-component/* to the SageMaker
    # statement.
    assert {"SageMakerModelsConfigsEndpointsComponents", "PassModelRoleToSageMaker", "ReadResolverCode"} <= sids
    (code,) = [s for s in statements if s["Sid"] == "ReadResolverCode"]
    assert code["Resource"] == ["arn:aws:s3:::sagemaker-endpoint-artifacts-123456789012-eu-west-1/*"]


def test_the_endpoint_deploys_with_the_deployer_role_as_its_service_role(aws: LocalAws) -> None:
    role_arn = deploy_role(aws)["DeployerRoleArn"]
    values = arn_mode(aws)
    deploy = aws_cli(
        aws, "cloudformation", "deploy", "--stack-name", "churn-with-role",
        "--template-file", "templates/sagemaker-endpoint.yaml", "--s3-bucket", CODE_BUCKET,
        "--capabilities", "CAPABILITY_IAM",
        "--role-arn", role_arn, "--parameter-overrides", *(f"{k}={v}" for k, v in values.items()),
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stderr
    assert stack_of(aws, "churn-with-role")["RoleARN"] == role_arn

    ours = cli(aws, "deploy", "--stack-name", "churn-cli-role", "--role-arn", role_arn, *params(values))
    assert ours.returncode == 0, ours.stderr
    assert stack_of(aws, "churn-cli-role")["RoleARN"] == role_arn
    assert json.loads(ours.stdout)["ModelPackageArn"] == values["ModelPackageArn"]
