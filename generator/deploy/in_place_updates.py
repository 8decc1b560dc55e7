"""Changes SageMaker refuses when CloudFormation updates the endpoint in place, which only the stack's previous
values reveal: `plan` and `deploy` refuse them before any change, with the way to make them.

The endpoint is updated in place (UpdateEndpoint, a blue/green deployment) whenever its name stays: the same
EndpointName, or the same derived name, which depends on the EndpointType alone. Then
- the variant keeps its name: "When doing a blue/green or rolling deployment, your new endpoint configuration must
  have the same variant name as the old endpoint configuration"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html);
- a variant registered for autoscaling keeps its instance type: "If the update would change the instance type for any
  model that is a target for automatic scaling, the update fails"
  (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling.html). CloudFormation deregisters the target
  only after the endpoint's update, so turning autoscaling off in the same update does not help.
"""

from __future__ import annotations

from collections.abc import Mapping

VARIANT, INSTANCE_TYPE, SCALING = "VariantName", "InstanceType", "ManagedInstanceScaling"
NAME, TYPE, SERVERLESS = "EndpointName", "EndpointType", "Serverless"
DEFAULT_TYPE = "RealTime"  # stacks older than the endpoint types are RealTime


def in_place_problems(previous: Mapping[str, str], values: Mapping[str, str | None]) -> list[str]:
    """What this update changes that SageMaker refuses on the endpoint it updates in place."""
    if not _updated_in_place(previous, values):
        return []
    problems = []
    before, after = previous.get(VARIANT), values.get(VARIANT)
    if before and after and before != after:
        problems.append(
            f"{VARIANT} changes from {before!r} to {after!r}, but the endpoint is updated in place, and SageMaker's "
            f"blue/green update keeps the variant's name. Keep {VARIANT}={before!r}; or, for the new name, make a new "
            f"endpoint: give a new {NAME} with it and deploy with --allow-endpoint-replacement"
        )
    before, after = previous.get(INSTANCE_TYPE), values.get(INSTANCE_TYPE)
    serverless = values.get(TYPE) == SERVERLESS  # no instances: InstanceType is not used
    if previous.get(SCALING) == "true" and before and after and before != after and not serverless:
        problems.append(
            f"{INSTANCE_TYPE} changes from {before} to {after} while {SCALING} is on: SageMaker refuses to change the "
            "instance type of a variant registered for autoscaling, and CloudFormation deregisters it only after "
            f"the update. Deploy twice: first {SCALING}=false with {INSTANCE_TYPE}={before}, then "
            f"{INSTANCE_TYPE}={after} with {SCALING}=true"
        )
    return problems


def _updated_in_place(previous: Mapping[str, str], values: Mapping[str, str | None]) -> bool:
    """The endpoint keeps its name: the same EndpointName and the same type (a type change with a fixed name is
    refused before this, see request._say_a_type_change)."""
    same_name = (previous.get(NAME) or "") == (values.get(NAME) or "")
    same_type = (previous.get(TYPE) or DEFAULT_TYPE) == (values.get(TYPE) or DEFAULT_TYPE)
    return same_name and same_type
