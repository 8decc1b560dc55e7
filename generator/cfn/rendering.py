"""The template as text: YAML as people write it by hand, or JSON; always the same bytes for the same template."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import yaml
from troposphere import Template

Format = Literal["yaml", "json"]
YAML_WIDTH = 140
FLOW_WIDTH = 130
FOLD_FROM = 200  # cfn-flip's width: a one-line string this long is folded (`>-`)
LITERAL_FROM = 10  # newlines from which a string is written as a literal block (`|`), as cfn-flip does
ACCOUNT_ID = re.compile(r"^0[0-9]+$")  # a leading zero YAML would drop: quoted, as cfn-flip does
SHORT_TAGS = ("Ref", "Condition")  # the others are `Fn::<Name>` -> `!<Name>`
MAP, STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:str"


def render(template: Template, output_format: Format = "yaml") -> str:
    """Stable text: keys are sorted, so the same template always renders the same bytes.

    YAML uses CloudFormation's short tags (as cfn-flip, which troposphere's to_yaml uses, writes them) and writes
    what fits on one line in flow style, as people write templates by hand: about a fifth smaller (a smaller
    template is faster to read, upload and diff; past 51,200 bytes it must go through S3 in any case).
    """
    if output_format == "json":
        return str(template.to_json(indent=2)) + "\n"
    text: str = yaml.dump(
        template.to_dict(), Dumper=_CompactDumper, default_flow_style=False, allow_unicode=True, width=YAML_WIDTH
    )
    return text


class _CompactDumper(yaml.CDumper):
    """libyaml's emitter, about twice as fast as PyYAML's own, writing any list or mapping that fits on one line in
    flow style: `[a, b]`, `{K: v}`, and Fn::GetAtt as a list (`!GetAtt [Key, Arn]`), the form policy scanners such
    as cfn-guard resolve. libyaml writes a tagged scalar plain where YAML allows it (`!Ref InstanceType`), and a
    block sequence under a mapping key at the key's indentation."""

    def represent_data(self, data: object) -> yaml.Node:
        """Each node is represented after its children, so its flow length is theirs, summed once."""
        node: yaml.Node = super().represent_data(data)
        lengths: dict[int, int] = self.__dict__.setdefault("flow_lengths", {})
        lengths[id(node)] = length = _flow_length(node, lengths)
        if isinstance(node, yaml.CollectionNode) and node.value and length <= FLOW_WIDTH:
            node.flow_style = True
        return node


def _represent_dict(dumper: _CompactDumper, value: dict[str, Any]) -> yaml.Node:
    """An intrinsic function (a mapping of one `Ref`, `Condition` or `Fn::` key) as its short tag."""
    if len(value) == 1:
        key, argument = next(iter(value.items()))
        if key in SHORT_TAGS or key.startswith("Fn::"):
            tag = "!" + key.removeprefix("Fn::")
            if isinstance(argument, list):
                return dumper.represent_sequence(tag, argument)
            if isinstance(argument, dict):
                return dumper.represent_mapping(tag, argument)
            return dumper.represent_scalar(tag, str(argument))
    return dumper.represent_mapping(MAP, value, flow_style=False)


def _represent_str(dumper: _CompactDumper, value: str) -> yaml.Node:
    """Long strings folded, many-line ones as a literal block, multi-line ones double-quoted, account ids quoted."""
    newlines = sum(1 for character in value if character in "\n\r")
    if newlines >= LITERAL_FROM:
        style: str | None = "|"
    elif len(value) >= FOLD_FROM and "\n" not in value:
        style = ">"
    elif value.startswith("0"):
        style = "'"
    elif newlines:
        style = '"'
    else:
        style = None
    return dumper.represent_scalar(STR, value, style=style)


_CompactDumper.add_representer(dict, _represent_dict)
_CompactDumper.add_representer(str, _represent_str)


def _flow_length(node: yaml.Node, children: dict[int, int]) -> int:
    """An upper bound of the node's length in flow style (quotes and separators counted generously), from its
    children's, already counted."""
    length = 2 + (0 if node.tag.startswith("tag:yaml.org") else len(node.tag) + 1)
    if isinstance(node, yaml.ScalarNode):
        return length + len(node.value)
    if isinstance(node, yaml.MappingNode):
        return length + sum(children[id(key)] + children[id(value)] + 4 for key, value in node.value)
    return length + sum(children[id(item)] + 2 for item in node.value)


def render_minified_json(template: Template) -> str:
    return json.dumps(template.to_dict(), separators=(",", ":"), sort_keys=True)
