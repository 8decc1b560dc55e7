"""Where captured requests and responses go: `s3://<bucket>/<prefix>`, or the bucket's root.

The module we replace wrote `s3://<bucket>/` and granted `<bucket>//*` for an empty prefix; here both the
destination and the grant are built from the same two cases, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Equals, If, Not, Select, Split, Sub

from generator.cfn.conditions import is_empty
from generator.cfn.inputs import Input, pattern, whole_number
from generator.common.patterns import S3_PREFIX
from generator.endpoint.artifacts import BUCKET
from generator.endpoint.context import Stack, add_condition
from generator.endpoint.types import REAL_TIME

BUCKET_NAME_FIELD = 5  # arn:<partition>:s3:::<bucket> split on ":"
# Appended before the split, so that field exists for every value, empty included: an Fn::Select out of range
# fails the deploy even in a branch of Fn::If that is not taken, for any evaluator that evaluates both.
ALWAYS_ENOUGH_FIELDS = ":" * BUCKET_NAME_FIELD
# s3://<bucket>/<prefix> is a DestinationS3Uri, at most 512 characters; a bucket name has at most 63.
PREFIX_MAX_LENGTH = 512 - len("s3://") - 63 - len("/")

SAMPLING_PERCENTAGE = Input(
    "DataCaptureSamplingPercentage",
    "Sampling percentage",
    "Percentage of requests whose input and output are captured; 0 turns capture off. Needs ModelArtifactsBucketArn; "
    "RealTime only.",
    whole_number(0, 100),
    default="0",
    endpoint_types=(REAL_TIME,),
    why_these_types="SageMaker's feature table marks data capture for real-time endpoints only",
    seed_name="data-capture-sampling-percentage",
    off="0",
)
PREFIX = Input(
    "DataCapturePrefix",
    "S3 prefix",
    "Key prefix of captured data in the artifacts bucket; empty writes at the bucket's root.",
    pattern(S3_PREFIX, "an S3 key prefix without leading, trailing or double slashes", max_length=PREFIX_MAX_LENGTH),
    seed_name="data-capture-prefix",
)
INPUTS = (SAMPLING_PERCENTAGE, PREFIX)


def _add_capture_rule(stack: Stack) -> None:
    stack.template.add_rule(
        "DataCaptureNeedsBucket",
        {
            "RuleCondition": Not(Equals(SAMPLING_PERCENTAGE.ref(), "0")),
            "Assertions": [
                {
                    "Assert": Not(is_empty(BUCKET)),
                    "AssertDescription": "DataCaptureSamplingPercentage is above 0 but ModelArtifactsBucketArn is "
                    "empty: set the bucket that receives captured data, or set the percentage to 0.",
                }
            ],
        },
    )


@dataclass(frozen=True)
class DataCaptureLocation:
    s3_uri: If
    objects_arn: If


def data_capture_location(stack: Stack) -> DataCaptureLocation:
    _add_capture_rule(stack)
    has_prefix = add_condition(stack, "HasDataCapturePrefix", Not(is_empty(PREFIX)))
    bucket_arn = BUCKET.ref()
    padded = Sub(f"${{{BUCKET.name}}}{ALWAYS_ENOUGH_FIELDS}")
    bucket = Select(BUCKET_NAME_FIELD, Split(":", padded))
    prefix = PREFIX.ref()
    return DataCaptureLocation(
        s3_uri=If(
            has_prefix,
            Sub("s3://${Bucket}/${Prefix}", Bucket=bucket, Prefix=prefix),
            Sub("s3://${Bucket}", Bucket=bucket),
        ),
        objects_arn=If(
            has_prefix,
            Sub("${BucketArn}/${Prefix}/*", BucketArn=bucket_arn, Prefix=prefix),
            Sub("${BucketArn}/*", BucketArn=bucket_arn),
        ),
    )
