"""Inference components, which moto 5.2.5 does not model at all, and the endpoints that host them. Test code only;
undone when the context ends.

- SageMaker's API: CreateInferenceComponent, DescribeInferenceComponent, UpdateInferenceComponent,
  UpdateInferenceComponentRuntimeConfig, DeleteInferenceComponent and ListInferenceComponents, kept per account and
  Region on moto's SageMaker backend and answered in the shapes of botocore's sagemaker service model (moto serializes
  each answer by its output shape). moto has no deployments: a component is InService at once, with as many copies as
  asked ("DesiredCopyCount": "The number of runtime copies of the model container that you requested", and
  "CurrentCopyCount": "that are currently deployed": InferenceComponentRuntimeConfigSummary).
- What SageMaker refuses, in the words AWS or a field report gives:
  - a component on a variant with a model: "Inference Components are not supported in this Endpoint. Please make
    sure this endpoint can deploy inference components." (https://github.com/hashicorp/terraform-provider-aws/issues/
    40644);
  - a component created with no copy: "Inference components copy count an integer larger than 0"
    (https://github.com/stdapi-ai/stdapi.ai/issues/43);
  - an endpoint, model or component it does not know: ValidationException "Could not find ...", SageMaker's answer
    for a name it does not know, as moto gives it for endpoints and models;
  - deleting an endpoint that still hosts components: the console says "There are some underlying Models that are
    part of this endpoint. Please delete the resources under Model tabs." (https://github.com/aws/
    amazon-sagemaker-feedback/issues/143); the API's answer is reported as "Endpoint has inference components
    attached" (a third-party code comment), which is the message here.
- An EndpointConfig's variant without ModelName: ProductionVariant requires only VariantName (botocore's shape,
  `required: ['VariantName']`); moto's backend reads ModelName of every variant.
- AWS::SageMaker::InferenceComponent in CloudFormation: properties converted to the types its schema declares
  (CloudFormation converts each property to the schema's type; moto passes the parameters' strings), Ref its ARN
  ("Ref returns the Amazon Resource Name (ARN) of the inference component": CloudFormation Template Reference). An
  update calls UpdateInferenceComponent with the Specification and the DeploymentConfig, and
  UpdateInferenceComponentRuntimeConfig only when CopyCount changed: the update handler's permissions name both
  (cfn-lint's schema), and AWS does not say whether it re-sends an unchanged CopyCount.
- Application Auto Scaling: resource id `inference-component/<name>` on `sagemaker:inference-component:DesiredCopyCount`
  ("SageMaker inference component - The resource type is inference-component and the unique identifier is the
  resource ID. Example: inference-component/my-inference-component": RegisterScalableTarget, Application Auto Scaling
  API Reference), which moto's validation does not know.
- AWS::IAM::ManagedPolicy deleted with its stack: detached from every role, group and user, then deleted (its delete
  handler's permissions are iam:DetachRolePolicy, iam:DetachGroupPolicy, iam:DetachUserPolicy, iam:DeletePolicy:
  cfn-lint's schema). moto keeps it attached and undeleted, so a shared endpoint's role, to which each component's
  stack attaches its package's access, could never be deleted after its components.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from unittest import mock

from moto.applicationautoscaling import models as scaling_models
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam.models import Group, ManagedPolicy, Role, User, iam_backends
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

NOT_SUPPORTED = (
    "Inference Components are not supported in this Endpoint. Please make sure this endpoint can deploy inference "
    "components."
)
NO_COPY = "Inference components copy count an integer larger than 0"
STILL_HOSTS = "Endpoint has inference components attached"
SCALABLE_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
# The schema's integer and number properties, by their path in the resource's properties.
INTEGERS = {
    ("Specification", "ComputeResourceRequirements"): ("MinMemoryRequiredInMb", "MaxMemoryRequiredInMb"),
    ("Specification", "StartupParameters"): (
        "ModelDataDownloadTimeoutInSeconds", "ContainerStartupHealthCheckTimeoutInSeconds"),
    ("RuntimeConfig",): ("CopyCount",),
    ("DeploymentConfig", "RollingUpdatePolicy"): ("WaitIntervalInSeconds", "MaximumExecutionTimeoutInSeconds"),
    ("DeploymentConfig", "RollingUpdatePolicy", "MaximumBatchSize"): ("Value",),
}  # fmt: skip
NUMBERS = {
    ("Specification", "ComputeResourceRequirements"): (
        "NumberOfAcceleratorDevicesRequired", "NumberOfCpuCoresRequired"),
}  # fmt: skip


@dataclass
class Component:
    """One inference component, as DescribeInferenceComponent describes it."""

    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant: str
    specification: dict[str, Any]
    copies: int
    created: datetime = field(default_factory=utcnow)
    modified: datetime = field(default_factory=utcnow)
    last_deployment: dict[str, Any] | None = None

    def described(self) -> dict[str, Any]:
        described = {
            "InferenceComponentName": self.name,
            "InferenceComponentArn": self.arn,
            "EndpointName": self.endpoint_name,
            "EndpointArn": self.endpoint_arn,
            "VariantName": self.variant,
            "Specification": copy.deepcopy(self.specification),
            "RuntimeConfig": {"DesiredCopyCount": self.copies, "CurrentCopyCount": self.copies},
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
            "InferenceComponentStatus": "InService",
        }
        if self.last_deployment:
            described["LastDeploymentConfig"] = copy.deepcopy(self.last_deployment)
        return described

    def summary(self) -> dict[str, Any]:
        """InferenceComponentSummary: what ListInferenceComponents gives of each."""
        keys = ("InferenceComponentName", "InferenceComponentArn", "EndpointName", "EndpointArn", "VariantName",
                "CreationTime", "LastModifiedTime", "InferenceComponentStatus")  # fmt: skip
        described = self.described()
        return {key: described[key] for key in keys}


def components(backend: SageMakerModelBackend) -> dict[str, Component]:
    """The backend's components, by name; a reset of moto makes new backends, and so none."""
    found: dict[str, Component] = backend.__dict__.setdefault("inference_components", {})
    return found


