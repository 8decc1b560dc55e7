"""Command line: `render` and `package` build the artifacts; `plan`, `deploy`, `outputs`, `destroy`, `follow` and
`status` run them in AWS through the deploy client (generator.deploy, one module per verb in its verbs/).

Imports are lazy, per subcommand: `--help` and the AWS subcommands never load troposphere, and `render`
never loads boto3. Bad arguments end with exit code 2 and one line per problem on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from generator.deploy.context import DeployContext
    from generator.deploy.fleet.request import FleetRequest
    from generator.deploy.request import DeployRequest
    from generator.deploy.seedfarmer_env import SeedFarmerModule

PROG = "sagemaker-endpoint"
DEFAULT_DIST = Path("dist")
USAGE_ERROR = 2
AWS_COMMANDS = ("plan", "deploy", "outputs", "destroy", "follow", "status", "promote", "fleet")
# generator.deploy.template_file.TEMPLATES
TEMPLATE_CHOICES = ("sagemaker-endpoint", "registry-access", "inference-endpoint", "inference-component")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in AWS_COMMANDS:
        return _run_aws(args)
    if args.command == "registry-policies":
        return _registry_policies(args)
    try:
        if args.command == "render":
            return _render(args.format, args.output, args.root)
        return _package(args.output)
    except OSError as error:
        detail = f"{error.strerror}: {error.filename}" if error.strerror and error.filename else str(error)
        where = f"--output {args.output}" if args.output else f"--root {getattr(args, 'root', '')}"
        print(f"error: cannot write {where}: {detail}", file=sys.stderr)
        return USAGE_ERROR


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
    import json  # noqa: PLC0415

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


def _run_aws(args: argparse.Namespace) -> int:
    """Input problems -> exit 2 before AWS is called; AWS failures -> exit 1 with the service's message."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from generator.deploy.console import Console  # noqa: PLC0415
    from generator.deploy.context import EXIT_BAD_INPUT, EXIT_FAILED, DeployFailed  # noqa: PLC0415
    from generator.deploy.inputs import InputError  # noqa: PLC0415

    console = Console()
    try:
        return _dispatch(args, _context(args, console))
    except InputError as error:
        for problem in error.problems:
            console.error(problem)
        console.line(f"{len(error.problems)} problem(s) in the input; nothing was sent to AWS.")
        return EXIT_BAD_INPUT
    except (DeployFailed, ClientError, BotoCoreError, RuntimeError) as error:
        console.error(str(error))
        return EXIT_FAILED


def _dispatch(args: argparse.Namespace, context: DeployContext) -> int:
    from generator.deploy.verbs import deploy, destroy, follow, outputs, plan, status  # noqa: PLC0415

    if args.command in ("promote", "fleet"):
        return (_promote if args.command == "promote" else _fleet)(args, context)
    if args.command in ("plan", "deploy"):
        request = _deploy_request(args, context)
        return plan.run(context, request) if args.command == "plan" else deploy.run(context, request)
    if args.command == "destroy":
        name = _seedfarmer_module(context).stack_name if args.from_seedfarmer_env else args.stack_name
        return destroy.run(context, name, args.role_arn)
    if args.command == "outputs":
        return outputs.run(context, args.stack_name)
    if args.command == "status":
        return status.run(context, args.stack_name)
    return follow.run(context, args.stack_name)


def _promote(args: argparse.Namespace, target: DeployContext) -> int:
    """The source stage may be in another account (--from-profile) and Region (--from-region)."""
    from datetime import timedelta  # noqa: PLC0415

    from generator.deploy.aws import Aws  # noqa: PLC0415
    from generator.deploy.inputs import InputError  # noqa: PLC0415
    from generator.deploy.request import role_arn_problems  # noqa: PLC0415
    from generator.deploy.verbs import promote  # noqa: PLC0415

    problems = role_arn_problems(args.role_arn)
    if args.bake_minutes < 0:
        problems.append(f"--bake-minutes {args.bake_minutes}: a number of minutes, 0 or more")
    same_place = (args.from_region or args.region, args.from_profile or args.profile) == (args.region, args.profile)
    if args.from_stack == args.to_stack and same_place:
        problems.append("--from-stack and --to-stack name the same stack: promote carries a package to another one")
    if problems:
        raise InputError(problems)
    source_aws = Aws(args.from_region or args.region, args.from_profile or args.profile)
    source = type(target)(source_aws, target.template, target.console, target.stdout)
    promotion = promote.Promotion(
        args.from_stack, args.to_stack, timedelta(minutes=args.bake_minutes), args.alarm, args.yes, args.role_arn
    )
    return promote.run(source, target, promotion)


