"""What parameter values and names look like: the patterns the template's constraints use, which the deploy
client checks again, and parameter names in snake case. No troposphere here: the deploy client imports it."""

from __future__ import annotations

import re

# AllowedPattern must match the whole value; each optional pattern also admits "".
PARTITION = r"arn:aws[a-z-]*"
REGION = r"[a-z]{2}(-[a-z]+)+-[0-9]"
ACCOUNT = r"[0-9]{12}"
SAGEMAKER_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
S3_BUCKET_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
# A registry version: the version is required (an unversioned package is a Marketplace one, which Serverless and
# Async do not support) and has at most 9 digits (the API's VersionedArnOrName).
MODEL_PACKAGE_ARN = rf"{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:model-package/{SAGEMAKER_NAME}/[0-9]{{1,9}}"
MODEL_PACKAGE_GROUP_ARN = rf"{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{SAGEMAKER_NAME}"
# A group in this account by name, or any account's group by ARN: what ListModelPackages accepts.
MODEL_PACKAGE_GROUP = rf"{SAGEMAKER_NAME}|{MODEL_PACKAGE_GROUP_ARN}"
KMS_KEY_ID = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32}"  # a key's UUID, or a multi-Region key's id
KMS_KEY_ARN = rf"{PARTITION}:kms:{REGION}:{ACCOUNT}:key/({KMS_KEY_ID})"
# A standard topic: CloudWatch alarms cannot notify a FIFO topic.
SNS_TOPIC_ARN = rf"{PARTITION}:sns:{REGION}:{ACCOUNT}:[A-Za-z0-9_-]{{1,256}}"
ROLE_ARN = rf"{PARTITION}:iam::{ACCOUNT}:role/[a-zA-Z0-9+=,.@_/-]{{1,512}}"
POLICY_ARN = rf"{PARTITION}:iam::({ACCOUNT}|aws):policy/[a-zA-Z0-9+=,.@_/-]{{1,512}}"
BUCKET_ARN = rf"{PARTITION}:s3:::{S3_BUCKET_NAME}"
ECR_REPO_ARN = rf"{PARTITION}:ecr:{REGION}:{ACCOUNT}:repository/[a-z0-9]+([._/-][a-z0-9]+)*"
DOMAIN_ID = r"d-(-*[a-z0-9]){1,61}"
DOMAIN_ARN = rf"{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:domain/{DOMAIN_ID}"
PROJECT_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}"  # CreateProject's ProjectName: SageMaker may pass a leading digit
PROJECT_ID = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,19}"
S3_PREFIX = r"[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*"  # no leading, trailing or double slash
# CreateStack: "A stack name can contain only alphanumeric characters (case sensitive) and hyphens. It must start with
# an alphabetical character and can't be longer than 128 characters."
STACK_NAME = r"[a-zA-Z][-a-zA-Z0-9]{0,127}"
INSTANCE_TYPE = r"ml\.[a-z0-9-]+\.[a-z0-9]+"
VPC_ID = r"vpc-[0-9a-f]{8,17}"
SUBNET_ID = r"subnet-[0-9a-f]{8,17}"
# A bucket, or a prefix in it, without a trailing slash: grants are built as <uri>/*, and `prefix//*` would match
# no object under `prefix/`.
S3_URI = rf"s3://{S3_BUCKET_NAME}(/{S3_PREFIX})?"


def optional(pattern: str) -> str:
    return rf"^({pattern})?$"


def required(pattern: str) -> str:
    return rf"^{pattern}$"


def snake_case(name: str) -> str:
    """ResolverCodeS3Key -> resolver_code_s3_key; SageMaker, GB and MB count as one word."""
    words = name.replace("SageMaker", "Sagemaker").replace("GB", "Gb").replace("MB", "Mb")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", words).lower()


WHOLE_NUMBER = r"0|[1-9][0-9]*"  # no sign, no decimals, no leading zeros: what Rules can compare as text
POSITIVE_DECIMAL = r"[1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*"  # above 0, one spelling per value's digits


def whole_number_range(low: int, high: int) -> str:
    """A pattern matching exactly the decimal numbers low..high, without leading zeros: how a String parameter
    (the only type that can be left empty) constrains a number, as MinValue and MaxValue apply to Numbers only."""
    return "|".join(_ranges(low, high))


def _ranges(low: int, high: int) -> list[str]:
    """Split low..high into runs of equal length whose digits vary only in a suffix, e.g. 60..99 -> [6-9][0-9]."""
    if len(str(low)) < len(str(high)):
        boundary = 10 ** len(str(low)) - 1
        return _ranges(low, boundary) + _ranges(boundary + 1, high)
    if low == high:
        return [str(low)]
    for trailing in range(len(str(high)) - 1, 0, -1):  # the widest aligned block that fits
        step = 10**trailing
        first_full = -(-low // step) * step
        last_full = (high + 1) // step * step - 1
        if first_full <= last_full:
            before = _ranges(low, first_full - 1) if low < first_full else []
            after = _ranges(last_full + 1, high) if last_full < high else []
            return [*before, *_block(first_full, last_full, trailing), *after]
    return [_digits(low, high)]


def _block(first: int, last: int, trailing: int) -> list[str]:
    """first..last where both are aligned to 10**trailing: a prefix range followed by `trailing` free digits."""
    return [f"{prefix}{'[0-9]' * trailing}" for prefix in _ranges(first // 10**trailing, last // 10**trailing)]


def _digits(low: int, high: int) -> str:
    """Two numbers of equal length that differ in their last digit only."""
    text_low, text_high = str(low), str(high)
    return f"{text_low[:-1]}[{text_low[-1]}-{text_high[-1]}]"
