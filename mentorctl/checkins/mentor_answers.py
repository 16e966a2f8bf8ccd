"""Mentors' answers to ``mentor_ask`` messages, read by ``checkin --replies``.

A reply is placed as any reply is (:mod:`.reply_reader`): by the recorded message it names
and that message's recipient, so only the mentor who was asked can answer, and a reply
naming a message sent to someone else is a stranger's, left alone. A reply to a
``mentor_ask`` then comes here, never to the check-in answers: its text
(:func:`.reply_text.reply_text`: quotes, signatures, "Sent from my iPhone" dropped) is read
against the mentees that message listed (:func:`.mentor_words.read_answer`), and each
mentee answered is recorded on its proposal (:mod:`mentorctl.matching.proposals`):

- **yes**: the pair is made as ``pair --commit`` makes one, checked again against the store
  as it is now, in the proposal's round, its history saying ``by: mentor``; ``introduce`` and
  ``checkin`` take it from there. A pair that can no longer be made (the mentee was paired
  by hand meanwhile, the mentor filled up) is not made: listed for the admin;
- **no**: the place is freed and the mentee's history gets ``declined_by`` naming the mentor,
  so no later ``pair`` run proposes that mentor for them. Nothing sent to the mentee says so.

Replies are applied in the order they were written; a proposal takes its first answer (a
later reply about it is listed, not applied: a mentor who changes their mind after a "yes"
is the admin's to handle with ``pair --end``). Mentees named without a clear yes or no, and
a reply that names none clearly, are listed for the admin and recorded nowhere; the reply is
remembered (outcome ``mentor_answer``, or ``unknown`` when nothing in it was placed) so a
later run reads it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.checkins.mentor_words import read_answer
from mentorctl.checkins.reply_text import reply_text
from mentorctl.matching import pairs, proposals

if TYPE_CHECKING:
    from mentorctl.programs.program import Program
    from mentorctl.store.db import Store

KIND = "mentor_ask"
OUTCOME = "mentor_answer"
LEFT = "unknown"  # a reply of which nothing was placed: left alone, listed once


@dataclass
class Taken:
    """One mentor's reply to one ask, its text kept until the run records it."""

    key: str  # the source's key, for moving
    hash: str
    mentor: str
    ask: int
    date: str
    text: str
    position: int
    # What it did, per mentee: {"proposal", "mentee", "answer", "pair", "note"}.
    done: list[dict[str, Any]] = field(default_factory=list)


def take(reader: Any, position: int, incoming: Any, digest: str, msg: Any,
         answered: dict[str, Any], person: str | None, heads: dict[str, str]) -> None:  # fmt: skip
    """Keep a mentor's reply for :func:`record` (``reader``: a ``reply_reader.Reader``;
    ``heads["date"]``: the reply's Date as the reader reads it, UTC ISO)."""
    text = reply_text(msg)
    reader.this_run[digest] = OUTCOME
    reader.result.mentor_answers.append(
        Taken(incoming.key, digest, str(person), int(answered.get("week") or 0),
              heads["date"], text, position)
    )  # fmt: skip


