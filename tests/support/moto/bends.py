"""What moto 5.2.5 needs bent to deploy this template with its real custom resource. Test code only.

Each patch fixes one gap between moto and CloudFormation, and is undone when the context ends:
- YAML `!GetAtt [Resource, Attribute]` (the list form) reaches moto as YAML nodes instead of strings, and so does
  `!ImportValue {Fn::Sub: ...}` (a mapping, as an import built with Fn::Sub must be written: the short form of
  !ImportValue cannot contain !Sub, CloudFormation Template Reference, Fn::ImportValue).
- YAML `!Condition Name` becomes `Fn::Condition`, which moto's condition evaluator does not know (it reads
  `Condition`, the form the YAML short tag stands for), so an `!And` naming another condition is always false.
- `Ref: AWS::NoValue` inside a list (our conditional tags) stays a null item instead of vanishing.
- `AWS::SageMaker::Endpoint` ignores its `EndpointName` property and invents a name.
- `AWS::KMS::Key` stores its KeyPolicy as a dict, so later KMS calls on the key fail: it is stored as JSON.
  Its Tags, CloudFormation's `Key`/`Value`, reach KMS's CreateKey, which reads `TagKey`/`TagValue` and fails
  ('TagKey'): they are renamed (a stack with the SageMaker project's tags, tests/e2e/test_project.py).
- `AWS::EC2::SecurityGroup` ignores `SecurityGroupEgress` and keeps the default allow-all egress rule, which
  CloudFormation replaces with the given rules.
- Custom resources: moto runs the Lambda only through Docker (absent here), in a thread, and never sends
  Update or Delete. Here the Lambda's own zip, as moto stored it from S3, runs in a Lambda-like subprocess
  (`LambdaSandbox`) while CloudFormation waits, answering over HTTPS to the ResponseURL (a
  `ResponseRecorder`); its answer sets the resource's attributes. Update and Delete send their events the
  same way; an Update that answers a new physical id is followed by a Delete of the old one, as
  CloudFormation does when it cleans up.
- `AWS::IAM::Role` ignores `ManagedPolicyArns`: the policies are attached here, as CloudFormation attaches them.
- A bucket policy's statements apply whatever their Condition: the artifacts bucket's "deny plain HTTP"
  would deny every call to moto's http:// endpoint. Requests to AWS use TLS, so that statement is dropped
  (tls_buckets.py, which the acceptance lane's offline tests use alone).
- A function runs with credentials of its own account: moto has one set for all, its default account's. A
  function of another account gets that account's credentials (`account_env`), as its role's would be.
- `AWS::CloudWatch::Alarm` is not a resource moto's CloudFormation knows (it warns and skips it): it is added
  (`EXTRA_MODELS`), putting the alarm as PutMetricAlarm would, named as CloudFormation names it.
- A stack keeps a `None` among its resources for each type moto does not model (the dashboard), and
  DescribeStackResource crashes on it: it looks past them.
- CloudWatch's DescribeAlarmHistory is missing, though moto keeps each alarm's past states: it answers here with
  one StateUpdate item per state change, its HistoryData shaped as the CloudWatch API Reference's
  DescribeAlarmHistory example shows (`oldState`/`newState` with `stateValue`).
- Not a gap but the suite's speed: moto parses every template with pure-Python PyYAML, several times per change
  set, and ours is 100 KB. Each text is parsed once (`_parsed_once`) and handed out as a deep copy, so moto sees
  exactly what its own parse gives.
- Change sets, their execution and rollback, resource events and updates: moto_change_sets.py.
- A registry account serving a workload account: cross_account.py.
- StackSets and their instances: stack_sets.py.
- Serverless and asynchronous endpoint configs, and an endpoint replaced under a new name: endpoint_types.py.
- A replaced Model and EndpointConfig kept under UpdateReplacePolicy Retain, found by tag through the Resource Groups
  Tagging API, and an endpoint that SageMaker takes back to its previous config: retained.py.
- Calls AWS documents as refused and moto accepts (SageMaker models, configs and deployments, EventBridge targets, SNS
  subjects, alarm actions in another Region, a dashboard name that exists), refused with AWS's error: refusals.py.
- Inference components (the API, CloudFormation's type, their scalable targets) and endpoints without a model:
  inference_components.py.
"""

