"""The opt-in and the account check, offline: without ACCEPTANCE_ACCOUNT_ID the lane runs nothing and says what it
needs (exit 0); with it, any bad value, missing credentials or another account's credentials stop it before anything
is created (exit 2), every problem at once."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from botocore.credentials import Credentials

from tests.support.acceptance import __main__ as runner
from tests.support.acceptance.doubles import ACCOUNT, StubbedSession, identity
from tests.support.acceptance.identity import caller_identity
from tests.support.acceptance.preflight import EXIT_MISCONFIGURED, EXIT_NOT_OPTED_IN, needs, preflight
from tests.support.acceptance.removal import Swept
from tests.support.acceptance.settings import Network, Settings, read_settings

OPTED_IN = {"ACCEPTANCE_ACCOUNT_ID": ACCOUNT}


def test_without_the_account_variable_nothing_runs_and_it_says_what_it_needs(stubbed: StubbedSession) -> None:
    """Not opted in is not a mistake: exit 0, no AWS call (the stubbed session has nothing queued)."""
    settings, problems = read_settings({"AWS_PROFILE": "sandbox", "ACCEPTANCE_MAX_USD": "3"})

    outcome = preflight(settings, problems, stubbed)

    assert (settings, problems, outcome.code, outcome.plan) == (None, [], EXIT_NOT_OPTED_IN, None)
    assert outcome.lines[0] == "Nothing run: not opted in."
    text = "\n".join(outcome.lines)
    for what in ("ACCEPTANCE_ACCOUNT_ID=123456789012 make acceptance", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION or AWS_REGION", "ACCEPTANCE_MAX_USD (default $5)", "Permissions:",
                 "pricing:GetProducts", "iam:PassRole",
                 "Time bound: 6 h 35 min", "Cost bound:", "make acceptance-clean"):  # fmt: skip
        assert what in text


def test_every_bad_value_is_reported_at_once() -> None:
    settings, problems = read_settings({
        "ACCEPTANCE_ACCOUNT_ID": "1234", "ACCEPTANCE_MAX_USD": "-2", "ACCEPTANCE_VPC_ID": "vpc-1",
        "ACCEPTANCE_SUBNET_IDS": "subnet-0aaaaaaaaaaaaaaaa", "ACCEPTANCE_INSTANCE_TYPE": "m5.large",
        "ACCEPTANCE_RUN_ID": "yesterday", "ACCEPTANCE_DOMAIN_ID": "studio",
    })  # fmt: skip

    assert settings is None
    assert problems == [
        "ACCEPTANCE_ACCOUNT_ID '1234': an AWS account ID is 12 digits",
        "ACCEPTANCE_MAX_USD '-2': a number of US dollars, more than 0",
        "ACCEPTANCE_VPC_ID 'vpc-1': a VPC ID such as vpc-0123456789abcdef0",
        "ACCEPTANCE_SUBNET_IDS 'subnet-0aaaaaaaaaaaaaaaa': two or more subnet IDs (subnet-...) of ACCEPTANCE_VPC_ID, "
        "comma-separated, in two Availability Zones",
        "ACCEPTANCE_INSTANCE_TYPE 'm5.large': a SageMaker instance type such as ml.m5.large",
        "ACCEPTANCE_RUN_ID 'yesterday': a run id as the lane prints it, such as r2601151403a1b2",
        "ACCEPTANCE_DOMAIN_ID 'studio': a SageMaker domain ID such as d-abcdef123456",
    ]


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"ACCEPTANCE_VPC_ID": "vpc-0123456789abcdef0"},
         "ACCEPTANCE_VPC_ID is set but ACCEPTANCE_SUBNET_IDS is not: give both, or neither for a VPC the lane makes"),
        ({"ACCEPTANCE_SUBNET_IDS": "subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb"},
         "ACCEPTANCE_SUBNET_IDS is set but ACCEPTANCE_VPC_ID is not: give both, or neither for a VPC the lane makes"),
        ({"ACCEPTANCE_HOURLY_USD": "0.06"},
         "ACCEPTANCE_HOURLY_USD is a price of ACCEPTANCE_INSTANCE_TYPE: set that too"),
        ({"ACCEPTANCE_MAX_USD": "NaN"}, "ACCEPTANCE_MAX_USD 'NaN': a number of US dollars, more than 0"),
    ],
)  # fmt: skip
def test_half_a_network_or_a_price_without_its_type_is_a_mistake(given: dict[str, str], problem: str) -> None:
    assert read_settings({**OPTED_IN, **given}) == (None, [problem])


def test_every_optional_value_is_read() -> None:
    settings, problems = read_settings({
        **OPTED_IN, "ACCEPTANCE_MAX_USD": "2.50", "ACCEPTANCE_VPC_ID": "vpc-0123456789abcdef0",
        "ACCEPTANCE_SUBNET_IDS": " subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb ",
        "ACCEPTANCE_INSTANCE_TYPE": "ml.c5.large", "ACCEPTANCE_HOURLY_USD": "0.119",
        "ACCEPTANCE_RUN_ID": "r2601151403a1b2", "ACCEPTANCE_DOMAIN_ID": "d-abcdef123456",
    })  # fmt: skip

    assert problems == []
    assert settings == Settings(
        ACCOUNT, Decimal("2.50"),
        Network("vpc-0123456789abcdef0", ("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb")),
        "ml.c5.large", Decimal("0.119"), "r2601151403a1b2", "d-abcdef123456",
    )  # fmt: skip


def test_misconfigured_values_stop_it_with_exit_2_and_say_what_it_needs(stubbed: StubbedSession) -> None:
    settings, problems = read_settings({"ACCEPTANCE_ACCOUNT_ID": "1234"})

    outcome = preflight(settings, problems, stubbed)

    assert outcome.code == EXIT_MISCONFIGURED
    assert outcome.lines[:2] == ["error: ACCEPTANCE_ACCOUNT_ID '1234': an AWS account ID is 12 digits",
                                 "Nothing was created."]  # fmt: skip
    assert outcome.lines[3:] == needs()


def test_opted_in_without_credentials_or_a_region_it_refuses_before_any_call() -> None:
    session = StubbedSession(region=None)
    session.credentials = None  # type: ignore[assignment]

    outcome = preflight(Settings(ACCOUNT), [], session)

    assert outcome.code == EXIT_MISCONFIGURED
    assert outcome.lines[:3] == [
        "error: no AWS Region: set AWS_DEFAULT_REGION or AWS_REGION (or a profile with a region)",
        "error: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        "Nothing was created.",
    ]
    session.done()


def test_the_unit_tests_stand_in_credentials_are_refused() -> None:
    """The unit tests' root conftest sets AWS_ACCESS_KEY_ID=testing when nothing else is: seen here, the lane was
    started by plain pytest, not `make acceptance`."""
    session = StubbedSession(credentials=Credentials("testing", "testing"))

    outcome = preflight(Settings(ACCOUNT), [], session)

    assert outcome.code == EXIT_MISCONFIGURED
    assert outcome.lines[0].startswith(
        "error: the credentials are the unit tests' stand-ins (AWS_ACCESS_KEY_ID=testing)"
    )


def test_credentials_of_another_account_are_refused_before_anything_else(stubbed: StubbedSession) -> None:
    """STS GetCallerIdentity: "No permissions are required to perform this operation." The Price List is not even
    asked (nothing queued for it)."""
    identity(stubbed, account="999988887777")

    outcome = preflight(Settings(ACCOUNT), [], stubbed)

    assert outcome.code == EXIT_MISCONFIGURED
    assert outcome.lines[0] == (
        "error: refused: the credentials are for account 999988887777 "
        "(arn:aws:sts::999988887777:assumed-role/Admin/maintainer), not ACCEPTANCE_ACCOUNT_ID 111122223333: "
        "use credentials of the account you named, or name this one"
    )


def test_expired_credentials_are_named_with_the_fix(stubbed: StubbedSession) -> None:
    stubbed.stubs["sts"].add_client_error("get_caller_identity", "ExpiredToken", "The security token included in "
                                          "the request is expired")  # fmt: skip

    caller, problems = caller_identity(stubbed.clients["sts"], ACCOUNT)

    assert caller is None
    assert problems == ["the AWS credentials were refused (ExpiredToken: The security token included in the request "
                        "is expired): renew them, or set AWS_PROFILE"]  # fmt: skip


def test_the_named_accounts_credentials_are_accepted_with_their_partition(stubbed: StubbedSession) -> None:
    identity(stubbed)

    caller, problems = caller_identity(stubbed.clients["sts"], ACCOUNT)

    assert problems == []
    assert caller is not None
    assert (caller.account, caller.partition) == (ACCOUNT, "aws")


def test_make_acceptance_without_the_opt_in_exits_0_and_starts_no_scenario(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ACCEPTANCE_ACCOUNT_ID", raising=False)
    monkeypatch.setattr(pytest, "main", _never)

    assert runner.main(["run"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "Nothing run: not opted in."


def test_make_acceptance_clean_without_the_opt_in_exits_0_and_removes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ACCEPTANCE_ACCOUNT_ID", raising=False)
    monkeypatch.setattr(runner, "sweep", _never)

    assert runner.main(["clean"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == "Nothing removed: not opted in."


def test_make_acceptance_clean_with_another_accounts_credentials_exits_2_and_removes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stubbed: StubbedSession
) -> None:
    monkeypatch.setenv("ACCEPTANCE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setattr(boto3, "Session", lambda: stubbed)
    monkeypatch.setattr(runner, "sweep", _never)
    identity(stubbed, account="999988887777")

    assert runner.main(["clean"]) == EXIT_MISCONFIGURED
    assert capsys.readouterr().err.startswith("error: refused: the credentials are for account 999988887777")


def _never(*_: object, **__: object) -> object:
    raise AssertionError("must not run")


@pytest.mark.parametrize(("swept", "code"), [(Swept(removed=3, gone=1), 0), (Swept(removed=2, failed=1), 1),
                                             (Swept(left=1), 1)])  # fmt: skip
def test_make_acceptance_clean_exits_1_while_something_is_left_after_the_sweep(
    monkeypatch: pytest.MonkeyPatch, stubbed: StubbedSession, swept: Swept, code: int
) -> None:
    monkeypatch.setenv("ACCEPTANCE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("ACCEPTANCE_RUN_ID", "r2601151403a1b2")
    monkeypatch.setattr(boto3, "Session", lambda: stubbed)
    identity(stubbed)
    asked: list[str | None] = []

    def sweep(_clients: object, _say: object, run_id: str | None) -> Swept:
        asked.append(run_id)
        return swept

    monkeypatch.setattr(runner, "sweep", sweep)

    assert runner.main(["clean"]) == code
    assert asked == ["r2601151403a1b2"]


@pytest.mark.parametrize(
    ("given", "region"),
    [({"AWS_REGION": "eu-west-1"}, "eu-west-1"), ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"},
     "us-east-1"), ({}, None)],
)  # fmt: skip
def test_aws_region_alone_is_passed_on_as_boto3s_region(given: dict[str, str], region: str | None) -> None:
    """boto3 reads AWS_DEFAULT_REGION only; the commands the lane runs are boto3 too."""
    env = dict(given)

    runner.region_for_boto3(env)

    assert env.get("AWS_DEFAULT_REGION") == region
