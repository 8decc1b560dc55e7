"""boto3 as the user configured it (credential chain, AWS_ENDPOINT_URL, --region, --profile), created lazily: boto3
is imported with the first session, not with this module (the command line registers every verb at start).

The Region is --region, else AWS_REGION, else what boto3 finds (AWS_DEFAULT_REGION, the profile's). botocore reads
only AWS_DEFAULT_REGION (its session variable `region`), while AWS's SDKs read AWS_REGION ("The AWS_REGION environment
variable is checked. If it's set, that Region is used in the configuration of the client.", https://docs.amazonaws.cn/
sdk-for-kotlin/latest/developer-guide/region-selection.html), and CodeBuild and Lambda set it: both are honoured, in
the SDKs' order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from generator import __version__
from generator.deploy.errors import NotConfigured
from generator.deploy.steps import REGION_HINT, step

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config

URL_SUFFIX = {"aws-cn": "amazonaws.com.cn"}  # every other partition this template runs in uses amazonaws.com


@dataclass
class Aws:
    region: str | None = None
    profile: str | None = None
    clients: dict[str, Any] = field(default_factory=dict)  # made on first use; a test may pass its own

    @cached_property
    def session(self) -> boto3.Session:
        import boto3  # noqa: PLC0415

        return boto3.Session(region_name=self.region or os.environ.get("AWS_REGION"), profile_name=self.profile)

    @property
    def region_name(self) -> str:
        region = self.session.region_name
        if not region:
            raise NotConfigured(f"no AWS Region: {REGION_HINT}")
        return str(region)

    @property
    def region_given(self) -> str | None:
        """The Region as given (--region, AWS_REGION, AWS_DEFAULT_REGION), known without a session; None when only a
        profile names it."""
        return self.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(service, region_name=self.region_name, config=client_config())  # type: ignore[call-overload]
        return self.clients[service]

    @cached_property
    def identity(self) -> tuple[str, str]:
        """(account, partition) of the caller."""
        with step("reading the caller's identity (sts:GetCallerIdentity)"):
            arn = str(self.client("sts").get_caller_identity()["Arn"])
        _, partition, _, _, account, _ = arn.split(":", 5)
        return account, partition

    def in_region(self, region: str) -> Aws:
        """The same credentials, in another Region."""
        return Aws(region, self.profile)

    def assuming(self, role_arn: str, region: str, session_name: str) -> Aws:
        """Another account's role, assumed with these credentials, in `region`."""
        import boto3  # noqa: PLC0415

        credentials = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        # (no step here: the fleet's reader catches what fails and names the role in its report)
        other = Aws(region)
        other.__dict__["session"] = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region,
        )
        return other


@cache
def client_config() -> Config:
    from botocore.config import Config  # noqa: PLC0415

    return Config(retries={"mode": "standard", "max_attempts": 8}, user_agent_extra=f"sagemaker-endpoint/{__version__}")
