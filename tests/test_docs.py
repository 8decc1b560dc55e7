"""The README and the guides in docs/ document what the template really has: every parameter, every Rule message,
every resource; the README stays a front page, and every link between them resolves. The tables `make render`
writes are kept byte-identical to a fresh render by tests/test_render.py."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
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


def statement_ids(node: Any) -> set[str]:
    """Every Sid of the IAM statements (role policies, trust, key and queue policies) under a node."""
    if isinstance(node, dict):
        own = {node["Sid"]} if isinstance(node.get("Sid"), str) and "Effect" in node else set()
        return own.union(*(statement_ids(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(statement_ids(value) for value in node))
    return set()


def test_every_statement_the_endpoint_template_grants_is_in_the_security_tables(template: dict[str, Any]) -> None:
    """A reviewer reads docs/security.md, not the template: a statement added without its row would be unreviewed."""
    iam = section(GUIDES["security.md"], "IAM")
    assert sorted(sid for sid in statement_ids(template["Resources"]) if f"`{sid}`" not in iam) == []


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
        prose = re.sub(r"`[^`\n]*`", "", text)  # a code span (a pattern such as `[a-z](-*[a-z])`) links nowhere
        for target, anchor in re.findall(r"\]\(((?!https?:)[^)#]*)(?:#([^)]*))?\)", prose):
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


CONSTRAINTS_HEADER = "| Where | Constraint | Source | Ours | Test |"
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def constraint_rows(page: str) -> list[list[str]]:
    """The rows of every table of docs/aws-constraints.md with the page's five columns, each split into its cells
    (an escaped `\\|` stays inside its cell)."""
    rows, in_table = [], False
    for line in page.splitlines():
        if line.strip() == CONSTRAINTS_HEADER:
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not line.startswith("|---"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1])])
    return rows


@cache
def functions_of(path: Path) -> frozenset[str]:
    nodes = ast.walk(ast.parse(path.read_text()))
    return frozenset(n.name for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def reference_problems(cell: str) -> list[str]:
    """What is wrong with a Test cell: nothing named, a file or function that does not exist, text that is not a
    reference. `::name` after a reference names a function of the same file."""
    if not TEST_REFERENCE.search(cell):
        return ["names no test"]
    problems, last = [], None
    leftover = TEST_REFERENCE.sub("", cell).replace(",", "").strip()
    if leftover:
        problems.append(f"not a `tests/...py::name` reference: {leftover!r}")
    for match in TEST_REFERENCE.finditer(cell):
        file = match.group(1) or last
        last = file
        if file is None:
            problems.append(f"::{match.group(2)} follows no file")
        elif not (ROOT / file).is_file():
            problems.append(f"{file}: no such file")
        elif match.group(2) not in functions_of(ROOT / file):
            problems.append(f"{file}: no test {match.group(2)}")
    return problems


def test_every_constraint_row_names_its_source_and_tests_that_exist() -> None:
    """Every row of docs/aws-constraints.md (issue 24) cites AWS and names the tests that hold it. A renamed or
    deleted test, a misspelt name or a row added without a test fails here, naming the row."""
    rows = constraint_rows(GUIDES["aws-constraints.md"])
    assert len(rows) > 100
    problems = [f"{row[0]}: five cells expected" for row in rows if len(row) != 5]
    for where, _, source, _, tests in (row for row in rows if len(row) == 5):
        if not source:
            problems.append(f"{where}: no source")
        problems += [f"{where}: {problem}" for problem in reference_problems(tests)]
    assert problems == []


@pytest.mark.parametrize(
    ("guide", "said"),
    [
        # UpdateStack: "CloudFormation always uses this role for all future operations on the stack."
        ("deploy-on-approval.md", "**The deployment role becomes the stack's role.**"),
        # StartMessageMoveTask: "If this field is left blank, the messages will be redriven back to their respective
        # original source queues." The updater sends some dead letters itself: they have none.
        ("deploy-on-approval.md", "--destination-arn <ApprovalQueue ARN>"),
        # SageMaker guide, cross-account deployment: "You must use a KMS key to encrypt the output data config action
        # during training for cross-account model deployment."
        ("cross-account.md", "must be encrypted with a customer managed KMS key"),
        # SageMaker guide, endpoint-scaling-update: "automatic scaling is blocked while the update operation is in
        # progress"; silent on a variant at 0 instances.
        ("template.md", "an Async endpoint scaled to zero stays at zero until the update ends"),
        # EC2 SecurityGroup schema: "createOnlyProperties": [..., "/properties/VpcId"]; silent on when SageMaker
        # releases the interfaces.
        ("template.md", "wait a few minutes and run `destroy` again"),
        # Lambda Code.S3Bucket: silent on whose access reads it; the deployer reads ArtifactsBucketName only.
        ("deployer-role.md", "must name that same bucket in `ResolverCodeS3Bucket`"),
        # RegisterScalableTarget: "note that service quotas might impose lower limits".
        ("operations.md", "describe-scaling-activities --service-namespace sagemaker"),
        # IAM Principal element: "if you delete the role, then you break the relationship".
        ("promotion-and-fleets.md", "Deploy the administration role first, and keep it"),
    ],
    ids=["the deployment role becomes the stack's", "dead letters are redriven to a named queue",
         "registry artifacts need a customer managed key", "autoscaling waits for an update",
         "a new VpcId replaces the security group", "the resolver code bucket is the deployer's",
         "scaling past the account's quotas", "the administration role comes first"],
)  # fmt: skip
def test_what_aws_leaves_to_people_is_said_in_the_guides(guide: str, said: str) -> None:
    """What AWS documents and the template cannot enforce is told where a person reads it (rows of
    docs/aws-constraints.md whose Ours is the guide)."""
    assert said in " ".join(GUIDES[guide].split())
