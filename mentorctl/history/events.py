"""A person's dated entries: what happened to them in a program, and the day it took effect.

A pair's status changes are kept in the pair's own ``history`` (see
:func:`mentorctl.matching.pairs.change_pairs`); what happens to a *person* is kept here, in
the person's ``history``: a list of ``{"at": ISO datetime, "event": NAME, ...}`` in the order
they were recorded. Entries are never edited: a correction is a new entry (an early end of a
pause is a ``resumed`` entry, not a changed ``until``). Every status of a person shown
anywhere is folded from these entries up to the chosen day.

Events and their fields:

- ``signed_up``: a new or changed row of the sign-up form (``source``: the import).
- ``paused``: ``until`` (ISO day, exclusive) and ``reason`` (kept for the admin, never sent).
- ``resumed``: a pause ended before its ``until`` day.
- ``withdrawn``: ``reason``.
- ``returned``: the admin put the person back into the round.
- ``undeliverable``: ``address`` and ``reason`` (a 5xx refusal or a bounce): nothing is sent
  to that address again; ``deliverable``: a new address from a later import clears it.
- ``declined_by``: ``mentor``, the person id of a mentor who said no to this mentee when
  asked (``pair --ask-mentors``); no later run proposes that mentor for them. For the admin
  only: nothing sent to the mentee, nor their export, names the mentor.
- ``shortlisted``: a mentee was sent a shortlist (``pair --shortlist``): ``mentors`` (ids, in
  the order shown) and ``number``; ``chose``: their reply named ``mentors`` (ids, in their
  order), with the reply's Date as ``written``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

EVENTS = (
    "signed_up",
    "paused",
    "resumed",
    "withdrawn",
    "returned",
    "undeliverable",
    "deliverable",
    "declined_by",
    "shortlisted",
    "chose",
)


def entry(at: dt.datetime | str, event: str, **fields: Any) -> dict[str, Any]:
    """A new entry; ``at`` is when it took effect (a datetime, or its ISO text)."""
    if event not in EVENTS:
        raise ValueError(f"unknown person event {event!r}")
    stamp = at.isoformat(timespec="seconds") if isinstance(at, dt.datetime) else str(at)
    return {"at": stamp, "event": event, **{k: v for k, v in fields.items() if v is not None}}


def appended(person: dict[str, Any], *new: dict[str, Any]) -> list[dict[str, Any]]:
    """The person's history with ``new`` entries added (a new list, for ``update_many``)."""
    return [*entries(person), *new]


def entries(person: dict[str, Any]) -> list[dict[str, Any]]:
    """The person's entries, well-formed ones only, in the order they took effect."""
    raw = person.get("history")
    if not isinstance(raw, list):
        return []
    good = [
        e for e in raw if isinstance(e, dict) and isinstance(e.get("at"), str) and e.get("event")
    ]
    return sorted(good, key=lambda e: e["at"][:10])  # stable: same-day entries keep their order


def parse_day(value: Any) -> dt.date | None:
    """A stored date or timestamp as a day; None when there is none."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def up_to(person: dict[str, Any], day: dt.date) -> list[dict[str, Any]]:
    """The entries that had taken effect by the end of ``day``."""
    iso = day.isoformat()
    return [e for e in entries(person) if e["at"][:10] <= iso]


@dataclass(frozen=True)
class Pause:
    """A pause from ``start`` to ``end`` (exclusive): ``until`` unless resumed earlier."""

    start: dt.date
    until: dt.date
    end: dt.date
    reason: str

    def covers(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def pauses(person: dict[str, Any]) -> list[Pause]:
    """Every pause of the person, with its real end (a ``resumed`` entry cuts it short)."""
    found: list[Pause] = []
    for e in entries(person):
        day = parse_day(e["at"])
        if day is None:
            continue
        if e["event"] == "paused":
            until = parse_day(e.get("until"))
            if until is None:
                continue
            # A new pause replaces one still running.
            if found and found[-1].covers(day):
                last = found[-1]
                found[-1] = Pause(last.start, last.until, day, last.reason)
            found.append(Pause(day, until, until, str(e.get("reason") or "")))
        elif e["event"] in ("resumed", "withdrawn") and found and found[-1].covers(day):
            last = found[-1]
            found[-1] = Pause(last.start, last.until, day, last.reason)
    return found


def pause_on(person: dict[str, Any], day: dt.date) -> Pause | None:
    """The pause in force on ``day``, if any."""
    for pause in pauses(person):
        if pause.covers(day):
            return pause
    return None


def last_event(
    person: dict[str, Any], day: dt.date, names: tuple[str, ...]
) -> dict[str, Any] | None:
    """The latest entry among ``names`` that had taken effect by ``day``."""
    found = None
    for e in up_to(person, day):
        if e["event"] in names:
            found = e
    return found


def undeliverable_on(person: dict[str, Any], day: dt.date) -> dict[str, Any] | None:
    """The ``undeliverable`` entry in force on ``day`` (none after a ``deliverable`` one)."""
    last = last_event(person, day, ("undeliverable", "deliverable"))
    return last if last is not None and last["event"] == "undeliverable" else None


def withdrawn_on(person: dict[str, Any], day: dt.date) -> dict[str, Any] | None:
    """The ``withdrawn`` entry in force on ``day`` (none after a new sign-up or return)."""
    last = last_event(person, day, ("withdrawn", "signed_up", "returned"))
    return last if last is not None and last["event"] == "withdrawn" else None
