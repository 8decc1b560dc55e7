"""The order autoscaling needs among instance counts, declared once for the template and the deploy client.

The template's Rules can only enumerate the pairs they reject (CloudFormation Rules cannot compare numbers);
the deploy client checks the same order with exact numbers. Both show these descriptions. No troposphere here:
the deploy client imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALING_SWITCH = "ManagedInstanceScaling"
MINIMUM = "ScalingMinInstanceCount"
MAXIMUM = "ScalingMaxInstanceCount"
INITIAL = "InitialInstanceCount"


@dataclass(frozen=True)
class AtMost:
    """With autoscaling on, parameter `lower` must not exceed parameter `upper`."""

    lower: str
    upper: str
    description: str


SCALING_ORDER = (
    AtMost(MINIMUM, MAXIMUM, f"{MAXIMUM} is below {MINIMUM}: raise the maximum or lower the minimum."),
    AtMost(MINIMUM, INITIAL, f"{INITIAL} is below {MINIMUM}: start with at least the minimum."),
    AtMost(INITIAL, MAXIMUM, f"{INITIAL} is above {MAXIMUM}: start with at most the maximum."),
)


ENDPOINT_TYPE, SERVERLESS = "EndpointType", "Serverless"
PROVISIONED, MAX_CONCURRENCY = "ServerlessProvisionedConcurrency", "ServerlessMaxConcurrency"
# Serverless: the provisioned concurrency, when set, within the maximum.
SERVERLESS_ORDER = AtMost(
    PROVISIONED, MAX_CONCURRENCY, f"{PROVISIONED} is above {MAX_CONCURRENCY}: lower it, or raise the maximum."
)
