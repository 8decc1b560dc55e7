"""The sweeper, offline: which resources it takes for the lane's (its names' prefix, its tag), in which order it
removes them, and that it removes on the local moto everything the lane's own setup makes, leaves everything else,
and finds nothing the second time. What AWS answers for something already gone, a resource still in use, or a kind
it does not know is checked on botocore Stubbers."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from botocore.stub import Stubber

from tests.support.acceptance import removal, sweeper
from tests.support.acceptance.naming import TAG_KEY, RunNames
from tests.support.acceptance.removal import remove, sweep
from tests.support.acceptance.settings import Network
from tests.support.acceptance.sweeper import Item, classify, inventory, plan
from tests.support.acceptance.world import create_bucket, create_network, register_versions, upload_model
from tests.support.local_aws import REGION
from tests.support.stubbed_aws import WHEN, shared_session

Clients = Callable[[str], Any]
ACCOUNT = "123456789012"  # the account moto answers for
RUN = RunNames("r2601151403a1b2", ACCOUNT)
OTHER_RUN = RunNames("r2512240900beef", ACCOUNT)


def test_stacks_go_first_then_the_deployer_stack_versions_before_their_group_and_vpcs_last() -> None:
    """The deployer stack's role is the service role of the stacks made with it: deleted after them. A group's
    versions first (DeleteModelPackageGroup documents a ConflictException); a VPC once its endpoints are gone."""
    wanted = [
        Item("project", "sme-acceptance-r1p"), Item("stack", "sme-acceptance-r1-arn-mode"),
        Item("stack", "sme-acceptance-r1-group-mode"),
        Item("deployer-stack", "sme-acceptance-r1-deployer"), Item("inference-component", "sme-acceptance-r1-ic"),
        Item("endpoint", "sme-acceptance-r1-arn-mode"),
        Item("endpoint-config", "EndpointConfig-aBc"), Item("model", "Model-aBc"),
        Item("model-package", "arn:aws:sagemaker:eu-west-1:1:model-package/g/1"),
        Item("model-package-group", "sme-acceptance-r1-group"), Item("bucket", "sme-acceptance-r1-1"),
        Item("role", "sme-acceptance-r1-deployer-DeployerRole-X"), Item("policy", "arn:aws:iam::1:policy/p"),
        Item("log-group", "/sagemaker-endpoint/sme-acceptance-r1-group-mode/package-resolver"),
        Item("kms-key", "1234abcd-12ab-34cd-56ef-1234567890ab"), Item("security-group", "sg-0123"),
        Item("vpc", "vpc-0123"),
    ]  # fmt: skip
    shuffled = [*wanted, *wanted[:3]]
    random.Random(7).shuffle(shuffled)

    assert plan(shuffled) == wanted


@pytest.mark.parametrize(
    ("arn", "item"),
    [
        ("arn:aws:s3:::sme-acceptance-r1-1", Item("bucket", "sme-acceptance-r1-1")),
        ("arn:aws:kms:eu-west-1:1:key/1234abcd", Item("kms-key", "1234abcd")),
        ("arn:aws:logs:eu-west-1:1:log-group:/aws/sagemaker/Endpoints/e:*",
         Item("log-group", "/aws/sagemaker/Endpoints/e")),
        ("arn:aws:ec2:eu-west-1:1:vpc/vpc-0123", Item("vpc", "vpc-0123")),
        ("arn:aws:ec2:eu-west-1:1:security-group/sg-0123", Item("security-group", "sg-0123")),
        ("arn:aws:iam::1:role/service/sme-acceptance-r1-x", Item("role", "sme-acceptance-r1-x")),
        ("arn:aws:sagemaker:eu-west-1:1:model-package-group/g", Item("model-package-group", "g")),
        ("arn:aws:sagemaker:eu-west-1:1:project/sme-acceptance-r1p", Item("project", "sme-acceptance-r1p")),
        ("arn:aws:sagemaker:eu-west-1:1:inference-component/sme-acceptance-r1-ic",
         Item("inference-component", "sme-acceptance-r1-ic")),
        ("arn:aws:sagemaker:eu-west-1:1:model/model-abc",
         Item("model", "arn:aws:sagemaker:eu-west-1:1:model/model-abc")),
        ("arn:aws:iam::1:policy/sagemaker-endpoint-deployer/p",
         Item("policy", "arn:aws:iam::1:policy/sagemaker-endpoint-deployer/p")),
        ("arn:aws:ec2:eu-west-1:1:subnet/subnet-0123", None),  # the VPC's teardown removes it
        ("arn:aws:ec2:eu-west-1:1:security-group-rule/sgr-0123", None),  # removed with its group
        ("arn:aws:cloudformation:eu-west-1:1:stack/s/id", None),  # found by name
        ("arn:aws:lambda:eu-west-1:1:function:f", None),  # its stack removes it
        ("arn:aws:sns:eu-west-1:1:topic", Item("unknown", "arn:aws:sns:eu-west-1:1:topic")),
    ],
)  # fmt: skip
def test_a_tagged_arn_is_the_item_to_remove_none_when_another_step_owns_it(arn: str, item: Item | None) -> None:
    """SageMaker writes names in lower case in its ARNs: models, configs and endpoints keep the ARN, to be named by
    listing them (sweeper.exact_names)."""
    assert classify(arn) == item


def test_it_finds_what_the_lane_made_by_name_and_tag_removes_it_saying_so_and_then_finds_nothing(
    local: Clients,
) -> None:
    """The lane's own setup (world), what stacks leave, and the account's own resources beside them: only the
    lane's are found, all are removed in ORDER, the account's stay, and a second sweep has nothing to do."""
    made = _lane_setup(local, RUN)
    _foreign(local)
    clients, cloudformation = _with_stacks(local)
    ours = [_summary(RUN.name("arn-mode"), "UPDATE_COMPLETE"), _summary(RUN.name("deployer"), "CREATE_COMPLETE")]
    listed = {"StackSummaries": [*ours, _summary("churn-endpoint", "CREATE_COMPLETE")]}
    cloudformation.add_response("list_stacks", listed, {})
    cloudformation.add_response("list_stacks", listed, {})
    for summary in ours:
        cloudformation.add_response("delete_stack", {}, {"StackName": summary["StackName"]})
        missing = f"Stack with id {summary['StackName']} does not exist"
        cloudformation.add_client_error("describe_stacks", "ValidationError", missing,
                                        expected_params={"StackName": summary["StackName"]})  # fmt: skip
    gone = [{**summary, "StackStatus": "DELETE_COMPLETE"} for summary in ours]
    cloudformation.add_response("list_stacks", {"StackSummaries": [*gone, listed["StackSummaries"][-1]]}, {})
    said: list[str] = []

    assert inventory(clients) == _expected(made)
    swept = sweep(clients, said.append)

    assert (swept.removed, swept.gone, swept.failed, swept.left) == (len(_expected(made)), 0, 0, 0)
    assert said == [*(f"removed: {item.kind} {item.ident}" for item in _expected(made)),
                    f"Removed {swept.removed}, gone already 0, failed 0, left 0."]  # fmt: skip
    assert local("kms").describe_key(KeyId=made["key"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert [b["Name"] for b in local("s3").list_buckets()["Buckets"]] == ["someone-elses-bucket"]
    groups = local("sagemaker").list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert [g["ModelPackageGroupName"] for g in groups] == ["churn"]
    assert sweep(clients, said.append) == removal.Swept()
    assert said[-1] == "Nothing to remove."
    cloudformation.assert_no_pending_responses()


def test_a_run_id_narrows_it_to_that_run(local: Clients) -> None:
    made = _lane_setup(local, RUN)
    _lane_setup(local, OTHER_RUN)
    clients, cloudformation = _with_stacks(local)
    cloudformation.add_response(
        "list_stacks", {"StackSummaries": [_summary(OTHER_RUN.name("arn-mode"), "CREATE_COMPLETE")]}, {}
    )

    assert inventory(clients, RUN.run_id) == _expected(made, stacks=False)


def test_the_lanes_stacks_are_found_by_name_and_each_is_deleted_until_cloudformation_says_it_is_gone() -> None:
    """ListStacks keeps deleted stacks for a while (DELETE_COMPLETE): those are done. The stack_delete_complete
    waiter ends when DescribeStacks no longer knows the stack (a ValidationError)."""
    clients, stubs = _stubbed("cloudformation")
    summaries = [
        _summary(RUN.name("arn-mode"), "UPDATE_COMPLETE"), _summary(RUN.name("deployer"), "CREATE_COMPLETE"),
        _summary(RUN.name("group-mode"), "DELETE_COMPLETE"), _summary("churn-endpoint", "CREATE_COMPLETE"),
        _summary(OTHER_RUN.name("arn-mode"), "DELETE_FAILED"),
    ]  # fmt: skip
    stubs["cloudformation"].add_response("list_stacks", {"StackSummaries": summaries}, {})
    stubs["cloudformation"].add_response("delete_stack", {}, {"StackName": RUN.name("arn-mode")})
    stubs["cloudformation"].add_client_error("describe_stacks", "ValidationError", "Stack with id "
                                             f"{RUN.name('arn-mode')} does not exist")  # fmt: skip

    found = plan(sweeper._stacks(clients("cloudformation"), RUN.prefix))

    assert found == [Item("stack", RUN.name("arn-mode")), Item("deployer-stack", RUN.name("deployer"))]
    assert remove(clients, found[0]) == ("removed", "")
    stubs["cloudformation"].assert_no_pending_responses()


def test_a_project_is_deleted_and_waited_for_until_sagemaker_no_longer_knows_it() -> None:
    """DeleteProject deletes its stack ("project deletion removes all associated CloudFormation resources", AWS ML
    blog "Simplify ModelOps with Amazon SageMaker AI Projects using Amazon S3-based templates"); ProjectStatus
    passes DeleteInProgress, and DescribeProject then answers a ValidationException naming it missing."""
    clients, stubs = _stubbed("sagemaker")
    name = {"ProjectName": RUN.project}
    stubs["sagemaker"].add_response("delete_project", {}, name)
    stubs["sagemaker"].add_response("describe_project", _project("DeleteInProgress"), name)
    stubs["sagemaker"].add_client_error("describe_project", "ValidationException",
                                        f"Project {RUN.project} does not exist", expected_params=name)  # fmt: skip

    with mock.patch("tests.support.acceptance.removal.time.sleep") as slept:
        assert remove(clients, Item("project", RUN.project)) == ("removed", "")

    assert slept.call_count == 1
    stubs["sagemaker"].assert_no_pending_responses()


def test_a_project_whose_deletion_fails_is_a_failure_of_the_sweep() -> None:
    clients, stubs = _stubbed("sagemaker")
    stubs["sagemaker"].add_response("delete_project", {}, {"ProjectName": RUN.project})
    stubs["sagemaker"].add_response("describe_project", _project("DeleteFailed"), {"ProjectName": RUN.project})

    status, detail = remove(clients, Item("project", RUN.project))

    assert (status, "ProjectStatus DeleteFailed" in detail) == ("failed", True)


def _project(status: str) -> dict[str, Any]:
    return {"ProjectArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:project/{RUN.project}", "ProjectName": RUN.project,
            "ProjectId": "p-abc", "ProjectStatus": status, "CreationTime": WHEN}  # fmt: skip


def test_something_already_gone_counts_as_gone_and_a_refusal_as_failed_while_the_sweep_goes_on() -> None:
    clients, stubs = _stubbed("logs", "s3")
    stubs["logs"].add_client_error("delete_log_group", "ResourceNotFoundException", "The specified log group does "
                                   "not exist.", expected_params={"logGroupName": "/sagemaker-endpoint/x"})  # fmt: skip
    stubs["s3"].add_client_error("list_object_versions", "AccessDenied", "Access Denied")

    assert remove(clients, Item("log-group", "/sagemaker-endpoint/x")) == ("gone", "")
    assert remove(clients, Item("bucket", "sme-acceptance-r1-1")) == ("failed", " (AccessDenied: Access Denied)")
    assert remove(clients, Item("unknown", "arn:aws:sns:eu-west-1:1:t"))[0] == "left"


def test_an_inference_component_is_deleted_and_asked_about_until_sagemaker_no_longer_knows_it() -> None:
    """Its endpoint is removed after it (ORDER): SageMaker refuses to delete an endpoint hosting a component, and
    botocore has no waiter for components, so the remover asks DescribeInferenceComponent until "Could not find"."""
    clients, stubs = _stubbed("sagemaker")
    name = {"InferenceComponentName": "sme-acceptance-r1-ic"}
    stubs["sagemaker"].add_response("delete_inference_component", {}, name)
    stubs["sagemaker"].add_response("describe_inference_component", {
        "InferenceComponentName": "sme-acceptance-r1-ic", "EndpointName": "e", "VariantName": "AllTraffic",
        "InferenceComponentArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:inference-component/sme-acceptance-r1-ic",
        "EndpointArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/e", "CreationTime": WHEN,
        "LastModifiedTime": WHEN, "InferenceComponentStatus": "Deleting",
    }, name)  # fmt: skip
    missing = "Could not find inference component 'sme-acceptance-r1-ic'."
    stubs["sagemaker"].add_client_error("describe_inference_component", "ValidationException", missing,
                                        expected_params=name)  # fmt: skip
    pauses: list[float] = []

    removal._inference_component(clients, "sme-acceptance-r1-ic", pauses.append)

    assert pauses == [removal.COMPONENT_WAIT_SECONDS]
    stubs["sagemaker"].assert_no_pending_responses()


def test_a_vpc_the_lane_made_is_taken_apart_waiting_while_a_network_interface_holds_a_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its S3 gateway endpoint, its security groups but the default one, its subnets, its route tables but the
    main one (both go with the VPC), then the VPC. EC2 answers DependencyViolation while SageMaker's network
    interface is still attached; it releases it minutes after the endpoint is deleted."""
    monkeypatch.setattr(removal, "RELEASE_WAIT_SECONDS", 0)
    clients, stubs = _stubbed("ec2")
    ec2, in_vpc = stubs["ec2"], {"Filters": [{"Name": "vpc-id", "Values": ["vpc-0123"]}]}
    ec2.add_response(
        "describe_vpc_endpoints",
        {
            "VpcEndpoints": [
                {"VpcEndpointId": "vpce-1", "State": "Available"},
                {"VpcEndpointId": "vpce-0", "State": "Deleted"},
            ]
        },
        in_vpc,
    )
    ec2.add_response("delete_vpc_endpoints", {"Unsuccessful": []}, {"VpcEndpointIds": ["vpce-1"]})
    ec2.add_response(
        "describe_security_groups",
        {
            "SecurityGroups": [
                {"GroupId": "sg-default", "GroupName": "default"},
                {"GroupId": "sg-0123", "GroupName": "stack-sg"},
            ]
        },
        in_vpc,
    )
    ec2.add_client_error(
        "delete_security_group",
        "DependencyViolation",
        "resource sg-0123 has a dependent object",
        expected_params={"GroupId": "sg-0123"},
    )
    ec2.add_response("delete_security_group", {}, {"GroupId": "sg-0123"})
    ec2.add_response("describe_subnets", {"Subnets": [{"SubnetId": "subnet-a"}, {"SubnetId": "subnet-b"}]}, in_vpc)
    ec2.add_response("delete_subnet", {}, {"SubnetId": "subnet-a"})
    ec2.add_response("delete_subnet", {}, {"SubnetId": "subnet-b"})
    ec2.add_response(
        "describe_route_tables",
        {
            "RouteTables": [
                {"RouteTableId": "rtb-main", "Associations": [{"Main": True}]},
                {"RouteTableId": "rtb-other"},
            ]
        },
        in_vpc,
    )
    ec2.add_response("delete_route_table", {}, {"RouteTableId": "rtb-other"})
    ec2.add_response("delete_vpc", {}, {"VpcId": "vpc-0123"})

    assert remove(clients, Item("vpc", "vpc-0123")) == ("removed", "")
    ec2.assert_no_pending_responses()


