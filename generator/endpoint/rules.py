"""Cross-parameter checks. CloudFormation evaluates Rules before it creates any resource, and shows the
AssertDescription of a failed assertion, so each one says what is wrong and how to fix it."""

from __future__ import annotations

from troposphere import And, AWSHelperFn, Equals, Not, Or, Parameter, Ref

from generator.cfn.conditions import any_of, is_empty
from generator.common.scaling_order import INITIAL, MAXIMUM, MINIMUM, SCALING_ORDER
from generator.endpoint.context import EndpointStack
from generator.endpoint.endpoint_type_rules import endpoint_type_rules
from generator.endpoint.parameters import ASYNC, SCALING_START_LIMIT, SERVERLESS, Parameters

# SageMaker's burstable hosting types: Application Auto Scaling cannot scale them.
BURSTABLE_INSTANCE_TYPES = [
    f"ml.{family}.{size}" for family in ("t2", "t3") for size in ("medium", "large", "xlarge", "2xlarge")
]
# Inferentia 1: no deployment guardrails (SageMaker falls back to all at once) and no asynchronous inference.
INF1_INSTANCE_TYPES = [f"ml.inf1.{size}" for size in ("xlarge", "2xlarge", "6xlarge", "24xlarge")]
# TrafficRoutingConfig: CanarySize "must be less than or equal to 50% of the variant's total instance count";
# LinearStepSize "must be 10-50% of the variant's total instance count" (SageMaker API reference).
CANARY_PERCENTS, LINEAR_PERCENTS = (1, 50), (10, 50)


