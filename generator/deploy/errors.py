"""The exit codes of every verb and the failures that end a verb with one of them."""

from __future__ import annotations

# One meaning each, in every verb (README, docs/commands.md): 0 done or nothing to change; 1 failed in AWS; 2 bad
# input, found before anything is created or deleted; 3 `promote` stopped by a gate; 4 `status`: unhealthy; 5 refused
# by a rule of the command (an Endpoint replacement without the flag, --resolve-latest on a stack without a group);
# 6 the person answered no; 7 no credentials or no Region; 130 interrupted (Ctrl-C, SIGTERM, a closed pipe).
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_GATE, EXIT_UNHEALTHY = 0, 1, 2, 3, 4
EXIT_REFUSED, EXIT_DECLINED, EXIT_NOT_CONFIGURED, EXIT_INTERRUPTED = 5, 6, 7, 130


class DeployFailed(Exception):
    """An AWS-side failure with a message a person can act on (exit code 1)."""


class Refused(Exception):
    """A plan or a request the command's own rules refuse, with what to do instead (exit code 5)."""


class Declined(Exception):
    """The person answered no to a question asked before anything changed (exit code 6)."""


class NotConfigured(Exception):
    """No credentials, or no Region, to call AWS with (exit code 7)."""


class Stopped(Exception):
    """The person stopped following an operation AWS carries on with, which was said (exit code 130)."""
