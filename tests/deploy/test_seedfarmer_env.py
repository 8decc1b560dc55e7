"""What the deploy command reads from a seed-farmer CodeBuild environment: the seed's inputs in every spelling and
encoding, the stack name and tags, and every problem at once."""

from __future__ import annotations

import re

import pytest

from generator.deploy.inputs import InputError
from generator.deploy.seedfarmer_env import MISSPELLED, read_module, seed_names, upper_snake
from tests.support.paths import ROOT
from tests.support.seedfarmer_env import CONTEXT, NETWORK, SEED_README, TEMPLATE


def test_our_guide_documents_the_module_in_the_seed_readmes_layout() -> None:
    headings = [line for line in SEED_README.read_text().splitlines() if line.startswith("#")]
    ours = (ROOT / "docs" / "seed-farmer.md").read_text().split("## seed-farmer module\n", 1)[1].split("\n## ", 1)[0]
    ours_one_level_up = [line[1:] for line in ours.splitlines() if line.startswith("###")]
    assert [h for h in headings[1:] if "Architecture" not in h] == ours_one_level_up


# --- the environment -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "parameter", "expected"),
    [
        ("SUBNET_IDS", '["subnet-a", "subnet-b"]', "SubnetIds", "subnet-a,subnet-b"),
        ("SUBNET_IDS", "subnet-a,subnet-b", "SubnetIds", "subnet-a,subnet-b"),
        ("ENABLE_NETWORK_ISOLATION", "True", "EnableNetworkIsolation", "true"),
        ("MANAGED_INSTANCE_SCALING", "false", "ManagedInstanceScaling", "false"),
        ("INITIAL_VARIANT_WEIGHT", "0.5", "InitialVariantWeight", "0.5"),
        ("ENDPOINT_NAME", "churn-prod", "EndpointName", "churn-prod"),  # any template parameter, by its own name
        ("VOLUME_SIZE_IN_GB", "100", "VolumeSizeInGB", "100"),
    ],
)
def test_seedfarmers_encodings_become_the_values_the_template_takes(
    variable: str, value: str, parameter: str, expected: str
) -> None:
    module = read_module({**CONTEXT, f"SEEDFARMER_PARAMETER_{variable}": value}, TEMPLATE)
    assert module.parameters == {parameter: expected}


def test_every_input_the_seed_readme_lists_reaches_a_template_parameter() -> None:
    listed = re.findall(r"^- `([a-z-]+)`:", SEED_README.read_text().split("### Input Parameters", 1)[1], re.M)
    assert len(listed) == 21
    known = seed_names(TEMPLATE)
    read_as = {name: MISSPELLED.get(name, name) for name in map(upper_snake, listed)}  # the README's one typo
    assert [name for name, spelled in read_as.items() if spelled not in known] == []


def test_the_stack_is_named_as_the_cdk_module_names_its_own_with_our_suffix_and_tagged_as_it_tags() -> None:
    environment = {**CONTEXT, **NETWORK, "SEEDFARMER_PARAMETER_TAGS": '{"team": "ml"}',
                   "SEEDFARMER_PARAMETER_PERMISSIONS_BOUNDARY_NAME": "boundary"}  # fmt: skip
    module = read_module(environment, TEMPLATE)
    assert module.stack_name == "mlops-prod-sagemaker-endpoints-endpoint-cfn"
    assert module.tags == {"SeedFarmerProjectName": "mlops", "SeedFarmerDeploymentName": "prod",
                           "SeedFarmerModuleName": "sagemaker-endpoints-endpoint", "team": "ml"}  # fmt: skip
    assert module.deployer_role_path == "/sagemaker-endpoint-deployer/mlops/prod/sagemaker-endpoints-endpoint/"
    assert module.permissions_boundary_name == "boundary"


def test_the_seed_readmes_misspelling_is_read_with_a_warning_naming_the_right_spelling() -> None:
    module = read_module({**CONTEXT, "SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPING_PERCENTAGE": "20"}, TEMPLATE)
    assert module.parameters == {"DataCaptureSamplingPercentage": "20"}
    assert module.warnings == [
        "SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPING_PERCENTAGE: read as "
        "SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPLING_PERCENTAGE; spell the parameter data-capture-sampling-percentage"
    ]


def test_every_problem_in_the_environment_is_named_at_once() -> None:
    with pytest.raises(InputError) as raised:
        read_module({
            "SEEDFARMER_PROJECT_NAME": "mlops", "SEEDFARMER_MODULE_NAME": "g-m",
            "SEEDFARMER_PARAMETER_SUBNET_IDS": "[subnet-a]", "SEEDFARMER_PARAMETER_ENABLE_NETWORK_ISOLATION": "yes",
            "SEEDFARMER_PARAMETER_INSTANCETYPE": "ml.m5.large", "SEEDFARMER_PARAMETER_TAGS": "[1]",
        }, TEMPLATE)  # fmt: skip
    assert raised.value.problems == [
        "SEEDFARMER_DEPLOYMENT_NAME is not set: run this inside a seed-farmer deployment",
        "SEEDFARMER_PARAMETER_ENABLE_NETWORK_ISOLATION='yes': expected true or false",
        "SEEDFARMER_PARAMETER_INSTANCETYPE: not a parameter of this module; did you mean "
        "SEEDFARMER_PARAMETER_INSTANCE_TYPE?",
        "SEEDFARMER_PARAMETER_SUBNET_IDS='[subnet-a]': expected a JSON list of subnet ids, such as "
        '["subnet-a", "subnet-b"]',
        'SEEDFARMER_PARAMETER_TAGS=\'[1]\': expected a JSON object of tags, such as {"team": "ml"}',
    ]


def test_the_deploy_requirements_are_pinned_as_the_projects() -> None:
    def pins(name: str) -> set[str]:
        lines = (ROOT / name).read_text().splitlines()
        return {line for line in lines if re.fullmatch(r"[A-Za-z0-9_.-]+==\S+", line)}

    deploy = pins("requirements-deploy.txt")
    assert deploy <= pins("requirements.txt")
    assert {line.split("==")[0] for line in deploy} >= {"boto3", "botocore", "PyYAML", "rich", "crhelper"}
