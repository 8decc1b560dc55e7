"""How the lane names and tags what it creates, so that the sweeper finds all of it, even after a crash.

Every name starts with PREFIX and the run's id; everything that takes tags carries TAG_KEY=<run id> (stacks pass it
on to what they create). Names stay inside AWS's tightest pattern among them, SageMaker's EntityName
`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` (endpoints, model package groups).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

TAG_KEY = "sagemaker-endpoint:acceptance"
PREFIX = "sme-acceptance-"
DEPLOYER = "deployer"  # the purpose of the deployer role's stack: deleted after the stacks that use its role
ENTITY_NAME_MAX = 63


def new_run_id(now: datetime | None = None, entropy: str | None = None) -> str:
    """`r` + UTC minute + 4 hex digits: sortable, unique enough for one account, lower case for bucket names."""
    moment = now or datetime.now(UTC)
    return f"r{moment:%y%m%d%H%M}{entropy if entropy is not None else secrets.token_hex(2)}"


@dataclass(frozen=True)
class RunNames:
    run_id: str
    account: str

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.run_id}-"

    def name(self, purpose: str) -> str:
        """A stack's, endpoint's or model package group's name."""
        name = f"{self.prefix}{purpose}"
        if len(name) > ENTITY_NAME_MAX:
            raise ValueError(f"{name}: longer than {ENTITY_NAME_MAX} characters")
        return name

    @property
    def project(self) -> str:
        """The SageMaker project's name: `<prefix>p`, 32 characters, CreateProject's longest (ProjectEntityName
        `'max': 32`)."""
        return f"{self.prefix}p"

    @property
    def bucket(self) -> str:
        """Bucket names are global: the account makes it ours alone."""
        return self.name(self.account)

    @property
    def tags(self) -> list[dict[str, str]]:
        return [{"Key": TAG_KEY, "Value": self.run_id}]

    @property
    def cli_tag(self) -> str:
        """`sagemaker-endpoint deploy --tag`: CloudFormation passes stack tags on to the resources it creates."""
        return f"{TAG_KEY}={self.run_id}"
