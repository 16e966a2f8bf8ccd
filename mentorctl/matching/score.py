"""Scoring mentee-mentor pairs from the ``matching:`` criteria of program.yaml.

A score is ``sum(weight * part) / sum(weights)``, each part in 0..1, kept as an integer number
of ten-thousandths (:data:`UNITS`): sums are then exact for the solver and every method, the
manual ``score_pair`` and the explanations agree to the last digit. The same formula runs two
ways: :func:`explain` for one pair (with its named parts and reasons) and :class:`BlockScorer`
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
    import numpy as np

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
        return value, f"time zones {hours:g} h apart"
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
    return value, (f"{c.name}: {a:g} and {b:g}" if value > 0 else None)


def to_units(total: float, total_weight: float) -> int:
    return math.floor(total / total_weight * UNITS + 0.5)


def explain(crit: Criteria, mentee: Profile, mentor: Profile) -> tuple[int, list[Part], list[str]]:
    """Score units, named parts and reasons (criteria order) of one pair; no rule checks."""
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
        if reason:
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


# -- blocks of pairs ------------------------------------------------------------------------


class BlockScorer:
    """Scores blocks of mentees against every mentor at once, with the hard rules as masks.

    ``exclude`` maps a mentee's index to the mentor indices it may never be paired with
    (blocks, earlier pairs), ``selves`` a "both" person's mentee index to their own mentor
    index: few per mentee, so they are applied as sparse masks. A self-pair counts as sharing
    no language either, so "no mentor shares a language" never counts the person themselves.
    """

    def __init__(
        self,
        crit: Criteria,
        mentees: list[Profile],
        mentors: list[Profile],
        exclude: Mapping[int, Iterable[int]],
        selves: Mapping[int, int],
    ) -> None:
        import numpy as np

        self.crit = crit
        self.n = len(mentees)
        self.m = len(mentors)
        self.exclude = {i: np.fromiter(js, dtype=np.int64) for i, js in exclude.items() if js}
        self.selves = dict(selves)
        self._features: list[tuple[str, Any]] = []
        for index, c in enumerate(crit.items):
            if c.kind == "topics":
                goals = [p.goals for p in mentees]
                g, e = _incidence(goals, [p.expertise for p in mentors])
                # No goals: 0 shared / 1 gives the 0.0 that explain() gives.
                sizes = np.array([max(1, len(x)) for x in goals], dtype=np.float64)
                self._features.append(("topics", (g, e, sizes)))
            elif c.kind == "languages":
                self._features.append(("languages", None))
            elif c.kind == "timezone":
                table, za, zb = _zone_table(mentees, mentors, c.max_hours)
                self._features.append(("timezone", (c.weight * table, za, zb)))
            elif c.mode == "same":
                codes: dict[str, int] = {}
                a = [p.extras[index] for p in mentees]
                b = [p.extras[index] for p in mentors]
                ca = np.array([codes.setdefault(x, len(codes)) if x else -1 for x in a], np.int64)
                cb = np.array([codes.setdefault(x, len(codes)) if x else -1 for x in b], np.int64)
                self._features.append(("same", (ca, cb)))
            elif c.mode == "overlap":
                a = [p.extras[index] or {} for p in mentees]
                b = [p.extras[index] or {} for p in mentors]
                g, e = _incidence(a, b)
                sa = np.array([len(x) for x in a], dtype=np.float64)
                sb = np.array([len(x) for x in b], dtype=np.float64)
                self._features.append(("overlap", (g, e, sa, sb)))
            else:
                va = np.array(
                    [np.nan if x is None else x for x in (p.extras[index] for p in mentees)]
                )
                vb = np.array(
                    [np.nan if x is None else x for x in (p.extras[index] for p in mentors)]
                )
                self._features.append(("distance", (va, vb, c.scale)))
        la, lb = _incidence([p.languages for p in mentees], [p.languages for p in mentors])
        self._languages = (
            la,
            lb,
            np.array([not p.languages for p in mentees], dtype=bool),
            np.array([not p.languages for p in mentors], dtype=bool),
        )
        codes = {}
        self._org_a = np.array(
            [
                codes.setdefault(p.organisation, len(codes)) if p.organisation else -1
                for p in mentees
            ]
        )
        self._org_b = np.array(
            [
                codes.setdefault(p.organisation, len(codes)) if p.organisation else -2
                for p in mentors
            ]
        )

    def block_rows(self) -> int:
        return max(1, BLOCK_CELLS // max(1, self.m))

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(units int32, language rule passes, every hard rule passes) for ``rows`` x mentors."""
        import numpy as np

        crit = self.crit
        shape = (len(rows), self.m)
        la, lb, a_none, b_none = self._languages
        shared_lang = _counts(la, lb, rows) > 0
        # Same operations, in the same order, as ``explain``: w * part summed in criteria
        # order, so the floats and the units are identical to the one-pair path. In place,
        # since these blocks are the hot loop of a large run.
        total = np.zeros(shape)
        for c, (kind, data) in zip(crit.items, self._features, strict=True):
            if kind == "topics":
                g, e, sizes = data
                part = np.divide(_counts(g, e, rows), sizes[rows][:, None])
                part *= c.weight
                total += part
            elif kind == "languages":
                np.add(total, c.weight, out=total, where=shared_lang)
            elif kind == "timezone":
                weighted, za, zb = data
                total += np.take(weighted[za[rows]], zb, axis=1)
            elif kind == "same":
                ca, cb = data
                a = ca[rows][:, None]
                np.add(total, c.weight, out=total, where=(a == cb[None, :]) & (a >= 0))
            elif kind == "overlap":
                g, e, sa, sb = data
                inter = _counts(g, e, rows).astype(np.float64)
                union = sa[rows][:, None] + sb[None, :] - inter
                part = np.divide(inter, union, out=np.zeros(shape), where=union > 0)
                part *= c.weight
                total += part
            else:
                va, vb, scale = data
                diff = np.abs(va[rows][:, None] - vb[None, :])
                part = 1 - np.minimum(diff, scale) / scale
                part[np.isnan(part)] = 0.0
                part *= c.weight
                total += part
        total /= crit.total_weight
        total *= UNITS
        total += 0.5
        units = np.floor(total, out=total).astype(np.int32)
        if crit.shared_language:
            lang_ok = shared_lang | a_none[rows][:, None] | b_none[None, :]
        else:
            lang_ok = np.ones(shape, dtype=bool)
        allowed = lang_ok.copy()
        if crit.different_organisation:
            allowed &= self._org_a[rows][:, None] != self._org_b[None, :]
        if self.exclude or self.selves:
            for r, i in enumerate(rows.tolist()):
                js = self.exclude.get(i)
                if js is not None:
                    allowed[r, js] = False
                j = self.selves.get(i)
                if j is not None:
                    allowed[r, j] = False
                    lang_ok[r, j] = False
        return units, lang_ok, allowed


