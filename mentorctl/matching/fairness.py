"""Fairness by group: whom the matching serves, per value of a sign-up field (pure: no I/O).

A group is a value of the field the admin names (``pair --fairness-by FIELD`` or
``fairness: {by: FIELD}`` in program.yaml):

- ``language`` (or ``languages``): each language a person listed; someone who lists two is in
  both groups (so groups may overlap, and their rows need not add up to the total);
- ``timezone`` (or ``time zone``, ``timezone_band``): a band of the UTC offset on the day:
  ``UTC-12 to -3`` (the Americas), ``UTC-2 to +3`` (Europe and Africa), ``UTC+4 to +14``
  (Asia and the Pacific), or ``unknown``;
- ``organisation`` and any other field of a person (``role``, ``age``...);
- any other name: an extra column of the sign-up form (``gender``, ``industry``...), its
  comma-separated answers each a group.

A missing answer is the group ``(no answer)``. Values are grouped case- and space-
insensitively and shown as first spelled.

Per group, :func:`run_table` (a matching run) and :func:`report_table` (the program's pairs)
give the mentees, the matched, the match rate, the average score of the group's pairs and
the average days waited: from sign-up (the latest ``signed_up`` or ``returned`` entry before
the pair was saved) to the day the pair was saved, or to today while still waiting.

The parity rule (``fairness: {by: FIELD, min_ratio: 0.8}``): no group's match rate below
``min_ratio`` times the best group's. :func:`parity_groups` gives the mentees of each group
the rule applies to; the optimal method solves under it (:mod:`.parity`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mentorctl.matching.score import fold
from mentorctl.timezones import utc_offset

NO_ANSWER = "(no answer)"
# An anonymous report shows a group smaller than this as "fewer than 3", without its name.
MIN_SHOWN = 3
LANGUAGE = frozenset({"language", "languages"})
TIMEZONE = frozenset({"timezone", "time zone", "time_zone", "timezone band", "timezone_band"})
ORGANISATION = frozenset({"organisation", "organization"})
PERSON_KEYS = frozenset({"role", "age", "goals", "expertise", "capacity", "bio"})
BANDS = ((-3.0, "UTC-12 to -3"), (3.0, "UTC-2 to +3"), (99.0, "UTC+4 to +14"))


def field_label(by: str) -> str:
    key = fold(by)
    if key in LANGUAGE:
        return "language"
    if key in TIMEZONE:
        return "time zone band"
    if key in ORGANISATION:
        return "organisation"
    return by.strip()


def _band(zone: Any, today: dt.date) -> str:
    offset = utc_offset(str(zone), today) if zone else None
    if offset is None:
        return "unknown"
    return next(label for top, label in BANDS if offset <= top + 0.75)


def _values(answer: Any) -> list[str]:
    if answer is None:
        return []
    items = answer if isinstance(answer, list | tuple) else str(answer).replace(";", ",").split(",")
    return [" ".join(str(v).split()) for v in items if str(v).strip()]


def groups_of(person: Mapping[str, Any], by: str, today: dt.date) -> tuple[str, ...]:
    """The groups (labels as first spelled) a person belongs to; see the module docstring."""
    key = fold(by)
    if key in TIMEZONE:
        return (_band(person.get("timezone"), today),)
    if key in LANGUAGE:
        values = _values(person.get("languages"))
    elif key in ORGANISATION:
        values = _values(person.get("organisation"))[:1]
    elif key in PERSON_KEYS:
        values = _values(person.get(key))
    else:
        extra = person.get("extra") or {}
        answer = extra.get(by)
        if answer is None:
            answer = next((v for k, v in extra.items() if fold(k) == key), None)
        values = _values(answer)
    return tuple(values) or (NO_ANSWER,)


class Labels:
    """Folded group key -> the first spelling seen, so "Spanish" and "spanish" are one group."""

    def __init__(self) -> None:
        self.shown: dict[str, str] = {}

    def keys(self, labels: Iterable[str]) -> list[str]:
        out = []
        for label in labels:
            key = fold(label)
            self.shown.setdefault(key, label)
            if key not in out:
                out.append(key)
        return out


def signed_up_on(person: Mapping[str, Any], until: dt.date) -> dt.date | None:
    """The day the person's latest sign-up (or return) up to ``until`` took effect."""
    found = None
    for e in person.get("history") or ():
        if not isinstance(e, dict) or e.get("event") not in ("signed_up", "returned"):
            continue
        day = _day(e.get("at"))
        if day is not None and day <= until and (found is None or day > found):
            found = day
    if found is None:
        found = _day(person.get("created"))
    return found


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _row(label: str, mentees: int, matched: int, scores: list[float], waits: list[int]) -> dict:
    return {
        "group": label,
        "mentees": mentees,
        "matched": matched,
        "waiting": mentees - matched,
        "rate": round(matched / mentees, 4) if mentees else None,
        "avg_score": round(sum(scores) / len(scores), 4) if scores else None,
        "days_waited": round(sum(waits) / len(waits), 1) if waits else None,
    }


