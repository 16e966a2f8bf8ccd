"""Circles in the store: proposals from a circles run, and saving them.

A saved circle is, for each of its mentees, a pair document mentor-mentee exactly like those
of a pairs program (so check-ins, replies and reports work per member) that carries
``"circle": "C1"``, plus one document in the ``circles`` table::

    {"id": "C1", "mentors": ["P3"], "mentees": ["P7", "P9", "P12"], "pairs": ["M4", ...],
     "window": {"utc": "18:00-20:00", "start": "18:00", "minutes": 120, "day": None},
     "topics": ["Leadership"], "created": "...", "round": 1, "min_size": 3}

Members who leave, and a circle that closes below ``min_size``: :mod:`.circle_life`.

With ``circles.co_mentors``, a circle's second mentor is the second of its ``mentors``; the
pairs stay with the first (one stream of messages per mentee).

Saving checks each member again against the store as it is then (like pairs: a member who
became impossible, or who is blocked by or blocking another member, is left out); a circle left with fewer mentees than the smallest size is
not saved at all, and its mentees stay waiting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.matching.circle_match import solve
from mentorctl.matching.circles import (
    ACTIVE_STATUSES,
    DAY,
    CircleResult,
    CircleSettings,
    slot_day,
    slot_time,
)
from mentorctl.matching.pairs import Snapshot, checked_again, insert_pairs, pair_doc, snapshot

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

CIRCLES = "circles"
# score_pair's findings that still rule a member out in a circle (the mentor's capacity is
# counted in circles, not pairs: mentor_full does not apply).
_STALE = frozenset({"mentee_paired", "inactive", "mentor_paused"})


@dataclass
class CirclePlan:
    result: CircleResult
    snapshot: Snapshot
    seed: int
    settings: CircleSettings
    out_of_round: list[dict[str, Any]] = field(default_factory=list)


def settings_of(program: Program) -> CircleSettings:
    return CircleSettings.read(program.data.get("circles"), weeks=program.duration_weeks)


def existing(pairs: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, str | None]]:
    return [(p["mentee"], p["mentor"], p["status"], p.get("circle")) for p in pairs]


def plan(program: Program, store_path: Path, *, seed: int, today: dt.date) -> CirclePlan:
    """Propose circles for every mentee waiting."""
    from mentorctl.matching.rounds import for_matching
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        snap = snapshot(store)
        saved = list(store.documents(CIRCLES).values())
    people, out = for_matching(snap, today)
    people, declined = without_consent(program, people, snap.pairs)
    settings = settings_of(program)
    result = solve(
        people,
        program.data["matching"],
        settings,
        today=today,
        existing=existing(snap.pairs),
        blocked=snap.blocked,
        seed=seed,
        names={str(p["id"]): str(p.get("name") or p["id"]) for p in snap.people if "id" in p},
        co_led=co_led(saved, snap.pairs),
    )
    result.waiting.extend(declined)
    return CirclePlan(result, snap, seed, settings, out)


CONSENT_YES = frozenset(
    {"yes", "y", "true", "1", "x", "i agree", "agree", "oui", "sí", "si", "ja", "sim"}
)


def without_consent(
    program: Program, people: list[dict[str, Any]], pairs: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """With ``circles.consent_field`` set: the waiting mentees whose sign-up does not answer
    yes to it are kept out of circles (a circle's introduction shows every member to the
    others); returns the people as matching sees them, and (mentee id, why) of those."""
    field_name = (program.data.get("circles") or {}).get("consent_field")
    if not field_name:
        return people, []
    holding = {p["mentee"] for p in pairs if p.get("status") in ACTIVE_STATUSES}
    out, declined = [], []
    for person in people:
        answer = str((person.get("extra") or {}).get(field_name) or "").strip().casefold()
        waiting = person.get("role") == "mentee" and person.get("status") == "active"
        if waiting and person.get("id") not in holding and answer not in CONSENT_YES:
            why = f"no yes in the sign-up's '{field_name}' answer: not placed in a circle"
            declined.append((str(person["id"]), why))
            person = dict(person, status="no_consent")
        out.append(person)
    return out, declined


def co_led(
    circles: Sequence[dict[str, Any]], pairs: Sequence[dict[str, Any]]
) -> list[tuple[str, list[str], bool]]:
    """(co-mentor, the circle's mentees, whether it still meets) of each saved circle with a
    second mentor; a circle meets while one of its pairs holds."""
    holding = {p["id"] for p in pairs if p["status"] in ACTIVE_STATUSES}
    out = []
    for circle in circles:
        meets = any(pid in holding for pid in circle.get("pairs") or [])
        for co in (circle.get("mentors") or [])[1:]:
            out.append((co, list(circle.get("mentees") or []), meets))
    return out


@dataclass
class CircleCommit:
    circles: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    skipped: list[tuple[str, str, str]]  # mentee id, mentor id (or circle label), why
    dry_run: bool


def _window_doc(first: int, size: int, every_day: bool) -> dict[str, Any]:
    return {
        "utc": f"{slot_time(first)}-{slot_time(first + size)}",
        "start": slot_time(first),
        "minutes": size * (24 * 60 // DAY),
        "day": None if every_day else slot_day(first),  # UTC weekday; None: every day
    }


def commit(
    plan_: CirclePlan,
    store_path: Path,
    *,
    program: Program,
    today: dt.date,
    now: dt.datetime,
    round_: int | None = None,
    dry_run: bool = False,
) -> CircleCommit:
    """Save every proposed circle (its pairs and its circles document) in one round."""
    from mentorctl.matching.pairs import round_for
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    settings = plan_.settings
    out = CircleCommit([], [], [], dry_run)
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        by_id = snap.by_id
        pairs_now = snap.existing()
        led: dict[str, set[str]] = {}
        for p in snap.pairs:
            if p["status"] in ACTIVE_STATUSES and p.get("circle"):
                led.setdefault(p["mentor"], set()).add(p["circle"])
        number = round_for(snap, program, today, round_)
        kept: list[tuple[Any, list[dict[str, Any]]]] = []
        for circle in plan_.result.circles:
            mentor = by_id.get(circle.mentor_id)
            capacity = int((mentor or {}).get("capacity") or 0)
            allowed = max(1, math.ceil(capacity / settings.max_size)) if capacity > 0 else 0
            if mentor is None or len(led.get(circle.mentor_id, ())) >= allowed:
                out.skipped.append(
                    (circle.label, circle.mentor_id, "the mentor has no free circle now")
                )
                continue
            docs = []
            for member in circle.members:
                check, why = checked_again(
                    snap, program, member.mentee_id, circle.mentor_id, today, pairs_now, _STALE
                )
                if check is None:
                    out.skipped.append((member.mentee_id, circle.mentor_id, why))
                    continue
                if any(frozenset((member.mentee_id, d["mentee"])) in snap.blocked for d in docs):
                    why = "blocked by or blocking a member of the circle"
                    out.skipped.append((member.mentee_id, circle.mentor_id, why))
                    continue
                doc = pair_doc(member.mentee_id, circle.mentor_id, check, "circles", stamp)
                doc["round"] = number
                doc["reasons"] = list(member.reasons)
                doc["against"] = list(member.against)
                docs.append(doc)
            co = circle.co_mentor_id
            if co is not None and not _co_mentor_fits(
                program, snap, by_id, co, circle.mentor_id, docs, pairs_now, today
            ):
                out.skipped.append((co, circle.mentor_id, "no longer fits as co-mentor"))
                co = None
            if len(docs) < settings.min_size:
                out.skipped.append(
                    (circle.label, circle.mentor_id, f"fewer than {settings.min_size} mentees left")
                )
                continue
            for doc in docs:
                pairs_now.append((doc["mentee"], doc["mentor"], doc["status"]))
            led.setdefault(circle.mentor_id, set()).add(circle.label)
            kept.append((circle, docs, co))
        ids = store.next_ids("circle", "C", len(kept)) if kept else []
        for circle_id, (circle, docs, co) in zip(ids, kept, strict=True):
            for doc in docs:
                doc["circle"] = circle_id
            insert_pairs(store, docs)
            out.pairs.extend(docs)
            out.circles.append(
                {
                    "id": circle_id,
                    "mentors": [circle.mentor_id, *([co] if co else [])],
                    "mentees": [d["mentee"] for d in docs],
                    "pairs": [d["id"] for d in docs],
                    "window": _window_doc(*circle.window_slots, circle.every_day),
                    "topics": list(circle.topics),
                    "created": stamp,
                    "round": number,
                    "min_size": settings.min_size,
                }
            )
        if out.circles:
            store.insert_many(CIRCLES, [dict(c) for c in out.circles])
    return out


def _co_mentor_fits(
    program: Program,
    snap: Snapshot,
    by_id: dict[str, dict[str, Any]],
    co: str,
    lead: str,
    docs: Sequence[dict[str, Any]],
    pairs_now: Sequence[tuple[str, str, str]],
    today: dt.date,
) -> bool:
    """Whether ``co`` may still co-mentor the circle: an acceptable pair with every member,
    not blocked with the other mentor, not already mentoring in another circle saved now."""
    from mentorctl.matching.match import score_pair

    person = by_id.get(co)
    if person is None or frozenset((co, lead)) in snap.blocked:
        return False
    if any(y == co and s in ACTIVE_STATUSES for _, y, s in pairs_now):
        return False
    for doc in docs:
        check = score_pair(
            by_id[doc["mentee"]],
            person,
            program.data["matching"],
            today=today,
            existing=pairs_now,
            blocked=snap.blocked,
        )
        if check.violations or any(w.code in _STALE for w in check.warnings):
            return False
    return True
