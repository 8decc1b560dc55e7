"""The repository as a seed-farmer module: deployspec.yaml run as seed-farmer's CodeBuild runs it
(seedfarmer_codebuild.py), on the local AWS, after modulestack.yaml as seed-farmer deploys it first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.common.names import OUTPUT_KEYS
from generator.deploy.template_file import parse_template
from tests.support.e2e import (
    GROUP,
    LocalAws,
    outputs,
    parameters,
)
from tests.support.iam_eval import allows
from tests.support.local_aws import ARTIFACTS_BUCKET, REGION
from tests.support.paths import ROOT
from tests.support.seedfarmer_codebuild import ACCOUNT, DEPLOYMENT, MODULE, PROJECT, CodeBuild
from tests.support.seedfarmer_codebuild import GROUP as SF_GROUP
from tests.support.template_eval import Evaluator

pytestmark = pytest.mark.tools
STACK = f"{PROJECT}-{DEPLOYMENT}-{SF_GROUP}-{MODULE}-cfn"
MODULE_ROLE = f"{PROJECT}-{DEPLOYMENT}-{SF_GROUP}-{MODULE}-deadbeef"
BAD_SUBNETS = '["subnet-a", subnet-b]'  # not JSON: a quote is missing
MODULESTACK_PARAMETERS = {
    "RoleName": MODULE_ROLE,
    "ProjectName": PROJECT,
    "DeploymentName": DEPLOYMENT,
    "ModuleName": f"{SF_GROUP}-{MODULE}",
}


@pytest.fixture(scope="session")
def codebuild_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("codebuild")


@pytest.fixture
def codebuild(aws: LocalAws, codebuild_dir: Path) -> CodeBuild:
    """The module role seed-farmer makes, and modulestack.yaml deployed for it, as seed-farmer does before a build."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "codebuild.amazonaws.com"}}]}  # fmt: skip
    aws.client("iam").create_role(RoleName=MODULE_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=f"{PROJECT}-{DEPLOYMENT}-{SF_GROUP}-{MODULE}-iam-policy",
        TemplateBody=(ROOT / "modulestack.yaml").read_text(),
        Parameters=parameters(MODULESTACK_PARAMETERS),
        Capabilities=["CAPABILITY_IAM"],
    )
    return CodeBuild(codebuild_dir, aws.endpoint_url)


def module_parameters(aws: LocalAws, **extra: Any) -> dict[str, Any]:
    """Parameters as a manifest gives them: seed spellings, a JSON list of subnets, YAML booleans. The seed's
    README calls model-artifacts-bucket-arn "Required by model execution IAM role to download model artifacts"."""
    return {
        "vpc-id": aws.vpc_id, "subnet_ids": aws.subnet_ids, "instanceType": "ml.m5.large",
        "model-artifacts-bucket-arn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}", **extra,
    }  # fmt: skip


def deployer_role_arn(aws: LocalAws) -> str:
    stack = aws.client("cloudformation").describe_stacks(
        StackName=f"{PROJECT}-{DEPLOYMENT}-{SF_GROUP}-{MODULE}-iam-policy"
    )
    return outputs(stack["Stacks"][0])["DeployerRoleArn"]


def test_given_an_arn_then_the_deployspec_deploys_and_the_metadata_holds_the_seven_outputs(
    aws: LocalAws, codebuild: CodeBuild
) -> None:
    build = codebuild.run("deploy", module_parameters(
        aws, **{"model-package-arn": aws.versions[0], "enable-network-isolation": False, "tags": {"team": "ml"}}
    ))  # fmt: skip

    assert build.returncode == 0, build.log
    stack = aws.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert build.metadata == {key: outputs(stack)[key] for key in OUTPUT_KEYS}  # the seven, not DashboardUrl
    assert list(build.metadata) == list(OUTPUT_KEYS)
    assert build.metadata["ModelPackageArn"] == aws.versions[0]
    assert stack["RoleARN"] == deployer_role_arn(aws)
    assert {t["Key"]: t["Value"] for t in stack["Tags"]} == {
        "SeedFarmerProjectName": PROJECT, "SeedFarmerDeploymentName": DEPLOYMENT,
        "SeedFarmerModuleName": f"{SF_GROUP}-{MODULE}", "team": "ml",
    }  # fmt: skip
    used = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert (used["SubnetIds"], used["EnableNetworkIsolation"]) == (",".join(aws.subnet_ids), "false")
    assert "Stack aiops-aiops-sagemaker-endpoints-endpoint-cfn: CREATE_COMPLETE" in build.log


