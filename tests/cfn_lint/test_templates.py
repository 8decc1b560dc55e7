"""cfn-lint, informational rules included, finds nothing in any template we ship. Each template is its own test, in a
folder of its own, so that the two test workers share the minute of CPU cfn-lint takes instead of one worker taking
it all at the end of the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from tests.support.paths import ROOT, TEMPLATES

# The SageMaker Projects template is linted in the scan lane (tests/scan/test_project_scan.py), outside `make test`'s
# time budget: it is the endpoint template again, with the project's inputs, and cfn-lint takes as long on it.
LINTED_IN_THE_SCAN = {"sagemaker-project.yaml"}
LINTED = sorted(
    [path for path in TEMPLATES.glob("*.yaml") if path.name not in LINTED_IN_THE_SCAN] + [ROOT / "modulestack.yaml"],
    key=lambda path: -path.stat().st_size,  # the longest first: the workers then finish together
)


@pytest.mark.parametrize("path", LINTED, ids=[path.name for path in LINTED])
def test_cfn_lint_finds_nothing_including_informational_rules(path: Path) -> None:
    matches = lint(path.read_text(), config=ManualArgs(include_checks=["I"], regions=["us-east-1", "eu-west-1"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []
