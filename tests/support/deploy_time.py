"""The template as CloudFormation evaluates it at deploy time: every Ref and Fn::GetAtt of a resource becomes a
stand-in for what CloudFormation or the service will make, the longest it can be (a generated name at the service's
maximum length, an ARN of the right shape in the partition), so each property holds the exact value an API request
carries. Pseudo parameters come in sets, since a derived value (a name built from the stack name) is longest with
the longest stack name, and an ARN or a host differs by partition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.request_shapes import max_length
from tests.support.template_eval import NO_VALUE, PSEUDO, Evaluator

# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html (StackName): "A stack
# name can contain only alphanumeric characters (case sensitive) and hyphens. It must start with an alphabetical
# character and can't be longer than 128 characters." A name built from the stack name is longest with this one.
LONG_STACK_NAME = "churn-" + "-".join(["prediction-endpoint-production"] * 4)[:121] + "x"
PSEUDO_SETS: dict[str, dict[str, str]] = {
    "test defaults": {},
    "a 128-character stack name": {"AWS::StackName": LONG_STACK_NAME},
    "the aws-cn partition": {
        "AWS::Partition": "aws-cn",
        "AWS::Region": "cn-northwest-1",
        "AWS::URLSuffix": "amazonaws.com.cn",
    },
}


class UnresolvableReference(Exception):
    """A Ref or Fn::GetAtt the template cannot have, or one with no stand-in yet."""


def generated_name(stack_name: str, logical_id: str, limit: int) -> str:
    """The name CloudFormation makes for an unnamed resource, at most `limit` characters.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html: "By default,
    CloudFormation generates a unique physical ID to name a resource. For example, CloudFormation might name an
    Amazon S3 bucket with the following physical ID MyStack-MyBucket-abcdefghijk1." The stack and logical id part
    is cut to fit the service's limit, keeping the 12-character unique part."""
    unique = "-abcdefghijk1"
    return f"{stack_name}-{logical_id}"[: limit - len(unique)].rstrip("-") + unique


def in_partition(values: Mapping[str, str], pseudo: Mapping[str, str]) -> dict[str, str]:
    """The values as a user in the pseudo parameters' partition and Region gives them: the test values name ARNs
    in the defaults' (`aws`, `eu-west-1`)."""
    given = {**PSEUDO, **pseudo}
    home = (f"arn:{PSEUDO['AWS::Partition']}:", f":{PSEUDO['AWS::Region']}:")
    here = (f"arn:{given['AWS::Partition']}:", f":{given['AWS::Region']}:")
    return {name: value.replace(home[0], here[0]).replace(home[1], here[1]) for name, value in values.items()}


@dataclass
class StandIn:
    """What a stand-in is made from: the evaluator (pseudo parameters, other resources) and the resource."""

    evaluator: DeployTimeEvaluator
    logical_id: str

    def prop(self, name: str) -> Any:
        """One property, evaluated (only what the stand-in needs: a role's ARN needs its name, not its policies)."""
        return self.evaluator.property(self.logical_id, name)

    def pseudo(self, name: str) -> str:
        return self.evaluator.pseudo[f"AWS::{name}"]

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.pseudo("Region") if regional else ""
        return f"arn:{self.pseudo('Partition')}:{service}:{region}:{self.pseudo('AccountId')}:{resource}"

    def name(self, name_property: str, limit: int) -> str:
        """The name the template gives, else the one CloudFormation generates."""
        given = self.prop(name_property)
        return str(given) if given else generated_name(self.pseudo("StackName"), self.logical_id, limit)


KMS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"  # the example key id of the KMS model's documentation
SECURITY_GROUP_ID = "sg-0123456789abcdef0"  # the longer of EC2's id forms (8 or 17 hexadecimal digits)
POLICY_UUID = "6d8972f3-efc8-437c-92d1-6270f29a66e7"  # botocore's PutScalingPolicy example, PolicyARN


def _role_arn(c: StandIn) -> str:
    name = c.name("RoleName", max_length("iam", "CreateRole", "RoleName"))
    return c.arn("iam", f"role{c.prop('Path') or '/'}{name}", regional=False)


