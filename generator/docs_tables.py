"""The Markdown tables derived from the endpoint template's input declarations and Rules, which `render` writes
between markers in the README and the guides, so that no table is a hand copy.

A table sits between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`; the rest of the page is prose
and stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cfn.inputs import Input, InputGroup
from generator.endpoint.inputs import input_groups
from generator.endpoint.types import ENDPOINT_TYPES
from generator.inference_component.inputs import input_groups as component_input_groups
from generator.inference_endpoint.inputs import input_groups as shared_endpoint_input_groups

CODE_KEY_SHOWN = "package-resolver-<sha256>.zip"  # the default names the zip rendered with; the docs say how


@dataclass(frozen=True)
class Sources:
    """What the tables are made of: the declarations, in the console's order, and the rendered Rules."""

    groups: Sequence[InputGroup]
    rules: dict[str, Any]

    @property
    def inputs(self) -> list[Input]:
        return [entry for group in self.groups for entry in group.inputs]


def parameters_table(sources: Sources) -> str:
    """README: every parameter, in the console's order, with its default, what it accepts and its types."""
    rows = ["| Parameter | Default | Accepts | Endpoint types | Meaning |", "|---|---|---|---|---|"]
    for entry in sources.inputs:
        default = "required" if entry.default is None else (f"`{entry.default}`" if entry.default else "empty")
        kinds = ", ".join(entry.endpoint_types) if entry.endpoint_types else "all"
        accepts, meaning = _cell(entry.constraint.shown), _cell(entry.description)
        rows.append(f"| `{entry.name}` | {default} | {accepts} | {kinds} | {meaning} |")
    return "\n".join(rows)


def inputs_table(sources: Sources) -> str:
    """docs/inference-components.md: a template's parameters, in the console's order (no endpoint types there)."""
    rows = ["| Parameter | Default | Accepts | Meaning |", "|---|---|---|---|"]
    for entry in sources.inputs:
        default = "required" if entry.default is None else (f"`{entry.default}`" if entry.default else "empty")
        rows.append(f"| `{entry.name}` | {default} | {_cell(entry.constraint.shown)} | {_cell(entry.description)} |")
    return "\n".join(rows)


def types_table(sources: Sources) -> str:
    """docs/endpoint-types.md: what each type does with each input that belongs to some types only."""
    header = " | ".join(f"`{kind}`" for kind in ENDPOINT_TYPES)
    rows = [f"| Parameter | {header} |", "|---|" + "---|" * len(ENDPOINT_TYPES)]
    for entry in (entry for entry in sources.inputs if entry.endpoint_types):
        rows.append(f"| `{entry.name}` | " + " | ".join(_use(entry, kind) for kind in ENDPOINT_TYPES) + " |")
    return "\n".join(rows)


def _use(entry: Input, kind: str) -> str:
    if kind in entry.endpoint_types:
        return "used"
    if entry.off_value is None:
        return "ignored"
    return "refused unless empty" if entry.off_value == "" else f"refused unless {entry.off_value}"


def rules_table(sources: Sources) -> str:
    """docs/template.md: every Rule and the message CloudFormation (and the command) shows when it fails."""
    rows = ["| Rule | Message when it fails |", "|---|---|"]
    for name, rule in sources.rules.items():
        for index, assertion in enumerate(rule["Assertions"]):
            rows.append(f"| {f'`{name}`' if index == 0 else ''} | {_cell(assertion['AssertDescription'])} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


PAGES: dict[str, dict[str, Callable[[Sources], str]]] = {
    "README.md": {"parameters": parameters_table},
    "docs/endpoint-types.md": {"inputs-per-type": types_table},
    "docs/template.md": {"rules": rules_table},
}


def render_docs(root: Path, template: dict[str, Any]) -> dict[str, str]:
    """Path under the repository root -> the page with each of its generated tables rewritten. An installed
    package has no pages: nothing."""
    sources = Sources(input_groups(CODE_KEY_SHOWN), template["Rules"])
    pages = {}
    for page, tables in PAGES.items():
        if not (root / page).is_file():
            continue
        text = (root / page).read_text()
        for name, table in tables.items():
            text = replace_between_markers(text, name, table(sources), page)
        pages[page] = text
    return pages


COMPONENTS_PAGE = "docs/inference-components.md"


def render_component_docs(root: Path, shared: dict[str, Any], component: dict[str, Any]) -> dict[str, str]:
    """docs/inference-components.md with the inputs and Rules of the shared endpoint's and the component's
    templates; nothing in an installed package."""
    page = root / COMPONENTS_PAGE
    if not page.is_file():
        return {}
    text = page.read_text()
    for prefix, sources in (
        ("endpoint", Sources(shared_endpoint_input_groups(), shared.get("Rules", {}))),
        ("component", Sources(component_input_groups(CODE_KEY_SHOWN), component.get("Rules", {}))),
    ):
        text = replace_between_markers(text, f"{prefix}-inputs", inputs_table(sources), COMPONENTS_PAGE)
        text = replace_between_markers(text, f"{prefix}-rules", rules_table(sources), COMPONENTS_PAGE)
    return {COMPONENTS_PAGE: text}


def replace_between_markers(text: str, name: str, table: str, page: str) -> str:
    begin, end = f"<!-- generated: {name} -->", f"<!-- end generated: {name} -->"
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), flags=re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{page}: no `{begin}` ... `{end}` markers: add them where the {name} table belongs")
    return pattern.sub(lambda _: f"{begin}\n{table}\n{end}", text, count=1)
