"""Command line: `render` writes the template, `package` writes the resolver zip.

Bad input (an unknown option or format, an unwritable path) ends with exit code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator.package import build_resolver_package
from generator.rendering import render
from generator.template import build_template

DEFAULT_TEMPLATE = Path("templates/sagemaker-endpoint.yaml")
DEFAULT_DIST = Path("dist")
USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "render":
            return _render(args.format, args.output)
        return _package(args.output)
    except OSError as error:
        detail = f"{error.strerror}: {error.filename}" if error.strerror and error.filename else str(error)
        print(f"error: cannot write --output {args.output or DEFAULT_TEMPLATE}: {detail}", file=sys.stderr)
        return USAGE_ERROR


def _render(output_format: str, output: Path | None) -> int:
    path = output or DEFAULT_TEMPLATE.with_suffix(f".{output_format}")
    text = render(build_template(), output_format)  # type: ignore[arg-type]  # argparse checked the choice
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(path)
    return 0


def _package(output: Path) -> int:
    package = build_resolver_package()
    path = package.write(output)
    print(f"{path} sha256={package.sha256}")
    return 0


class _OneLineErrors(argparse.ArgumentParser):
    """argparse, reporting bad arguments on one line (its default prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
        prog="sagemaker-endpoint-template",
        description="Render the SageMaker endpoint CloudFormation template, or package its resolver Lambda.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{render,package}")
    render_cmd = commands.add_parser("render", help="write the CloudFormation template")
    render_cmd.add_argument("--format", choices=["yaml", "json"], default="yaml", help="output format (default yaml)")
    render_cmd.add_argument(
        "--output", type=Path, help=f"file to write (default {DEFAULT_TEMPLATE}, .json with --format json)"
    )
    package_cmd = commands.add_parser("package", help="write the resolver Lambda zip, named by its sha256")
    package_cmd.add_argument("--output", type=Path, default=DEFAULT_DIST, help=f"directory (default {DEFAULT_DIST})")
    return parser
