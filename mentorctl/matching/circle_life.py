"""A circle's life after it is saved: members who leave, and the circle that closes.

A circle's members are pairs of its mentor and each mentee (:mod:`.circle_pairs`). A member
pair ends or pauses as any pair does (``withdraw``, a "no" to the fit question, ``pair
--end``, a block, ``forget``, ``pause``); :func:`settle` then brings the circle's own
``history`` up to date (``withdraw`` and a recorded "no" call it at once, every ``checkin``
run before it plans), a list of dated entries on the circle document::

    {"at": ISO, "left": "P7", "pair": "M4", "why": "withdrew", "notify": ["P3"]}
    {"at": ISO, "status": "closed", "why": "fewer than 3 mentees stayed",
     "mentees": ["P9", "P12"], "notify": ["P3", "P9", "P12"]}

- A member pair that ended early (``ended``, ``not_fit``) is that mentee **leaving**; its
  ``at`` is the day the pair ended, ``why`` a word for the admin (``withdrew``, ``not a fit``,
  ``ended``), never the person's own reason. While the circle goes on, its mentors get one
  ``circle_left`` notice (``notify``) instead of a pair's ``ended`` one.
- A pause is not leaving: the member is away (their pair shows paused) and is back in the
  circle when the pause ends, if the circle still runs. Paused members count towards the
  minimum.
- The circle **closes** when fewer mentees than its minimum (``min_size``, saved with the
  circle from program.yaml's ``circles.size``) still hold a pair, or when its mentor left:
  the remaining member pairs end (``the circle closed``, by ``circle``), their people go
  back to waiting at once (``released``), and each remaining member who had been introduced
  gets ONE ``circle_closed`` notice (``notify``) instead of a pair's ``ended`` one.
- A circle whose member pairs all completed or lapsed finished the program: it does not
  close.

:func:`status_on` folds the entries and the member pairs up to a day: ``proposed``,
``running``, ``quiet`` (every member pair still running is quiet: no mentee and not the
mentor answered for the program's quiet weeks), ``closed`` or ``finished``. Settling twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.store.db import Store

CIRCLES = "circles"
PAIRS = "pairs"
PEOPLE = "people"
MESSAGES = "messages"
HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
EARLY_END = frozenset({"ended", "not_fit"})
DONE = frozenset({"completed", "lapsed"})
CLOSED_REASON = "the circle closed"
MENTOR_LEFT = "its mentor left"
BY = "circle"


@dataclass
class Settled:
    """What :func:`settle` changed: (circle, mentee) who left, circles closed and why."""

    left: list[tuple[str, str]] = field(default_factory=list)
    closed: list[tuple[str, str]] = field(default_factory=list)


def entries(circle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The circle's well-formed entries, in the order they took effect."""
    raw = circle.get("history")
    good = [e for e in raw or () if isinstance(e, dict) and isinstance(e.get("at"), str)]
    return sorted(good, key=lambda e: e["at"][:10])


def up_to(circle: Mapping[str, Any], day: dt.date) -> list[dict[str, Any]]:
    iso = day.isoformat()
    return [e for e in entries(circle) if e["at"][:10] <= iso]


def closed_on(circle: Mapping[str, Any], day: dt.date) -> dict[str, Any] | None:
    """The circle's ``closed`` entry when it had closed by the end of ``day``."""
    return next((e for e in up_to(circle, day) if e.get("status") == "closed"), None)


def status_on(circle: Mapping[str, Any], statuses: Iterable[str], day: dt.date) -> str:
    """The circle's status on ``day``, from its entries and its member pairs' statuses that
    day (as the fold gives them)."""
    if closed_on(circle, day) is not None:
        return "closed"
    seen = set(statuses)
    if seen & {"active", "paused"}:
        return "running"
    if "quiet" in seen:
        return "quiet"  # every member still running is quiet, the mentor's answers counted
    if "proposed" in seen:
        return "proposed"
    return "finished" if seen & DONE else "closed" if seen else "proposed"


def min_size_of(data: Mapping[str, Any]) -> int:
    """The smallest circle size of a program.yaml (``circles.size``; 3 when not set)."""
    size = (data.get("circles") or {}).get("size") or [3]
    return int(size[0])


def _why(pair: Mapping[str, Any]) -> str:
    if pair.get("status") == "not_fit":
        return "not a fit"
    reason = str(pair.get("end_reason") or "")
    if reason.startswith("a person withdrew"):
        return "withdrew"
    return "ended"


def _ended_at(pair: Mapping[str, Any], stamp: str) -> str:
    """When the pair last changed to the status it has now (else ``stamp``)."""
    found = None
    for h in pair.get("history") or ():
        if isinstance(h, dict) and h.get("status") == pair.get("status") and h.get("at"):
            found = str(h["at"])
    return found or stamp


