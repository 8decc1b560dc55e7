"""The contract between the templates and the Lambda code (custom_resource.contract), held from both sides.

A name one side writes and the other never reads fails only at deploy time: a missing environment variable is a
KeyError in the function's log, a missing property a FAILED stack, an attribute no handler answers a stack that
cannot create. So the rendered templates (what each function runs, its environment, each custom resource's
properties, every Fn::GetAtt of one) and the handlers' own code (what they read from `os.environ` and from
`ResourceProperties`, what they put in `Data`) are each compared with the contract's names, never with a list kept
here. A handler's code is read with `ast`, over its module and every `custom_resource` module it imports."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import cfn_flip
import cfnlint
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from custom_resource import contract
from custom_resource.contract import (
    RESOLUTION_TOKEN_PARAMETER,
    ComponentLogicalIds,
    ComponentOutputs,
    LogicalIds,
    Outputs,
    Resolver,
    Updater,
)
from custom_resource.latest_approved import response_data
from generator.render import ENDPOINT, TEMPLATES, render_all

FUNCTION = "AWS::Lambda::Function"
PROPERTY_MAPS = ("ResourceProperties", "OldResourceProperties")  # where CloudFormation puts them in a request
FUNCTIONS = [value for value in vars(contract).values() if isinstance(value, type) and hasattr(value, "HANDLER")]


def handler_of(function: type) -> str:
    return str(vars(function)["HANDLER"])


def names(holder: type | None) -> set[str]:
    """The names a contract class holds: its upper-case string attributes."""
    return {v for k, v in vars(holder or object).items() if k.isupper() and isinstance(v, str)}


def side(function: type, part: str) -> set[str]:
    return names(getattr(function, part, None))


def contract_of(handler: str) -> type:
    named = [function for function in FUNCTIONS if handler_of(function) == handler]
    assert named, f"a template runs {handler}, a handler custom_resource.contract does not name"
    return named[0]


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    """Every template `make render` writes, as a dict, by its path."""
    texts = render_all("json")
    documents = {path: json.loads(text) for path, text in texts.items() if path.startswith(f"{TEMPLATES}/")}
    documents["modulestack.yaml"] = json.loads(cfn_flip.to_json(texts["modulestack.yaml"]))
    return {path: document for path, document in documents.items() if "Resources" in document}


@dataclass(frozen=True)
class Function:
    where: str  # template path and logical id
    handler: str
    environment: dict[str, Any]


@dataclass(frozen=True)
class CustomResource:
    where: str
    handler: str
    properties: set[str]
    attributes: set[str]  # what the template reads with Fn::GetAtt


def functions(rendered: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, document in sorted(rendered.items()):
        for logical_id, resource in sorted(document["Resources"].items()):
            if resource["Type"] == FUNCTION:
                yield path, logical_id, resource["Properties"]


def stack_functions(rendered: dict[str, dict[str, Any]]) -> list[Function]:
    return [
        Function(f"{path} {logical_id}", props["Handler"], props.get("Environment", {}).get("Variables", {}))
        for path, logical_id, props in functions(rendered)
    ]


def get_atts(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            yield resource, attribute
        for value in node.values():
            yield from get_atts(value)
    elif isinstance(node, list):
        for value in node:
            yield from get_atts(value)


def custom_resources(rendered: dict[str, dict[str, Any]]) -> list[CustomResource]:
    """Each custom resource, with the handler of the function its ServiceToken names."""
    found = []
    cloudformations_own = set(
        PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::CloudFormation::CustomResource").schema[
            "properties"
        ]
    )
    for path, document in sorted(rendered.items()):
        resources = document["Resources"]
        read = list(get_atts(document))
        for logical_id, resource in sorted(resources.items()):
            if not resource["Type"].startswith("Custom::"):
                continue
            function, _ = resource["Properties"]["ServiceToken"]["Fn::GetAtt"]
            found.append(
                CustomResource(
                    f"{path} {logical_id}",
                    resources[function]["Properties"]["Handler"],
                    set(resource["Properties"]) - cloudformations_own,
                    {attribute for name, attribute in read if name == logical_id},
                )
            )
    return found


def handler_modules(handler: str) -> list[ModuleType]:
    """The handler's module and every custom_resource module it imports, directly or not."""
    seen: dict[str, ModuleType] = {}
    pending = [handler.rsplit(".", 1)[0]]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen[name] = module = importlib.import_module(name)
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("custom_resource"):
                pending += [_module_of(str(node.module), alias.name) for alias in node.names]
    return list(seen.values())


