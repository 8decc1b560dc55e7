"""The deploy client's input handling: files and KEY=VALUE pairs, and every check made before any AWS call."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from generator.deploy import checks
from generator.deploy.inputs import parse_assignments, read_params_file
from generator.deploy.template_file import load_template
from generator.endpoint.autoscaling import SCALING_START_LIMIT
from tests.support.inputs import ARN_MODE
from tests.support.template_eval import Evaluator

TEMPLATE = load_template()
SPECS = TEMPLATE.parameters
SCALING_PROBLEMS = (
    "ScalingMaxInstanceCount is below ScalingMinInstanceCount: raise the maximum or lower the minimum.",
    "InitialInstanceCount is below ScalingMinInstanceCount: start with at least the minimum.",
    "InitialInstanceCount is above ScalingMaxInstanceCount: start with at most the maximum.",
)


def unknown_except(values: dict[str, str]) -> dict[str, str | None]:
    return {**dict.fromkeys(SPECS), **values}


# --- reading input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("mapping.json", json.dumps({"SubnetIds": ["subnet-a", "subnet-b"], "EnableNetworkIsolation": False,
                                     "InitialInstanceCount": 2, "InitialVariantWeight": 0.5})),
        ("mapping.yaml", "SubnetIds: [subnet-a, subnet-b]\nEnableNetworkIsolation: false\nInitialInstanceCount: 2\n"
                         "InitialVariantWeight: 0.5\n"),
        ("aws-cli.json", json.dumps([{"ParameterKey": "SubnetIds", "ParameterValue": "subnet-a,subnet-b"},
                                     {"ParameterKey": "EnableNetworkIsolation", "ParameterValue": "false"},
                                     {"ParameterKey": "InitialInstanceCount", "ParameterValue": "2"},
                                     {"ParameterKey": "InitialVariantWeight", "ParameterValue": "0.5"}])),
    ],
)  # fmt: skip
def test_a_params_file_in_any_of_its_forms_gives_the_strings_cloudformation_takes(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert read_params_file(path) == (
        {
            "SubnetIds": "subnet-a,subnet-b",
            "EnableNetworkIsolation": "false",
            "InitialInstanceCount": "2",
            "InitialVariantWeight": "0.5",
        },
        [],
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- just\n- a list\n", 'expected a mapping of parameter names to values, or [{"ParameterKey": ...}]'),
        ("{unclosed: [", "not JSON or YAML: expected the node content, but found '<stream end>' at line 1, column 13"),
    ],
)
def test_a_params_file_that_is_not_a_mapping_is_named_with_the_fix(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    assert read_params_file(path) == ({}, [f"--params-file {path}: {problem}"])


def test_a_missing_params_file_is_named() -> None:
    assert read_params_file(Path("/nonexistent/p.json")) == (
        {},
        ["--params-file /nonexistent/p.json: cannot read it: No such file or directory"],
    )


def test_key_value_pairs_split_at_the_first_equals_and_a_pair_without_one_is_a_problem() -> None:
    assert parse_assignments("--param", ["A=b=c", "B=", "nothing", "=x"]) == (
        {"A": "b=c", "B": ""},
        ["--param 'nothing': write it as KEY=VALUE", "--param '=x': write it as KEY=VALUE"],
    )


# --- per-parameter checks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("InstanceTyp", "InstanceTyp: not a parameter of the template; did you mean InstanceType?"),
        ("instancetype", "instancetype: not a parameter of the template; did you mean InstanceType?"),
        ("Colour", "Colour: not a parameter of the template; `sagemaker-endpoint parameters` lists them"),
    ],
)
def test_an_unknown_name_gets_the_closest_known_one(given: str, problem: str) -> None:
    assert checks.unknown_names({given: "x", "VpcId": "vpc-0123456789abcdef0"}, SPECS) == [problem]


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("InitialInstanceCount", "0", "InitialInstanceCount='0': must be a whole number from 1 to 9999"),
        ("InitialInstanceCount", "two", "InitialInstanceCount='two': must be a whole number from 1 to 9999"),
        ("DataCaptureSamplingPercentage", "101",
         "DataCaptureSamplingPercentage='101': must be a whole number from 0 to 100"),
        ("EnableNetworkIsolation", "yes", "EnableNetworkIsolation='yes': must be one of true, false"),
        ("InstanceType", "m5.large", "InstanceType='m5.large': must be a SageMaker instance type such as ml.m5.xlarge"),
        ("VpcId", "vpc-1", "VpcId='vpc-1': must be a VPC ID such as vpc-0123456789abcdef0, or empty"),
        ("SubnetIds", "subnet-0aaaaaaaaaaaaaaaa,sub", "SubnetIds='sub': must be subnet IDs such as "
         "subnet-0123456789abcdef0, comma-separated"),
        ("PackageResolutionToken", "x" * 129, f"PackageResolutionToken={'x' * 129!r}: at most 128 characters, it "
         "has 129"),
    ],
)  # fmt: skip
def test_each_value_is_checked_against_its_parameters_declared_constraint(name: str, value: str, problem: str) -> None:
    assert checks.constraint_problems({name: value}, SPECS) == [problem]


# No template of ours sets MinValue or MaxValue today (whole numbers are patterns, so "00" and "1e3" are refused);
# the check still reads them, as CloudFormation does, for a template that does.
BOUNDED = {
    "Copies": {"Type": "Number", "MinValue": "1", "MaxValue": "10"},
    "Floor": {"Type": "Number", "MinValue": "0"},
}


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_a_value_exactly_at_its_bounds_passes_and_one_past_them_fails(name: str) -> None:
    """CloudFormation's MinValue and MaxValue are inclusive; the offline check must take exactly what it takes."""
    spec = BOUNDED[name]
    for bound, step in (("MinValue", -1), ("MaxValue", 1)):
        if bound in spec:
            edge = int(spec[bound])
            assert checks.constraint_problems({name: str(edge)}, BOUNDED) == [], f"{bound} {edge}"
            assert checks.constraint_problems({name: str(edge + step)}, BOUNDED) != [], f"past {bound} {edge}"


