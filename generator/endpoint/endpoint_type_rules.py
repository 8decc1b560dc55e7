"""The Rules of the endpoint types: what each type needs, and what a serverless endpoint cannot have.

SageMaker's serverless guide lists what serverless endpoints do not support; each of those the template could be
given is refused here, before any resource is created: VPC configuration, network isolation (EnableNetworkIsolation
defaults to true, so a serverless stack must say false: isolation is never dropped silently), data capture,
instance settings, and canary or linear updates (they size steps in instances). Provisioned concurrency must not
exceed the maximum; Rules cannot compare numbers, so that is enumerated for maxima up to
SERVERLESS_RULE_LIMIT, and the deploy client checks every value exactly.
"""

from __future__ import annotations

from troposphere import And, AWSHelperFn, Equals, Not, Or, Parameter, Ref

from generator.cfn.conditions import any_of, is_empty
from generator.common.scaling_order import SERVERLESS_ORDER
from generator.endpoint.parameters import ASYNC, SERVERLESS, Parameters

SERVERLESS_RULE_LIMIT = 20


class EachMemberEquals(AWSHelperFn):
    """Fn::EachMemberEquals, a function of Rules only: true when every member of the list equals the value."""

    def __init__(self, values: object, value: str) -> None:
        self.data = {"Fn::EachMemberEquals": [values, value]}


def endpoint_type_rules(params: Parameters) -> dict[str, dict[str, object]]:
    is_serverless, is_async = Equals(Ref(params.endpoint_type), SERVERLESS), Equals(Ref(params.endpoint_type), ASYNC)
    no_subnets = EachMemberEquals(Ref(params.subnet_ids), "")
    return {
        "InstanceEndpointsNeedTheirNetwork": {
            "RuleCondition": Not(is_serverless),
            "Assertions": [
                {
                    "Assert": And(Not(is_empty(params.vpc_id)), Not(no_subnets)),
                    "AssertDescription": "EndpointType RealTime and Async run instances in your VPC: set VpcId and "
                    "SubnetIds (or choose EndpointType Serverless, which runs outside it).",
                }
            ],
        },
        "ServerlessSupportsNoneOfThese": {"RuleCondition": is_serverless, "Assertions": _serverless_assertions(params)},
        "AsyncNeedsItsOutput": {
            "RuleCondition": is_async,
            "Assertions": [
                {
                    "Assert": Not(is_empty(params.async_output_s3_uri)),
                    "AssertDescription": "EndpointType Async writes every response to S3: set AsyncOutputS3Uri "
                    "(s3://bucket/prefix).",
                }
            ],
        },
        "AsyncSupportsNoneOfThese": {"RuleCondition": is_async, "Assertions": _async_assertions(params)},
        "SettingsOfAnotherType": {"Assertions": _settings_of_another_type(params, is_serverless, is_async)},
    }


def _serverless_assertions(params: Parameters) -> list[dict[str, object]]:
    instance_settings = (
        params.volume_size_in_gb,
        params.model_data_download_timeout_in_seconds,
        params.container_startup_health_check_timeout_in_seconds,
    )
    return [
        _assertion(
            And(is_empty(params.vpc_id), EachMemberEquals(Ref(params.subnet_ids), "")),
            "Serverless endpoints run outside your VPC (SageMaker supports no VPC configuration for them): clear "
            "VpcId and SubnetIds, or choose EndpointType RealTime.",
        ),
        _assertion(
            Equals(Ref(params.enable_network_isolation), "false"),
            "Serverless endpoints do not support network isolation: set EnableNetworkIsolation to false to accept "
            "that, or choose EndpointType RealTime.",
        ),
        _assertion(
            Equals(Ref(params.data_capture_sampling_percentage), "0"),
            "Serverless endpoints do not support data capture: set DataCaptureSamplingPercentage to 0, or choose "
            "EndpointType RealTime.",
        ),
        _assertion(
            And(*(is_empty(setting) for setting in instance_settings)),
            "Serverless endpoints have no instances: clear VolumeSizeInGB, ModelDataDownloadTimeoutInSeconds and "
            "ContainerStartupHealthCheckTimeoutInSeconds.",
        ),
        _assertion(
            Equals(Ref(params.deployment_strategy), "ALL_AT_ONCE"),
            "Serverless endpoints update blue/green all at once: set DeploymentStrategy to ALL_AT_ONCE (canary and "
            "linear steps are sized in instances).",
        ),
        _assertion(
            Or(
                Not(Equals(Ref(params.managed_instance_scaling), "true")),
                Not(is_empty(params.serverless_provisioned_concurrency)),
            ),
            "With EndpointType Serverless, ManagedInstanceScaling scales provisioned concurrency: set "
            "ServerlessProvisionedConcurrency (its floor), or set ManagedInstanceScaling to false.",
        ),
        _assertion(
            Not(_above_maximum(params.serverless_provisioned_concurrency, params.serverless_max_concurrency)),
            SERVERLESS_ORDER.description,
        ),
    ]


def _async_assertions(params: Parameters) -> list[dict[str, object]]:
    """What asynchronous inference does not support: endpoints on Inferentia 1 ("if your endpoint uses any of the
    features listed in this Exclusions page, you cannot use Asynchronous Inference", and Inf1 is on it), and data
    capture (the guide's feature table marks it for real-time only; newer pages say nothing: refused, the safe
    side)."""
    from generator.endpoint.rules import INF1_INSTANCE_TYPES, Contains  # noqa: PLC0415  # rules.py imports this module

    return [
        _assertion(
            Not(Contains(INF1_INSTANCE_TYPES, Ref(params.instance_type))),
            "Asynchronous inference is not available on ml.inf1 instances: choose another InstanceType (ml.inf2 "
            "works), or EndpointType RealTime.",
        ),
        _assertion(
            Equals(Ref(params.data_capture_sampling_percentage), "0"),
            "Data capture is for EndpointType RealTime: set DataCaptureSamplingPercentage to 0 for Async.",
        ),
    ]


def _settings_of_another_type(params: Parameters, is_serverless: Equals, is_async: Equals) -> list[dict[str, object]]:
    async_settings = (
        params.async_output_s3_uri,
        params.async_failure_s3_uri,
        params.async_input_s3_uri,
        params.async_max_concurrent_invocations_per_instance,
        params.async_success_topic_arn,
        params.async_error_topic_arn,
    )
    return [
        _assertion(
            Or(is_async, And(*(is_empty(setting) for setting in async_settings))),
            "Async* parameters configure EndpointType Async: clear them, or set EndpointType to Async.",
        ),
        _assertion(
            Or(is_serverless, is_empty(params.serverless_provisioned_concurrency)),
            "ServerlessProvisionedConcurrency configures EndpointType Serverless: clear it, or set EndpointType to "
            "Serverless.",
        ),
    ]


def _above_maximum(provisioned: Parameter, maximum: Parameter) -> AWSHelperFn:
    """True when Ref(provisioned) > Ref(maximum), for maxima up to SERVERLESS_RULE_LIMIT."""
    from generator.endpoint.rules import Contains  # noqa: PLC0415  # rules.py imports this module

    return any_of(
        [
            And(
                Equals(Ref(maximum), str(value)),
                Not(is_empty(provisioned)),
                Not(Contains([str(n) for n in range(1, value + 1)], Ref(provisioned))),
            )
            for value in range(1, SERVERLESS_RULE_LIMIT + 1)
        ]
    )


def _assertion(condition: AWSHelperFn, description: str) -> dict[str, object]:
    return {"Assert": condition, "AssertDescription": description}
