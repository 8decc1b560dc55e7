"""Command line: `render` and `package` build the artifacts, `registry-policies` prints a registry's statements
(generator.build_verbs); `plan`, `deploy`, `outputs`, `destroy`, `follow`, `promote`, `status`, `fleet` and
`project` run them in AWS through the deploy client (one module per verb in generator.deploy.verbs, `project`'s in
generator.deploy.project.arguments).

Each verb registers its own arguments and sets its `run` as its parser's default, as rain's cmd/<verb> does: this
module only builds the root parser and calls `args.run(args)`. What a verb needs beyond that (troposphere for
`render`, boto3 and rich for the AWS verbs) is imported when it runs. Bad arguments end with exit code 2 and one
line per problem on stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from generator import build_verbs
from generator.deploy.project import arguments as project
from generator.deploy.verbs import deploy, destroy, fleet, follow, outputs, plan, promote, status
from generator.deploy.verbs.options import OneLineErrors, shared_options

PROG = "sagemaker-endpoint"
AWS_VERBS = (plan, deploy, outputs, destroy, follow, status, promote, fleet, project)  # in the order --help lists them


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


def parser() -> argparse.ArgumentParser:
    root = OneLineErrors(
        prog=PROG,
        description="Render, plan, deploy and destroy a SageMaker endpoint (real-time, serverless or asynchronous) "
        "with CloudFormation, one stack or a fleet.",
    )
    commands = root.add_subparsers(dest="command", required=True)
    build_verbs.register_render(commands)
    build_verbs.register_package(commands)
    options = shared_options()
    for verb in AWS_VERBS:
        verb.register(commands, options)
    build_verbs.register_parameters(commands)
    build_verbs.register_registry_policies(commands)
    commands.metavar = "{" + ",".join(commands.choices) + "}"
    return root
