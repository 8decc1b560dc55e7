"""`project publish`, `project unpublish` and `project list`: the project template as an organization template in
SageMaker Studio, from S3 (generator.deploy.project). Each verb reads what is there, shows its plan, asks on a
terminal (unless --yes), then changes only what the plan says; bad input exits 2 before any AWS call."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from botocore.exceptions import ClientError

from generator.deploy.aws import URL_SUFFIX
from generator.deploy.context import EXIT_DECLINED, EXIT_OK, DeployContext, DeployFailed
from generator.deploy.engine import confirm
from generator.deploy.project.location import (
    LOCATION_TAG,
    TEMPLATE_NAME,
    Location,
    check_domain_id,
    check_location,
    execution_role_policy,
    visibility_tag,
)
from generator.deploy.project.studio import (
    ACCESS_DENIED,
    CORS_RULES_MAX,
    OBJECT_TAGS_MAX,
    STUDIO_ORIGIN,
    DomainTag,
    bucket_cors,
    domain_location,
    error_code,
    has_studio_rule,
    is_visible,
    object_tags,
    put_cors,
    visible_templates,
    with_studio_rule,
    without_studio_rule,
)


@dataclass(frozen=True)
class Step:
    """One line of the plan: `+` adds, `~` replaces, `-` removes, `=` leaves as it is, `!` needs a person."""

    symbol: str
    text: str
    apply: Callable[[], None] | None = None


@dataclass(frozen=True)
class Where:
    """The location, and the account it is in."""

    location: Location
    partition: str
    region: str
    account: str

    @property
    def domain_arn(self) -> str:
        return self.location.domain_arn(self.partition, self.region, self.account)


def _where(context: DeployContext, location: Location) -> Where:
    account, partition = context.aws.identity
    return Where(location, partition, context.aws.region_name, account)


def publish(context: DeployContext, location: Location, *, yes: bool) -> int:
    """Upload the template tagged visible, put Studio's CORS rule first among the bucket's, tag the domain; then print
    what the users' execution roles need."""
    where = _where(context, location)
    steps = [_upload_step(context, where), _cors_step(context, where), _domain_tag_step(context, where)]
    if not _confirmed(context, f"Plan for publishing to {location.uri}:", steps, yes):
        return EXIT_DECLINED
    _apply(steps)
    suffix = URL_SUFFIX.get(where.partition, "amazonaws.com")
    result = {
        "TemplateName": TEMPLATE_NAME,
        "TemplateURL": location.template_url(where.region, suffix),
        "Location": location.uri,
        "DomainId": location.domain_id,
        "ExecutionRolePolicy": execution_role_policy(location, where.partition, where.region, where.account),
    }
    context.stdout.write(json.dumps(result, indent=2) + "\n")
    context.console.success(
        f"Published {location.key}: Studio lists it under Organization templates, S3 templates (its list is cached: "
        "Refresh). The users' execution roles need the ExecutionRolePolicy statements printed on stdout."
    )
    return EXIT_OK


def _upload_step(context: DeployContext, where: Where) -> Step:
    s3, location = context.aws.client("s3"), where.location
    existing = object_tags(s3, location.bucket, location.key)
    visible = visibility_tag()
    tags = [tag for tag in existing or [] if tag["Key"] != visible["Key"]] + [visible]
    if len(tags) > OBJECT_TAGS_MAX:
        raise DeployFailed(
            f"s3://{location.bucket}/{location.key} has {len(tags) - 1} tags of its own: S3 keeps at most "
            f"{OBJECT_TAGS_MAX} per object, and Studio needs {visible['Key']}; remove one, then publish again"
        )

    def upload() -> None:
        s3.put_object(
            Bucket=location.bucket,
            Key=location.key,
            Body=context.template.body.encode(),
            Tagging=urlencode([(tag["Key"], tag["Value"]) for tag in tags]),
        )

    verb = "upload" if existing is None else "replace"
    symbol = "+" if existing is None else "~"
    shown = f"{visible['Key']}={visible['Value']}"
    return Step(symbol, f"{verb} s3://{location.bucket}/{location.key}, tagged {shown}", upload)


