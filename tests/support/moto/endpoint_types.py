"""Serverless and asynchronous endpoints from CloudFormation, where moto 5.2.5 differs. Test code only.

- CloudFormation converts each property to the type the resource schema declares: AWS::SageMaker::EndpointConfig
  declares ServerlessConfig's MemorySizeInMB, MaxConcurrency and ProvisionedConcurrency, and AsyncInferenceConfig's
  ClientConfig.MaxConcurrentInvocationsPerInstance, as integers (CloudFormation Template Reference,
  AWS::SageMaker::EndpointConfig ServerlessConfig and AsyncInferenceClientConfig: "Type: Integer"). moto passes the
  parameter's string, which its serverless check then rejects.
- A new EndpointName replaces an AWS::SageMaker::Endpoint ("Update requires: Replacement"): CloudFormation
  creates the endpoint under the new name and deletes the old one when it cleans up. moto updated it in place,
  under the old name.
- AWS::ApplicationAutoScaling::ScalableTarget and ScalingPolicy are not types moto's CloudFormation knows (it
  skips them): they are added (`SCALING_MODELS`, merged into bends.EXTRA_MODELS), registering and putting as the
  Application Auto Scaling API does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.common_models import CloudFormationModel
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig

INTEGERS = {
    "ServerlessConfig": ("MemorySizeInMB", "MaxConcurrency", "ProvisionedConcurrency"),
}


@contextmanager
def endpoint_types_as_cloudformation_makes_them() -> Iterator[None]:
    with ExitStack() as patches:
        create_config = FakeEndpointConfig.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
        patches.enter_context(
            mock.patch.object(FakeEndpointConfig, "create_from_cloudformation_json", classmethod(_typed(create_config)))
        )
        update_endpoint = FakeEndpoint.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]
        patches.enter_context(
            mock.patch.object(FakeEndpoint, "update_from_cloudformation_json", classmethod(_replacing(update_endpoint)))
        )
        yield


def _typed(create: Any) -> Any:
    def create_typed(cls: type, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        properties = cloudformation_json["Properties"]
        for variant in properties.get("ProductionVariants", []):
            config = variant.get("ServerlessConfig")
            for key in INTEGERS["ServerlessConfig"] if config else ():
                if key in config:
                    config[key] = int(config[key])
        client = (properties.get("AsyncInferenceConfig") or {}).get("ClientConfig") or {}
        if "MaxConcurrentInvocationsPerInstance" in client:
            client["MaxConcurrentInvocationsPerInstance"] = int(client["MaxConcurrentInvocationsPerInstance"])
        return create(cls, resource_name, cloudformation_json, *args, **kwargs)

    return create_typed


def _replacing(update: Any) -> Any:
    def update_or_replace(cls: type, **arguments: Any) -> FakeEndpoint:  # moto passes them by keyword
        original, properties = arguments["original_resource"], arguments["cloudformation_json"]["Properties"]
        name = properties.get("EndpointName")
        if not name or name == original.endpoint_name:
            return update(cls, **arguments)  # type: ignore[no-any-return]
        account_id, region_name = arguments["account_id"], arguments["region_name"]
        replacement: FakeEndpoint = FakeEndpoint.create_from_cloudformation_json(
            name, arguments["cloudformation_json"], account_id, region_name
        )
        FakeEndpoint.delete_from_cloudformation_json(
            original.arn, arguments["cloudformation_json"], account_id, region_name
        )
        return replacement

    return update_or_replace


class _FromProperties(CloudFormationModel):
    """A model made from its resource's properties alone, on create and on update alike (Application Auto Scaling's
    calls are idempotent: registering or putting again replaces)."""

    def __init__(self, account_id: str, region_name: str, properties: dict[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,  # noqa: ARG003  # moto's interface
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **_kwargs: Any,
    ) -> Any:
        return cls(account_id, region_name, cloudformation_json["Properties"])

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str,  # noqa: ARG003  # moto's interface
        region_name: str,
    ) -> Any:  # fmt: skip
        return cls(account_id, region_name, cloudformation_json["Properties"])


class _ScalableTarget(_FromProperties):
    """AWS::ApplicationAutoScaling::ScalableTarget, which moto's CloudFormation skips: registered as
    RegisterScalableTarget would. Ref is `<ResourceId>|<ScalableDimension>|<ServiceNamespace>`, the form the
    CloudFormation Template Reference gives for its return value."""

    def __init__(self, account_id: str, region_name: str, properties: dict[str, Any]) -> None:
        self.account_id, self.region_name = account_id, region_name
        self.namespace, self.resource_id = properties["ServiceNamespace"], properties["ResourceId"]
        self.dimension = properties["ScalableDimension"]
        applicationautoscaling_backends[account_id][region_name].register_scalable_target(
            self.namespace, self.resource_id, self.dimension, int(properties["MinCapacity"]),
            int(properties["MaxCapacity"]), properties.get("RoleARN", ""),
            None,  # type: ignore[arg-type]  # no SuspendedState: what moto's own API handler passes
        )  # fmt: skip

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalableTarget"

    @property
    def physical_resource_id(self) -> str:
        return f"{self.resource_id}|{self.dimension}|{self.namespace}"

    def delete(self, account_id: str, region_name: str) -> None:
        backend = applicationautoscaling_backends[account_id][region_name]
        backend.deregister_scalable_target(self.namespace, self.resource_id, self.dimension)


class _ScalingPolicy(_FromProperties):
    """AWS::ApplicationAutoScaling::ScalingPolicy, which moto's CloudFormation skips: put as PutScalingPolicy
    would, on the target its ScalingTargetId names. Ref is the policy's ARN (Template Reference)."""

    def __init__(self, account_id: str, region_name: str, properties: dict[str, Any]) -> None:
        self.account_id, self.region_name, self.name = account_id, region_name, properties["PolicyName"]
        self.resource_id, self.dimension, self.namespace = properties["ScalingTargetId"].split("|")
        body = (
            properties.get("TargetTrackingScalingPolicyConfiguration") or properties["StepScalingPolicyConfiguration"]
        )
        policy = applicationautoscaling_backends[account_id][region_name].put_scaling_policy(
            self.name, self.namespace, self.resource_id, self.dimension, body, properties["PolicyType"]
        )
        self.arn = policy.policy_arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApplicationAutoScaling::ScalingPolicy"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def delete(self, account_id: str, region_name: str) -> None:
        backend = applicationautoscaling_backends[account_id][region_name]
        backend.delete_scaling_policy(self.name, self.namespace, self.resource_id, self.dimension)


SCALING_MODELS = {model.cloudformation_type(): model for model in (_ScalableTarget, _ScalingPolicy)}
