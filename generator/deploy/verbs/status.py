"""`status`: one JSON object on stdout saying how the stack's endpoint is doing; what is wrong first on stderr, and
on a terminal a summary with the states in colour. Read only: no change, no change set."""

from __future__ import annotations

import json

from generator.deploy.components import component_health, is_component_template, summary_lines
from generator.deploy.context import EXIT_OK, EXIT_UNHEALTHY, DeployContext
from generator.deploy.health import Health, read_health
from generator.deploy.verbs.options import Commands, Options, aws_verb

GOOD = {"InService", "OK", "CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
BAD = {"ALARM", "Failed", "OutOfService"}


def register(commands: Commands, options: Options) -> None:
    parser = commands.add_parser(
        "status",
        parents=[options.stack],
        help="how the endpoint is doing, as JSON (read only); exit 4 when not InService or an alarm is in ALARM",
    )
    parser.set_defaults(run=aws_verb(lambda args, context: run(context, args.stack_name)))


def run(context: DeployContext, name: str) -> int:
    component = is_component_template(context.template)
    health = component_health(context, name) if component else read_health(context, name)
    json.dump(health.report, context.stdout, indent=2)
    context.stdout.write("\n")
    for problem in health.problems:
        context.console.error(problem)
    if context.console.is_terminal and component:
        for line in summary_lines(health.report):
            context.console.line(line, _style(line.rsplit(" ", 1)[-1]) if line.startswith(("stack", "alarm")) else None)
    elif context.console.is_terminal:
        _summary(context, health)
    return EXIT_UNHEALTHY if health.problems else EXIT_OK


def _summary(context: DeployContext, health: Health) -> None:
    report, line = health.report, context.console.line
    line(f"stack     {report['StackStatus']}", _style(report["StackStatus"]))
    line(f"endpoint  {report['EndpointStatus']}", _style(report["EndpointStatus"]))
    line(f"serving   {report['ModelPackageArn']} since {report['ServingSince']}")
    for variant, count in report["Instances"].items():
        line(f"instances {variant}: {count['Current']} of {count['Desired']} desired")
    for alarm, state in report["Alarms"].items():
        line(f"alarm     {alarm}: {state}", _style(state))
    if "ApprovalQueue" in report:
        queue = report["ApprovalQueue"]
        style = "red" if queue["DeadLetters"] else None
        line(f"approvals {queue['Waiting']} waiting, {queue['DeadLetters']} dead letters", style)


def _style(state: str) -> str | None:
    first = state.split(" ", 1)[0]
    if first in GOOD:
        return "green"
    return "red" if first in BAD or first.endswith(("_FAILED", "ROLLBACK_COMPLETE")) else "yellow"
