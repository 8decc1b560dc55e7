"""The command with `--template inference-endpoint | inference-component`, as a user runs it, on botocore Stubbers (a
call nobody queued, such as a DeleteStack, fails the test): destroy of a shared endpoint that still hosts components
refuses before any change and names them; status of a component reports its copies and its package; promote carries
a component's package to the next stage's component, pinned by ARN."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.cli import main
from generator.deploy.errors import EXIT_REFUSED
from generator.deploy.template_file import EndpointTemplate
from tests.support.published_change_sets import expect_change_set, replacing_the_endpoint
from tests.support.stubbed_aws import (
    SAGEMAKER,
    WHEN,
    StubbedAws,
    expect_execution,
    expect_followed,
    resources,
    run_with,
    stack_event,
    stack_id,
    stacks,
)

SHARED = "shared-gpu"
SHARED_OUTPUTS = {"EndpointName": SHARED, "VariantName": "AllTraffic", "ExecutionRoleArn": "arn:aws:iam::1:role/r"}
V2, V3 = f"{SAGEMAKER}:model-package/churn/2", f"{SAGEMAKER}:model-package/churn/3"
STAGING, PROD = "churn-staging", "churn-prod"
# inference-component.yaml's outputs and parameters that status and promote read, small enough to send inline.
COMPONENT_LIKE = EndpointTemplate(
    "Parameters:\n"
    "  ModelPackageArn: {Type: String, Default: ''}\n"
    "  ModelPackageGroupName: {Type: String, Default: ''}\n"
    "  DeployOnApproval: {Type: String, Default: 'false'}\n"
    "Resources:\n  Model:\n    Type: AWS::SageMaker::Model\n"
    "    Properties: {PrimaryContainer: {ModelPackageName: !Ref ModelPackageArn}}\n"
    "Outputs:\n  InferenceComponentName: {Value: churn}\n  EndpointName: {Value: shared-gpu}\n"
    "  ModelPackageArn: {Value: !Ref ModelPackageArn}\n"
)
ENDPOINT_ONLY = EndpointTemplate("Resources:\n  Endpoint:\n    Type: AWS::SageMaker::Endpoint\nOutputs: {}\n")
ALARM = "churn-staging-Invocation5xx-1A2B"
WAKE = "churn-staging-NoCapacity-3C4D"  # a scaling trigger: never health


def summary(name: str, endpoint: str = SHARED) -> dict[str, Any]:
    """ListInferenceComponents' InferenceComponentSummary (botocore: every member but EndpointName required)."""
    return {
        "InferenceComponentName": name, "InferenceComponentArn": f"{SAGEMAKER}:inference-component/{name}",
        "EndpointName": endpoint, "EndpointArn": f"{SAGEMAKER}:endpoint/{endpoint}", "VariantName": "AllTraffic",
        "CreationTime": WHEN, "LastModifiedTime": WHEN, "InferenceComponentStatus": "InService",
    }  # fmt: skip


def listed(endpoint: str, token: str | None = None) -> dict[str, Any]:
    return {"EndpointNameEquals": endpoint, "MaxResults": 100} | ({"NextToken": token} if token else {})


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, COMPONENT_LIKE)
    return aws