def test_the_lanes_vpc_has_two_private_subnets_in_two_zones_and_an_s3_gateway_endpoint() -> None:
    """No internet gateway, no NAT: the model data comes from S3 through the gateway endpoint on the main route
    table, which "come[s] at no additional charge" (AWS Prescriptive Guidance, WKLD.12). Everything is tagged."""
    clients, stubs = _stubbed("ec2")
    ec2, tags = stubs["ec2"], [*RUN.tags, {"Key": "Name", "Value": RUN.name("vpc")}]
    ec2.add_response(
        "describe_availability_zones",
        {"AvailabilityZones": [{"ZoneName": "eu-west-1c"}, {"ZoneName": "eu-west-1a"}, {"ZoneName": "eu-west-1b"}]},
        {
            "Filters": [
                {"Name": "state", "Values": ["available"]},
                {"Name": "zone-type", "Values": ["availability-zone"]},
            ]
        },
    )
    ec2.add_response(
        "create_vpc",
        {"Vpc": {"VpcId": "vpc-0123"}},
        {"CidrBlock": "10.73.0.0/16", "TagSpecifications": [{"ResourceType": "vpc", "Tags": tags}]},
    )
    ec2.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0123", "State": "available"}]}, {"VpcIds": ["vpc-0123"]})
    for subnet, cidr, zone in (("subnet-a", "10.73.0.0/24", "eu-west-1a"), ("subnet-b", "10.73.1.0/24", "eu-west-1b")):
        ec2.add_response(
            "create_subnet",
            {"Subnet": {"SubnetId": subnet}},
            {
                "VpcId": "vpc-0123",
                "CidrBlock": cidr,
                "AvailabilityZone": zone,
                "TagSpecifications": [{"ResourceType": "subnet", "Tags": tags}],
            },
        )
    ec2.add_response(
        "describe_route_tables",
        {"RouteTables": [{"RouteTableId": "rtb-main"}]},
        {"Filters": [{"Name": "vpc-id", "Values": ["vpc-0123"]}, {"Name": "association.main", "Values": ["true"]}]},
    )
    ec2.add_response(
        "create_vpc_endpoint",
        {"VpcEndpoint": {"VpcEndpointId": "vpce-1"}},
        {
            "VpcEndpointType": "Gateway",
            "VpcId": "vpc-0123",
            "ServiceName": "com.amazonaws.eu-west-1.s3",
            "RouteTableIds": ["rtb-main"],
            "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": tags}],
        },
    )

    assert create_network(clients("ec2"), RUN, "eu-west-1") == Network("vpc-0123", ("subnet-a", "subnet-b"))
    ec2.assert_no_pending_responses()


