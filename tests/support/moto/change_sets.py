"""moto 5.2.5's CloudFormation bent to do what the deploy client relies on, as CloudFormation does it. Test code.

- Change sets: moto lists Add/Modify/Remove by name only, with no Replacement and no Details. Here each change
  is computed as CloudFormation computes it (tests/update_plan.resource_changes, from the schemas cfn-lint
  ships), and an update that changes nothing gives a FAILED change set that says so, instead of an error.
- Executing a change set: moto applies it to an empty template (so the stack has no Outputs) and raises out of
  ExecuteChangeSet on a failure. Here it creates or updates the stack as CloudFormation does, and a failure
  rolls back: a failed create deletes what it made (DeletionPolicy Retain kept) and ends in ROLLBACK_COMPLETE,
  a failed update returns to the previous template and parameters and ends in UPDATE_ROLLBACK_COMPLETE.
  Once one change set is executed, the stack's change sets are gone.
- Updates: moto updates only the resources that name a changed parameter. Here every resource whose evaluated
  properties changed is updated, in dependency order, so a changed attribute (a newly resolved package)
  reaches the Model and what uses it, and an unchanged one touches nothing.
- CloudFormation takes at most 51,200 bytes of TemplateBody (a larger template must come from S3); moto takes any.
- A TemplateURL at the local S3 (path style, `http://127.0.0.1:<port>/<bucket>/<key>`, as the AWS CLI writes it
  when AWS_ENDPOINT_URL is set) is read as a virtual-hosted AWS URL, taking `127` for the bucket.
- DescribeStacks of a deleted stack evaluates its Outputs again, which re-creates the resources they name.
- UpdateStack with UsePreviousValue reads only the values given at create (KeyError for a default); here the
  values in force. And it updates a stack in the middle of another operation, which CloudFormation refuses.
- DescribeStacks shows a List parameter as a Python list; CloudFormation shows it comma-separated.
- Events: moto writes stack-level events only. Here each resource step writes its events, a failure with its
  reason; a type moto skips (alarms, scaling) is reported created once, as CloudFormation would create it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock
from urllib.parse import urlparse

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend, Event, Stack
from moto.cloudformation.parsing import ResourceMap

from tests.support.update_plan import dependency_order, resource_changes

NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


@contextmanager
def cloudformation_like_change_sets() -> Iterator[None]:
    with ExitStack() as patches:

        def patch(target: Any, name: str, new: Any) -> None:
            patches.enter_context(mock.patch.object(target, name, new))

        patch(parsing, "parse_and_create_resource", _with_events("CREATE", parsing.parse_and_create_resource))
        patch(parsing, "parse_and_update_resource", _with_events("UPDATE", parsing.parse_and_update_resource))
        patch(ResourceMap, "_delete_resource", _deleting_with_events(ResourceMap._delete_resource))
        patch(Stack, "delete", _registered_while_deleting(Stack.delete))
        patch(ResourceMap, "update", _updating_what_changed(ResourceMap.update, ResourceMap.build_resource_diff))
        patch(ChangeSet, "diff", _diff)
        patch(CloudFormationBackend, "create_change_set", _flagging_no_changes(CloudFormationBackend.create_change_set))
        patch(CloudFormationBackend, "execute_change_set", _execute)
        patch(cfn_responses.CloudFormationResponse, "_validate_different_update", lambda *_args: None)
        patch(Stack, "parameter_list", property(_parameter_list))
        patch(CloudFormationBackend, "_resolve_update_parameters", _previous_values_as_deployed)
        patch(
            cfn_responses.CloudFormationResponse,
            "update_stack",
            _refusing_a_busy_stack(cfn_responses.CloudFormationResponse.update_stack),
        )
        patch(cfn_responses.CloudFormationResponse, "_get_stack_from_s3_url", _template_from_local_s3)
        for action in ("create_stack", "update_stack", "create_change_set", "validate_template"):
            original = getattr(cfn_responses.CloudFormationResponse, action)
            patch(cfn_responses.CloudFormationResponse, action, _inline_limited(original))
        yield


# --- events ------------------------------------------------------------------------------------------------


_DELETING: dict[str, Stack] = {}  # moto takes a stack out of its backend before deleting its resources


def _stack(stack_id: str, account_id: str, region_name: str) -> Stack:
    if stack_id in _DELETING:
        return _DELETING[stack_id]
    return cfn_models.cloudformation_backends[account_id][region_name].get_stack(stack_id)


def _registered_while_deleting(delete: Callable[[Stack], None]) -> Callable[[Stack], None]:
    def run(self: Stack) -> None:
        _DELETING[self.stack_id] = self
        try:
            delete(self)
        finally:
            del _DELETING[self.stack_id]
        # A deleted stack has no outputs; moto would evaluate them again, re-creating what they reference.
        self.output_map = parsing.OutputMap(self.resource_map, {"Outputs": {}}, self.stack_id)

    return run


def _event(stack: Stack, logical_id: str, kind: str, status: str, *, physical_id: str = "", reason: str = "") -> None:
    stack.events.append(Event(stack.stack_id, stack.name, logical_id, physical_id, kind, status, reason or None, None))


def _reason(error: Exception) -> str:
    return str(getattr(error, "message", None) or error)


def _with_events(step: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def run(logical_id: str, resource_json: dict[str, Any], resources_map: ResourceMap, account_id: str,
            region_name: str) -> Any:  # fmt: skip
        condition = resource_json.get("Condition")
        if condition and not resources_map.lazy_condition_map[condition]:
            return None
        stack, kind = _stack(resources_map.stack_id, account_id, region_name), resource_json["Type"]
        if parsing.resource_class_from_type(kind) is None:  # moto skips it, and asks again at every reference
            if logical_id not in _evaluated(resources_map):
                _evaluated(resources_map)[logical_id] = None
                _event(stack, logical_id, kind, f"{step}_IN_PROGRESS")
                _event(stack, logical_id, kind, f"{step}_COMPLETE")
            return None
        _event(stack, logical_id, kind, f"{step}_IN_PROGRESS")
        try:
            resource = original(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as error:
            _event(stack, logical_id, kind, f"{step}_FAILED", reason=_reason(error))
            raise
        _evaluated(resources_map)[logical_id] = _evaluate(resource_json, resources_map)
        _event(
            stack,
            logical_id,
            kind,
            f"{step}_COMPLETE",
            physical_id=str(getattr(resource, "physical_resource_id", "") or ""),
        )
        return resource

    return run


def _deleting_with_events(original: Callable[..., None]) -> Callable[..., None]:
    def delete(self: ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        stack = _stack(self.stack_id, self._account_id, self._region_name)
        name, kind = parsed_resource.logical_resource_id, resource_json["Type"]
        physical = str(getattr(parsed_resource, "physical_resource_id", "") or "")
        original(self, parsed_resource, resource_json)  # moto retries dependency failures: events on success
        _event(stack, name, kind, "DELETE_IN_PROGRESS", physical_id=physical)
        _event(stack, name, kind, "DELETE_COMPLETE", physical_id=physical)

    return delete


INLINE_LIMIT = 51_200


def _inline_limited(action: Callable[..., Any]) -> Callable[..., Any]:
    def limited(self: cfn_responses.CloudFormationResponse) -> Any:
        body = self._get_param("TemplateBody")
        if body and len(body.encode()) > INLINE_LIMIT:
            raise ValidationError(
                message="1 validation error detected: Value at 'templateBody' failed to satisfy constraint: "
                f"Member must have length less than or equal to {INLINE_LIMIT}"
            )
        return action(self)

    return limited


def _template_from_local_s3(self: cfn_responses.CloudFormationResponse, template_url: str) -> str:
    parts = urlparse(template_url)
    if parts.hostname in ("127.0.0.1", "localhost"):
        bucket, key = parts.path.lstrip("/").split("/", 1)
        template_url = f"https://s3.amazonaws.com/{bucket}/{key}"
    return _read_template_url(self, template_url)


_read_template_url = cfn_responses.CloudFormationResponse._get_stack_from_s3_url


def _previous_values_as_deployed(
    backend: CloudFormationBackend, instance: Stack, incoming_params: list[dict[str, Any]]
) -> dict[str, str]:
    if not isinstance(instance, Stack):  # a StackSet keeps its values as moto does
        return _RESOLVE_UPDATE_PARAMETERS(backend, instance, incoming_params)
    current = {p["ParameterKey"]: p["ParameterValue"] for p in _parameter_list(instance)}
    return {
        p["ParameterKey"]: current[p["ParameterKey"]] if p.get("UsePreviousValue") else p["ParameterValue"]
        for p in incoming_params
    }


_RESOLVE_UPDATE_PARAMETERS = CloudFormationBackend._resolve_update_parameters


def _refusing_a_busy_stack(update: Callable[..., Any]) -> Callable[..., Any]:
    def refusing(self: cfn_responses.CloudFormationResponse) -> Any:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if stack.status.endswith("_IN_PROGRESS"):
            raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        return update(self)

    return refusing


def _parameter_list(self: Stack) -> list[dict[str, Any]]:
    """DescribeStacks' Parameters: moto shows a List parameter as a Python list; CloudFormation as `a,b`."""
    return [
        {"ParameterKey": key, "ParameterValue": ",".join(value) if isinstance(value, list) else value}
        for key, value in self.resource_map.resolved_parameters.items()
    ]


