"""Small factories for IAM policy statements (awacs) and partition-safe ARNs.

A policy document here is a plain dict so that a statement can be switched by a Condition
(`If(condition, statement, NoValue)`), which awacs' own PolicyDocument type does not admit.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs.aws import Action, Allow, Condition, Deny, Principal, Statement
from troposphere import AWSHelperFn, If, NoValue, Ref, Sub
from troposphere.iam import Policy, Role

from generator.stack import Stack

POLICY_VERSION = "2012-10-17"
# Every role the template creates lives under this path, so a deployer role can create and pass only these.
ROLE_PATH = "/sagemaker-endpoint/"


def arn(service: str, resource: str, *, region: bool = True, account: bool = True, **variables: object) -> Sub:
    """`arn:${AWS::Partition}:<service>:<region>:<account>:<resource>`, never a hard-coded partition."""
    region_part = "${AWS::Region}" if region else ""
    account_part = "${AWS::AccountId}" if account else ""
    return Sub(f"arn:${{AWS::Partition}}:{service}:{region_part}:{account_part}:{resource}", **variables)


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


def add_service_role(
    stack: Stack, title: str, *, condition: str, purpose: str, service: str, policy: dict[str, object]
) -> Role:
    """A role one AWS service assumes, with one inline policy, tagged like every resource of the stack."""
    return stack.template.add_resource(
        Role(
            title,
            Condition=condition,
            Description=Sub(f"{purpose} of stack ${{AWS::StackName}}"),
            Path=ROLE_PATH,
            PermissionsBoundary=If(
                stack.conditions.has_permissions_boundary, Ref(stack.params.permissions_boundary_arn), NoValue
            ),
            AssumeRolePolicyDocument=_assume_role_policy(service),
            Policies=[Policy(PolicyName=title, PolicyDocument=policy)],
            Tags=stack.tags,
        )
    )


def _assume_role_policy(service: str) -> dict[str, object]:
    """Trust policy letting one AWS service assume the role."""
    return policy_document(
        Statement(
            Sid="ServiceAssumesRole",
            Effect=Allow,
            Action=[Action("sts", "AssumeRole")],
            Principal=Principal("Service", service),
        )
    )