def test_a_key_already_scheduled_for_deletion_is_not_found_again(local: Clients) -> None:
    key = local("kms").create_key(Tags=[{"TagKey": TAG_KEY, "TagValue": RUN.run_id}])["KeyMetadata"]["KeyId"]
    local("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    clients, cloudformation = _with_stacks(local)
    cloudformation.add_response("list_stacks", {"StackSummaries": []}, {})

    assert inventory(clients) == []


def _lane_setup(local: Clients, names: RunNames) -> dict[str, Any]:
    """What a run leaves when it stops at its worst: the lane's own setup (world), a retained key and Model, log
    groups, a role and a deployer policy as CloudFormation names them. (Stacks and the VPC: on Stubbers, below;
    moto's CloudFormation and EC2 take seconds to load.)"""
    s3, sagemaker, iam = local("s3"), local("sagemaker"), local("iam")
    bucket = create_bucket(s3, names, REGION, "aws")
    upload_model(s3, bucket, "v1")
    urls = [("s3://b/m.tar.gz", "Approved"), ("s3://b/m.tar.gz", "Rejected")]
    versions = register_versions(sagemaker, names.name("group"), names, "image:1", urls)
    tags = [{"TagKey": TAG_KEY, "TagValue": names.run_id}]
    key = local("kms").create_key(Tags=tags)["KeyMetadata"]["KeyId"]
    sagemaker.create_model(ModelName=f"Model-{names.run_id}", ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                           PrimaryContainer={"ModelPackageName": versions[0]}, Tags=names.tags)  # fmt: skip
    logs = [f"/aws/sagemaker/Endpoints/{names.name('arn-mode')}", f"/sagemaker-endpoint/{names.name('group-mode')}/x"]
    for log in logs:
        local("logs").create_log_group(logGroupName=log)
    role = f"{names.name('deployer')}-DeployerRole-1A2B"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=json.dumps(_policy()))
    policy = iam.create_policy(PolicyName=f"{names.name('deployer')}-DeployerPolicy1-3C4D",
                               Path="/sagemaker-endpoint-deployer/",
                               PolicyDocument=json.dumps(_policy()))["Policy"]["Arn"]  # fmt: skip
    iam.attach_role_policy(RoleName=role, PolicyArn=policy)
    return {"names": names, "bucket": bucket, "versions": versions, "key": key, "logs": logs, "role": role,
            "policy": policy}  # fmt: skip


