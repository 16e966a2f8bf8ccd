"""A circle's notices: a member left (to its mentors), the circle closed (to everyone left).

:func:`mentorctl.matching.circle_life.settle` writes, on the circle's document, who is to be
told (``notify`` of a ``left`` or ``closed`` entry); each of them gets one message, once
ever, by the next ``checkin`` run:

- ``circle_left``, to the circle's mentors, keyed on the leaving member's pair: one of the
  mentees has left and the circle goes on with the others. It names the mentee (the mentors
  know them), never why they left. Not once the circle has closed (two members left before
  one run): the ``circle_closed`` notice alone tells them.
- ``circle_closed``, to each remaining member, keyed on their own member pair (the mentors'
  on the circle's first): the circle has closed; a mentee is back on the waiting list and
  will be offered a new place; a mentor is thanked.
- ``circle_farewell``, to the mentee who left, keyed on their own pair, when their pair's
  end would have told them (``pair --end``, a block, their own "no", their withdrawal): they
  are no longer in the circle; they are told whether they are back on the waiting list (not
  after a withdrawal: they chose to leave), never why. A mentor who left (the lead or a
  co-mentor) gets one too, keyed on the circle's first member pair (in the ``notify`` of
  the entry that says they left). It takes the circle's meeting out of their calendar.
- ``circle_handover``, to each mentee still in a circle whose lead mentor left and whose
  co-mentor took it over, and to that co-mentor, keyed on their own member pair (the
  mentor's on the circle's first): who leads the circle now.
- A mentee who pauses is away from the circle, not out of it: the partner's ``paused``
  notice of a pair goes to the circle's mentor as ``circle_away`` (keyed, as it is, on the
  pause's number), worded for a circle: the circle meets on without them meanwhile.

With ``send``, one written earlier and not yet sent goes again. The other mentees are told
nothing of a member's leaving or pause: that is the member's own business.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.checkins.circle_intro import circle_docs, member_pairs
from mentorctl.checkins.plan import Outgoing, _again, _unsent, message_key
from mentorctl.matching.circle_life import MENTOR_LEFT

if TYPE_CHECKING:
    from mentorctl.checkins.plan import CheckinPlan, State

LEFT = "circle_left"
CLOSED = "circle_closed"
AWAY = "circle_away"
FAREWELL = "circle_farewell"
HANDOVER = "circle_handover"
KINDS = frozenset({LEFT, CLOSED, AWAY, FAREWELL, HANDOVER})


def plan(state: State, *, send: bool, only: Iterable[str] = ()) -> list[Outgoing]:
    """Every circle notice due (new), or written earlier and not yet sent (with ``send``);
    ``only``: of those pairs (``checkin --pair``)."""
    wanted = {state.pair(ref)["id"] for ref in only}
    out: list[Outgoing] = []
    pairs = member_pairs(state)
    for circle_id, circle in circle_docs(state).items():
        members = pairs.get(circle_id) or []
        if not members:
            continue
        own = {p["mentee"]: p for p in members}
        history = circle.get("history") or ()
        # A circle that has closed since: its one ``circle_closed`` says it all, so a
        # ``circle_left`` not written before it ("goes on with ...") is never written.
        closed = any(isinstance(e, dict) and e.get("status") == "closed" for e in history)
        for entry in history:
            if not isinstance(entry, dict):
                continue
            notify = list(entry.get("notify") or ())
            if "left" in entry:
                left = state.pair_by_id.get(str(entry.get("pair")))
                told = [(m, left, FAREWELL if m == entry["left"] else LEFT) for m in notify]
            elif entry.get("status") == "closed" or "lead" in entry or "co_left" in entry:
                kind = CLOSED if "lead" not in entry else HANDOVER
                gone = _mentor_who_left(circle, entry)
                told = [(m, own.get(m, members[0]), FAREWELL if m == gone else kind)
                        for m in notify]  # fmt: skip
            else:
                continue
            for person, pair, kind in told:
                if (
                    pair is not None
                    and person in state.people
                    and pair["id"] in (wanted or {pair["id"]})
                    and not (kind == LEFT and closed and not _made(state, pair, kind, person))
                ):
                    out.extend(_one(state, pair, kind, 0, person, send=send))
    return out


def _mentor_who_left(circle: dict[str, Any], entry: dict[str, Any]) -> str | None:
    """The mentor an entry says left the circle (told in a farewell of their own)."""
    if "co_left" in entry:
        return str(entry["co_left"])
    if "lead" in entry:
        return str(entry.get("was") or "")
    if entry.get("why") == MENTOR_LEFT:
        mentors = list(circle.get("mentors") or ())
        return str(mentors[0]) if mentors else None
    return None


def _made(state: State, pair: dict[str, Any], kind: str, person: str) -> bool:
    return message_key(pair["id"], kind, 0, person) in state.messages


def _one(
    state: State, pair: dict[str, Any], kind: str, week: int, person: str, *, send: bool
) -> list[Outgoing]:
    start = schedule.parse_day(pair.get("start_date"))
    found = state.messages.get(message_key(pair["id"], kind, week, person))
    if found is None:
        return [Outgoing(pair, kind, week, person, [person], [person], start)]
    if send and (pending := _unsent(found[1])):
        return [_again(state, found[1], pending, start)]
    return []


def away(state: State, plan_: CheckinPlan, *, send: bool) -> None:
    """A circle's mentor is told of a mentee's pause in a ``circle_away`` notice, once per
    pause, instead of a pair's ``paused`` one."""
    mentors: dict[str, set[str]] = {}
    for circle_id, pairs in member_pairs(state).items():
        doc = circle_docs(state).get(circle_id) or {}
        names = set(doc.get("mentors") or ()) | {p["mentor"] for p in pairs}
        for p in pairs:
            mentors[p["id"]] = names
    kept: list[Outgoing] = []
    for o in plan_.outgoing:
        if o.kind == "paused" and o.doc_id is None and o.part in mentors.get(o.pair["id"], ()):
            key = message_key(o.pair["id"], AWAY, o.week, o.part)
            found = state.messages.get(key)
            if found is not None:
                if o.pending and (pending := _unsent(found[1])) and send:
                    again = _again(state, found[1], pending, o.start)
                    again.until = o.until
                    kept.append(again)
                continue
            o = Outgoing(o.pair, AWAY, o.week, o.part, o.to, o.pending, o.start, until=o.until)
        kept.append(o)
    plan_.outgoing[:] = kept


__all__ = ["AWAY", "CLOSED", "FAREWELL", "HANDOVER", "KINDS", "LEFT", "away", "plan"]