def _module_of(package: str, name: str) -> str:
    """`from custom_resource import retained` imports a module; `from custom_resource.contract import X` a name."""
    try:
        return f"{package}.{name}" if importlib.util.find_spec(f"{package}.{name}") else package
    except ModuleNotFoundError:  # `package` is a module, not a package
        return package


def tree(module: ModuleType) -> ast.Module:
    return ast.parse(Path(str(module.__file__)).read_text(), str(module.__file__))


def value_of(node: ast.expr, module: ModuleType) -> str:
    """A name a handler reads, as written: a literal or a constant of its module (a contract name)."""
    assert isinstance(node, ast.Constant | ast.Name | ast.Attribute), (
        f"{module.__name__} line {node.lineno}: a read this test cannot name ({ast.unparse(node)})"
    )
    value = eval(compile(ast.Expression(node), module.__name__, "eval"), vars(module))  # our own constants
    assert isinstance(value, str), f"{module.__name__} line {node.lineno}: {ast.unparse(node)} is not a name"
    return value


ENVIRONMENT_READS = ("os.environ.get", "os.getenv")


def environment_reads(module: ModuleType) -> set[str]:
    """os.environ[X], os.environ.get(X, ...) and os.getenv(X)."""
    reads = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            reads.add(value_of(node.slice, module))
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ENVIRONMENT_READS:
            reads.add(value_of(node.args[0], module))
    return reads