from __future__ import annotations

import itertools
import json
import pickle
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import moto
import yaml
from moto.awslambda.utils import get_backend as get_lambda_backend
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.utils import yaml_tag_constructor
from moto.cloudwatch.models import cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroup
from moto.iam.models import Role, iam_backends
from moto.kms.models import Key
from moto.s3.models import FakeBucket
from moto.sagemaker.models import FakeEndpoint

from tests.support.cfn_response_server import ResponseRecorder
from tests.support.lambda_runtime import LambdaSandbox
from tests.support.moto.change_sets import cloudformation_like_change_sets
from tests.support.moto.endpoint_types import SCALING_MODELS, endpoint_types_as_cloudformation_makes_them
from tests.support.moto.inference_components import MODELS as COMPONENT_MODELS
from tests.support.moto.inference_components import inference_components_as_documented
from tests.support.moto.refusals import refusals_as_aws_documents
from tests.support.moto.retained import retained_as_cloudformation_retains
from tests.support.moto.stack_sets import stack_sets_as_documented
from tests.support.moto.tls_buckets import tls_bucket_permission

MOTO_VERSION = "5.2.5"  # the version these bends were written against
EXTRA_MODELS: dict[str, Any] = {}  # CloudFormation resource type -> its model here, for the types moto lacks


@dataclass
class CustomResourceRuntime:
    """Where the custom resource's Lambda runs and where it answers; what it was asked, in order."""

    sandbox: LambdaSandbox
    responses: ResponseRecorder
    aws_env: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    account_env: dict[str, dict[str, str]] = field(default_factory=dict)  # account -> its credentials

    def call(self, function: Any, event: dict[str, Any], region: str) -> dict[str, Any]:
        self.requests.append(event)
        already = len(self.responses.responses)
        code = self.sandbox.unpack(function.code_bytes, function.code_sha_256)
        run = self.sandbox.invoke(
            code,
            function.handler,
            event,
            {**self.aws_env, **self.account_env.get(function.account_id, {})},
            region=region,
            timeout_seconds=int(function.timeout),
            function_name=function.function_name,
        )
        answers = [
            r for r in self.responses.wait(already + 1, timeout=5)[already:] if r["RequestId"] == event["RequestId"]
        ]
        if not answers:
            raise ValidationError(message=f"{event['LogicalResourceId']} never answered: {run.stderr[-2000:]}")
        return answers[0]


def failed_response(answer: dict[str, Any]) -> str:
    """The reason CloudFormation gives a resource whose custom resource answered FAILED."""
    return f"Received response status [FAILED] from custom resource. Message returned: {answer['Reason']}"


