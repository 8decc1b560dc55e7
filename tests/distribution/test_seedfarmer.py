"""The seed-farmer module's files, against seed-farmer 8.0.9's own models (in its venv, .tools/seedfarmer), and the
reading of a module deployment's environment."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.deploy.inputs import InputError
from generator.deploy.seedfarmer_env import SEED_INPUTS, read_module
from generator.deploy.template_file import load_template
from tests.support.paths import ROOT

SEEDFARMER_PYTHON = ROOT / ".tools" / "seedfarmer" / "bin" / "python"
SEED_README = ROOT.parent / "shared" / "seed" / "000_371956abb86c0b3f.txt"
TEMPLATE_PARAMETERS = list(load_template().parameters)
CONTEXT = {"SEEDFARMER_PROJECT_NAME": "mlops", "SEEDFARMER_DEPLOYMENT_NAME": "prod",
           "SEEDFARMER_MODULE_NAME": "sagemaker-endpoints-endpoint"}  # fmt: skip
NETWORK = {"SEEDFARMER_PARAMETER_VPC_ID": "vpc-0123456789abcdef0",
           "SEEDFARMER_PARAMETER_SUBNET_IDS": '["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]'}  # fmt: skip
# What `valueFrom.moduleMetadata` would give for the sample manifest's references.
METADATA = {
    "VpcId": "vpc-0123456789abcdef0",
    "PrivateSubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
    "StudioDomainId": "d-abcdef123456",
    "StudioDomainArn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abcdef123456",
}


def seedfarmer(code: str, *args: str) -> Any:
    """Run code in seed-farmer's venv, in a strict project as aiops-modules is; its JSON answer."""
    assert SEEDFARMER_PYTHON.exists(), "run `make scanners` (make test does) to install seed-farmer"
    prelude = (
        "import json, sys, yaml, seedfarmer\nfrom seedfarmer.models import ProjectSpec\n"
        "seedfarmer.config._project_spec = "
        "ProjectSpec(project='aiops', manifest_validation_fail_on_unknown_fields=True)\n"
    )
    run = subprocess.run([str(SEEDFARMER_PYTHON), "-c", prelude + code, *args], capture_output=True, text=True,
                         timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_deployspec_validates_with_seedfarmers_own_model_in_strict_mode() -> None:
    spec = seedfarmer(
        "from seedfarmer.models import DeploySpec\n"
        "spec = DeploySpec(**yaml.safe_load(open(sys.argv[1])))\n"
        "print(json.dumps(spec.model_dump(by_alias=False)))",
        str(ROOT / "deployspec.yaml"),
    )
    assert spec["publish_generic_env_variables"] is True
    assert spec["deploy"]["phases"]["build"]["commands"] == [
        "sagemaker-endpoint deploy --from-seedfarmer-env > outputs.json",
        'seedfarmer metadata add -j "$(cat outputs.json)"',
    ]
    assert spec["destroy"]["phases"]["build"]["commands"] == ["sagemaker-endpoint destroy --from-seedfarmer-env"]
    for action in ("deploy", "destroy"):
        assert spec[action]["phases"]["install"]["commands"] == [
            "pip install --quiet --requirement requirements-deploy.txt",
            "pip install --quiet --no-deps --editable .",
        ]


def test_a_misspelled_deployspec_key_fails_seedfarmers_strict_validation(tmp_path: Path) -> None:
    """The validation above can fail: seed-farmer rejects what it does not know."""
    broken = tmp_path / "deployspec.yaml"
    broken.write_text((ROOT / "deployspec.yaml").read_text().replace("build:", "biuld:", 1))
    run = subprocess.run(
        [str(SEEDFARMER_PYTHON), "-c",
         "import sys, yaml, seedfarmer\nfrom seedfarmer.models import DeploySpec, ProjectSpec\n"
         "seedfarmer.config._project_spec = ProjectSpec(project='x', manifest_validation_fail_on_unknown_fields=True)\n"
         "DeploySpec(**yaml.safe_load(open(sys.argv[1])))", str(broken)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode != 0
    assert "The following keys are not allowed" in run.stderr


def sample_manifest(readme: str) -> str:
    section = readme.split("### Sample manifest declaration", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def manifest_environment(manifest: str) -> dict[str, str]:
    """The SEEDFARMER_PARAMETER_* variables seed-farmer sets for a manifest, through its ModuleManifest."""
    names = seedfarmer(
        "from seedfarmer.models.manifests import ModuleManifest\n"
        "m = ModuleManifest(**yaml.safe_load(sys.argv[1]))\n"
        "print(json.dumps([[p.name, p.upper_snake_case, p.value, p.value_from.module_metadata.key "
        "if p.value_from and p.value_from.module_metadata else None] for p in m.parameters]))",
        manifest,
    )
    values = {snake: METADATA[key] if key else value for _, snake, value, key in names}
    return {f"SEEDFARMER_PARAMETER_{snake}": v if isinstance(v, str) else json.dumps(v) for snake, v in values.items()}


@pytest.mark.parametrize("readme", [ROOT / "README.md", SEED_README], ids=["ours", "the seed's"])
def test_the_sample_manifest_parses_with_seedfarmer_and_its_parameters_reach_the_template(readme: Path) -> None:
    if not readme.exists():
        pytest.skip(f"{readme} is not beside this checkout")
    environment = manifest_environment(sample_manifest(readme.read_text()))
    module = read_module({**CONTEXT, **environment}, TEMPLATE_PARAMETERS)
    assert module.parameters == {
        "SageMakerProjectId": "dummy123",
        "SageMakerProjectName": "dummy123",
        "ModelPackageArn": "arn:aws:sagemaker:<region>:<account>:model-package/<package_name>/1",
        "InstanceType": "ml.m5.large",
        "VpcId": METADATA["VpcId"],
        "SubnetIds": ",".join(METADATA["PrivateSubnetIds"]),
        "SageMakerDomainId": METADATA["StudioDomainId"],
        "SageMakerDomainArn": METADATA["StudioDomainArn"],
    }


def test_our_readme_documents_the_module_in_the_seed_readmes_layout() -> None:
    if not SEED_README.exists():
        pytest.skip("the seed README is not beside this checkout")
    headings = [line for line in SEED_README.read_text().splitlines() if line.startswith("#")]
    ours = (ROOT / "README.md").read_text().split("## seed-farmer module\n", 1)[1].split("\n## ", 1)[0]
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
    module = read_module({**CONTEXT, f"SEEDFARMER_PARAMETER_{variable}": value}, TEMPLATE_PARAMETERS)
    assert module.parameters == {parameter: expected}


def test_every_seed_input_maps_to_a_template_parameter() -> None:
    assert set(SEED_INPUTS.values()) <= set(TEMPLATE_PARAMETERS)


def test_the_stack_is_named_as_the_cdk_module_names_its_own_with_our_suffix_and_tagged_as_it_tags() -> None:
    environment = {**CONTEXT, **NETWORK, "SEEDFARMER_PARAMETER_TAGS": '{"team": "ml"}',
                   "SEEDFARMER_PARAMETER_PERMISSIONS_BOUNDARY_NAME": "boundary"}  # fmt: skip
    module = read_module(environment, TEMPLATE_PARAMETERS)
    assert module.stack_name == "mlops-prod-sagemaker-endpoints-endpoint-cfn"
    assert module.tags == {"SeedFarmerProjectName": "mlops", "SeedFarmerDeploymentName": "prod",
                           "SeedFarmerModuleName": "sagemaker-endpoints-endpoint", "team": "ml"}  # fmt: skip
    assert module.deployer_role_path == "/sagemaker-endpoint-deployer/mlops/prod/sagemaker-endpoints-endpoint/"
    assert module.permissions_boundary_name == "boundary"


def test_the_seed_readmes_misspelling_is_read_with_a_warning_naming_the_right_spelling() -> None:
    module = read_module({**CONTEXT, "SEEDFARMER_PARAMETER_DATA_CAPTURE_SAMPING_PERCENTAGE": "20"}, TEMPLATE_PARAMETERS)
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
        }, TEMPLATE_PARAMETERS)  # fmt: skip
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
