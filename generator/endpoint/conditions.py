"""The Conditions more than one builder switches on, from the inputs of several features."""

from __future__ import annotations

from troposphere import And, AWSHelperFn, Equals, Join, Not, Template

from generator.cfn.conditions import add_named_condition, is_empty
from generator.endpoint import alarms, artifacts, autoscaling, data_capture, deploy_on_approval, lambda_functions, model
from generator.endpoint.context import PERMISSIONS_BOUNDARY, Conditions
from generator.endpoint.network import SUBNET_IDS, VPC
from generator.endpoint.types import ASYNC, ENDPOINT_TYPE, REAL_TIME, SERVERLESS


def add_shared_conditions(template: Template) -> Conditions:
    """Group mode (resolve the package at deploy time) and data capture switch resources in several builders.

    Each also tests the input the Rules already require with it (the resolver's code bucket, the artifacts
    bucket), so cfn-lint can see that input is set wherever it is used.
    """
    capture_on = And(
        Not(Equals(data_capture.SAMPLING_PERCENTAGE.ref(), "0")),
        Not(is_empty(artifacts.BUCKET)),
    )
    group_mode = And(Not(is_empty(model.PACKAGE_GROUP)), Not(is_empty(lambda_functions.CODE_BUCKET)))
    serverless = Equals(ENDPOINT_TYPE.ref(), SERVERLESS)

    def add(name: str, condition: AWSHelperFn) -> str:
        return add_named_condition(template, name, condition)

    return Conditions(
        real_time=add("IsRealTime", Equals(ENDPOINT_TYPE.ref(), REAL_TIME)),
        serverless=add("IsServerless", serverless),
        asynchronous=add("IsAsync", Equals(ENDPOINT_TYPE.ref(), ASYNC)),
        # the network given too, as the Rules require: so cfn-lint sees VpcId and SubnetIds set where they are used
        in_vpc=add("InVpc", And(Not(serverless), Not(is_empty(VPC)), Not(Equals(Join("", SUBNET_IDS.ref()), "")))),
        use_package_arn=add("UseModelPackageArn", Not(is_empty(model.PACKAGE_ARN))),
        use_package_group=add("UseModelPackageGroup", group_mode),
        data_capture_enabled=add("DataCaptureEnabled", capture_on),
        scaling_enabled=add("ScalingEnabled", Equals(autoscaling.SCALING.ref(), "true")),
        has_permissions_boundary=add("HasPermissionsBoundary", Not(is_empty(PERMISSIONS_BOUNDARY))),
        alarm_topic=add("HasAlarmTopic", Not(is_empty(alarms.ALARM_TOPIC))),
        deploy_on_approval=add("DeployOnApprovalEnabled", deploy_on_approval.enabled(group_mode)),
    )