def _expected(made: dict[str, Any], stacks: bool = True) -> list[Item]:
    names: RunNames = made["names"]
    listed = [Item("stack", names.name("arn-mode")), Item("deployer-stack", names.name("deployer"))] if stacks else []
    return plan([
        *listed, Item("model", f"Model-{names.run_id}"),
        *(Item("model-package", arn) for arn in made["versions"]), Item("model-package-group", names.name("group")),
        Item("bucket", made["bucket"]), Item("role", made["role"]), Item("policy", made["policy"]),
        *(Item("log-group", log) for log in made["logs"]), Item("kms-key", made["key"]),
    ])  # fmt: skip


def _foreign(local: Clients) -> None:
    """The account's own resources, with names and tags of their own: none of them is the lane's."""
    local("s3").create_bucket(Bucket="someone-elses-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    local("sagemaker").create_model_package_group(ModelPackageGroupName="churn")
    local("kms").create_key(Tags=[{"TagKey": "team", "TagValue": "ml"}])
    local("logs").create_log_group(logGroupName="/aws/sagemaker/Endpoints/churn")
    local("iam").create_role(RoleName="churn-role", AssumeRolePolicyDocument="{}")


def _policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


def _with_stacks(local: Clients) -> tuple[Clients, Stubber]:
    """The local moto, but CloudFormation on a Stubber: moto's takes seconds to load, and stacks are only listed
    and deleted here."""
    stubbed, stubs = _stubbed("cloudformation")
    return (lambda service: stubbed(service) if service == "cloudformation" else local(service)), stubs[
        "cloudformation"]  # fmt: skip


def _summary(name: str, status: str) -> dict[str, Any]:
    return {"StackName": name, "StackStatus": status, "CreationTime": WHEN,
            "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{name}/5b1c9a40"}  # fmt: skip


def _stubbed(*services: str) -> tuple[Clients, dict[str, Stubber]]:
    made = {service: shared_session().client(service) for service in services}  # type: ignore[call-overload]
    stubs = {service: Stubber(client) for service, client in made.items()}
    for stub in stubs.values():
        stub.activate()
    return made.__getitem__, stubs
