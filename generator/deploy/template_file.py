"""A template as the deploy client sends it (the endpoint's, or the registry kit's): the committed rendering, never
a fresh one (the deploy client does not import troposphere). A checkout reads templates/; an installed package
reads its copy of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from generator.common.names import INPUTS_METADATA, OUTPUT_KEYS

ENDPOINT, REGISTRY_ACCESS = "sagemaker-endpoint", "registry-access"
INFERENCE_ENDPOINT, INFERENCE_COMPONENT = "inference-endpoint", "inference-component"
TEMPLATES = (ENDPOINT, REGISTRY_ACCESS, INFERENCE_ENDPOINT, INFERENCE_COMPONENT)  # what `--template` can name
CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INSTALLED_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"  # package data
INLINE_LIMIT_BYTES = 51_200  # larger bodies must come from S3 (TemplateURL)


@dataclass(frozen=True)
class EndpointTemplate:
    body: str

    @cached_property
    def document(self) -> dict[str, Any]:
        return parse_template(self.body)

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        return dict(self.document["Parameters"])

    @property
    def inputs(self) -> dict[str, dict[str, Any]]:
        """Per parameter, what its declaration says beyond CloudFormation's fields: `EndpointTypes`, `SeedFarmer`."""
        declared = self.document.get("Metadata", {}).get(INPUTS_METADATA, {})
        return {name: dict(declared.get(name, {})) for name in self.parameters}

    @property
    def rules(self) -> dict[str, Any]:
        return dict(self.document.get("Rules", {}))

    @property
    def output_keys(self) -> list[str]:
        """The endpoint's seven outputs in the order of the module we replace; another template's as declared."""
        declared = list(self.document.get("Outputs", {}))
        return list(OUTPUT_KEYS) if set(OUTPUT_KEYS) <= set(declared) else declared

    @property
    def most_resource_tags(self) -> int:
        """The most tags one resource of the template carries itself, each conditional one counted: what the stack's
        tags, which CloudFormation adds to every resource, must leave room for."""
        tags = [r.get("Properties", {}).get("Tags") for r in self.document.get("Resources", {}).values()]
        return max((len(t) for t in tags if isinstance(t, list)), default=0)

    @property
    def fits_inline(self) -> bool:
        return len(self.body.encode()) <= INLINE_LIMIT_BYTES

    @property
    def capabilities(self) -> list[str]:
        """CAPABILITY_IAM for IAM resources; NAMED as well once one of them carries a fixed name."""
        iam = [r for r in self.document["Resources"].values() if str(r["Type"]).startswith("AWS::IAM::")]
        named = any(
            {"RoleName", "ManagedPolicyName", "UserName", "GroupName"} & set(r.get("Properties", {})) for r in iam
        )
        return ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"] if named else (["CAPABILITY_IAM"] if iam else [])


def load_template(path: Path | None = None, name: str = ENDPOINT) -> EndpointTemplate:
    """The committed template `name` of this checkout, else the one the installed package ships."""
    candidates = [path] if path else [CHECKOUT_TEMPLATES / f"{name}.yaml", INSTALLED_TEMPLATES / f"{name}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return EndpointTemplate(candidate.read_text())
    raise RuntimeError(f"no rendered template at {' or '.join(map(str, candidates))}: run `make render`")


@cache
def _cfn_loader() -> Any:
    """YAML with CloudFormation's short tags: `!Ref X` -> {"Ref": X}, `!Sub s` -> {"Fn::Sub": s}, ... (made when
    first needed: the command line registers every verb at start, and most never read a template)."""
    import yaml  # noqa: PLC0415

    class CfnLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
        pass

    CfnLoader.add_multi_constructor("!", _short_tag)
    return CfnLoader


def _short_tag(loader: Any, suffix: str, node: Any) -> dict[str, Any]:
    import yaml  # noqa: PLC0415

    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


def parse_template(body: str) -> dict[str, Any]:
    import yaml  # noqa: PLC0415

    document: dict[str, Any] = yaml.load(body, Loader=_cfn_loader())  # a SafeLoader subclass
    return document
