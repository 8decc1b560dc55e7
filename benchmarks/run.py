"""Print the figures docs/benchmarks.md quotes: cold render time, a pip-installed render, template and zip sizes,
API calls per resolution, the deploy client's start-up and wall time against `aws cloudformation deploy`, and the
fleet and promotion overheads (fleet.py)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import boto3
from moto import mock_aws

from benchmarks import fleet
from benchmarks.deploy import deploy_seconds, help_seconds, preflight_seconds, seconds_to_first_aws_call
from benchmarks.installed import installed_render
from custom_resource.latest_approved import latest_approved_package
from generator.cfn.rendering import render, render_minified_json
from generator.common.lambda_zip import build_resolver_package
from generator.endpoint.template import build_template
from generator.registry.template import build_registry_access_template
from tests.support.local_aws import register_versions

COLD_RUNS = 5
GROUP_SIZES = (1, 100, 1000)
INLINE_TEMPLATE_LIMIT = 51_200


def cold_render_seconds(*destination: str) -> list[float]:
    """A new interpreter per run: imports included, as `python -m generator render` costs a user."""
    timings = []
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(COLD_RUNS):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "render", *(part.format(dir=directory) for part in destination)],
                check=True,
                capture_output=True,
            )
            timings.append(time.perf_counter() - started)
    return timings


def list_calls_per_resolution(size: int, *, by_arn: bool = False) -> tuple[int, str, str]:
    """Resolve in a group of `size` packages where only every third is Approved; count ListModelPackages. By ARN:
    as a workload account names a registry's group."""
    with mock_aws():
        sagemaker: Any = boto3.client("sagemaker", region_name="eu-west-1")
        statuses = ["Approved" if version % 3 == 0 or size == 1 else "Rejected" for version in range(1, size + 1)]
        arns = register_versions(sagemaker, "bench", statuses)
        newest_approved = [arn for arn, status in zip(arns, statuses, strict=True) if status == "Approved"][-1]
        calls = []
        sagemaker.meta.events.register(
            "before-call.sagemaker.ListModelPackages", lambda **kwargs: calls.append(kwargs["params"])
        )
        group = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/bench" if by_arn else "bench"
        resolved = latest_approved_package(sagemaker, group).arn
    return len(calls), resolved, newest_approved


def main() -> None:
    timings = cold_render_seconds("--output", "{dir}/t.yaml")
    every_file = statistics.median(cold_render_seconds("--root", "{dir}"))
    template = build_template()
    yaml_bytes = len(render(template).encode())
    json_bytes = len(render_minified_json(template).encode())
    zip_bytes = len(build_resolver_package().content)
    registry_bytes = len(render(build_registry_access_template()).encode())
    median, fastest = statistics.median(timings), min(timings)
    print(
        f"cold render of the endpoint template (python -m generator render --output, {COLD_RUNS} runs): "
        f"median {median:.2f} s, min {fastest:.2f} s"
    )
    print(f"cold render of every file (render --root: templates/ and modulestack.yaml): median {every_file:.2f} s")
    install_seconds, identical = installed_render()
    print(f"pip install . in a new venv: {install_seconds:.0f} s; its render: {'identical' if identical else 'FAILED'}")
    if not identical:
        raise SystemExit(1)
    share = yaml_bytes / INLINE_TEMPLATE_LIMIT
    print(f"template YAML: {yaml_bytes:,} bytes ({share:.0%} of the 51,200-byte inline limit)")
    print(f"template minified JSON: {json_bytes:,} bytes ({json_bytes / INLINE_TEMPLATE_LIMIT:.0%})")
    print(f"registry kit YAML: {registry_bytes:,} bytes ({registry_bytes / INLINE_TEMPLATE_LIMIT:.0%})")
    print(f"resolver zip: {zip_bytes:,} bytes")
    for size, by_arn in [(size, False) for size in GROUP_SIZES] + [(GROUP_SIZES[-1], True)]:
        calls, resolved, expected = list_calls_per_resolution(size, by_arn=by_arn)
        verdict = "newest approved" if resolved == expected else f"WRONG: {resolved}, expected {expected}"
        named = "by ARN" if by_arn else "by name"
        print(f"group of {size:>5} packages, {named}: {calls} ListModelPackages call per resolution ({verdict})")
        if resolved != expected or calls != 1:
            raise SystemExit(1)
    print(f"sagemaker-endpoint --help, cold ({COLD_RUNS} runs): median {statistics.median(help_seconds()):.2f} s")
    first_call = statistics.median(seconds_to_first_aws_call())
    print(f"sagemaker-endpoint deploy, start to first AWS call ({COLD_RUNS} runs): median {first_call:.2f} s")
    preflight = statistics.median(preflight_seconds())
    print(f"live preflight (package, VPC, subnets, execution role; local AWS): median {preflight:.2f} s")
    ours, theirs = deploy_seconds()
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(
        f"ARN-mode create on moto ({len(ours)} runs each): sagemaker-endpoint deploy median "
        f"{statistics.median(ours):.2f} s, aws cloudformation deploy median {statistics.median(theirs):.2f} s, "
        f"ratio {ratio:.2f}"
    )
    fleet.main()


if __name__ == "__main__":
    main()
