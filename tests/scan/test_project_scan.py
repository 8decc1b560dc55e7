"""The SageMaker Projects template scanned as the endpoint template is: cfn-lint with its informational rules,
checkov, and AWS Control Tower's proactive controls (cfn-guard). It is the endpoint template's builders, so the same
justified skips and exceptions apply, and none for what it leaves out (the approval queues)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from generator.endpoint.resolver import CHECKOV_SKIPS as RESOLVER_SKIPS
from tests.support.paths import ROOT

pytestmark = pytest.mark.tools
PROJECT = ROOT / "templates" / "sagemaker-project.yaml"
LAUNCH_ROLE = ROOT / "templates" / "project-launch-role.yaml"
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".tools" / "checkov" / "bin" / "checkov"))
CFN_GUARD_PACKAGE = Path(
    os.environ.get(
        "CFN_GUARD_PACKAGE", ROOT / ".tools" / "cfn-guard" / "node_modules" / "@cdklabs" / "cdk-validator-cfnguard"
    )
)
# The endpoint template's exceptions (tests/scan/test_scanners.py) that concern what the project template keeps.
CONTROL_TOWER_EXCEPTIONS = {"CT.CLOUDWATCH.PR.1", "CT.LAMBDA.PR.3"}


def checkov(template: Path) -> dict[str, object]:
    scan = subprocess.run(
        [str(CHECKOV), "-f", str(template), "--framework", "cloudformation", "--skip-download", "-o", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report: dict[str, object] = json.loads(scan.stdout)
    return report


def control_tower_results(template: Path) -> list[dict[str, Any]]:
    """cfn-guard's JSON results, one per rule file, as tests/scan/test_scanners.py reads them."""
    binary = CFN_GUARD_PACKAGE / "bin" / "ubuntu" / platform.machine() / "cfn-guard"
    assert binary.exists(), "run `make scan`, which installs cfn-guard and the Control Tower rules"
    rules = CFN_GUARD_PACKAGE / "rules" / "control-tower" / "cfn-guard"
    scan = subprocess.run(
        [str(binary), "validate", "--rules", str(rules), "--data", str(template), "--type", "CFNTemplate",
         "--output-format", "json", "--show-summary", "none"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    decoder, text, position, results = json.JSONDecoder(), scan.stdout, 0, []
    while match := re.compile(r"\S").search(text, position):
        result, position = decoder.raw_decode(text, match.start())
        results.append(result)
    assert len(results) == len(list(rules.rglob("*.guard")))  # every rule file was evaluated
    return results


def test_cfn_lint_finds_nothing_in_the_project_template_including_informational_rules() -> None:
    matches = lint(PROJECT.read_text(), config=ManualArgs(include_checks=["I"], regions=["us-east-1", "eu-west-1"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


def test_checkov_finds_no_failed_check_and_skips_only_the_resolvers_justified_checks() -> None:
    assert CHECKOV.exists(), "run `make scan`, which installs checkov"
    results = checkov(PROJECT)["results"]
    assert isinstance(results, dict)
    assert [c["check_id"] for c in results["failed_checks"]] == []
    skipped = {(c["resource"].split(".")[-1], c["check_id"]): c["check_result"]["suppress_comment"]
               for c in results["skipped_checks"]}  # fmt: skip
    assert skipped == {("PackageResolverFunction", check): why for check, why in RESOLVER_SKIPS.items()}


def test_control_tower_controls_pass_but_the_endpoint_templates_justified_exceptions() -> None:
    results = control_tower_results(PROJECT)
    failed = set(re.findall(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]", json.dumps([r for r in results if r["status"] == "FAIL"])))
    assert failed == CONTROL_TOWER_EXCEPTIONS


def test_the_project_launch_role_passes_checkov_and_every_control_tower_control() -> None:
    report = checkov(LAUNCH_ROLE)
    summary = report.get("summary", report)
    assert isinstance(summary, dict)
    assert (summary["failed"], summary["skipped"]) == (0, 0)
    assert [r for r in control_tower_results(LAUNCH_ROLE) if r["status"] == "FAIL"] == []
