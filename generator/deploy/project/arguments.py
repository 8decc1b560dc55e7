"""`project`'s command line: its verbs and their options. argparse only, so that building the parser (for `--help`,
for `render`) loads nothing of boto3; generator.deploy.verbs.project runs them."""

from __future__ import annotations

import argparse

from generator.deploy.context import DeployContext
from generator.deploy.verbs.options import Commands, Options, aws_verb

PROJECT_TEMPLATE = "sagemaker-project"  # the shipped template `project` publishes (templates/sagemaker-project.yaml)


def register(commands: Commands, options: Options) -> None:
    """`project` and its verbs, under the AWS options; they send the project template."""
    aws = options.aws
    project = commands.add_parser(
        "project",
        help="the SageMaker Projects template in Studio, from S3 (no Service Catalog)",
    )
    project.set_defaults(run=aws_verb(_run))
    verbs = project.add_subparsers(dest="project_command", required=True, metavar="{publish,unpublish,list}")
    located = argparse.ArgumentParser(add_help=False, parents=[aws])
    located.add_argument("--bucket", required=True, help="the templates bucket (yours; it may hold other templates)")
    located.add_argument("--prefix", help="the location's key prefix (default sagemaker-projects-templates)")
    located.add_argument("--domain-id", required=True, help="the SageMaker domain whose Studio lists the template")
    located.add_argument("--yes", action="store_true", help="on a terminal, apply the plan without asking")
    published = verbs.add_parser(
        "publish", parents=[located], help="upload, tag, CORS and tag the domain; print the role policy"
    )
    unpublished = verbs.add_parser(
        "unpublish", parents=[located], help="remove what publish added and no other template needs"
    )
    listed = verbs.add_parser("list", parents=[aws], help="the domain's S3 location and its templates, as JSON")
    listed.add_argument("--domain-id", required=True, help="the SageMaker domain")
    for verb in (
        published,
        unpublished,
        listed,
    ):  # a subparser's defaults win: the AWS options' would send the endpoint's
        verb.set_defaults(template=PROJECT_TEMPLATE)


def _run(args: argparse.Namespace, context: DeployContext) -> int:
    """The verbs need boto3: generator.deploy.verbs.project is imported only when one runs."""
    from generator.deploy.verbs import project  # noqa: PLC0415

    code: int = project.run(args, context)
    return code