def _incidence(a: list[dict[str, str]], b: list[dict[str, str]]) -> tuple[Any, Any]:
    """0/1 matrices over the values both sides use: (len(a) x V) CSR and (V x len(b)) dense.

    Values only one side uses can never be shared, so they are left out of the vocabulary.
    Counts come from a float32 product of 0/1 entries: exact integers.
    """
    import numpy as np
    import scipy.sparse as sp

    used_b = set().union(*[x.keys() for x in b]) if b else set()
    vocab: dict[str, int] = {}
    for x in a:
        for key in x:
            if key in used_b and key not in vocab:
                vocab[key] = len(vocab)
    rows, cols = [], []
    for i, x in enumerate(a):
        for key in x:
            col = vocab.get(key)
            if col is not None:
                rows.append(i)
                cols.append(col)
    size = max(1, len(vocab))
    left = sp.csr_array((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(a), size))
    right = np.zeros((size, len(b)), dtype=np.float32)
    for j, x in enumerate(b):
        for key in x:
            col = vocab.get(key)
            if col is not None:
                right[col, j] = 1.0
    return left, right


def _counts(left: Any, right: Any, rows: np.ndarray) -> np.ndarray:
    return left[rows] @ right


def _zone_table(
    mentees: list[Profile], mentors: list[Profile], max_hours: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Part values for every pair of distinct offsets (the last index: unknown), and indices."""
    import numpy as np

    offsets = sorted({p.offset for p in (*mentees, *mentors) if p.offset is not None})
    index = {o: k for k, o in enumerate(offsets)}
    values: list[float | None] = [*offsets, None]
    table = np.array([[zone_part(x, y, max_hours) for y in values] for x in values])
    unknown = len(offsets)
    za = np.array(
        [index.get(p.offset, unknown) if p.offset is not None else unknown for p in mentees]
    )
    zb = np.array(
        [index.get(p.offset, unknown) if p.offset is not None else unknown for p in mentors]
    )
    return table, za.astype(np.int64), zb.astype(np.int64)
