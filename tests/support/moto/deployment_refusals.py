"""Endpoint deployments that SageMaker documents as refused and moto 5.2.5 accepts. Test code only.

moto's CreateEndpoint drops DeploymentConfig and moto has no UpdateEndpoint; its CloudFormation creates an endpoint
and updates it (`FakeEndpoint.create_from_cloudformation_json`, `update_from_cloudformation_json`) without a look at
either. Here CreateEndpoint passes DeploymentConfig to the backend, UpdateEndpoint is added (it points the endpoint at
the new config), and the backend and the CloudFormation model share one check, answering ValidationException before
anything changes. AWS publishes no message for these refusals: each message is the documented constraint's words.
- TrafficRoutingConfig: CanarySize "`Value` must be less than or equal to 50% of the variant's total instance count.";
  LinearStepSize "`Value` must be 10-50% of the variant's total instance count." (botocore sagemaker
  `TrafficRoutingConfig`, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_TrafficRoutingConfig.html);
  RollingUpdatePolicy.MaximumBatchSize "Value must be between 5% to 50% of the variant's total instance count."
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RollingUpdatePolicy.html). The count is the new
  config's InitialInstanceCount; a serverless variant has none and is not checked (AWS is silent).
- AutoRollbackConfiguration: "Ensure that your IAM execution role has permission to perform the
  cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify." (SageMaker guide, Auto-Rollback
  Configuration and Monitoring, https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-configuration.html),
  and an alarm is "a CloudWatch alarm in your account" (botocore sagemaker `Alarm.AlarmName`). The execution role of
  each model of the config being deployed is evaluated with moto's own IAM policy evaluation
  (`moto.iam.access_control.IAMPolicy`, the one moto's request authorization uses), within its permissions boundary
  ("A permissions boundary policy defines the maximum permissions that identity-based policies can grant to an
  entity", botocore iam `CreateRoleRequest.PermissionsBoundary`; a boundary that is no policy of the account allows
  nothing); never with this project's `tests.support.iam_eval`. AWS does not say at which call it checks: both
  CreateEndpoint and UpdateEndpoint are checked here (the safe side). moto's evaluator treats a statement whose
  Condition the request does not meet as a Deny, so a role whose DescribeAlarms grant carries a Condition is refused
  (a stricter check).
- Tags of CreateEndpoint: as those of CreateModel (sagemaker_refusals.py).
- An update changes the variant names: "When doing a blue/green or rolling deployment, your new endpoint configuration
  must have the same variant name as the old endpoint configuration." (https://docs.aws.amazon.com/sagemaker/latest/dg/
  deployment-guardrails-exclusions.html). With no update policy "SageMaker uses a blue/green deployment strategy with
  all at once traffic shifting by default" (botocore sagemaker `DeploymentConfig.BlueGreenUpdatePolicy`), so every
  UpdateEndpoint is one of the two and every rename is refused.
- An update changes the instance type of a variant that Application Auto Scaling has as a target: "If the update would
  change the instance type for any model that is a target for auto scaling, the update fails." and "If you are trying
  to update the endpoint by calling the UpdateEndpoint API, the call fails." (https://docs.aws.amazon.com/sagemaker/
  latest/dg/endpoint-scaling-update.html).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.responses import ActionResult
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.iam.models import iam_backends
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.utilities.arns import parse_arn

from tests.support.moto.sagemaker_refusals import tag_problems

# (step, lowest %, highest %) of the variant's instance count, as the API Reference words each
STEP_LIMITS = {"CanarySize": (0, 50), "LinearStepSize": (10, 50), "MaximumBatchSize": (5, 50)}
SCALED_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
_SERVED: dict[str, list[dict[str, Any]]] = {}  # endpoint ARN -> the variants of the config it was put on


@contextmanager
def deployment_refusals() -> Iterator[None]:
    _SERVED.clear()
    with ExitStack() as patches:

        def patch(target: Any, name: str, new: Any) -> None:
            patches.enter_context(mock.patch.object(target, name, new, create=True))

        patch(SageMakerModelBackend, "create_endpoint", _create_endpoint)
        patch(SageMakerModelBackend, "update_endpoint", _update_endpoint)
        patch(SageMakerResponse, "create_endpoint", _create_endpoint_call)
        patch(SageMakerResponse, "update_endpoint", _update_endpoint_call)
        create = FakeEndpoint.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
        patch(FakeEndpoint, "create_from_cloudformation_json", classmethod(_checked_create(create)))
        update = FakeEndpoint.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]
        patch(FakeEndpoint, "update_from_cloudformation_json", classmethod(_checked_update(update)))
        yield


def refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError(message="; ".join(problems))


_CREATE_ENDPOINT = SageMakerModelBackend.create_endpoint


def _create_endpoint(
    self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str, tags: list[dict[str, str]],
    deployment_config: dict[str, Any] | None = None,
) -> FakeEndpoint:  # fmt: skip
    refuse(tag_problems(tags) + deployment_problems(self, endpoint_config_name, deployment_config))
    endpoint = _CREATE_ENDPOINT(self, endpoint_name, endpoint_config_name, tags)
    _SERVED[endpoint.arn] = copy.deepcopy(self.endpoint_configs[endpoint_config_name].production_variants)
    return endpoint


def _update_endpoint(self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str,
                     deployment_config: dict[str, Any] | None = None) -> FakeEndpoint:  # fmt: skip
    """UpdateEndpoint: the endpoint serves the new config's variants once the checks pass."""
    self.describe_endpoint(endpoint_name)  # a missing endpoint or config answers as moto's own calls do
    self.describe_endpoint_config(endpoint_config_name)
    refuse(update_problems(self, endpoint_name, endpoint_config_name, deployment_config))
    endpoint, variants = self.endpoints[endpoint_name], self.endpoint_configs[endpoint_config_name].production_variants
    endpoint.endpoint_config_name = endpoint_config_name
    endpoint.production_variants = endpoint._process_production_variants(variants)
    _SERVED[endpoint.arn] = copy.deepcopy(variants)
    return endpoint


