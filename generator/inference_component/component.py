"""The component's Model (from the model package), the InferenceComponent on the shared endpoint, its rolling update
with automatic rollback, and the outputs a caller needs to invoke it.

- The Model is made from the package (PrimaryContainer.ModelPackageName) and named by the component's
  Specification.ModelName, "The name of an existing SageMaker AI model object in your account" (SageMaker API
  Reference, InferenceComponentSpecification). AWS's documentation neither confirms nor refuses a Model made from a
  model package there; AWS's own SDK makes exactly that (sagemaker-python-sdk ModelPackage.deploy with
  INFERENCE_COMPONENT_BASED: CreateModel with {"ModelPackageName": ...}, then CreateInferenceComponent with that
  model's name), refusing it only for Marketplace packages. The acceptance lane proves it in a real account.
- The Model takes the shared endpoint's role and network isolation, imported (generator.inference_component.context),
  and no VpcConfig of its own: the endpoint config's VpcConfig places the instances, and AWS says nothing of a model's
  VpcConfig under an endpoint with components.
- Every Model property is create-only, so a new package is a new Model; it is retained when replaced and tagged with
  the stack's id, as the endpoint template's is, until the component is verified to serve its successor.
- The rolling update moves DeploymentBatchPercent of the capacity per step, a CAPACITY_PERCENT of 5 to 50: "The value
  must be between 5% to 50% of the copy count of the inference component" (InferenceComponentRollingUpdatePolicy), a
  bound a COPY_COUNT batch of one copy breaks for a component of fewer than two copies (or none, scaled to zero). A
  rollback, RollbackMaximumBatchSize absent, is blue/green: "if you don't specify the fields in this object ...
  SageMaker AI uses a blue/green rollback strategy" (InferenceComponentCapacitySize).
- The rollback alarms watch the component's own invocation metrics (dimension InferenceComponentName: "Filters
  inference component invocation metrics": Developer Guide, "Amazon SageMaker AI metrics in Amazon CloudWatch"). AWS
  does not say whether old and new copies can be told apart during an update: these alarms see both.
"""

from __future__ import annotations

from dataclasses import replace

from troposphere import GetAtt, If, Ref, Sub
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.iam import ManagedPolicy
from troposphere.sagemaker import Alarm as RollbackAlarm
from troposphere.sagemaker import (
    AutoRollbackConfiguration,
    ContainerDefinition,
    InferenceComponent,
    InferenceComponentCapacitySize,
    InferenceComponentDeploymentConfig,
    InferenceComponentRollingUpdatePolicy,
    InferenceComponentRuntimeConfig,
    InferenceComponentSpecification,
    Model,
)

from custom_resource.contract import ComponentLogicalIds, ComponentOutputs
from generator.cfn.inputs import Input, whole_number
from generator.endpoint.alarms import notify
from generator.endpoint.context import add_output
from generator.endpoint.rollback import (
    DATAPOINTS_TO_ALARM,
    EVALUATION_PERIODS,
    MAX_5XX,
    MAX_LATENCY,
    PERIOD_SECONDS,
    TIMEOUT_SECONDS,
    WAIT_SECONDS,
    rollback_alarm_name,
)
from generator.endpoint.tags import retained_resource_tags
from generator.inference_component.compute import compute_requirements, startup_parameters
from generator.inference_component.context import ComponentStack
from generator.inference_component.scaling import COPY_COUNT

COMPONENT_OUTPUT = ComponentOutputs.INFERENCE_COMPONENT_NAME
BATCH_PERCENT = Input(
    "DeploymentBatchPercent",
    "Capacity per update step (%)",
    "Percent of the component's capacity each step of an update moves to the new model: 5 to 50, SageMaker's bounds.",
    whole_number(5, 50),
    default="50",
)
WAIT = replace(WAIT_SECONDS, description="Seconds each step waits, watching the rollback alarms, before the next.")
TIMEOUT = replace(
    TIMEOUT_SECONDS,
    description="Longest an update may take, in seconds: more than the waits of its steps plus the new copies' start.",
)
INPUTS = (BATCH_PERCENT, WAIT, TIMEOUT, MAX_5XX, MAX_LATENCY)
MODEL_CHECKOV_SKIPS = {
    "CKV_AWS_370": "EnableNetworkIsolation is the shared endpoint's, imported (a Model's must match its endpoint "
    "config's, or SageMaker refuses the component), which checkov cannot read; that stack's default is true.",
}


