"""templates/registry-access.yaml: deployed once in the central registry's account, for one model package group and
the workload accounts that deploy it. It shares the group read-only through the group's resource policy (a custom
resource that merges its own statements into the policy, custom_resource/group_share.py) and forwards the group's
approvals and rejections to each workload account's default event bus (forwarding.py), keeping what a bus refuses
in a dead-letter queue with alarms (dead_letters.py)."""

from __future__ import annotations

from awacs import logs, sagemaker
from awacs.aws import Principal
from troposphere import (
    AWSObject,
    GetAtt,
    If,
    Join,
    Not,
    NoValue,
    Output,
    Parameter,
    PropsDictType,
    Ref,
    Select,
    Split,
    Sub,
    Template,
)
from troposphere.awslambda import Code, Function, LoggingConfig
from troposphere.iam import Policy, Role
from troposphere.kms import Key
from troposphere.logs import LogGroup

from custom_resource.contract import GroupShare
from generator.cfn.conditions import add_named_condition, is_empty
from generator.cfn.iam import account_root, allow, arn, policy_document, service_trust_policy
from generator.cfn.parameters import optional_parameter
from generator.common.lambda_zip import ResolverPackage, build_resolver_package
from generator.common.names import ROLE_PATH, Service
from generator.common.patterns import ACCOUNT, POLICY_ARN, S3_BUCKET_NAME, SAGEMAKER_NAME, SNS_TOPIC_ARN, required
from generator.endpoint.encryption import KEY_ADMINISTRATION, THIS_KEY, grants_only_for_aws_resources
from generator.endpoint.lambda_functions import (
    LOG_RETENTION_DAYS,
    MEMORY_MB,
    RUNTIME,
    TIMEOUT_SECONDS,
    StackFunction,
    log_group_key_statement,
    log_group_name,
)
from generator.registry.dead_letters import add_alarms, add_dead_letter_queue
from generator.registry.forwarding import MAX_ACCOUNTS, RULES, account_slots, add_forwarding, rule_arn

DESCRIPTION = (
    "SageMaker endpoint registry kit: shares one model package group read-only with workload accounts and forwards "
    f"its approvals to their default event buses (up to {MAX_ACCOUNTS} accounts)."
)
GROUP_POLICY_ACTIONS = [
    sagemaker.DescribeModelPackageGroup,
    sagemaker.GetModelPackageGroupPolicy,
    sagemaker.PutModelPackageGroupPolicy,
    sagemaker.DeleteModelPackageGroupPolicy,
]
SHARE_TIMEOUT_SECONDS = 300
CHECKOV_SKIPS = {
    "CKV_AWS_115": "Runs once per stack change; reserved concurrency would take from the account's pool.",
    "CKV_AWS_116": "CloudFormation gets every outcome as the custom resource's answer; a DLQ would hold nothing.",
    "CKV_AWS_117": "Calls only the SageMaker API; a VPC would need NAT or an endpoint for nothing gained.",
}
SHARE = StackFunction(  # only its log group's name and key statement are read here
    title="GroupShare",
    purpose="Model package group share",
    name_prefix="",
    log_name="group-share",
    description="",
    handler=GroupShare.HANDLER,
    checkov_skips=CHECKOV_SKIPS,
)


class ModelPackageGroupShare(AWSObject):
    resource_type = "Custom::ModelPackageGroupShare"
    props: PropsDictType = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (int, False),
        GroupShare.Property.MODEL_PACKAGE_GROUP_NAME: (str, True),
        GroupShare.Property.WORKLOAD_ACCOUNT_IDS: (list, True),
        GroupShare.Property.STATEMENT_ID_PREFIX: (str, True),
    }


def build_registry_access_template(lambda_zip: ResolverPackage | None = None) -> Template:
    lambda_zip = lambda_zip or build_resolver_package()
    template = Template(Description=DESCRIPTION)
    group, accounts, bucket, key, boundary_arn, topic = _add_parameters(template, lambda_zip.file_name)
    has_boundary = add_named_condition(template, "HasPermissionsBoundary", Not(is_empty(boundary_arn)))
    add_named_condition(template, "HasAlarmTopic", Not(is_empty(topic)))
    boundary = If(has_boundary, Ref(boundary_arn), NoValue)
    function = _add_share_function(template, group, bucket, key, boundary)
    share = template.add_resource(
        ModelPackageGroupShare(
            "GroupShare",
            ServiceToken=GetAtt(function, "Arn"),
            ServiceTimeout=SHARE_TIMEOUT_SECONDS,
            **{
                GroupShare.Property.MODEL_PACKAGE_GROUP_NAME: Ref(group),
                GroupShare.Property.WORKLOAD_ACCOUNT_IDS: Ref(accounts),
                # Letters and digits only (IAM's Sid), unique to this stack: its statements are known by it.
                GroupShare.Property.STATEMENT_ID_PREFIX: Join(
                    "", ["SageMakerEndpoint", Select(0, Split("-", Select(2, Split("/", Ref("AWS::StackId")))))]
                ),
            },
        )
    )
    dead_letters = add_dead_letter_queue(template, [rule_arn(number) for number in range(1, RULES + 1)])
    waits_for = [share.title, "UndeliveredApprovalsPolicy"]
    slots = account_slots(template, accounts)
    role, rules = add_forwarding(template, group, slots, boundary, dead_letters=dead_letters, depends_on=waits_for)
    add_alarms(template, dead_letters, rules, Ref(topic))
    template.add_output(
        [
            Output(
                "ModelPackageGroupArn",
                Description="The shared group",
                Value=GetAtt(share, GroupShare.Data.MODEL_PACKAGE_GROUP_ARN),
            ),
            Output("ForwarderRoleArn", Description="Role the forwarding rules send with", Value=GetAtt(role, "Arn")),
        ]
    )
    return template


