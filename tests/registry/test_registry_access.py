"""templates/registry-access.yaml, offline: how many rules and targets a list of accounts gets, what the forwarding
role and the share's role may do, and which events the rules forward (moto's EventBridge matcher)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, cast

import pytest
from moto.events.models import EventPattern

from custom_resource import group_share
from generator.registry.forwarding import MAX_ACCOUNTS, TARGETS_PER_RULE
from generator.registry.template import build_registry_access_template
from tests.support.iam_eval import allows
from tests.support.template_eval import Evaluator, EveryBranchEvaluator

REGISTRY, REGION = "444455556666", "eu-west-1"
PSEUDO = {"AWS::AccountId": REGISTRY}
GROUP_ARN = f"arn:aws:sagemaker:{REGION}:{REGISTRY}:model-package-group/churn"


@cache
def template() -> dict[str, Any]:
    return build_registry_access_template().to_dict()  # type: ignore[no-any-return]


def accounts(count: int) -> list[str]:
    return [f"{100000000000 + n:012d}" for n in range(1, count + 1)]


def deployed(count: int) -> dict[str, Any]:
    values = {"ModelPackageGroupName": "churn", "WorkloadAccountIds": ",".join(accounts(count)),
              "ResolverCodeS3Bucket": "registry-artifacts"}  # fmt: skip
    return Evaluator(template(), values, PSEUDO).resources()


def bus(account: str) -> str:
    return f"arn:aws:events:{REGION}:{account}:event-bus/default"


@pytest.mark.parametrize("count", [1, 5, 6, 24, MAX_ACCOUNTS])
def test_each_account_gets_one_target_on_rules_of_at_most_five(count: int) -> None:
    resources = deployed(count)
    rules = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Events::Rule"}
    assert len(rules) == -(-count // TARGETS_PER_RULE)
    assert all(len(rule["Targets"]) <= TARGETS_PER_RULE for rule in rules.values())
    targets = [target for rule in rules.values() for target in rule["Targets"]]
    assert [t["Arn"] for t in targets] == [bus(a) for a in accounts(count)]
    assert {json.dumps(t["RoleArn"]) for t in targets} == {json.dumps({"Fn::GetAtt": ["ForwarderRole", "Arn"]})}
    assert all(rule["Name"].startswith("sagemaker-endpoint-forward-") for rule in rules.values())
    assert all(resources[name]["DependsOn"] == ["GroupShare"] for name in rules)  # the list is checked first


def test_the_forwarding_role_may_put_events_on_exactly_the_listed_buses() -> None:
    role = deployed(6)["ForwarderRole"]["Properties"]
    (policy,) = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert statements[0]["Resource"] == [bus(a) for a in accounts(6)]
    assert allows(statements, "events:PutEvents", bus(accounts(6)[5]))
    assert not allows(statements, "events:PutEvents", bus("999999999999"))
    assert not allows(statements, "events:PutEvents", f"arn:aws:events:{REGION}:{accounts(1)[0]}:event-bus/other")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": REGISTRY}}


def test_the_rules_forward_this_groups_approvals_and_rejections_only() -> None:
    rule = deployed(1)["ForwardApprovals1"]["Properties"]
    pattern = EventPattern.load(json.dumps(rule["EventPattern"]))

    def forwards(group: str, status: str, source: str = "aws.sagemaker") -> bool:
        event = {"version": "0", "id": "1", "source": source, "detail-type": "SageMaker Model Package State Change",
                 "account": REGISTRY, "region": REGION, "time": "2026-11-30T14:00:00Z", "resources": [],
                 "detail": {"ModelPackageGroupName": group, "ModelApprovalStatus": status}}  # fmt: skip
        return bool(pattern.matches_event(cast(Any, event)))

    assert forwards("churn", "Approved")
    assert forwards("churn", "Rejected")
    assert not forwards("churn", "PendingManualApproval")
    assert not forwards("fraud", "Approved")
    assert not forwards("churn", "Approved", source="custom.sagemaker")


def test_the_share_may_edit_the_policy_of_this_group_only() -> None:
    (policy,) = deployed(1)["GroupShareRole"]["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    for action in ("sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy"):
        assert allows(statements, action, GROUP_ARN)
        assert not allows(statements, action, GROUP_ARN.replace("churn", "fraud"))
    assert not allows(statements, "sagemaker:UpdateModelPackage", f"{GROUP_ARN}/1".replace("-group", ""))
    share = deployed(3)["GroupShare"]["Properties"]
    assert share["WorkloadAccountIds"] == accounts(3)
    assert share["StatementIdPrefix"] == "SageMakerEndpoint5b1c9a40"  # letters and digits: an IAM Sid


def test_every_expression_is_valid_for_every_branch_and_any_list_length() -> None:
    for count in (1, 7, MAX_ACCOUNTS):
        values = {"ModelPackageGroupName": "churn", "WorkloadAccountIds": ",".join(accounts(count)),
                  "ResolverCodeS3Bucket": "registry-artifacts"}  # fmt: skip
        EveryBranchEvaluator(template(), values, PSEUDO).everything()


def test_the_template_and_the_share_agree_on_how_many_accounts_one_stack_serves() -> None:
    assert group_share.MAX_ACCOUNTS == MAX_ACCOUNTS == 25
    assert f"up to {MAX_ACCOUNTS} accounts" in template()["Description"]
