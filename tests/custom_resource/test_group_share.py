"""The registry kit's share, in-process: the exact SageMaker calls (botocore Stubber) and the exact answer crhelper
PUTs to CloudFormation. Whatever the group's policy held that is not ours comes back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from custom_resource import group_share
from tests.support.cfn_response_server import ResponseRecorder
from tests.support.iam_eval import allows
from tests.support.resolver_events import LambdaContext, event
from tests.support.sagemaker_answers import group_description

GROUP_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/churn"
PREFIX = "SageMakerEndpoint5b1c9a40"
WORKLOADS = ["222233334444", "555566667777"]
THEIRS = {  # a statement the registry's owner wrote: it must survive every change we make
    "Sid": "TrainingAccountRegisters", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    "Action": "sagemaker:CreateModelPackage", "Resource": GROUP_ARN,
}  # fmt: skip


@pytest.fixture
def sagemaker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    client = boto3.client("sagemaker", region_name="eu-west-1")
    monkeypatch.setattr(group_share, "sagemaker_client", lambda: client)
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def request(kind: str, recorder: ResponseRecorder, accounts: list[str], **changes: Any) -> dict[str, Any]:
    properties = {"ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:share", "ModelPackageGroupName":
                  "churn", "WorkloadAccountIds": accounts, "StatementIdPrefix": PREFIX}  # fmt: skip
    return event(kind, recorder, ResourceType="Custom::ModelPackageGroupShare", LogicalResourceId="GroupShare",
                 ResourceProperties=properties, **changes)  # fmt: skip


def ours(accounts: list[str]) -> list[dict[str, Any]]:
    principal = {"AWS": [f"arn:aws:iam::{a}:root" for a in accounts]}
    return [
        {"Sid": f"{PREFIX}DescribeGroup", "Effect": "Allow", "Principal": principal,
         "Action": ["sagemaker:DescribeModelPackageGroup"], "Resource": GROUP_ARN},
        {"Sid": f"{PREFIX}ReadPackages", "Effect": "Allow", "Principal": principal,
         "Action": ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
         "Resource": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/*"},
    ]  # fmt: skip


def policy(*statements: dict[str, Any]) -> str:
    """A policy as the share writes it: compact JSON, since IAM-style limits count every character sent."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def puts(stub: Stubber, statements: list[dict[str, Any]], *, read_back: list[dict[str, Any]] | None = None) -> None:
    """The put, then the read that checks it: by default the policy just put (no other writer came between)."""
    stub.add_response("put_model_package_group_policy", {"ModelPackageGroupArn": GROUP_ARN},
                      {"ModelPackageGroupName": "churn", "ResourcePolicy": policy(*statements)})  # fmt: skip
    reads(stub, statements if read_back is None else read_back)


def reads(stub: Stubber, statements: list[dict[str, Any]]) -> None:
    stub.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(*statements)},
                      {"ModelPackageGroupName": "churn"})  # fmt: skip


def run(request_event: dict[str, Any], recorder: ResponseRecorder) -> dict[str, Any]:
    group_share.lambda_handler(request_event, LambdaContext())
    (answer,) = recorder.wait(1)
    return answer


def test_create_merges_our_statements_after_the_owners_and_answers_the_groups_arn(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    sagemaker.add_response(
        "describe_model_package_group", group_description("churn"), {"ModelPackageGroupName": "churn"}
    )
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(THEIRS)})
    puts(sagemaker, [THEIRS, *ours(WORKLOADS)])
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP_ARN)
    assert answer["Data"] == {"ModelPackageGroupArn": GROUP_ARN}


def test_a_group_without_a_policy_gets_ours_alone(cloudformation: ResponseRecorder, sagemaker: Stubber) -> None:
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    sagemaker.add_client_error("get_model_package_group_policy", "ValidationException", "no policy")
    sagemaker.add_response("describe_model_package_group", group_description("churn"))  # the group exists
    puts(sagemaker, ours(WORKLOADS))
    assert run(request("create", cloudformation, WORKLOADS), cloudformation)["Status"] == "SUCCESS"


def test_an_update_replaces_our_statements_for_the_new_list_and_keeps_theirs(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(*ours(WORKLOADS), THEIRS)})
    puts(sagemaker, [THEIRS, *ours(WORKLOADS[:1])])
    answer = run(request("update", cloudformation, WORKLOADS[:1], PhysicalResourceId=GROUP_ARN), cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP_ARN)


def test_a_delete_removes_ours_only(cloudformation: ResponseRecorder, sagemaker: Stubber) -> None:
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(THEIRS, *ours(WORKLOADS))})
    puts(sagemaker, [THEIRS])
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"