def record(
    store: Store,
    program: Program,
    result: Any,
    listed: Any,
    *,
    today: dt.date,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Apply the mentors' answers read in this run; the replies to remember (``listed``:
    ``reply_reader.Listed``, for the replies the admin should look at)."""
    taken: list[Taken] = sorted(result.mentor_answers, key=lambda t: (t.date, t.hash))
    if not taken:
        return []
    stamp = now.isoformat(timespec="seconds")
    remembered = []
    for item in taken:
        asked = proposals.of_ask(proposals.in_store(store), item.mentor, item.ask)
        names = [_first_name(store, str(d["mentee"])) for d in asked]
        read = read_answer(item.text, names)
        for number, said in sorted(read.said.items()):
            item.done.append(_apply(store, program, dict(asked[number - 1]), said, today, stamp))
        for number in read.unclear:
            doc = asked[number - 1]
            item.done.append({"proposal": doc["id"], "mentee": doc["mentee"], "answer": None,
                              "pair": None, "note": "named without a clear yes or no",
                              "applied": False})  # fmt: skip
        problems = [d for d in item.done if d["answer"] is None or d["note"]]
        if read.said:  # a partial answer: the others still wait, the admin may chase them
            named = {d["proposal"] for d in item.done}
            problems += [{"proposal": d["id"], "mentee": d["mentee"], "note": "no answer yet"}
                         for d in proposals.waiting(asked) if d["id"] not in named]  # fmt: skip
        for d in problems:
            result.listed.append(
                listed("", item.ask, item.mentor, "mentor_answer",
                       f"{d['proposal']} ({d['mentee']}): {d['note']}", item.position)
            )  # fmt: skip
        if read.nothing and not read.unclear:
            still = ", ".join(str(d["id"]) for d in proposals.waiting(asked)) or "none"
            result.listed.append(
                listed("", item.ask, item.mentor, "mentor_unclear",
                       f"names no proposed mentee clearly (still waiting: {still})",
                       item.position)
            )  # fmt: skip
        placed = any(d["answer"] in ("yes", "no") and d["applied"] for d in item.done)
        remembered.append(
            {
                "id": item.hash, "pair": "", "week": item.ask, "person": item.mentor,
                "kind": KIND, "date": item.date, "applied": placed,
                "outcome": OUTCOME if placed else LEFT, "at": stamp,
            }
        )  # fmt: skip
    return remembered


def _first_name(store: Store, person: str) -> str:
    from mentorctl.mail.messages import person_context

    for doc in store.documents("people").values():
        if doc.get("id") == person:
            return str(person_context(doc)["first_name"])
    return ""


def _apply(
    store: Store, program: Program, doc: dict[str, Any], said: str, today: dt.date, stamp: str
) -> dict[str, Any]:
    """Record one mentee's answer on its proposal; what it did."""
    mentee, mentor = str(doc["mentee"]), str(doc["mentor"])
    out = {"proposal": doc["id"], "mentee": mentee, "answer": said, "pair": None, "note": "",
           "applied": False}  # fmt: skip
    if doc.get("answer") is not proposals.OPEN:
        before = doc.get("answer")
        if before in ("withdrawn", "expired"):
            out["note"] = f"no longer asked ({before}): not recorded"
        elif before != said:
            out["note"] = f"already {before}: not changed (end a pair with 'pair --end')"
        return out
    out["applied"] = True
    if said == "no":
        proposals.close(store, {doc["id"]: {"answer": "no"}}, stamp)
        proposals.decline(store, mentee, mentor, stamp)
        return out
    snap = pairs.snapshot(store)
    others = [d for d in proposals.in_store(store) if d.get("id") != doc["id"]]
    existing = snap.existing() + pairs.asked_and_declined(others, snap.people)
    check, why = pairs.checked_again(snap, program, mentee, mentor, today, existing)
    if check is None:
        proposals.close(store, {doc["id"]: {"answer": "yes", "note": why}}, stamp)
        out["note"] = f"said yes, but the pair cannot be made now: {why}"
        return out
    pair = pairs.pair_doc(mentee, mentor, check, str(doc.get("method") or "optimal"), stamp)
    from mentorctl.matching.choices import with_choice

    pair["reasons"] = with_choice(pair["reasons"], doc.get("reasons") or ())
    pair["round"] = doc.get("round") or pairs.round_for(snap, program, today, None)
    pair["history"][0]["by"] = "mentor"
    pairs.insert_pairs(store, [pair])
    proposals.close(store, {doc["id"]: {"answer": "yes", "pair": pair["id"]}}, stamp)
    out["pair"] = pair["id"]
    return out


def rows(result: Any) -> list[dict[str, Any]]:
    """What each mentor's answer did, for the admin: one row per mentee answered."""
    return [
        {"mentor": t.mentor, "proposal": d["proposal"], "mentee": d["mentee"],
         "answer": d["answer"], "pair": d["pair"], "note": d["note"]}
        for t in result.mentor_answers
        for d in t.done
    ]  # fmt: skip


def placed_keys(result: Any) -> list[str]:
    """The source keys of the replies whose answers were recorded (``move_to`` moves them)."""
    return [t.key for t in result.mentor_answers if any(d.get("applied") for d in t.done)]