def _create_endpoint_call(self: SageMakerResponse) -> ActionResult:
    endpoint = self.sagemaker_backend.create_endpoint(  # type: ignore[call-arg]  # patched to take it
        endpoint_name=self._get_param("EndpointName"), endpoint_config_name=self._get_param("EndpointConfigName"),
        tags=self._get_param("Tags"), deployment_config=self._get_param("DeploymentConfig"),
    )  # fmt: skip
    return ActionResult({"EndpointArn": endpoint.arn})


def _update_endpoint_call(self: SageMakerResponse) -> ActionResult:
    endpoint = self.sagemaker_backend.update_endpoint(  # type: ignore[attr-defined]
        endpoint_name=self._get_param("EndpointName"), endpoint_config_name=self._get_param("EndpointConfigName"),
        deployment_config=self._get_param("DeploymentConfig"),
    )  # fmt: skip
    return ActionResult({"EndpointArn": endpoint.arn})


def _checked_create(create: Any) -> Any:
    def create_checked(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str,
                       **kwargs: Any) -> FakeEndpoint:  # fmt: skip
        properties = cloudformation_json["Properties"]
        backend = sagemaker_backends[account_id][region_name]
        refuse(deployment_problems(backend, properties["EndpointConfigName"], properties.get("DeploymentConfig")))
        return create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[no-any-return]

    return create_checked


def _checked_update(update: Any) -> Any:
    def update_checked(cls: type, **arguments: Any) -> FakeEndpoint:  # moto passes them by keyword
        """An update in place is an UpdateEndpoint, checked before moto deletes and re-creates the endpoint."""
        original, properties = arguments["original_resource"], arguments["cloudformation_json"]["Properties"]
        if properties.get("EndpointName") in (None, original.endpoint_name):  # a new name replaces: a create
            backend = sagemaker_backends[arguments["account_id"]][arguments["region_name"]]
            refuse(update_problems(backend, original.endpoint_name, properties["EndpointConfigName"],
                                   properties.get("DeploymentConfig")))  # fmt: skip
        return update(cls, **arguments)  # type: ignore[no-any-return]

    return update_checked


def update_problems(backend: SageMakerModelBackend, endpoint_name: str, config_name: str,
                    deployment_config: dict[str, Any] | None) -> list[str]:  # fmt: skip
    endpoint = backend.endpoints[endpoint_name]
    before = {v["VariantName"]: v for v in _SERVED.get(endpoint.arn) or endpoint.production_variants}
    config = backend.endpoint_configs.get(config_name)
    after = {v["VariantName"]: v for v in (config.production_variants if config else [])}
    problems = []
    if config and set(before) != set(after):
        problems.append(
            f"Variant names {sorted(after)} differ from the endpoint's {sorted(before)}: when doing a blue/green or "
            "rolling deployment, your new endpoint configuration must have the same variant name as the old "
            "endpoint configuration."
        )
    scaling = applicationautoscaling_backends[backend.account_id][backend.region_name]
    for name in sorted(set(before) & set(after)):
        old_type, new_type = before[name].get("InstanceType"), after[name].get("InstanceType")
        target = scaling.targets.get(SCALED_DIMENSION, {}).get(f"endpoint/{endpoint_name}/variant/{name}")
        if old_type != new_type and target is not None and target.service_namespace == "sagemaker":
            problems.append(
                f"Variant {name} is a target for auto scaling and the update would change its instance type "
                f"({old_type} -> {new_type}): the update fails; deregister the scalable target first."
            )
    return problems + deployment_problems(backend, config_name, deployment_config)


