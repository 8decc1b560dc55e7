"""`project`'s command line: its verbs and their options. argparse only, so that building the parser (for `--help`,
for `render`) loads nothing of boto3; generator.deploy.verbs.project runs them."""

from __future__ import annotations

import argparse
from typing import Any

PROJECT_TEMPLATE = "sagemaker-project"  # the shipped template `project` publishes (templates/sagemaker-project.yaml)


def add_arguments(commands: Any, aws: argparse.ArgumentParser) -> None:
    """`project` and its verbs, under the AWS options; they send the project template."""
    project = commands.add_parser(
        "project",
        help="the SageMaker Projects template in Studio, from S3 (no Service Catalog)",
    )
    project.set_defaults(template=PROJECT_TEMPLATE)
    verbs = project.add_subparsers(dest="project_command", required=True, metavar="{publish,unpublish,list}")
    located = argparse.ArgumentParser(add_help=False, parents=[aws])
    located.add_argument("--bucket", required=True, help="the templates bucket (yours; it may hold other templates)")
    located.add_argument("--prefix", help="the location's key prefix (default sagemaker-projects-templates)")
    located.add_argument("--domain-id", required=True, help="the SageMaker domain whose Studio lists the template")
    located.add_argument("--yes", action="store_true", help="on a terminal, apply the plan without asking")
    verbs.add_parser("publish", parents=[located], help="upload, tag, CORS and tag the domain; print the role policy")
    verbs.add_parser("unpublish", parents=[located], help="remove what publish added and no other template needs")
    listed = verbs.add_parser("list", parents=[aws], help="the domain's S3 location and its templates, as JSON")
    listed.add_argument("--domain-id", required=True, help="the SageMaker domain")