def test_good_values_pass_every_constraint() -> None:
    good = {
        **ARN_MODE,
        "InstanceType": "ml.g5.xlarge",
        "InitialVariantWeight": "0.5",
        "EnableNetworkIsolation": "false",
    }
    assert checks.constraint_problems(good, SPECS) == []


def test_a_required_parameter_without_a_value_is_named_with_the_option_that_sets_it() -> None:
    """The endpoint template requires nothing by type (its network is required by a Rule, for two types of three);
    another template may."""
    specs = {"VpcId": {"Type": "String"}, "SubnetIds": {"Type": "CommaDelimitedList"}}
    assert checks.missing_required({"VpcId": "vpc-0123456789abcdef0", "SubnetIds": None}, specs) == [
        "SubnetIds: required, it has no default; pass --param SubnetIds=..."
    ]


# --- rules ---------------------------------------------------------------------------------------------------


def test_a_rule_that_depends_on_a_value_not_known_yet_does_not_fail() -> None:
    """Before we know whether the stack exists, the other parameters may keep values we cannot see."""
    assert checks.rule_problems(TEMPLATE.rules, unknown_except({"ModelPackageGroupName": "churn"})) == []
    assert checks.rule_problems(TEMPLATE.rules, unknown_except({})) == []


def test_a_rule_decided_by_the_given_values_fails_even_with_others_unknown() -> None:
    given = {"ModelPackageGroupName": "churn", "ModelPackageArn": ARN_MODE["ModelPackageArn"]}
    assert checks.rule_problems(TEMPLATE.rules, unknown_except(given)) == [
        "Set only one of ModelPackageArn and ModelPackageGroupName: both are set; clear the one you do not want."
    ]


AGREEMENT_CASES = {
    "capture without a bucket, no package": {
        **ARN_MODE, "DataCaptureSamplingPercentage": "20", "ModelPackageArn": "", "ModelArtifactsBucketArn": "",
    },
    "serverless with everything it cannot have": {
        **ARN_MODE, "EndpointType": "Serverless", "DataCaptureSamplingPercentage": "5", "VolumeSizeInGB": "30",
        "DeploymentStrategy": "LINEAR", "ServerlessProvisionedConcurrency": "9", "ServerlessMaxConcurrency": "8",
        "AsyncOutputS3Uri": "s3://b/out", "ManagedInstanceScaling": "true",
    },
    "async without output, scaling to zero": {
        "EndpointType": "Async", "ManagedInstanceScaling": "true", "ScalingMinInstanceCount": "0",
        "ModelPackageArn": ARN_MODE["ModelPackageArn"],
    },
}  # fmt: skip


