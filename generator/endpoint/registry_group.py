"""The model package group the stack follows, as ARN, account and name, whether ModelPackageGroupName holds a name
(a group of this account) or an ARN (a central registry's group, possibly in another account).

CloudFormation cannot test how a string starts, so a value with a colon is an ARN: a group name cannot hold one
(letters, digits and hyphens). Every expression is valid for every value, a name, an ARN or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, Condition, Equals, If, Not, Ref, Select, Split, Sub, Template

from generator.cfn.conditions import add_named_condition
from generator.cfn.iam import arn
from generator.endpoint.model import PACKAGE_GROUP

ARN_ACCOUNT_FIELD = 4  # arn:partition:sagemaker:region:ACCOUNT:model-package-group/name


@dataclass(frozen=True)
class RegistryGroup:
    """Where the group lives. `in_other_account` names the Condition that the group is another account's;
    `arn_account` is the account field of the given ARN, for resources that exist only under that Condition."""

    arn: If
    account: Select
    name: Select
    in_other_account: str
    arn_account: Select

    def packages_arn(self) -> Sub:
        """Every package (version) of this group, in the registry's account."""
        return Sub(
            "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${Account}:model-package/${Name}/*",
            Account=self.account,
            Name=self.name,
        )


def add_registry_group(template: Template) -> RegistryGroup:
    given = PACKAGE_GROUP.ref()
    is_arn = add_named_condition(template, "ModelPackageGroupIsArn", Not(Equals(Select(0, Split(":", given)), given)))
    # Padded with empty fields, so that the account field exists whatever the value; read only for an ARN.
    arn_account = Select(ARN_ACCOUNT_FIELD, Split(":", Sub("${Group}::::", Group=given)))
    in_other_account = add_named_condition(
        template,
        "ModelPackageGroupInOtherAccount",
        And(Condition(is_arn), Not(Equals(arn_account, Ref("AWS::AccountId")))),
    )
    group_arn = If(is_arn, given, arn("sagemaker", "model-package-group/${Group}", Group=given))
    return RegistryGroup(
        arn=group_arn,
        account=Select(ARN_ACCOUNT_FIELD, Split(":", group_arn)),
        name=Select(1, Split("/", group_arn)),
        in_other_account=in_other_account,
        arn_account=arn_account,
    )
