"""The stack's KMS key: the endpoint's storage volume, captured data, and what optional features add (the Lambda
functions' log groups, the approval queues).

The account administers the key; only our principals use it: the model role directly, anyone in the
account only through SageMaker (which creates a grant for the endpoint's volume) or through S3 to read
captured data, and what each feature's statements allow, switched by its Condition. Nobody may create a grant that is
not for an AWS resource (Control Tower's CT.KMS.PR.3). The key is retained when the stack
is deleted, so data captured under it stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs import kms
from awacs.aws import Bool, BoolIfExists, Condition, Principal, Statement, StringEquals
from troposphere import Ref, Sub
from troposphere.kms import Alias, Key

from custom_resource.contract import Outputs
from generator.cfn.iam import account_root, allow, deny, policy_document, service_host
from generator.endpoint.context import Stack, add_output

KEY_ADMINISTRATION = [
    kms.CancelKeyDeletion,
    kms.CreateAlias,
    kms.DeleteAlias,
    kms.DescribeKey,
    kms.DisableKey,
    kms.DisableKeyRotation,
    kms.EnableKey,
    kms.EnableKeyRotation,
    kms.GetKeyPolicy,
    kms.GetKeyRotationStatus,
    kms.ListAliases,
    kms.ListGrants,
    kms.ListKeyPolicies,
    kms.ListKeyRotations,
    kms.ListResourceTags,
    kms.PutKeyPolicy,
    kms.RevokeGrant,
    kms.RotateKeyOnDemand,
    kms.ScheduleKeyDeletion,
    kms.TagResource,
    kms.UntagResource,
    kms.UpdateAlias,
    kms.UpdateKeyDescription,
]
ENCRYPT_DECRYPT = [
    kms.Decrypt,
    kms.DescribeKey,
    kms.Encrypt,
    kms.GenerateDataKey,
    kms.GenerateDataKeyWithoutPlaintext,
    kms.ReEncryptFrom,
    kms.ReEncryptTo,
]
THIS_KEY = "*"  # in a key policy, "*" means the key the policy is attached to
ALIAS_PREFIX = "alias/sagemaker-endpoint/"  # + the stack name; a deployer role is scoped to it


def add_encryption_key(
    stack: Stack, model_role_arn: object, feature_statements: Sequence[object] = (), condition: str | None = None
) -> Key:
    """The key, its alias and the KmsKeyId output. `feature_statements` are what optional features (the resolver,
    deploy on approval) add to its policy, each switched by the feature's Condition. `condition`, when given, makes
    the key and its alias only where it holds, with no output: a stack whose key serves those features alone, without
    an endpoint's volume or captured data (`model_role_arn` None: no statement for a role or SageMaker)."""
    switched = {"Condition": condition} if condition else {}
    key = stack.template.add_resource(
        Key(
            "EncryptionKey",
            **switched,
            Description=Sub("SageMaker endpoint of stack ${AWS::StackName}: storage volume, captured data, logs"),
            EnableKeyRotation=True,
            KeyPolicy=_key_policy(model_role_arn, feature_statements)
            if model_role_arn is not None
            else policy_document(_account_administers_key(), grants_only_for_aws_resources(), *feature_statements),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            Tags=stack.tags,
        )
    )
    stack.template.add_resource(
        Alias(
            "EncryptionKeyAlias", **switched, AliasName=Sub(f"{ALIAS_PREFIX}${{AWS::StackName}}"), TargetKeyId=Ref(key)
        )
    )
    if condition is None:
        add_output(stack, Outputs.KMS_KEY_ID, Ref(key), "KMS key of the endpoint's storage volume and captured data")
    return key


def grants_only_for_aws_resources() -> Statement:
    """Nobody may create a grant that is not for an AWS resource (Control Tower's CT.KMS.PR.3)."""
    return deny(
        "GrantsOnlyForAwsResources",
        [kms.CreateGrant],
        [THIS_KEY],
        principal=Principal("AWS", "*"),
        condition=Condition(BoolIfExists({"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"})),
    )


def _account_administers_key() -> Statement:
    return allow("AccountAdministersKey", KEY_ADMINISTRATION, [THIS_KEY], principal=Principal("AWS", account_root()))


def _key_policy(model_role_arn: object, feature_statements: Sequence[object]) -> dict[str, object]:
    account = Principal("AWS", account_root())
    in_account = {"kms:CallerAccount": Sub("${AWS::AccountId}")}
    return policy_document(
        _account_administers_key(),
        allow("ModelRoleUsesKey", ENCRYPT_DECRYPT, [THIS_KEY], principal=Principal("AWS", model_role_arn)),
        allow(
            "AccountUsesKeyThroughSageMaker",
            ENCRYPT_DECRYPT,
            [THIS_KEY],
            principal=account,
            condition=Condition(StringEquals({**in_account, "kms:ViaService": service_host("sagemaker")})),
        ),
        allow(
            "SageMakerGrantsForEndpointVolume",
            [kms.CreateGrant],
            [THIS_KEY],
            principal=account,
            condition=Condition(
                [
                    StringEquals({**in_account, "kms:ViaService": service_host("sagemaker")}),
                    Bool("kms:GrantIsForAWSResource", "true"),
                ]
            ),
        ),
        grants_only_for_aws_resources(),
        allow(
            "AccountReadsCapturedDataThroughS3",
            [kms.Decrypt, kms.DescribeKey],
            [THIS_KEY],
            principal=account,
            condition=Condition(StringEquals({**in_account, "kms:ViaService": service_host("s3")})),
        ),
        *feature_statements,
    )