def test_given_a_group_and_the_seed_readmes_spellings_then_it_deploys_the_latest_approved_and_warns_of_the_typo(
    aws: LocalAws, codebuild: CodeBuild
) -> None:
    # The boundary is a managed policy of the account (IAM's PermissionsBoundary: "The ARN of the managed policy that
    # is used to set the permissions boundary for the role"), allowing what the roles need: the execution role's
    # cloudwatch:DescribeAlarms on the rollback alarms, which SageMaker now checks.
    boundary = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    aws.client("iam").create_policy(PolicyName="ml-boundary", PolicyDocument=json.dumps(boundary))
    build = codebuild.run("deploy", module_parameters(aws, **{
        "model_package_group_name": GROUP, "modelArtifactsBucketArn": f"arn:aws:s3:::{ARTIFACTS_BUCKET}",
        "data-capture-samping-percentage": 20, "data-capture-prefix": "capture", "enable-network-isolation": "True",
        "initial-instance-count": 2, "permissions-boundary-name": "ml-boundary",
    }))  # fmt: skip

    assert build.returncode == 0, build.log
    assert build.metadata is not None
    assert build.metadata["ModelPackageArn"] == aws.versions[2]
    assert (
        "warning: SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPING_PERCENTAGE: read as "
        "SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPLING_PERCENTAGE; spell the parameter data-capture-sampling-percentage"
    ) in build.log
    stack = aws.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    used = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert (used["DataCaptureSamplingPercentage"], used["EnableNetworkIsolation"], used["InitialInstanceCount"]) == (
        "20",
        "true",
        "2",
    )
    assert used["PermissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/ml-boundary"


def test_a_redeploy_with_the_same_parameters_changes_nothing_and_destroy_removes_the_stack(
    aws: LocalAws, codebuild: CodeBuild
) -> None:
    values = module_parameters(aws, **{"model-package-arn": aws.versions[0]})
    first = codebuild.run("deploy", values)
    assert first.returncode == 0, first.log

    again = codebuild.run("deploy", values, metadata=json.dumps(first.metadata))

    assert again.returncode == 0, again.log
    assert "No changes: stack aiops-aiops-sagemaker-endpoints-endpoint-cfn already matches" in again.log
    assert again.metadata == first.metadata
    assert [action for action, _ in again.calls("cloudformation") if action == "ExecuteChangeSet"] == []

    gone = codebuild.run("destroy", values)

    assert gone.returncode == 0, gone.log
    summaries = aws.client("cloudformation").list_stacks()["StackSummaries"]
    assert [(s["StackName"], s["StackStatus"]) for s in summaries if s["StackName"] == STACK] == [
        (STACK, "DELETE_COMPLETE")
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"model-package-arn": "PACKAGE", "model-package-group-name": GROUP},
         "Set only one of ModelPackageArn and ModelPackageGroupName"),
        ({"model-package-arn": "PACKAGE", "subnet-ids": BAD_SUBNETS},
         f"SEEDFARMER_PARAMETER_SUBNET_IDS={BAD_SUBNETS!r}: expected a JSON list of subnet ids"),
        ({"model-package-arn": "PACKAGE", "instance-typ": "ml.m5.large"},
         "SEEDFARMER_PARAMETER_INSTANCE_TYP: not a parameter of this module; did you mean "
         "SEEDFARMER_PARAMETER_INSTANCE_TYPE?"),
    ],
)  # fmt: skip
def test_bad_input_fails_the_build_before_any_stack_call_with_the_message_in_the_log(
    aws: LocalAws, codebuild: CodeBuild, extra: dict[str, str], message: str
) -> None:
    values = module_parameters(aws, **{k: aws.versions[0] if v == "PACKAGE" else v for k, v in extra.items()})
    build = codebuild.run("deploy", values)

    assert build.returncode != 0
    assert message in build.log
    assert build.calls("cloudformation") == []
    assert build.metadata is None


def test_every_cloudformation_and_s3_call_of_a_group_deploy_and_destroy_is_allowed_by_the_module_role_policy(
    aws: LocalAws, codebuild: CodeBuild
) -> None:
    values = module_parameters(aws, **{"model-package-group-name": GROUP})
    builds = [codebuild.run("deploy", values), codebuild.run("deploy", {**values, "instance-type": "ml.c5.xlarge"})]
    builds.append(codebuild.run("destroy", values))
    assert [b.returncode for b in builds] == [0, 0, 0], builds[-1].log
    policy = module_role_statements()
    calls = {
        (service, action, name)
        for b in builds
        for service in ("cloudformation", "s3")
        for action, name in b.calls(service)
    }
    made = {(service, action) for service, action, _ in calls}
    assert made >= {("s3", "CreateBucket"), ("s3", "PutObject"), ("s3", "PutBucketPolicy"),
                    ("cloudformation", "CreateChangeSet"), ("cloudformation", "ExecuteChangeSet"),
                    ("cloudformation", "DescribeStackEvents"), ("cloudformation", "DeleteStack")}  # fmt: skip
    # The live preflight's read of the user's model artifacts bucket (HeadBucket, which S3 authorizes as
    # s3:ListBucket) is the one call the module role may be refused: the bucket is the user's, named by no input of
    # modulestack.yaml, and the command then says it could not check it and goes on (tests/deploy/test_preflight.py).
    preflight_reads = {("s3", "ListBucket", ARTIFACTS_BUCKET)}
    denied = [
        (service, action, name) for service, action, name in sorted(calls)
        if (service, action, name) not in preflight_reads
        and not allows(policy, f"{service}:{action}", resource_arn(service, name))
    ]  # fmt: skip
    assert denied == []


def module_role_statements() -> list[dict[str, Any]]:
    """The module role's policy as modulestack.yaml creates it for this module."""
    template = parse_template((ROOT / "modulestack.yaml").read_text())
    pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION}
    resources = Evaluator(template, MODULESTACK_PARAMETERS, pseudo).resources()
    return resources["ModuleRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def resource_arn(service: str, name: str) -> str:
    if service == "s3":
        return f"arn:aws:s3:::{name}"
    stack_name = name.split("/")[1] if name.startswith("arn:") and ":stack/" in name else name
    if ":changeSet/" in name:  # a change set is authorized on its stack
        stack_name = STACK
    return f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack_name}/0a1b2c3d"
