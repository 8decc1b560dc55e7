"""Cross-parameter checks. CloudFormation evaluates Rules before it creates any resource, and shows the
AssertDescription of a failed assertion, so each one says what is wrong and how to fix it."""

from __future__ import annotations

from troposphere import And, Equals, Not, Or, Ref

from generator.parameters import Parameters
from generator.stack import Stack, is_empty


def add_rules(stack: Stack) -> None:
    params = stack.params
    for name, rule in {
        "ExactlyOneModelPackageSource": _exactly_one_package_source(params),
        "DataCaptureNeedsBucket": _data_capture_needs_bucket(params),
        "ModelPackageGroupNeedsResolverCode": _group_needs_resolver_code(params),
    }.items():
        stack.template.add_rule(name, rule)


def _exactly_one_package_source(params: Parameters) -> dict[str, object]:
    arn_empty, group_empty = is_empty(params.model_package_arn), is_empty(params.model_package_group_name)
    return {
        "Assertions": [
            {
                "Assert": Not(And(arn_empty, group_empty)),
                "AssertDescription": "Set ModelPackageArn (deploy that version) or ModelPackageGroupName "
                "(deploy the group's latest Approved version): both are empty.",
            },
            {
                "Assert": Or(arn_empty, group_empty),
                "AssertDescription": "Set only one of ModelPackageArn and ModelPackageGroupName: "
                "both are set; clear the one you do not want.",
            },
        ]
    }


def _data_capture_needs_bucket(params: Parameters) -> dict[str, object]:
    return {
        "RuleCondition": Not(Equals(Ref(params.data_capture_sampling_percentage), "0")),
        "Assertions": [
            {
                "Assert": Not(is_empty(params.model_artifacts_bucket_arn)),
                "AssertDescription": "DataCaptureSamplingPercentage is above 0 but ModelArtifactsBucketArn is "
                "empty: set the bucket that receives captured data, or set the percentage to 0.",
            }
        ],
    }


def _group_needs_resolver_code(params: Parameters) -> dict[str, object]:
    return {
        "RuleCondition": Not(is_empty(params.model_package_group_name)),
        "Assertions": [
            {
                "Assert": Not(is_empty(params.resolver_code_s3_bucket)),
                "AssertDescription": "ModelPackageGroupName needs the resolver Lambda: upload the zip that "
                "`make build` writes to dist/ to a bucket in this Region and set ResolverCodeS3Bucket.",
            }
        ],
    }
