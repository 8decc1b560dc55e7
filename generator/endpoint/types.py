"""The endpoint types and the input that chooses one. A leaf: the features that differ by type import it."""

from __future__ import annotations

from generator.cfn.inputs import Input, choice

REAL_TIME, SERVERLESS, ASYNC = "RealTime", "Serverless", "Async"
ENDPOINT_TYPES = (REAL_TIME, SERVERLESS, ASYNC)
WITH_INSTANCES = (REAL_TIME, ASYNC)  # the types that run instances in the user's VPC
NO_INSTANCES = "a serverless endpoint has no instances"
NO_VPC = "a serverless endpoint runs outside your VPC: SageMaker takes no VPC configuration for it"

ENDPOINT_TYPE = Input(
    "EndpointType",
    "Endpoint type",
    "RealTime: instances in your VPC. Serverless: no instances, no VPC (ServerlessConfig). Async: instances in your "
    "VPC taking queued requests, output to S3, able to scale to zero. Changing it makes a new endpoint "
    "(docs/endpoint-types.md).",
    choice(*ENDPOINT_TYPES),
    default=REAL_TIME,
)
INPUTS = (ENDPOINT_TYPE,)
