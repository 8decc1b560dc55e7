"""Deleting model package versions and groups, which moto 5.2.5 does not implement (its SageMaker answers
"The delete_model_package action has not been implemented"). Test code only: the acceptance lane's sweeper removes
the versions and groups it registered.

- DeleteModelPackage takes the version's ARN ("ModelPackageName: The name or Amazon Resource Name (ARN) of the model
  package to delete", SageMaker API Reference, DeleteModelPackage); an unknown one is a ValidationException, as
  moto's own DescribeModelPackage answers.
- DeleteModelPackageGroup: "Deletes the specified model group." The API Reference says nothing of a group that
  still has versions. The sweeper takes the safe side and deletes the versions first; this bend refuses a group
  with versions (ConflictException), so that a sweep in another order fails here instead of in an account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ConflictException, ValidationError
from moto.sagemaker.responses import SageMakerResponse


@contextmanager
def model_registry_deletes() -> Iterator[None]:
    with ExitStack() as patches:
        for name, method in (("delete_model_package", _delete_package), ("delete_model_package_group", _delete_group)):
            patches.enter_context(mock.patch.object(SageMakerResponse, name, method, create=True))
        yield


def _delete_package(self: SageMakerResponse) -> ActionResult:
    backend, given = self.sagemaker_backend, self._get_param("ModelPackageName")
    arn = backend.model_package_name_mapping.get(given, given)
    if arn not in backend.model_packages:
        raise ValidationError(f"Model package {given} not found")
    del backend.model_packages[arn]
    for name in [name for name, mapped in backend.model_package_name_mapping.items() if mapped == arn]:
        del backend.model_package_name_mapping[name]
    return EmptyResult()


def _delete_group(self: SageMakerResponse) -> ActionResult:
    backend, name = self.sagemaker_backend, self._get_param("ModelPackageGroupName")
    if name not in backend.model_package_groups:
        raise ValidationError(f"ModelPackageGroup {name} does not exist.")
    if any(package.model_package_group_name == name for package in backend.model_packages.values()):
        raise ConflictException(f"ModelPackageGroup {name} has model packages: delete them first")
    del backend.model_package_groups[name]
    return EmptyResult()
