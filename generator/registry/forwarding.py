"""Approvals to the workload accounts: rules on the registry's default bus, each with at most five event-bus
targets (EventBridge's limit per rule), sending through one role that may put events on exactly those buses; what a
target cannot take goes to the kit's dead-letter queue (dead_letters.py).

The account list is a parameter whose length CloudFormation cannot count, so every slot up to MAX_ACCOUNTS has a
Condition: the list is padded with empty fields, and a slot is taken when its field is not empty.
"""

from __future__ import annotations

from awacs import events
from awacs.aws import Condition, StringEquals
from troposphere import Equals, If, Join, Not, NoValue, Ref, Select, Split, Sub, Template
from troposphere.events import Rule, Target
from troposphere.iam import Policy, Role
from troposphere.sqs import Queue

from generator.cfn.conditions import add_named_condition
from generator.cfn.iam import allow, policy_document, service_trust_policy
from generator.common.names import (
    APPROVAL_DETAIL_TYPE,
    APPROVAL_SOURCE,
    FORWARD_RULE_PREFIX,
    ROLE_PATH,
    Service,
)
from generator.registry.dead_letters import dead_letter_settings

TARGETS_PER_RULE = 5  # EventBridge: at most five targets per rule
RULES = 5
MAX_ACCOUNTS = TARGETS_PER_RULE * RULES  # custom_resource/group_share.py refuses more, before any rule exists


def account_slots(template: Template, accounts: object) -> list[tuple[str, Select]]:
    """(Condition "slot i is taken", the account in slot i) for every slot."""
    padded = Split(",", Sub("${Accounts}" + "," * MAX_ACCOUNTS, Accounts=Join(",", Ref(accounts))))
    slots = []
    for index in range(MAX_ACCOUNTS):
        account = Select(index, padded)
        slots.append((add_named_condition(template, f"HasAccount{index + 1}", Not(Equals(account, ""))), account))
    return slots


def rule_name(number: int) -> Sub:
    """Rule `number` of this stack: known before the rule exists, so the dead-letter queue's policy can name it."""
    stack_id = Select(0, Split("-", Select(2, Split("/", Ref("AWS::StackId")))))
    return Sub(f"{FORWARD_RULE_PREFIX}{number}-${{Id}}", Id=stack_id)


def rule_arn(number: int) -> Sub:
    """A rule of the default bus: its ARN has no bus segment."""
    stack_id = Select(0, Split("-", Select(2, Split("/", Ref("AWS::StackId")))))
    return Sub(
        f"arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{FORWARD_RULE_PREFIX}{number}-${{Id}}",
        Id=stack_id,
    )


def add_forwarding(
    template: Template,
    group: object,
    slots: list[tuple[str, Select]],
    boundary: object,
    *,
    dead_letters: Queue,
    depends_on: list[str],
) -> tuple[Role, list[tuple[str, str, Sub]]]:
    """The role and the rules, as (logical id, Condition, name). The rules wait for `depends_on`: the share, which
    checks the account list, and the dead-letter queue's policy, without which a failed delivery would be lost."""
    role = template.add_resource(
        Role(
            "ForwarderRole",
            Description=Sub("Forwards model approvals to workload accounts (stack ${AWS::StackName})"),
            Path=ROLE_PATH,
            PermissionsBoundary=boundary,
            # only EventBridge acting for this account's rules (the confused-deputy guard)
            AssumeRolePolicyDocument=service_trust_policy(
                Service.EVENTS, Condition(StringEquals("aws:SourceAccount", Ref("AWS::AccountId")))
            ),
            Policies=[
                Policy(
                    PolicyName="PutOnWorkloadBuses",
                    PolicyDocument=policy_document(
                        allow("PutOnWorkloadBuses", [events.PutEvents], [If(c, bus(a), NoValue) for c, a in slots])
                    ),
                )
            ],
        )
    )
    rules = []
    for number in range(1, RULES + 1):
        chunk = slots[(number - 1) * TARGETS_PER_RULE : number * TARGETS_PER_RULE]
        rule = _add_rule(template, number, group, chunk, role=role, dead_letters=dead_letters, depends_on=depends_on)
        rules.append((rule.title, chunk[0][0], rule_name(number)))
    return role, rules


def bus(account: object) -> Sub:
    return Sub("arn:${AWS::Partition}:events:${AWS::Region}:${Account}:event-bus/default", Account=account)


def _add_rule(
    template: Template,
    number: int,
    group: object,
    chunk: list[tuple[str, Select]],
    *,
    role: Role,
    dead_letters: Queue,
    depends_on: list[str],
) -> Rule:
    """Rule `number`, which exists when the first of its five slots is taken; its other targets, when theirs are."""
    first_taken = chunk[0][0]
    start = (number - 1) * TARGETS_PER_RULE + 1

    def target(index: int, account: Select) -> Target:
        return Target(
            Id=f"Workload{index}", Arn=bus(account), RoleArn=role.get_att("Arn"), **dead_letter_settings(dead_letters)
        )

    targets: list[object] = [target(start, chunk[0][1])]
    targets += [
        If(taken, target(index, account), NoValue) for index, (taken, account) in enumerate(chunk[1:], start=start + 1)
    ]
    return template.add_resource(
        Rule(
            f"ForwardApprovals{number}",
            Condition=first_taken,
            DependsOn=depends_on,
            Name=rule_name(number),
            Description=Sub(
                f"Approvals of model package group ${{Group}} to workload accounts, part {number}", Group=Ref(group)
            ),
            EventPattern={
                "source": [APPROVAL_SOURCE],
                "detail-type": [APPROVAL_DETAIL_TYPE],
                "detail": {"ModelPackageGroupName": [Ref(group)], "ModelApprovalStatus": ["Approved", "Rejected"]},
            },
            State="ENABLED",
            Targets=targets,
        )
    )