def _add_parameters(template: Template, code_key: str) -> tuple[Parameter, ...]:
    add = template.add_parameter
    return (
        add(Parameter("ModelPackageGroupName", Type="String", AllowedPattern=required(SAGEMAKER_NAME),
                      ConstraintDescription="must be a model package group name of this account",
                      Description="The group to share: it exists in this account and Region.")),
        add(Parameter("WorkloadAccountIds", Type="CommaDelimitedList", AllowedPattern=required(ACCOUNT),
                      ConstraintDescription="must be 12-digit account IDs, comma-separated",
                      Description=f"Accounts that deploy the group's packages (at most {MAX_ACCOUNTS}).")),
        add(Parameter("ResolverCodeS3Bucket", Type="String", AllowedPattern=required(S3_BUCKET_NAME),
                      ConstraintDescription="must be an S3 bucket name",
                      Description="Bucket in this Region holding the zip that `make build` writes to dist/.")),
        add(Parameter("ResolverCodeS3Key", Type="String", Default=code_key,
                      Description="Key of the zip (its default is the zip this template was rendered with).")),
        add(optional_parameter("PermissionsBoundaryArn", POLICY_ARN,
                               "an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)",
                               "Permissions boundary of the roles this stack creates; empty sets none.")),
        add(optional_parameter("AlarmTopicArn", SNS_TOPIC_ARN,
                               "a standard SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)",
                               "Where the alarms on undelivered approvals send their ALARM and OK transitions; its "
                               "policy must admit CloudWatch. Empty: the alarms notify nobody.")),
    )  # fmt: skip


def _add_log_group(template: Template) -> LogGroup:
    """The share's log group, encrypted with a key of its own that only CloudWatch Logs uses, for that group."""
    log_key = template.add_resource(
        Key(
            "GroupShareLogKey",
            Description=Sub("Logs of the model package group share (stack ${AWS::StackName})"),
            EnableKeyRotation=True,
            KeyPolicy=policy_document(
                allow(
                    "AccountAdministersKey", KEY_ADMINISTRATION, [THIS_KEY], principal=Principal("AWS", account_root())
                ),
                log_group_key_statement(SHARE, "LogsEncryptShareLogGroup"),
                grants_only_for_aws_resources(),
            ),
            DeletionPolicy="Delete",  # its only data, the share's logs, go with the stack
            UpdateReplacePolicy="Delete",
        )
    )
    return template.add_resource(
        LogGroup(
            "GroupShareLogGroup",
            LogGroupName=log_group_name(SHARE.log_name),
            RetentionInDays=LOG_RETENTION_DAYS,
            KmsKeyId=GetAtt(log_key, "Arn"),
            DeletionPolicy="Delete",
            UpdateReplacePolicy="Delete",
        )
    )


def _add_share_function(
    template: Template, group: Parameter, bucket: Parameter, code_key: Parameter, boundary: If
) -> Function:
    """The share's function, its log group and its role: the group's policy, and nothing of any other group."""
    log_group = _add_log_group(template)
    group_arn = arn("sagemaker", "model-package-group/${Group}", Group=Ref(group))
    role = template.add_resource(
        Role(
            "GroupShareRole",
            Description=Sub("Shares model package group ${Group} (stack ${AWS::StackName})", Group=Ref(group)),
            Path=ROLE_PATH,
            PermissionsBoundary=boundary,
            AssumeRolePolicyDocument=service_trust_policy(Service.LAMBDA),
            Policies=[
                Policy(
                    PolicyName="GroupShare",
                    PolicyDocument=policy_document(
                        allow("EditTheGroupsPolicy", GROUP_POLICY_ACTIONS, [group_arn]),
                        allow("WriteOwnLogs", [logs.CreateLogStream, logs.PutLogEvents], [GetAtt(log_group, "Arn")]),
                    ),
                )
            ],
        )
    )
    return template.add_resource(
        Function(
            "GroupShareFunction",
            Description=Sub("Shares model package group ${Group} with workload accounts", Group=Ref(group)),
            Runtime=RUNTIME,
            Architectures=["arm64"],
            Handler=GroupShare.HANDLER,
            Code=Code(S3Bucket=Ref(bucket), S3Key=Ref(code_key)),
            Role=GetAtt(role, "Arn"),
            MemorySize=MEMORY_MB,
            Timeout=TIMEOUT_SECONDS,
            LoggingConfig=LoggingConfig(LogGroup=Ref(log_group)),
            Metadata={"checkov": {"skip": [{"id": k, "comment": v} for k, v in CHECKOV_SKIPS.items()]}},
        )
    )
