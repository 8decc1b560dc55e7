"""The scanners platform teams run: checkov and AWS Control Tower's proactive controls (cfn-guard).

Both run on the committed template, offline. A checkov skip lives in the resource's Metadata with its reason;
a Control Tower control this template does not meet is listed below with its reason, and in the README.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.endpoint.deploy_on_approval import CHECKOV_SKIPS as UPDATER_SKIPS
from generator.endpoint.resolver import CHECKOV_SKIPS as RESOLVER_SKIPS
from generator.inference_component.component import MODEL_CHECKOV_SKIPS
from generator.registry.dead_letters import QUEUE_CHECKOV_SKIPS
from generator.registry.template import CHECKOV_SKIPS as SHARE_SKIPS
from tests.support.paths import ROOT

pytestmark = pytest.mark.tools
TEMPLATE = ROOT / "templates" / "sagemaker-endpoint.yaml"
DERIVED = [
    ROOT / "templates" / "deployer-role.yaml",
    ROOT / "templates" / "service-catalog.yaml",
    ROOT / "templates" / "stackset-administration-role.yaml",
    ROOT / "templates" / "stackset-execution-role.yaml",
    ROOT / "modulestack.yaml",
]
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".tools" / "checkov" / "bin" / "checkov"))
CFN_GUARD_PACKAGE = Path(
    os.environ.get(
        "CFN_GUARD_PACKAGE", ROOT / ".tools" / "cfn-guard" / "node_modules" / "@cdklabs" / "cdk-validator-cfnguard"
    )
)
CONTROL_TOWER_EXCEPTIONS = {
    "CT.CLOUDWATCH.PR.1": "Every alarm notifies AlarmTopicArn when it is given: its actions are an Fn::If on that "
    "parameter, which the rule reads as absent. Without the parameter the alarms notify nobody, as asked.",
    "CT.SQS.PR.1": "The approval queue has a dead-letter queue; that queue is the last stop: its messages wait 14 days "
    "for a person, with an alarm on its depth.",
    "CT.LAMBDA.PR.3": "The resolver calls only the SageMaker API; in the endpoint's private subnets it would need a "
    "NAT gateway or a SageMaker API VPC endpoint that the endpoint itself does not need.",
}


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    assert CHECKOV.exists(), "run `make scan`, which installs to install checkov"
    scan = run([str(CHECKOV), "-f", str(TEMPLATE), "--framework", "cloudformation", "--skip-download", "-o", "json"])
    report: dict[str, Any] = json.loads(scan.stdout)
    print(f"checkov: {report['summary']}")  # the figures the closing notes quote
    return report


# The checks checkov 3.3.30 applies to the endpoint template's resources, all passed: IAM (60-63, 107-111), KMS (7,
# 33), Lambda (45, 173, 363, CKV2_AWS_75), security group (23-25, 260), log group (66, 158), SQS (27), SageMaker (370).
PASSED_CHECKS = {
    "CKV2_AWS_75", "CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_158",
    "CKV_AWS_173", "CKV_AWS_23", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_27", "CKV_AWS_33", "CKV_AWS_363",
    "CKV_AWS_370", "CKV_AWS_45", "CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_66", "CKV_AWS_7",
}  # fmt: skip


def test_checkov_finds_no_failed_check_and_passes_exactly_the_expected_ones(checkov_report: dict[str, Any]) -> None:
    results = checkov_report["results"]
    assert [c["check_id"] for c in results["failed_checks"]] == []
    assert {c["check_id"] for c in results["passed_checks"]} == PASSED_CHECKS


def test_every_checkov_skip_is_one_of_ours_with_its_reason(checkov_report: dict[str, Any]) -> None:
    skipped = {
        (c["resource"].split(".")[-1], c["check_id"]): c["check_result"]["suppress_comment"]
        for c in checkov_report["results"]["skipped_checks"]
    }
    assert skipped == {
        **{("PackageResolverFunction", check): why for check, why in RESOLVER_SKIPS.items()},
        **{("ApprovalUpdaterFunction", check): why for check, why in UPDATER_SKIPS.items()},
    }


def control_tower_results(template: Path = TEMPLATE) -> list[dict[str, Any]]:
    binary = CFN_GUARD_PACKAGE / "bin" / "ubuntu" / platform.machine() / "cfn-guard"
    assert binary.exists(), "run `make scan`, which installs to install cfn-guard and the Control Tower rules"
    rules = CFN_GUARD_PACKAGE / "rules" / "control-tower" / "cfn-guard"
    scan = run(
        [str(binary), "validate", "--rules", str(rules), "--data", str(template), "--type", "CFNTemplate",
         "--output-format", "json", "--show-summary", "none"]
    )  # fmt: skip
    decoder, text, position, results = json.JSONDecoder(), scan.stdout, 0, []
    while match := re.compile(r"\S").search(text, position):
        result, position = decoder.raw_decode(text, match.start())
        results.append(result)
    return results


def control_tower_rule_files() -> list[Path]:
    return sorted((CFN_GUARD_PACKAGE / "rules" / "control-tower" / "cfn-guard").rglob("*.guard"))


def test_control_tower_proactive_controls_pass_but_the_justified_exceptions() -> None:
    results = control_tower_results()
    statuses = [result["status"] for result in results]
    failed = set(re.findall(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]", json.dumps([r for r in results if r["status"] == "FAIL"])))
    print(f"cfn-guard: {len(results)} rule files, {statuses.count('PASS')} passed, {statuses.count('FAIL')} failed, "
          f"{statuses.count('SKIP')} not applicable")  # fmt: skip
    assert len(results) == len(control_tower_rule_files())  # every rule file was evaluated
    assert failed == set(CONTROL_TOWER_EXCEPTIONS)


@pytest.mark.parametrize("template", DERIVED, ids=lambda path: path.name)
def test_the_derived_templates_pass_checkov_and_every_control_tower_control_without_exceptions(template: Path) -> None:
    scan = run([str(CHECKOV), "-f", str(template), "--framework", "cloudformation", "--skip-download", "-o", "json"])
    report = json.loads(scan.stdout)
    summary = report.get("summary", report)  # with no check applicable, checkov prints the summary alone
    print(f"checkov {template.name}: {summary}")
    assert (summary["failed"], summary["skipped"]) == (0, 0)
    results = control_tower_results(template)
    assert [r for r in results if r["status"] == "FAIL"] == []
    assert len(results) == len(control_tower_rule_files())


REGISTRY_KIT = ROOT / "templates" / "registry-access.yaml"
REGISTRY_KIT_EXCEPTIONS = {
    "CT.LAMBDA.PR.3": "The share calls only the SageMaker API of its own account; a VPC would need NAT or an "
    "endpoint for nothing gained.",
    "CT.SQS.PR.1": "UndeliveredApprovals is itself the forwarding rules' dead-letter queue, the last stop: its "
    "messages wait 14 days for a person, with alarms on its depth and age.",
    "CT.CLOUDWATCH.PR.1": "The kit's alarms notify AlarmTopicArn when it is given: their actions are an Fn::If on "
    "that parameter, which the rule reads as absent.",
}


def test_the_registry_kit_passes_checkov_but_its_functions_skips_and_control_tower_but_one_exception() -> None:
    scan = run(
        [str(CHECKOV), "-f", str(REGISTRY_KIT), "--framework", "cloudformation", "--skip-download", "-o", "json"]
    )
    results = json.loads(scan.stdout)["results"]
    print(f"checkov registry-access.yaml: {json.loads(scan.stdout)['summary']}")
    assert [c["check_id"] for c in results["failed_checks"]] == []
    skipped = {c["check_id"]: c["check_result"]["suppress_comment"] for c in results["skipped_checks"]}
    assert skipped == {**SHARE_SKIPS, **QUEUE_CHECKOV_SKIPS}
    outcomes = control_tower_results(REGISTRY_KIT)
    failed = set(
        re.findall(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]", json.dumps([r for r in outcomes if r["status"] == "FAIL"]))
    )
    assert failed == set(REGISTRY_KIT_EXCEPTIONS)


# The inference-component templates: the skips of the functions they share with the endpoint template, the Model's,
# and the endpoint template's Control Tower exceptions where they have the same resources.
COMPONENT_TEMPLATES = {
    "inference-endpoint.yaml": ({}, {"CT.CLOUDWATCH.PR.1"}),
    "inference-component.yaml": (
        {**{("PackageResolverFunction", check): why for check, why in RESOLVER_SKIPS.items()},
         **{("ApprovalUpdaterFunction", check): why for check, why in UPDATER_SKIPS.items()},
         **{("Model", check): why for check, why in MODEL_CHECKOV_SKIPS.items()}},
        set(CONTROL_TOWER_EXCEPTIONS),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", COMPONENT_TEMPLATES)
def test_the_inference_component_templates_pass_checkov_but_their_skips_and_control_tower_but_justified_ones(
    name: str,
) -> None:
    template = ROOT / "templates" / name
    skips, exceptions = COMPONENT_TEMPLATES[name]
    scan = run([str(CHECKOV), "-f", str(template), "--framework", "cloudformation", "--skip-download", "-o", "json"])
    report = json.loads(scan.stdout)
    print(f"checkov {name}: {report['summary']}")
    assert [c["check_id"] for c in report["results"]["failed_checks"]] == []
    skipped = {
        (c["resource"].split(".")[-1], c["check_id"]): c["check_result"]["suppress_comment"]
        for c in report["results"]["skipped_checks"]
    }
    assert skipped == skips
    outcomes = control_tower_results(template)
    assert len(outcomes) == len(control_tower_rule_files())
    failed = set(
        re.findall(r"\[(CT\.[A-Z0-9]+\.PR\.\d+)\]", json.dumps([r for r in outcomes if r["status"] == "FAIL"]))
    )
    assert failed == exceptions


def test_the_security_guide_lists_every_skip_and_exception_with_its_reason() -> None:
    readme = (ROOT / "docs" / "security.md").read_text()
    reasons = [*RESOLVER_SKIPS.items(), *UPDATER_SKIPS.items(), *CONTROL_TOWER_EXCEPTIONS.items(),
               *SHARE_SKIPS.items(), *QUEUE_CHECKOV_SKIPS.items(), *REGISTRY_KIT_EXCEPTIONS.items(),
               *MODEL_CHECKOV_SKIPS.items()]  # fmt: skip
    for check, reason in reasons:
        assert f"`{check}`" in readme
        assert reason in readme