@pytest.mark.parametrize("values", AGREEMENT_CASES.values(), ids=AGREEMENT_CASES.keys())
def test_with_every_value_known_the_rules_agree_with_the_template_evaluated(values: dict[str, str]) -> None:
    full = {name: str(spec.get("Default", "")) for name, spec in SPECS.items()} | values
    expected = Evaluator(TEMPLATE.document, values).failed_rules()
    assert len(expected) >= 2  # each case breaks several Rules at once
    assert checks.rule_problems(TEMPLATE.rules, full) == expected


def test_provisioned_concurrency_above_a_maximum_past_the_rules_enumeration_is_refused_exactly() -> None:
    values = {
        "EndpointType": "Serverless",
        "ServerlessProvisionedConcurrency": "120",
        "ServerlessMaxConcurrency": "100",
    }
    assert checks.scaling_order_problems(values) == [
        "ServerlessProvisionedConcurrency is above ServerlessMaxConcurrency: lower it, or raise the maximum."
    ]
    assert checks.scaling_order_problems({**values, "ServerlessProvisionedConcurrency": "100"}) == []
    assert checks.scaling_order_problems({**values, "ServerlessProvisionedConcurrency": ""}) == []


def test_the_exact_scaling_order_agrees_with_the_templates_enumerated_rules_wherever_they_apply() -> None:
    """The template can only enumerate counts up to its limit; there both must say the same."""
    counts = range(1, SCALING_START_LIMIT + 1)
    for minimum, maximum, initial in itertools.product(counts, counts, counts):
        values = {"ManagedInstanceScaling": "true", "ScalingMinInstanceCount": str(minimum),
                  "ScalingMaxInstanceCount": str(maximum), "InitialInstanceCount": str(initial)}  # fmt: skip
        from_template = [
            p for p in Evaluator(TEMPLATE.document, {**ARN_MODE, **values}).failed_rules() if p in SCALING_PROBLEMS
        ]
        assert checks.scaling_order_problems(values) == from_template, (minimum, maximum, initial)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((30, 20, 25), SCALING_PROBLEMS),
        ((12, 40, 12), ()),
        ((1, 100, 101), (SCALING_PROBLEMS[2],)),
    ],
)
def test_the_scaling_order_is_checked_with_exact_numbers_beyond_the_templates_limit(
    counts: tuple[int, int, int], expected: tuple[str, ...]
) -> None:
    minimum, maximum, initial = (str(count) for count in counts)
    values: dict[str, Any] = {"ManagedInstanceScaling": "true", "ScalingMinInstanceCount": minimum,
                              "ScalingMaxInstanceCount": maximum, "InitialInstanceCount": initial}  # fmt: skip
    assert checks.scaling_order_problems(values) == list(expected)
    assert checks.scaling_order_problems({**values, "ManagedInstanceScaling": "false"}) == []
    assert checks.scaling_order_problems({**values, "ScalingMaxInstanceCount": None}) == [
        p for p in expected if "ScalingMaxInstanceCount" not in p
    ]


@pytest.mark.parametrize("value", ["00", "+2", "1e1", "0.0", "2.5", " 2"])
def test_a_whole_number_is_refused_unless_written_plainly_by_the_templates_own_pattern(value: str) -> None:
    """The template declares each whole number as a String whose pattern is its range in one spelling (a Number would
    take `00`, which the Rules compare as text, and `12.5`, which SageMaker's integers refuse): the client reads that
    pattern, it keeps no list of its own."""
    assert checks.constraint_problems({"DeploymentTrafficStepPercent": value}, SPECS) == [
        f"DeploymentTrafficStepPercent={value!r}: must be a whole number from 1 to 100"
    ]


def test_a_number_parameter_is_checked_against_its_bounds() -> None:
    """CloudFormation's Number type (no template of ours declares one now): MinValue and MaxValue, as CloudFormation
    checks them."""
    spec = {"Weight": {"Type": "Number", "MinValue": 1, "MaxValue": 3}}
    assert checks.constraint_problems({"Weight": "0"}, spec) == ["Weight='0': below its minimum 1"]
    assert checks.constraint_problems({"Weight": "4"}, spec) == ["Weight='4': above its maximum 3"]
    assert checks.constraint_problems({"Weight": "two"}, spec) == ["Weight='two': must be a number"]
    assert checks.constraint_problems({"Weight": "2.5"}, spec) == []