# --- updates -----------------------------------------------------------------------------------------------


def _evaluated(resources_map: ResourceMap) -> dict[str, Any]:
    if not hasattr(resources_map, "evaluated_properties"):
        resources_map.evaluated_properties = {}  # type: ignore[attr-defined]
    return resources_map.evaluated_properties  # type: ignore[attr-defined,no-any-return]


def _evaluate(resource_json: dict[str, Any], resources_map: ResourceMap) -> Any:
    return _as_strings(parsing.clean_json(copy.deepcopy(resource_json.get("Properties", {})), resources_map))


def _as_strings(node: Any) -> Any:
    """Numbers as CloudFormation passes them, strings: moto types a Number parameter only when it is given."""
    if isinstance(node, dict):
        return {key: _as_strings(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_as_strings(item) for item in node]
    if isinstance(node, bool) or not isinstance(node, int | float):
        return node
    return str(float(node)) if isinstance(node, float) else str(node)


def _updating_what_changed(update: Callable[..., None], diff: Callable[..., dict[str, Any]]) -> Callable[..., None]:
    def without_modify(self: ResourceMap, *args: Any) -> dict[str, Any]:
        return {**diff(self, *args), "Modify": []}

    def cloudformation_update(self: ResourceMap, template: dict[str, Any], parameters: Any = None) -> None:
        """moto adds and removes; then each resource whose evaluated properties changed is updated in turn."""
        with mock.patch.object(ResourceMap, "build_resource_diff", without_modify):
            update(self, template, parameters)
        resources = template["Resources"]
        for name in dependency_order(resources):
            condition = resources[name].get("Condition")
            if self._parsed_resources.get(name) is None or (condition and not self.lazy_condition_map[condition]):
                continue
            if _evaluate(resources[name], self) != _evaluated(self).get(name):
                updated = parsing.parse_and_update_resource(
                    name, resources[name], self, account_id=self._account_id, region_name=self._region_name
                )
                if updated is not None:
                    self._parsed_resources[name] = updated

    return cloudformation_update


# --- change sets -------------------------------------------------------------------------------------------


def _diff(self: ChangeSet) -> list[Change]:
    stack = self.stack
    pseudo = {
        "AWS::StackId": stack.stack_id,
        "AWS::StackName": stack.name,
        "AWS::Region": stack.region_name,
        "AWS::AccountId": stack.account_id,
    }
    before = None if self.change_set_type == "CREATE" else dict(stack.resource_map.input_parameters)
    after = {**(before or {}), **self.parameters}
    if before is None:
        from tests.support.template_eval import Evaluator  # noqa: PLC0415

        entries = [
            {"Action": "Add", "LogicalResourceId": name, "ResourceType": resource["Type"]}
            for name, resource in Evaluator(self.template_dict, after, pseudo).resources().items()
        ]
    else:
        entries = resource_changes(self.template_dict, before, after, pseudo)
    changes = []
    for entry in entries:
        change = Change(entry["Action"], entry["LogicalResourceId"], entry["ResourceType"])
        for key, attribute in (("Replacement", "replacement"), ("Details", "details"), ("Scope", "scope")):
            if key in entry:
                setattr(change, attribute, entry[key])
        changes.append(change)
    return changes


def _flagging_no_changes(create: Callable[..., tuple[str, str]]) -> Callable[..., tuple[str, str]]:
    def create_change_set(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> tuple[str, str]:
        change_set_id, stack_id = create(self, *args, **kwargs)
        change_set = self.change_sets[change_set_id]
        if change_set.change_set_type == "UPDATE" and not change_set.changes:
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = NO_CHANGES
        return change_set_id, stack_id

    return create_change_set


def _execute(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:  # noqa: ARG001
    change_set = self.describe_change_set(change_set_name)
    assert change_set is not None
    stack = self.stacks[change_set.stack_id]
    if change_set.change_set_type == "CREATE":
        _create(self, stack, change_set)
    else:
        _update(stack, change_set)
    change_set.execution_status = "EXECUTE_COMPLETE"
    for other in [key for key, kept in self.change_sets.items() if kept.stack_id == stack.stack_id]:
        del self.change_sets[other]  # CloudFormation drops a stack's change sets once one is executed


def _create(backend: CloudFormationBackend, stack: Stack, change_set: ChangeSet) -> None:
    stack.template, stack.parameters = change_set.template, change_set.parameters
    stack.tags, stack.role_arn = change_set.tags or {}, change_set.role_arn
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.resource_map = stack._create_resource_map()
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.create_resources()
    except Exception:  # whatever failed, CloudFormation rolls back
        failed = [e.logical_resource_id for e in stack.events if e.resource_status == "CREATE_FAILED"]
        stack._add_stack_event(
            "ROLLBACK_IN_PROGRESS",
            resource_status_reason=f"The following resource(s) failed to create: [{', '.join(failed)}]. "
            "Rollback requested by user.",
        )
        stack.resource_map.delete()
        stack._add_stack_event("ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
        return
    stack.output_map = stack._create_output_map()
    for export in stack.exports:
        backend.exports[export.name] = export


def _update(stack: Stack, change_set: ChangeSet) -> None:
    previous = (stack.template, dict(stack.resource_map.input_parameters))
    stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        _apply(stack, change_set.template, change_set.parameters)
    except Exception:  # whatever failed, CloudFormation rolls back
        failed = [e.logical_resource_id for e in stack.events if e.resource_status == "UPDATE_FAILED"]
        stack._add_stack_event(
            "UPDATE_ROLLBACK_IN_PROGRESS",
            resource_status_reason=f"The following resource(s) failed to update: [{', '.join(failed)}].",
        )
        _apply(stack, *previous, rollback=True)
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        return
    if change_set.tags:
        stack.tags = change_set.tags
    stack.role_arn = change_set.role_arn or stack.role_arn
    stack._add_stack_event("UPDATE_COMPLETE")
    stack.status = "UPDATE_COMPLETE"


def _apply(stack: Stack, template: Any, parameters: dict[str, str], *, rollback: bool = False) -> None:
    """An update takes the change set's values over those in force; a rollback takes back exactly the values in force
    before, so that a parameter left at its default then is at its default again."""
    stack.template = template
    stack._parse_template()
    values = parameters if rollback else {**stack.resource_map.input_parameters, **parameters}
    stack.resource_map.update(stack.template_dict, values)
    stack.parameters = dict(stack.resource_map.input_parameters)
    stack.output_map = stack._create_output_map()
