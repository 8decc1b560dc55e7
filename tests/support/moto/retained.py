"""What an endpoint stack keeps when CloudFormation replaces its Model and EndpointConfig, and what SageMaker does to
the endpoint afterwards, where moto 5.2.5 differs. Test code only.

- UpdateReplacePolicy Retain: moto's SageMaker Model and EndpointConfig delete the old resource on every update,
  whatever the policy. CloudFormation "creates the replacement resource first, and then changes references from other
  dependent resources to point to the replacement resource. By default, CloudFormation then deletes the old resource.
  Using the UpdateReplacePolicy, you can specify that CloudFormation retain or, in some cases, create a snapshot of the
  old resource." (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
  aws-attribute-updatereplacepolicy.html). Here a resource with `UpdateReplacePolicy: Retain` keeps the old one.
- The Resource Groups Tagging API: GetResources "Returns all the tagged or previously tagged resources that are
  located in the specified Amazon Web Services Region for the account", each with its `ResourceARN`
  (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html). moto answers an
  endpoint config's ARN as the text of a Python tuple (`"('arn:aws:sagemaker:...',)"`, its FakeEndpointConfig.arn is a
  one-item tuple), which names nothing: here it is the ARN itself, so tagged configs are found by their tag.
- `endpoint_goes_back_after_update`: SageMaker can roll an endpoint back to its previous EndpointConfig by itself (its
  auto-rollback alarms, a failed health check) while CloudFormation reports the update complete; moto cannot fail a
  deployment. Within this context, once a change set has been executed, the named endpoint is put back on the config
  (and variants) it served before, as SageMaker's auto-rollback leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any
from unittest import mock

from moto.cloudformation.models import CloudFormationBackend
from moto.core.resource_tagging import TaggedResource
from moto.sagemaker.models import FakeEndpointConfig, Model, SageMakerModelBackend, sagemaker_backends


@contextmanager
def retained_as_cloudformation_retains() -> Iterator[None]:
    with ExitStack() as patches:
        models: tuple[Any, ...] = (Model, FakeEndpointConfig)
        for model in models:
            update = model.update_from_cloudformation_json.__func__
            patches.enter_context(
                mock.patch.object(model, "update_from_cloudformation_json", classmethod(_retaining(update)))
            )
        tagged = SageMakerModelBackend.iter_tagged_resources
        patches.enter_context(mock.patch.object(SageMakerModelBackend, "iter_tagged_resources", _with_arns(tagged)))
        yield


def _retaining(update: Any) -> Any:
    def update_or_retain(cls: type, **arguments: Any) -> Any:  # moto passes them by keyword
        """A replacement that keeps the old resource when its policy says Retain; moto's own update otherwise."""
        if arguments["cloudformation_json"].get("UpdateReplacePolicy") != "Retain":
            return update(cls, **arguments)
        return cls.create_from_cloudformation_json(  # type: ignore[attr-defined]
            arguments["new_resource_name"],
            arguments["cloudformation_json"],
            arguments["account_id"],
            arguments["region_name"],
        )

    return update_or_retain


def _with_arns(tagged: Any) -> Any:
    def iter_tagged_resources(self: SageMakerModelBackend) -> Iterator[TaggedResource]:
        for resource in tagged(self):
            yield replace(resource, arn=resource.arn[0]) if isinstance(resource.arn, tuple) else resource

    return iter_tagged_resources


@contextmanager
def endpoint_goes_back_after_update(account_id: str, region: str, endpoint_name: str) -> Iterator[None]:
    """After each change set executed in here, the endpoint serves again what it served before it."""
    execute = CloudFormationBackend.execute_change_set

    def execute_then_go_back(self: CloudFormationBackend, *args: Any, **kwargs: Any) -> None:
        endpoint = sagemaker_backends[account_id][region].endpoints[endpoint_name]
        config, variants = endpoint.endpoint_config_name, endpoint.production_variants
        execute(self, *args, **kwargs)
        after = sagemaker_backends[account_id][region].endpoints[endpoint_name]  # moto replaces it on update
        after.endpoint_config_name, after.production_variants = config, variants

    with mock.patch.object(CloudFormationBackend, "execute_change_set", execute_then_go_back):
        yield