@contextmanager
def bent_moto(runtime: CustomResourceRuntime) -> Iterator[CustomResourceRuntime]:
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"tests/e2e/moto_bends.py fits moto {MOTO_VERSION}, not {moto.__version__}: review it")
    with ExitStack() as patches:
        for module in (cfn_models, cfn_responses):
            patches.enter_context(mock.patch.object(module, "yaml_tag_constructor", _yaml_tag_constructor))
        patches.enter_context(mock.patch.object(yaml, "load", _parsed_once(yaml.load)))
        patches.enter_context(mock.patch.object(cfn_parsing, "clean_json", _dropping_no_value(cfn_parsing.clean_json)))
        patches.enter_context(
            mock.patch.object(FakeEndpoint, "cloudformation_name_type", staticmethod(lambda: "EndpointName"))
        )
        patches.enter_context(
            mock.patch.object(Key, "create_from_cloudformation_json", classmethod(_key_with_json_policy))
        )
        patches.enter_context(
            mock.patch.object(SecurityGroup, "create_from_cloudformation_json", classmethod(_group_with_egress))
        )
        patches.enter_context(
            mock.patch.object(CustomModel, "create_from_cloudformation_json", classmethod(_creator(runtime)))
        )
        patches.enter_context(
            mock.patch.object(CustomModel, "update_from_cloudformation_json", classmethod(_updater(runtime)))
        )
        patches.enter_context(mock.patch.object(CustomModel, "delete", _deleter(runtime), create=True))
        patches.enter_context(mock.patch.object(FakeBucket, "get_permission", tls_bucket_permission))
        patches.enter_context(
            mock.patch.object(Role, "create_from_cloudformation_json", classmethod(_role_with_managed_policies))
        )
        patches.enter_context(cloudformation_like_change_sets())
        patches.enter_context(stack_sets_as_documented())
        patches.enter_context(endpoint_types_as_cloudformation_makes_them())
        patches.enter_context(retained_as_cloudformation_retains())
        patches.enter_context(refusals_as_aws_documents())  # after endpoint_types: it checks the update it wraps
        patches.enter_context(inference_components_as_documented())
        patches.enter_context(mock.patch.object(cfn_parsing, "resource_class_from_type", _with_extra_models))
        patches.enter_context(
            mock.patch.object(CloudWatchResponse, "describe_alarm_history", _describe_alarm_history, create=True)
        )
        patches.enter_context(
            mock.patch.object(cfn_models.CloudFormationBackend, "describe_stack_resource", _describe_stack_resource)
        )
        patches.enter_context(mock.patch.dict(EXTRA_MODELS, {_CloudWatchAlarm.cloudformation_type(): _CloudWatchAlarm}))
        patches.enter_context(mock.patch.dict(EXTRA_MODELS, SCALING_MODELS))
        patches.enter_context(mock.patch.dict(EXTRA_MODELS, COMPONENT_MODELS))
        yield runtime


_resource_class_from_type = cfn_parsing.resource_class_from_type


def _with_extra_models(resource_type: str) -> Any:
    return EXTRA_MODELS.get(resource_type) or _resource_class_from_type(resource_type)


class _CloudWatchAlarm(CloudFormationModel):
    """AWS::CloudWatch::Alarm, a metric alarm: Ref is its name, GetAtt Arn its ARN."""

    def __init__(self, account_id: str, region_name: str, name: str, arn: str) -> None:
        self.account_id, self.region_name, self.name, self.arn = account_id, region_name, name, arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_kwargs: Any
    ) -> _CloudWatchAlarm:
        p = cloudformation_json["Properties"]
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=p.get("AlarmName", resource_name), namespace=p.get("Namespace"), metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"], evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p.get("Period", 60)), threshold=float(p.get("Threshold", 0)), statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"), description=p.get("AlarmDescription", ""),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions", [])],
            alarm_actions=p.get("AlarmActions", []), ok_actions=p.get("OKActions", []),
        )  # fmt: skip
        return cls(account_id, region_name, alarm.name, alarm.alarm_arn)

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        assert attribute_name == "Arn", attribute_name
        return self.arn

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([self.name])


def _describe_stack_resource(self: Any, stack_name: str, logical_resource_id: str) -> Any:
    stack = self.get_stack(stack_name)
    for resource in stack.stack_resources:
        if resource is not None and resource.logical_resource_id == logical_resource_id:
            return stack, resource
    raise ValidationError(stack_name, f"Resource {logical_resource_id} does not exist for stack {stack_name}")


