"""What the shared endpoint's execution role may read for this component, for as long as the component exists: its
package's artifacts bucket, its image's repository and the artifacts' key, and the component's rollback alarms.

The role is the endpoint's and every component model's (generator.inference_endpoint.role): AWS does not say which of
the two SageMaker uses to fetch a component's artifacts, so one role is both, and each component adds to it only what
its own package needs, in a managed policy of its stack attached to that role (Roles), gone with the stack. IAM
attaches at most 10 managed policies to a role by default ("Managed policies attached to an IAM role: 10", adjustable
to 20: IAM User Guide, "IAM and AWS STS quotas"), which bounds the components of one endpoint; the deploy client
says so before the eleventh.

SageMaker downloads the model data with the execution role (CreateModel: "The Amazon Resource Name (ARN) of the IAM
role that SageMaker can assume to access model artifacts and docker image for deployment"), and reads the rollback
alarms with it ("Ensure that your IAM execution role has permission to perform the cloudwatch:DescribeAlarms action on
the auto-rollback alarms you specify": SageMaker Developer Guide, "Auto-Rollback Configuration and Monitoring").
"""

from __future__ import annotations

from dataclasses import replace

from awacs import cloudwatch, ecr, s3
from troposphere import Not, Sub
from troposphere.iam import ManagedPolicy

from generator.cfn.conditions import is_empty
from generator.cfn.iam import allow, arn, only_if, policy_document
from generator.cfn.inputs import pattern
from generator.common.names import ROLE_PATH
from generator.common.patterns import BUCKET_ARN
from generator.endpoint import artifacts
from generator.endpoint.context import add_condition
from generator.endpoint.model_role import artifact_key_statements
from generator.endpoint.rollback import ROLLBACK_ALARMS, rollback_alarm_name
from generator.inference_component.context import ComponentStack

BUCKET = replace(
    artifacts.BUCKET,
    description="Bucket of the package's model artifacts (its ModelDataUrl): the shared endpoint's role may read it "
    "while this component exists.",
    constraint=pattern(BUCKET_ARN, "an S3 bucket ARN (arn:<partition>:s3:::<bucket>)", optional_value=False),
    default=None,
    seed_name=None,
)
ECR_REPO = replace(
    artifacts.ECR_REPO,
    description="Repository of the package's image when it is not one of SageMaker's; empty: SageMaker's images.",
    seed_name=None,
)
KMS_KEY = replace(artifacts.KMS_KEY, seed_name=None)
INPUTS = (BUCKET, ECR_REPO, KMS_KEY)


def add_package_access(stack: ComponentStack) -> ManagedPolicy:
    return stack.template.add_resource(
        ManagedPolicy(
            "PackageAccessPolicy",
            Description=Sub(
                "Package of the inference component of stack ${AWS::StackName}, read by its shared endpoint's role"
            ),
            Path=ROLE_PATH,
            Roles=[stack.endpoint.role_name],
            PolicyDocument=policy_document(
                allow("ListModelArtifactsBucket", [s3.ListBucket], [BUCKET.ref()]),
                allow("ReadModelArtifacts", [s3.GetObject], [Sub(f"${{{BUCKET.name}}}/*")]),
                *_image_statements(stack),
                *artifact_key_statements(stack),
                allow(
                    "DescribeRollbackAlarms",
                    [cloudwatch.DescribeAlarms],
                    [arn("cloudwatch", "alarm:${Name}", Name=rollback_alarm_name(title)) for title in ROLLBACK_ALARMS],
                ),
            ),
        )
    )


def _image_statements(stack: ComponentStack) -> list[object]:
    has_repo = add_condition(stack, "HasEcrRepo", Not(is_empty(ECR_REPO)))
    return [
        only_if(
            has_repo,
            allow(
                "PullInferenceImage",
                [ecr.BatchCheckLayerAvailability, ecr.BatchGetImage, ecr.GetDownloadUrlForLayer],
                [ECR_REPO.ref()],
            ),
        ),
        # GetAuthorizationToken is account-wide: it has no resource to scope to.
        only_if(has_repo, allow("GetEcrAuthorizationToken", [ecr.GetAuthorizationToken], ["*"])),
    ]
