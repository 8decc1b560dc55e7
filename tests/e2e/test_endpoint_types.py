"""Each endpoint type deployed, updated and destroyed by the command on the local moto; and a change of type,
which SageMaker cannot do in place, refused without --allow-endpoint-replacement and done as a new endpoint."""

from __future__ import annotations

import json

from tests.support.e2e import LocalAws, cli, outputs_of, params

ASYNC_BUCKET = "ml-async-111122223333"


def test_real_time_becomes_serverless_only_as_a_new_endpoint_then_updates_and_is_destroyed(aws: LocalAws) -> None:
    package = {"ModelPackageArn": aws.versions[0]}
    real_time = cli(aws, "deploy", "--stack-name", "churn", *params({**aws.placement(), **package}),
                    "--param", "InstanceType=ml.m5.large")  # fmt: skip
    assert real_time.returncode == 0, real_time.stderr
    first = json.loads(real_time.stdout)["EndpointName"]

    serverless = ["--param", "EndpointType=Serverless", "--param", "VpcId=", "--param", "SubnetIds=",
                  "--param", "EnableNetworkIsolation=false", "--param", "ServerlessMemorySizeInMB=3072"]  # fmt: skip
    refused = cli(aws, "deploy", "--stack-name", "churn", *serverless)
    assert refused.returncode == 5
    assert (
        "EndpointType: RealTime -> Serverless. SageMaker cannot convert an endpoint to another type" in refused.stderr
    )
    assert "refused: the plan replaces the Endpoint." in refused.stderr
    sagemaker = aws.client("sagemaker")
    assert sagemaker.describe_endpoint(EndpointName=first)["EndpointStatus"] == "InService"  # nothing changed

    replaced = cli(aws, "deploy", "--stack-name", "churn", *serverless, "--allow-endpoint-replacement")
    assert replaced.returncode == 0, replaced.stderr
    result = json.loads(replaced.stdout)
    assert result["EndpointName"] == f"{first}-serverless"
    assert result["SecurityGroupId"] == "none"
    names = [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]]
    assert names == [f"{first}-serverless"]  # the real-time endpoint is gone
    described = sagemaker.describe_endpoint(EndpointName=result["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    (variant,) = config["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 20}
    assert "InstanceType" not in variant
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert not model.get("VpcConfig")  # moto answers an empty one for none

    updated = cli(aws, "deploy", "--stack-name", "churn", "--param", "ServerlessMaxConcurrency=40")
    assert updated.returncode == 0, updated.stderr
    described = sagemaker.describe_endpoint(EndpointName=result["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert config["ProductionVariants"][0]["ServerlessConfig"]["MaxConcurrency"] == 40

    destroyed = cli(aws, "destroy", "--stack-name", "churn")
    assert destroyed.returncode == 0, destroyed.stderr
    assert sagemaker.list_endpoints()["Endpoints"] == []


def test_an_async_endpoint_writes_to_s3_scales_to_zero_updates_and_is_destroyed(aws: LocalAws) -> None:
    values = {
        **aws.placement(), "ModelPackageArn": aws.versions[0], "InstanceType": "ml.m5.large", "EndpointType": "Async",
        "AsyncOutputS3Uri": f"s3://{ASYNC_BUCKET}/churn/out", "ManagedInstanceScaling": "true",
        "ScalingMinInstanceCount": "0",
    }  # fmt: skip
    created = cli(aws, "deploy", "--stack-name", "churn-async", *params(values))
    assert created.returncode == 0, created.stderr
    result = json.loads(created.stdout)
    assert result["EndpointName"].endswith("-async")
    assert outputs_of(aws, "churn-async")["AsyncOutputS3Uri"] == f"s3://{ASYNC_BUCKET}/churn/out"
    sagemaker = aws.client("sagemaker")
    described = sagemaker.describe_endpoint(EndpointName=result["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == f"s3://{ASYNC_BUCKET}/churn/out"
    assert config["AsyncInferenceConfig"]["OutputConfig"]["KmsKeyId"].endswith(result["KmsKeyId"])
    scaling = aws.client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["MinCapacity"] == 0
    policies = scaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    assert sorted((p["PolicyName"], p["PolicyType"]) for p in policies) == [
        ("churn-async-backlog-per-instance", "TargetTrackingScaling"),
        ("churn-async-scale-out-from-zero", "StepScaling"),
    ]
    (alarm,) = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="churn-async-BacklogWithoutCapacity")[
        "MetricAlarms"
    ]
    (step,) = [p for p in policies if p["PolicyType"] == "StepScaling"]
    assert alarm["AlarmActions"] == [step["PolicyARN"]]

    updated = cli(aws, "deploy", "--stack-name", "churn-async", "--param", "AsyncMaxConcurrentInvocationsPerInstance=2")
    assert updated.returncode == 0, updated.stderr
    described = sagemaker.describe_endpoint(EndpointName=result["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert config["AsyncInferenceConfig"]["ClientConfig"] == {"MaxConcurrentInvocationsPerInstance": 2}

    destroyed = cli(aws, "destroy", "--stack-name", "churn-async")
    assert destroyed.returncode == 0, destroyed.stderr
    assert sagemaker.list_endpoints()["Endpoints"] == []
    assert scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
