"""Small factories for IAM policy statements (awacs) and partition-safe ARNs.

A policy document here is a plain dict so that a statement can be switched by a Condition
(`If(condition, statement, NoValue)`), which awacs' own PolicyDocument type does not admit.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs.aws import Action, Allow, Condition, Deny, Principal, Statement
from troposphere import AWSHelperFn, If, NoValue, Sub

from generator.common.names import POLICY_VERSION, arn_pattern


def arn(service: str, resource: str, *, region: bool = True, account: bool = True, **variables: object) -> Sub:
    """`arn:${AWS::Partition}:<service>:<region>:<account>:<resource>`, never a hard-coded partition."""
    return Sub(arn_pattern(service, resource, region=region, account=account), **variables)


def account_root() -> Sub:
    return arn("iam", "root", region=False)


def allow(
    sid: str,
    actions: Sequence[Action],
    resources: Sequence[object],
    *,
    principal: Principal | None = None,
    condition: Condition | None = None,
) -> Statement:
    """An Allow statement; every statement gets a Sid so a reader can name it."""
    return _statement(Allow, sid, actions, resources, principal=principal, condition=condition)


def deny(
    sid: str, actions: Sequence[Action], resources: Sequence[object], *, principal: Principal, condition: Condition
) -> Statement:
    return _statement(Deny, sid, actions, resources, principal=principal, condition=condition)


def _statement(
    effect: object,
    sid: str,
    actions: Sequence[Action],
    resources: Sequence[object],
    *,
    principal: Principal | None,
    condition: Condition | None,
) -> Statement:
    statement = Statement(Sid=sid, Effect=effect, Action=list(actions), Resource=list(resources))
    if principal is not None:
        statement.Principal = principal
    if condition is not None:
        statement.Condition = condition
    return statement


def only_if(condition: str, statement: Statement) -> AWSHelperFn:
    return If(condition, statement, NoValue)


def policy_document(*statements: Statement | AWSHelperFn) -> dict[str, object]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def service_host(service: str) -> Sub:
    """A Regional service host; the URL suffix differs by partition (amazonaws.com.cn in China)."""
    return Sub(f"{service}.${{AWS::Region}}.${{AWS::URLSuffix}}")


def service_trust_policy(service: str, condition: Condition | None = None) -> dict[str, object]:
    """Trust policy letting one AWS service assume the role (on the `condition`'s terms, when given)."""
    statement = Statement(
        Sid="ServiceAssumesRole",
        Effect=Allow,
        Action=[Action("sts", "AssumeRole")],
        Principal=Principal("Service", service),
    )
    if condition is not None:
        statement.Condition = condition
    return policy_document(statement)
