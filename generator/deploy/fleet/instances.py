"""Each instance of a fleet as one JSON object: where it is, how StackSets sees it, and its stack's seven outputs.

An instance's stack lives in its target account. The administrator account reads it directly when the instance is
its own; elsewhere it assumes the target's reader role (templates/stackset-execution-role.yaml creates one, allowed
to describe StackSet stacks and endpoints only). Where that fails, the outputs are null and StatusReason says why.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from generator.common.names import FLEET_READER_ROLE
from generator.deploy.aws import Aws
from generator.deploy.cloudformation import CloudFormation
from generator.deploy.console import Console
from generator.deploy.context import DeployContext, DeployFailed
from generator.deploy.serving import check_serving
from generator.deploy.template_file import EndpointTemplate

SESSION = "sagemaker-endpoint-fleet"


@dataclass
class InstanceReport:
    account: str
    region: str
    status: str
    reason: str
    detailed_status: str
    outputs: dict[str, str | None]

    @property
    def failed(self) -> bool:
        return self.status != "CURRENT" or self.detailed_status not in ("SUCCEEDED", "")

    def as_json(self) -> dict[str, Any]:
        return {
            "Account": self.account,
            "Region": self.region,
            "Status": self.status,
            "DetailedStatus": self.detailed_status,
            "StatusReason": self.reason,
            **self.outputs,
        }


@dataclass
class FleetReader:
    """Reads instances' stacks from the administrator account: its own directly, others' through a reader role."""

    aws: Aws
    console: Console
    template: EndpointTemplate
    read_role: str | None = None

    def report(self, summaries: list[dict[str, Any]]) -> list[InstanceReport]:
        """Every instance with its outputs; serving a config other than its stack's is a failure of that instance."""
        reports = []
        for summary in sorted(summaries, key=lambda s: (s["Account"], s["Region"])):
            report = InstanceReport(
                summary["Account"],
                summary["Region"],
                summary.get("Status", ""),
                summary.get("StatusReason") or "",
                (summary.get("StackInstanceStatus") or {}).get("DetailedStatus", ""),
                dict.fromkeys(self.template.output_keys),
            )
            if summary.get("StackId"):
                self._read_stack(report, summary["StackId"])
            reports.append(report)
        return reports

    def _read_stack(self, report: InstanceReport, stack_id: str) -> None:
        own_account, partition = self.aws.identity
        role = None
        if report.account != own_account:
            role = f"arn:{partition}:iam::{report.account}:role/{self.read_role or FLEET_READER_ROLE}"
        try:
            there = self.aws.assuming(role, report.region, SESSION) if role else self.aws.in_region(report.region)
            stack = CloudFormation(there.client("cloudformation")).describe(stack_id)
            if stack is None:
                return
            report.outputs |= {key: stack.outputs.get(key) for key in report.outputs}
            if report.status == "CURRENT":
                context = DeployContext(there, self.template, self.console, sys.stderr)
                check_serving(context, stack_id, clean=False)  # read only: the reader role deletes nothing
        except DeployFailed as served_otherwise:
            report.status, report.reason = "NOT_SERVING", str(served_otherwise)
        except (ClientError, BotoCoreError) as error:
            how = f"as {role}" if role else "in this account"
            report.reason = (report.reason + "; " if report.reason else "") + (
                f"outputs unreadable {how}: {error}. Deploy templates/stackset-execution-role.yaml in account "
                f"{report.account} (it creates the reader role), or name yours with --read-role-name"
            )