def test_a_delete_that_leaves_nothing_deletes_the_policy(cloudformation: ResponseRecorder, sagemaker: Stubber) -> None:
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(*ours(WORKLOADS))})
    sagemaker.add_response("delete_model_package_group_policy", {}, {"ModelPackageGroupName": "churn"})
    sagemaker.add_client_error("get_model_package_group_policy", "ValidationException", "no policy")  # read back
    sagemaker.add_response("describe_model_package_group", group_description("churn"))  # the group has none
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"


OTHER_STACK = "SageMakerEndpoint9f00aa11"  # a second registry-access stack on the same group (accounts 26 and on)


def theirs_of_another_stack() -> list[dict[str, Any]]:
    return [{**s, "Sid": s["Sid"].replace(PREFIX, OTHER_STACK)} for s in ours(["888899990000"])]


def test_a_policy_whose_statement_is_one_object_is_merged_and_its_statement_kept(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    """IAM's grammar allows `"Statement": {...}` (one object, not a list): it is kept, ours follow it."""
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    single = json.dumps({"Version": "2012-10-17", "Statement": THEIRS})
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": single})
    puts(sagemaker, [THEIRS, *ours(WORKLOADS)])
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP_ARN)


def test_an_update_keeps_the_statements_of_another_share_stack_on_the_same_group(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    """Each stack replaces only the statements with its own Sid prefix, as it keeps the owner's."""
    other = theirs_of_another_stack()
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    sagemaker.add_response(
        "get_model_package_group_policy", {"ResourcePolicy": policy(THEIRS, *other, *ours(WORKLOADS))}
    )
    puts(sagemaker, [THEIRS, *other, *ours(WORKLOADS[:1])])
    answer = run(request("update", cloudformation, WORKLOADS[:1], PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"


def test_a_delete_keeps_the_statements_of_another_share_stack_on_the_same_group(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    """Deleting one of two registry-access stacks on a group leaves the other's share working."""
    other = theirs_of_another_stack()
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(*other, *ours(WORKLOADS))})
    puts(sagemaker, other)
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"


@pytest.mark.usefixtures("sagemaker")  # no answer queued: any call would fail the test
def test_a_delete_after_a_failed_create_succeeds_without_a_call(cloudformation: ResponseRecorder) -> None:
    failed_id = "registry-access_GroupShare_A1B2C3D4"  # crhelper's id for a Create that failed
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=failed_id), cloudformation)
    assert answer["Status"] == "SUCCESS"


def test_a_delete_of_a_group_already_gone_succeeds(cloudformation: ResponseRecorder, sagemaker: Stubber) -> None:
    sagemaker.add_client_error("get_model_package_group_policy", "ValidationException", "not found")
    sagemaker.add_client_error("describe_model_package_group", "ValidationException", "does not exist")
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"


def test_a_bad_account_list_fails_before_any_write_naming_every_problem(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    bad = ["2222", "111122223333", *[f"{300000000000 + n}" for n in range(24)], "300000000000"]
    answer = run(request("create", cloudformation, bad), cloudformation)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == (
        "WorkloadAccountIds: '2222' is not a 12-digit account ID; 111122223333 is the registry's own account, which "
        "needs no share; an account is listed twice; 27 accounts, more than the 25 one stack serves: deploy a second "
        "registry-access stack for the rest."
    )


def test_a_missing_group_fails_with_the_fix(cloudformation: ResponseRecorder, sagemaker: Stubber) -> None:
    sagemaker.add_client_error("describe_model_package_group", "ValidationException", "does not exist")
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "Model package group 'churn' does not exist in this account and Region: fix ModelPackageGroupName or create "
        "the group first (the registry kit shares a group, it does not create one).",
    )


def test_the_share_allows_the_listed_accounts_to_read_and_deploy_that_group_and_nothing_more() -> None:
    """The IAM evaluator on the statements as put: the principals are exactly the listed accounts' roots."""
    statements = group_share.share_statements(GROUP_ARN, WORKLOADS, PREFIX)
    assert {json.dumps(s["Principal"]) for s in statements} == {
        json.dumps({"AWS": [f"arn:aws:iam::{a}:root" for a in WORKLOADS]})
    }
    package = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/churn/7"
    assert allows(statements, "sagemaker:DescribeModelPackageGroup", GROUP_ARN)
    for action in ("sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages", "sagemaker:CreateModel"):
        assert allows(statements, action, package)
        assert not allows(statements, action, package.replace("churn", "fraud"))  # another group
        assert not allows(statements, action, package.replace("111122223333", "999988887777"))  # another account
    for action in ("sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage", "sagemaker:CreateModelPackage"):
        assert not allows(statements, action, package)  # read and deploy, never approve or change
    assert not allows(statements, "sagemaker:PutModelPackageGroupPolicy", GROUP_ARN)


