"""A mentee's reply to their shortlist, read by ``checkin --replies``: the mentors they chose.

A reply is placed like a check-in answer (:class:`mentorctl.checkins.reply_reader.Reader`):
it must name a recorded message of kind ``shortlist`` that went to its sender, so only the
shortlist's own recipient can choose. What the person newly wrote
(:func:`mentorctl.checkins.reply_text.reply_text`: quotes, reply headers, signatures and
"Sent from my iPhone" left out, HTML read as text) is read by :func:`read_choice`: numbers of
the shortlist ("2", "#2", "Number 2 please", "1 then 3", "the 2nd") and mentors' first names
("Ann", "I'd like Ann, or else Bo"; accents and case aside), in the order written.

A choice is a ``chose`` entry in the mentee's ``history``: ``mentors`` (ids, in their order),
``number`` (the shortlist it answers: its numbers are that shortlist's) and ``written`` (the
reply's Date). The latest reply wins: one written before the choice already recorded is
listed, not recorded. A reply that names no mentor of its shortlist (or names two mentors
who share a first name) is listed for the admin and not recorded. The reply's text is never
kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mentorctl.checkins.plan import PEOPLE
from mentorctl.checkins.reply_text import reply_text
from mentorctl.history import events

KIND = "shortlist"
OUTCOME = "chose"  # a remembered reply that gave a choice, recorded
NOT_RECORDED = "refused"  # one of reply_index.LEFT_ALONE: listed once, not moved
# A number standing alone ("2", "#2", "2.", "2nd"), never part of a time, date or amount
# ("2pm", "10:30", "2026-03-02", "1.5"); or a word.
_TOKEN = re.compile(
    r"(?<![\w.:/-])#?\d{1,2}(?:st|nd|rd|th)?(?![\w:/-]|\.\d)|[^\W\d_]+(?:['’][^\W\d_]+)?"
)


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


def fold(text: str) -> str:
    """Lower case without accents: "Lucía" and "LUCIA" are one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def read_choice(text: str, names: Sequence[str]) -> list[int] | None:
    """The shortlist's places (0-based) that ``text`` names, in the order written; None when a
    name fits two mentors of the list (the admin must ask)."""
    tokens = [fold(t) for t in _TOKEN.findall(text)]
    folded = [fold(n).split() for n in names]
    found: list[int] = []
    for at, token in enumerate(tokens):
        number = None
        digits = token.lstrip("#").rstrip("stndrh")
        if digits.isdigit():
            number = int(digits)
        if number is not None:
            if 1 <= number <= len(names) and number - 1 not in found:
                found.append(number - 1)
            continue
        fits = [
            i for i, words in enumerate(folded) if words and tokens[at : at + len(words)] == words
        ]
        if len(fits) > 1:
            return None
        if fits and fits[0] not in found:
            found.append(fits[0])
    return found


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
        picked = read_choice(reply.text, names) if ids else []
        chose = [e for e in history if e["event"] == OUTCOME]
        outcome, status, detail = OUTCOME, "", ""
        if not picked:
            outcome, status = NOT_RECORDED, "no_choice"
            detail = (
                "names two mentors of the same first name: ask which one"
                if picked is None
                else "names no mentor of the shortlist (by number or first name): not recorded"
            )
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
