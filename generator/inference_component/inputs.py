"""The component's inputs, in the order the console shows them: a table of contents of the declarations each feature
keeps beside its builder, the package's, the resolver's and deploy on approval's being the endpoint template's own."""

from __future__ import annotations

from dataclasses import replace

from troposphere import Template

from generator.cfn.inputs import InputGroup, add_inputs
from generator.endpoint import model
from generator.endpoint.context import PERMISSIONS_BOUNDARY
from generator.endpoint.inputs import following_groups
from generator.inference_component import access, component, compute, scaling
from generator.inference_component.context import COMPONENT_NAME, ENDPOINT_NAME


def input_groups(resolver_code_key: str) -> tuple[InputGroup, ...]:
    return (
        InputGroup(
            "Model package (set exactly one)",
            tuple(replace(entry, seed_name=None) for entry in model.PACKAGE_INPUTS),
        ),
        InputGroup("Shared endpoint", (ENDPOINT_NAME, COMPONENT_NAME)),
        InputGroup("Compute per copy", compute.INPUTS),
        InputGroup("Copies and autoscaling", scaling.INPUTS),
        InputGroup("Safe updates: rolling, with automatic rollback", component.INPUTS),
        InputGroup("Package access", (*access.INPUTS, PERMISSIONS_BOUNDARY)),
        *following_groups(resolver_code_key),
    )


def add_component_inputs(template: Template, resolver_code_key: str) -> None:
    add_inputs(template, input_groups(resolver_code_key))
