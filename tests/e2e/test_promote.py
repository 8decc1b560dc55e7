"""`sagemaker-endpoint promote` between two stacks on the local AWS: held by the bake gate and by an alarm that fired
while staging served the package (a refusal changes nothing), then carried to prod pinned by ARN, then "already
serves it"."""

from __future__ import annotations

import json

from tests.support.e2e import LocalAws, arn_mode, cli, outputs_of, serving


def promote(aws: LocalAws, *args: str) -> tuple[int, str, list[str]]:
    run = cli(aws, "promote", "--from-stack", "churn-staging", "--to-stack", "churn-prod", *args)
    return run.returncode, run.stdout, run.stderr.splitlines()


def test_a_package_goes_to_prod_only_after_baking_without_alarms_pinned_by_its_arn(aws: LocalAws) -> None:
    assert aws.create_stack("churn-staging", arn_mode(aws, 2))["StackStatus"] == "CREATE_COMPLETE"
    assert aws.create_stack("churn-prod", arn_mode(aws, 0))["StackStatus"] == "CREATE_COMPLETE"
    prod_endpoint = outputs_of(aws, "churn-prod")["EndpointName"]
    before = serving(aws, prod_endpoint)

    code, stdout, err = promote(aws, "--bake-minutes", "60")  # served for moments: not baked

    assert (code, stdout) == (3, "")
    assert err[0].startswith(f"error: refused: churn-staging has served {aws.versions[2]} for 0 minutes, less than "
                             "--bake-minutes 60: promote after ")  # fmt: skip
    assert err[-1] == "Nothing was promoted; churn-prod is unchanged."
    assert serving(aws, prod_endpoint) == before
    assert aws.client("cloudformation").list_change_sets(StackName="churn-prod")["Summaries"] == []

    cloudwatch = aws.client("cloudwatch")
    latency = aws.physical_ids("churn-staging")["ModelLatencyAlarm"]  # an alarm's physical id is its name
    cloudwatch.set_alarm_state(AlarmName=latency, StateValue="ALARM", StateReason="p99 above the threshold")
    cloudwatch.set_alarm_state(AlarmName=latency, StateValue="OK", StateReason="back under")  # fired, then cleared
    code, _, err = promote(aws, "--bake-minutes", "0")

    assert code == 3
    assert err[0].startswith(f"error: refused: alarm {latency} went to ALARM at ")  # from the alarm's history
    assert serving(aws, prod_endpoint) == before


def test_a_package_that_passes_the_gates_is_deployed_pinned_and_a_second_promote_changes_nothing(
    aws: LocalAws,
) -> None:
    aws.create_stack("churn-staging", arn_mode(aws, 2))
    aws.create_stack("churn-prod", arn_mode(aws, 0))
    prod_endpoint = outputs_of(aws, "churn-prod")["EndpointName"]

    code, stdout, err = promote(aws, "--bake-minutes", "0")

    assert code == 0, err
    assert json.loads(stdout)["ModelPackageArn"] == aws.versions[2]
    assert serving(aws, prod_endpoint)[2] == aws.versions[2]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in aws.client("cloudformation").describe_stacks(
        StackName="churn-prod")["Stacks"][0]["Parameters"]}  # fmt: skip
    assert (parameters["ModelPackageArn"], parameters["ModelPackageGroupName"]) == (aws.versions[2], "")

    code, stdout, err = promote(aws)
    assert code == 0
    assert f"churn-prod already serves {aws.versions[2]}: nothing to change." in err
    assert json.loads(stdout)["ModelPackageArn"] == aws.versions[2]


def test_a_package_of_another_region_is_refused_because_packages_are_regional(aws: LocalAws) -> None:
    aws.create_stack("churn-staging", arn_mode(aws, 2))
    run = cli(aws, "promote", "--from-stack", "churn-staging", "--to-stack", "churn-prod", "--region", "us-east-1",
              "--from-region", "eu-west-1")  # fmt: skip
    assert run.returncode == 3
    assert run.stderr.splitlines()[0] == (
        f"error: refused: {aws.versions[2]} is a package of eu-west-1 and churn-prod is in us-east-1: model packages "
        "are regional. Register the version in a registry of us-east-1 and promote from a stage there."
    )