def _fleet(args: argparse.Namespace, context: DeployContext) -> int:
    from generator.deploy.verbs import fleet  # noqa: PLC0415

    if args.fleet_command == "outputs":
        return fleet.outputs(context, args.stack_set_name, args.read_role_name, delegated_admin=args.delegated_admin)
    request = _fleet_request(args)
    return fleet.deploy(context, request) if args.fleet_command == "deploy" else fleet.destroy(context, request)


def _fleet_request(args: argparse.Namespace) -> FleetRequest:
    """The fleet's targets, options and values; malformed ones are every problem at once (exit 2)."""
    from generator.deploy.fleet.request import FleetRequest, parse_overrides  # noqa: PLC0415
    from generator.deploy.inputs import InputError, parse_assignments, read_params_file  # noqa: PLC0415

    def listed(option: list[str] | None) -> list[str]:
        return [item.strip() for given in option or [] for item in given.split(",") if item.strip()]

    given, problems = read_params_file(args.params_file) if getattr(args, "params_file", None) else ({}, [])
    from_args, bad = parse_assignments("--param", getattr(args, "param", []))
    overrides, bad_overrides = parse_overrides(getattr(args, "override", []))
    problems += bad + bad_overrides
    if problems:
        raise InputError(problems)
    return FleetRequest(
        stack_set_name=args.stack_set_name,
        regions=listed(getattr(args, "regions", None)),
        accounts=listed(getattr(args, "accounts", None)),
        organizational_units=listed(getattr(args, "organizational_units", None)),
        given=given | from_args,
        overrides=overrides,
        permission_model=getattr(args, "permission_model", None),
        administration_role_arn=getattr(args, "administration_role_arn", None),
        execution_role_name=getattr(args, "execution_role_name", None),
        delegated_admin=args.delegated_admin,
        max_concurrent_percent=args.max_concurrent_percent,
        failure_tolerance_percent=args.failure_tolerance_percent,
        region_order=getattr(args, "region_order", "sequential"),
        read_role_name=getattr(args, "read_role_name", None),
        yes=getattr(args, "yes", False),
    )


def _seedfarmer_module(context: DeployContext) -> SeedFarmerModule:
    from generator.deploy.seedfarmer_env import read_module  # noqa: PLC0415

    module = read_module(os.environ, context.template)
    for warning in module.warnings:
        context.console.warning(warning)
    return module


def _context(args: argparse.Namespace, console: Any) -> DeployContext:
    from generator.deploy.aws import Aws  # noqa: PLC0415
    from generator.deploy.context import DeployContext  # noqa: PLC0415
    from generator.deploy.template_file import load_template  # noqa: PLC0415

    template = load_template(name=getattr(args, "template", TEMPLATE_CHOICES[0]))
    return DeployContext(Aws(args.region, args.profile), template, console, sys.stdout)


def _deploy_request(args: argparse.Namespace, context: DeployContext) -> DeployRequest:
    from generator.deploy.inputs import InputError, parse_assignments, read_params_file  # noqa: PLC0415
    from generator.deploy.request import DeployRequest  # noqa: PLC0415

    given: dict[str, str] = {}
    problems: list[str] = []
    seedfarmer = _seedfarmer_module(context) if args.from_seedfarmer_env else None
    if seedfarmer:
        given |= seedfarmer.parameters
    if args.params_file:
        from_file, problems = read_params_file(args.params_file)
        given |= from_file
    from_args, bad = parse_assignments("--param", args.param)
    given |= from_args  # the command line wins over the file
    tags, bad_tags = parse_assignments("--tag", args.tag)
    problems += bad + bad_tags
    if problems:
        raise InputError(problems)
    return DeployRequest(
        stack_name=seedfarmer.stack_name if seedfarmer else args.stack_name,
        given=given,
        resolve_latest=args.resolve_latest,
        artifacts_bucket=args.artifacts_bucket,
        role_arn=args.role_arn,
        tags={**(seedfarmer.tags if seedfarmer else {}), **tags},
        allow_endpoint_replacement=getattr(args, "allow_endpoint_replacement", False),
        yes=getattr(args, "yes", False),
        role_path=seedfarmer.deployer_role_path if seedfarmer and not args.role_arn else None,
        permissions_boundary_name=seedfarmer.permissions_boundary_name if seedfarmer else None,
    )