def _model_package_arn(c: StandIn) -> str:
    """The resolved package of the group: in the group's account and Region, at the longest version number
    SageMaker's own ARN pattern admits (`VersionedArnOrName`: `(\\/[0-9]{1,9})?`)."""
    group = str(c.prop("ModelPackageGroupName"))
    match = re.fullmatch(r"arn:([^:]+):sagemaker:([^:]+):([0-9]{12}):model-package-group/(.+)", group)
    partition, region, account, name = (
        match.groups() if match else (c.pseudo("Partition"), c.pseudo("Region"), c.pseudo("AccountId"), group)
    )
    return f"arn:{partition}:sagemaker:{region}:{account}:model-package/{name}/999999999"


def _queue_name(c: StandIn) -> str:
    """The given name, or CloudFormation's for a standard queue; CreateQueue's QueueName: "A queue name can have up
    to 80 characters" (SQS API model). A FIFO queue here is always named (its name must end in .fifo)."""
    return c.name("QueueName", 80)


def _queue_url(c: StandIn) -> str:
    """https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html:
    "The following is the queue URL for a queue named MyQueue owned by a user with the AWS account number
    123456789012." (`https://sqs.us-east-2.amazonaws.com/123456789012/MyQueue`); the host follows the partition."""
    return f"https://sqs.{c.pseudo('Region')}.{c.pseudo('URLSuffix')}/{c.pseudo('AccountId')}/{_queue_name(c)}"


def _rule_name(c: StandIn) -> str:
    return c.name("Name", max_length("events", "PutRule", "Name"))


def _scalable_target(c: StandIn) -> str:
    """Our stand-in carries the three values that identify the target, which its generated id stands for."""
    return "|".join(str(c.prop(key)) for key in ("ResourceId", "ScalableDimension", "ServiceNamespace"))


def _scaling_policy_arn(c: StandIn) -> str:
    """Ref of a ScalingPolicy is its ARN, shaped as botocore's PutScalingPolicy example's PolicyARN
    (`arn:aws:autoscaling:us-west-2:012345678910:scalingPolicy:<uuid>:resource/ecs/service/default/web-app:
    policyName/<name>`)."""
    target = c.prop("ScalingTargetId")
    resource_id, _, namespace = (
        str(target).split("|") if target else (c.prop("ResourceId"), "", c.prop("ServiceNamespace"))
    )
    resource = f"scalingPolicy:{POLICY_UUID}:resource/{namespace}/{resource_id}:policyName/{c.prop('PolicyName')}"
    return c.arn("autoscaling", resource)


def _alarm_name(c: StandIn) -> str:
    return c.name("AlarmName", max_length("cloudwatch", "PutMetricAlarm", "AlarmName"))


def _function_name(c: StandIn) -> str:
    return c.name("FunctionName", 64)  # ProseRule: "it is limited to 64 characters in length"


def _log_group_arn(c: StandIn) -> str:
    """A log group's ARN, as the Service Authorization Reference gives its format (cfn-lint's Policies.json, logs
    `log-group`: `"ARNFormats": ["arn:${Partition}:logs:${Region}:${Account}:log-group:.*"]`), ending in `:*`, the
    longer of the two forms a log group's ARN is written in."""
    name = c.name("LogGroupName", max_length("logs", "CreateLogGroup", "logGroupName"))
    return c.arn("logs", f"log-group:{name}:*")


