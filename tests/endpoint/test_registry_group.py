"""A model package group by ARN (a central registry's, possibly another account's), offline: the roles that read it,
the rule that follows it, the bus policy that lets its approvals in, and the key of its artifacts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, cast

import pytest
from moto.events.models import EventPattern

from tests.support.iam_eval import allows
from tests.support.inputs import GROUP_MODE
from tests.support.template_eval import Evaluator

Deploy = Callable[..., Evaluator]
WORKLOAD, REGISTRY, REGION = "111122223333", "444455556666", "eu-west-1"
REGISTRY_GROUP = f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package-group/churn"
OWN_GROUP_BY_ARN = f"arn:aws:sagemaker:{REGION}:{WORKLOAD}:model-package-group/churn"
ROLE = f"arn:aws:iam::{WORKLOAD}:role/sagemaker-endpoint-deployer/deployer-DeployerRole-A1B2"
KEY = f"arn:aws:kms:{REGION}:{REGISTRY}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FOLLOWING = {"DeployOnApproval": "true", "DeploymentRoleArn": ROLE}


def group(value: str, **more: str) -> dict[str, str]:
    return {**GROUP_MODE, "ModelPackageGroupName": value, **more}


def statements(stack: Evaluator, role: str) -> list[dict[str, Any]]:
    (policy,) = stack.resources()[role]["Properties"]["Policies"]
    return cast(list[dict[str, Any]], policy["PolicyDocument"]["Statement"])


@pytest.mark.parametrize("role", ["PackageResolverRole", "ApprovalUpdaterRole"])
def test_a_registry_groups_readers_may_list_exactly_that_group_in_the_registry_account(
    deploy: Deploy, role: str
) -> None:
    readers = statements(deploy(**group(REGISTRY_GROUP, **FOLLOWING)), role)
    (read,) = [s for s in readers if s["Sid"] == "ReadConfiguredModelPackageGroup"]
    assert read["Resource"] == [REGISTRY_GROUP, f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/churn/*"]

    def may(action: str, arn: str) -> bool:
        return allows(readers, action, arn)

    assert may("sagemaker:ListModelPackages", f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/churn/7")
    assert may("sagemaker:DescribeModelPackageGroup", REGISTRY_GROUP)
    assert not may("sagemaker:ListModelPackages", f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package/fraud/7")
    assert not may("sagemaker:DescribeModelPackageGroup", REGISTRY_GROUP.replace("churn", "fraud"))
    assert not may("sagemaker:ListModelPackages", f"arn:aws:sagemaker:{REGION}:{WORKLOAD}:model-package/churn/7")
    assert not may("sagemaker:DescribeModelPackageGroup", REGISTRY_GROUP.replace(REGISTRY, "777788889999"))


def test_a_group_of_this_account_by_arn_deploys_exactly_what_its_name_deploys(deploy: Deploy) -> None:
    by_name = deploy(**group("churn", **FOLLOWING))
    by_arn = deploy(**group(OWN_GROUP_BY_ARN, **FOLLOWING))

    def normalised(resources: dict[str, Any]) -> str:
        return json.dumps(resources).replace(OWN_GROUP_BY_ARN, "churn")

    assert normalised(by_arn.resources()) == normalised(by_name.resources())
    resolver = by_name.resources()["LatestApprovedModelPackage"]["Properties"]
    assert resolver["ModelPackageGroupName"] == "churn"  # the value handed to the resolver, as given
    assert "RegistryApprovalsBusPolicy" not in by_arn.resources()
    assert by_arn.failed_rules() == []


def test_the_rule_follows_the_registrys_account_and_the_groups_name(deploy: Deploy) -> None:
    rule = deploy(**group(REGISTRY_GROUP, **FOLLOWING)).resources()["ApprovalRule"]["Properties"]
    pattern = EventPattern.load(json.dumps(rule["EventPattern"]))

    def matches(account: str, group_name: str, status: str = "Approved") -> bool:
        event = {
            "version": "0", "id": "1d9c2c3a-7b6e-4c1f-9f3a-0a1b2c3d4e5f", "source": "aws.sagemaker",
            "detail-type": "SageMaker Model Package State Change", "account": account, "region": REGION,
            "time": "2026-11-30T14:00:00Z", "resources": [],
            "detail": {"ModelPackageGroupName": group_name, "ModelApprovalStatus": status},
        }  # fmt: skip
        return bool(pattern.matches_event(cast(Any, event)))

    assert matches(REGISTRY, "churn")
    assert matches(REGISTRY, "churn", "Rejected")
    assert not matches(REGISTRY, "fraud")  # another group of the registry
    assert not matches("777788889999", "churn")  # the same name in another account
    assert not matches(WORKLOAD, "churn")  # this account's own group of that name


def test_the_bus_admits_only_sagemakers_state_changes_forwarded_by_the_registrys_rules(deploy: Deploy) -> None:
    policy = deploy(**group(REGISTRY_GROUP, **FOLLOWING)).resources()["RegistryApprovalsBusPolicy"]["Properties"]
    assert policy["StatementId"] == "sagemaker-endpoint-5b1c9a40-ca3e-11f0-8f34-0a1b2c3d4e5f"
    assert policy["Statement"] == {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{REGISTRY}:root"},
        "Action": "events:PutEvents",
        "Resource": f"arn:aws:events:{REGION}:{WORKLOAD}:event-bus/default",
        "Condition": {
            "StringEquals": {
                "events:source": "aws.sagemaker",
                "events:detail-type": "SageMaker Model Package State Change",
            },
            "ArnLike": {"aws:SourceArn": f"arn:aws:events:{REGION}:{REGISTRY}:rule/sagemaker-endpoint-forward-*"},
        },
    }
    statement = {**policy["Statement"], "Resource": [policy["Statement"]["Resource"]]}
    bus = f"arn:aws:events:{REGION}:{WORKLOAD}:event-bus/default"
    forwarded = {
        "events:source": "aws.sagemaker",
        "events:detail-type": "SageMaker Model Package State Change",
        "aws:SourceArn": f"arn:aws:events:{REGION}:{REGISTRY}:rule/sagemaker-endpoint-forward-1-0a1b2c3d",
    }
    assert allows([statement], "events:PutEvents", bus, forwarded)
    assert not allows([statement], "events:PutEvents", bus, {**forwarded, "events:source": "custom.sagemaker"})
    assert not allows(
        [statement], "events:PutEvents", bus, {k: v for k, v in forwarded.items() if k != "aws:SourceArn"}
    )


@pytest.mark.parametrize(
    "values",
    [group(REGISTRY_GROUP), group(OWN_GROUP_BY_ARN, **FOLLOWING), group("churn", **FOLLOWING)],
    ids=["not-following", "own-account-arn", "own-account-name"],
)
def test_the_bus_stays_closed_unless_a_stack_follows_another_accounts_group(
    deploy: Deploy, values: dict[str, str]
) -> None:
    assert "RegistryApprovalsBusPolicy" not in deploy(**values).resources()


def test_the_model_package_arn_output_is_the_registrys_package(deploy: Deploy) -> None:
    outputs = deploy(**group(REGISTRY_GROUP)).outputs()
    assert outputs["ModelPackageArn"] == {"Fn::GetAtt": ["LatestApprovedModelPackage", "ModelPackageArn"]}
    resolver = deploy(**group(REGISTRY_GROUP)).resources()["LatestApprovedModelPackage"]["Properties"]
    assert resolver["ModelPackageGroupName"] == REGISTRY_GROUP  # ListModelPackages takes the ARN as it is


def test_the_artifacts_key_lets_the_created_role_decrypt_and_grant_to_sagemaker_only(deploy: Deploy) -> None:
    with_key = statements(deploy(**group(REGISTRY_GROUP, ModelArtifactsKmsKeyArn=KEY)), "ModelExecutionRole")
    keyed = [s for s in with_key if s["Sid"] in {"DecryptModelArtifacts", "GrantModelArtifactsKeyToSageMaker"}]
    assert keyed == [
        {"Sid": "DecryptModelArtifacts", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
         "Resource": [KEY]},
        {"Sid": "GrantModelArtifactsKeyToSageMaker", "Effect": "Allow", "Action": ["kms:CreateGrant"],
         "Resource": [KEY], "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]  # fmt: skip
    assert allows(with_key, "kms:Decrypt", KEY)
    assert not allows(with_key, "kms:Decrypt", KEY.replace("1234abcd", "9999abcd"))
    assert not allows(with_key, "kms:CreateGrant", KEY, {"kms:GrantIsForAWSResource": "false"})
    without = statements(deploy(**group(REGISTRY_GROUP)), "ModelExecutionRole")
    assert [s for s in without if "kms:" in json.dumps(s["Action"])] == []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("churn", True),
        (REGISTRY_GROUP, True),
        ("arn:aws-cn:sagemaker:cn-north-1:444455556666:model-package-group/churn", True),
        ("arn:aws:sagemaker:eu-west-1:444455556666:model-package/churn/3", False),  # a package, not its group
        ("arn:aws:s3:::churn", False),  # another service
        ("arn:aws:sagemaker:eu-west-1:4444:model-package-group/churn", False),  # not a 12-digit account
        ("churn/3", False),
    ],
)
def test_the_parameter_takes_a_group_name_or_a_group_arn(template: dict[str, Any], value: str, valid: bool) -> None:
    pattern = template["Parameters"]["ModelPackageGroupName"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is valid
