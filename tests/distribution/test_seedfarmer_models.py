"""The seed-farmer module's files against seed-farmer 8.0.9's own models, in its venv (.tools/seedfarmer, which
`make scan` installs): the deployspec in strict mode, and the README's sample manifest."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.deploy.seedfarmer_env import read_module
from tests.support.paths import ROOT
from tests.support.seedfarmer_env import CONTEXT, SEED_README, TEMPLATE

pytestmark = pytest.mark.tools
SEEDFARMER_PYTHON = ROOT / ".tools" / "seedfarmer" / "bin" / "python"
# What `valueFrom.moduleMetadata` would give for the sample manifest's references.
METADATA = {
    "VpcId": "vpc-0123456789abcdef0",
    "PrivateSubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
    "StudioDomainId": "d-abcdef123456",
    "StudioDomainArn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abcdef123456",
}


def seedfarmer(code: str, *args: str) -> Any:
    """Run code in seed-farmer's venv, in a strict project as aiops-modules is; its JSON answer."""
    assert SEEDFARMER_PYTHON.exists(), "run `make scan`, which installs seed-farmer"
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


@pytest.mark.parametrize("readme", [ROOT / "docs" / "seed-farmer.md", SEED_README], ids=["ours", "the seed's"])
def test_the_sample_manifest_parses_with_seedfarmer_and_its_parameters_reach_the_template(readme: Path) -> None:
    environment = manifest_environment(sample_manifest(readme.read_text()))
    module = read_module({**CONTEXT, **environment}, TEMPLATE)
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


# --- the environment -----------------------------------------------------------------------------------------