class _OneLineErrors(argparse.ArgumentParser):
    """argparse, reporting bad arguments on one line (its default prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
        prog=PROG,
        description="Render, plan, deploy and destroy a SageMaker endpoint (real-time, serverless or asynchronous) "
        "with CloudFormation, one stack or a fleet.",
    )
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="{" + ",".join(("render", "package", *AWS_COMMANDS, "registry-policies")) + "}",
    )
    render_cmd = commands.add_parser(
        "render",
        help="write the endpoint template, the deployer role and policy, the Service Catalog kit, modulestack.yaml",
    )
    render_cmd.add_argument("--format", choices=["yaml", "json"], default="yaml", help="output format (default yaml)")
    destination = render_cmd.add_mutually_exclusive_group()
    destination.add_argument("--output", type=Path, help="write only the endpoint template, to this file")
    destination.add_argument(
        "--root",
        type=Path,
        default=Path(),
        help="write templates/ and modulestack.yaml under this directory (default .)",
    )
    package_cmd = commands.add_parser("package", help="write the resolver Lambda zip, named by its sha256")
    package_cmd.add_argument("--output", type=Path, default=DEFAULT_DIST, help=f"directory (default {DEFAULT_DIST})")
    _add_aws_commands(commands)
    _add_registry_policies(commands)
    return parser


def _add_plan_and_deploy(commands: Any, inputs: argparse.ArgumentParser) -> None:
    commands.add_parser("plan", parents=[inputs], help="show what a deploy would change (a change set, then deleted)")
    deploy_cmd = commands.add_parser(
        "deploy", parents=[inputs], help="plan, execute and follow; print the outputs as JSON"
    )
    deploy_cmd.add_argument(
        "--allow-endpoint-replacement", action="store_true", help="accept a plan that replaces the Endpoint"
    )
    deploy_cmd.add_argument(
        "--yes", action="store_true", help="on a terminal, execute a plan that replaces or removes without asking"
    )


def _add_promote(commands: Any, aws: argparse.ArgumentParser, template: argparse.ArgumentParser) -> None:
    promote = commands.add_parser(
        "promote",
        parents=[aws, template],
        help="deploy the package one stage serves to the next stage's stack, pinned, once it has baked without alarms",
    )
    promote.add_argument("--from-stack", required=True, help="the stage whose served package goes further")
    promote.add_argument("--to-stack", required=True, help="the next stage's stack (it exists: deploy it once first)")
    promote.add_argument("--from-region", help="the source stage's Region (default: --region)")
    promote.add_argument("--from-profile", help="the source stage's profile, for another account (default: --profile)")
    promote.add_argument(
        "--bake-minutes", type=int, default=0, metavar="N", help="refuse unless served at least N minutes (default 0)"
    )
    promote.add_argument(
        "--alarm", action="append", default=[], metavar="NAME", help="also refuse if this alarm fired (repeatable)"
    )
    promote.add_argument("--role-arn", metavar="ARN", help="service role CloudFormation uses for the target stack")
    promote.add_argument("--yes", action="store_true", help="on a terminal, execute the plan without asking")


def _add_fleet(commands: Any, aws: argparse.ArgumentParser) -> None:
    fleet = commands.add_parser("fleet", help="the endpoint as a StackSet across accounts and Regions")
    verbs = fleet.add_subparsers(dest="fleet_command", required=True, metavar="{deploy,outputs,destroy}")
    named, reading, rollout = _fleet_options(aws)
    _add_fleet_deploy(verbs, [named, reading, rollout])
    verbs.add_parser("outputs", parents=[named, reading], help="print every instance and its outputs as JSON")
    destroy = verbs.add_parser(
        "destroy", parents=[named, rollout], help="delete every instance, following it, then the StackSet"
    )
    destroy.add_argument("--yes", action="store_true", help="on a terminal, delete without asking")


def _fleet_options(aws: argparse.ArgumentParser) -> tuple[argparse.ArgumentParser, ...]:
    """The options fleet's verbs share: the stack set, reading other accounts, the rollout's pace."""
    named = _OneLineErrors(add_help=False, parents=[aws])
    named.add_argument("--stack-set-name", required=True, metavar="NAME", help="the StackSet, in --region (its home)")
    named.add_argument(
        "--delegated-admin", action="store_true", help="call as the Organization's delegated StackSets administrator"
    )
    reading = _OneLineErrors(add_help=False)
    reading.add_argument(
        "--read-role-name", metavar="NAME", help="role read in other accounts (default sagemaker-endpoint-fleet-reader)"
    )
    rollout = _OneLineErrors(add_help=False)
    rollout.add_argument(
        "--max-concurrent-percent",
        type=int,
        metavar="N",
        help="accounts at once per Region, in %% (default: 1 account)",
    )
    rollout.add_argument(
        "--failure-tolerance-percent",
        type=int,
        default=0,
        metavar="N",
        help="failures tolerated per Region, in %% (default 0)",
    )
    return named, reading, rollout


def _add_fleet_deploy(verbs: Any, parents: list[argparse.ArgumentParser]) -> None:
    deploy = verbs.add_parser(
        "deploy", parents=parents, help="create or update the StackSet and its instances; follow; print them as JSON"
    )
    deploy.add_argument("--accounts", action="append", metavar="A,B", help="target accounts (self-managed)")
    deploy.add_argument(
        "--organizational-units", action="append", metavar="OU,...", help="target OUs (service-managed)"
    )
    deploy.add_argument(
        "--regions", action="append", required=True, metavar="R1,R2", help="target Regions, in rollout order"
    )
    deploy.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a template parameter (repeatable)"
    )
    deploy.add_argument("--params-file", type=Path, metavar="FILE", help="JSON/YAML mapping of parameters")
    deploy.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="[ACCOUNT/]REGION:KEY=VALUE",
        help="a parameter for one Region, or one account there (repeatable)",
    )
    deploy.add_argument(
        "--permission-model",
        choices=["self-managed", "service-managed"],
        help="default: self-managed for --accounts, service-managed for OUs",
    )
    deploy.add_argument(
        "--administration-role-arn",
        metavar="ARN",
        help="self-managed: the admin role (default AWSCloudFormationStackSetAdministrationRole)",
    )
    deploy.add_argument(
        "--execution-role-name",
        metavar="NAME",
        help="self-managed: the targets' role (default AWSCloudFormationStackSetExecutionRole)",
    )
    deploy.add_argument(
        "--region-order",
        choices=["sequential", "parallel"],
        default="sequential",
        help="Regions one after another (default) or at once",
    )
    deploy.add_argument("--yes", action="store_true", help="on a terminal, apply the plan without asking")


def _add_registry_policies(commands: Any) -> None:
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


def _add_aws_commands(commands: Any) -> None:
    """The subcommands that call AWS, sharing their options through parent parsers."""
    aws = _OneLineErrors(add_help=False)
    aws.add_argument("--region", help="AWS Region (default: boto3's, e.g. AWS_REGION or the profile's)")
    aws.add_argument("--profile", help="named profile of the AWS config")
    template = _OneLineErrors(add_help=False)
    template.add_argument(
        "--template",
        choices=TEMPLATE_CHOICES,
        default=TEMPLATE_CHOICES[0],
        help="the endpoint (default), the registry kit for a central registry's account, or a shared endpoint "
        "(inference-endpoint) and one model on it (inference-component)",
    )
    stack = _OneLineErrors(add_help=False, parents=[aws, template])
    stack.add_argument("--stack-name", required=True, help="CloudFormation stack name")
    module = _OneLineErrors(add_help=False, parents=[aws])
    named = module.add_mutually_exclusive_group(required=True)
    named.add_argument("--stack-name", help="CloudFormation stack name")
    named.add_argument(
        "--from-seedfarmer-env",
        action="store_true",
        help="a seed-farmer module deployment: stack name, parameters and tags from SEEDFARMER_* variables",
    )
    inputs = _OneLineErrors(add_help=False, parents=[module, template])
    inputs.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a template parameter (repeatable)"
    )
    inputs.add_argument(
        "--params-file",
        type=Path,
        metavar="FILE",
        help='JSON/YAML mapping, or [{"ParameterKey": ..., "ParameterValue": ...}]',
    )
    inputs.add_argument(
        "--resolve-latest",
        action="store_true",
        help="set a fresh PackageResolutionToken: re-resolve the group's latest Approved package",
    )
    inputs.add_argument(
        "--artifacts-bucket",
        metavar="BUCKET",
        help="bucket for the resolver zip and large templates (default: one created for the account and Region)",
    )
    inputs.add_argument("--role-arn", metavar="ARN", help="service role CloudFormation uses for the stack")
    inputs.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="a stack tag (repeatable)")

    _add_plan_and_deploy(commands, inputs)
    commands.add_parser("outputs", parents=[stack], help="print the stack's outputs as JSON")
    destroy_cmd = commands.add_parser("destroy", parents=[module, template], help="delete the stack and follow it")
    destroy_cmd.add_argument("--role-arn", metavar="ARN", help="service role CloudFormation uses for the delete")
    commands.add_parser("follow", parents=[stack], help="follow a stack operation in progress")
    _add_promote(commands, aws, template)
    _add_fleet(commands, aws)
    commands.add_parser(
        "status",
        parents=[stack],
        help="how the endpoint is doing, as JSON (read only); exit 4 when not InService or an alarm is in ALARM",
    )
