"""`promote`: carry the package one stage serves into the next stage's stack, pinned by its ARN (never "latest"),
once it is in service, has baked long enough and no alarm fired while it was served. A refusal changes nothing."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from custom_resource.contract import Outputs
from generator.deploy.aws import Aws
from generator.deploy.cloudformation import DeployedStack
from generator.deploy.components import is_component_template, read_served_component
from generator.deploy.context import EXIT_GATE, DeployContext
from generator.deploy.gates import read_served, refusals, unseen_history
from generator.deploy.inputs import InputError
from generator.deploy.report import print_outputs
from generator.deploy.request import DeployRequest, role_arn_problems
from generator.deploy.serving import check_serving
from generator.deploy.verbs import deploy
from generator.deploy.verbs.options import Commands, Options, aws_verb


@dataclass(frozen=True)
class Promotion:
    from_stack: str
    to_stack: str
    bake: timedelta
    alarms: list[str]
    yes: bool = False
    role_arn: str | None = None


def register(commands: Commands, options: Options) -> None:
    promote = commands.add_parser(
        "promote",
        parents=[options.aws, options.template],
        help="deploy the package one stage serves to the next stage's stack, pinned, once it has baked without alarms",
    )
    promote.add_argument("--from-stack", required=True, help="the stage whose served package goes further")
    promote.add_argument("--to-stack", required=True, help="the next stage's stack (it exists: deploy it once first)")
    promote.add_argument("--from-region", help="the source stage's Region (default: --region)")
    promote.add_argument("--from-profile", help="the source stage's profile, for another account (default: --profile)")
    promote.add_argument(
        "--bake-minutes", type=int, default=0, metavar="N", help="refuse unless served at least N minutes (default 0)"
    )
    promote.add_argument(
        "--alarm", action="append", default=[], metavar="NAME", help="also refuse if this alarm fired (repeatable)"
    )
    promote.add_argument("--role-arn", metavar="ARN", help="service role CloudFormation uses for the target stack")
    promote.add_argument("--yes", action="store_true", help="on a terminal, execute the plan without asking")
    promote.set_defaults(run=aws_verb(_run))


def _run(args: argparse.Namespace, target: DeployContext) -> int:
    """The source stage may be in another account (--from-profile) and Region (--from-region)."""
    problems = role_arn_problems(args.role_arn)
    if args.bake_minutes < 0:
        problems.append(f"--bake-minutes {args.bake_minutes}: a number of minutes, 0 or more")
    same_place = (args.from_region or args.region, args.from_profile or args.profile) == (args.region, args.profile)
    if args.from_stack == args.to_stack and same_place:
        problems.append("--from-stack and --to-stack name the same stack: promote carries a package to another one")
    if problems:
        raise InputError(problems)
    source_aws = Aws(args.from_region or args.region, args.from_profile or args.profile)
    source = type(target)(source_aws, target.template, target.console, target.stdout)
    promotion = Promotion(
        args.from_stack, args.to_stack, timedelta(minutes=args.bake_minutes), args.alarm, args.yes, args.role_arn
    )
    return run(source, target, promotion)


def run(source: DeployContext, target: DeployContext, promotion: Promotion) -> int:
    reader = read_served_component if is_component_template(source.template) else read_served
    served = reader(source, promotion.from_stack)
    now = datetime.now(UTC)
    reasons = refusals(source, served, bake=promotion.bake, more_alarms=promotion.alarms, now=now)
    if unseen := unseen_history(served, now):
        target.console.warning(unseen)
    existing = target.cloudformation.describe(promotion.to_stack)
    reasons += _target_problems(target, promotion, served.package, existing)
    if reasons:
        for reason in reasons:
            target.console.error(f"refused: {reason}")
        target.console.line(f"Nothing was promoted; {promotion.to_stack} is unchanged.")
        return EXIT_GATE
    if existing is not None and existing.outputs.get(Outputs.MODEL_PACKAGE_ARN) == served.package:
        check_serving(target, promotion.to_stack)
        target.console.success(f"{promotion.to_stack} already serves {served.package}: nothing to change.")
        return print_outputs(target, promotion.to_stack)
    target.console.line(f"Promoting {served.package} from {promotion.from_stack} to {promotion.to_stack}.")
    request = DeployRequest(
        stack_name=promotion.to_stack,
        given={"ModelPackageArn": served.package, "ModelPackageGroupName": ""},  # pinned: never "latest"
        role_arn=promotion.role_arn,
        yes=promotion.yes,
    )
    return deploy.run(target, request, always_ask=True)


def _target_problems(
    target: DeployContext, promotion: Promotion, package: str, existing: DeployedStack | None
) -> list[str]:
    """What makes the target unable to take the package, whatever the gates say."""
    region = target.aws.region_name
    package_region = package.split(":")[3]
    if package_region != region:
        return [
            f"{package} is a package of {package_region} and {promotion.to_stack} is in {region}: model packages are "
            f"regional. Register the version in a registry of {region} and promote from a stage there."
        ]
    if existing is None:
        return [f"no stack {promotion.to_stack} in {region}: deploy it once with `sagemaker-endpoint deploy`, then "
                "promote into it"]  # fmt: skip
    if existing.parameters.get("DeployOnApproval") == "true":
        return [f"{promotion.to_stack} follows its group on approval; promote pins a package: deploy it with "
                "DeployOnApproval=false first"]  # fmt: skip
    return []
