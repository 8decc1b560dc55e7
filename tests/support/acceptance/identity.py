"""Whose credentials these are: STS GetCallerIdentity, the one call that needs no permission, made before anything
else. The lane refuses any account but the one the maintainer named.

"No permissions are required to perform this operation." (STS API Reference, GetCallerIdentity)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tests.support.acceptance.settings import ACCOUNT

# The unit tests' root conftest sets these when nothing else is: seen here, the lane was run by plain pytest.
UNIT_TEST_KEY = "testing"


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    partition: str


def caller_identity(sts: Any, expected_account: str) -> tuple[Caller | None, list[str]]:
    """(caller, []) when the credentials are the named account's; otherwise (None, what is wrong and the fix)."""
    try:
        answer = sts.get_caller_identity()
    except ClientError as error:
        code, message = error.response["Error"].get("Code", ""), error.response["Error"].get("Message", "")
        return None, [f"the AWS credentials were refused ({code}: {message}): renew them, or set AWS_PROFILE"]
    except BotoCoreError as error:  # NoCredentialsError, a profile that does not exist, no endpoint ...
        return None, [f"no usable AWS credentials ({error}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and its secret"]
    arn = str(answer["Arn"])
    caller = Caller(str(answer["Account"]), arn, arn.split(":", 2)[1])
    if caller.account != expected_account:
        return None, [
            f"refused: the credentials are for account {caller.account} ({arn}), not {ACCOUNT} {expected_account}: "
            "use credentials of the account you named, or name this one"
        ]
    return caller, []


def credential_problems(session: Any) -> list[str]:
    """Before STS: a Region to work in, credentials to send, and not the unit tests' stand-ins."""
    problems = []
    if not session.region_name:
        problems.append("no AWS Region: set AWS_DEFAULT_REGION or AWS_REGION (or a profile with a region)")
    credentials = session.get_credentials()
    if credentials is None:
        problems.append("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    elif credentials.access_key == UNIT_TEST_KEY:
        problems.append(
            "the credentials are the unit tests' stand-ins (AWS_ACCESS_KEY_ID=testing): run the lane with "
            "`make acceptance`, which keeps the unit tests' conftest out of it"
        )
    return problems
