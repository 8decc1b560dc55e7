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

from troposphere import And, Equals, GetAtt, If, Join, Not, NoValue, Or, Ref, Sub
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

from generator.cfn.inputs import Contains, Input, choice, whole_number
from generator.endpoint.alarms import notify, variant_dimensions
from generator.endpoint.asynchronous import INF1_INSTANCE_TYPES
from generator.endpoint.autoscaling import MIN_INSTANCES, SCALING
from generator.endpoint.context import EndpointStack, add_condition, stack_resource_name
from generator.endpoint.types import ENDPOINT_TYPE, SERVERLESS
from generator.endpoint.variant import INITIAL_INSTANCE_COUNT, INSTANCE_TYPE

PERIOD_SECONDS = 60
EVALUATION_PERIODS = 3
DATAPOINTS_TO_ALARM = 2  # 2 of 3 minutes: one noisy minute does not roll a good model back
ROLLBACK_ALARMS = {"Invocation5xxAlarm": "rollback-5xx", "ModelLatencyAlarm": "rollback-latency"}  # title: name
# TrafficRoutingConfig: CanarySize "must be less than or equal to 50% of the variant's total instance count";
# LinearStepSize "must be 10-50% of the variant's total instance count" (SageMaker API reference).
CANARY_PERCENTS, LINEAR_PERCENTS = (1, 50), (10, 50)

STRATEGY = Input(
    "DeploymentStrategy",
    "Traffic shifting",
    "How an update shifts traffic to the new fleet: all at once, a canary first, or in linear steps.",
    choice("ALL_AT_ONCE", "CANARY", "LINEAR"),
    default="ALL_AT_ONCE",
)
STEP_PERCENT = Input(
    "DeploymentTrafficStepPercent",
    "Canary or step size (%)",
    "Percent of the instances in the canary (CANARY: at most 50) or in each step (LINEAR: 10 to 50).",
    whole_number(1, 100),
    default="10",
)
WAIT_SECONDS = Input(
    "DeploymentWaitIntervalSeconds",
    "Wait between steps",
    "Seconds between traffic shifts, watching the rollback alarms.",
    whole_number(0, 3600),
    default="300",
)
BAKE_SECONDS = Input(
    "DeploymentBakeSeconds",
    "Bake time",
    "Seconds the old fleet is kept after all traffic moved, while the alarms can still roll back.",
    whole_number(0, 3600),
    default="600",
)
TIMEOUT_SECONDS = Input(
    "DeploymentTimeoutSeconds",
    "Deployment timeout",
    "Longest an update may take, in seconds: more than the waits (LINEAR: one per step) plus the bake time plus the "
    "new fleet's start.",
    whole_number(600, 28800),
    default="7200",
)
MAX_5XX = Input(
    "RollbackMaxInvocation5xxErrors",
    "Rollback: 5XX errors per minute",
    "Invocation5XXErrors per minute that, in 2 of 3 minutes, roll an update back.",
    whole_number(1, 1000000),
    default="5",
)
MAX_LATENCY = Input(
    "RollbackMaxModelLatencyMicroseconds",
    "Rollback: p99 model latency (microseconds)",
    "p99 ModelLatency, in microseconds, that in 2 of 3 minutes rolls an update back.",
    whole_number(1, 600000000),
    default="1000000",
)
INPUTS = (STRATEGY, STEP_PERCENT, WAIT_SECONDS, BAKE_SECONDS, TIMEOUT_SECONDS, MAX_5XX, MAX_LATENCY)