def is_property_map(node: ast.AST, aliases: set[str]) -> bool:
    """event["ResourceProperties"], event.get("ResourceProperties", ...), or a name given one of them."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value in PROPERTY_MAPS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        return isinstance(node.args[0], ast.Constant) and node.args[0].value in PROPERTY_MAPS
    return isinstance(node, ast.Name) and node.id in aliases


def property_reads(module: ModuleType) -> set[str]:
    """Every key read from a request's properties, in each function of the module. A property map handed on whole
    (to another function, a loop, a return) fails the test: what is read from it could not be seen here."""
    reads: set[str] = set()
    for function in [n for n in ast.walk(tree(module)) if isinstance(n, ast.FunctionDef)]:
        aliases = {
            target.id
            for node in ast.walk(function)
            if isinstance(node, ast.Assign) and is_property_map(node.value, set())
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        used: set[int] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Subscript) and is_property_map(node.value, aliases):
                reads.add(value_of(node.slice, module))
                used.add(id(node.value))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
                if is_property_map(node.func.value, aliases):
                    reads.add(value_of(node.args[0], module))
                    used.add(id(node.func.value))
            elif isinstance(node, ast.Assign) and is_property_map(node.value, set()):
                used.add(id(node.value))
        handed_on = [
            n for n in ast.walk(function) if is_property_map(n, aliases) and id(n) not in used and not _stored(n)
        ]
        assert not handed_on, (
            f"{module.__name__}: properties handed on whole at {[getattr(n, 'lineno', 0) for n in handed_on]}"
        )
    return reads


def _stored(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)


def data_writes(module: ModuleType) -> set[str]:
    """The keys of the dicts a handler puts in crhelper's Data; `response_data(...)` is the resolver's, checked on
    its own below."""
    keys = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Data.update"):
            (given,) = node.args
            if isinstance(given, ast.Call) and ast.unparse(given.func).endswith("response_data"):
                keys |= set(response_data("arn", "group", "1", "2026-11-02T09:30:00+00:00"))
                continue
            assert isinstance(given, ast.Dict), f"{module.__name__} line {node.lineno}: Data this test cannot read"
            keys |= {value_of(key, module) for key in given.keys if key is not None}
    return keys


def read_by(handler: str, reader: Any) -> set[str]:
    return set().union(*(reader(module) for module in handler_modules(handler)))


def reserved_environment() -> set[str]:
    """The keys Lambda sets itself, which a function's configuration cannot set (cfn-lint's list, from "The keys for
    these environment variables are reserved and cannot be set in your function configuration",
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html)."""
    schema = (
        Path(cfnlint.__file__).parent / "data/schemas/extensions/aws_lambda_function/environment_variable_keys.json"
    )
    return set(json.loads(schema.read_text())["propertyNames"]["not"]["enum"])


def test_every_function_of_every_template_runs_a_handler_the_contract_names_that_lambda_can_import(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """A Handler Lambda cannot import fails every invocation; the contract's handlers are all used, none stale. Each
    is one Lambda's API takes (botocore's lambda service-2.json, shape Handler: "max": 128, "pattern": "[^\\s]+")."""
    run = {function.handler for function in stack_functions(rendered)}
    assert run == {handler_of(function) for function in FUNCTIONS}
    shape = botocore.session.get_session().get_service_model("lambda").shape_for("Handler")
    for handler in run:
        assert len(handler) <= shape.metadata["max"], handler
        assert re.fullmatch(shape.metadata["pattern"], handler), handler
        module, name = handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name)), handler


def test_a_template_sets_on_a_function_exactly_the_environment_the_contract_names_for_its_handler(
    rendered: dict[str, dict[str, Any]],
) -> None:
    for function in stack_functions(rendered):
        assert set(function.environment) == side(contract_of(function.handler), "Environment"), function.where


def test_a_handler_reads_only_environment_its_template_sets_or_lambda_itself_defines(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """Lambda's own variables (AWS_REGION) are there in every function; anything else must be set by the template.
    And a variable the template sets that nothing reads is dead configuration."""
    for function in stack_functions(rendered):
        reads = read_by(function.handler, environment_reads)
        assert reads - set(function.environment) <= reserved_environment(), function.where
        assert set(function.environment) <= reads, function.where


def test_every_environment_name_is_one_lambda_accepts_and_none_is_lambdas_own() -> None:
    """Lambda's API model: EnvironmentVariableName has the pattern [a-zA-Z]([a-zA-Z0-9_])+ (botocore's lambda
    service-2.json, shape EnvironmentVariableName); reserved keys are refused."""
    pattern = botocore.session.get_session().get_service_model("lambda").shape_for("EnvironmentVariableName")
    every = set().union(*(side(function, "Environment") for function in FUNCTIONS))
    assert every
    assert all(re.fullmatch(pattern.metadata["pattern"], name) for name in every), every
    assert not every & reserved_environment()


def test_a_custom_resource_gets_exactly_the_properties_the_contract_names_for_its_handler(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """Besides CloudFormation's own (ServiceToken, ServiceTimeout: cfn-lint's AWS::CloudFormation::CustomResource
    schema), every property is a contract name, and every contract name is given."""
    resources = custom_resources(rendered)
    assert {resource.handler for resource in resources} == {handler_of(f) for f in FUNCTIONS if side(f, "Property")}
    for resource in resources:
        assert resource.properties == side(contract_of(resource.handler), "Property"), resource.where


def test_a_handler_reads_only_properties_its_custom_resource_is_given(rendered: dict[str, dict[str, Any]]) -> None:
    for resource in custom_resources(rendered):
        assert read_by(resource.handler, property_reads) <= resource.properties, resource.where


def test_every_attribute_a_template_reads_from_a_custom_resource_is_data_its_handler_answers_with(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """Fn::GetAtt of a custom resource reads the Data of its answer ("The custom resource provider-defined name-value
    pairs to send with the response. You can access the values provided here by name in the template with
    Fn::GetAtt.", https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/crpg-ref-responses.html):
    a key no handler puts there fails the stack."""
    for resource in custom_resources(rendered):
        data = side(contract_of(resource.handler), "Data")
        assert resource.attributes <= data, resource.where
        assert read_by(resource.handler, data_writes) == data, resource.where


def test_the_resolvers_answer_data_are_the_contracts_in_both_of_its_answers() -> None:
    """Both the newly resolved package and the one an Update keeps are answered through response_data."""
    assert set(response_data("arn", "group", "3", "")) == names(Resolver.Data)


def test_every_output_logical_id_and_parameter_the_updater_and_deploy_client_read_is_in_the_endpoint_template(
    rendered: dict[str, dict[str, Any]],
) -> None:
    endpoint = rendered[f"{TEMPLATES}/{ENDPOINT}.json"]
    assert names(Outputs) <= set(endpoint["Outputs"])
    assert names(LogicalIds) <= set(endpoint["Resources"])
    assert RESOLUTION_TOKEN_PARAMETER in endpoint["Parameters"]


def test_every_output_and_logical_id_read_of_a_component_stack_is_in_the_component_template(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """The updater tells a component's stack by its InferenceComponentName output and checks its Model; the deploy
    client reads the same names."""
    component = rendered[f"{TEMPLATES}/inference-component.json"]
    assert names(ComponentOutputs) <= set(component["Outputs"])
    assert names(ComponentLogicalIds) <= set(component["Resources"])
    assert ComponentOutputs.INFERENCE_COMPONENT_NAME not in rendered[f"{TEMPLATES}/{ENDPOINT}.json"]["Outputs"]
    assert RESOLUTION_TOKEN_PARAMETER in component["Parameters"]


# The longest value each variable of the updater can hold, from AWS's own limits, for Lambda's aggregate limit:
# the quota of "Function environment variables" is "4 KB, for all environment variables associated with the function,
# in aggregate" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). AWS does not say how it
# counts them: we count the JSON of the whole map, keys included, the larger reading.
PARTITION, REGION, ACCOUNT = "aws-iso-b", "ap-southeast-7", "1" * 12  # longer than any partition and Region today
LONGEST_VALUE = {
    # CreateStack StackName: "can't be longer than 128 characters"; then the stack's UUID.
    Updater.Environment.STACK_ID: f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT}:stack/{'s' * 128}/{'u' * 36}",
    Updater.Environment.DEPLOYMENT_ROLE_ARN: "r" * 2048,  # IAM's arnType: "max": 2048
    Updater.Environment.MODEL_PACKAGE_GROUP_NAME: "g" * 170,  # the parameter's MaxLength (checked below)
    # CreateQueue QueueName: "A queue name can have up to 80 characters."
    Updater.Environment.DEAD_LETTER_QUEUE_URL: f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{'q' * 80}",
    # The parameter's pattern takes a topic name of up to 256 characters (CreateTopic's limit).
    Updater.Environment.ALARM_TOPIC_ARN: f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{'t' * 256}",
}


def test_the_updaters_environment_fits_lambdas_4_kb_even_at_the_longest_values_aws_allows(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """Both templates that deploy on approval (the endpoint's and a component's) run the updater with the same
    environment and the same longest group name."""
    updaters = [f for f in stack_functions(rendered) if f.handler == Updater.HANDLER]
    assert len(updaters) == 2
    for template in (ENDPOINT, "inference-component"):
        assert rendered[f"{TEMPLATES}/{template}.json"]["Parameters"]["ModelPackageGroupName"]["MaxLength"] == 170
    assert all(set(LONGEST_VALUE) == set(updater.environment) for updater in updaters)
    assert len(json.dumps(LONGEST_VALUE).encode()) <= 4096