def _find(backend: SageMakerModelBackend, name: str) -> Component:
    if name not in components(backend):
        arn = arn_formatter("inference-component", name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find inference component '{arn}'.")
    return components(backend)[name]


def create_component(backend: SageMakerModelBackend, request: dict[str, Any]) -> Component:
    """CreateInferenceComponent: on an endpoint of this account whose variant has no model, from a model of this
    account, with one copy or more."""
    name, endpoint_name = request["InferenceComponentName"], request["EndpointName"]
    if endpoint_name not in backend.endpoints:
        arn = arn_formatter("endpoint", endpoint_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    if name in components(backend):
        raise ValidationError(message=f'Cannot create already existing inference component "{name}".')
    endpoint = backend.endpoints[endpoint_name]
    variants = backend.endpoint_configs[endpoint.endpoint_config_name].production_variants
    variant = request.get("VariantName") or variants[0]["VariantName"]
    hosting = [v for v in variants if v["VariantName"] == variant]
    if not hosting or hosting[0].get("ModelName"):
        raise ValidationError(message=NOT_SUPPORTED)
    _check_model(backend, request["Specification"])
    if int(request.get("RuntimeConfig", {}).get("CopyCount", 1)) < 1:
        raise ValidationError(message=NO_COPY)
    component = Component(
        name=name,
        arn=arn_formatter("inference-component", name, backend.account_id, backend.region_name),
        endpoint_name=endpoint_name,
        endpoint_arn=endpoint.arn,
        variant=variant,
        specification=copy.deepcopy(request["Specification"]),
        copies=int(request.get("RuntimeConfig", {}).get("CopyCount", 1)),
    )
    components(backend)[name] = component
    return component


def update_component(backend: SageMakerModelBackend, request: dict[str, Any]) -> Component:
    component = _find(backend, request["InferenceComponentName"])
    if "Specification" in request:
        _check_model(backend, request["Specification"])
        component.specification = copy.deepcopy(request["Specification"])
    if "RuntimeConfig" in request:
        component.copies = int(request["RuntimeConfig"]["CopyCount"])
    if "DeploymentConfig" in request:
        component.last_deployment = copy.deepcopy(request["DeploymentConfig"])
    component.modified = utcnow()
    return component


def _check_model(backend: SageMakerModelBackend, specification: dict[str, Any]) -> None:
    model = specification.get("ModelName")
    if model and model not in backend._models:
        arn = arn_formatter("model", model, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find model '{arn}'.")


class _Api(SageMakerResponse):
    """The six operations, as methods moto's SageMakerResponse dispatches to by their snake-case names."""

    def _request(self) -> dict[str, Any]:
        return dict(self._get_params())

    def create_inference_component(self) -> ActionResult:
        return ActionResult({"InferenceComponentArn": create_component(self.sagemaker_backend, self._request()).arn})

    def describe_inference_component(self) -> ActionResult:
        return ActionResult(_find(self.sagemaker_backend, self._get_param("InferenceComponentName")).described())

    def update_inference_component(self) -> ActionResult:
        return ActionResult({"InferenceComponentArn": update_component(self.sagemaker_backend, self._request()).arn})

    def update_inference_component_runtime_config(self) -> ActionResult:
        component = _find(self.sagemaker_backend, self._get_param("InferenceComponentName"))
        component.copies = int(self._get_param("DesiredRuntimeConfig")["CopyCount"])  # 0 allowed here: scale to zero
        component.modified = utcnow()
        return ActionResult({"InferenceComponentArn": component.arn})

    def delete_inference_component(self) -> ActionResult:
        components(self.sagemaker_backend).pop(
            _find(self.sagemaker_backend, self._get_param("InferenceComponentName")).name
        )
        return EmptyResult()

    def list_inference_components(self) -> ActionResult:
        """Filtered as the request asks; newest first, the API's default order (CreationTime, Descending)."""
        endpoint, variant = self._get_param("EndpointNameEquals"), self._get_param("VariantNameEquals")
        contains = self._get_param("NameContains")
        found = [
            c for c in components(self.sagemaker_backend).values()
            if (endpoint is None or c.endpoint_name == endpoint) and (variant is None or c.variant == variant)
            and (contains is None or contains in c.name)
        ]  # fmt: skip
        found.sort(key=lambda c: c.created, reverse=True)
        return ActionResult({"InferenceComponents": [c.summary() for c in found]})


OPERATIONS = (
    "create_inference_component", "describe_inference_component", "update_inference_component",
    "update_inference_component_runtime_config", "delete_inference_component", "list_inference_components", "_request",
)  # fmt: skip


def _typed(properties: dict[str, Any]) -> dict[str, Any]:
    """The properties with the schema's integers and numbers as such."""
    typed = copy.deepcopy(properties)
    for paths, convert in ((INTEGERS, int), (NUMBERS, float)):
        for path, keys in paths.items():
            node: Any = typed
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            for key in keys if isinstance(node, dict) else ():
                if key in node:
                    node[key] = convert(node[key])
    return typed


class _InferenceComponentResource(CloudFormationModel):
    """AWS::SageMaker::InferenceComponent, which moto's CloudFormation does not know."""

    def __init__(self, account_id: str, region_name: str, name: str, arn: str, copies: int) -> None:
        self.account_id, self.region_name, self.name, self.arn, self.copies = account_id, region_name, name, arn, copies

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SageMaker::InferenceComponent"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "InferenceComponentName"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_kwargs: Any
    ) -> _InferenceComponentResource:
        properties = _typed(cloudformation_json["Properties"])
        request = {**properties, "InferenceComponentName": properties.get("InferenceComponentName", resource_name)}
        request.pop("DeploymentConfig", None)  # how to update: UpdateInferenceComponent's alone
        request.pop("Tags", None)
        made = create_component(sagemaker_backends[account_id][region_name], request)
        return cls(account_id, region_name, made.name, made.arn, made.copies)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str,  # noqa: ARG003  # moto's interface
        region_name: str,
    ) -> _InferenceComponentResource:  # fmt: skip
        properties = _typed(cloudformation_json["Properties"])
        backend = sagemaker_backends[account_id][region_name]
        request: dict[str, Any] = {"InferenceComponentName": original_resource.name}
        request |= {key: properties[key] for key in ("Specification", "DeploymentConfig") if key in properties}
        copies = int(properties.get("RuntimeConfig", {}).get("CopyCount", original_resource.copies))
        if copies != original_resource.copies:
            request["RuntimeConfig"] = {"CopyCount": copies}
        updated = update_component(backend, request)
        return cls(account_id, region_name, updated.name, updated.arn, copies)

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def delete(self, account_id: str, region_name: str) -> None:
        components(sagemaker_backends[account_id][region_name]).pop(self.name, None)


MODELS = {_InferenceComponentResource.cloudformation_type(): _InferenceComponentResource}


def _variants_without_models(backend: SageMakerModelBackend, production_variants: list[dict[str, Any]]) -> None:
    """moto's check that each variant's model exists, for the variants that name one."""
    with_models = [variant for variant in production_variants if variant.get("ModelName")]
    _validate(backend, with_models)


def _refusing_an_endpoint_that_hosts(delete: Any) -> Any:
    def delete_endpoint(backend: SageMakerModelBackend, endpoint_name: str) -> None:
        hosted = [c.name for c in components(backend).values() if c.endpoint_name == endpoint_name]
        if hosted:
            raise ValidationError(message=STILL_HOSTS)
        delete(backend, endpoint_name)

    return delete_endpoint


def _knowing_components(valid: Any) -> Any:
    def target_params_are_valid(namespace: str, r_id: str, dimension: str) -> bool:
        if namespace == "sagemaker" and dimension == SCALABLE_DIMENSION and r_id.startswith("inference-component/"):
            return True
        return bool(valid(namespace, r_id, dimension))

    return target_params_are_valid


_validate = SageMakerModelBackend.validate_production_variants


def _delete_managed_policy(policy: ManagedPolicy, account_id: str, _region_name: str) -> None:
    """CloudFormation's delete of a managed policy: detach it wherever it is attached, then delete it."""
    backend = iam_backends[account_id][policy.partition]
    holders: list[Role | Group | User] = [*backend.roles.values(), *backend.groups.values(), *backend.users.values()]
    for holder in holders:
        if policy.arn in holder.managed_policies:
            policy.detach_from(holder)
    backend.managed_policies.pop(policy.arn, None)


@contextmanager
def inference_components_as_documented() -> Iterator[None]:
    with ExitStack() as patches:
        for operation in OPERATIONS:
            patches.enter_context(
                mock.patch.object(SageMakerResponse, operation, getattr(_Api, operation), create=True)
            )
        patches.enter_context(
            mock.patch.object(SageMakerModelBackend, "validate_production_variants", _variants_without_models)
        )
        patches.enter_context(mock.patch.object(ManagedPolicy, "delete", _delete_managed_policy, create=True))
        patches.enter_context(
            mock.patch.object(
                SageMakerModelBackend,
                "delete_endpoint",
                _refusing_an_endpoint_that_hosts(SageMakerModelBackend.delete_endpoint),
            )
        )
        patches.enter_context(
            mock.patch.object(
                scaling_models, "_target_params_are_valid", _knowing_components(scaling_models._target_params_are_valid)
            )
        )
        yield
