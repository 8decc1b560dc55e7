"""The committed templates are exactly a fresh render, and the endpoint template fits `aws cloudformation deploy`
(tests/cfn_lint lints them)."""

from __future__ import annotations

import json
import re

import cfn_flip

from generator.cfn.rendering import render, render_minified_json
from generator.endpoint.template import build_template
from generator.render import render_all
from tests.support.paths import ROOT, TEMPLATES

COMMITTED = TEMPLATES / "sagemaker-endpoint.yaml"
INLINE_TEMPLATE_LIMIT = 51_200  # bytes, for --template-body and `deploy` without --s3-bucket
S3_TEMPLATE_LIMIT = 1_000_000  # bytes, for a TemplateURL


def test_the_committed_template_is_byte_identical_to_a_fresh_render() -> None:
    assert COMMITTED.read_text() == render(build_template()), "run `make render` and commit the result"


def test_every_committed_template_is_byte_identical_to_a_fresh_render() -> None:
    rendered = render_all()
    root = COMMITTED.parent.parent
    assert sorted(name for name in rendered if name.startswith("templates/")) == sorted(
        f"templates/{path.name}" for path in COMMITTED.parent.iterdir()
    )
    for name, text in rendered.items():
        assert (root / name).read_text() == text, f"{name}: run `make render` and commit the result"


def test_json_and_yaml_renders_describe_the_same_template() -> None:
    template = build_template()
    as_json = json.loads(render(template, "json"))
    assert as_json == json.loads(render_minified_json(template)) == template.to_dict()
    assert json.loads(cfn_flip.to_json(render(template))) == as_json


def test_past_the_inline_limit_every_readme_deploy_of_the_template_goes_through_s3() -> None:
    """CloudFormation takes 51,200 bytes inline, 1 MB from S3: the documented deploys must say how they send it."""
    size = len(render(build_template()).encode())
    assert size < S3_TEMPLATE_LIMIT
    readme = "\n".join(path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    deploys = [
        block for block in re.findall(r"aws cloudformation deploy(?:[^\n]*\\\n)*[^\n]*", readme)
        if "sagemaker-endpoint.yaml" in block
    ]  # fmt: skip
    assert deploys
    if size > INLINE_TEMPLATE_LIMIT:
        assert [block for block in deploys if "--s3-bucket" not in block] == []
