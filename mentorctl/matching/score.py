"""Scoring mentee-mentor pairs from the ``matching:`` criteria of program.yaml.

A score is ``sum(weight * part) / sum(weights)``, each part in 0..1, kept as an integer number
of ten-thousandths (:data:`UNITS`): sums are then exact for the solver and every method, the
manual ``score_pair`` and the explanations agree to the last digit. The same formula runs two
ways: :func:`explain` for one pair (with its named parts and reasons) and
:class:`~mentorctl.matching.blocks.BlockScorer`
for a block of mentees against every mentor at once (numpy, imported lazily); both do the same
floating-point operations in the same order, so they give the same integers.

Parts: topics = share of the mentee's goals the mentor lists as expertise; languages = 1 when
they share one; time zone = ``1 - min(hours apart, max_hours) / max_hours`` (0.5 when either
zone is unknown); extra answers compared as ``same`` (equal after folding case and spaces),
``overlap`` (Jaccard of the comma-separated answers) or ``distance``
(``1 - min(|a - b|, scale) / scale`` of the first number in each answer; ``scale`` defaults
to 1). A missing answer scores 0 on that part.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mentorctl.timezones import hours_apart, utc_offset

if TYPE_CHECKING:
    pass

UNITS = 10000
UNKNOWN_ZONE_PART = 0.5
# Answers to "organisation" that name no organisation: two freelancers are not colleagues.
NO_ORGANISATION = frozenset(
    {
        "",
        "-",
        "n/a",
        "na",
        "none",
        "no",
        "not applicable",
        "self-employed",
        "self employed",
        "freelance",
        "freelancer",
        "independent",
        "student",
        "unemployed",
        "retired",
        "between jobs",
    }
)
_SPLIT = re.compile(r"[,;]")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# Block size for vectorised scoring: rows x mentors cells per block (float64 temporaries).
BLOCK_CELLS = 1_000_000


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def fold(text: Any) -> str:
    """Case- and space-insensitive form of an answer (answers repeat: cached)."""
    return _fold(text if isinstance(text, str) else str(text))


@dataclass(frozen=True)
class Criterion:
    kind: str
    name: str
    weight: float
    field: str | None = None
    mode: str | None = None
    max_hours: float = 6.0
    scale: float = 1.0


@dataclass(frozen=True)
class Criteria:
    """The validated ``matching`` section, read once."""

    items: tuple[Criterion, ...]
    total_weight: float
    min_score: float
    min_units: int
    shared_language: bool
    different_organisation: bool

    def has(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.items)

    def max_hours(self) -> float:
        return next((c.max_hours for c in self.items if c.kind == "timezone"), 6.0)


_DEFAULT_NAMES = {"topics": "topics", "languages": "languages", "timezone": "time zone"}


def read_criteria(config: Mapping[str, Any]) -> Criteria:
    """Criteria from program.data["matching"]; missing optional keys take the schema defaults."""
    items = []
    for raw in config.get("criteria") or []:
        kind = raw["kind"]
        field = raw.get("field")
        name = raw.get("name") or _DEFAULT_NAMES.get(kind) or str(field).replace("_", " ")
        items.append(
            Criterion(
                kind=kind,
                name=name,
                weight=float(raw["weight"]),
                field=field,
                mode=raw.get("mode") or ("same" if kind == "extra" else None),
                max_hours=float(raw.get("max_hours") or 6),
                scale=float(raw.get("scale") or 1),
            )
        )
    if not items:
        raise ValueError("matching.criteria is empty")
    rules = config.get("rules") or {}
    min_score = float(config.get("min_score", 0.2))
    return Criteria(
        items=tuple(items),
        total_weight=float(sum(c.weight for c in items)),
        min_score=min_score,
        min_units=math.ceil(round(min_score * UNITS, 6)),
        shared_language=bool(rules.get("shared_language", True)),
        different_organisation=bool(rules.get("different_organisation", False)),
    )


def _labels(values: Iterable[Any]) -> dict[str, str]:
    """Folded form -> first spelling seen, in order, without duplicates."""
    if isinstance(values, list | tuple) and all(isinstance(v, str) for v in values):
        return dict(_labels_of(tuple(values)))
    return _labels_uncached(values)


@lru_cache(maxsize=16384)
def _labels_of(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Answer lists repeat across thousands of people (checkbox combinations).
    return tuple(_labels_uncached(values).items())


def _labels_uncached(values: Iterable[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or ():
        if value is None:
            continue
        key = fold(value)
        if key:
            out.setdefault(key, " ".join(str(value).split()))
    return out


def _extra_answer(extra: Mapping[str, Any], field: str) -> Any:
    if field in extra:
        return extra[field]
    wanted = fold(field)
    return next((v for k, v in extra.items() if fold(k) == wanted), None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    found = _NUMBER.search(str(value))
    return float(found.group().replace(",", ".")) if found else None


@dataclass(frozen=True)
class Profile:
    """What scoring needs of one person, read once: folded sets, the UTC offset, extras."""

    id: str
    role: str
    goals: dict[str, str]
    expertise: dict[str, str]
    languages: dict[str, str]
    offset: float | None
    zone: str | None
    organisation: str | None
    # per criterion: folded str (same), dict folded->label (overlap), float (distance), or None
    extras: tuple[Any, ...]
    capacity: int | None


def profile(person: Mapping[str, Any], crit: Criteria, today: dt.date) -> Profile:
    extra = person.get("extra") or {}
    extras: list[Any] = []
    for c in crit.items:
        if c.kind != "extra":
            extras.append(None)
            continue
        answer = _extra_answer(extra, c.field or "")
        if answer is None or answer == "":
            extras.append(None)
        elif c.mode == "same":
            extras.append(fold(answer) or None)
        elif c.mode == "overlap":
            items = answer if isinstance(answer, list) else _SPLIT.split(str(answer))
            extras.append(_labels(items) or None)
        else:
            extras.append(_number(answer))
    org = fold(person.get("organisation") or "")
    zone = person.get("timezone") or None
    capacity = person.get("capacity")
    return Profile(
        id=str(person["id"]),
        role=str(person.get("role") or ""),
        goals=_labels(person.get("goals") or ()),
        expertise=_labels(person.get("expertise") or ()),
        languages=_labels(person.get("languages") or ()),
        offset=utc_offset(zone, today) if zone else None,
        zone=zone,
        organisation=None if org in NO_ORGANISATION else org,
        extras=tuple(extras),
        capacity=int(capacity) if isinstance(capacity, int | float) else None,
    )


# -- one pair -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One named part of a score: its value (0..1), weight, and share of the total score."""

    kind: str
    name: str
    value: float
    weight: float
    contribution: float