def add_model(stack: ComponentStack, package_arn: If, access: ManagedPolicy) -> Model:
    """After the access policy: SageMaker reads the package's artifacts with the role as soon as it makes copies."""
    model = stack.template.add_resource(
        Model(
            ComponentLogicalIds.MODEL,
            DependsOn=[access],
            PrimaryContainer=ContainerDefinition(ModelPackageName=package_arn),
            ExecutionRoleArn=stack.endpoint.role_arn,
            EnableNetworkIsolation=stack.endpoint.network_isolation,
            Tags=retained_resource_tags(stack.tags),
            UpdateReplacePolicy="Retain",
            DeletionPolicy="Delete",
            Metadata={"checkov": {"skip": [{"id": k, "comment": v} for k, v in MODEL_CHECKOV_SKIPS.items()]}},
        )
    )
    add_output(stack, "ModelName", GetAtt(model, "ModelName"), "Name of the component's model", export=False)
    add_output(
        stack, ComponentOutputs.MODEL_PACKAGE_ARN, package_arn, "Model package the component serves", export=False
    )
    return model


def add_component(stack: ComponentStack, model: Model) -> InferenceComponent:
    component = stack.template.add_resource(
        InferenceComponent(
            ComponentLogicalIds.INFERENCE_COMPONENT,
            InferenceComponentName=stack.component_name,
            EndpointName=stack.endpoint.name,
            VariantName=stack.endpoint.variant,
            Specification=InferenceComponentSpecification(
                ModelName=GetAtt(model, "ModelName"),
                ComputeResourceRequirements=compute_requirements(stack),
                StartupParameters=startup_parameters(stack),
            ),
            RuntimeConfig=InferenceComponentRuntimeConfig(CopyCount=COPY_COUNT.ref()),
            DeploymentConfig=InferenceComponentDeploymentConfig(
                RollingUpdatePolicy=InferenceComponentRollingUpdatePolicy(
                    MaximumBatchSize=InferenceComponentCapacitySize(Type="CAPACITY_PERCENT", Value=BATCH_PERCENT.ref()),
                    WaitIntervalInSeconds=WAIT.ref(),
                    MaximumExecutionTimeoutInSeconds=TIMEOUT.ref(),
                ),
                AutoRollbackConfiguration=AutoRollbackConfiguration(
                    Alarms=[RollbackAlarm(AlarmName=Ref(alarm)) for alarm in _add_rollback_alarms(stack)]
                ),
            ),
            Tags=stack.tags,
        )
    )
    _add_outputs(stack, component)
    return component


def _add_rollback_alarms(stack: ComponentStack) -> list[Alarm]:
    errors = _alarm(
        stack, "Invocation5xxAlarm", "Invocation5XXErrors", MAX_5XX, "5XX errors",
        Statistic="Sum", ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip
    latency = _alarm(
        stack, "ModelLatencyAlarm", "ModelLatency", MAX_LATENCY, "p99 model latency (microseconds)",
        ExtendedStatistic="p99", ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    return [errors, latency]


def _alarm(stack: ComponentStack, title: str, metric: str, threshold: Input, what: str, **statistic: str) -> Alarm:
    """2 of 3 minutes past the threshold, as the endpoint template's rollback alarms; named as they are, so the role
    names them before they exist."""
    return stack.template.add_resource(
        Alarm(
            title,
            AlarmName=rollback_alarm_name(title),
            AlarmDescription=Sub(
                f"{what} of the inference component of stack ${{AWS::StackName}}: rolls back its updates"
            ),
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=[MetricDimension(Name="InferenceComponentName", Value=stack.component_name)],
            Period=PERIOD_SECONDS,
            EvaluationPeriods=EVALUATION_PERIODS,
            DatapointsToAlarm=DATAPOINTS_TO_ALARM,
            Threshold=threshold.ref(),
            TreatMissingData="notBreaching",
            Tags=stack.tags,
            **notify(stack),
            **statistic,
        )
    )


def _add_outputs(stack: ComponentStack, component: InferenceComponent) -> None:
    """How to invoke it: POST to the endpoint's URL with the component's name (InvokeEndpoint's InferenceComponentName,
    the X-Amzn-SageMaker-Inference-Component header): "If the endpoint hosts one or more inference components, this
    parameter specifies the name of inference component to invoke" (SageMaker Runtime API Reference)."""
    add_output(stack, COMPONENT_OUTPUT, stack.component_name, "Name of the component: send it with each request")
    add_output(stack, "InferenceComponentArn", Ref(component), "ARN of the component")
    endpoint = stack.endpoint.name
    add_output(
        stack, ComponentOutputs.ENDPOINT_NAME, endpoint, "Name of the shared endpoint that hosts it", export=False
    )
    add_output(
        stack,
        "EndpointUrl",
        Sub("https://runtime.sagemaker.${AWS::Region}.${AWS::URLSuffix}/endpoints/${Name}/invocations", Name=endpoint),
        "URL that invokes it, with its name in the X-Amzn-SageMaker-Inference-Component header",
        export=False,
    )
