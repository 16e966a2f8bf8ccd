"""Answers to a pair's meeting invitation, read by ``checkin --replies``.

An attendee's calendar answers the introduction's invitation by email (iMIP, RFC 6047): a
``text/calendar; method=REPLY`` with ACCEPTED, DECLINED or TENTATIVE, or a ``COUNTER`` with
another time. Such a message is read before anything else of a reply, so it is never taken
for a check-in answer: the invitation's UID names the pair
(:func:`mentorctl.calendars.invitation.group_of`), the attendee (else the From) names the
person, who must be one of the pair's two.

Each answer is appended to the pair's ``history`` as ``{"at", "meeting", "by", "proposed"}``:
``meeting`` the answer (ACCEPTED, DECLINED, TENTATIVE, COUNTER...), ``by`` the person id,
``proposed`` the start a COUNTER proposes (ISO, UTC; None otherwise); a pair's answers are
appended in the order they were written, so each person's last entry is their answer. The
reply is remembered like any other (outcome ``meeting``), so a later run records it once.

An answer to another program's invitation (its UID made for another program) is left to
that program, as a reply to another program's message is; one whose UID no program made is
counted as ``unknown`` by the program that takes unnamed messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from mentorctl.calendars import invitation
from mentorctl.checkins.plan import PAIRS
from mentorctl.checkins.reply_index import fold

OUTCOME = "meeting"  # a remembered reply that was a meeting answer, recorded
_CALENDAR = re.compile(rb"text/calendar|BEGIN:VCALENDAR", re.IGNORECASE)


@dataclass
class MeetingAnswer:
    """One attendee's answer, ready to be appended to their pair's history."""

    key: str  # the source's key, for moving
    hash: str
    pair: str
    person: str
    partstat: str
    proposed: dt.datetime | None
    date: str  # the reply's Date (UTC ISO), for the order of a pair's answers


def reply_in(raw: bytes) -> invitation.Reply | None:
    """The iMIP answer a message carries, or None (most messages: a look at the bytes
    first, so a check-in reply is not parsed twice)."""
    if not _CALENDAR.search(raw):
        return None
    return invitation.parse_reply(raw)


def _program_of(uid: str) -> str | None:
    """The slug of the program a mentorctl-made UID belongs to, whichever program it is."""
    local = uid.rpartition("@")[0]
    for at in (i for i, c in enumerate(local) if c == "-"):
        slug = local[:at]
        if invitation.group_of(uid, slug) is not None:
            return slug
    return None


def ours(reply: invitation.Reply, slug: str, takes_unnamed: bool) -> bool:
    """Whether this program reads the answer: its own invitation's, or one of no program's
    when it takes the unnamed ones; another program's is left to it."""
    if invitation.group_of(reply.uid, slug) is not None:
        return True
    return _program_of(reply.uid) is None and takes_unnamed


def take(
    reader: Any,
    position: int,
    key: str,
    digest: str,
    reply: invitation.Reply,
    *,
    sender: str,
    written: str,
) -> None:
    """Place one answer (``reader``: a :class:`mentorctl.checkins.reply_reader.Reader`)."""
    index, result = reader.index, reader.result
    pair_id = invitation.group_of(reply.uid, index.slug)
    pair = index.pairs.get(pair_id) if pair_id else None
    if pair is None:
        result.unknown += 1
        reader._leave(position, digest, "unknown", "", 0, "", "", listed=False)
        return
    reply = reply.of(fold(sender))
    person = index.person_of.get(fold(reply.attendee)) or index.person_of.get(sender)
    if person not in (pair.get("mentee"), pair.get("mentor")):
        result.strangers += 1
        detail = "answers the meeting of a pair the attendee is not in: not placed"
        reader._leave(position, digest, "stranger", pair["id"], 0, person or "", detail)
        return
    reader.this_run[digest] = OUTCOME
    result.meeting_answers += 1
    reader.meetings.append(
        MeetingAnswer(key, digest, pair["id"], person, reply.partstat, reply.proposed, written)
    )


def record(store: Any, answers: list[MeetingAnswer], stamp: str) -> list[dict[str, Any]]:
    """Append the answers to their pairs' histories, in the order they were written; the
    replies to remember (table ``replies``)."""
    if not answers:
        return []
    docs = store.documents(PAIRS)
    index = {d.get("id"): k for k, d in docs.items()}
    histories: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(answers, key=lambda a: (a.date, a.hash)):
        history = histories.setdefault(a.pair, list(docs[index[a.pair]].get("history") or []))
        proposed = a.proposed.astimezone(dt.UTC).isoformat() if a.proposed else None
        history.append({"at": stamp, OUTCOME: a.partstat, "by": a.person, "proposed": proposed})
    store.update_many(PAIRS, {int(index[p]): {"history": h} for p, h in histories.items()})
    return [
        {
            "id": a.hash,
            "pair": a.pair,
            "week": 0,
            "person": a.person,
            "kind": OUTCOME,
            "date": a.date,
            "applied": True,
            "outcome": OUTCOME,
            "at": stamp,
        }
        for a in answers
    ]


def state(doc: dict[str, Any], until: str | None = None) -> dict[str, dict[str, Any]]:
    """Each person's latest answer to the pair's meeting (``until``: entries of that ISO day
    or before): {person id: {"meeting", "at", "proposed"}}."""
    found: dict[str, dict[str, Any]] = {}
    for h in doc.get("history") or ():
        if not isinstance(h, dict) or OUTCOME not in h:
            continue
        if until is not None and str(h.get("at") or "")[:10] > until:
            continue
        found[str(h.get("by"))] = {
            "meeting": h[OUTCOME],
            "at": h.get("at"),
            "proposed": h.get("proposed"),
        }
    return found


def accepted_by_both(doc: dict[str, Any], until: str | None = None) -> bool:
    """Whether both people of the pair last answered its meeting with ACCEPTED."""
    answers = state(doc, until)
    return all(
        answers.get(str(doc.get(role)), {}).get(OUTCOME) == "ACCEPTED"
        for role in ("mentee", "mentor")
    )


def rows(doc: dict[str, Any], until: str | None = None) -> list[dict[str, Any]]:
    """The pair's two people with their answers (``pairs show``), once either answered:
    {"person", "answer", "date", "proposed"}, "answer" None for who has not."""
    answers = state(doc, until)
    if not answers:
        return []
    out = []
    for pid in (doc.get("mentee"), doc.get("mentor")):
        a = answers.get(str(pid), {})
        out.append({"person": pid, "answer": a.get(OUTCOME), "date": str(a.get("at") or "")[:10],
                    "proposed": a.get("proposed")})  # fmt: skip
    return out


def note(entry: dict[str, Any]) -> str:
    """A history entry's meeting answer as a note ("meeting: counter 2026-03-04T17:00:00")."""
    if OUTCOME not in entry:
        return ""
    proposed = f" {entry['proposed']}" if entry.get("proposed") else ""
    return f"meeting: {str(entry[OUTCOME]).lower()}{proposed}"
