"""What every verb works with, its exit codes, and the failure it reports as exit code 1."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TextIO

from generator.deploy.aws import Aws
from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console
from generator.deploy.template_file import EndpointTemplate

# 0 done, 1 failed in AWS, 2 bad input (found before any AWS call that changes anything), 3 `promote` refused by
# a gate, 4 `status`: unhealthy, 130 stopped with Ctrl-C.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_REFUSED, EXIT_UNHEALTHY, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class DeployFailed(Exception):
    """An AWS-side failure with a message a person can act on (exit code 1)."""


@dataclass
class DeployContext:
    """The account and Region to work in, the template to send, and where people's text and results go."""

    aws: Aws
    template: EndpointTemplate
    console: Console
    stdout: TextIO

    @cached_property
    def cloudformation(self) -> CloudFormation:
        return CloudFormation(self.aws.client("cloudformation"))
