"""People who leave, pause or come back: withdraw, pause, return, and who is in a round.

**Rounds.** A person whose pair completed, lapsed or ended is not offered by ``pair`` again
by themselves, unless the end was not theirs: "not a fit" sends both back to the pool at
once, and so does an end for someone's leaving for the people it ``released`` (the partner
of a person who withdrew or was forgotten; both after a block or a concern).
They are back in the round when they sign up again (the import stamps ``signed_up`` on a new
or changed row, later than that pair's end) or when the admin says so (``pair --return
PERSON`` stamps ``returned``).

**Withdraw.** ``withdraw`` sets the person's status to ``withdrawn`` (matching only takes
``active`` people), ends every current pair of theirs, sends the other person back to
waiting at once, and has the next ``checkin`` tell them, in an ``ended`` message that says
neither who nor why. A new sign-up (a new or
changed row in the form export) makes them active again. A member of a circle leaves the
circle, which closes when too few mentees stay (:mod:`.circle_life`).

**Pause.** ``pause --until DATE --reason TEXT`` adds a ``paused`` entry to the person's
history: until that day the person gets no new mentee or mentor from ``pair`` and their pairs
get no check-in messages (the program's weeks go on; weeks without a message are never counted
as silence). It ends by itself, or early with ``pause --end`` (a ``resumed`` entry): from that
day on the next run sends again. Everything reads a pause through
:func:`mentorctl.history.events.pause_on`. The partner of each current pair is told once per
pause, in a short ``paused`` message, when the person is back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.history import events
from mentorctl.matching import circle_life, proposals
from mentorctl.matching.pairs import HOLDING, PEOPLE, change_pairs, find_person, snapshot
from mentorctl.matching.rounds import FINISHED, for_matching, on_pause, out_of_round


@dataclass
class StatusChange:
    action: str  # withdrawn | paused | resumed | returned
    person: str
    ended: list[str] = field(default_factory=list)
    until: str | None = None
    dry_run: bool = False
    reason: str | None = None
    pairs: list[str] = field(default_factory=list)  # current pairs whose partner is told
    circles: list[str] = field(default_factory=list)  # circles it closed or handed over
    proposals: list[str] = field(default_factory=list)  # waiting proposals taken back


def _person_doc(store: Any, pid: str) -> int:
    return next(int(k) for k, d in store.documents(PEOPLE).items() if d.get("id") == pid)


def withdraw(
    store_path: Path, person_ref: str, *, reason: str, now: dt.datetime, dry_run: bool = False
) -> StatusChange:
    """The person leaves: their current pairs end, the other person is told, no new pairs."""
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run, backup=True) as store:
        snap = snapshot(store)
        person = find_person(snap, person_ref)
        pid = person["id"]
        if person.get("status") == "withdrawn":
            raise UsageError(f"{pid} has already withdrawn")
        changes: dict[str, tuple[dict[str, Any], str]] = {}
        for pair in snap.pairs:
            if pair.get("status") in HOLDING and pid in (pair["mentee"], pair["mentor"]):
                other = pair["mentor"] if pair["mentee"] == pid else pair["mentee"]
                fields: dict[str, Any] = {
                    "status": "ended",
                    "end_reason": "a person withdrew",
                    "released": [other],  # the partner waits for a new pair at once
                }
                # A pair never introduced ends silently; otherwise both are told (the one who
                # leaves too: their notice takes the weekly meeting out of their calendar).
                fields["notify_ended"] = [other, pid] if pair["status"] != "proposed" else []
                changes[pair["id"]] = (fields, "ended: a person withdrew")
        change_pairs(store, changes, stamp, "admin")
        note = {"status": "withdrawn", "withdrawn": stamp, "updated": stamp}
        if reason.strip():
            note["withdraw_reason"] = reason.strip()
        note["history"] = events.appended(
            person, events.entry(stamp, "withdrawn", reason=reason.strip() or None)
        )
        store.update_many(PEOPLE, {_person_doc(store, pid): note})
        asks = proposals.taken_back(store, pid, stamp, "a person withdrew")
        settled = circle_life.settle(store, stamp=stamp)
    return StatusChange("withdrawn", pid, sorted(changes), dry_run=dry_run,
                        circles=settled.lines(), proposals=[str(d["id"]) for d in asks])  # fmt: skip


def pause(
    store_path: Path,
    person_ref: str,
    *,
    until: dt.date,
    today: dt.date,
    now: dt.datetime,
    reason: str = "",
    dry_run: bool = False,
) -> StatusChange:
    """No new pairs and no check-ins for the person's pairs until ``until`` (exclusive)."""
    from mentorctl.store.db import Store

    if until <= today:
        raise UsageError(f"--until {until.isoformat()}: expected a day after today ({today})")
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        person = find_person(snap, person_ref)
        if events.withdrawn_on(person, today) or person.get("status") == "withdrawn":
            raise UsageError(f"{person['id']} has withdrawn; there is nothing to pause")
        text = reason.strip() or None
        fields = {
            "paused_until": until.isoformat(),
            "paused_on": today.isoformat(),
            "updated": stamp,
            "history": events.appended(
                person,
                events.entry(today.isoformat(), "paused", until=until.isoformat(), reason=text),
            ),
        }
        store.update_many(PEOPLE, {_person_doc(store, person["id"]): fields})
        held = _current_pairs(snap, person["id"])
        change_pairs(
            store, {p: ({}, f"on hold until {until.isoformat()}") for p in held}, stamp, "admin"
        )
        asks = proposals.taken_back(store, person["id"], stamp, "a person paused")
    return StatusChange(
        "paused", person["id"], until=until.isoformat(), dry_run=dry_run, reason=text, pairs=held,
        proposals=[str(d["id"]) for d in asks],
    )  # fmt: skip


def end_pause(
    store_path: Path,
    person_ref: str,
    *,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
) -> StatusChange:
    """End the person's pause today, before its ``until`` day: the next run sends again."""
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        person = find_person(snap, person_ref)
        running = events.pause_on(person, today)
        if running is None:
            raise UsageError(f"{person['id']} is not on pause on {today.isoformat()}")
        fields = {
            "paused_until": today.isoformat(),
            "updated": stamp,
            "history": events.appended(person, events.entry(today.isoformat(), "resumed")),
        }
        store.update_many(PEOPLE, {_person_doc(store, person["id"]): fields})
        held = _current_pairs(snap, person["id"])
        change_pairs(store, {p: ({}, "back from a pause") for p in held}, stamp, "admin")
    return StatusChange(
        "resumed", person["id"], until=running.until.isoformat(), dry_run=dry_run, pairs=held
    )


def _current_pairs(snap: Any, pid: str) -> list[str]:
    return [
        p["id"]
        for p in snap.pairs
        if p.get("status") in HOLDING and pid in (p["mentee"], p["mentor"])
    ]


def return_person(
    store_path: Path, person_ref: str, *, now: dt.datetime, dry_run: bool = False
) -> StatusChange:
    """The admin puts a person who finished a pair back into the round."""
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        person = find_person(snap, person_ref)
        fields: dict[str, Any] = {
            "returned": stamp,
            "updated": stamp,
            "history": events.appended(person, events.entry(stamp, "returned")),
        }
        if person.get("status") == "withdrawn":
            fields["status"] = "active"
        store.update_many(PEOPLE, {_person_doc(store, person["id"]): fields})
    return StatusChange("returned", person["id"], dry_run=dry_run)


__all__ = [
    "FINISHED",
    "StatusChange",
    "end_pause",
    "for_matching",
    "on_pause",
    "out_of_round",
    "pause",
    "return_person",
    "withdraw",
]