def _describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
    """StateUpdate items of one alarm, newest first, from StartDate on."""
    (alarm,) = [a for a in self.cloudwatch_backend.describe_alarms() if a.name == self._get_param("AlarmName")]
    states = [(old_value, when) for _, _, _, old_value, when in alarm.history] + [
        (alarm.state_value, alarm.state_updated_timestamp)
    ]
    start = self._get_param("StartDate")
    items = [
        {
            "AlarmName": alarm.name,
            "Timestamp": when,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old} to {new}",
            "HistoryData": json.dumps(
                {"version": "1.0", "oldState": {"stateValue": old}, "newState": {"stateValue": new}}
            ),
        }
        for (old, _), (new, when) in itertools.pairwise(states)
        if start is None or when >= _as_datetime(start)
    ]
    return ActionResult({"AlarmHistoryItems": list(reversed(items))})


def _as_datetime(value: Any) -> Any:
    from datetime import datetime  # noqa: PLC0415

    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


_create_role = Role.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _role_with_managed_policies(
    cls: type[Role], /, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
) -> Role:
    role: Role = _create_role(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    for policy_arn in cloudformation_json["Properties"].get("ManagedPolicyArns", []):
        iam_backends[account_id]["aws"].attach_role_policy(policy_arn, role.name)
    return role


_PARSED: dict[str, bytes] = {}


def _parsed_once(load: Any) -> Any:
    """yaml.load of moto's templates (a str, its Loader) from a cache of the first parse, copied each time (a pickle
    of plain data: five times faster than copy.deepcopy)."""

    def load_once(stream: Any, Loader: Any = None) -> Any:  # yaml.load's own keyword
        if Loader is not yaml.Loader or not isinstance(stream, str):
            return load(stream, Loader=Loader)
        if stream not in _PARSED:
            _PARSED[stream] = pickle.dumps(load(stream, Loader=Loader))
        return pickle.loads(_PARSED[stream])  # our own bytes

    return load_once


def _yaml_tag_constructor(loader: yaml.Loader, tag: str, node: yaml.Node) -> Any:
    if tag == "!GetAtt" and isinstance(node, yaml.SequenceNode):
        return {"Fn::GetAtt": loader.construct_sequence(node)}
    if tag == "!ImportValue" and isinstance(node, yaml.MappingNode):
        return {"Fn::ImportValue": loader.construct_mapping(node, deep=True)}
    if tag == "!Condition":
        return {"Condition": loader.construct_scalar(node)}  # type: ignore[arg-type]
    return yaml_tag_constructor(loader, tag, node)


_create_key = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _key_with_json_policy(
    cls: type[Key], resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any
) -> Key:
    properties = cloudformation_json["Properties"]
    # CloudFormation's Tags are Key/Value (AWS::KMS::Key Tag); KMS's CreateKey takes TagKey/TagValue.
    tags = [{"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags") or []]
    changed = {"KeyPolicy": json.dumps(properties["KeyPolicy"]), "Tags": tags}
    as_json = {**cloudformation_json, "Properties": {**properties, **changed}}
    return _create_key(cls, resource_name, as_json, *args, **kwargs)  # type: ignore[no-any-return]


_create_group = SecurityGroup.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _group_with_egress(
    cls: type[SecurityGroup], /, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str,
    **kwargs: Any,
) -> SecurityGroup:  # fmt: skip
    group: SecurityGroup = _create_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    rules = cloudformation_json["Properties"].get("SecurityGroupEgress")
    if rules:
        group.egress_rules = []
        for rule in rules:
            ec2_backends[account_id][region_name].authorize_security_group_egress(
                group.id,
                rule["IpProtocol"],
                rule["FromPort"],
                rule["ToPort"],
                ip_ranges=[{"CidrIp": rule["CidrIp"], "Description": rule.get("Description", "")}],
                vpc_id=group.vpc_id,
            )
    return group


def _dropping_no_value(clean_json: Any) -> Any:
    def clean(resource_json: Any, resources_map: Any) -> Any:
        cleaned = clean_json(resource_json, resources_map)
        if isinstance(resource_json, list) and isinstance(cleaned, list):
            return [item for item in cleaned if item is not None]
        return cleaned

    return clean


def _creator(runtime: CustomResourceRuntime) -> Any:
    def create(
        cls: type[CustomModel], _resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
        region_name: str, **kwargs: Any,
    ) -> CustomModel:  # fmt: skip
        """Create: run the Lambda while CloudFormation waits; the resource's name is its answer's physical id."""
        properties = cloudformation_json["Properties"]
        function = get_lambda_backend(account_id, region_name).get_function(properties["ServiceToken"])
        event = _event(
            "Create", runtime, properties=properties, stack_id=kwargs["StackId"], logical_id=kwargs["LogicalId"],
            resource_type=kwargs["ResourceType"],
        )  # fmt: skip
        answer = runtime.call(function, event, region_name)
        if answer["Status"] != "SUCCESS":
            raise ValidationError(message=failed_response(answer))
        resource = cls(region_name, event["RequestId"], kwargs["LogicalId"], answer["PhysicalResourceId"])
        resource.set_data(answer["Data"])
        resource.event_context = (properties, kwargs["StackId"], kwargs["ResourceType"], function)  # type: ignore[attr-defined]
        cfn_models.cloudformation_backends[account_id][region_name].get_stack(kwargs["StackId"]).add_custom_resource(
            resource
        )
        return resource

    return create


def _updater(runtime: CustomResourceRuntime) -> Any:
    def update(
        cls: type[CustomModel], *, original_resource: CustomModel, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str, **_new_resource_name: str,
    ) -> CustomModel:  # fmt: skip
        """Update: the old physical id and properties go with the event; a new id retires the old one."""
        old_properties, stack_id, resource_type, function = original_resource.event_context  # type: ignore[attr-defined]
        properties = cloudformation_json["Properties"]
        event = _event(
            "Update", runtime, properties=properties, stack_id=stack_id,
            logical_id=original_resource.logical_id, resource_type=resource_type,
        )  # fmt: skip
        event["PhysicalResourceId"] = original_resource.physical_resource_id
        event["OldResourceProperties"] = _as_sent(old_properties)
        answer = runtime.call(function, event, region_name)
        if answer["Status"] != "SUCCESS":
            raise ValidationError(message=failed_response(answer))
        resource = cls(region_name, event["RequestId"], original_resource.logical_id, answer["PhysicalResourceId"])
        resource.set_data(answer["Data"])
        resource.event_context = (properties, stack_id, resource_type, function)  # type: ignore[attr-defined]
        cfn_models.cloudformation_backends[account_id][region_name].get_stack(stack_id).add_custom_resource(resource)
        if resource.physical_resource_id != original_resource.physical_resource_id:
            original_resource.delete(account_id, region_name)  # type: ignore[attr-defined]
        return resource

    return update


def _deleter(runtime: CustomResourceRuntime) -> Any:
    def delete(self: CustomModel, _account_id: str, region_name: str) -> None:
        properties, stack_id, resource_type, function = self.event_context  # type: ignore[attr-defined]
        event = _event(
            "Delete", runtime, properties=properties, stack_id=stack_id, logical_id=self.logical_id,
            resource_type=resource_type,
        )  # fmt: skip
        event["PhysicalResourceId"] = self.physical_resource_id
        answer = runtime.call(function, event, region_name)
        if answer["Status"] != "SUCCESS":
            raise ValidationError(message=failed_response(answer))

    return delete


def _event(
    kind: str, runtime: CustomResourceRuntime, *, properties: dict[str, Any], stack_id: str, logical_id: str,
    resource_type: str,
) -> dict[str, Any]:  # fmt: skip
    return {
        "RequestType": kind,
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": runtime.responses.url,
        "StackId": stack_id,
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "ResourceProperties": _as_sent(properties),
    }


def _as_sent(properties: dict[str, Any]) -> dict[str, Any]:
    """Properties as CloudFormation sends them to a custom resource: scalars as strings, lists as lists of strings."""
    return {
        key: [str(v) for v in value] if isinstance(value, list) else str(value) for key, value in properties.items()
    }
