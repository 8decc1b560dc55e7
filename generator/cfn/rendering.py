"""The template as text: YAML as people write it by hand, or JSON; always the same bytes for the same template."""

from __future__ import annotations

import json
import re
from typing import Literal

import cfn_tools
import yaml
from cfn_flip.yaml_dumper import map_representer, string_representer
from cfn_tools.odict import ODict
from troposphere import Template

Format = Literal["yaml", "json"]
YAML_WIDTH = 140
FLOW_WIDTH = 130
ACCOUNT_ID = re.compile(r"^0[0-9]+$")  # cfn-tools' AWS_ACCOUNT_ID


def render(template: Template, output_format: Format = "yaml") -> str:
    """Stable text: keys are sorted, so the same template always renders the same bytes.

    YAML uses CloudFormation's short tags (cfn-flip's representers, as troposphere's to_yaml does) and writes
    what fits on one line in flow style, as people write templates by hand: about a fifth smaller (a smaller
    template is faster to read, upload and diff; past 51,200 bytes it must go through S3 in any case).
    """
    if output_format == "json":
        return str(template.to_json(indent=2)) + "\n"
    data = cfn_tools.load_json(template.to_json())
    return str(yaml.dump(data, Dumper=_CompactDumper, default_flow_style=False, allow_unicode=True, width=YAML_WIDTH))


class _CompactDumper(yaml.CDumper):
    """libyaml's emitter, about twice as fast as PyYAML's own, with cfn-flip's representers (short tags, quoted
    account ids, long strings folded), writing any list or mapping that fits on one line in flow style: `[a, b]`,
    `{K: v}`, and Fn::GetAtt as a list (`!GetAtt [Key, Arn]`), the form policy scanners such as cfn-guard resolve.
    libyaml writes a tagged scalar plain where YAML allows it (`!Ref InstanceType`), and a block sequence under a
    mapping key at the key's indentation."""

    def represent_scalar(self, tag: str, value: str, style: str | None = None) -> yaml.ScalarNode:
        """As cfn-flip: an account id keeps its leading zero (quoted), a multi-line string is double-quoted."""
        if ACCOUNT_ID.match(value):
            style = "'"
        elif style is None and ("\n" in value or "\r" in value):
            style = '"'
        return super().represent_scalar(tag, value, style)

    def represent_data(self, data: object) -> yaml.Node:
        node: yaml.Node = super().represent_data(data)
        if isinstance(node, yaml.CollectionNode) and node.value and _flow_length(node, FLOW_WIDTH) <= FLOW_WIDTH:
            node.flow_style = True
        return node


def _represent_mapping(dumper: _CompactDumper, value: dict[str, list[str]]) -> yaml.Node:
    node: yaml.Node = (
        dumper.represent_sequence("!GetAtt", value["Fn::GetAtt"])
        if list(value) == ["Fn::GetAtt"]
        else map_representer(dumper, value)
    )
    return node


_CompactDumper.add_representer(ODict, _represent_mapping)
_CompactDumper.add_representer(str, string_representer)


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
