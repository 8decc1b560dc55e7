"""Scenarios 4 and 5: an update to a new package version completes, and a delete answers the custom resource,
removes the stack and keeps the KMS key.

What CloudFormation replaces or modifies for each parameter change (a new package replaces Model and
EndpointConfig and modifies the Endpoint; a new instance type replaces only the EndpointConfig; a tag change
replaces nothing) is predicted from the resource schemas cfn-lint ships, in tests/endpoint/test_safe_updates.py. moto
cannot show it: it updates only the resources that name a changed parameter, not those that use them."""

from __future__ import annotations

from tests.support.e2e import (
    LocalAws,
    outputs,
    parameters,
)


def test_given_a_new_package_arn_then_update_stack_completes_on_the_same_endpoint(aws: LocalAws) -> None:
    values = {**aws.placement(), "ModelPackageArn": aws.versions[0], "InstanceType": "ml.m5.large"}
    before = outputs(aws.create_stack("churn-update", values))
    cloudformation = aws.client("cloudformation")
    cloudformation.update_stack(
        StackName="churn-update",
        TemplateURL=aws.template_url(),
        Parameters=parameters({**values, "ModelPackageArn": aws.versions[2]}),
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = cloudformation.describe_stacks(StackName="churn-update")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"

    sagemaker = aws.client("sagemaker")
    model_arn = aws.physical_ids("churn-update")["Model"]
    model = sagemaker.describe_model(ModelName=model_arn.rsplit("/", 1)[1])
    assert model["PrimaryContainer"]["ModelPackageName"] == aws.versions[2]
    assert model["ModelName"] != before["ModelName"]  # a new Model: its properties are create-only
    assert sagemaker.describe_endpoint(EndpointName=before["EndpointName"])["EndpointStatus"] == "InService"


def test_given_a_group_stack_then_delete_answers_the_resolver_and_keeps_the_key(aws: LocalAws) -> None:
    created = aws.create_stack("churn-delete", aws.group_mode())
    key_id = outputs(created)["KmsKeyId"]
    aws.client("cloudformation").delete_stack(StackName="churn-delete")

    create, delete = aws.runtime.requests
    assert (create["RequestType"], delete["RequestType"]) == ("Create", "Delete")
    assert delete["PhysicalResourceId"] == aws.versions[2]
    answers = {answer["RequestId"]: answer for answer in aws.runtime.responses.responses}
    assert (answers[delete["RequestId"]]["Status"], answers[delete["RequestId"]]["PhysicalResourceId"]) == (
        "SUCCESS",
        aws.versions[2],
    )

    stacks = aws.client("cloudformation").list_stacks()["StackSummaries"]
    assert [(s["StackName"], s["StackStatus"]) for s in stacks] == [("churn-delete", "DELETE_COMPLETE")]
    key = aws.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
    assert (key["KeyId"], key["KeyState"]) == (key_id, "Enabled")  # DeletionPolicy: Retain
    assert aws.client("sagemaker").list_endpoints()["Endpoints"] == []


def test_given_a_new_token_then_the_stack_resolves_again_and_retires_the_old_package_id(aws: LocalAws) -> None:
    """The pipeline step of the README: a new PackageResolutionToken on every deploy."""
    values = aws.group_mode()
    aws.create_stack("churn-redeploy", values)
    v3, v4 = aws.versions[2], aws.versions[3]
    aws.client("sagemaker").update_model_package(ModelPackageArn=v4, ModelApprovalStatus="Approved")
    cloudformation = aws.client("cloudformation")

    def redeploy(token: str) -> dict[str, str]:
        cloudformation.update_stack(
            StackName="churn-redeploy",
            TemplateURL=aws.template_url(),
            Parameters=parameters({**values, "PackageResolutionToken": token}),
            Capabilities=["CAPABILITY_IAM"],
        )
        stack = cloudformation.describe_stacks(StackName="churn-redeploy")["Stacks"][0]
        assert stack["StackStatus"] == "UPDATE_COMPLETE"
        return outputs(stack)

    assert redeploy("build-2")["ModelPackageArn"] == v4
    assert [(r["RequestType"], r.get("PhysicalResourceId")) for r in aws.runtime.requests] == [
        ("Create", None),
        ("Update", v3),
        ("Delete", v3),  # the replaced id, once the update has the new one
    ]
    assert aws.runtime.requests[1]["ResourceProperties"]["ResolutionToken"] == "build-2"

    assert redeploy("build-3")["ModelPackageArn"] == v4  # nothing newer: same id, nothing retired
    assert [(r["RequestType"], r.get("PhysicalResourceId")) for r in aws.runtime.requests[3:]] == [("Update", v4)]
    assert aws.physical_ids("churn-redeploy")["LatestApprovedModelPackage"] == v4