def _table(
    entries: Iterable[tuple[Mapping[str, Any], float | None, dt.date | None]],
    by: str,
    today: dt.date,
) -> list[dict[str, Any]]:
    """Rows per group from (mentee, score of their pair or None, day the pair was saved)."""
    labels = Labels()
    acc: dict[str, tuple[list[int], list[float], list[int]]] = {}
    total = ([0, 0], [], [])  # type: tuple[list[int], list[float], list[int]]
    for person, score, saved in entries:
        end = saved or today
        start = signed_up_on(person, end)
        wait = max(0, (end - start).days) if start is not None else None
        for target in [acc.setdefault(k, ([0, 0], [], [])) for k in
                       labels.keys(groups_of(person, by, today))] + [total]:  # fmt: skip
            target[0][0] += 1
            if score is not None:
                target[0][1] += 1
                target[1].append(score)
            if wait is not None:
                target[2].append(wait)
    rows = [_row(labels.shown[k], c[0], c[1], s, w) for k, (c, s, w) in acc.items()]
    rows.sort(key=lambda r: (-r["mentees"], fold(r["group"])))
    if rows:
        rows.append(_row("all", total[0][0], total[0][1], total[1], total[2]))
    return rows


def run_table(
    people: Mapping[str, Mapping[str, Any]],
    pairs: Sequence[Any],
    waiting: Iterable[str],
    by: str,
    today: dt.date,
) -> list[dict[str, Any]]:
    """A matching run's rows: its mentees (paired in the run or left waiting), their pairs'
    scores, and the days from sign-up to today (the day the proposals would be saved)."""
    entries: list[tuple[Mapping[str, Any], float | None, dt.date | None]] = []
    for p in pairs:
        if p.mentee_id in people:
            entries.append((people[p.mentee_id], float(p.score), today))
    for pid in waiting:
        if pid in people:
            entries.append((people[pid], None, None))
    return _table(entries, by, today)


def report_table(
    people: Mapping[str, Mapping[str, Any]],
    pairs: Iterable[Mapping[str, Any]],
    waiting: Iterable[str],
    by: str,
    today: dt.date,
    *,
    anonymous: bool = False,
) -> list[dict[str, Any]]:
    """The program's rows: every mentee with a pair (their first, for the days waited; the
    scores of all their pairs are averaged) and every mentee waiting today. Anonymous: each
    group of fewer than :data:`MIN_SHOWN` mentees is folded into one row without names or
    figures, and then the all row shows its count of mentees only."""
    first: dict[str, tuple[dt.date | None, list[float]]] = {}
    for pair in sorted(pairs, key=lambda d: str(d.get("created") or "")):
        mentee = str(pair.get("mentee"))
        saved, scores = first.setdefault(mentee, (_day(pair.get("created")), []))
        if isinstance(pair.get("score"), int | float):
            scores.append(float(pair["score"]))
    entries: list[tuple[Mapping[str, Any], float | None, dt.date | None]] = []
    for pid, (saved, scores) in first.items():
        if pid in people:
            score = sum(scores) / len(scores) if scores else 0.0
            entries.append((people[pid], score, saved))
    for pid in waiting:
        if pid in people and pid not in first:
            entries.append((people[pid], None, None))
    rows = _table(entries, by, today)
    if not anonymous:
        return rows
    small = [r for r in rows[:-1] if r["mentees"] < MIN_SHOWN]
    shown = [r for r in rows if r not in small]
    if small:
        fewer = f"fewer than {MIN_SHOWN}"
        shown.insert(
            len(shown) - 1,
            {
                "group": f"{len(small)} group(s) of {fewer}",
                "mentees": fewer,
                "matched": None,
                "waiting": None,
                "rate": None,
                "avg_score": None,
                "days_waited": None,
            },
        )
        # The whole program's figures, less the groups shown, would give the small groups'
        # away (8 mentees - 4 - 3 = the one person, and whether they were matched): the
        # all row keeps its count of mentees only.
        total = shown[-1]
        shown[-1] = {**total, **{k: None for k in ("matched", "waiting", "rate", "avg_score",
                                                   "days_waited")}}  # fmt: skip
    return shown


# -- the parity rule --------------------------------------------------------------------


def parity_groups(
    mentees: Sequence[Mapping[str, Any]], by: str, today: dt.date
) -> tuple[list[str], list[list[int]]]:
    """Group labels and, per group, the indices (into ``mentees``) of its mentees."""
    labels = Labels()
    members: dict[str, list[int]] = {}
    for i, person in enumerate(mentees):
        for key in labels.keys(groups_of(person, by, today)):
            members.setdefault(key, []).append(i)
    keys = list(members)
    return [labels.shown[k] for k in keys], [members[k] for k in keys]


def rates(mate: Sequence[int], members: Sequence[Sequence[int]]) -> list[float]:
    """Match rate of each group under ``mate`` (mentee index -> mentor index, -1: none)."""
    return [sum(1 for i in g if mate[i] >= 0) / len(g) if g else 0.0 for g in members]


def holds(group_rates: Sequence[float], min_ratio: float) -> bool:
    """No rate below ``min_ratio`` times the best (a small tolerance for float rounding)."""
    if not group_rates:
        return True
    best = max(group_rates)
    return all(r >= min_ratio * best - 1e-9 for r in group_rates)
