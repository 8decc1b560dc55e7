"""What Studio reads to list an S3 template, read and written: the bucket's CORS rules, the object's tags, the
domain's location tag, and which templates under a location are visible.

CORS: "Set up a CORS policy on your S3 bucket to configure access permissions" (SageMaker Developer Guide, "Using a
template from an Amazon S3 bucket"); the rule is AWS's own (aws-samples/sagemaker-custom-project-templates,
s3_templates/cors-policy.json, the same rule the Studio migration guide gives), with an ID of ours so that unpublish
finds it. PutBucketCors replaces the whole configuration ("If the configuration exists, Amazon S3 replaces it") and
S3 "uses the first CORSRule rule that matches" a request: the bucket's rules are read, ours goes first, and every
other is kept in its order. "You can add up to 100 rules to the configuration."
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from generator.common.names import STUDIO_VISIBILITY_TAG

STUDIO_ORIGIN = "https://*.sagemaker.aws"
CORS_RULE_ID = "sagemaker-endpoint-studio-projects"
STUDIO_CORS_RULE = {
    "ID": CORS_RULE_ID,
    "AllowedHeaders": ["*"],
    "AllowedMethods": ["POST", "PUT", "GET", "HEAD", "DELETE"],
    "AllowedOrigins": [STUDIO_ORIGIN],
    "ExposeHeaders": ["ETag", "x-amz-delete-marker", "x-amz-id-2", "x-amz-request-id", "x-amz-server-side-encryption",
                      "x-amz-version-id"],
}  # fmt: skip
CORS_RULES_MAX = 100
OBJECT_TAGS_MAX = 10  # PutObjectTagging: "Amazon S3 limits the maximum number of tags to 10 tags per object"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json")  # what may be a template Studio lists
ACCESS_DENIED = ("AccessDenied", "AccessDeniedException")


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def bucket_cors(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """The bucket's rules, in order; none when it has no CORS configuration."""
    try:
        rules: list[dict[str, Any]] = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    except ClientError as error:
        if error_code(error) == "NoSuchCORSConfiguration":
            return []
        raise
    return rules


def with_studio_rule(rules: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Ours first, then every other rule as it was; None when ours is already first and as AWS gives it."""
    if rules and rules[0] == STUDIO_CORS_RULE:
        return None
    return [STUDIO_CORS_RULE, *(rule for rule in rules if rule.get("ID") != CORS_RULE_ID)]


def without_studio_rule(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule for rule in rules if rule.get("ID") != CORS_RULE_ID]


def has_studio_rule(rules: list[dict[str, Any]]) -> bool:
    return any(rule.get("ID") == CORS_RULE_ID for rule in rules)


def put_cors(s3: Any, bucket: str, rules: list[dict[str, Any]]) -> None:
    """The configuration as given; none at all when no rule is left (a configuration needs a rule)."""
    if rules:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    else:
        s3.delete_bucket_cors(Bucket=bucket)


def object_tags(s3: Any, bucket: str, key: str) -> list[dict[str, str]] | None:
    """The object's tags; None when there is no such object."""
    try:
        tags: list[dict[str, str]] = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    except ClientError as error:
        if error_code(error) in ("NoSuchKey", "404"):
            return None
        raise
    return tags


def is_visible(tags: list[dict[str, str]] | None) -> bool:
    key, value = STUDIO_VISIBILITY_TAG
    return any(tag["Key"] == key and tag["Value"] == value for tag in tags or [])


def visible_templates(s3: Any, bucket: str, prefix: str, *, besides: str) -> list[str]:
    """Keys under `prefix` that look like templates and carry Studio's visibility tag, `besides` left out."""
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"] != besides and item["Key"].endswith(TEMPLATE_SUFFIXES)
    ]
    return [key for key in keys if is_visible(object_tags(s3, bucket, key))]


@dataclass(frozen=True)
class DomainTag:
    """The domain's location tag as read: its value (None: untagged), or unreadable (AccessDenied)."""

    value: str | None
    readable: bool = True


def domain_location(sagemaker: Any, domain_arn: str, tag_key: str) -> DomainTag:
    try:
        pages = sagemaker.get_paginator("list_tags").paginate(ResourceArn=domain_arn)
        tags = [tag for page in pages for tag in page.get("Tags", [])]
    except ClientError as error:
        if error_code(error) in ACCESS_DENIED:
            return DomainTag(None, readable=False)
        raise
    return DomainTag(next((tag["Value"] for tag in tags if tag["Key"] == tag_key), None))
