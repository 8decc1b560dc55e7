"""What `pip install .` ships: every package of the source tree, and the rendered templates the deploy client sends."""

from __future__ import annotations

import tomllib

from tests.support.paths import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_of_the_tree_and_the_templates_are_shipped() -> None:
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("generator", "custom_resource")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert sorted(PYPROJECT["tool"]["setuptools"]["packages"]) == sorted({*in_tree, "generator.templates"})
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"generator.templates": "templates"}


def test_render_time_dependencies_are_declared() -> None:
    """render reads cfn-lint's registry schemas to derive the deployer policy: an undeclared cfn-lint broke it."""
    declared = {requirement.split("=")[0].split("[")[0] for requirement in PYPROJECT["project"]["dependencies"]}
    assert {"troposphere", "awacs", "cfn-lint", "crhelper", "PyYAML", "boto3", "rich"} <= declared
