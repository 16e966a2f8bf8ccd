"""A mentee's reply to their shortlist, read by ``checkin --replies``: the mentors they chose.

A reply is placed like a check-in answer (:class:`mentorctl.checkins.reply_reader.Reader`):
it must name a recorded message of kind ``shortlist`` that went to its sender, so only the
shortlist's own recipient can choose. What the person newly wrote
(:func:`mentorctl.checkins.reply_text.reply_text`: quotes, reply headers, signatures and
"Sent from my iPhone" left out, HTML read as text; and cut where the shortlist follows
unquoted, :func:`.choice_words.own_part`) is read by :func:`.choice_words.read`: numbers of
the shortlist and mentors' first names, in the order written.

A choice is a ``chose`` entry in the mentee's ``history``: ``mentors`` (ids, in their order),
``number`` (the shortlist it answers: its numbers are that shortlist's) and ``written`` (the
reply's Date). The latest reply wins: one written before the choice already recorded is
listed, not recorded. A reply that names no mentor of its shortlist, or that can be read more
than one way (a first name two mentors share, a mentor chosen and ruled out, "either is
fine"), is listed for the admin with the reason and not recorded. The reply's text is never
kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mentorctl.checkins.choice_words import fold, own_part, read, read_choice
from mentorctl.checkins.plan import PEOPLE
from mentorctl.checkins.reply_text import reply_text
from mentorctl.history import events

KIND = "shortlist"
OUTCOME = "chose"  # a remembered reply that gave a choice, recorded
NOT_RECORDED = "refused"  # one of reply_index.LEFT_ALONE: listed once, not moved


@dataclass
class ChoiceReply:
    """One reply to a shortlist, its text held only while the run lasts."""

    key: str  # the source's key, for moving
    hash: str
    person: str
    number: int  # the shortlist it answers
    text: str
    date: str  # the reply's Date (UTC ISO)
    position: int


def take(
    reader: Any,
    position: int,
    key: str,
    digest: str,
    msg: Any,
    answered: dict[str, Any],
    person: str,
    written: str,
) -> None:
    """Hold a reply to a shortlist (``reader``: a Reader); :func:`record` places it."""
    text = reply_text(msg)  # may raise Unreadable: then nothing of this reply is kept
    reader.this_run[digest] = OUTCOME
    reader.choices.append(
        ChoiceReply(key, digest, person, int(answered.get("week") or 1), text, written, position)
    )


def record(store: Any, reader: Any, stamp: str) -> list[dict[str, Any]]:
    """Record the choices the replies give, latest reply last; the replies to remember."""
    docs = store.documents(PEOPLE)
    at = {d.get("id"): int(k) for k, d in docs.items()}
    histories: dict[str, list[dict[str, Any]]] = {}
    remembered = []
    for reply in sorted(reader.choices, key=lambda r: (r.date, r.hash)):
        if reply.person not in at:
            continue
        person = docs[str(at[reply.person])]
        history = histories.setdefault(reply.person, events.entries(person))
        offered = next((e for e in history if e["event"] == "shortlisted"
                        and int(e.get("number") or 0) == reply.number), None)  # fmt: skip
        ids = [str(m) for m in (offered or {}).get("mentors") or ()]
        names = [_first_name(docs.get(str(at.get(m, -1))) or {}) or m for m in ids]
        text = own_part(reply.text, _first_name(person), names)
        read_as = read(text, names) if ids else None
        picked = read_as.places if read_as is not None else []
        chose = [e for e in history if e["event"] == OUTCOME]
        outcome, status, detail = OUTCOME, "", ""
        if read_as is not None and read_as.ambiguous:
            outcome, status, detail = NOT_RECORDED, "no_choice", read_as.ambiguous
        elif not picked:
            outcome, status = NOT_RECORDED, "no_choice"
            detail = "names no mentor of the shortlist (by number or first name): not recorded"
        elif chose and str(chose[-1].get("written") or "") > reply.date:
            outcome, status = NOT_RECORDED, "older"
            detail = "written before the choice already recorded: not recorded"
        else:
            history.append(events.entry(stamp, OUTCOME, mentors=[ids[i] for i in picked],
                                        number=reply.number, written=reply.date))  # fmt: skip
            reader.done_keys.append(reply.key)
            reader.result.choices += 1
        if status:  # listed once and remembered, never moved
            reader._leave(reply.position, reply.hash, NOT_RECORDED, "", reply.number,
                          reply.person, detail)  # fmt: skip
            continue
        remembered.append({"id": reply.hash, "pair": "", "week": reply.number,
                           "person": reply.person, "kind": KIND, "date": reply.date,
                           "applied": outcome == OUTCOME, "outcome": outcome, "at": stamp})  # fmt: skip
    changed = {
        at[p]: {"history": h} for p, h in histories.items() if h != events.entries(docs[str(at[p])])
    }
    store.update_many(PEOPLE, changed)
    return remembered


def _first_name(person: dict[str, Any]) -> str:
    name = str(person.get("first_name") or person.get("name") or "").split()
    return name[0] if name else ""


__all__ = ["KIND", "OUTCOME", "ChoiceReply", "fold", "read_choice", "record", "take"]
