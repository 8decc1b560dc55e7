"""A seed-farmer CodeBuild environment as the deploy command reads it: the module's context and its network."""

from __future__ import annotations

from generator.deploy.template_file import load_template
from tests.support.paths import FIXTURES

SEED_README = FIXTURES / "seed-readme.md"  # the README of the module we replace, vendored
TEMPLATE = load_template()
CONTEXT = {"SEEDFARMER_PROJECT_NAME": "mlops", "SEEDFARMER_DEPLOYMENT_NAME": "prod",
           "SEEDFARMER_MODULE_NAME": "sagemaker-endpoints-endpoint"}  # fmt: skip
NETWORK = {"SEEDFARMER_PARAMETER_VPC_ID": "vpc-0123456789abcdef0",
           "SEEDFARMER_PARAMETER_SUBNET_IDS": '["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]'}  # fmt: skip
