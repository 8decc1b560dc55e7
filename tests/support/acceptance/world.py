"""What the scenarios stand on in the real account: the lane's clients, its bucket and model versions, its VPC,
the deployer role; the command run as a user runs it; and the proof that an endpoint serves.

Everything here is named by naming.RunNames and tagged with the run's id, so the sweeper finds it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from generator.common.names import artifacts_bucket_name
from generator.deploy.artifacts_bucket import ArtifactsBucket, tls_only_policy
from generator.deploy.aws import Aws
from tests.support.acceptance.artifact import ENVIRONMENT, REQUEST_TYPE, RESPONSE_TYPE, model_artifact
from tests.support.acceptance.cost import INVOCATION_ATTEMPTS
from tests.support.acceptance.naming import DEPLOYER, RunNames
from tests.support.acceptance.settings import Network
from tests.support.paths import TEMPLATES

CONFIG = Config(retries={"mode": "standard", "max_attempts": 10})
# InvokeEndpoint: "If your model is going to take 50-60 seconds of processing time, the SDK socket timeout should be
# set to be 70 seconds."
RUNTIME_CONFIG = Config(read_timeout=70, retries={"mode": "standard", "max_attempts": 1})
VPC_CIDR, SUBNET_CIDRS = "10.73.0.0/16", ("10.73.0.0/24", "10.73.1.0/24")
IAM_PROPAGATION_SECONDS = 20  # a new role is not usable everywhere at once (IAM is eventually consistent)
INVOKE_PAUSE_SECONDS = 20


def client_factory(session: boto3.Session) -> Callable[[str], Any]:
    """One client per service, made on first use, retrying throttles as the deploy client does."""

    @cache
    def client(service: str) -> Any:
        return session.client(service, config=RUNTIME_CONFIG if service == "sagemaker-runtime" else CONFIG)  # type: ignore[call-overload]

    return client


@dataclass
class Deadline:
    """A scenario's share of the time bound: every wait and command in it stops when it is spent."""

    scenario: str
    minutes: float
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        left = self.started + self.minutes * 60 - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"scenario {self.scenario} is over its {self.minutes}-minute limit")
        return left


# --- the model: a bucket, the artifacts, the versions -------------------------------------------------------


def create_bucket(s3: Any, names: RunNames, region: str, partition: str) -> str:
    """Encrypted, public access blocked, TLS only, tagged."""
    bucket = names.bucket
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **location)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": names.tags})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_policy(bucket, partition)))
    return bucket


def upload_model(s3: Any, bucket: str, label: str) -> str:
    key = f"models/{label}/model.tar.gz"
    s3.put_object(Bucket=bucket, Key=key, Body=model_artifact(label))
    return f"s3://{bucket}/{key}"


def register_versions(
    sagemaker: Any, group: str, names: RunNames, image: str, versions: list[tuple[str, str]]
) -> list[str]:
    """A tagged group and one version per (model data URL, approval status), oldest first. Versions take the
    group's tags: "If you supply ModelPackageGroupName, ... you cannot supply a tag argument" (CreateModelPackage)."""
    sagemaker.create_model_package_group(
        ModelPackageGroupName=group, ModelPackageGroupDescription="sagemaker-endpoint acceptance lane", Tags=names.tags
    )
    return [
        sagemaker.create_model_package(
            ModelPackageGroupName=group,
            ModelApprovalStatus=status,
            InferenceSpecification={
                "Containers": [{"Image": image, "ModelDataUrl": url, "Environment": ENVIRONMENT}],
                "SupportedContentTypes": [REQUEST_TYPE],
                "SupportedResponseMIMETypes": [RESPONSE_TYPE],
            },
        )["ModelPackageArn"]
        for url, status in versions
    ]


def set_approval(sagemaker: Any, package: str, status: str) -> None:
    sagemaker.update_model_package(ModelPackageArn=package, ModelApprovalStatus=status)


# --- the network a RealTime endpoint needs -------------------------------------------------------------------


def create_network(ec2: Any, names: RunNames, region: str) -> Network:
    """A VPC with two private subnets in two Availability Zones and an S3 gateway endpoint on its main route table
    (the model data is in S3; no NAT, no internet gateway). Gateway endpoints "come at no additional charge"
    (AWS Prescriptive Guidance, WKLD.12)."""
    zones = sorted(
        z["ZoneName"]
        for z in ec2.describe_availability_zones(
            Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}]
        )["AvailabilityZones"]
    )[:2]
    vpc = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=[_tagged("vpc", names)])["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc])
    subnets = tuple(
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=[_tagged("subnet", names)]
        )["Subnet"]["SubnetId"]
        for cidr, zone in zip(SUBNET_CIDRS, zones, strict=True)
    )
    (main,) = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"]
    ec2.create_vpc_endpoint(
        VpcEndpointType="Gateway",
        VpcId=vpc,
        ServiceName=s3_gateway_service(region),
        RouteTableIds=[main["RouteTableId"]],
        TagSpecifications=[_tagged("vpc-endpoint", names)],
    )
    return Network(vpc, subnets)


