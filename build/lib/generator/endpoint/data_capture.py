"""Where captured requests and responses go: `s3://<bucket>/<prefix>`, or the bucket's root.

The module we replace wrote `s3://<bucket>/` and granted `<bucket>//*` for an empty prefix; here both the
destination and the grant are built from the same two cases, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import If, Not, Ref, Select, Split, Sub

from generator.cfn.conditions import is_empty
from generator.endpoint.context import EndpointStack, add_condition

BUCKET_NAME_FIELD = 5  # arn:<partition>:s3:::<bucket> split on ":"
# Appended before the split, so that field exists for every value, empty included: an Fn::Select out of range
# fails the deploy even in a branch of Fn::If that is not taken, for any evaluator that evaluates both.
ALWAYS_ENOUGH_FIELDS = ":" * BUCKET_NAME_FIELD


@dataclass(frozen=True)
class DataCaptureLocation:
    s3_uri: If
    objects_arn: If


def data_capture_location(stack: EndpointStack) -> DataCaptureLocation:
    params = stack.params
    has_prefix = add_condition(stack, "HasDataCapturePrefix", Not(is_empty(params.data_capture_prefix)))
    bucket_arn = Ref(params.model_artifacts_bucket_arn)
    padded = Sub(f"${{{params.model_artifacts_bucket_arn.title}}}{ALWAYS_ENOUGH_FIELDS}")
    bucket = Select(BUCKET_NAME_FIELD, Split(":", padded))
    prefix = Ref(params.data_capture_prefix)
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
