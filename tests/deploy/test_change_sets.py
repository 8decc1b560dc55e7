"""Plans read from DescribeChangeSet responses exactly as the CloudFormation User Guide publishes them ("Example
change sets", vendored in tests/fixtures/change_sets with their source), not from our own model of CloudFormation.
CloudFormation is a botocore Stubber, so every call is also checked against the API model."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from generator.deploy.change_sets import Plan, create_plan, show_plan
from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console
from tests.support.published_change_sets import expect_change_set, published, replacing_the_endpoint

REQUEST = {"StackName": "SampleStack", "TemplateBody": "{}", "Parameters": []}


def planned(response: dict[str, Any]) -> Plan:
    """The plan made while CloudFormation answers with `response`; every expected call made, no other."""
    client = boto3.client("cloudformation", region_name="us-east-1")
    with Stubber(client) as stub:
        expect_change_set(stub, response, REQUEST)
        plan = create_plan(CloudFormation(client), REQUEST, "UPDATE")
        stub.assert_no_pending_responses()
    return plan


def shown_plan(example: str) -> list[str]:
    """GIVEN CloudFormation answers with the published change set, WHEN planned and shown, THEN these lines."""
    plan = planned(published(example))
    err = io.StringIO()
    show_plan(plan, Console(err))
    return err.getvalue().splitlines()


def test_a_direct_template_edit_is_a_modify_naming_what_changed() -> None:
    assert shown_plan("directly-editing-a-template") == [
        "Plan to update stack SampleStack:",
        "  ~    Modify      MyEC2Instance  AWS::EC2::Instance  <- template change to Tags",
        "Plan: 0 to add, 1 to modify, 0 to replace, 0 to remove.",
    ]


def test_a_parameter_change_names_the_parameter_not_its_dynamic_twin() -> None:
    """The Guide: a Ref to a changed parameter gives a Dynamic DirectModification and a Static ParameterReference
    with the same Target; "focus on the static evaluation"."""
    assert shown_plan("modifying-a-single-input-parameter-value")[1] == (
        "  ~    Modify      MyEC2Instance  AWS::EC2::Instance  <- parameter Purpose"
    )


def test_replacement_true_is_shown_as_a_replace_with_every_parameter_that_caused_it() -> None:
    assert shown_plan("determining-the-value-of-the-replacement-field") == [
        "Plan to update stack SampleStack:",
        "  -/+  Replace     MyEC2Instance  AWS::EC2::Instance  "
        "<- parameter KeyPairName, parameter InstanceType, parameter Purpose",
        "Plan: 0 to add, 0 to modify, 1 to replace, 0 to remove.",
    ]


def test_added_and_removed_resources_are_counted_apart() -> None:
    assert shown_plan("adding-and-removing-resources") == [
        "Plan to update stack SampleStack:",
        "  +    Add         AutoScalingGroup  AWS::AutoScaling::AutoScalingGroup",
        "  +    Add         LaunchConfig      AWS::AutoScaling::LaunchConfiguration",
        "  -    Remove      MyEC2Instance     AWS::EC2::Instance",
        "Plan: 2 to add, 0 to modify, 0 to replace, 1 to remove.",
    ]


@pytest.mark.parametrize(("replacement", "kind"), [("True", "Replace"), ("Conditional", "May replace")])
def test_an_endpoint_that_may_be_replaced_is_flagged_and_warned_of(replacement: str, kind: str) -> None:
    """The published replacement example with the resource as our Endpoint: deploy refuses such a plan."""
    plan = planned(replacing_the_endpoint(replacement))
    assert ([c.kind for c in plan.changes], plan.replaces_endpoint) == ([kind], True)


def test_a_change_set_with_nothing_to_change_is_a_plan_with_no_changes() -> None:
    """CloudFormation fails such a change set with this reason (DescribeChangeSet's StatusReason)."""
    response = published("directly-editing-a-template") | {
        "Status": "FAILED",
        "StatusReason": "The submitted information didn't contain changes. Submit different information to create "
        "a change set.",
        "Changes": [],
    }
    plan = planned(response)
    assert (plan.no_changes, plan.changes) == (True, [])
