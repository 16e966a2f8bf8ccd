"""Mentees' choices from their shortlists, honoured by ``pair`` (pure: no I/O).

A mentee who replied to their shortlist has a ``chose`` entry in their ``history``: the
mentors they named, in their order. The latest one counts (:func:`from_people`).

How a run honours them (every method):

1. **Choices first.** Among the mentees who chose, mentee-proposing deferred acceptance over
   their choices only: each mentee asks their first choice, then their next; a mentor holds
   as many as they have free places and, when more ask, keeps the mentees they match best
   (the program's criteria and scores; equal scores go by the seed's order). A choice the
   rules of ``pair`` refuse (a block, an earlier pair, a rule such as a shared language,
   a score below ``min_score``, no free place) is passed over. The result is the stable
   assignment that is best for every choosing mentee at once: no mentee is left without a
   mentor they chose while that mentor has a free place or holds a mentee they match less.
2. **Then the rest, as before.** Those pairs are kept, and the method (optimal, stable or
   greedy) places the mentees without a choice, and those none of whose choices worked out,
   on the places left. A parity rule (:mod:`.parity_rule`) holds on the whole result: it
   counts the pairs from choices in their mentees' groups and never undoes one.

Each pair from a choice says so among its reasons ("chosen by the mentee (1st choice)"), and
keeps that reason as it becomes a proposal put to its mentor or a saved pair
(:func:`with_choice`); a
mentee whose choices did not work out is told why, choice by choice, never naming another
mentee ("chose Ann (P3): Ann's places went to mentees who match Ann better").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mentorctl.matching.explain import against
from mentorctl.matching.order import natural
from mentorctl.matching.parity_rule import Placed
from mentorctl.matching.results import MatchResult, Pair, Unmatched
from mentorctl.matching.score import UNITS, explain
from mentorctl.matching.shortlist import Field

CHOSE = "chose"
SHORTLISTED = "shortlisted"
_RESTART = ("returned", "withdrawn")  # a choice made before one of these no longer counts
# What became of one choice of a mentee who got none of theirs.
OUTRANKED, FULL, RULED_OUT, LOW_SCORE, GONE = "outranked", "full", "ruled_out", "low", "gone"


def ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th..."""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def chosen_reason(rank: int) -> str:
    return f"chosen by the mentee ({ordinal(rank)} choice)"


_CHOSEN = re.compile(r"chosen by the mentee \([0-9]+(st|nd|rd|th) choice\)")


def chosen_line(reasons: Iterable[Any]) -> str | None:
    """The reason that says the mentee chose the mentor ("chosen by the mentee (1st
    choice)"), or None: what a proposal or a saved pair carries of a mentee's choice. The
    story of a choice that did not work out ("not one of their choices (chose ...)") names
    other mentors and is for the admin's eyes in the run only: it is never this line."""
    return next((str(r) for r in reasons if _CHOSEN.fullmatch(str(r))), None)


def with_choice(reasons: Iterable[Any], planned: Iterable[Any]) -> list[str]:
    """``reasons`` (a pair's, checked again as it is saved) led by the line that says the
    mentee chose the mentor, when the planned pair (``planned``: its reasons) had one."""
    kept = [str(r) for r in reasons if not _CHOSEN.fullmatch(str(r))]
    line = chosen_line(planned)
    return [line, *kept] if line else kept


