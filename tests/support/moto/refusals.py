"""Calls AWS documents as refused that moto 5.2.5 accepts, bent to be refused with AWS's error. Test code only.

Each bend sits where both an API call and moto's CloudFormation pass (the backend method, or the CloudFormation model
that calls the backend directly), so a stack that makes the call fails as it would on AWS. The error code is AWS's;
the message is AWS's where AWS publishes it (or where AWS's answer was observed, as said), else the documented
constraint's words.
- SageMaker CreateModel and CreateEndpointConfig: sagemaker_refusals.py.
- SageMaker CreateEndpoint and UpdateEndpoint (traffic steps, auto-rollback alarms and the execution role, variant
  names, instance types under auto scaling): deployment_refusals.py.
- EventBridge PutTargets: `SqsParameters.MessageGroupId` longer than 100 characters (botocore events `MessageGroupId`
  `"max":100`, https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html), ValidationException.
  (A FIFO queue target without content-based deduplication gets nothing: moto's own `Rule._send_to_sqs_queue` already
  drops the event, for every rule: "If you specify a fair or FIFO queue as a target, the queue must have content-based
  deduplication enabled.", EventBridge API Reference, Target.SqsParameters.)
- SNS Publish: "Constraints: Subjects must be UTF-8 text with no line breaks or control characters, and less than 100
  characters long." (botocore sns `PublishInput.Subject`, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
  moto refuses only more than 100. InvalidParameter, with the message AWS was seen to answer ("Invalid parameter:
  Subject", getmoto/moto#1276). An observation contradicts the text at exactly 100 (getmoto/moto#1503: AWS took 100);
  AWS's documentation is the oracle, so 100 is refused.
- CloudWatch PutMetricAlarm: an SNS action is `arn:aws:sns:region:account-id:sns-topic-name` (botocore cloudwatch
  `PutMetricAlarmInput.AlarmActions`); a topic of another Region is refused with ValidationError "Invalid region <its
  Region> specified. Only <the alarm's Region> is supported." (AWS's answer as observed, cds-snc/notification-terraform
  #128; AWS documents no message). Applies to AlarmActions, OKActions and InsufficientDataActions.
- AWS::CloudWatch::Dashboard: CloudWatch dashboards are global to the account, and PutDashboard overwrites ("If a
  dashboard with this name already exists, this call modifies that dashboard, replacing its current contents.",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html). The CloudFormation resource
  type is handler-based (cfn-lint's schema: `handlers.create.permissions` with `cloudwatch:GetDashboard`,
  `primaryIdentifier` DashboardName), and a create handler of an existing resource fails: "creates the resource again
  with the expectation that the second create operation will fail with the `AlreadyExists` error code." (CloudFormation
  CLI, Contract tests, `contract_create_create`, https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/
  contract-tests.html). moto's CloudFormation overwrote it; here a name that exists in any Region of the account
  fails the resource with HandlerErrorCode AlreadyExists, and an update that keeps the name overwrites it as
  PutDashboard does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.cloudformation.exceptions import ValidationError as StackError
from moto.cloudwatch.exceptions import ValidationError as CloudWatchValidationError
from moto.cloudwatch.models import CloudWatchBackend, Dashboard, cloudwatch_backends
from moto.events.exceptions import ValidationException as EventsValidationException
from moto.events.models import EventsBackend
from moto.sns.exceptions import SNSInvalidParameter
from moto.sns.models import SNSBackend
from moto.utilities.arns import parse_arn

from tests.support.moto.deployment_refusals import deployment_refusals
from tests.support.moto.sagemaker_refusals import sagemaker_refusals

MAX_MESSAGE_GROUP_ID = 100
SUBJECT_BELOW = 100  # "less than 100 characters long"
LINE_BREAKS_AND_CONTROLS = ("Cc", "Zl", "Zp")  # Unicode categories: control characters, line and paragraph separators


@contextmanager
def refusals_as_aws_documents() -> Iterator[None]:
    with ExitStack() as patches:
        patches.enter_context(sagemaker_refusals())
        patches.enter_context(deployment_refusals())
        for target, name, new in (
            (EventsBackend, "put_targets", _put_targets),
            (SNSBackend, "publish", _publish),
            (CloudWatchBackend, "put_metric_alarm", _put_metric_alarm),
            (Dashboard, "create_from_cloudformation_json", classmethod(_create_dashboard)),
            (Dashboard, "update_from_cloudformation_json", classmethod(_update_dashboard)),
        ):
            patches.enter_context(mock.patch.object(target, name, new))
        yield


_PUT_TARGETS = EventsBackend.put_targets


def _put_targets(self: EventsBackend, name: str, event_bus_arn: str | None, targets: list[dict[str, Any]]) -> None:
    for target in targets:
        group = str((target.get("SqsParameters") or {}).get("MessageGroupId") or "")
        if len(group) > MAX_MESSAGE_GROUP_ID:
            raise EventsValidationException(
                f"Target {target.get('Id')}: SqsParameters.MessageGroupId has {len(group)} characters: "
                f"Maximum length of {MAX_MESSAGE_GROUP_ID}."
            )
    _PUT_TARGETS(self, name, event_bus_arn, targets)


_PUBLISH = SNSBackend.publish


def _publish(self: SNSBackend, message: str, *args: Any, **kwargs: Any) -> str:
    subject = kwargs.get("subject")
    if subject is not None and (
        len(subject) >= SUBJECT_BELOW or any(unicodedata.category(c) in LINE_BREAKS_AND_CONTROLS for c in subject)
    ):
        raise SNSInvalidParameter("Invalid parameter: Subject")
    return _PUBLISH(self, message, *args, **kwargs)


_PUT_METRIC_ALARM = CloudWatchBackend.put_metric_alarm


def _put_metric_alarm(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
    kinds = ("alarm_actions", "ok_actions", "insufficient_data_actions")
    actions = [action for kind in kinds for action in kwargs.get(kind) or []]
    for action in actions:
        where = parse_arn(action) if str(action).startswith("arn:") else None
        if where is not None and where.service == "sns" and where.region != self.region_name:
            raise CloudWatchValidationError(
                f"Invalid region {where.region} specified. Only {self.region_name} is supported."
            )
    return _PUT_METRIC_ALARM(self, *args, **kwargs)


_CREATE_DASHBOARD = Dashboard.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_dashboard(cls: type[Dashboard], /, resource_name: str, cloudformation_json: Any, account_id: str,
                      region_name: str, **kwargs: Any) -> Dashboard:  # fmt: skip
    name = cloudformation_json["Properties"].get("DashboardName")
    if name and any(name in backend.dashboards for _, backend in cloudwatch_backends[account_id].items()):
        raise StackError(
            message=f'Resource handler returned message: "Dashboard {name} already exists" '
            "(HandlerErrorCode: AlreadyExists)"
        )
    return _CREATE_DASHBOARD(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[no-any-return]


def _update_dashboard(cls: type[Dashboard], /, original_resource: Dashboard, new_resource_name: str, *,
                      cloudformation_json: Any, account_id: str, region_name: str) -> Dashboard:  # fmt: skip
    """The same name: PutDashboard replaces its contents. A new name: the new one is created, then the old deleted."""
    properties = cloudformation_json["Properties"]
    if properties.get("DashboardName") in (None, original_resource.name):
        return cloudwatch_backends[account_id][region_name].put_dashboard(
            original_resource.name, properties["DashboardBody"]
        )
    replacement: Dashboard = cls.create_from_cloudformation_json(
        new_resource_name, cloudformation_json, account_id, region_name
    )
    cloudwatch_backends[account_id][region_name].delete_dashboards([original_resource.name])
    return replacement
