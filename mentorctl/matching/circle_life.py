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
- The mentee who leaves is told too, when their pair's end would have told them (an end
  by the admin, a block, their own "no", their own withdrawal): in a ``circle_farewell``
  notice instead of a pair's ``ended`` one (their id in the entry's ``notify``); it takes
  the circle's meeting out of their calendar.
- When its lead mentor leaves and a co-mentor (the circle's second ``mentors``) is still
  there, the co-mentor **takes the circle over**, unless that leaves it below its minimum:
  the member pairs still in it, those the lead's leaving ended included, move to the
  co-mentor (each with an entry in its history), the circle's ``mentors`` become the
  co-mentor alone, and an entry ``{"at", "lead": new, "was": old, "why", "pairs",
  "notify"}`` tells the mentees and the new lead in a ``circle_handover`` notice::

    {"at": ISO, "lead": "P5", "was": "P3", "why": "its mentor left",
     "pairs": ["M4", "M5", "M6"], "notify": ["P5", "P7", "P9", "P12"]}

- A co-mentor who leaves (withdraws, is forgotten) is out of the circle from then on:
  ``{"at", "co_left": "P5", "why": "left", "notify": ["P5"]}``; it goes on with its lead,
  and only the co-mentor is told, in a ``circle_farewell`` (not when forgotten, nor before
  the circle's introduction).
- A lead mentor who leaves (the circle taken over, or closed because its mentor left) is in
  that entry's ``notify`` the same way, for a ``circle_farewell`` of their own.
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
from mentorctl.history.fold import HOLDING

if TYPE_CHECKING:
    from mentorctl.store.db import Store

CIRCLES = "circles"
PAIRS = "pairs"
PEOPLE = "people"
MESSAGES = "messages"
EARLY_END = frozenset({"ended", "not_fit"})
DONE = frozenset({"completed", "lapsed"})
CLOSED_REASON = "the circle closed"
MENTOR_LEFT = "its mentor left"
BY = "circle"
# How a pair ends when one of its people leaves altogether (withdraw, forget).
LEAD_LEFT_REASONS = ("a person withdrew", "a person asked to be forgotten")


@dataclass
class Settled:
    """What :func:`settle` changed: (circle, mentee) who left, circles closed and why, and
    (circle, new lead) of circles a co-mentor took over."""

    left: list[tuple[str, str]] = field(default_factory=list)
    closed: list[tuple[str, str]] = field(default_factory=list)
    handed: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One sentence per circle closed or taken over, for the admin."""
        out = [
            f"circle {c} closed: {why}; its members go back to waiting" for c, why in self.closed
        ]
        out += [f"circle {c}: its mentor left; co-mentor {m} leads it now" for c, m in self.handed]
        return out


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


def mentors_on(circle: Mapping[str, Any], day: dt.date) -> list[str]:
    """The circle's mentors on ``day``, the lead first: a co-mentor who took it over later
    had the earlier lead beside them; a co-mentor who left by then is no longer in it."""
    mentors = [str(m) for m in circle.get("mentors") or () if m]
    iso = day.isoformat()
    for e in reversed(entries(circle)):
        if "lead" in e and e["at"][:10] > iso and e.get("was"):
            mentors = [str(e["was"]), *mentors]
    gone = {str(e["co_left"]) for e in up_to(circle, day) if e.get("co_left")}
    return mentors[:1] + [m for m in mentors[1:] if m not in gone]


def leads_before(circles: Iterable[Mapping[str, Any]], day: dt.date) -> dict[str, str]:
    """``{member pair id: mentor}`` of the member pairs whose mentor on ``day`` was not the
    one their document names now: a co-mentor took the circle over after the day, and the
    lead of then (the takeover entry's ``was``) was still their mentor."""
    iso = day.isoformat()
    out: dict[str, str] = {}
    for circle in circles:
        for e in reversed(entries(circle)):  # the earliest takeover after the day wins
            if "lead" in e and e["at"][:10] > iso and e.get("was"):
                out.update({str(pid): str(e["was"]) for pid in e.get("pairs") or ()})
    return out


def pairs_on(
    pairs: Iterable[dict[str, Any]], circles: Iterable[Mapping[str, Any]], day: dt.date
) -> list[dict[str, Any]]:
    """The pair documents with each member pair's mentor as it was on ``day``
    (:func:`leads_before`); documents of no circle, or not taken over since, as they are."""
    was = leads_before(circles, day)
    if not was:
        return list(pairs)
    return [
        dict(doc, mentor=was[str(doc.get("id"))]) if str(doc.get("id")) in was else doc
        for doc in pairs
    ]


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


def _before_end(pair: Mapping[str, Any]) -> str:
    """The status the pair held before it last ended (``active`` when not recorded)."""
    held = [h.get("status") for h in pair.get("history") or () if isinstance(h, dict)]
    return next((s for s in reversed(held) if s in HOLDING), "active")


def _left_with_lead(pair: Mapping[str, Any], lead: str, gone: Any) -> bool:
    """Whether the pair ended only because its mentor, the circle's lead, left."""
    reason = str(pair.get("end_reason") or "")
    return (
        pair.get("status") == "ended"
        and pair.get("mentor") == lead
        and reason.startswith(LEAD_LEFT_REASONS)
        and not gone(pair["mentee"])
    )


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
    from mentorctl.matching.pair_changes import change_pairs

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
        seen = {e.get("pair") for e in history if isinstance(e, dict) and "left" in e}
        new = [p for p in members if p["status"] in EARLY_END and p["id"] not in seen]
        holding = [p for p in members if p["status"] in HOLDING]
        minimum = int(circle.get("min_size") or min_size or 0)
        introduced = any(p.get("start_date") for p in members)
        added: list[dict[str, Any]] = []
        co_gone = {str(e["co_left"]) for e in history if isinstance(e, dict) and e.get("co_left")}
        for m in mentors[1:]:  # a co-mentor who left: no longer in it (only they are told)
            if m not in co_gone and _gone(people, m, day):
                bye = [m] if introduced and m in people else []
                added.append({"at": stamp, "co_left": m, "why": "left", "notify": bye})
                co_gone.add(m)
        heir = next((m for m in mentors[1:] if m not in co_gone), None)
        if lead_gone and heir is not None:
            gone = lambda pid: _gone(people, pid, day)  # noqa: E731
            moving = [p for p in new if _left_with_lead(p, mentors[0], gone)]
            kept = holding + moving
            if kept and len(kept) >= minimum:  # the co-mentor takes the circle over
                entry = _hand_over(changes, people, day, stamp, mentors[0], heir, kept, moving)
                entry["notify"] += _bye(people, mentors[0], introduced)
                added.append(entry)
                updates[int(key)] = {"mentors": [heir]}
                out.handed.append((circle["id"], heir))
                mentors, lead_gone = [heir], False
                new = [p for p in new if p not in moving]
                holding = kept
        told = [m for m in mentors if m not in co_gone and not _gone(people, m, day)]
        closes = bool(holding or new) and (
            lead_gone or (minimum > 0 and len(holding) < minimum) or not holding
        )
        if not holding and not new:
            closes = False  # finished, or every leaving already settled
        if not holding and any(p["status"] in DONE for p in members):
            closes = False  # the program ended for the circle: it finished
        for pair in new:
            if lead_gone:
                continue  # the mentor left: the mentees stay until the circle closes
            notify = [] if closes or not pair.get("start_date") else list(told)
            quiet = list(mentors)
            if _farewell(pair, made) and pair["mentee"] in people:
                notify.append(pair["mentee"])  # their own notice, in place of "ended"
                quiet.append(pair["mentee"])
            added.append(
                {"at": _ended_at(pair, stamp), "left": pair["mentee"], "pair": pair["id"],
                 "why": _why(pair), "notify": notify}
            )  # fmt: skip
            out.left.append((circle["id"], pair["mentee"]))
            _quiet_pair_notice(changes, made, pair, quiet)
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
            if lead_gone:
                notify += _bye(people, mentors[0], introduced)
            added.append(
                {"at": stamp, "status": "closed", "why": why,
                 "mentees": [p["mentee"] for p in staying], "notify": notify}
            )  # fmt: skip
            out.closed.append((circle["id"], why))
        if added:
            updates.setdefault(int(key), {})["history"] = [*history, *added]
    store.update_many(CIRCLES, updates)
    change_pairs(store, changes, stamp, BY)
    return out


def _bye(people: Mapping[str, Mapping[str, Any]], mentor: str, introduced: bool) -> list[str]:
    """The mentor who left a circle, to be told (a ``circle_farewell`` that takes the meeting
    out of their calendar): when the circle was introduced and they are still known."""
    return [mentor] if introduced and mentor in people else []


def _farewell(pair: Mapping[str, Any], made: set[Any]) -> bool:
    """Whether the mentee leaving is to be told: the pair's end would tell them, and has not."""
    mentee = pair["mentee"]
    return bool(pair.get("start_date")) and (
        mentee in (pair.get("notify_ended") or ()) and f"{pair['id']}/ended/0/{mentee}" not in made
    )


def _hand_over(
    changes: dict[str, tuple[dict[str, Any], str]],
    people: Mapping[str, Mapping[str, Any]],
    day: dt.date,
    stamp: str,
    lead: str,
    heir: str,
    kept: list[dict[str, Any]],
    moving: list[dict[str, Any]],
) -> dict[str, Any]:
    """The member pairs still in the circle move to ``heir``; those the lead's leaving ended
    hold again, as they did before it. The circle's entry."""
    note = f"its co-mentor {heir} leads the circle now"
    for pair in kept:
        fields: dict[str, Any] = {"mentor": heir}
        if pair in moving:
            fields.update(status=_before_end(pair), end_reason=None, ended=None, released=[],
                          notify_ended=[])  # fmt: skip
        changes[pair["id"]] = (fields, note)
    notify = [heir] + [p["mentee"] for p in kept if p.get("start_date")]
    notify = [p for p in dict.fromkeys(notify) if not _gone(people, p, day)]
    if not any(p.get("start_date") for p in kept):
        notify = []  # not introduced yet: its introduction will name the new lead
    return {"at": stamp, "lead": heir, "was": lead, "why": MENTOR_LEFT,
            "pairs": [p["id"] for p in kept], "notify": notify}  # fmt: skip


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
    "LEAD_LEFT_REASONS",
    "MENTOR_LEFT",
    "Settled",
    "closed_on",
    "entries",
    "leads_before",
    "mentors_on",
    "pairs_on",
    "settle",
    "status_on",
    "up_to",
]
