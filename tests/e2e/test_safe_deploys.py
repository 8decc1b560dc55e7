"""Deploys that say what really happened: on a terminal a plan that replaces or removes waits for a yes, and an
endpoint that SageMaker rolled back by itself is reported, with what it serves, even when CloudFormation says the
stack is complete."""

from __future__ import annotations

from moto.sagemaker.models import sagemaker_backends

from tests.support.e2e import LocalAws, arn_mode, cli, outputs_of, params, run_on_terminal, serving
from tests.support.local_aws import REGION

MOTO_ACCOUNT = "123456789012"


def test_on_a_terminal_a_plan_that_replaces_waits_for_a_yes_and_a_no_changes_nothing(aws: LocalAws) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-ask", *params(arn_mode(aws, 0))).returncode == 0
    endpoint = outputs_of(aws, "churn-ask")["EndpointName"]
    before = serving(aws, endpoint)

    code, stdout, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-ask",
                                             *params(arn_mode(aws, 2)), typed=b"n\n")  # fmt: skip

    assert (code, stdout) == (1, "")
    assert "The plan replaces or removes resources. Execute it? [y/N]" in terminal
    assert "Not executed: nothing was changed." in terminal
    assert serving(aws, endpoint) == before
    assert aws.client("cloudformation").list_change_sets(StackName="churn-ask")["Summaries"] == []

    code, _, terminal = run_on_terminal(aws, "deploy", "--stack-name", "churn-ask", *params(arn_mode(aws, 2)), "--yes")
    assert code == 0, terminal
    assert "Execute it?" not in terminal
    assert serving(aws, endpoint)[2] == aws.versions[2]


def test_an_endpoint_that_sagemaker_rolled_back_by_itself_fails_the_deploy_naming_what_it_serves(
    aws: LocalAws,
) -> None:
    assert cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 0))).returncode == 0
    endpoint = outputs_of(aws, "churn-rb")["EndpointName"]
    old_config, _, _ = serving(aws, endpoint)
    assert cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 2))).returncode == 0
    new_config, _, _ = serving(aws, endpoint)
    # What SageMaker does when a rollback alarm fires after CloudFormation saw the update through (moto cannot
    # fail a deployment): the endpoint goes back to the old config, and the stack still says UPDATE_COMPLETE.
    sagemaker_backends[MOTO_ACCOUNT][REGION].endpoints[endpoint].endpoint_config_name = old_config

    again = cli(aws, "deploy", "--stack-name", "churn-rb", *params(arn_mode(aws, 2)))

    assert again.returncode == 1
    assert again.stdout == ""  # no outputs claiming v3 is served
    assert again.stderr.splitlines()[-1] == (
        f"error: endpoint {endpoint} serves {old_config} (a config the stack's update deleted afterwards), not the "
        f"stack's {new_config}: SageMaker rolled the deployment back by itself (a rollback alarm or a failed health "
        "check: see the endpoint's events), while CloudFormation says UPDATE_COMPLETE. Fix the cause, then deploy "
        "again with a new token (--resolve-latest) or a new package."
    )
