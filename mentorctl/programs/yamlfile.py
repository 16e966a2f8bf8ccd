"""Reading a YAML settings file as ``yaml.safe_load`` does, with every refusal at a line and key path.

Two things safe loading lets through or reports without a place are refused here with the line
and the key path (``signup.min_age``, ``checkin.questions[2].text``): a key written twice in one
mapping (safe loading keeps the last one silently), and a date that does not exist, such as an
unquoted ``2026-02-30`` (safe loading fails in Python's ``datetime`` with no line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mentorctl.errors import ConfigError
from mentorctl.programs.schema import Path_, _describe, format_path

# libyaml's parser when PyYAML was built with it: the same safe loading, ten times faster.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class Refused(yaml.YAMLError):
    """A value or key the loader refuses, at a 1-based line and a key path."""

    def __init__(self, line: int, path: Path_, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.path = path
        self.message = message


class StrictLoader(SAFE_LOADER):  # type: ignore[misc]
    """``SafeLoader`` (libyaml's when available) refusing repeated keys and impossible dates."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._root: yaml.Node | None = None

    def construct_document(self, node: yaml.Node) -> Any:
        self._root = node
        self._refuse_repeated_keys(node)
        return super().construct_document(node)

    def _refuse(self, node: yaml.Node, message: str) -> Refused:
        # Key paths are worked out only for a refused node, so a good file loads about as fast.
        path = _paths_of(self._root).get(id(node), []) if self._root is not None else []
        return Refused(node.start_mark.line + 1, path, message)

    def _refuse_repeated_keys(self, root: yaml.Node) -> None:
        # On the nodes as written, before merge keys (``<<: *defaults``) are folded in: a key
        # given beside a merge overrides the merged one, which is what merging is for.
        seen_nodes: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen_nodes:
                continue
            seen_nodes.add(id(node))
            if isinstance(node, yaml.MappingNode):
                first: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                        continue
                    # Plain text keys as written; others (1, 01, true) as the values they are.
                    key = (
                        key_node.value
                        if key_node.tag == _STR_TAG
                        else self.construct_object(key_node)
                    )
                    try:
                        if key in first:
                            line = first[key]
                            raise self._refuse(key_node, f"repeated key (first at line {line})")
                        first[key] = key_node.start_mark.line + 1
                    except TypeError:
                        continue  # not a usable key: construct_mapping says so
                stack.extend(value for _, value in reversed(node.value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise self._refuse(
                node, f"{_describe(node.value)} is not a date (expected YYYY-MM-DD)"
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            # int() refuses a number of thousands of digits.
            raise self._refuse(node, "a number too long to read") from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def _paths_of(root: yaml.Node) -> dict[int, Path_]:
    """The key path of each node (by id), the first path in document order for a shared one."""
    paths: dict[int, Path_] = {}
    stack: list[tuple[yaml.Node, Path_]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if id(node) in paths:
            continue
        paths[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            children: list[tuple[yaml.Node, Path_]] = []
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                children += [(key_node, [*path, name]), (value_node, [*path, name])]
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, [*path, i]) for i, item in enumerate(node.value)]))
    return paths


def load_yaml(text: str, file: str | Path) -> Any:
    """``text`` read as YAML; a mistake is a :class:`ConfigError` at ``file:line`` where known."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except Refused as exc:
        raise ConfigError(
            f"{format_path(exc.path)}: {exc.message}", file=f"{file}:{exc.line}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"not valid YAML: {problem}", file=where) from None
    except (ValueError, RecursionError):
        raise ConfigError(
            "not valid YAML: a value is too long or too deeply nested", file=file
        ) from None