def _cors_step(context: DeployContext, where: Where) -> Step:
    s3, bucket = context.aws.client("s3"), where.location.bucket
    rules = bucket_cors(s3, bucket)
    merged = with_studio_rule(rules)
    if merged is None:
        return Step("=", f"bucket {bucket}: Studio's CORS rule ({STUDIO_ORIGIN}) is already its first")
    if len(merged) > CORS_RULES_MAX:
        raise DeployFailed(
            f"bucket {bucket} has {len(rules)} CORS rules: S3 takes at most {CORS_RULES_MAX}, and Studio needs one "
            f"more, for {STUDIO_ORIGIN}; remove one, then publish again"
        )
    kept = len(without_studio_rule(rules))
    return Step(
        "+" if kept == len(rules) else "~",
        f"bucket {bucket}: Studio's CORS rule for {STUDIO_ORIGIN} first, keeping its {kept} other rule(s)",
        lambda: put_cors(s3, bucket, merged),
    )


def _domain_tag_step(context: DeployContext, where: Where) -> Step:
    sagemaker, location = context.aws.client("sagemaker"), where.location
    tag = _read_domain_tag(context, where)
    domain = f"domain {location.domain_id}"
    if tag.value == location.uri:
        return Step("=", f"{domain} already lists {location.uri}")
    if tag.value is not None:
        return Step(
            "!",
            f"{domain} lists {tag.value}, and a domain lists one location: left as it is. To list this one instead: "
            f"{_add_tags_command(where)}",
        )

    def add_tag() -> None:
        try:
            sagemaker.add_tags(ResourceArn=where.domain_arn, Tags=[{"Key": LOCATION_TAG, "Value": location.uri}])
        except ClientError as error:
            if error_code(error) not in ACCESS_DENIED:
                raise
            context.console.warning(
                f"not allowed to tag {domain} ({error_code(error)}): Studio lists nothing until it is tagged. Ask "
                f"its administrator to run: {_add_tags_command(where)}"
            )

    unread = "" if tag.readable else " (its tags could not be read: AccessDenied)"
    return Step("+", f"tag {domain}{unread}: {LOCATION_TAG}={location.uri}", add_tag)


def _read_domain_tag(context: DeployContext, where: Where) -> DomainTag:
    """The domain's location tag; a domain that cannot be found (or another failure than AccessDenied) ends the
    command before anything is changed."""
    try:
        return domain_location(context.aws.client("sagemaker"), where.domain_arn, LOCATION_TAG)
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        raise DeployFailed(
            f"domain {where.location.domain_id} in {where.region}: {error_code(error)}: {message}"
        ) from error


def _add_tags_command(where: Where) -> str:
    return (
        f"aws sagemaker add-tags --region {where.region} --resource-arn {where.domain_arn} "
        f"--tags Key={LOCATION_TAG},Value={where.location.uri}"
    )


def unpublish(context: DeployContext, location: Location, *, yes: bool) -> int:
    """Delete the template; remove the domain's tag and our CORS rule too, unless another template still needs them."""
    where = _where(context, location)
    s3 = context.aws.client("s3")
    in_bucket = visible_templates(s3, location.bucket, "", besides=location.key)
    here = [key for key in in_bucket if key.startswith(location.key_prefix)]
    steps = [_delete_step(context, where), _uncors_step(context, where, in_bucket), _untag_step(context, where, here)]
    if not _confirmed(context, f"Plan for unpublishing from {location.uri}:", steps, yes):
        return EXIT_DECLINED
    _apply(steps)
    context.console.success(f"Unpublished {location.key} from {location.uri}.")
    return EXIT_OK


def _delete_step(context: DeployContext, where: Where) -> Step:
    s3, location = context.aws.client("s3"), where.location
    where_text = f"s3://{location.bucket}/{location.key}"
    if object_tags(s3, location.bucket, location.key) is None:
        return Step("=", f"no template at {where_text}")
    return Step("-", f"delete {where_text}", lambda: s3.delete_object(Bucket=location.bucket, Key=location.key))


