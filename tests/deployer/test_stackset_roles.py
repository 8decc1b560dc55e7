"""The self-managed StackSets roles: the execution role does in any Region what the deployer role does in its own,
reads code only from the administrator's buckets, manages only StackSet stacks, and trusts only the administration
role; the administration role only assumes the execution role; the reader only reads. Checked with the IAM
evaluator (tests/support/iam_eval.py) on the policies as CloudFormation would create them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from generator.deployer.permissions import derive_deployer_policy
from generator.deployer.role_template import build_deployer_role_template
from generator.deployer.stackset_roles import build_administration_role_template, build_execution_role_template
from generator.endpoint.template import build_template
from tests.support.iam_eval import allows
from tests.support.template_eval import Evaluator

ADMIN, TARGET, HOME, ELSEWHERE = "999988887777", "111122223333", "eu-west-1", "us-east-1"
PSEUDO = {"AWS::AccountId": TARGET, "AWS::Region": HOME, "AWS::StackName": "roles", "AWS::Partition": "aws"}
SERVICE_CATALOG_SIDS = {"ServiceCatalogStacks", "ReadServiceCatalogTemplates"}


@cache
def policy() -> Any:
    return derive_deployer_policy(build_template().to_dict())


def resources(template: Any, values: dict[str, str] | None = None) -> dict[str, Any]:
    return Evaluator(template.to_dict(), values or {}, PSEUDO).resources()


def managed_statements(evaluated: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for r in evaluated.values() if r["Type"] == "AWS::IAM::ManagedPolicy"
            for s in r["Properties"]["PolicyDocument"]["Statement"]]  # fmt: skip


@cache
def execution() -> dict[str, Any]:
    return resources(build_execution_role_template(policy()), {"AdministratorAccountId": ADMIN})


def elsewhere(resource: str) -> str:
    """The deployer's resource as an instance in another Region uses it: there, with the administrator's bucket."""
    moved = resource.replace(
        f"sagemaker-endpoint-artifacts-{TARGET}-{HOME}", f"sagemaker-endpoint-artifacts-{ADMIN}-{ELSEWHERE}"
    )
    return moved.replace(f":{HOME}:", f":{ELSEWHERE}:").replace("*", "x1")


def context_of(statement: dict[str, Any]) -> dict[str, str]:
    equals = statement.get("Condition", {}).get("StringEquals", {})
    return {key: value if isinstance(value, str) else value[0] for key, value in equals.items()}


def test_the_execution_role_does_in_any_region_all_the_deployer_role_does_in_its_own() -> None:
    deployer = managed_statements(resources(build_deployer_role_template(policy()), {"ArtifactsBucketName": ""}))
    granted = managed_statements(execution())
    missing = [
        f"{action} {elsewhere(resource)}"
        for statement in deployer
        if statement["Sid"] not in SERVICE_CATALOG_SIDS
        for action in statement["Action"]
        for resource in statement["Resource"]
        if not allows(granted, action, elsewhere(resource), context_of(statement))
    ]
    assert missing == []
    assert not {s["Sid"] for s in granted} & SERVICE_CATALOG_SIDS


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", f"arn:aws:s3:::sagemaker-endpoint-artifacts-{TARGET}-{ELSEWHERE}/resolver/x.zip"),
        ("s3:GetObject", "arn:aws:s3:::payroll-exports/2026.csv"),
        ("cloudformation:UpdateStack", f"arn:aws:cloudformation:{ELSEWHERE}:{TARGET}:stack/payments/5b1c9a40"),
        ("cloudformation:DeleteStack", f"arn:aws:cloudformation:{ELSEWHERE}:{ADMIN}:stack/StackSet-x/5b1c9a40"),
        ("iam:CreateRole", f"arn:aws:iam::{TARGET}:role/admin"),
    ],
)
def test_the_execution_role_reaches_nothing_beside_the_fleet(action: str, resource: str) -> None:
    assert not allows(managed_statements(execution()), action, resource)


def test_stacksets_may_manage_the_instance_stacks_in_every_region() -> None:
    stack = f"arn:aws:cloudformation:{ELSEWHERE}:{TARGET}:stack/StackSet-churn-fleet-5b1c9a40/0a1b2c3d"
    for action in ("cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack"):
        assert allows(managed_statements(execution()), action, stack)
    assert all("*" not in s["Action"] for s in managed_statements(execution()))


def test_each_role_is_trusted_by_exactly_whom_it_serves() -> None:
    roles = {name: r["Properties"] for name, r in execution().items() if r["Type"] == "AWS::IAM::Role"}
    (trust,) = roles["ExecutionRole"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": [f"arn:aws:iam::{ADMIN}:role/AWSCloudFormationStackSetAdministrationRole"]}
    assert roles["ExecutionRole"]["RoleName"] == "AWSCloudFormationStackSetExecutionRole"
    (reader_trust,) = roles["ReaderRole"]["AssumeRolePolicyDocument"]["Statement"]
    assert reader_trust["Principal"] == {"AWS": [f"arn:aws:iam::{ADMIN}:root"]}
    admin = resources(build_administration_role_template())["AdministrationRole"]["Properties"]
    (admin_trust,) = admin["AssumeRolePolicyDocument"]["Statement"]
    assert admin_trust["Principal"] == {"Service": ["cloudformation.amazonaws.com"]}
    assert admin_trust["Condition"] == {"StringEquals": {"aws:SourceAccount": TARGET}}


def test_the_administration_role_assumes_only_the_execution_role() -> None:
    admin = resources(build_administration_role_template())["AdministrationRole"]["Properties"]
    statements = admin["Policies"][0]["PolicyDocument"]["Statement"]
    assert allows(statements, "sts:AssumeRole", f"arn:aws:iam::{TARGET}:role/AWSCloudFormationStackSetExecutionRole")
    assert not allows(statements, "sts:AssumeRole", f"arn:aws:iam::{TARGET}:role/OrganizationAccountAccessRole")


def test_the_reader_reads_instance_stacks_and_endpoints_and_nothing_else() -> None:
    statements = execution()["ReaderRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    stack = f"arn:aws:cloudformation:{ELSEWHERE}:{TARGET}:stack/StackSet-churn-fleet-5b1c9a40/0a1b2c3d"
    assert allows(statements, "cloudformation:DescribeStacks", stack)
    assert allows(statements, "sagemaker:DescribeEndpoint", f"arn:aws:sagemaker:{ELSEWHERE}:{TARGET}:endpoint/churn")
    assert not allows(statements, "cloudformation:DescribeStacks", re.sub(r"StackSet-[^/]+", "payments", stack))
    assert not allows(statements, "cloudformation:UpdateStack", stack)


STACKSETS_GUIDE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html"


@pytest.mark.parametrize(
    ("regions", "principals"),
    [("", ["cloudformation.amazonaws.com"]),
     ("ap-east-1", ["cloudformation.amazonaws.com", "cloudformation.ap-east-1.amazonaws.com"]),
     ("ap-east-1,me-south-1", ["cloudformation.amazonaws.com", "cloudformation.ap-east-1.amazonaws.com",
                               "cloudformation.me-south-1.amazonaws.com"])],
)  # fmt: skip
def test_the_administration_role_trusts_the_regional_principal_of_each_opt_in_region(
    regions: str, principals: list[str]
) -> None:
    """AWS's StackSets guide (STACKSETS_GUIDE): "To deploy stack instances into a target account that resides in a
    Region that's disabled by default, you must also include the regional service principal for that Region." Its
    example trusts "cloudformation.amazonaws.com" and "cloudformation.ap-east-1.amazonaws.com"."""
    template = build_administration_role_template()
    admin = resources(template, {"OptInRegions": regions})["AdministrationRole"]["Properties"]
    (trust,) = admin["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": principals}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": TARGET}}  # the confused-deputy guard stays
    pattern = template.to_dict()["Parameters"]["OptInRegions"]["AllowedPattern"]
    assert all(re.fullmatch(pattern, r) for r in ("", "ap-east-1", "il-central-1", "ap-southeast-7"))
    assert not any(re.fullmatch(pattern, r) for r in ("Hong Kong", "cloudformation.ap-east-1.amazonaws.com", "x"))


def test_the_execution_role_has_full_cloudformation_permissions_on_the_instance_stacks_only() -> None:
    """The same guide: "Your target account always needs full CloudFormation permissions, which include permissions
    to create, update, delete, and describe stacks." Every action IAM's reference (cfn-lint's Policies.json) scopes
    to a `stack`, read here from the file, on the stacks StackSets makes, and the reads IAM cannot scope on `*`."""
    reference = json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
    on_stacks = [
        a for a, spec in reference["cloudformation"]["Actions"].items() if "stack" in spec.get("Resources", [])
    ]
    granted = managed_statements(execution())
    instance = f"arn:aws:cloudformation:{ELSEWHERE}:{TARGET}:stack/StackSet-churn-fleet-5b1c9a40/0a1b2c3d"
    assert len(on_stacks) > 30
    assert [a for a in on_stacks if not allows(granted, f"cloudformation:{a}", instance)] == []
    assert not allows(granted, "cloudformation:DeleteStack", instance.replace("StackSet-churn-fleet", "payments"))
    for read in ("ValidateTemplate", "ListStacks", "DescribeStackDriftDetectionStatus"):
        assert allows(granted, f"cloudformation:{read}", "*")
    for unscoped_write in ("RegisterType", "CreateResource", "ActivateType", "CreateStackSet"):
        assert not allows(granted, f"cloudformation:{unscoped_write}", "*")
    (reads,) = [s for s in granted if s["Sid"] == "CloudFormationReadsWithoutResourceTypes"]
    assert all(not reference["cloudformation"]["Actions"][a.split(":")[1].lower()].get("Resources")
               for a in reads["Action"])  # fmt: skip


def test_the_execution_role_reads_the_templates_stacksets_takes_from_the_administrators_buckets() -> None:
    """AWS's earlier StackSets guide listed `s3:*` in the execution role's minimum permissions (the templates
    StackSets reads); `fleet deploy` puts them under templates/ of the administrator's artifacts bucket of each
    Region. The safe side, scoped: read those objects, nothing else of S3."""
    granted = managed_statements(execution())
    template = f"arn:aws:s3:::sagemaker-endpoint-artifacts-{ADMIN}-{ELSEWHERE}/templates/sagemaker-endpoint-0a1b.yaml"
    assert allows(granted, "s3:GetObject", template)
    assert not allows(granted, "s3:GetObject", template.replace(ADMIN, TARGET))
    assert not allows(granted, "s3:PutObject", template)


def test_the_execution_role_may_create_a_model_from_a_registry_of_another_account_in_any_region() -> None:
    """The deployer's CreateModel/DescribeModelPackage on model-package/* of any account (the CONTRADICTS row of
    the SageMaker audit: IAM's reference says `model` only, AWS's cross-account recipe grants them on packages),
    widened to every Region as the rest of the execution role."""
    package = f"arn:aws:sagemaker:{ELSEWHERE}:444455556666:model-package/churn/3"
    for action in ("sagemaker:CreateModel", "sagemaker:DescribeModelPackage"):
        assert allows(managed_statements(execution()), action, package)
