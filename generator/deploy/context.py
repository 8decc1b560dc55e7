"""What every verb works with (and, from generator.deploy.errors, its exit codes and the failures it reports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TextIO

from generator.deploy.aws import Aws
from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console
from generator.deploy.errors import (
    EXIT_BAD_INPUT,
    EXIT_DECLINED,
    EXIT_FAILED,
    EXIT_GATE,
    EXIT_INTERRUPTED,
    EXIT_NOT_CONFIGURED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNHEALTHY,
    DeployFailed,
    NotConfigured,
    Refused,
    Stopped,
)
from generator.deploy.interrupts import Cleanup
from generator.deploy.template_file import EndpointTemplate

__all__ = [  # the exit codes and failures are the verbs' to import from here
    "EXIT_BAD_INPUT", "EXIT_DECLINED", "EXIT_FAILED", "EXIT_GATE", "EXIT_INTERRUPTED", "EXIT_NOT_CONFIGURED", "EXIT_OK",
    "EXIT_REFUSED", "EXIT_UNHEALTHY", "DeployContext", "DeployFailed", "NotConfigured", "Refused", "Stopped",
]  # fmt: skip


@dataclass
class DeployContext:
    """The account and Region to work in, the template to send, and where people's text and results go."""

    aws: Aws
    template: EndpointTemplate
    console: Console
    stdout: TextIO
    cleanup: Cleanup = field(default_factory=Cleanup)  # what an interruption must not leave behind

    @cached_property
    def cloudformation(self) -> CloudFormation:
        return CloudFormation(self.aws.client("cloudformation"), self.cleanup)
