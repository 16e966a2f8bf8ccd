"""Who is in a round of ``pair`` (pure: no I/O): people who finished a pair wait for a new
sign-up or the admin, and people on pause, or whose address was refused for good, get no
new pairs. See :mod:`.people_status`.

Nobody pays for someone else's leaving: when a pair ends because one person withdrew, was
blocked, was forgotten, or a concern ended it, the pair names in ``released`` the people who
go back to waiting at once (the partner; after a block or a concern, both). Pairs that ended
that way before ``released`` was recorded are read from their ``end_reason``."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
# A pair in one of these states is over; its people wait for a new sign-up or the admin.
FINISHED = frozenset({"completed", "lapsed", "ended"})
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        found = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)


def finished_at(pair: dict[str, Any]) -> dt.datetime:
    """When a pair reached its final status (from its history; else its last change)."""
    stamps = [_when(h.get("at")) for h in pair.get("history", ()) if h.get("status") in FINISHED]
    found = max((s for s in stamps if s is not None), default=None)
    return found or _when(pair.get("updated")) or _EPOCH


def back_since(person: dict[str, Any]) -> dt.datetime:
    """The latest of the person's sign-up (new or changed row) and an admin's return."""
    stamps = [_when(person.get(k)) for k in ("signed_up", "returned", "created")]
    return max((s for s in stamps if s is not None), default=_EPOCH)


# End reasons of pairs ended by someone's leaving, as older stores recorded them.
_LEAVING = ("a person withdrew", "blocked", "a person asked to be forgotten", "concern:")


def released(pair: dict[str, Any]) -> set[str]:
    """The people of an ended pair who go straight back to waiting (not 'finished')."""
    named = pair.get("released")
    if isinstance(named, list):
        return {str(p) for p in named}
    reason = str(pair.get("end_reason") or "")
    if pair.get("status") == "ended" and reason.startswith(_LEAVING):
        return {str(pair.get(r)) for r in ("mentee", "mentor") if pair.get(r)}
    return set()


def on_pause(person: dict[str, Any], today: dt.date) -> bool:
    """Whether a pause is in force on ``today`` (its ``until`` day, or ended early)."""
    from mentorctl.history import events

    return events.pause_on(person, today) is not None


def unreachable(person: dict[str, Any], today: dt.date) -> bool:
    """Whether the person's address (the one they have) was refused for good by ``today``:
    they get no new pair until a later import brings a new address."""
    from mentorctl.history import events

    if not person.get("history"):
        return False
    got = events.undeliverable_on(person, today)
    if got is None:
        return False
    address = str(got.get("address") or "").lower()
    return not address or address == str(person.get("email") or "").lower()


def out_of_round(snap: Any) -> list[dict[str, Any]]:
    """People who finished a pair since they last signed up or were returned, holding none."""
    holding = {p[r] for p in snap.pairs if p.get("status") in HOLDING for r in ("mentee", "mentor")}
    last_end: dict[str, dt.datetime] = {}
    for pair in snap.pairs:
        # A pair ended before its introduction was never a pair to its people: they stay in.
        if pair.get("status") not in FINISHED or not pair.get("start_date"):
            continue
        end = finished_at(pair)
        back = released(pair)
        for role in ("mentee", "mentor"):
            pid = pair.get(role)
            if pid in back:
                continue
            if pid and end > last_end.get(pid, _EPOCH):
                last_end[pid] = end
    out = []
    for person in snap.people:
        pid = person.get("id")
        if (person.get("status") or "active") != "active":
            continue  # withdrawn: out for that reason, back with a new sign-up
        if pid in last_end and pid not in holding and back_since(person) < last_end[pid]:
            out.append(person)
    return sorted(out, key=lambda p: (len(str(p["id"])), str(p["id"])))


def waiting_mentees(
    people: list[dict[str, Any]], pairs: list[dict[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    """The mentees the next ``pair`` run would consider: active, holding no pair, in this
    round and not on pause (what reports and look-ups call waiting)."""
    held = {p.get("mentee") for p in pairs if p.get("status") in HOLDING}
    out = {p.get("id") for p in out_of_round(SimpleNamespace(people=people, pairs=pairs))}
    return [
        p
        for p in people
        if p.get("role") in ("mentee", "both")
        and p.get("status", "active") == "active"
        and p.get("id") not in held
        and p.get("id") not in out
        and not on_pause(p, today)
        and not unreachable(p, today)
    ]


def for_matching(snap: Any, today: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The people as a matching run sees them, and those left out of this round.

    Left-out and paused people keep their documents, under a status other than ``active``,
    so that the pairs they hold still count against their capacity."""
    out = out_of_round(snap)
    left = {p["id"] for p in out}
    people = []
    for person in snap.people:
        if person.get("id") in left:
            person = dict(person, status="finished")
        elif on_pause(person, today):
            person = dict(person, status="paused")
        elif unreachable(person, today):
            person = dict(person, status="undeliverable")
        people.append(person)
    return people, out


__all__ = [
    "FINISHED",
    "back_since",
    "finished_at",
    "for_matching",
    "on_pause",
    "out_of_round",
    "released",
    "unreachable",
    "waiting_mentees",
]
