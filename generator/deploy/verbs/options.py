"""What the verbs that call AWS share on the command line: their options (as argparse parent parsers), the guard every
one of them runs in (exit codes for bad input and AWS failures), and the requests built from the arguments.

Each verb module registers its own parser with `register(commands, options)` and sets its `run` as the parser's
default (`parser.set_defaults(run=...)`), as rain's cmd/<verb> does; the command line only calls `args.run(args)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from generator.deploy import template_file
from generator.deploy.aws import Aws
from generator.deploy.console import Console
from generator.deploy.context import (
    EXIT_BAD_INPUT,
    EXIT_DECLINED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_CONFIGURED,
    EXIT_REFUSED,
    DeployContext,
    DeployFailed,
    NotConfigured,
    Refused,
    Stopped,
)
from generator.deploy.errors import Declined
from generator.deploy.inputs import InputError, parse_assignments, read_params_file
from generator.deploy.interrupts import interrupted, quiet_closed_pipes, signals_interrupt
from generator.deploy.request import DeployRequest
from generator.deploy.seedfarmer_env import SeedFarmerModule, read_module
from generator.deploy.steps import is_configuration_error, not_configured

USAGE_ERROR = 2
TEMPLATE_CHOICES = template_file.TEMPLATES
Commands = Any  # argparse's subparsers action, which typeshed keeps private
VerbRun = Callable[[argparse.Namespace, DeployContext], int]


class OneLineErrors(argparse.ArgumentParser):
    """argparse, reporting bad arguments on one line (its default prints the usage block first), and taking only
    whole option names: an abbreviation that matches today (`--domain` for `--domain-id`) would change meaning the
    day another option shares its prefix, in scripts nobody re-reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


@dataclass(frozen=True)
class Options:
    """The parent parsers verbs build on: `aws` (Region, profile), `template` (--template), `stack` (a stack by name,
    with --template), `module` (a stack by name or from seed-farmer's environment) and `inputs` (what plan and deploy
    take)."""

    aws: argparse.ArgumentParser
    template: argparse.ArgumentParser
    stack: argparse.ArgumentParser
    module: argparse.ArgumentParser
    inputs: argparse.ArgumentParser


def shared_options() -> Options:
    aws = OneLineErrors(add_help=False)
    aws.add_argument("--region", help="AWS Region (default: boto3's, e.g. AWS_REGION or the profile's)")
    aws.add_argument("--profile", help="named profile of the AWS config")
    aws.set_defaults(template=TEMPLATE_CHOICES[0])  # the verbs without --template send the endpoint's
    template = OneLineErrors(add_help=False)
    template.add_argument(
        "--template",
        choices=TEMPLATE_CHOICES,
        default=TEMPLATE_CHOICES[0],
        help="the endpoint (default), the registry kit for a central registry's account, or a shared endpoint "
        "(inference-endpoint) and one model on it (inference-component)",
    )
    stack = OneLineErrors(add_help=False, parents=[aws, template])
    stack.add_argument("--stack-name", required=True, help="CloudFormation stack name")
    module = OneLineErrors(add_help=False, parents=[aws])
    named = module.add_mutually_exclusive_group(required=True)
    named.add_argument("--stack-name", help="CloudFormation stack name")
    named.add_argument(
        "--from-seedfarmer-env",
        action="store_true",
        help="a seed-farmer module deployment: stack name, parameters and tags from SEEDFARMER_* variables",
    )
    return Options(aws, template, stack, module, _inputs(module, template))


def _inputs(module: argparse.ArgumentParser, template: argparse.ArgumentParser) -> argparse.ArgumentParser:
    inputs = OneLineErrors(add_help=False, parents=[module, template])
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
    return inputs


def aws_verb(run: VerbRun) -> Callable[[argparse.Namespace], int]:
    """`run` with a context in the Region and profile given, its failures told and turned into exit codes."""

    def guarded(args: argparse.Namespace) -> int:
        console = Console()
        context: DeployContext | None = None
        with signals_interrupt():
            try:
                context = context_of(args, console)
                return run(args, context)
            except (KeyboardInterrupt, BrokenPipeError) as stop:
                interrupted(console, context.cleanup if context else None, stop)
                return EXIT_INTERRUPTED
            except Stopped:
                return EXIT_INTERRUPTED  # the follower said what carries on
            except (
                InputError,
                Refused,
                Declined,
                NotConfigured,
                DeployFailed,
                ClientError,
                BotoCoreError,
                RuntimeError,
            ) as error:
                return failure(console, error)

    return guarded


def failure(console: Console, error: Exception) -> int:
    """Bad input 2 (every problem, found before AWS is called), a refusal by the command's rules 5, no credentials or
    Region 7, any other failure 1 (an AWS error that escaped every step is told as botocore words it)."""
    if is_configuration_error(error):
        error = not_configured(error)
    try:
        _tell(console, error)
    except BrokenPipeError:  # nobody reads stderr any more: the exit code says it
        quiet_closed_pipes()
    if isinstance(error, InputError):
        return EXIT_BAD_INPUT
    if isinstance(error, Refused):
        return EXIT_REFUSED
    if isinstance(error, Declined):
        return EXIT_DECLINED
    return EXIT_NOT_CONFIGURED if isinstance(error, NotConfigured) else EXIT_FAILED


def _tell(console: Console, error: Exception) -> None:
    if isinstance(error, InputError):
        for problem in error.problems:
            console.error(problem)
        console.line(f"{len(error.problems)} {error.summary}")
    else:
        console.error(f"refused: {error}" if isinstance(error, Refused) else str(error))


def context_of(args: argparse.Namespace, console: Console) -> DeployContext:
    return DeployContext(
        Aws(args.region, args.profile), template_file.load_template(name=args.template), console, sys.stdout
    )


def seedfarmer_module(context: DeployContext) -> SeedFarmerModule:
    module = read_module(os.environ, context.template)
    for warning in module.warnings:
        context.console.warning(warning)
    return module


def stack_name_of(args: argparse.Namespace, context: DeployContext) -> str:
    """--stack-name, or the seed-farmer module's stack (`module` parent)."""
    return seedfarmer_module(context).stack_name if args.from_seedfarmer_env else str(args.stack_name)


def deploy_request(
    args: argparse.Namespace, context: DeployContext, *, allow_endpoint_replacement: bool = False, yes: bool = False
) -> DeployRequest:
    """The `inputs` options as a request: seed-farmer's environment, then the file, then --param (the command line
    wins); malformed ones are every problem at once (exit 2)."""
    given: dict[str, str] = {}
    problems: list[str] = []
    seedfarmer = seedfarmer_module(context) if args.from_seedfarmer_env else None
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
        allow_endpoint_replacement=allow_endpoint_replacement,
        yes=yes,
        role_path=seedfarmer.deployer_role_path if seedfarmer and not args.role_arn else None,
        permissions_boundary_name=seedfarmer.permissions_boundary_name if seedfarmer else None,
    )
