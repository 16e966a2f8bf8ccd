"""A small validator for YAML configuration: types, ranges, defaults and unknown keys.

Errors name the file, the line (when the YAML source is at hand), the key path such as
``matching.criteria[2].weight`` and what was expected, so an admin can fix the file at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import ConfigError

Path_ = list[str | int]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


class Invalid(Exception):
    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = list(path)
        self.message = message


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Spec:
    required: bool = True
    default: Any = None

    def check(self, value: Any, path: Path_) -> Any:
        raise NotImplementedError


@dataclass
class Str(Spec):
    required: bool = True
    default: Any = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    allow_empty: bool = True

    def check(self, value: Any, path: Path_) -> Any:
        if value is None and not self.required:
            return self.default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise Invalid(path, f"expected text, got {_describe(value)}")
        if not self.allow_empty and not value.strip():
            raise Invalid(path, "expected non-empty text")
        if self.choices is not None and value not in self.choices:
            raise Invalid(
                path, f"expected one of {', '.join(self.choices)}, got {_describe(value)}"
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise Invalid(path, f"{_describe(value)} does not have the expected form")
        return value


LARGEST_NUMBER = 10**12


@dataclass
class Day(Spec):
    """A calendar day, written ``YYYY-MM-DD``: quoted (text) or not (YAML reads it as a date).
    The value is kept as the ``YYYY-MM-DD`` text."""

    required: bool = True
    default: Any = None

    def check(self, value: Any, path: Path_) -> Any:
        import datetime as dt

        if value is None and not self.required:
            return self.default
        if isinstance(value, dt.datetime):
            raise Invalid(path, f"expected a day written YYYY-MM-DD, e.g. 2026-09-07, got {value}")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                    return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise Invalid(
                    path, f"{_describe(value)} is not a date (expected YYYY-MM-DD)"
                ) from None
        raise Invalid(
            path, f"expected a day written YYYY-MM-DD, e.g. 2026-09-07, got {_describe(value)}"
        )


@dataclass
class Num(Spec):
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    def check(self, value: Any, path: Path_) -> Any:
        if value is None and not self.required:
            return self.default
        kind = "a whole number" if self.integer else "a number"
        ok_types = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_types):
            raise Invalid(path, f"expected {kind}, got {_describe(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(path, f"expected {kind}, got {_describe(value)}")
        if abs(value) > LARGEST_NUMBER:
            # Beyond any sensible setting, and beyond what the scoring's floats can hold.
            raise Invalid(path, f"expected {kind} of at most {LARGEST_NUMBER:g}, got a longer one")
        if self.minimum is not None and value < self.minimum:
            raise Invalid(path, f"expected {kind} of at least {self.minimum:g}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise Invalid(path, f"expected {kind} of at most {self.maximum:g}, got {value}")
        return value


def Int(**kwargs: Any) -> Num:
    return Num(integer=True, **kwargs)


@dataclass
class Bool(Spec):
    required: bool = True
    default: Any = None

    def check(self, value: Any, path: Path_) -> Any:
        if value is None and not self.required:
            return self.default
        if not isinstance(value, bool):
            raise Invalid(path, f"expected true or false, got {_describe(value)}")
        return value


@dataclass
class ListOf(Spec):
    item: Spec
    required: bool = True
    default: Any = None
    min_items: int = 0

    def check(self, value: Any, path: Path_) -> Any:
        if value is None and not self.required:
            return list(self.default) if self.default is not None else []
        if isinstance(value, str) and isinstance(self.item, Str):
            value = [value]  # a single alias may be written without brackets
        if not isinstance(value, list):
            raise Invalid(path, f"expected a list, got {_describe(value)}")
        if len(value) < self.min_items:
            raise Invalid(path, f"expected at least {self.min_items} item(s), got {len(value)}")
        return [self.item.check(v, [*path, i]) for i, v in enumerate(value)]


@dataclass
class MapOf(Spec):
    """A mapping whose keys are chosen by the user (e.g. extra sign-up fields)."""

    value: Spec
    required: bool = True
    default: Any = None
    key_pattern: str = r"[A-Za-z_][A-Za-z0-9_]*"

    def check(self, value: Any, path: Path_) -> Any:
        if value is None and not self.required:
            return dict(self.default or {})
        if not isinstance(value, dict):
            raise Invalid(path, f"expected a mapping, got {_describe(value)}")
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or not re.fullmatch(self.key_pattern, key):
                raise Invalid([*path, str(key)], "expected a name of letters, digits and _")
            out[key] = self.value.check(item, [*path, key])
        return out


@dataclass
class Obj(Spec):
    fields: dict[str, Spec] = field(default_factory=dict)
    required: bool = True
    default: Any = None
    # A check across fields, run after each field is valid; raises Invalid.
    extra_check: Callable[[dict[str, Any], Path_], None] | None = None

    def check(self, value: Any, path: Path_) -> Any:
        if value is None:
            if self.required:
                raise Invalid(path, "missing (expected a mapping)")
            value = {}
        if not isinstance(value, dict):
            raise Invalid(path, f"expected a mapping, got {_describe(value)}")
        for key in value:
            if key not in self.fields:
                known = ", ".join(self.fields)
                raise Invalid([*path, str(key)], f"unknown key (expected one of: {known})")
        out = {}
        for key, spec in self.fields.items():
            if key not in value or value[key] is None:
                if spec.required:
                    raise Invalid([*path, key], f"missing ({_expectation(spec)})")
                out[key] = spec.check(None, [*path, key])
            else:
                out[key] = spec.check(value[key], [*path, key])
        if self.extra_check is not None:
            self.extra_check(out, path)
        return out


def _expectation(spec: Spec) -> str:
    if isinstance(spec, Str):
        return "expected one of " + ", ".join(spec.choices) if spec.choices else "expected text"
    if isinstance(spec, Num):
        return "expected a whole number" if spec.integer else "expected a number"
    if isinstance(spec, Bool):
        return "expected true or false"
    if isinstance(spec, ListOf):
        return "expected a list"
    return "expected a mapping"


def validate(spec: Spec, data: Any, *, file: Path, source: str | None = None) -> Any:
    """Check ``data`` against ``spec`` and return it with defaults filled in."""
    try:
        return spec.check(data, [])
    except Invalid as exc:
        line = _line_of(source, exc.path) if source is not None else None
        where = f"{file}:{line}" if line else str(file)
        raise ConfigError(f"{format_path(exc.path)}: {exc.message}", file=where) from None


def _line_of(source: str, path: Path_) -> int | None:
    """The 1-based line of the deepest node of ``path`` found in the YAML ``source``."""
    import yaml

    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    line = key_node.start_mark.line + 1
                    nxt = value_node
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            nxt = node.value[part]
            line = nxt.start_mark.line + 1
        node = nxt
    return line