def test_destroy_of_a_shared_endpoint_that_hosts_components_refuses_names_every_page_of_them_and_deletes_nothing(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """SageMaker refuses to delete an endpoint that hosts components ("There are some underlying Models that are part
    of this endpoint. Please delete the resources under Model tabs.",
    https://github.com/aws/amazon-sagemaker-feedback/issues/143): the command asks ListInferenceComponents with
    EndpointNameEquals ("The response includes only those inference components that are hosted at the specified
    endpoint.", SageMaker API Reference, ListInferenceComponents), every page, and refuses with exit 5 before any
    DeleteStack."""
    cloudformation, sagemaker = stubbed["cloudformation"], stubbed["sagemaker"]
    cloudformation.add_response("describe_stacks", stacks("shared", "CREATE_COMPLETE", outputs=SHARED_OUTPUTS),
                                {"StackName": "shared"})  # fmt: skip
    sagemaker.add_response("list_inference_components", {"InferenceComponents": [summary("fraud")], "NextToken": "t"},
                           listed(SHARED))  # fmt: skip
    sagemaker.add_response(
        "list_inference_components", {"InferenceComponents": [summary("churn")]}, listed(SHARED, "t")
    )
    code = main(["destroy", "--template", "inference-endpoint", "--stack-name", "shared", "--region", "eu-west-1"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (EXIT_REFUSED, "")
    assert err.splitlines() == [
        f"error: refused: stack shared is endpoint {SHARED}, which still hosts 2 inference component(s): churn, fraud. "
        "Destroy their stacks first (sagemaker-endpoint destroy --template inference-component --stack-name <stack>): "
        "SageMaker does not delete an endpoint that hosts components. Nothing was deleted; shared is unchanged.",
    ]


def test_destroy_of_a_shared_endpoint_that_hosts_nothing_deletes_it_even_without_template_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check goes by the stack (an EndpointName output and no package of its own), so a forgotten --template
    still asks; with no component left, the stack is deleted as any other."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, ENDPOINT_ONLY)
    cloudformation, sid = stubbed["cloudformation"], {"StackName": stack_id("shared")}
    cloudformation.add_response("describe_stacks", stacks("shared", "CREATE_COMPLETE", outputs=SHARED_OUTPUTS),
                                {"StackName": "shared"})  # fmt: skip
    stubbed["sagemaker"].add_response("list_inference_components", {"InferenceComponents": []}, listed(SHARED))
    cloudformation.add_response("list_stack_resources", resources(
        ("Endpoint", f"{SAGEMAKER}:endpoint/{SHARED}", "AWS::SageMaker::Endpoint")), sid)  # fmt: skip
    before = stack_event("shared", "e-0", "shared", "AWS::CloudFormation::Stack", "CREATE_COMPLETE")
    cloudformation.add_response("describe_stack_events", {"StackEvents": [before]}, sid)
    cloudformation.add_response("delete_stack", {}, sid)
    done = [stack_event("shared", "e-1", "shared", "AWS::CloudFormation::Stack", "DELETE_COMPLETE")]
    expect_followed(cloudformation, "shared", before, done, "DELETE_COMPLETE")
    code = main(["destroy", "--stack-name", "shared", "--region", "eu-west-1"])
    stubbed.done()
    assert code == 0, capsys.readouterr().err


def expect_component(
    stubbed: StubbedAws, stack: str, *, serves: str, says: str, copies: tuple[int, int] = (2, 2)
) -> None:
    """What status and promote read of a component's stack: the stack, its component, the component's model (and
    so its package), its resources and its alarms."""
    cloudformation, sagemaker = stubbed["cloudformation"], stubbed["sagemaker"]
    outputs = {"InferenceComponentName": "churn", "EndpointName": SHARED, "ModelPackageArn": says}
    cloudformation.add_response("describe_stacks", stacks(stack, "UPDATE_COMPLETE", outputs=outputs),
                                {"StackName": stack})  # fmt: skip
    sagemaker.add_response("describe_inference_component", {
        "InferenceComponentName": "churn", "InferenceComponentArn": f"{SAGEMAKER}:inference-component/churn",
        "EndpointName": SHARED, "EndpointArn": f"{SAGEMAKER}:endpoint/{SHARED}", "VariantName": "AllTraffic",
        "Specification": {"ModelName": "churn-model-3"},
        "RuntimeConfig": {"CurrentCopyCount": copies[0], "DesiredCopyCount": copies[1]},
        "CreationTime": WHEN, "LastModifiedTime": WHEN, "InferenceComponentStatus": "InService",
    }, {"InferenceComponentName": "churn"})  # fmt: skip
    sagemaker.add_response("describe_model", {
        "ModelName": "churn-model-3", "PrimaryContainer": {"ModelPackageName": serves},
        "CreationTime": WHEN, "ModelArn": f"{SAGEMAKER}:model/churn-model-3",
    }, {"ModelName": "churn-model-3"})  # fmt: skip
    if serves != says:
        return
    cloudformation.add_response("list_stack_resources", resources(
        ("Model", f"{SAGEMAKER}:model/churn-model-3", "AWS::SageMaker::Model"),
        ("Invocation5xxAlarm", ALARM, "AWS::CloudWatch::Alarm"),
        ("NoCapacityAlarm", WAKE, "AWS::CloudWatch::Alarm"),
    ), {"StackName": stack_id(stack)})  # fmt: skip


STATUS = ["status", "--template", "inference-component", "--stack-name", STAGING, "--region", "eu-west-1"]


def test_status_of_a_component_reports_its_copies_and_the_package_its_model_comes_from(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copies as DescribeInferenceComponent counts them ("DesiredCopyCount": "The number of runtime copies of the
    model container that you requested", "CurrentCopyCount": "that are currently deployed":
    InferenceComponentRuntimeConfigSummary); the package is the model's ModelPackageName. NoCapacityAlarm wakes the
    component from zero: it is not health and is not asked about. Zero copies (scaled to zero) is healthy."""
    expect_component(stubbed, STAGING, serves=V3, says=V3, copies=(0, 0))
    stubbed["cloudwatch"].add_response("describe_alarms", {"MetricAlarms": [{"AlarmName": ALARM, "StateValue": "OK"}]},
                                       {"AlarmNames": [ALARM]})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "StackStatus": "UPDATE_COMPLETE", "InferenceComponentName": "churn", "EndpointName": SHARED,
        "InferenceComponentStatus": "InService", "ModelPackageArn": V3, "ServingSince": WHEN.isoformat(),
        "Copies": {"Current": 0, "Desired": 0}, "Alarms": {ALARM: "OK"},
    }  # fmt: skip


def test_status_of_a_component_rolled_back_by_sagemaker_or_in_alarm_exits_4_naming_each_problem(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rolling update rolled back on its alarms leaves the component on the old model while the stack says the
    new package ("If any alarms are tripped during a deployment, SageMaker rolls back the deployment.", SageMaker API
    Reference, AutoRollbackConfig)."""
    expect_component(stubbed, STAGING, serves=V2, says=V3, copies=(1, 3))
    stubbed["cloudformation"].add_response("list_stack_resources", resources(
        ("Invocation5xxAlarm", ALARM, "AWS::CloudWatch::Alarm")), {"StackName": stack_id(STAGING)})  # fmt: skip
    stubbed["cloudwatch"].add_response("describe_alarms", {"MetricAlarms": [{"AlarmName": ALARM,
                                       "StateValue": "ALARM"}]}, {"AlarmNames": [ALARM]})  # fmt: skip
    code = main(STATUS)
    stubbed.done()
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (code, report["ModelPackageArn"], report["Copies"]) == (4, V2, {"Current": 1, "Desired": 3})
    assert err.splitlines() == [
        f"error: inference component churn serves {V2}, not its stack's {V3}: SageMaker rolled its last update back",
        f"error: alarm {ALARM} is in ALARM",
    ]


PROMOTE = ["promote", "--template", "inference-component", "--from-stack", STAGING, "--to-stack", PROD,
           "--region", "eu-west-1"]  # fmt: skip


def test_promote_of_a_rolled_back_component_is_refused_before_the_target_is_read(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_component(stubbed, STAGING, serves=V2, says=V3)
    code = main(PROMOTE)
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: inference component churn serves {V2}, not its stack's {V3}: SageMaker rolled it back; nothing is "
        "promoted from a stage that is not what it says"
    ]


def test_promote_carries_the_components_package_to_the_next_stages_component_pinned_by_arn(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The package is the one the staging component's model comes from; prod's component stack gets it as
    ModelPackageArn with its group cleared, through a change set, then its outputs are printed."""
    expect_component(stubbed, STAGING, serves=V3, says=V3)
    history = {"AlarmName": ALARM, "AlarmTypes": ["MetricAlarm"], "HistoryItemType": "StateUpdate", "StartDate": WHEN}
    cloudwatch, cloudformation = stubbed["cloudwatch"], stubbed["cloudformation"]
    cloudwatch.add_response("describe_alarms", {"MetricAlarms": [{"AlarmName": ALARM, "StateValue": "OK"}]},
                            {"AlarmNames": [ALARM], "AlarmTypes": ["CompositeAlarm", "MetricAlarm"]})  # fmt: skip
    cloudwatch.add_response("describe_alarm_history", {"AlarmHistoryItems": []}, history)
    before = {"ModelPackageArn": V2, "ModelPackageGroupName": "", "DeployOnApproval": "false"}
    outputs = {"InferenceComponentName": "churn-prod", "EndpointName": "shared-prod", "ModelPackageArn": V2}
    for _ in range(2):  # the target's check, then the plan's
        cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", before, outputs),
                                    {"StackName": PROD})  # fmt: skip
    pinned = before | {"ModelPackageArn": V3}
    change_set = replacing_the_endpoint("False") | {"StackId": stack_id(PROD)}
    expect_change_set(cloudformation, change_set, {
        "StackName": PROD, "TemplateBody": COMPONENT_LIKE.body, "Capabilities": [],
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in pinned.items()],
        "Description": "sagemaker-endpoint deploy",
    })  # fmt: skip
    expect_execution(cloudformation, PROD, change_set["ChangeSetId"], "UPDATE_COMPLETE")
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", pinned), {"StackName": PROD})
    model = ("Model", f"{SAGEMAKER}:model/churn-prod-3", "AWS::SageMaker::Model")
    cloudformation.add_response("list_stack_resources", resources(model), {"StackName": stack_id(PROD)})
    after = outputs | {"ModelPackageArn": V3}
    cloudformation.add_response("describe_stacks", stacks(PROD, "UPDATE_COMPLETE", pinned, after), {"StackName": PROD})
    code = main([*PROMOTE, "--bake-minutes", "0"])
    stubbed.done()
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == after
    assert f"Promoting {V3} from {STAGING} to {PROD}." in err.splitlines()


# COMPONENT_LIKE with the parameters plan and deploy check against the shared endpoint.
COMPONENT_WITH_COMPUTE = EndpointTemplate(
    COMPONENT_LIKE.body.replace(
        "Parameters:\n",
        "Parameters:\n  EndpointName: {Type: String}\n"
        "  NumberOfAcceleratorDevicesRequired: {Type: String, Default: ''}\n",
        1,
    )
)
INPUT_REFUSED = "1 problem(s) in the input; nothing was sent to AWS."  # nothing changed: the endpoint was only read
COMPUTE_REFUSALS = {
    "accelerators on a CPU type": (
        "ml.m5.xlarge", "1", "NumberOfAcceleratorDevicesRequired is 1 but EndpointName shared-gpu runs ml.m5.xlarge, "
        "which has no accelerators: leave it empty",
    ),
    "none on an accelerated type": (
        "ml.g5.2xlarge", "", "NumberOfAcceleratorDevicesRequired is empty but EndpointName shared-gpu runs "
        "ml.g5.2xlarge, an accelerated type: set how many devices each copy reserves (1 or more)",
    ),
    "a family not placed yet": (
        "ml.x9.large", "", "EndpointName shared-gpu runs ml.x9.large, a family this client does not know to have "
        "accelerators or not: refused until it is placed (generator.common.instance_families)",
    ),
}  # fmt: skip


def expect_shared_endpoint(stubbed: StubbedAws, variant: dict[str, Any]) -> None:
    """What plan reads before the change set: no stack yet, then the endpoint the component joins and its config."""
    cloudformation, sagemaker = stubbed["cloudformation"], stubbed["sagemaker"]
    cloudformation.add_client_error("describe_stacks", "ValidationError", "Stack with id churn does not exist", 400,
                                    expected_params={"StackName": "churn"})  # fmt: skip
    sagemaker.add_response("describe_endpoint", {
        "EndpointName": SHARED, "EndpointArn": f"{SAGEMAKER}:endpoint/{SHARED}", "EndpointConfigName": "shared-1",
        "EndpointStatus": "InService", "CreationTime": WHEN, "LastModifiedTime": WHEN,
    }, {"EndpointName": SHARED})  # fmt: skip
    sagemaker.add_response("describe_endpoint_config", {
        "EndpointConfigName": "shared-1", "EndpointConfigArn": f"{SAGEMAKER}:endpoint-config/shared-1",
        "ProductionVariants": [{"VariantName": "AllTraffic", **variant}], "CreationTime": WHEN,
    }, {"EndpointConfigName": "shared-1"})  # fmt: skip


def plan_component(accelerators: str) -> list[str]:
    return ["plan", "--template", "inference-component", "--stack-name", "churn", "--region", "eu-west-1",
            "--param", f"EndpointName={SHARED}", "--param", f"ModelPackageArn={V3}",
            "--param", f"NumberOfAcceleratorDevicesRequired={accelerators}"]  # fmt: skip


@pytest.mark.parametrize(("instance_type", "accelerators", "refusal"), COMPUTE_REFUSALS.values(),
                         ids=COMPUTE_REFUSALS.keys())  # fmt: skip
def test_plan_of_a_component_refuses_compute_its_endpoints_instance_family_does_not_have(
    instance_type: str, accelerators: str, refusal: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """NumberOfAcceleratorDevicesRequired counts accelerators ("Accelerators include GPUs and Amazon Web Services
    Inferentia.", SageMaker API Reference, InferenceComponentComputeResourceRequirements). AWS does not say what
    SageMaker does with accelerators asked on a CPU-only type, or none on an accelerated one: both are refused, as
    is a family not known to be either, with exit 2 before any change set."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, COMPONENT_WITH_COMPUTE)
    expect_shared_endpoint(stubbed, {"InstanceType": instance_type, "InitialInstanceCount": 1})
    code = main(plan_component(accelerators))
    stubbed.done()
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: {refusal}", INPUT_REFUSED]


def test_plan_of_a_component_refuses_an_endpoint_that_serves_a_model_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant with a model hosts no components ("Inference Components are not supported in this Endpoint.",
    https://github.com/hashicorp/terraform-provider-aws/issues/40644)."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, COMPONENT_WITH_COMPUTE)
    expect_shared_endpoint(stubbed, {"InstanceType": "ml.m5.large", "ModelName": "churn-model-2"})
    code = main(plan_component(""))
    stubbed.done()
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: EndpointName {SHARED}: its variant AllTraffic serves model churn-model-2, so it hosts no inference "
        "components: name an endpoint of an inference-endpoint stack",
        INPUT_REFUSED,
    ]


def test_plan_of_a_component_on_an_endpoint_that_does_not_exist_names_the_stack_to_deploy_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DescribeEndpoint of an unknown name: SageMaker's ValidationException "Could not find endpoint"."""
    stubbed = StubbedAws()
    run_with(monkeypatch, stubbed, COMPONENT_WITH_COMPUTE)
    stubbed["cloudformation"].add_client_error("describe_stacks", "ValidationError", "Stack with id churn does not "
                                               "exist", 400, expected_params={"StackName": "churn"})  # fmt: skip
    stubbed["sagemaker"].add_client_error("describe_endpoint", "ValidationException", "Could not find endpoint "
                                          f"\"{SHARED}\".", 400, expected_params={"EndpointName": SHARED})  # fmt: skip
    code = main(plan_component(""))
    stubbed.done()
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: EndpointName {SHARED}: no such endpoint in eu-west-1; deploy its inference-endpoint stack first "
        "(--template inference-endpoint)",
        INPUT_REFUSED,
    ]