def owner_statement_making_the_policy(size: int) -> dict[str, Any]:
    """The owner's statement, its Sid padded so that the merged policy (ours for WORKLOADS after it) is `size`
    characters long."""
    base = len(policy(THEIRS, *ours(WORKLOADS)))
    padding = "X" * (size - base)
    return {**THEIRS, "Sid": f"{THEIRS['Sid']}{padding}"}


def test_a_merged_policy_of_exactly_20480_characters_is_written(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    """PutModelPackageGroupPolicy's ResourcePolicy is botocore's PolicyString, `"max":20480, "min":1`
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PutModelPackageGroupPolicy.html): the limit
    itself is accepted, and counted on the compact JSON the share sends."""
    owners = owner_statement_making_the_policy(20_480)
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(owners)})
    puts(sagemaker, [owners, *ours(WORKLOADS)])
    assert len(policy(owners, *ours(WORKLOADS))) == 20_480
    assert run(request("create", cloudformation, WORKLOADS), cloudformation)["Status"] == "SUCCESS"


def test_a_merged_policy_over_20480_characters_fails_with_its_size_and_the_fix_before_any_write(
    cloudformation: ResponseRecorder, sagemaker: Stubber
) -> None:
    """One character over PolicyString's `"max":20480` (API_PutModelPackageGroupPolicy.html): SageMaker would
    answer a bare ValidationException; the share answers FAILED with the count and what to do, and puts nothing
    (no put is queued on the Stubber, so a put would fail the test)."""
    owners = owner_statement_making_the_policy(20_481)
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    sagemaker.add_response("get_model_package_group_policy", {"ResourcePolicy": policy(owners)})
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    ours_size = len(json.dumps(ours(WORKLOADS), separators=(",", ":")))
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        f"The group's policy would be 20481 characters, over the 20480 PutModelPackageGroupPolicy accepts "
        f"({ours_size} are this stack's statements): remove statements the group no longer needs from its policy, "
        "or list fewer WorkloadAccountIds here.",
    )


def test_an_update_to_another_group_fails_without_a_call_and_says_to_deploy_another_stack(
    cloudformation: ResponseRecorder,
) -> None:
    """The share's role may edit only its group's policy (least privilege), so a stack that moved to another group
    could not unshare the old one: the change is refused before any call (no Stubber: a call would reach nothing),
    in a Reason CloudFormation shows whole (crhelper cuts one over 256 characters)."""
    group = "g" * 63  # SageMaker's longest group name (EntityName, "max":63)
    changed = {"ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:share", "ModelPackageGroupName": group,
               "WorkloadAccountIds": WORKLOADS, "StatementIdPrefix": PREFIX}  # fmt: skip
    update = {
        **request("update", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN),
        "ResourceProperties": changed,
        "OldResourceProperties": {**changed, "ModelPackageGroupName": "churn"},
    }
    answer = run(update, cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("FAILED", GROUP_ARN)
    assert answer["Reason"] == (
        f"ModelPackageGroupName cannot change to '{group}': one registry-access stack shares one group. Deploy another "
        "for the new group, and delete this one when no workload needs the old group."
    )
    assert len(answer["Reason"]) <= 256


def test_the_rollback_of_a_refused_group_change_succeeds_without_a_call(cloudformation: ResponseRecorder) -> None:
    """CloudFormation rolls the refused Update back with the old properties (back to the shared group) and the
    refused ones as OldResourceProperties. Nothing was written, and the role may not be rolled back yet: no call."""
    back = {"ServiceToken": "arn:aws:lambda:eu-west-1:111122223333:function:share", "ModelPackageGroupName": "churn",
            "WorkloadAccountIds": WORKLOADS, "StatementIdPrefix": PREFIX}  # fmt: skip
    rollback = {
        **request("update", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN),
        "ResourceProperties": back,
        "OldResourceProperties": {**back, "ModelPackageGroupName": "fraud"},
    }
    answer = run(rollback, cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"], answer["Data"]) == (
        "SUCCESS",
        GROUP_ARN,
        {"ModelPackageGroupArn": GROUP_ARN},
    )


ANOTHER_WRITER = {  # a statement a concurrent writer adds between our read and our write
    "Sid": "AuditorReads", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
    "Action": "sagemaker:DescribeModelPackageGroup", "Resource": GROUP_ARN,
}  # fmt: skip


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses between attempts, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr("custom_resource.group_share.time.sleep", slept.append)
    return slept


def test_a_write_lost_to_a_concurrent_writer_is_merged_again_from_a_fresh_read_keeping_theirs(
    cloudformation: ResponseRecorder, sagemaker: Stubber, pauses: list[float]
) -> None:
    """PutModelPackageGroupPolicy replaces the whole policy and takes no revision id
    (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_PutModelPackageGroupPolicy.html: "Adds a resouce
    policy to control access to a model group."); AWS is silent on concurrent writers. GIVEN another writer puts the
    owner's policy plus its own statement right after our put (the read back has theirs and not ours), THEN after a
    pause the share reads again and puts the owner's, the other writer's and ours, and checks that once more."""
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    reads(sagemaker, [THEIRS])
    puts(sagemaker, [THEIRS, *ours(WORKLOADS)], read_back=[THEIRS, ANOTHER_WRITER])
    reads(sagemaker, [THEIRS, ANOTHER_WRITER])  # the fresh read after the pause
    puts(sagemaker, [THEIRS, ANOTHER_WRITER, *ours(WORKLOADS)])
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP_ARN)
    assert len(pauses) == 1
    assert 1 <= pauses[0] <= 3


