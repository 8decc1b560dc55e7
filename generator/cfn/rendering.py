"""The template as text: YAML as people write it by hand, or JSON; always the same bytes for the same template."""

from __future__ import annotations

import json
from typing import Literal

import cfn_tools
import yaml
from cfn_flip.yaml_dumper import get_dumper, map_representer
from cfn_tools.odict import ODict
from troposphere import Template

Format = Literal["yaml", "json"]
YAML_WIDTH = 140
FLOW_WIDTH = 130


def render(template: Template, output_format: Format = "yaml") -> str:
    """Stable text: keys are sorted, so the same template always renders the same bytes.

    YAML uses CloudFormation's short tags (cfn-flip's dumper, as troposphere's to_yaml does) and writes
    what fits on one line in flow style, as people write templates by hand: about a fifth smaller (a smaller
    template is faster to read, upload and diff; past 51,200 bytes it must go through S3 in any case).
    """
    if output_format == "json":
        return str(template.to_json(indent=2)) + "\n"
    data = cfn_tools.load_json(template.to_json())
    return str(yaml.dump(data, Dumper=_CompactDumper, default_flow_style=False, allow_unicode=True, width=YAML_WIDTH))


class _CompactDumper(get_dumper()):  # type: ignore[misc]
    """cfn-flip's dumper, writing any list or mapping that fits on one line in flow style: `[a, b]`, `{K: v}`,
    and Fn::GetAtt as a list (`!GetAtt [Key, Arn]`), the form policy scanners such as cfn-guard resolve."""

    def choose_scalar_style(self) -> str:
        """`!Ref InstanceType`, not `!Ref 'InstanceType'`: a short tag's value is written plain wherever YAML
        allows it (PyYAML quotes every scalar with an explicit tag)."""
        style: str = super().choose_scalar_style()
        event = self.event
        if style == "'" and not event.style and event.tag and event.tag.startswith("!") and self._plain_allowed():
            return ""
        return style

    def _plain_allowed(self) -> bool:
        analysis = self.analysis
        if analysis is None or analysis.empty or analysis.multiline:
            return False
        return bool(analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain)

    def represent_data(self, data: object) -> yaml.Node:
        node: yaml.Node = super().represent_data(data)
        if isinstance(node, yaml.CollectionNode) and node.value and _flow_length(node, FLOW_WIDTH) <= FLOW_WIDTH:
            node.flow_style = True
        return node


def _represent_mapping(dumper: yaml.Dumper, value: dict[str, list[str]]) -> yaml.Node:
    node: yaml.Node = (
        dumper.represent_sequence("!GetAtt", value["Fn::GetAtt"])
        if list(value) == ["Fn::GetAtt"]
        else map_representer(dumper, value)
    )
    return node


_CompactDumper.add_representer(ODict, _represent_mapping)


def _flow_length(node: yaml.Node, limit: int) -> int:
    """An upper bound of the node's length in flow style (quotes and separators counted generously), counted only
    until it passes `limit`: past it, the exact figure does not matter, and counting on would walk the whole
    subtree again at every level above it."""
    length = 2 + (0 if node.tag.startswith("tag:yaml.org") else len(node.tag) + 1)
    if isinstance(node, yaml.ScalarNode):
        return length + len(node.value)
    pairs = node.value if isinstance(node, yaml.MappingNode) else [(item, None) for item in node.value]
    for key, value in pairs:
        length += _flow_length(key, limit - length) + (2 if value is None else _flow_length(value, limit) + 4)
        if length > limit:
            break
    return length


def render_minified_json(template: Template) -> str:
    return json.dumps(template.to_dict(), separators=(",", ":"), sort_keys=True)