def s3_gateway_service(region: str) -> str:
    """S3's gateway endpoint service, `com.amazonaws.<region>.s3` (AWS PrivateLink, "Gateway endpoints for Amazon
    S3"); the China Regions prefix it with `cn.`."""
    return f"{'cn.' if region.startswith('cn-') else ''}com.amazonaws.{region}.s3"


def _tagged(resource_type: str, names: RunNames) -> dict[str, Any]:
    return {"ResourceType": resource_type, "Tags": [*names.tags, {"Key": "Name", "Value": names.name("vpc")}]}


# --- the deployer role, and the default artifacts bucket promote uses ----------------------------------------


def create_deployer_role(cloudformation: Any, names: RunNames, bucket: str) -> str:
    """deployer-role.yaml, reading the resolver zip from the lane's bucket; its DeployerRoleArn."""
    return create_role_stack(
        cloudformation, names, DEPLOYER, "deployer-role.yaml", bucket=bucket, output="DeployerRoleArn"
    )


def create_role_stack(
    cloudformation: Any, names: RunNames, kind: str, template: str, *, bucket: str, output: str
) -> str:
    """A role template of ours as an administrator creates it, reading the resolver zip from `bucket`; the role's ARN
    (its `output`), once IAM has had time to propagate it."""
    stack = names.name(kind)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=(TEMPLATES / template).read_text(),
        Parameters=[{"ParameterKey": "ArtifactsBucketName", "ParameterValue": bucket}],
        Capabilities=["CAPABILITY_IAM"],
        Tags=names.tags,
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 10, "MaxAttempts": 90}
    )
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    time.sleep(IAM_PROPAGATION_SECONDS)
    return next(str(o["OutputValue"]) for o in outputs if o["OutputKey"] == output)


def ensure_default_artifacts_bucket(s3: Any, names: RunNames, region: str) -> str | None:
    """`promote` has no --artifacts-bucket: it sends the template through the account's default artifacts bucket,
    creating it when missing. If it is missing, the lane creates it the command's way (the command's own code) and
    tags it, so the sweeper removes it; one that exists already is the account's, left as it is. The bucket's name
    when the lane made it."""
    name = artifacts_bucket_name(names.account, region)
    try:
        s3.head_bucket(Bucket=name)
        return None
    except ClientError as error:
        if error.response["Error"].get("Code") not in ("404", "NoSuchBucket"):
            raise
    ArtifactsBucket(Aws(region), None).upload(f"acceptance/{names.run_id}", b"made by the acceptance lane", "a marker")
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": names.tags})
    return name


# --- proving an endpoint serves ------------------------------------------------------------------------------


def invoke(runtime: Any, endpoint: str, pause: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """One request, retried while a cold serverless endpoint starts (at most cost.INVOCATION_ATTEMPTS)."""
    for attempt in range(1, INVOCATION_ATTEMPTS + 1):
        try:
            answer = runtime.invoke_endpoint(
                EndpointName=endpoint, ContentType=REQUEST_TYPE, Accept=RESPONSE_TYPE, Body=b"1,2,3"
            )
            return dict(json.loads(answer["Body"].read()))
        except ClientError:
            if attempt == INVOCATION_ATTEMPTS:
                raise
            pause(INVOKE_PAUSE_SECONDS)
    raise AssertionError("unreachable")


def stack_outputs(cloudformation: Any, stack: str) -> tuple[str, dict[str, str]]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return str(described["StackStatus"]), {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def wait_for_package(
    cloudformation: Any,
    stack: str,
    package: str,
    deadline: Deadline,
    pause: Callable[[float], None] = time.sleep,
    *,
    poll: float = 20,
) -> str:
    """Until the stack has updated itself to serve `package` (deploy on approval); its status then. An update that
    rolled back ends the wait at once, with CloudFormation's reason."""
    last = "not read yet"
    try:
        while True:
            status, outputs = stack_outputs(cloudformation, stack)
            last = f"{status}, serving {outputs.get('ModelPackageArn')}"
            if outputs.get("ModelPackageArn") == package and status.endswith("_COMPLETE") and "ROLLBACK" not in status:
                return status
            if status.endswith(("ROLLBACK_COMPLETE", "_FAILED")):
                raise AssertionError(f"{stack} is {status}: {failure_reason(cloudformation, stack)}")
            pause(min(poll, deadline.remaining()))
    except TimeoutError as spent:
        raise AssertionError(f"{stack} never served {package} ({spent}); last {last}") from None


def failure_reason(cloudformation: Any, stack: str) -> str:
    events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if str(e.get("ResourceStatus", "")).endswith("_FAILED")]
    return (
        "; ".join(f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}" for e in failed[:3]) or "none given"
    )
