"""The README and the guides in docs/ document what the template really has: every parameter, every Rule message,
every resource; the README stays a front page, and every link between them resolves. The tables `make render`
writes are kept byte-identical to a fresh render by tests/test_render.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.deploy import errors
from generator.docs_tables import replace_between_markers
from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text()
GUIDES = {path.name: path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))}
FRONT_PAGE_LINES = 300


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_parameters_table_lists_exactly_the_templates_parameters(template: dict[str, Any]) -> None:
    documented = re.findall(r"^\| `(\w+)` \|", section(README, "Parameters"), flags=re.MULTILINE)
    assert sorted(documented) == sorted(template["Parameters"])


def test_every_rule_and_its_message_is_quoted_as_users_see_it(template: dict[str, Any]) -> None:
    rules = section(GUIDES["template.md"], "Rules")
    for name, rule in template["Rules"].items():
        assert f"`{name}`" in rules
        for assertion in rule["Assertions"]:
            assert assertion["AssertDescription"] in rules


def test_the_resources_table_lists_every_resource(template: dict[str, Any]) -> None:
    resources = section(GUIDES["template.md"], "Resources")
    assert [name for name in template["Resources"] if f"`{name}`" not in resources] == []


def test_the_two_setup_commands_come_first() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.splitlines() if line.startswith("make")] == [
        ["make", "build"],
        ["make", "test"],
    ]


def test_the_readme_is_a_front_page_in_the_agreed_order() -> None:
    assert len(README.splitlines()) <= FRONT_PAGE_LINES
    headings = re.findall(r"^## (.+)$", README, flags=re.MULTILINE)
    assert headings == ["Set up", "Quick start", "Concepts", "The command", "Parameters", "Outputs", "Guides"]


def test_every_relative_link_resolves_to_a_file_and_its_heading() -> None:
    pages = {ROOT / "README.md": README, **{ROOT / "docs" / name: text for name, text in GUIDES.items()}}
    broken = []
    for page, text in pages.items():
        for target, anchor in re.findall(r"\]\(((?!https?:)[^)#]*)(?:#([^)]*))?\)", text):
            linked = (page.parent / target).resolve() if target else page
            if not linked.is_file():
                broken.append(f"{page.name}: {target}")
            elif anchor and anchor not in {_anchor(h) for h in re.findall(r"^#+ (.+)$", linked.read_text(), re.M)}:
                broken.append(f"{page.name}: {target}#{anchor}")
    assert broken == []


def test_every_guide_is_linked_from_the_readme() -> None:
    assert [name for name in GUIDES if f"(docs/{name})" not in README] == []


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_a_page_without_its_markers_is_named_with_the_markers_to_add() -> None:
    with pytest.raises(
        ValueError, match=r"README.md: no `<!-- generated: parameters -->` \.\.\. `<!-- end generated: "
    ):
        replace_between_markers("# A page\n", "parameters", "| table |", "README.md")


def test_only_the_text_between_the_markers_is_rewritten() -> None:
    page = "before\n<!-- generated: rules -->\nold\nrows\n<!-- end generated: rules -->\nafter\n"
    assert replace_between_markers(page, "rules", "| new |", "p.md") == (
        "before\n<!-- generated: rules -->\n| new |\n<!-- end generated: rules -->\nafter\n"
    )


def test_the_exit_codes_documented_are_the_codes_the_verbs_return() -> None:
    """One meaning per code, the same in every verb: the README and the command guide list exactly the codes
    generator.deploy.errors defines, in order (argparse's usage errors share 2, bad input)."""
    codes = sorted({value for name, value in vars(errors).items() if name.startswith("EXIT_")})
    for page in (section(README, "The command"), section(GUIDES["commands.md"], "Exit codes")):
        documented = [int(code) for code in re.findall(r"^\| (\d+) \|", page, flags=re.MULTILINE)]
        assert documented == codes