def test_a_stale_copy_of_our_statements_written_back_by_another_stack_is_replaced_again(
    cloudformation: ResponseRecorder, sagemaker: Stubber, pauses: list[float]
) -> None:
    """Another share stack that read the policy before our update writes our old statements back with its own:
    our Sids are there but name the old accounts, so the share is not what we wrote and is made again."""
    other = theirs_of_another_stack()
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    reads(sagemaker, [THEIRS, *ours(WORKLOADS)])
    puts(sagemaker, [THEIRS, *ours(WORKLOADS[:1])], read_back=[THEIRS, *ours(WORKLOADS), *other])
    reads(sagemaker, [THEIRS, *ours(WORKLOADS), *other])
    puts(sagemaker, [THEIRS, *other, *ours(WORKLOADS[:1])])
    answer = run(request("update", cloudformation, WORKLOADS[:1], PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"
    assert len(pauses) == 1


def test_a_policy_changed_under_every_write_fails_after_three_attempts_saying_to_retry(
    cloudformation: ResponseRecorder, sagemaker: Stubber, pauses: list[float]
) -> None:
    """Bounded: three writes, two pauses, then FAILED, never a SUCCESS for a share the policy does not hold."""
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    reads(sagemaker, [THEIRS])
    for attempt in range(3):
        puts(sagemaker, [THEIRS, *ours(WORKLOADS)], read_back=[THEIRS])
        if attempt < 2:
            reads(sagemaker, [THEIRS])
    answer = run(request("create", cloudformation, WORKLOADS), cloudformation)
    assert (answer["Status"], answer["Reason"]) == (
        "FAILED",
        "The policy of group 'churn' was changed by another writer during each of 3 writes: retry the stack operation "
        "once the other change (another registry-access stack, or a person) is done.",
    )
    assert len(pauses) == 2


def test_a_delete_whose_statements_another_stack_wrote_back_removes_them_again(
    cloudformation: ResponseRecorder, sagemaker: Stubber, pauses: list[float]
) -> None:
    """A Delete is checked the same way: none of ours may be left, and the other stack's statements stay."""
    other = theirs_of_another_stack()
    reads(sagemaker, [THEIRS, *ours(WORKLOADS)])
    puts(sagemaker, [THEIRS], read_back=[THEIRS, *ours(WORKLOADS), *other])
    reads(sagemaker, [THEIRS, *ours(WORKLOADS), *other])
    puts(sagemaker, [THEIRS, *other])
    answer = run(request("delete", cloudformation, WORKLOADS, PhysicalResourceId=GROUP_ARN), cloudformation)
    assert answer["Status"] == "SUCCESS"
    assert len(pauses) == 1


def test_a_policy_read_back_in_another_spelling_of_the_same_statements_is_not_written_again(
    cloudformation: ResponseRecorder, sagemaker: Stubber, pauses: list[float]
) -> None:
    """AWS is silent on whether GetModelPackageGroupPolicy answers the text put; IAM's grammar lets a list of one
    be written as its value, in any key order. The same statements spelt so are ours: one write, no pause."""
    (one_account,) = WORKLOADS[:1]
    respelt = [
        {key: ({"AWS": f"arn:aws:iam::{one_account}:root"} if key == "Principal" else value)
         for key, value in reversed(statement.items())}
        for statement in ours([one_account])
    ]  # fmt: skip
    sagemaker.add_response("describe_model_package_group", group_description("churn"))
    reads(sagemaker, [THEIRS])
    puts(sagemaker, [THEIRS, *ours([one_account])], read_back=[THEIRS, *respelt])
    answer = run(request("create", cloudformation, [one_account]), cloudformation)
    assert answer["Status"] == "SUCCESS"
    assert pauses == []