def add_rules(stack: EndpointStack) -> None:
    params = stack.params
    for name, rule in {
        "ExactlyOneModelPackageSource": _exactly_one_package_source(params),
        "DataCaptureNeedsBucket": _data_capture_needs_bucket(params),
        "ModelPackageGroupNeedsResolverCode": _group_needs_resolver_code(params),
        "ScalingFitsTheEndpoint": _scaling_fits(params),
        "DeployOnApprovalNeedsGroupAndRole": _deploy_on_approval(params),
        "TrafficShiftsSageMakerCanMake": _traffic_shifts(params),
        "CreatedRoleReadsTheArtifacts": _created_role_reads_the_artifacts(params),
        **endpoint_type_rules(params),
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


def _deploy_on_approval(params: Parameters) -> dict[str, object]:
    return {
        "RuleCondition": Equals(Ref(params.deploy_on_approval), "true"),
        "Assertions": [
            {
                "Assert": Not(is_empty(params.model_package_group_name)),
                "AssertDescription": "DeployOnApproval follows a model package group: set ModelPackageGroupName, "
                "or set DeployOnApproval to false.",
            },
            {
                "Assert": Not(is_empty(params.deployment_role_arn)),
                "AssertDescription": "DeployOnApproval updates the stack through a deployer role: set "
                "DeploymentRoleArn (deployer-role.yaml's DeployerRoleArn), or set DeployOnApproval to false.",
            },
        ],
    }


def _traffic_shifts(params: Parameters) -> dict[str, object]:
    """Canary and linear steps SageMaker accepts: sized in percent of the variant's instances, so at least two of
    them (with autoscaling, the minimum too: the update starts from the current count); none on Inferentia 1, where
    SageMaker silently falls back to all at once with no bake (deployment guardrails exclusions)."""
    strategy, step = Ref(params.deployment_strategy), Ref(params.deployment_traffic_step_percent)
    canary, linear = Equals(strategy, "CANARY"), Equals(strategy, "LINEAR")
    # on instances: a serverless endpoint has none (its own Rule refuses CANARY and LINEAR)
    stepped = And(Or(canary, linear), Not(Equals(Ref(params.endpoint_type), SERVERLESS)))
    scaling = Equals(Ref(params.managed_instance_scaling), "true")
    return {
        "Assertions": [
            {
                "Assert": Or(Not(canary), Contains(_counts(*CANARY_PERCENTS), step)),
                "AssertDescription": "DeploymentStrategy CANARY: DeploymentTrafficStepPercent must be 1 to 50 (a "
                "canary is at most half of the instances).",
            },
            {
                "Assert": Or(Not(linear), Contains(_counts(*LINEAR_PERCENTS), step)),
                "AssertDescription": "DeploymentStrategy LINEAR: DeploymentTrafficStepPercent must be 10 to 50 (each "
                "step moves 10 to 50 percent of the instances).",
            },
            {
                "Assert": Not(And(stepped, Equals(Ref(params.initial_instance_count), "1"))),
                "AssertDescription": "CANARY and LINEAR shift traffic in steps of the variant's instances: set "
                "InitialInstanceCount to 2 or more, or DeploymentStrategy to ALL_AT_ONCE.",
            },
            {
                "Assert": Not(And(stepped, scaling, Contains(["0", "1"], Ref(params.scaling_min_instance_count)))),
                "AssertDescription": "CANARY and LINEAR need 2 or more instances when an update starts: with "
                "ManagedInstanceScaling, set ScalingMinInstanceCount to 2 or more, or DeploymentStrategy to "
                "ALL_AT_ONCE.",
            },
            {
                "Assert": Not(And(stepped, Contains(INF1_INSTANCE_TYPES, Ref(params.instance_type)))),
                "AssertDescription": "ml.inf1 endpoints cannot use deployment guardrails (SageMaker updates them "
                "all at once, without the bake): set DeploymentStrategy to ALL_AT_ONCE.",
            },
        ]
    }


def _created_role_reads_the_artifacts(params: Parameters) -> dict[str, object]:
    """SageMaker downloads the package's model data (its ModelDataUrl) with the execution role; the role the stack
    creates reads only ModelArtifactsBucketArn (SageMaker guide, CreateModel API execution role permissions)."""
    return {
        "RuleCondition": is_empty(params.model_execution_role_arn),
        "Assertions": [
            {
                "Assert": Not(is_empty(params.model_artifacts_bucket_arn)),
                "AssertDescription": "The execution role the stack creates may read only ModelArtifactsBucketArn, "
                "and SageMaker downloads the model artifacts with it: set ModelArtifactsBucketArn to the bucket of the "
                "package's ModelDataUrl, or give ModelExecutionRoleArn.",
            }
        ],
    }


class Contains(AWSHelperFn):
    """Fn::Contains, a function of Rules only, which troposphere does not provide."""

    def __init__(self, values: list[str], value: object) -> None:
        self.data = {"Fn::Contains": [values, value]}


def _scaling_fits(params: Parameters) -> dict[str, object]:
    """With autoscaling on: a scalable type, minimum <= maximum, and InitialInstanceCount between them.

    Rules have no numeric comparison, so "x < y" is spelled out as the pairs it covers; y is at most
    SCALING_START_LIMIT (a parameter bound, or the first assertion for InitialInstanceCount).
    """
    by_name = {
        MINIMUM: params.scaling_min_instance_count,
        MAXIMUM: params.scaling_max_instance_count,
        INITIAL: params.initial_instance_count,
    }
    return {
        # on instance counts, which a serverless endpoint leaves at their defaults: they hold for it too
        "RuleCondition": Equals(Ref(params.managed_instance_scaling), "true"),
        "Assertions": [
            {
                "Assert": Or(
                    Not(Equals(Ref(params.scaling_min_instance_count), "0")), Equals(Ref(params.endpoint_type), ASYNC)
                ),
                "AssertDescription": "ScalingMinInstanceCount 0 (scale to zero) is for EndpointType Async, whose "
                "requests wait in a queue: a RealTime endpoint needs an instance to answer. Set it to 1 or more.",
            },
            {
                "Assert": Not(Contains(BURSTABLE_INSTANCE_TYPES, Ref(params.instance_type))),
                "AssertDescription": "ManagedInstanceScaling cannot scale a burstable ml.t* InstanceType: choose "
                "another instance type or set ManagedInstanceScaling to false.",
            },
            {
                "Assert": Contains(_counts(1, SCALING_START_LIMIT), Ref(by_name[INITIAL])),
                "AssertDescription": f"With ManagedInstanceScaling, InitialInstanceCount must be at most "
                f"{SCALING_START_LIMIT}: start smaller and let autoscaling add instances.",
            },
            *(
                {
                    "Assert": Not(_less_than(by_name[order.upper], by_name[order.lower])),
                    "AssertDescription": order.description,
                }
                for order in SCALING_ORDER
            ),
        ],
    }


def _less_than(smaller: Parameter, larger: Parameter) -> object:
    """True when Ref(smaller) < Ref(larger), for Ref(larger) from 2 to SCALING_START_LIMIT."""
    return any_of(
        [
            And(Equals(Ref(larger), str(value)), Contains(_counts(0, value - 1), Ref(smaller)))
            for value in range(2, SCALING_START_LIMIT + 1)
        ]
    )


def _counts(first: int, last: int) -> list[str]:
    return [str(count) for count in range(first, last + 1)]