def zone_part(offset_a: float | None, offset_b: float | None, max_hours: float) -> float:
    if offset_a is None or offset_b is None:
        return UNKNOWN_ZONE_PART
    return 1 - min(hours_apart(offset_a, offset_b), max_hours) / max_hours


def _join(labels: list[str]) -> str:
    return ", ".join(labels)


# Marks a reason that lowers the score more than it raises it (far time zones, distant answers);
# such a reason is left out of a pair's reasons, and named among what counts against it.
AGAINST = " (counts against)"


def _part(c: Criterion, index: int, mentee: Profile, mentor: Profile) -> tuple[float, str | None]:
    """The value of one criterion for a pair, and the short reason it gives (or None)."""
    if c.kind == "topics":
        if not mentee.goals:
            return 0.0, None
        shared = [label for key, label in mentee.goals.items() if key in mentor.expertise]
        return len(shared) / len(mentee.goals), ("both: " + _join(shared)) if shared else None
    if c.kind == "languages":
        shared = [label for key, label in mentor.languages.items() if key in mentee.languages]
        if not shared:
            return 0.0, None
        return 1.0, "mentor speaks " + " and ".join(
            [", ".join(shared[:-1]), shared[-1]] if len(shared) > 1 else shared
        )
    if c.kind == "timezone":
        value = zone_part(mentee.offset, mentor.offset, c.max_hours)
        if mentee.offset is None or mentor.offset is None:
            return value, "time zone unknown"
        hours = hours_apart(mentee.offset, mentor.offset)
        if hours == 0:
            return value, "same time zone"
        return value, f"time zones {hours:g} h apart" + (AGAINST if value < 0.5 else "")
    a, b = mentee.extras[index], mentor.extras[index]
    if a is None or b is None:
        return 0.0, None
    if c.mode == "same":
        return (1.0, f"same {c.name}") if a == b else (0.0, None)
    if c.mode == "overlap":
        shared = [label for key, label in a.items() if key in b]
        union = len(a) + len(b) - len(shared)
        value = len(shared) / union if union else 0.0
        return value, (f"{c.name}: both {_join(shared)}" if shared else None)
    value = 1 - min(abs(a - b), c.scale) / c.scale
    return value, f"{c.name}: {a:g} and {b:g}" + (AGAINST if value < 0.5 else "")


def to_units(total: float, total_weight: float) -> int:
    return math.floor(total / total_weight * UNITS + 0.5)


def explain(crit: Criteria, mentee: Profile, mentor: Profile) -> tuple[int, list[Part], list[str]]:
    """Score units, named parts and reasons (criteria order) of one pair; no rule checks.

    The reasons are those that count for the pair; what counts against it is
    :func:`mentorctl.matching.explain.against`."""
    total = 0.0
    parts: list[Part] = []
    reasons: list[str] = []
    for index, c in enumerate(crit.items):
        value, reason = _part(c, index, mentee, mentor)
        total += c.weight * value
        parts.append(
            Part(
                kind=c.kind,
                name=c.name,
                value=round(value, 4),
                weight=c.weight,
                contribution=round(c.weight * value / crit.total_weight, 4),
            )
        )
        if reason and not reason.endswith(AGAINST):
            reasons.append(reason)
    return to_units(total, crit.total_weight), parts, reasons


def language_ok(crit: Criteria, mentee: Profile, mentor: Profile) -> bool:
    """The shared-language rule; someone who listed no language is not held to it."""
    if not crit.shared_language or not mentee.languages or not mentor.languages:
        return True
    return not mentee.languages.keys().isdisjoint(mentor.languages)


def organisation_ok(crit: Criteria, mentee: Profile, mentor: Profile) -> bool:
    if not crit.different_organisation or mentee.organisation is None:
        return True
    return mentee.organisation != mentor.organisation