STAND_INS: dict[tuple[str, str], Callable[[StandIn], str]] = {
    ("AWS::IAM::Role", "Arn"): _role_arn,
    ("AWS::KMS::Key", "Ref"): lambda _: KMS_KEY_ID,
    ("AWS::KMS::Key", "Arn"): lambda c: c.arn("kms", f"key/{KMS_KEY_ID}"),
    ("AWS::EC2::SecurityGroup", "GroupId"): lambda _: SECURITY_GROUP_ID,
    ("Custom::LatestApprovedModelPackage", "ModelPackageArn"): _model_package_arn,
    ("AWS::SageMaker::Model", "ModelName"): lambda c: c.name(
        "ModelName", max_length("sagemaker", "CreateModel", "ModelName")
    ),
    ("AWS::SageMaker::EndpointConfig", "EndpointConfigName"): lambda c: c.name(
        "EndpointConfigName", max_length("sagemaker", "CreateEndpointConfig", "EndpointConfigName")
    ),
    ("AWS::SageMaker::Endpoint", "EndpointName"): lambda c: c.name(
        "EndpointName", max_length("sagemaker", "CreateEndpoint", "EndpointName")
    ),
    ("AWS::SageMaker::InferenceComponent", "Ref"): lambda c: c.arn(
        "sagemaker", f"inference-component/{c.name('InferenceComponentName', 63)}"
    ),
    ("AWS::SQS::Queue", "Ref"): _queue_url,
    ("AWS::SQS::Queue", "QueueName"): _queue_name,
    ("AWS::SQS::Queue", "Arn"): lambda c: c.arn("sqs", _queue_name(c)),
    ("AWS::Events::Rule", "Arn"): lambda c: c.arn("events", f"rule/{_rule_name(c)}"),
    ("AWS::Lambda::Function", "Ref"): _function_name,
    ("AWS::Lambda::Function", "Arn"): lambda c: c.arn("lambda", f"function:{_function_name(c)}"),
    ("AWS::Logs::LogGroup", "Ref"): lambda c: c.name(
        "LogGroupName", max_length("logs", "CreateLogGroup", "logGroupName")
    ),
    ("AWS::Logs::LogGroup", "Arn"): _log_group_arn,
    ("AWS::CloudWatch::Alarm", "Ref"): _alarm_name,
    ("AWS::CloudWatch::Alarm", "Arn"): lambda c: c.arn("cloudwatch", f"alarm:{_alarm_name(c)}"),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "Ref"): _scalable_target,
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "Ref"): _scaling_policy_arn,
}


class DeployTimeEvaluator(Evaluator):
    """The template evaluated for given values, with every Ref and Fn::GetAtt of a resource replaced by its
    stand-in (STAND_INS), so each property is the exact value an API request would carry."""

    def __init__(
        self,
        template: dict[str, Any],
        values: dict[str, str],
        pseudo: dict[str, str] | None = None,
        exports: dict[str, str] | None = None,
    ):
        super().__init__(template, values, pseudo, exports)
        self._created: dict[str, str] | None = None
        self._properties: dict[str, dict[str, Any]] = {}

    def created(self) -> dict[str, str]:
        """Logical id to type of every resource these values create."""
        if self._created is None:
            self._created = {
                name: resource["Type"]
                for name, resource in self.template["Resources"].items()
                if "Condition" not in resource or self.condition(resource["Condition"])
            }
        return self._created

    def properties(self, name: str) -> dict[str, Any]:
        if name not in self._properties:
            self._properties[name] = self.value(self.template["Resources"][name].get("Properties", {}))
        return self._properties[name]

    def property(self, name: str, key: str) -> Any:
        """One property of a resource, evaluated alone (None if absent or AWS::NoValue)."""
        if name in self._properties:
            return self._properties[name].get(key)
        found = self.value(self.template["Resources"][name].get("Properties", {}).get(key))
        return None if found is NO_VALUE else found

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1 and "Fn::GetAtt" in node:
            target = node["Fn::GetAtt"]
            name, attribute = target if isinstance(target, list) else str(target).split(".", 1)
            return self.stand_in(name, str(self.value(attribute)))
        return super().value(node)

    def _ref(self, name: str) -> Any:
        resources = self.template["Resources"]
        target, _, attribute = name.partition(".")
        if name in resources or (attribute and target in resources):
            return self.stand_in(target, attribute or "Ref")
        return super()._ref(name)

    def stand_in(self, name: str, attribute: str) -> str:
        resource = self.template["Resources"].get(name)
        if resource is None or name not in self.created():
            raise UnresolvableReference(f"{name}.{attribute}: {name} is not created for these values")
        make = STAND_INS.get((resource["Type"], attribute))
        if make is None:
            raise UnresolvableReference(f"no stand-in for {attribute} of a {resource['Type']}: add one to STAND_INS")
        return make(StandIn(self, name))
