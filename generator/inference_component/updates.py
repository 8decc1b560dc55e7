"""What the approval updater of a component stack may read and remove after an update: the component, to check it
serves the stack's Model (custom_resource.approval_updater), and the Models the stack retained, to remove those it no
longer serves."""

from __future__ import annotations

from awacs import sagemaker, tag
from awacs.aws import Condition, StringEquals
from troposphere import Ref

from custom_resource.contract import STACK_TAG
from generator.cfn.iam import allow, arn
from generator.endpoint.deploy_on_approval import ServedChecks


def component_checks() -> ServedChecks:
    return ServedChecks(
        describe=(
            # This account's components: SageMaker lower-cases names in its ARNs, and the component's may not be.
            allow(
                "DescribeInferenceComponents",
                [sagemaker.DescribeInferenceComponent],
                [arn("sagemaker", "inference-component/*")],
            ),
        ),
        clean_up=(
            # No resource type for these (cfn-lint's IAM data), so nothing narrower than "*"; they only read.
            allow("FindRetainedModels", [tag.GetResources, sagemaker.ListModels], ["*"]),
            allow(
                "RemoveOwnRetainedModels",
                [sagemaker.DeleteModel],
                [arn("sagemaker", "model/*")],
                condition=Condition(StringEquals(f"aws:ResourceTag/{STACK_TAG}", Ref("AWS::StackId"))),
            ),
        ),
    )