def from_people(people: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each mentee's latest choice: the mentor ids they named, in their order. A choice made
    before the mentee withdrew or was put back into a round (``returned``) no longer counts."""
    out: dict[str, list[str]] = {}
    for person in people:
        history = person.get("history")
        if not isinstance(history, list):
            continue
        history = [e for e in history if isinstance(e, dict)]
        found = [e for e in history if e.get("event") == CHOSE]
        since = max((str(e.get("at")) for e in history if e.get("event") in _RESTART), default="")
        found = [e for e in found if str(e.get("at")) > since]
        if found and person.get("id"):
            latest = max(found, key=lambda e: (str(e.get("written") or ""), str(e.get("at"))))
            out[str(person["id"])] = [str(m) for m in latest.get("mentors") or ()]
    return out


@dataclass
class Assignment:
    """Step 1's result: each choosing mentee's mentor index (or absent), the rank of the
    choice it was, and for those who got none, what became of each choice."""

    mate: dict[int, int]
    rank: dict[int, int]
    fates: dict[int, list[tuple[str, str]]]  # mentee index -> [(mentor id, fate)]


def assign_choices(field: Field, choices: Mapping[str, Sequence[str]]) -> Assignment:
    """Mentee-proposing deferred acceptance over the choices (see the module's docstring)."""
    import heapq

    import numpy as np

    lists: dict[int, list[tuple[int, int, int]]] = {}  # i -> [(j, units, rank)]
    refused: dict[int, list[tuple[str, str]]] = {}
    for mentee_id, wanted in choices.items():
        i = field.mentee_at.get(mentee_id)
        if i is None or not wanted:
            continue
        units, _, allowed = field.scorer.score(np.array([i]))
        listed: list[tuple[int, int, int]] = []
        fates: list[tuple[str, str]] = []
        for rank, mentor_id in enumerate(wanted, 1):
            j = field.mentor_at.get(str(mentor_id))
            if j is None or any(j == x for x, _, _ in listed):
                if j is None:
                    fates.append((str(mentor_id), GONE))
                continue
            if not allowed[0, j]:
                fates.append((str(mentor_id), RULED_OUT))
            elif units[0, j] < field.crit.min_units:
                fates.append((str(mentor_id), LOW_SCORE))
            elif field.remaining[j] <= 0:
                fates.append((str(mentor_id), FULL))
            else:
                listed.append((j, int(units[0, j]), rank))
                fates.append((str(mentor_id), OUTRANKED))
        lists[i] = listed
        refused[i] = fates
    n = len(field.mentees)
    held: dict[int, list[tuple[int, int]]] = {}
    nxt = dict.fromkeys(lists, 0)
    free = sorted(lists, reverse=True)
    mate: dict[int, int] = {}
    while free:
        i = free.pop()
        options = lists[i]
        while nxt[i] < len(options):
            j, u, _ = options[nxt[i]]
            nxt[i] += 1
            heap = held.setdefault(j, [])
            key = (u * n + (n - 1 - i), i)  # better score, then the earlier mentee
            if len(heap) < field.remaining[j]:
                heapq.heappush(heap, key)
                mate[i] = j
                break
            if key > heap[0]:
                loser = heapq.heapreplace(heap, key)[1]
                del mate[loser]
                free.append(loser)
                mate[i] = j
                break
    rank = {i: next(r for j, _, r in lists[i] if j == mate[i]) for i in mate}
    fates = {i: refused[i] for i in lists if i not in mate}
    return Assignment(mate, rank, fates)


def story(fates: Sequence[tuple[str, str]], names: Mapping[str, str]) -> str:
    """What became of a mentee's choices, choice by choice, naming no other mentee."""
    parts = []
    for mentor_id, fate in fates:
        name = names.get(mentor_id) or mentor_id
        who = f"{name} ({mentor_id})"
        if fate == OUTRANKED:
            parts.append(f"chose {who}: {name}'s places went to mentees who match {name} better")
        elif fate == FULL:
            parts.append(f"chose {who}: {name} has no free place")
        elif fate == LOW_SCORE:
            parts.append(f"chose {who}: their score is below the program's min_score")
        elif fate == RULED_OUT:
            parts.append(f"chose {who}: a rule of the program keeps them apart")
        else:
            parts.append(f"chose {mentor_id}: not taking part in this round")
    return "; ".join(parts)


def honour(
    people: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    choices: Mapping[str, Sequence[str]],
    *,
    today: dt.date,
    existing: Iterable[tuple[str, str, str]],
    blocked: Iterable[frozenset[str]],
    seed: int,
    run: Callable[..., MatchResult],
) -> MatchResult:
    """Choices first, then ``run`` (``match`` without choices) on the rest."""
    existing = list(existing)
    blocked = list(blocked)
    field = Field(people, config, today=today, existing=existing, blocked=blocked, seed=seed)
    done = assign_choices(field, choices)
    while mutual := _mutual(field, done):  # two "both" people would mentor each other
        choices = {k: [m for m in v if (k, m) != mutual] for k, v in choices.items()}
        done = assign_choices(field, choices)
    chosen: list[Pair] = []
    placed: list[Placed] = []
    by_id = {str(p.get("id")): p for p in people}
    for i, j in done.mate.items():
        a, b = field.mentees[i], field.mentors[j]
        units, parts, reasons = explain(field.crit, a, b)
        placed.append(Placed(by_id[a.id], units))
        why = (chosen_reason(done.rank[i]), *reasons)
        chosen.append(Pair(a.id, b.id, units / UNITS, tuple(parts), why,
                           tuple(against(field.crit, a, b, parts))))  # fmt: skip
    held = [(p.mentee_id, p.mentor_id, "proposed") for p in chosen]
    # The parity rule, if any, counts the choices' pairs and holds on the whole result.
    rest = run(people, config, today=today, existing=existing + held, blocked=blocked,
               seed=seed, placed=placed)  # fmt: skip
    names = {str(p.get("id")): _first_name(p) for p in people}
    told = {field.mentees[i].id: story(f, names) for i, f in done.fates.items() if f}
    pairs = list(chosen)
    for pair in rest.pairs:
        if pair.mentee_id in told:
            line = f"not one of their choices ({told[pair.mentee_id]})"
            pair = replace(pair, reasons=(line, *pair.reasons))
        pairs.append(pair)
    pairs.sort(key=lambda p: natural(p.mentee_id))
    unmatched = [
        Unmatched(u.mentee_id, "choice_taken", f"{told[u.mentee_id]}; otherwise {u.reason}",
                  u.best_score) if u.mentee_id in told else u
        for u in rest.unmatched
    ]  # fmt: skip
    rest.pairs, rest.unmatched = pairs, unmatched
    totals = rest.totals
    totals.matched = len(pairs)
    totals.total_score = round(sum(p.score for p in pairs), 4)
    totals.mentees = len(field.mentees)
    totals.mentors = int((field.remaining > 0).sum())
    totals.free_slots_before = int(field.remaining.sum())
    if chosen:
        rest.notes.insert(
            0,
            f"{len(chosen)} mentee(s) paired with a mentor they chose, before the "
            f"{totals.method} method placed the others",
        )
    return rest


def _mutual(field: Field, done: Assignment) -> tuple[str, str] | None:
    """Of two choices that made two people each other's mentor, the lower-scoring one (as
    (mentee id, mentor id)), to be left out; None when there is none."""
    pairs = {(field.mentees[i].id, field.mentors[j].id) for i, j in done.mate.items()}
    for a, b in sorted(pairs):
        if a < b and (b, a) in pairs:
            ua = field.explained(
                field.mentees[field.mentee_at[a]], field.mentors[field.mentor_at[b]]
            )[0]
            ub = field.explained(
                field.mentees[field.mentee_at[b]], field.mentors[field.mentor_at[a]]
            )[0]
            return (a, b) if ua < ub else (b, a)
    return None


def _first_name(person: Mapping[str, Any]) -> str:
    name = str(person.get("first_name") or person.get("name") or "").split()
    return name[0] if name else ""


__all__ = [
    "CHOSE", "SHORTLISTED", "assign_choices", "chosen_line", "chosen_reason", "from_people",
    "honour", "with_choice",
]  # fmt: skip


def offered_and_chosen(
    person: Mapping[str, Any], today: dt.date, name_of: Callable[[str], Any]
) -> dict[str, Any]:
    """The latest shortlist a mentee was offered and their latest choice, by ``today``
    (``people show``): {"shortlist": {date, number, mentors}, "choice": {date, written,
    number, mentors}}, each None when there is none; mentors as [{id, name}]."""
    iso = today.isoformat()
    history = [e for e in person.get("history") or () if isinstance(e, dict)]
    history = [e for e in history if str(e.get("at") or "")[:10] <= iso]
    offered = [e for e in history if e.get("event") == SHORTLISTED]
    chose = [e for e in history if e.get("event") == CHOSE]

    def mentors(e: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [{"id": str(m), "name": name_of(str(m))} for m in e.get("mentors") or ()]

    out: dict[str, Any] = {"shortlist": None, "choice": None}
    if offered:
        e = offered[-1]
        out["shortlist"] = {"date": str(e["at"])[:10], "number": e.get("number"),
                            "mentors": mentors(e)}  # fmt: skip
    if chose:
        e = max(chose, key=lambda e: (str(e.get("written") or ""), str(e.get("at"))))
        out["choice"] = {"date": str(e["at"])[:10], "written": e.get("written"),
                         "number": e.get("number"), "mentors": mentors(e)}  # fmt: skip
    return out


def shortlists_naming(people: Iterable[Mapping[str, Any]], pid: str) -> set[str]:
    """The message keys of the shortlists that offered ``pid`` to a mentee (``forget``
    removes those outbox files: each names the mentor offered)."""
    out = set()
    for person in people:
        for e in person.get("history") or ():
            if (
                isinstance(e, dict)
                and e.get("event") == SHORTLISTED
                and pid in (e.get("mentors") or ())
            ):
                out.add(f"/shortlist/{e.get('number')}/{person.get('id')}")
    return out
