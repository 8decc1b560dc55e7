"""The verbs that work offline: `render` and `package` build what is deployed, `registry-policies` prints the
statements a registry account merges. Each registers its own arguments and `run` (as generator.deploy.verbs does for
the verbs that call AWS); what they build is imported when they run, so that no other verb loads troposphere."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from generator.deploy.template_file import TEMPLATES as TEMPLATE_CHOICES
from generator.deploy.verbs.options import USAGE_ERROR, Commands

DEFAULT_DIST = Path("dist")
STDOUT = Path("-")


def register_render(commands: Commands) -> None:
    parser = commands.add_parser(
        "render",
        help="write the endpoint template, the deployer role and policy, the Service Catalog kit, modulestack.yaml",
    )
    parser.add_argument("--format", choices=["yaml", "json"], default="yaml", help="output format (default yaml)")
    destination = parser.add_mutually_exclusive_group()
    destination.add_argument(
        "--output", type=Path, help="write only the endpoint template, to this file (- for stdout)"
    )
    destination.add_argument(
        "--root",
        type=Path,
        default=Path(),
        help="write templates/ and modulestack.yaml under this directory (default .)",
    )
    parser.set_defaults(run=lambda args: _writing(f"--output {args.output}" if args.output else f"--root {args.root}",
                                                  lambda: _render(args.format, args.output, args.root)))  # fmt: skip


def register_package(commands: Commands) -> None:
    parser = commands.add_parser("package", help="write the resolver Lambda zip, named by its sha256")
    parser.add_argument("--output", type=Path, default=DEFAULT_DIST, help=f"directory (default {DEFAULT_DIST})")
    parser.set_defaults(run=lambda args: _writing(f"--output {args.output}", lambda: _package(args.output)))


def register_parameters(commands: Commands) -> None:
    parser = commands.add_parser(
        "parameters", help="list every input of the rendered template: default, constraint, endpoint types, description"
    )
    parser.add_argument("--template", choices=TEMPLATE_CHOICES, default=TEMPLATE_CHOICES[0],
                        help="the endpoint (default), or the registry kit")  # fmt: skip
    parser.set_defaults(run=lambda args: _parameters(args.template))


def _parameters(name: str) -> int:
    """Each parameter as the rendered template declares it (Parameters, and the SageMakerEndpoint::Inputs metadata
    for the endpoint types): what --param and --params-file take."""
    from generator.deploy.template_file import load_template  # noqa: PLC0415

    template = load_template(name=name)
    lines = []
    for parameter, spec in template.parameters.items():
        types = template.inputs[parameter].get("EndpointTypes") or ["all"]
        default = str(spec.get("Default", "")) or "empty"
        applies = f"; endpoint types: {', '.join(types)}" if name == TEMPLATE_CHOICES[0] else ""
        lines += [
            f"{parameter}  (default: {default}{applies})",
            f"  {constraint_of(spec)}",
            f"  {' '.join(str(spec.get('Description', '')).split())}",
        ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def constraint_of(spec: dict[str, Any]) -> str:
    """A parameter's constraint in words: its ConstraintDescription, else its allowed values or range."""
    if "ConstraintDescription" in spec:
        return str(spec["ConstraintDescription"])
    if "AllowedValues" in spec:
        return "one of " + " / ".join(str(value) for value in spec["AllowedValues"])
    if "MinValue" in spec or "MaxValue" in spec:
        return f"from {spec.get('MinValue', '-')} to {spec.get('MaxValue', '-')}"
    return f"any {spec.get('Type', 'String')}"


def register_registry_policies(commands: Commands) -> None:
    policies = commands.add_parser(
        "registry-policies",
        help="print the bucket, key and repository statements a registry account merges for its workload accounts",
    )
    policies.add_argument("--group", required=True, metavar="ARN", help="the shared model package group's ARN")
    policies.add_argument(
        "--workload-accounts", required=True, nargs="+", metavar="ACCOUNT", help="account IDs (spaces or commas)"
    )
    policies.add_argument("--bucket", metavar="ARN", help="the bucket holding the model artifacts")
    policies.add_argument("--kms-key", metavar="ARN", help="the KMS key encrypting the artifacts")
    policies.add_argument("--ecr-repo", metavar="ARN", help="the repository of the inference image")
    policies.set_defaults(run=_registry_policies)


def _writing(where: str, write: Any) -> int:
    """A file that cannot be written is bad input: exit 2 with one line naming the option."""
    try:
        code: int = write()
    except OSError as error:
        detail = f"{error.strerror}: {error.filename}" if error.strerror and error.filename else str(error)
        print(f"error: cannot write {where}: {detail}", file=sys.stderr)
        return USAGE_ERROR
    return code


def _render(output_format: str, output: Path | None, root: Path) -> int:
    """--output: the endpoint template alone; otherwise every file, under --root."""
    fmt: Any = output_format  # argparse checked the choice
    if output is not None:  # the endpoint template alone: nothing derived from it, so nothing else imported
        from generator.cfn.rendering import render  # noqa: PLC0415
        from generator.endpoint.template import build_template  # noqa: PLC0415

        files = {str(output): render(build_template(), fmt)}
    else:
        from generator.render import render_all  # noqa: PLC0415

        files = render_all(fmt)
    if output == STDOUT:  # as `aws cloudformation` and most tools read `-`: the template itself, on stdout
        sys.stdout.write(files[str(output)])
        return 0
    for name, text in files.items():
        path = root / name if output is None else Path(name)
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(path)
    return 0


def _package(output: Path) -> int:
    from generator.common.lambda_zip import build_resolver_package  # noqa: PLC0415

    package = build_resolver_package()
    path = package.write(output)
    print(f"{path} sha256={package.sha256}")
    return 0


def _registry_policies(args: argparse.Namespace) -> int:
    """Offline: the statements to merge into the registry's bucket, key and repository policies, as JSON."""
    from generator.registry.policies import input_problems, registry_policies  # noqa: PLC0415

    accounts = [a.strip() for given in args.workload_accounts for a in given.split(",") if a.strip()]
    resources = {"bucket_arn": args.bucket, "key_arn": args.kms_key, "repository_arn": args.ecr_repo}
    problems = input_problems(args.group, accounts, **resources)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the input.", file=sys.stderr)
        return USAGE_ERROR
    print(json.dumps(registry_policies(args.group, accounts, **resources), indent=2))
    return 0
