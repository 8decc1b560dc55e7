"""Errors that say where: every AWS call is made inside a `step` naming what the command was doing and to which
resource ("uploading the resolver zip to s3://..."), so a refusal reads as that step, not as a bare botocore message.
Credentials that are missing, expired or unknown to AWS are told apart (exit 7) with the ways to give them.

The credential error codes are those AWS lists among the errors common to every API: "ExpiredTokenException: The
security token included in the request is expired." and "UnrecognizedClientException: The X.509 certificate or AWS
access key ID provided does not exist in our records." (https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/
common-errors.html); InvalidClientTokenId is the Query APIs' name for the latter ("The X.509 certificate or AWS access
key ID provided does not exist in our records", https://docs.aws.amazon.com/emr/latest/APIReference/CommonErrors.html),
ExpiredToken their name for the former (CloudFormation, STS), InvalidAccessKeyId S3's and AuthFailure EC2's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)

from generator.deploy.errors import DeployFailed, NotConfigured

CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "AuthFailure",
}
CREDENTIAL_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
)
CREDENTIALS_HINT = (
    "pass --profile NAME (a profile of ~/.aws/config), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary ones); for IAM Identity Center (SSO), run "
    "`aws sso login --profile NAME` first"
)
REGION_HINT = "pass --region, or set AWS_REGION (or AWS_DEFAULT_REGION), or a region in the profile"


@contextmanager
def step(what: str) -> Iterator[None]:
    """Run AWS calls as `what`: an AWS error escaping it becomes a DeployFailed naming the step (exit 1), a
    credentials or Region problem a NotConfigured (exit 7). Errors the calls handle themselves never reach it."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in CREDENTIAL_CODES:
            raise not_configured(error) from None
        raise DeployFailed(f"{what}: {error}") from None
    except (*CREDENTIAL_ERRORS, NoRegionError) as error:
        raise not_configured(error) from None
    except BotoCoreError as error:
        raise DeployFailed(f"{what}: {error}") from None


def not_configured(error: Exception) -> NotConfigured:
    """The credentials or the Region botocore could not use, with the ways to give them."""
    if isinstance(error, NoRegionError):
        return NotConfigured(f"no AWS Region: {REGION_HINT}")
    return NotConfigured(f"no usable AWS credentials ({error}): {CREDENTIALS_HINT}")


def is_configuration_error(error: Exception) -> bool:
    """Whether an error that escaped every step is about credentials or the Region."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in CREDENTIAL_CODES
    return isinstance(error, (*CREDENTIAL_ERRORS, NoRegionError))
