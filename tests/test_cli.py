"""The command line: what it writes, and one clear line with exit code 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cfn.rendering import render
from generator.cli import main, parser
from generator.common.lambda_zip import build_resolver_package
from generator.deploy.template_file import load_template
from generator.endpoint.template import build_template


def test_render_writes_the_yaml_template_and_prints_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "endpoint.yaml"
    assert main(["render", "--output", str(output)]) == 0
    assert output.read_text() == render(build_template())
    assert capsys.readouterr().out == f"{output}\n"


def test_render_output_dash_writes_the_template_to_stdout_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-` is stdout, the command-line convention (a pipe into another tool); a file named `-` was written before."""
    monkeypatch.chdir(tmp_path)
    assert main(["render", "--output", "-"]) == 0
    assert capsys.readouterr().out == render(build_template())
    assert list(tmp_path.iterdir()) == []


def test_parameters_lists_every_input_of_the_rendered_template_with_default_constraint_types_and_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Read from the rendered template's Parameters and its SageMakerEndpoint::Inputs metadata: three lines per
    input, the same names as the template, none invented."""
    template = load_template()
    assert main(["parameters"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  (")[0] for line in lines[::3]] == list(template.parameters)
    at = lines.index("SubnetIds  (default: empty; endpoint types: RealTime, Async)")
    assert lines[at + 1] == "  " + template.parameters["SubnetIds"]["ConstraintDescription"]
    assert lines[at + 2] == "  " + " ".join(template.parameters["SubnetIds"]["Description"].split())
    assert "EndpointType  (default: RealTime; endpoint types: all)" in lines


def test_parameters_of_the_registry_kit_name_no_endpoint_types(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parameters", "--template", "registry-access"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  (")[0] for line in lines[::3]] == list(load_template(name="registry-access").parameters)
    assert "endpoint types" not in " ".join(lines[::3])


def test_render_json_writes_the_same_template_as_json(tmp_path: Path) -> None:
    output = tmp_path / "endpoint.json"
    assert main(["render", "--format", "json", "--output", str(output)]) == 0
    assert json.loads(output.read_text()) == build_template().to_dict()


def test_package_writes_the_zip_named_by_its_hash_and_prints_path_and_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = build_resolver_package()
    assert main(["package", "--output", str(tmp_path)]) == 0
    assert (tmp_path / package.file_name).read_bytes() == package.content
    assert capsys.readouterr().out == f"{tmp_path / package.file_name} sha256={package.sha256}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["render", "--colour"], "unrecognized arguments: --colour"),
        (["launch"], "invalid choice: 'launch'"),
        (["deploy"], "deploy: error: one of the arguments --stack-name --from-seedfarmer-env is required"),
        (["destroy", "--stack-name", "s", "--from-seedfarmer-env"], "not allowed with argument --stack-name"),
        (["deploy", "--stack-name", "s", "--param"], "argument --param: expected one argument"),
        (["destroy", "--stack-name", "s", "--param", "A=b"], "unrecognized arguments: --param A=b"),
        (["status", "--stack", "s"], "the following arguments are required: --stack-name"),  # whole names only
        (["project", "list", "--domain", "d-a1"], "the following arguments are required: --domain-id"),
    ],
)
def test_given_bad_arguments_then_exit_2_with_the_reason_and_no_traceback(args: list[str], message: str) -> None:
    run = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    (line,) = run.stderr.splitlines()
    assert message in line
    assert line.endswith("(see --help)")


def test_given_an_unwritable_output_then_exit_2_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "render", "--output", str(blocker / "t.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines() == [f"error: cannot write --output {blocker / 't.yaml'}: File exists: {blocker}"]


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--help"], ["boto3", "troposphere", "awacs", "rich", "yaml"]),
        (["deploy", "--stack-name", "s", "--param", "Typo=1"], ["troposphere", "awacs", "cfnlint"]),
        (["destroy", "--stack-name", "s", "--role-arn", "not-an-arn"], ["troposphere", "awacs"]),
    ],
)
def test_each_command_imports_only_what_it_needs(args: list[str], absent: list[str]) -> None:
    """troposphere is for `render`; the deploy path starts faster without it, and --help without boto3."""
    probe = (
        "import sys\nfrom generator.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {absent!r} if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["render"],
        ["package"],
        ["registry-policies", "--group", "g", "--workload-accounts", "1"],
        ["plan", "--stack-name", "s"],
        ["deploy", "--stack-name", "s"],
        ["outputs", "--stack-name", "s"],
        ["destroy", "--stack-name", "s"],
        ["follow", "--stack-name", "s"],
        ["status", "--stack-name", "s"],
        ["promote", "--from-stack", "a", "--to-stack", "b"],
        ["fleet", "deploy", "--stack-set-name", "f", "--regions", "eu-west-1"],
        ["fleet", "outputs", "--stack-set-name", "f"],
        ["fleet", "destroy", "--stack-set-name", "f"],
    ],
)
def test_each_verb_registers_its_own_run(args: list[str]) -> None:
    """The root parser only dispatches: every verb, fleet's included, sets the `run` its arguments go to, and every
    AWS verb knows which template it sends (its own --template, or the endpoint's)."""
    parsed = parser().parse_args(args)
    assert callable(parsed.run)
    if "region" in vars(parsed):
        assert parsed.template == "sagemaker-endpoint"
