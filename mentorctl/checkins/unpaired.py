"""Messages that belong to no pair, delivered again: which earlier ones a sending run retries.

A ``waiting`` notice, a ``mentor_ask`` question and a ``shortlist`` are recorded under no
pair (pair id ""), each to one person. A run that sends (``checkin --send`` from cron, and
``pair --ask-mentors --send`` or ``pair --shortlist K --send`` for their own kind) delivers
again each one not yet sent to its recipient while it still matters, and only then:

- a ``waiting`` notice, while its mentee is in the store;
- a ``mentor_ask``, while one of the proposals it lists still waits for the mentor's answer
  (:mod:`mentorctl.matching.proposals`): a question taken back, expired or answered is not
  asked again;
- a ``shortlist``, while it is the mentee's latest and they still wait: active, not on pause,
  in no current pair and no waiting proposal, every mentor offered still in the store.
  It is rendered again from the store, with the reasons that fit as they are today.

Only the recipients it has not reached get it: a message once sent is never sent again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mentorctl.checkins.outgoing import HOLDING, Outgoing, State, unsent, waiting_pair
from mentorctl.history import events
from mentorctl.matching import proposals

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

ASK = "mentor_ask"
SHORTLIST = "shortlist"
SHORTLISTED = "shortlisted"  # the mentee's history entry of a shortlist offered


def ask_pair(mentor: str) -> dict[str, Any]:
    """What stands for a pair in a ``mentor_ask`` message: a mentor, no pair yet (id "")."""
    return {"id": "", "mentee": None, "mentor": mentor}


def latest_shortlist(person: Mapping[str, Any]) -> dict[str, Any] | None:
    """The person's latest ``shortlisted`` entry, if any."""
    found = [e for e in events.entries(dict(person)) if e["event"] == SHORTLISTED]
    return found[-1] if found else None


def again(state: State, program: Program, today: dt.date) -> list[Outgoing]:
    """Every earlier message under no pair that a sending run delivers again today."""
    waiting = proposals.waiting(proposals.in_store(state.store))
    asks = open_asks(waiting)
    held = {str(d["mentee"]) for d in waiting} | {
        str(p.get("mentee")) for p in state.pairs if p.get("status") in HOLDING
    }
    out: list[Outgoing] = []
    for doc in state.by_pair.get("", ()):
        pending = unsent(doc)
        if not pending or doc["part"] not in state.people:
            continue
        kind, week, part = doc["kind"], int(doc["week"]), doc["part"]
        if kind == "waiting":
            pair = waiting_pair(part)
        elif kind == ASK and (part, week) in asks:
            pair = ask_pair(part)
        elif (
            kind == SHORTLIST
            and part not in held
            and (shown := current_shortlist(state, program, part, week, today))
        ):
            pair = {"id": "", "mentee": part, "mentor": None, SHORTLIST: shown}
        else:
            continue
        out.append(Outgoing(pair, kind, week, part, list(doc["to"]), pending, None,
                            doc_id=state.messages[doc["key"]][0]))  # fmt: skip
    return out


def open_asks(docs: Iterable[Mapping[str, Any]]) -> set[tuple[str, int]]:
    """(mentor, ask) of every ``mentor_ask`` that lists a proposal still waiting."""
    return {(str(d["mentor"]), int(d.get("ask") or 0)) for d in proposals.waiting(docs)}


def asks_again(state: State, new: set[str]) -> list[Outgoing]:
    """Earlier ``mentor_ask`` messages not yet delivered whose proposals still wait (``new``:
    the keys of this run's own new messages, left out)."""
    asks = open_asks(proposals.in_store(state.store))
    out: list[Outgoing] = []
    for doc in state.by_pair.get("", ()):
        if doc["kind"] != ASK or doc["key"] in new or (doc["part"], doc["week"]) not in asks:
            continue
        pending = unsent(doc)
        if pending and doc["part"] in state.people:
            out.append(Outgoing(ask_pair(doc["part"]), ASK, int(doc["week"]), doc["part"],
                                list(doc["to"]), pending, None,
                                doc_id=state.messages[doc["key"]][0]))  # fmt: skip
    return out


def current_shortlist(
    state: State, program: Program, mentee: str, number: int, today: dt.date
) -> list[dict[str, Any]]:
    """The mentors of shortlist ``number`` as its message shows them, when it is still the
    mentee's current one and they are active, not on pause, and every mentor offered is still
    in the store; else nothing (whether a pair or a proposal holds them is :func:`again`'s)."""
    from mentorctl.matching.match import score_pair

    person = state.people[mentee]
    last = latest_shortlist(person)
    if last is None or int(last.get("number") or 1) != number:
        return []
    if person.get("status", "active") != "active" or events.pause_on(person, today):
        return []
    mentors = [str(m) for m in last.get("mentors") or ()]
    if not mentors or any(m not in state.people for m in mentors):
        return []
    config = program.data["matching"]
    shown = []
    for m in mentors:
        check = score_pair(person, state.people[m], config, today=today)
        shown.append({"id": m, "name": state.people[m].get("name"), "score": check.score,
                      "reasons": list(check.reasons)})  # fmt: skip
    return shown


__all__ = ["again", "ask_pair", "asks_again", "current_shortlist", "latest_shortlist"]
