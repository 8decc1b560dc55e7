"""`project publish`, `unpublish` and `list` on botocore Stubbers, run as a user runs them (`generator.cli.main`):
every call is checked against the API model, and a call nobody queued (a PutBucketCors that would drop a rule, an
AddTags over another location) fails the test.

What Studio needs, from AWS's guide ("Using a template from an Amazon S3 bucket", SageMaker Developer Guide):
"Add the following key-value tag to the template so they become visible to SageMaker AI" (sagemaker:studio-visibility
true), "Set up a CORS policy on your S3 bucket", and the domain tag sagemaker:projectS3TemplatesLocation, whose value
AWS's blog writes `s3://<bucket-name>/<prefix>/`."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from botocore.stub import Stubber

from generator.cli import main
from generator.deploy.context import EXIT_DECLINED, DeployContext
from generator.deploy.project.location import check_location
from generator.deploy.project.studio import STUDIO_CORS_RULE
from generator.deploy.template_file import EndpointTemplate
from generator.deploy.verbs import project
from tests.support.stubbed_aws import ACCOUNT, REGION, StubbedAws, run_with, terminal_console

PROJECT_LIKE = EndpointTemplate("Parameters:\n  SageMakerProjectName: {Type: String}\nResources: {}\n")
BUCKET, DOMAIN = "team-templates", "d-a1b2c3d4e5f6"
KEY = "sagemaker-projects-templates/sagemaker-endpoint.yaml"
DOMAIN_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{DOMAIN}"
LOCATION = f"s3://{BUCKET}/sagemaker-projects-templates/"
LOCATION_TAG = "sagemaker:projectS3TemplatesLocation"
THEIRS = {"ID": "web-app", "AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.example.com"]}
PUBLISH = ["project", "publish", "--bucket", BUCKET, "--domain-id", DOMAIN, "--region", REGION]
UNPUBLISH = ["project", "unpublish", "--bucket", BUCKET, "--domain-id", DOMAIN, "--region", REGION]


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> StubbedAws:
    aws = StubbedAws()
    run_with(monkeypatch, aws, PROJECT_LIKE)
    return aws


def error(stub: Stubber, method: str, code: str, params: dict[str, Any], status: int = 400) -> None:
    stub.add_client_error(method, service_error_code=code, service_message=f"{code} (stubbed)", http_status_code=status,
                          expected_params=params)  # fmt: skip


def expect_identity(stubbed: StubbedAws) -> None:
    stubbed["sts"].add_response(
        "get_caller_identity",
        {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/platform", "UserId": "AIDAEXAMPLE"},
        {},
    )


def expect_object_tags(stubbed: StubbedAws, key: str, tags: list[dict[str, str]] | None) -> None:
    if tags is None:
        error(stubbed["s3"], "get_object_tagging", "NoSuchKey", {"Bucket": BUCKET, "Key": key}, 404)
    else:
        stubbed["s3"].add_response("get_object_tagging", {"TagSet": tags}, {"Bucket": BUCKET, "Key": key})


def expect_cors(stubbed: StubbedAws, rules: list[dict[str, Any]]) -> None:
    if rules:
        stubbed["s3"].add_response("get_bucket_cors", {"CORSRules": rules}, {"Bucket": BUCKET})
    else:
        error(stubbed["s3"], "get_bucket_cors", "NoSuchCORSConfiguration", {"Bucket": BUCKET}, 404)


def expect_domain_tags(stubbed: StubbedAws, location: str | None) -> None:
    tags = [{"Key": "team", "Value": "ml"}] + ([{"Key": LOCATION_TAG, "Value": location}] if location else [])
    stubbed["sagemaker"].add_response("list_tags", {"Tags": tags}, {"ResourceArn": DOMAIN_ARN})


def expect_publish_reads(
    stubbed: StubbedAws, *, tags: list[dict[str, str]] | None, rules: list[dict[str, Any]], location: str | None
) -> None:
    expect_identity(stubbed)
    expect_object_tags(stubbed, KEY, tags)
    expect_cors(stubbed, rules)
    expect_domain_tags(stubbed, location)


def expect_upload(stubbed: StubbedAws, tagging: str) -> None:
    stubbed["s3"].add_response(
        "put_object", {}, {"Bucket": BUCKET, "Key": KEY, "Body": PROJECT_LIKE.body.encode(), "Tagging": tagging}
    )


def test_bad_input_exits_2_with_every_problem_before_any_aws_call(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["project", "publish", "--bucket", "Team_Templates", "--prefix", "a//b!", "--domain-id", "domain-1"])
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --bucket 'Team_Templates': an S3 bucket name (3 to 63 lowercase letters, digits, dots, hyphens)",
        "error: --prefix 'a//b!': S3 key segments of letters, digits and _.=+-@ separated by single slashes (the "
        "domain's sagemaker:projectS3TemplatesLocation tag takes no other character)",
        "error: --domain-id 'domain-1': a SageMaker domain ID such as d-abcdef123456",
        "3 problem(s) in the input; nothing was sent to AWS.",
    ]
    stubbed.done()


def test_a_location_longer_than_a_tag_value_is_refused_before_any_aws_call() -> None:
    """TagValue: `'max': 256` (botocore sagemaker)."""
    with pytest.raises(Exception, match="longer than a tag value's 256 characters"):
        check_location(BUCKET, "p" * 240, DOMAIN)
    assert check_location(BUCKET, "/teams/ml/", DOMAIN).uri == f"s3://{BUCKET}/teams/ml/"
    assert check_location(BUCKET, "", DOMAIN).key == "sagemaker-endpoint.yaml"


def test_publish_uploads_it_visible_puts_studios_cors_rule_first_keeping_theirs_and_tags_the_domain(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """PutBucketCors replaces the whole configuration and the first matching rule wins (S3 API Reference,
    PutBucketCors): their rule is sent back after ours, unchanged."""
    expect_publish_reads(stubbed, tags=None, rules=[THEIRS], location=None)
    expect_upload(stubbed, "sagemaker%3Astudio-visibility=true")
    stubbed["s3"].add_response(
        "put_bucket_cors", {}, {"Bucket": BUCKET, "CORSConfiguration": {"CORSRules": [STUDIO_CORS_RULE, THEIRS]}}
    )
    stubbed["sagemaker"].add_response(
        "add_tags", {}, {"ResourceArn": DOMAIN_ARN, "Tags": [{"Key": LOCATION_TAG, "Value": LOCATION}]}
    )

    code = main(PUBLISH)

    out, err = capsys.readouterr()
    assert code == 0, err
    stubbed.done()
    result = json.loads(out)
    assert result["TemplateURL"] == f"https://{BUCKET}.s3.{REGION}.amazonaws.com/{KEY}"
    assert (result["TemplateName"], result["Location"]) == ("sagemaker-endpoint", LOCATION)
    assert result["DomainId"] == DOMAIN
    assert err.splitlines()[:4] == [
        f"Plan for publishing to {LOCATION}:",
        f"  +    upload s3://{BUCKET}/{KEY}, tagged sagemaker:studio-visibility=true",
        f"  +    bucket {BUCKET}: Studio's CORS rule for https://*.sagemaker.aws first, keeping its 1 other rule(s)",
        f"  +    tag domain {DOMAIN}: {LOCATION_TAG}={LOCATION}",
    ]


def test_the_printed_policy_lets_the_users_roles_read_the_templates_and_their_tags_and_launch_sp_stacks(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "Verify IAM roles have necessary S3 permissions (commonly the `s3:GetObjectTagging` permission is missing)"
    (aws-samples/sagemaker-custom-project-templates, s3_templates/README.md); the stack statements are the sample's
    cfn-stack-sm-projects.json, and PassRole names only the project launch role's path."""
    expect_publish_reads(stubbed, tags=None, rules=[STUDIO_CORS_RULE], location=LOCATION)
    expect_upload(stubbed, "sagemaker%3Astudio-visibility=true")
    assert main(PUBLISH) == 0
    statements = {s["Sid"]: s for s in json.loads(capsys.readouterr().out)["ExecutionRolePolicy"]["Statement"]}
    assert statements["ReadProjectTemplates"]["Action"] == ["s3:GetObject", "s3:GetObjectTagging"]
    assert statements["ReadProjectTemplates"]["Resource"] == f"arn:aws:s3:::{BUCKET}/sagemaker-projects-templates/*"
    assert statements["ListProjectTemplates"]["Resource"] == f"arn:aws:s3:::{BUCKET}"
    assert statements["ReadTemplatesLocationTag"]["Resource"] == DOMAIN_ARN
    assert statements["LaunchProjectStacks"]["Resource"] == f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/SP-*"
    assert statements["PassProjectLaunchRole"] == {
        "Sid": "PassProjectLaunchRole", "Effect": "Allow", "Action": ["iam:PassRole"],
        "Resource": f"arn:aws:iam::{ACCOUNT}:role/sagemaker-endpoint-project-launch/*",
        "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
    }  # fmt: skip


