"""What AWS refuses that the template's parameters cannot say (a Rule cannot count list members, split an ARN or
do arithmetic), checked by the deploy client before any AWS call, every problem at once, each with its fix.

- Stack tags: CloudFormation takes at most 50, keys of 1-128 and values of 1-256 characters, and keeps the `aws:`
  prefix for itself; it passes them on to every resource, and IAM and SageMaker accept only letters, digits, spaces
  and `_ . : / = + - @` in tags, at most 50 per resource (`aws:` ones not counted), the resource's own included.
- SubnetIds: SageMaker's VpcConfig takes 1 to 16 subnets.
- InferenceAmiVersion: SageMaker documents each AMI's accelerator ("Accelerator: GPU"; for the neuron AMI
  "Inferentia2 and Trainium"), so a gpu AMI needs a GPU family (ml.g*, ml.p*) and the neuron AMI ml.inf2 or ml.trn*.
- AlarmTopicArn, AsyncSuccessTopicArn, AsyncErrorTopicArn: topics of the stack's Region. An alarm notifies only a
  topic of its own Region; for an endpoint's async topics AWS says nothing, so the same is required of them.
- The blue/green deployment's waits within its timeout: MaximumExecutionTimeoutInSeconds "should be larger than the
  total waiting time specified in TerminationWaitInSeconds and WaitIntervalInSeconds". The waits are one interval per
  traffic step (ALL_AT_ONCE none, CANARY one, LINEAR one per step of DeploymentTrafficStepPercent) and the bake
  (TerminationWaitInSeconds); the new fleet must also be provisioned within the timeout, for which AWS gives no
  figure: PROVISIONING_MARGIN_SECONDS is the least timeout SageMaker accepts for any deployment (600 s), taken as
  the least it needs for one without waits.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping

STACK_TAGS_MAX = 50  # CloudFormation CreateChangeSet Tags
RESOURCE_TAGS_MAX = 50  # IAM and SageMaker, per resource
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256
RESERVED_PREFIX = "aws:"
TAG_SYMBOLS = "_.:/=+-@"
SUBNETS_MAX = 16
AMI_FAMILIES = {"gpu": ("ml.g", "ml.p"), "neuron": ("ml.inf2", "ml.trn")}  # each AMI's documented accelerator
TOPICS = ("AlarmTopicArn", "AsyncSuccessTopicArn", "AsyncErrorTopicArn")
TIMEOUT_MAX = 28_800  # DeploymentTimeoutSeconds' MaxValue, SageMaker's MaximumExecutionTimeoutInSeconds maximum
PROVISIONING_MARGIN_SECONDS = 600
STRATEGY, STEP, WAIT, BAKE, TIMEOUT = (
    "DeploymentStrategy",
    "DeploymentTrafficStepPercent",
    "DeploymentWaitIntervalSeconds",
    "DeploymentBakeSeconds",
    "DeploymentTimeoutSeconds",
)

Values = Mapping[str, str | None]  # None: not known yet


def tag_problems(tags: Mapping[str, str], own_tags: int) -> list[str]:
    """Every stack tag CloudFormation, IAM or SageMaker would refuse; `own_tags`: the most any resource of the
    template carries itself."""
    problems = [problem for key, value in tags.items() for problem in _one_tag(key, value)]
    if len(tags) > STACK_TAGS_MAX:
        problems.append(f"{len(tags)} tags: CloudFormation takes at most {STACK_TAGS_MAX} stack tags; drop some")
    elif len(tags) > RESOURCE_TAGS_MAX - own_tags:
        problems.append(
            f"{len(tags)} tags: CloudFormation puts them on every resource of the stack, where IAM and SageMaker take "
            f"at most {RESOURCE_TAGS_MAX} tags and the template's own resources carry up to {own_tags} of their own; "
            f"give at most {RESOURCE_TAGS_MAX - own_tags}"
        )
    return problems


def _one_tag(key: str, value: str) -> list[str]:
    shown = f"tag {key!r}"
    problems = []
    if len(key) > TAG_KEY_MAX:
        problems.append(f"{shown}: a key of {len(key)} characters; at most {TAG_KEY_MAX}")
    if key.lower().startswith(RESERVED_PREFIX):
        problems.append(f"{shown}: the {RESERVED_PREFIX} prefix is reserved for AWS; choose another key")
    if not value or len(value) > TAG_VALUE_MAX:
        problems.append(f"{shown}: a value of {len(value)} characters; CloudFormation takes 1 to {TAG_VALUE_MAX}")
    refused = " ".join(repr(c) for c in sorted({c for c in key + value if not _tag_character(c)}))
    if refused:
        problems.append(
            f"{shown}={value!r}: IAM and SageMaker refuse {refused} in the tags CloudFormation passes on to them; use "
            f"letters, digits, spaces and {' '.join(TAG_SYMBOLS)} only"
        )
    return problems


def _tag_character(character: str) -> bool:
    """IAM's and SageMaker's tag pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`: a letter, separator or number, or a
    symbol of TAG_SYMBOLS."""
    return unicodedata.category(character)[0] in "LZN" or character in TAG_SYMBOLS


def value_problems(values: Values, region: str | None) -> list[str]:
    """The subnets, the topics' Region and the deployment's time budget; a value not known yet is not judged."""
    return (
        _subnet_problems(values)
        + _ami_problems(values)
        + _topic_problems(values, region)
        + deployment_time_problems(values)
    )


def _ami_problems(values: Values) -> list[str]:
    ami, instance_type = values.get("InferenceAmiVersion") or "", values.get("InstanceType") or ""
    if not ami or not instance_type or values.get("EndpointType") == "Serverless":
        return []
    families = AMI_FAMILIES["neuron" if "-neuron-" in ami else "gpu"]
    if instance_type.startswith(families):
        return []
    wanted = " or ".join(f"{family}*" for family in families)
    return [
        f"InferenceAmiVersion={ami}: an AMI for {wanted} instances, but InstanceType is {instance_type}: choose an "
        "InstanceType with its accelerator, or clear InferenceAmiVersion"
    ]


def _subnet_problems(values: Values) -> list[str]:
    subnets = [s for s in (values.get("SubnetIds") or "").split(",") if s.strip()]
    if len(subnets) <= SUBNETS_MAX:
        return []
    return [
        f"SubnetIds: {len(subnets)} subnets; SageMaker's VpcConfig takes at most {SUBNETS_MAX}: give {SUBNETS_MAX} "
        "or fewer, in two or more Availability Zones"
    ]


def _topic_problems(values: Values, region: str | None) -> list[str]:
    problems = []
    for name in TOPICS:
        fields = (values.get(name) or "").split(":")
        if region and len(fields) == 6 and fields[2] == "sns" and fields[3] != region:
            problems.append(
                f"{name}={values[name]!r}: a topic of Region {fields[3]}, but the stack deploys to {region}; alarms "
                f"and SageMaker notify topics of their own Region: give a topic of {region}"
            )
    return problems


def deployment_time_problems(values: Values) -> list[str]:
    """The blue/green deployment's waits, bake and provisioning within its timeout."""
    numbers = {name: _number(values.get(name)) for name in (STEP, WAIT, BAKE, TIMEOUT)}
    strategy = values.get(STRATEGY)
    if strategy is None or any(n is None for n in numbers.values()) or not numbers[STEP]:
        return []
    step, wait, bake, timeout = (float(numbers[n] or 0) for n in (STEP, WAIT, BAKE, TIMEOUT))
    steps = {"ALL_AT_ONCE": 0, "CANARY": 1, "LINEAR": math.ceil(100 / step)}.get(strategy, 0)
    waiting = int(steps * wait + bake)
    needed = waiting + PROVISIONING_MARGIN_SECONDS
    if timeout >= needed:
        return []
    how = f"{steps} x {int(wait)} s ({WAIT}) and {int(bake)} s ({BAKE})" if steps else f"{int(bake)} s ({BAKE})"
    fix = (
        f"raise {TIMEOUT} to at least {needed}, or shorten the waits"
        if needed <= TIMEOUT_MAX
        else f"that is over the {TIMEOUT_MAX} s SageMaker allows: shorten the waits or take larger steps"
    )
    return [
        f"{TIMEOUT}={values[TIMEOUT]}: a {strategy} deployment waits {how}, {waiting} s, and SageMaker wants its "
        f"timeout larger than its waits; with {PROVISIONING_MARGIN_SECONDS} s to provision the new fleet it needs "
        f"{needed} s: {fix}"
    ]


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None