def deployment_problems(backend: SageMakerModelBackend, config_name: str,
                        deployment_config: dict[str, Any] | None) -> list[str]:  # fmt: skip
    config = backend.endpoint_configs.get(config_name)
    if not deployment_config or config is None:  # a missing config answers as moto's own call does
        return []
    return _step_problems(deployment_config, config.production_variants) + _rollback_problems(
        backend, config.production_variants, deployment_config.get("AutoRollbackConfiguration") or {}
    )


def _step_problems(deployment_config: dict[str, Any], variants: list[dict[str, Any]]) -> list[str]:
    blue_green = deployment_config.get("BlueGreenUpdatePolicy") or {}
    rolling = deployment_config.get("RollingUpdatePolicy") or {}
    steps = {**(blue_green.get("TrafficRoutingConfiguration") or {}), **rolling}
    found = (
        _step_problem(step, size, variant)
        for step, size in steps.items()
        if step in STEP_LIMITS and size
        for variant in variants
    )
    return [problem for problem in found if problem]


def _step_problem(step: str, size: dict[str, Any], variant: dict[str, Any]) -> str | None:
    count = variant.get("InitialInstanceCount")
    if count is None:  # serverless: no instances to take a share of
        return None
    lowest, highest = STEP_LIMITS[step]
    value = float(size["Value"])
    share = value if size["Type"] == "CAPACITY_PERCENT" else 100 * value / float(count)
    if lowest <= share <= highest:
        return None
    return (
        f"{step} {size['Type']} {size['Value']} is {share:g}% of variant {variant['VariantName']}'s {count} "
        f"instances: Value must be {_range(lowest, highest)} of the variant's total instance count."
    )


def _range(lowest: int, highest: int) -> str:
    return f"less than or equal to {highest}%" if lowest == 0 else f"{lowest}-{highest}%"


def _rollback_problems(backend: SageMakerModelBackend, variants: list[dict[str, Any]],
                       rollback: dict[str, Any]) -> list[str]:  # fmt: skip
    names = [str(alarm["AlarmName"]) for alarm in rollback.get("Alarms") or []]
    alarms = {a.name: a for a in cloudwatch_backends[backend.account_id][backend.region_name].alarms.values()}
    problems = [f"Auto-rollback alarm {name} is not a CloudWatch alarm in your account." for name in names
                if name not in alarms]  # fmt: skip
    models = [backend._models[v["ModelName"]] for v in variants if v["ModelName"] in backend._models]
    for role in sorted({model.execution_role_arn for model in models}):
        problems += [
            f"Ensure that your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on "
            f"the auto-rollback alarms you specify: {role} may not on {alarms[name].alarm_arn}."
            for name in names
            if name in alarms and not role_allows(role, "cloudwatch:DescribeAlarms", alarms[name].alarm_arn)
        ]
    return problems


def role_allows(role_arn: str, action: str, resource: str) -> bool:
    """moto's IAM policy evaluation of the role's inline and attached policies, within its permissions boundary."""
    iam = iam_backends[parse_arn(role_arn).account]["aws"]
    role = next((r for r in iam.get_roles() if r.arn == role_arn), None)
    if role is None:
        return False
    documents: list[Any] = [_as_text(document) for document in role.policies.values()]
    documents += list(role.managed_policies.values())
    results = {IAMPolicy(document).is_action_permitted(action, resource) for document in documents}
    allowed = PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results
    boundary = role.permissions_boundary_arn
    if allowed and boundary:
        policy = iam.managed_policies.get(boundary)  # moto keeps AWS's managed policies here too, when it loads them
        allowed = policy is not None and IAMPolicy(policy).is_action_permitted(action, resource) == (
            PermissionResult.PERMITTED
        )
    return allowed


def _as_text(document: Any) -> str:
    """A role's inline policy as moto keeps it: text from the API, a dict from CloudFormation."""
    return document if isinstance(document, str) else json.dumps(document)
