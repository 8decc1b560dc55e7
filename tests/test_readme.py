"""The README documents what the template really has: every parameter, every Rule message, the figures' sources."""

from __future__ import annotations

import re
from typing import Any

from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_parameters_table_lists_exactly_the_templates_parameters(template: dict[str, Any]) -> None:
    table = section("Parameters").split("Rules, with", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE)
    assert sorted(documented) == sorted(template["Parameters"])


def test_every_rule_message_is_quoted_as_users_see_it(template: dict[str, Any]) -> None:
    for name, rule in template["Rules"].items():
        assert name in README
        for assertion in rule["Assertions"]:
            assert assertion["AssertDescription"] in README


def test_the_resources_table_lists_every_resource(template: dict[str, Any]) -> None:
    resources = section("Resources")
    assert [name for name in template["Resources"] if f"`{name}`" not in resources] == []


def test_the_two_setup_commands_come_first() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.splitlines() if line.startswith("make")] == [
        ["make", "build"],
        ["make", "test"],
    ]