def test_publishing_again_keeps_the_objects_own_tags_and_changes_neither_cors_nor_the_domain(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new PutObject replaces the object's tag set: the tags it had go with it again."""
    own = [{"Key": "owner", "Value": "ml platform"}, {"Key": "sagemaker:studio-visibility", "Value": "true"}]
    expect_publish_reads(stubbed, tags=own, rules=[STUDIO_CORS_RULE, THEIRS], location=LOCATION)
    expect_upload(stubbed, "owner=ml+platform&sagemaker%3Astudio-visibility=true")

    assert main(PUBLISH) == 0

    stubbed.done()
    assert capsys.readouterr().err.splitlines()[1:4] == [
        f"  ~    replace s3://{BUCKET}/{KEY}, tagged sagemaker:studio-visibility=true",
        f"  =    bucket {BUCKET}: Studio's CORS rule (https://*.sagemaker.aws) is already its first",
        f"  =    domain {DOMAIN} already lists {LOCATION}",
    ]


def test_a_domain_listing_another_location_is_left_as_it_is_and_the_command_to_change_it_printed(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tag key is unique per resource ("Tag keys must be unique per resource", AddTags) and its value one URI: an
    AddTags here would hide the other location's templates."""
    expect_publish_reads(stubbed, tags=None, rules=[STUDIO_CORS_RULE], location="s3://other-team/templates/")
    expect_upload(stubbed, "sagemaker%3Astudio-visibility=true")

    assert main(PUBLISH) == 0

    stubbed.done()
    assert (
        f"  !    domain {DOMAIN} lists s3://other-team/templates/, and a domain lists one location: left as it is. "
        f"To list this one instead: aws sagemaker add-tags --region {REGION} --resource-arn {DOMAIN_ARN} --tags "
        f"Key={LOCATION_TAG},Value={LOCATION}"
    ) in capsys.readouterr().err


def test_not_allowed_to_tag_the_domain_prints_what_its_administrator_must_tag(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """AmazonSageMakerFullAccess excludes `arn:aws:sagemaker:*:*:domain/*` from `sagemaker:*`: a publisher may well
    be unable to read or tag the domain."""
    expect_identity(stubbed)
    expect_object_tags(stubbed, KEY, None)
    expect_cors(stubbed, [STUDIO_CORS_RULE])
    error(stubbed["sagemaker"], "list_tags", "AccessDeniedException", {"ResourceArn": DOMAIN_ARN})
    expect_upload(stubbed, "sagemaker%3Astudio-visibility=true")
    tags = [{"Key": LOCATION_TAG, "Value": LOCATION}]
    error(stubbed["sagemaker"], "add_tags", "AccessDeniedException", {"ResourceArn": DOMAIN_ARN, "Tags": tags})

    assert main(PUBLISH) == 0

    stubbed.done()
    err = capsys.readouterr().err
    assert f"  +    tag domain {DOMAIN} (its tags could not be read: AccessDenied): {LOCATION_TAG}={LOCATION}" in err
    assert (
        f"warning: not allowed to tag domain {DOMAIN} (AccessDeniedException): Studio lists nothing until it is "
        f"tagged. Ask its administrator to run: aws sagemaker add-tags --region {REGION} --resource-arn {DOMAIN_ARN}"
    ) in err


@pytest.mark.parametrize(
    ("tags", "rules", "message"),
    [
        ([{"Key": f"k{i}", "Value": "v"} for i in range(10)], [],
         f"s3://{BUCKET}/{KEY} has 10 tags of its own: S3 keeps at most 10 per object"),
        (None, [{"ID": f"r{i}", "AllowedMethods": ["GET"], "AllowedOrigins": ["https://a.test"]} for i in range(100)],
         f"bucket {BUCKET} has 100 CORS rules: S3 takes at most 100"),
    ],
    ids=["object tags", "cors rules"],
)  # fmt: skip
def test_what_s3_could_not_hold_is_refused_before_anything_changes(
    stubbed: StubbedAws,
    capsys: pytest.CaptureFixture[str],
    tags: list[dict[str, str]] | None,
    rules: list[dict[str, Any]],
    message: str,
) -> None:
    """ "Amazon S3 limits the maximum number of tags to 10 tags per object" (PutObjectTagging); "You can add up to 100
    rules to the configuration" (CORSConfiguration)."""
    expect_identity(stubbed)
    expect_object_tags(stubbed, KEY, tags)
    if tags is None:
        expect_cors(stubbed, rules)

    assert main(PUBLISH) == 1

    stubbed.done()
    assert message in capsys.readouterr().err


def test_a_domain_that_cannot_be_found_stops_publish_before_anything_changes(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    expect_object_tags(stubbed, KEY, None)
    expect_cors(stubbed, [])
    error(stubbed["sagemaker"], "list_tags", "ValidationException", {"ResourceArn": DOMAIN_ARN})

    assert main(PUBLISH) == 1

    stubbed.done()
    assert f"error: domain {DOMAIN} in {REGION}: ValidationException" in capsys.readouterr().err


def test_on_a_terminal_publish_asks_and_a_no_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stubbed = StubbedAws()
    expect_publish_reads(stubbed, tags=None, rules=[], location=None)
    monkeypatch.setattr("builtins.input", lambda: "n")
    err = io.StringIO()
    context = DeployContext(stubbed.aws(), PROJECT_LIKE, terminal_console(err), io.StringIO())

    code = project.publish(context, check_location(BUCKET, None, DOMAIN), yes=False)

    assert code == EXIT_DECLINED
    stubbed.done()
    assert "Apply it? [y/N]" in err.getvalue()
    assert "Not executed: nothing was changed." in err.getvalue()


def expect_listed(stubbed: StubbedAws, prefix: str, keys: dict[str, bool], besides: str = "") -> None:
    """ListObjectsV2 under `prefix`, then each template's tags (visible or not), but those of `besides`."""
    contents = [{"Key": key, "Size": 10} for key in keys]
    stubbed["s3"].add_response("list_objects_v2", {"Contents": contents}, {"Bucket": BUCKET, "Prefix": prefix})
    for key, visible in keys.items():
        if key.endswith((".yaml", ".yml", ".json")) and key != besides:
            tags = [{"Key": "sagemaker:studio-visibility", "Value": "true"}] if visible else []
            expect_object_tags(stubbed, key, tags)


def test_unpublish_removes_the_template_and_untags_the_domain_but_keeps_cors_another_template_needs(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CORS rule is the bucket's: a visible template under another prefix (another domain's location) needs it."""
    expect_identity(stubbed)
    expect_listed(stubbed, "", {KEY: True, "other-domain/pipeline.yaml": True, "notes.txt": False}, KEY)
    expect_object_tags(stubbed, KEY, [{"Key": "sagemaker:studio-visibility", "Value": "true"}])
    expect_cors(stubbed, [STUDIO_CORS_RULE, THEIRS])
    expect_domain_tags(stubbed, LOCATION)
    stubbed["s3"].add_response("delete_object", {}, {"Bucket": BUCKET, "Key": KEY})
    stubbed["sagemaker"].add_response("delete_tags", {}, {"ResourceArn": DOMAIN_ARN, "TagKeys": [LOCATION_TAG]})

    assert main(UNPUBLISH) == 0

    stubbed.done()
    assert capsys.readouterr().err.splitlines()[1:4] == [
        f"  -    delete s3://{BUCKET}/{KEY}",
        f"  =    bucket {BUCKET}: Studio's CORS rule kept for 1 other visible template(s)",
        f"  -    untag domain {DOMAIN}: {LOCATION_TAG}={LOCATION}",
    ]


@pytest.mark.parametrize(
    ("rules", "put"),
    [([THEIRS, STUDIO_CORS_RULE], [THEIRS]), ([STUDIO_CORS_RULE], None)],
    ids=["their rule kept", "no rule left"],
)
def test_unpublish_of_the_last_template_removes_our_cors_rule_only(
    stubbed: StubbedAws, rules: list[dict[str, Any]], put: list[dict[str, Any]] | None
) -> None:
    """A configuration needs a rule (CORSConfiguration: `"required": ["CORSRules"]`): none left, it is deleted."""
    expect_identity(stubbed)
    expect_listed(stubbed, "", {KEY: True}, KEY)
    expect_object_tags(stubbed, KEY, [])
    expect_cors(stubbed, rules)
    expect_domain_tags(stubbed, "s3://other-team/templates/")  # not ours: left as it is
    stubbed["s3"].add_response("delete_object", {}, {"Bucket": BUCKET, "Key": KEY})
    if put:
        stubbed["s3"].add_response("put_bucket_cors", {}, {"Bucket": BUCKET, "CORSConfiguration": {"CORSRules": put}})
    else:
        stubbed["s3"].add_response("delete_bucket_cors", {}, {"Bucket": BUCKET})

    assert main(UNPUBLISH) == 0

    stubbed.done()


def test_unpublish_with_nothing_published_changes_nothing(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    expect_listed(stubbed, "", {})
    expect_object_tags(stubbed, KEY, None)
    expect_cors(stubbed, [THEIRS])
    error(stubbed["sagemaker"], "list_tags", "AccessDeniedException", {"ResourceArn": DOMAIN_ARN})

    assert main(UNPUBLISH) == 0

    stubbed.done()
    err = capsys.readouterr().err
    assert f"  =    no template at s3://{BUCKET}/{KEY}" in err
    assert f"  =    bucket {BUCKET}: no CORS rule of ours" in err
    assert f"  !    domain {DOMAIN}: its tags could not be read (AccessDenied): left as it is" in err
    assert "No changes." in err


def test_list_shows_the_domains_location_whether_studio_may_read_it_and_each_template(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    expect_domain_tags(stubbed, LOCATION)
    expect_cors(stubbed, [THEIRS])
    old = "sagemaker-projects-templates/old.yaml"
    expect_listed(stubbed, "sagemaker-projects-templates/", {KEY: True, old: False})

    assert main(["project", "list", "--domain-id", DOMAIN, "--region", REGION]) == 0

    stubbed.done()
    out, err = capsys.readouterr()
    assert json.loads(out) == {
        "DomainId": DOMAIN, "Location": LOCATION, "StudioCors": False,
        "Templates": [{"Key": KEY, "Visible": True}, {"Key": old, "Visible": False}],
    }  # fmt: skip
    assert f"warning: bucket {BUCKET} has no CORS rule for https://*.sagemaker.aws: Studio cannot read it" in err


def test_list_of_an_untagged_domain_says_studio_shows_no_s3_template(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    expect_domain_tags(stubbed, None)

    assert main(["project", "list", "--domain-id", DOMAIN, "--region", REGION]) == 0

    stubbed.done()
    out, err = capsys.readouterr()
    assert json.loads(out) == {"DomainId": DOMAIN, "Location": None, "StudioCors": None, "Templates": []}
    assert "Studio shows no S3 template" in err


def test_list_of_a_domain_whose_tags_cannot_be_read_fails_naming_the_permission(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    error(stubbed["sagemaker"], "list_tags", "AccessDeniedException", {"ResourceArn": DOMAIN_ARN})

    assert main(["project", "list", "--domain-id", DOMAIN, "--region", REGION]) == 1

    assert "sagemaker:ListTags" in capsys.readouterr().err


def test_list_with_a_bad_domain_id_exits_2_before_any_aws_call(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["project", "list", "--domain-id", "D-UPPER", "--region", REGION]) == 2
    stubbed.done()
    assert "--domain-id 'D-UPPER'" in capsys.readouterr().err


def test_unpublish_keeps_the_domains_tag_while_another_visible_template_is_at_its_location(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    neighbour = "sagemaker-projects-templates/pipeline.yaml"
    expect_identity(stubbed)
    expect_listed(stubbed, "", {KEY: True, neighbour: True}, KEY)
    expect_object_tags(stubbed, KEY, [])
    expect_cors(stubbed, [STUDIO_CORS_RULE])
    expect_domain_tags(stubbed, LOCATION)
    stubbed["s3"].add_response("delete_object", {}, {"Bucket": BUCKET, "Key": KEY})

    assert main(UNPUBLISH) == 0

    stubbed.done()
    assert f"  =    domain {DOMAIN} keeps listing {LOCATION}: 1 other visible template(s) there" in (
        capsys.readouterr().err
    )


def test_a_bucket_that_cannot_be_read_stops_publish_with_s3s_reason(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_identity(stubbed)
    expect_object_tags(stubbed, KEY, None)
    error(stubbed["s3"], "get_bucket_cors", "AccessDenied", {"Bucket": BUCKET}, 403)

    assert main(PUBLISH) == 1

    stubbed.done()
    assert "GetBucketCors operation: AccessDenied (stubbed)" in capsys.readouterr().err


def test_a_domain_tag_refused_for_another_reason_than_access_fails_publish(
    stubbed: StubbedAws, capsys: pytest.CaptureFixture[str]
) -> None:
    expect_publish_reads(stubbed, tags=None, rules=[STUDIO_CORS_RULE], location=None)
    expect_upload(stubbed, "sagemaker%3Astudio-visibility=true")
    tags = [{"Key": LOCATION_TAG, "Value": LOCATION}]
    error(stubbed["sagemaker"], "add_tags", "ValidationException", {"ResourceArn": DOMAIN_ARN, "Tags": tags})

    assert main(PUBLISH) == 1

    stubbed.done()
    assert "AddTags operation: ValidationException (stubbed)" in capsys.readouterr().err


def test_on_a_terminal_unpublish_asks_and_a_no_deletes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stubbed = StubbedAws()
    expect_identity(stubbed)
    expect_listed(stubbed, "", {KEY: True}, KEY)
    expect_object_tags(stubbed, KEY, [])
    expect_cors(stubbed, [])
    expect_domain_tags(stubbed, None)
    monkeypatch.setattr("builtins.input", lambda: "")
    err = io.StringIO()
    context = DeployContext(stubbed.aws(), PROJECT_LIKE, terminal_console(err), io.StringIO())

    assert project.unpublish(context, check_location(BUCKET, None, DOMAIN), yes=False) == EXIT_DECLINED

    stubbed.done()
    assert "Not executed: nothing was changed." in err.getvalue()


PLACEHOLDERS = {"B": BUCKET, "BUCKET": BUCKET, "P": "team", "PREFIX": "team", "D": DOMAIN, "DOMAIN": DOMAIN}


def _documented_project_commands() -> list[list[str]]:
    """Every `sagemaker-endpoint project ...` line of the README and the guides, one command each, placeholders
    (`B`, `DOMAIN`...) given real values and optional parts (`[--yes]`) kept."""
    from tests.support.paths import ROOT  # noqa: PLC0415

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    texts = [page.read_text() for page in pages]
    found = [m for text in texts for m in re.findall(r"^ *(sagemaker-endpoint project [^\n#>]*)", text, re.MULTILINE)]
    found += [m for text in texts for m in re.findall(r"`(sagemaker-endpoint project [^`]*)`", text)]
    commands = []
    for command in (found_command for found_command in found if "--" in found_command):  # mentions are no commands
        words = command.split("sagemaker-endpoint ", 1)[1].replace("[", " ").replace("]", " ").split()
        commands.append([PLACEHOLDERS.get(word, word) for word in words])
    return commands


def test_every_project_command_the_docs_show_is_one_the_command_takes(
    stubbed: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's synopsis and the guides' examples, parsed by the real command line: a renamed option fails here."""
    ran: list[str] = []

    def record(args: Any, _context: DeployContext) -> int:
        ran.append(args.project_command)
        return 0

    monkeypatch.setattr(project, "run", record)
    commands = _documented_project_commands()

    assert len(commands) >= 6
    for command in commands:
        assert main(command) == 0, command
    assert set(ran) == {"publish", "unpublish", "list"}
    stubbed.done()  # and nothing was sent to AWS