def _add_traffic_rule(stack: EndpointStack) -> None:
    """Canary and linear steps SageMaker accepts: sized in percent of the variant's instances, so at least two of
    them (with autoscaling, the minimum too: the update starts from the current count); none on Inferentia 1, where
    SageMaker silently falls back to all at once with no bake (deployment guardrails exclusions); none on a
    serverless endpoint, which has no instances to step through."""
    strategy, step = STRATEGY.ref(), STEP_PERCENT.ref()
    canary, linear = Equals(strategy, "CANARY"), Equals(strategy, "LINEAR")
    is_serverless = Equals(ENDPOINT_TYPE.ref(), SERVERLESS)
    stepped = And(Or(canary, linear), Not(is_serverless))
    assertions = [
        (
            Or(Not(canary), Contains(_counts(*CANARY_PERCENTS), step)),
            "DeploymentStrategy CANARY: DeploymentTrafficStepPercent must be 1 to 50 (a canary is at most half of "
            "the instances).",
        ),
        (
            Or(Not(linear), Contains(_counts(*LINEAR_PERCENTS), step)),
            "DeploymentStrategy LINEAR: DeploymentTrafficStepPercent must be 10 to 50 (each step moves 10 to 50 "
            "percent of the instances).",
        ),
        (
            Not(And(stepped, Equals(INITIAL_INSTANCE_COUNT.ref(), "1"))),
            "CANARY and LINEAR shift traffic in steps of the variant's instances: set InitialInstanceCount to 2 or "
            "more, or DeploymentStrategy to ALL_AT_ONCE.",
        ),
        (
            Not(And(stepped, Equals(SCALING.ref(), "true"), Contains(["0", "1"], MIN_INSTANCES.ref()))),
            "CANARY and LINEAR need 2 or more instances when an update starts: with ManagedInstanceScaling, set "
            "ScalingMinInstanceCount to 2 or more, or DeploymentStrategy to ALL_AT_ONCE.",
        ),
        (
            Not(And(stepped, Contains(INF1_INSTANCE_TYPES, INSTANCE_TYPE.ref()))),
            "ml.inf1 endpoints cannot use deployment guardrails (SageMaker updates them all at once, without the "
            "bake): set DeploymentStrategy to ALL_AT_ONCE.",
        ),
        (
            Or(Not(is_serverless), Equals(strategy, "ALL_AT_ONCE")),
            "Serverless endpoints update blue/green all at once: set DeploymentStrategy to ALL_AT_ONCE (canary and "
            "linear steps are sized in instances).",
        ),
    ]
    stack.template.add_rule(
        "TrafficShiftsSageMakerCanMake",
        {"Assertions": [{"Assert": test, "AssertDescription": text} for test, text in assertions]},
    )


def _counts(first: int, last: int) -> list[str]:
    return [str(count) for count in range(first, last + 1)]


def rollback_alarm_name(title: str) -> Join:
    return stack_resource_name(ROLLBACK_ALARMS[title])


def add_deployment_config(stack: EndpointStack, config: EndpointConfig) -> DeploymentConfig:
    """Add the rollback alarms on `config`'s fleet; return the Endpoint's DeploymentConfig that uses them."""
    _add_traffic_rule(stack)
    step = CapacitySize(Type="CAPACITY_PERCENT", Value=STEP_PERCENT.ref())
    is_canary = add_condition(stack, "CanaryDeployment", Equals(STRATEGY.ref(), "CANARY"))
    is_linear = add_condition(stack, "LinearDeployment", Equals(STRATEGY.ref(), "LINEAR"))
    return DeploymentConfig(
        BlueGreenUpdatePolicy=BlueGreenUpdatePolicy(
            TrafficRoutingConfiguration=TrafficRoutingConfig(
                Type=STRATEGY.ref(),
                WaitIntervalInSeconds=WAIT_SECONDS.ref(),
                CanarySize=If(is_canary, step, NoValue),
                LinearStepSize=If(is_linear, step, NoValue),
            ),
            TerminationWaitInSeconds=BAKE_SECONDS.ref(),
            MaximumExecutionTimeoutInSeconds=TIMEOUT_SECONDS.ref(),
        ),
        AutoRollbackConfiguration=AutoRollbackConfig(
            Alarms=[RollbackAlarm(AlarmName=Ref(alarm)) for alarm in _add_rollback_alarms(stack, config)]
        ),
    )


def _add_rollback_alarms(stack: EndpointStack, config: EndpointConfig) -> list[Alarm]:
    fleet = [
        *variant_dimensions(stack),
        MetricDimension(Name="EndpointConfigName", Value=GetAtt(config, "EndpointConfigName")),
    ]
    errors = _fleet_alarm(
        stack,
        "Invocation5xxAlarm",
        fleet=fleet,
        metric="Invocation5XXErrors",
        threshold=MAX_5XX.ref(),
        what="5XX errors from the model",
        Statistic="Sum",
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    latency = _fleet_alarm(
        stack,
        "ModelLatencyAlarm",
        fleet=fleet,
        metric="ModelLatency",
        threshold=MAX_LATENCY.ref(),
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
