"""Safe updates: a blue/green deployment that rolls itself back when the new model misbehaves.

The alarms watch the new fleet only: the endpoint by name (EndpointStack.endpoint_name, known before the endpoint
exists), its variant, and the EndpointConfig the update moves to. SageMaker's guide ("Auto-Rollback Configuration
and Monitoring") warns that an alarm which also sees the old fleet terminates the deployment when the old fleet
trips it, so a fix for a misbehaving model could never be deployed; and "CloudWatch publishes the metrics with the
dimension EndpointConfigName:{New-Ep-Config} after the new fleet starts receiving traffic, and these metrics last
even after the deployment is complete": between deployments the same alarms watch the serving fleet, and notify
AlarmTopicArn when it is given (alarms.py). Their names are fixed (rollback_alarm_name), so the execution role, which
SageMaker uses to read them (cloudwatch:DescribeAlarms), names them without depending on them.
"""

from __future__ import annotations

from troposphere import Equals, GetAtt, If, Join, NoValue, Ref, Sub
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.sagemaker import (
    Alarm as RollbackAlarm,
)
from troposphere.sagemaker import (
    AutoRollbackConfig,
    BlueGreenUpdatePolicy,
    CapacitySize,
    DeploymentConfig,
    EndpointConfig,
    TrafficRoutingConfig,
)

from generator.endpoint.alarms import notify, variant_dimensions
from generator.endpoint.context import EndpointStack, add_condition, stack_resource_name

PERIOD_SECONDS = 60
EVALUATION_PERIODS = 3
DATAPOINTS_TO_ALARM = 2  # 2 of 3 minutes: one noisy minute does not roll a good model back
ROLLBACK_ALARMS = {"Invocation5xxAlarm": "rollback-5xx", "ModelLatencyAlarm": "rollback-latency"}  # title: name


def rollback_alarm_name(title: str) -> Join:
    return stack_resource_name(ROLLBACK_ALARMS[title])


def add_deployment_config(stack: EndpointStack, config: EndpointConfig) -> DeploymentConfig:
    """Add the rollback alarms on `config`'s fleet; return the Endpoint's DeploymentConfig that uses them."""
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
            Alarms=[RollbackAlarm(AlarmName=Ref(alarm)) for alarm in _add_rollback_alarms(stack, config)]
        ),
    )


def _add_rollback_alarms(stack: EndpointStack, config: EndpointConfig) -> list[Alarm]:
    params = stack.params
    fleet = [
        *variant_dimensions(stack),
        MetricDimension(Name="EndpointConfigName", Value=GetAtt(config, "EndpointConfigName")),
    ]
    errors = _fleet_alarm(
        stack,
        "Invocation5xxAlarm",
        fleet=fleet,
        metric="Invocation5XXErrors",
        threshold=Ref(params.rollback_max_invocation5xx_errors),
        what="5XX errors from the model",
        Statistic="Sum",
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    latency = _fleet_alarm(
        stack,
        "ModelLatencyAlarm",
        fleet=fleet,
        metric="ModelLatency",
        threshold=Ref(params.rollback_max_model_latency_microseconds),
        what="p99 model latency (microseconds)",
        ExtendedStatistic="p99",
        ComparisonOperator="GreaterThanThreshold",
    )
    return [errors, latency]


def _fleet_alarm(
    stack: EndpointStack,
    title: str,
    *,
    fleet: list[MetricDimension],
    metric: str,
    threshold: Ref,
    what: str,
    **statistic: str,
) -> Alarm:
    return stack.template.add_resource(
        Alarm(
            title,
            AlarmName=rollback_alarm_name(title),
            AlarmDescription=Sub(
                f"{what} of the serving fleet of the endpoint of stack ${{AWS::StackName}}: rolls back its updates"
            ),
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=fleet,
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
