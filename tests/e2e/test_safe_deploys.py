"""Deploys that say what really happened: on a terminal a plan that replaces or removes waits for a yes, and an
endpoint that SageMaker rolled back by itself is reported, with what it serves, even when CloudFormation says the
stack is complete."""

from __future__ import annotations

from tests.support.e2e import LocalAws, arn_mode, cli, outputs_of, params, run_on_terminal, serving, stack_of
from tests.support.local_aws import REGION
from tests.support.moto.retained import endpoint_goes_back_after_update

MOTO_ACCOUNT = "123456789012"


def test_on_a_terminal_a_plan_that_replaces_waits_for_a_yes_and_a_no_or_ctrl_c_changes_nothing(aws: LocalAws) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-ask", *params(arn_mode(aws, 0))).returncode == 0
    endpoint = outputs_of(aws, "churn-ask")["EndpointName"]
    before = serving(aws, endpoint)

    code, stdout, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-ask",
                                             *params(arn_mode(aws, 2)), typed=b"n\n")  # fmt: skip

    assert (code, stdout) == (6, "")  # declined
    assert "The plan replaces or removes resources. Execute it? [y/N]" in terminal
    assert "Not executed: nothing was changed." in terminal
    assert serving(aws, endpoint) == before
    assert aws.client("cloudformation").list_change_sets(StackName="churn-ask")["Summaries"] == []

    # Ctrl-C at the prompt (a real SIGINT): no traceback, the change set deleted, exit 130, and it says so.
    code, stdout, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-ask", *params(arn_mode(aws, 2)),
                                             interrupt_at=b"Execute it? [y/N]")  # fmt: skip
    assert (code, stdout) == (130, ""), terminal
    assert "Traceback" not in terminal
    assert "warning: interrupted (Ctrl-C): deleted change set sagemaker-endpoint-" in terminal
    assert aws.client("cloudformation").list_change_sets(StackName="churn-ask")["Summaries"] == []
    assert serving(aws, endpoint) == before

    code, _, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-ask", *params(arn_mode(aws, 2)), "--yes")
    assert code == 0, terminal
    assert "Execute it?" not in terminal
    assert serving(aws, endpoint)[2] == aws.versions[2]


def names(aws: LocalAws) -> tuple[set[str], set[str]]:
    """Every endpoint config and model in the account, by name."""
    sagemaker = aws.client("sagemaker")
    configs = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    return configs, {m["ModelName"] for m in sagemaker.list_models()["Models"]}


def test_a_silent_rollback_keeps_what_the_endpoint_serves_and_only_a_verified_deploy_or_destroy_removes_the_rest(
    aws: LocalAws,
) -> None:
    """Issue 24: "A test simulates the silent rollback and shows the served config and model still exist afterwards".

    SageMaker rolls an update back by itself (moto cannot fail a deployment: `endpoint_goes_back_after_update` puts
    the endpoint back on its previous config once the change set has run), CloudFormation says UPDATE_COMPLETE, and
    its cleanup would have deleted the config the endpoint went back to. The template retains it (UpdateReplacePolicy
    Retain, honoured by the bend in tests/support/moto/retained.py), so the endpoint still runs on resources that
    exist; the deploy exits 1 naming them and removes nothing. A later deploy whose endpoint is verified removes what
    nobody serves; destroy removes what is left."""
    v1, v3, v4 = aws.versions[0], aws.versions[2], aws.versions[3]
    assert cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 2))).returncode == 0
    endpoint = outputs_of(aws, "churn-rb")["EndpointName"]
    config3, model3, _ = serving(aws, endpoint)

    with endpoint_goes_back_after_update(MOTO_ACCOUNT, REGION, endpoint):
        update = cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 3)))

    assert (update.returncode, update.stdout) == (1, "")  # no outputs claiming v4 is served
    config4 = aws.physical_ids("churn-rb")["EndpointConfig"].rsplit("/", 1)[1]
    assert update.stderr.splitlines()[-1] == (
        f"error: endpoint {endpoint} serves {config3} (model package {v3}), not the stack's {config4}: SageMaker "
        "rolled the deployment back by itself (a rollback alarm or a failed health check: see the endpoint's events), "
        "while CloudFormation says UPDATE_COMPLETE. Fix the cause, then deploy again with a new token "
        "(--resolve-latest) or a new package."
    )
    assert serving(aws, endpoint) == (config3, model3, v3)  # the served config and model still exist
    assert stack_of(aws, "churn-rb")["StackStatus"] == "UPDATE_COMPLETE"
    configs, models = names(aws)
    model4 = aws.client("sagemaker").describe_endpoint_config(EndpointConfigName=config4)["ProductionVariants"][0][
        "ModelName"
    ]
    assert (configs, models) == ({config3, config4}, {model3, model4})  # nothing removed: nothing is verified
    assert serving(aws, endpoint)[2] != v4

    good = cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 0)))

    assert good.returncode == 0, good.stderr
    config1, model1, package = serving(aws, endpoint)
    assert package == v1
    assert (
        f"Removed what earlier deploys kept, no longer served by the endpoint: endpoint config(s) "
        f"{', '.join(sorted([config3, config4]))}; model(s) {', '.join(sorted([model3, model4]))}." in good.stderr
    )
    assert names(aws) == ({config1}, {model1})

    with endpoint_goes_back_after_update(MOTO_ACCOUNT, REGION, endpoint):  # kept once more, to be destroyed
        assert cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 2))).returncode == 1
    assert config1 in names(aws)[0]

    destroyed = cli(aws, "destroy", "--stack-name", "churn-rb")

    assert destroyed.returncode == 0, destroyed.stderr
    assert (
        f"Removed what earlier deploys kept, its endpoint deleted: endpoint config(s) {config1}; model(s) "
        f"{model1}." in destroyed.stderr
    )
    assert names(aws) == (set(), set())
