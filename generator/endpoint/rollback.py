"""Safe updates: a blue/green deployment that rolls itself back when the new model misbehaves.

The alarms watch the endpoint by name; the name is known before the endpoint exists (Stack.endpoint_name),
so the Endpoint can list the alarms in its DeploymentConfig without a dependency cycle. They are plain
CloudWatch alarms too: they also show a misbehaving endpoint outside of deployments, and notify AlarmTopicArn
when it is given (alarms.py).
"""

from __future__ import annotations

from troposphere import Equals, If, NoValue, Ref, Sub
from troposphere.cloudwatch import Alarm
from troposphere.sagemaker import (
    Alarm as RollbackAlarm,
)
from troposphere.sagemaker import (
    AutoRollbackConfig,
    BlueGreenUpdatePolicy,
    CapacitySize,
    DeploymentConfig,
    TrafficRoutingConfig,
)

from generator.endpoint.alarms import notify, variant_dimensions
from generator.endpoint.context import EndpointStack, add_condition

PERIOD_SECONDS = 60
EVALUATION_PERIODS = 3
DATAPOINTS_TO_ALARM = 2  # 2 of 3 minutes: one noisy minute does not roll a good model back


def add_deployment_config(stack: EndpointStack) -> DeploymentConfig:
    """Add the rollback alarms; return the Endpoint's DeploymentConfig that uses them."""
    params = stack.params
    step = CapacitySize(Type="CAPACITY_PERCENT", Value=Ref(params.deployment_traffic_step_percent))
    is_canary = add_condition(stack, "CanaryDeployment", Equals(Ref(params.deployment_strategy), "CANARY"))
    is_linear = add_condition(stack, "LinearDeployment", Equals(Ref(params.deployment_strategy), "LINEAR"))
    return DeploymentConfig(
        BlueGreenUpdatePolicy=BlueGreenUpdatePolicy(
            TrafficRoutingConfiguration=TrafficRoutingConfig(
                Type=Ref(params.deployment_strategy),
                WaitIntervalInSeconds=Ref(params.deployment_wait_interval_seconds),
                CanarySize=If(is_canary, step, NoValue),
                LinearStepSize=If(is_linear, step, NoValue),
            ),
            TerminationWaitInSeconds=Ref(params.deployment_bake_seconds),
            MaximumExecutionTimeoutInSeconds=Ref(params.deployment_timeout_seconds),
        ),
        AutoRollbackConfiguration=AutoRollbackConfig(
            Alarms=[RollbackAlarm(AlarmName=Ref(alarm)) for alarm in _add_rollback_alarms(stack)]
        ),
    )


def _add_rollback_alarms(stack: EndpointStack) -> list[Alarm]:
    params = stack.params
    errors = _variant_alarm(
        stack,
        "Invocation5xxAlarm",
        "Invocation5XXErrors",
        Ref(params.rollback_max_invocation5xx_errors),
        "5XX errors from the model",
        Statistic="Sum",
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    latency = _variant_alarm(
        stack,
        "ModelLatencyAlarm",
        "ModelLatency",
        Ref(params.rollback_max_model_latency_microseconds),
        "p99 model latency (microseconds)",
        ExtendedStatistic="p99",
        ComparisonOperator="GreaterThanThreshold",
    )
    return [errors, latency]


def _variant_alarm(stack: EndpointStack, title: str, metric: str, threshold: Ref, what: str, **statistic: str) -> Alarm:
    return stack.template.add_resource(
        Alarm(
            title,
            AlarmDescription=Sub(f"{what} of the endpoint of stack ${{AWS::StackName}}: rolls back its updates"),
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=variant_dimensions(stack),
            Period=PERIOD_SECONDS,
            EvaluationPeriods=EVALUATION_PERIODS,
            DatapointsToAlarm=DATAPOINTS_TO_ALARM,
            Threshold=threshold,
            TreatMissingData="notBreaching",
            Tags=stack.tags,
            **notify(stack),
            **statistic,
        )
    )
