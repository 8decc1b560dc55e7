"""Where a template is published, checked before any AWS call, and what a location means to Studio and to the
users' execution roles.

The domain names one location in its tag `sagemaker:projectS3TemplatesLocation`, `s3://<bucket>/<prefix>/` (AWS's
blog and sample write the prefix with a trailing slash); Studio lists the templates tagged visible there. A tag value
is at most 256 characters of letters, digits, white space and `_.:/=+-@` (botocore sagemaker TagValue:
`'max': 256`, `'pattern': '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)'`), so a prefix with any other character cannot be
named by the tag: it is refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.common.names import (
    POLICY_VERSION,
    PROJECT_LAUNCH_PATH,
    PROJECT_STACK_PREFIX,
    STUDIO_VISIBILITY_TAG,
    Service,
)
from generator.common.patterns import DOMAIN_ID, S3_BUCKET_NAME
from generator.deploy.inputs import InputError

LOCATION_TAG = "sagemaker:projectS3TemplatesLocation"
TEMPLATE_FILE = "sagemaker-endpoint.yaml"  # Studio shows the file's name as the template's name
TEMPLATE_NAME = (
    "sagemaker-endpoint"  # CreateProject's TemplateName: at most 32, (?=.{1,32}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*
)
DEFAULT_PREFIX = "sagemaker-projects-templates"
TAG_VALUE_MAX = 256
TAG_VALUE_EXTRA = set("_.:/=+-@")


@dataclass(frozen=True)
class Location:
    bucket: str
    prefix: str  # without leading or trailing slash; "" is the bucket's root
    domain_id: str

    @property
    def key_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    @property
    def key(self) -> str:
        return f"{self.key_prefix}{TEMPLATE_FILE}"

    @property
    def uri(self) -> str:
        """The domain tag's value: `s3://<bucket>/<prefix>/`."""
        return f"s3://{self.bucket}/{self.key_prefix}"

    def template_url(self, region: str, url_suffix: str) -> str:
        """The https URL CreateProject takes (CfnTemplateURL `(https)://([^/]+)/(.+)`), virtual-hosted as AWS's boto3
        example writes it: `https://<bucket>.s3.<region>.amazonaws.com/<key>`."""
        return f"https://{self.bucket}.s3.{region}.{url_suffix}/{self.key}"

    def domain_arn(self, partition: str, region: str, account: str) -> str:
        return f"arn:{partition}:sagemaker:{region}:{account}:domain/{self.domain_id}"


def check_location(bucket: str, prefix: str | None, domain_id: str) -> Location:
    """Every problem at once (exit 2, before any AWS call)."""
    problems = []
    if not re.fullmatch(S3_BUCKET_NAME, bucket) or ".." in bucket:
        problems.append(f"--bucket {bucket!r}: an S3 bucket name (3 to 63 lowercase letters, digits, dots, hyphens)")
    given = DEFAULT_PREFIX if prefix is None else prefix
    normalized = given.strip("/")
    if "//" in normalized or not _tag_value_characters(normalized):
        problems.append(
            f"--prefix {given!r}: S3 key segments of letters, digits and _.=+-@ separated by single slashes "
            f"(the domain's {LOCATION_TAG} tag takes no other character)"
        )
    problems += _domain_id_problems(domain_id)
    location = Location(bucket, normalized, domain_id)
    if not problems and len(location.uri) > TAG_VALUE_MAX:
        problems.append(f"--prefix: {location.uri} is longer than a tag value's {TAG_VALUE_MAX} characters")
    if problems:
        raise InputError(problems)
    return location


def check_domain_id(domain_id: str) -> str:
    """The domain ID, as botocore sagemaker's DomainId shape takes it (`d-(-*[a-z0-9]){1,61}`, at most 63)."""
    problems = _domain_id_problems(domain_id)
    if problems:
        raise InputError(problems)
    return domain_id


def _domain_id_problems(domain_id: str) -> list[str]:
    if re.fullmatch(DOMAIN_ID, domain_id) and len(domain_id) <= 63:
        return []
    return [f"--domain-id {domain_id!r}: a SageMaker domain ID such as d-abcdef123456"]


def _tag_value_characters(text: str) -> bool:
    return all(ch.isalnum() or ch in TAG_VALUE_EXTRA for ch in text)


def execution_role_policy(location: Location, partition: str, region: str, account: str) -> dict[str, Any]:
    """What the Studio users' execution roles need to see the template and create a project from it:
    - read the templates and their tags: "Verify IAM roles have necessary S3 permissions (commonly the
      `s3:GetObjectTagging` permission is missing)" (aws-samples/sagemaker-custom-project-templates, s3_templates);
      and list the bucket (how Studio lists is not documented: the bucket, unconditioned, on the safe side);
    - read the domain's tags, where the location is (not documented either; AmazonSageMakerFullAccess excludes
      domain/*);
    - launch, update and delete the project's SP-* stacks and tag them (the sample's cfn-stack-sm-projects.json),
      passing only the project launch role (templates/project-launch-role.yaml) to CloudFormation."""
    bucket = f"arn:{partition}:s3:::{location.bucket}"
    stacks = f"arn:{partition}:cloudformation:{region}:{account}:stack/{PROJECT_STACK_PREFIX}*"
    statements = [
        _allow("ReadProjectTemplates", ["s3:GetObject", "s3:GetObjectTagging"], f"{bucket}/{location.key_prefix}*"),
        _allow("ListProjectTemplates", ["s3:ListBucket"], bucket),
        _allow("ReadTemplatesLocationTag", ["sagemaker:ListTags"], location.domain_arn(partition, region, account)),
        _allow(
            "LaunchProjectStacks",
            [
                "cloudformation:CreateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:UpdateStack",
            ],
            stacks,
        ),
        {
            **_allow("TagProjectStacks", ["cloudformation:TagResource", "cloudformation:UntagResource"], stacks),
            "Condition": {"Null": {"aws:ResourceTag/sagemaker:project-name": "false"}},
        },
        {
            **_allow(
                "PassProjectLaunchRole", ["iam:PassRole"], f"arn:{partition}:iam::{account}:role{PROJECT_LAUNCH_PATH}*"
            ),
            "Condition": {"StringEquals": {"iam:PassedToService": Service.CLOUDFORMATION}},
        },
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def _allow(sid: str, actions: list[str], resource: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def visibility_tag() -> dict[str, str]:
    key, value = STUDIO_VISIBILITY_TAG
    return {"Key": key, "Value": value}
