"""StackSets as the CloudFormation API Reference describes them, where moto 5.2.5 differs. Test code only.

Self-managed stack sets only (the suite's fleet is one account in two Regions). Each bend, with its source:
- An instance's stack is named `StackSet-<stack set name>-<id>` (moto: `StackSet:<name>`, which CloudFormation
  would reject), and ListStackInstances/DescribeStackInstance give that stack's StackId (moto invents another).
- An instance's parameters are the stack set's with its own overrides on top (API_CreateStackInstances
  ParameterOverrides: "A list of StackSet parameters whose values you want to override in the selected stack
  instances"); moto used the overrides alone, or the stack set's alone.
- UpdateStackInstances replaces an instance's overrides and updates its stack; a parameter left out goes back to
  the stack set's value (API_UpdateStackInstances ParameterOverrides). moto kept the list and updated nothing.
- UpdateStackSet updates the template and parameters of every instance's stack, keeping their overrides, when no
  accounts or Regions are named (API_UpdateStackSet Accounts/Regions); moto updated no stack, and gave instances
  created later the template of the stack set's creation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cloudformation.models import StackInstance, StackInstances, StackSet, cloudformation_backends


@contextmanager
def stack_sets_as_documented() -> Iterator[None]:
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(StackSet, "create_stack_instances", _create_instances))
        patches.enter_context(mock.patch.object(StackSet, "update", _update_stack_set(StackSet.update)))
        patches.enter_context(mock.patch.object(StackInstances, "update", _update_instances))
        patches.enter_context(mock.patch.object(StackInstance, "to_dict", _instance_dict))
        yield


def _create_instances(
    self: StackSet, accounts: list[str], regions: list[str], deployment_targets: Any, parameters: list[dict[str, Any]]
) -> str:
    operation_id = str(uuid.uuid4())
    accounts = accounts or (deployment_targets or {}).get("Accounts", [])
    for region in regions:
        for account in accounts:
            if self.instances.get_instance(account, region) is None:
                self.instances.stack_instances.append(_new_instance(self, account, region, parameters or []))
    self._create_operation(operation_id, "CREATE", "SUCCEEDED", accounts, regions)
    return operation_id


def _new_instance(stack_set: StackSet, account: str, region: str, overrides: list[dict[str, Any]]) -> StackInstance:
    instance = object.__new__(StackInstance)
    instance.account_id, instance.region_name = account, region
    instance.stackset_id, instance.name = stack_set.id, stack_set.name
    instance.stack_name = f"StackSet-{stack_set.name}-{uuid.uuid4()}"
    instance.template, instance.parameters = stack_set.template, overrides
    instance.permission_model = "SELF_MANAGED"
    instance.stack = cloudformation_backends[account][region].create_stack(
        name=instance.stack_name, template=stack_set.template, parameters=_merged(stack_set.parameters, overrides)
    )
    return instance


def _merged(stack_set_values: dict[str, str], overrides: list[dict[str, Any]]) -> dict[str, str]:
    return {**stack_set_values, **{o["ParameterKey"]: o["ParameterValue"] for o in overrides}}


def _update_stack_set(update: Any) -> Any:
    def updating(self: StackSet, *args: Any, **kwargs: Any) -> dict[str, Any]:
        accounts, regions = kwargs.get("accounts"), kwargs.get("regions")
        operation: dict[str, Any] = update(self, *args, **{**kwargs, "accounts": [], "regions": []})
        for instance in self.instances.stack_instances:
            if (not accounts or instance.account_id in accounts) and (not regions or instance.region_name in regions):
                _update_stack(self, instance)
        operation["Instances"] = [{i.account_id: i.region_name} for i in self.instances.stack_instances]
        return operation

    return updating


def _update_instances(self: StackInstances, accounts: list[str], regions: list[str], parameters: Any) -> None:
    stack_set = cloudformation_backends[self.account_id][_home(self)].describe_stack_set(self.stackset_name)
    for account in accounts:
        for region in regions:
            instance = self.get_instance(account, region)
            previous = {o["ParameterKey"]: o for o in instance.parameters}
            instance.parameters = [
                previous[o["ParameterKey"]] if o.get("UsePreviousValue") else o for o in parameters or []
            ]
            _update_stack(stack_set, instance)


def _update_stack(stack_set: StackSet, instance: StackInstance) -> None:
    values = _merged(stack_set.parameters, instance.parameters)
    backend = cloudformation_backends[instance.account_id][instance.region_name]
    backend.update_stack(
        name=instance.stack.stack_id,
        template=stack_set.template,
        role_arn=None,
        parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        tags=None,
    )


def _home(instances: StackInstances) -> str:
    """The Region whose backend holds the stack set: the one that knows its id."""
    for region, backend in cloudformation_backends[instances.account_id].items():
        if instances.stackset_id in backend.stacksets:
            return str(region)
    raise LookupError(instances.stackset_id)


def _instance_dict(self: StackInstance) -> dict[str, Any]:
    stack = self.stack
    failed = stack.status.endswith(("FAILED", "ROLLBACK_COMPLETE"))
    return {
        "StackId": stack.stack_id,
        "StackSetId": self.stackset_id,
        "Region": self.region_name,
        "Account": self.account_id,
        "Status": "OUTDATED" if failed else "CURRENT",
        "StatusReason": f"stack {stack.status}" if failed else "",
        "ParameterOverrides": self.parameters,
        "StackInstanceStatus": {"DetailedStatus": "FAILED" if failed else "SUCCEEDED"},
    }