def _uncors_step(context: DeployContext, where: Where, others: list[str]) -> Step:
    s3, bucket = context.aws.client("s3"), where.location.bucket
    rules = bucket_cors(s3, bucket)
    if not has_studio_rule(rules):
        return Step("=", f"bucket {bucket}: no CORS rule of ours")
    if others:
        return Step("=", f"bucket {bucket}: Studio's CORS rule kept for {len(others)} other visible template(s)")
    kept = without_studio_rule(rules)
    return Step(
        "-",
        f"bucket {bucket}: Studio's CORS rule, keeping its {len(kept)} other rule(s)",
        lambda: put_cors(s3, bucket, kept),
    )


def _untag_step(context: DeployContext, where: Where, others: list[str]) -> Step:
    sagemaker, location = context.aws.client("sagemaker"), where.location
    tag, domain = _read_domain_tag(context, where), f"domain {location.domain_id}"
    if not tag.readable:
        return Step("!", f"{domain}: its tags could not be read (AccessDenied): left as it is")
    if tag.value != location.uri:
        return Step("=", f"{domain} does not list {location.uri}: left as it is")
    if others:
        return Step("=", f"{domain} keeps listing {location.uri}: {len(others)} other visible template(s) there")
    return Step(
        "-",
        f"untag {domain}: {LOCATION_TAG}={location.uri}",
        lambda: sagemaker.delete_tags(ResourceArn=where.domain_arn, TagKeys=[LOCATION_TAG]),
    )


def list_templates(context: DeployContext, domain_id: str) -> int:
    """What the domain shows: its location, whether the bucket lets Studio in, and each template there."""
    where = _where(context, Location(bucket="", prefix="", domain_id=check_domain_id(domain_id)))
    tag = _read_domain_tag(context, where)
    if not tag.readable:
        raise DeployFailed(f"domain {domain_id}: its tags could not be read (AccessDenied): sagemaker:ListTags")
    result: dict[str, Any] = {"DomainId": domain_id, "Location": tag.value, "StudioCors": None, "Templates": []}
    if tag.value is None:
        context.console.line(f"domain {domain_id} lists no S3 location ({LOCATION_TAG}): Studio shows no S3 template")
    else:
        bucket, _, prefix = tag.value.removeprefix("s3://").partition("/")
        s3 = context.aws.client("s3")
        result["StudioCors"] = _allows_studio(bucket_cors(s3, bucket))
        result["Templates"] = _templates(s3, bucket, prefix)
        for template in result["Templates"]:
            shown = "visible" if template["Visible"] else "hidden (no sagemaker:studio-visibility=true)"
            context.console.line(f"  {template['Key']}: {shown}")
        if not result["StudioCors"]:
            context.console.warning(f"bucket {bucket} has no CORS rule for {STUDIO_ORIGIN}: Studio cannot read it")
    context.stdout.write(json.dumps(result, indent=2) + "\n")
    return EXIT_OK


def _allows_studio(rules: list[dict[str, Any]]) -> bool:
    return any(STUDIO_ORIGIN in rule.get("AllowedOrigins", []) and "GET" in rule["AllowedMethods"] for rule in rules)


def _templates(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return [{"Key": key, "Visible": is_visible(object_tags(s3, bucket, key))} for key in keys]


def _confirmed(context: DeployContext, title: str, steps: list[Step], yes: bool) -> bool:
    console = context.console
    console.line(title, "bold")
    for step in steps:
        console.line(f"  {step.symbol}    {step.text}")
    if not any(step.apply for step in steps):
        console.success("No changes.")
        return True
    if not confirm(console, "Apply it?", yes=yes):
        console.line("Not executed: nothing was changed.")
        return False
    return True


def _apply(steps: list[Step]) -> None:
    for step in steps:
        if step.apply:
            step.apply()


def run(args: argparse.Namespace, context: DeployContext) -> int:
    if args.project_command == "list":
        return list_templates(context, args.domain_id)
    location = check_location(args.bucket, args.prefix, args.domain_id)
    if args.project_command == "publish":
        return publish(context, location, yes=args.yes)
    return unpublish(context, location, yes=args.yes)