def _gone(people: Mapping[str, Mapping[str, Any]], pid: str, day: dt.date) -> bool:
    person = people.get(pid)
    return (
        person is None
        or person.get("status") == "withdrawn"
        or events.withdrawn_on(dict(person), day) is not None
    )


def settle(store: Store, *, stamp: str, min_size: int | None = None) -> Settled:
    """Bring every circle's history up to date with its member pairs (see the module's
    docstring); ``min_size``: the minimum of a circle saved without its own."""
    from mentorctl.matching.pairs import change_pairs

    day = dt.date.fromisoformat(stamp[:10])
    out = Settled()
    circles = store.documents(CIRCLES)
    if not circles:
        return out
    pairs = {d["id"]: d for d in store.documents(PAIRS).values() if "id" in d}
    people = {d["id"]: d for d in store.documents(PEOPLE).values() if "id" in d}
    made = {d.get("key") for d in store.documents(MESSAGES).values()}
    updates: dict[int, dict[str, Any]] = {}
    changes: dict[str, tuple[dict[str, Any], str]] = {}
    for key, circle in circles.items():
        history = list(circle.get("history") or [])
        if any(e.get("status") == "closed" for e in history if isinstance(e, dict)):
            continue
        members = [pairs[p] for p in circle.get("pairs") or () if p in pairs]
        if not members:
            continue
        mentors = [m for m in circle.get("mentors") or () if m] or [members[0]["mentor"]]
        lead_gone = _gone(people, mentors[0], day)
        told = [m for m in mentors if not _gone(people, m, day)]
        seen = {e.get("pair") for e in history if isinstance(e, dict) and "left" in e}
        new = [p for p in members if p["status"] in EARLY_END and p["id"] not in seen]
        holding = [p for p in members if p["status"] in HOLDING]
        minimum = int(circle.get("min_size") or min_size or 0)
        introduced = any(p.get("start_date") for p in members)
        closes = bool(holding or new) and (
            lead_gone or (minimum > 0 and len(holding) < minimum) or not holding
        )
        if not holding and not new:
            closes = False  # finished, or every leaving already settled
        if not holding and any(p["status"] in DONE for p in members):
            closes = False  # the program ended for the circle: it finished
        added: list[dict[str, Any]] = []
        for pair in new:
            if lead_gone:
                continue  # the mentor left: the mentees stay until the circle closes
            notify = [] if closes or not pair.get("start_date") else told
            added.append(
                {"at": _ended_at(pair, stamp), "left": pair["mentee"], "pair": pair["id"],
                 "why": _why(pair), "notify": list(notify)}
            )  # fmt: skip
            out.left.append((circle["id"], pair["mentee"]))
            _quiet_pair_notice(changes, made, pair, mentors)
        if closes:
            staying = list(holding) + (new if lead_gone else [])
            why = (
                MENTOR_LEFT
                if lead_gone
                else f"fewer than {minimum} mentees stayed"
                if minimum
                else "no mentee stayed"
            )
            notify: list[str] = []
            if introduced:
                notify = [*told, *(p["mentee"] for p in staying if p.get("start_date"))]
                notify = [p for p in dict.fromkeys(notify) if not _gone(people, p, day)]
            for pair in staying:
                if pair["status"] in HOLDING:
                    fields = {
                        "status": "ended",
                        "end_reason": CLOSED_REASON,
                        "ended": stamp[:10],
                        "released": [pair["mentee"], pair["mentor"]],
                        "notify_ended": [],
                    }
                    changes[pair["id"]] = (fields, f"ended: {CLOSED_REASON} ({why})")
                else:
                    _quiet_pair_notice(changes, made, pair, [pair["mentee"], *mentors])
            added.append(
                {"at": stamp, "status": "closed", "why": why,
                 "mentees": [p["mentee"] for p in staying], "notify": notify}
            )  # fmt: skip
            out.closed.append((circle["id"], why))
        if added:
            updates[int(key)] = {"history": [*history, *added]}
    store.update_many(CIRCLES, updates)
    change_pairs(store, changes, stamp, BY)
    return out


def _quiet_pair_notice(
    changes: dict[str, tuple[dict[str, Any], str]],
    made: set[Any],
    pair: Mapping[str, Any],
    who: Iterable[str],
) -> None:
    """The circle's notice replaces a pair's ``ended`` one to ``who`` (not made yet)."""
    notify = list(pair.get("notify_ended") or ())
    keep = [p for p in notify if p not in set(who) or f"{pair['id']}/ended/0/{p}" in made]
    if keep != notify:
        changes[pair["id"]] = ({"notify_ended": keep}, "told by the circle's notice instead")


def circle_of(circles: Iterable[Mapping[str, Any]], pair_id: str) -> Mapping[str, Any] | None:
    return next((c for c in circles if pair_id in (c.get("pairs") or ())), None)


__all__ = [
    "CLOSED_REASON",
    "MENTOR_LEFT",
    "Settled",
    "closed_on",
    "entries",
    "settle",
    "status_on",
    "up_to",
]
