"""What every builder shares: the template, its parameters, the shared Conditions and the tags."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import And, AWSHelperFn, Equals, Export, Not, Output, Ref, Sub, Tags, Template

from generator.parameters import Parameters


@dataclass(frozen=True)
class Conditions:
    """Conditions that more than one builder uses; a builder's own Conditions live beside it."""

    use_package_arn: str
    use_package_group: str
    data_capture_enabled: str


@dataclass(frozen=True)
class Stack:
    template: Template
    params: Parameters
    conditions: Conditions
    tags: Tags


def add_shared_conditions(template: Template, params: Parameters) -> Conditions:
    """Group mode (resolve the package at deploy time) and data capture switch resources in several builders.

    Each also tests the input the Rules already require with it (the resolver's code bucket, the artifacts
    bucket), so cfn-lint can see that input is set wherever it is used.
    """
    capture_on = And(
        Not(Equals(Ref(params.data_capture_sampling_percentage), "0")),
        Not(is_empty(params.model_artifacts_bucket_arn)),
    )
    group_mode = And(Not(is_empty(params.model_package_group_name)), Not(is_empty(params.resolver_code_s3_bucket)))
    return Conditions(
        use_package_arn=_add(template, "UseModelPackageArn", Not(is_empty(params.model_package_arn))),
        use_package_group=_add(template, "UseModelPackageGroup", group_mode),
        data_capture_enabled=_add(template, "DataCaptureEnabled", capture_on),
    )


def is_empty(parameter: object) -> Equals:
    return Equals(Ref(parameter), "")


def add_condition(stack: Stack, name: str, condition: AWSHelperFn) -> str:
    return _add(stack.template, name, condition)


def _add(template: Template, name: str, condition: AWSHelperFn) -> str:
    template.add_condition(name, condition)
    return name


def add_output(stack: Stack, key: str, value: object, description: str) -> None:
    """An output named as the module we replace names its metadata key, exported as <stack>-<key>."""
    stack.template.add_output(
        Output(key, Description=description, Value=value, Export=Export(Sub(f"${{AWS::StackName}}-{key}")))
    )
