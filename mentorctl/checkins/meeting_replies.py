"""Answers to a pair's (or a circle's) meeting invitation, read by ``checkin --replies``.

An attendee's calendar answers the introduction's invitation by email (iMIP, RFC 6047): a
``text/calendar; method=REPLY`` with ACCEPTED, DECLINED or TENTATIVE, or a ``COUNTER`` with
another time. Such a message is read before anything else of a reply, so it is never taken
for a check-in answer: the invitation's UID names the pair or the circle
(:func:`mentorctl.calendars.invitation.group_of`), the attendee (else the From) names the
person, who must be one of the pair's two (or one of the circle's members).

Each answer is appended to the pair's ``history`` as ``{"at", "meeting", "by", "proposed"}``:
``meeting`` the answer (ACCEPTED, DECLINED, TENTATIVE, COUNTER...), ``by`` the person id,
``proposed`` the start a COUNTER proposes (ISO, UTC; None otherwise); a pair's answers are
appended in the order they were written, so each person's last entry is their answer. The
reply is remembered like any other (outcome ``meeting``), so a later run records it once.

A circle has one invitation for all its members: a mentee's answer is appended to their own
member pair's history, a mentor's (or co-mentor's) to every member pair of the circle, since
it is their answer to each member's meeting. So each member pair still reads "accepted by
both" from its own history, and the circle (:func:`circle_state`) from its member pairs'.

An answer to another program's invitation (its UID made for another program) is left to
that program, as a reply to another program's message is; one whose UID no program made is
counted as ``unknown`` by the program that takes unnamed messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
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
    # every pair whose history records it: a circle mentor's answer goes to each member pair
    pairs: tuple[str, ...] = ()


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
    group_id = invitation.group_of(reply.uid, index.slug)
    pair = index.pairs.get(group_id) if group_id else None
    circle = _circle_pairs(index, group_id) if pair is None and group_id else []
    if pair is None and not circle:
        result.unknown += 1
        reader._leave(position, digest, "unknown", "", 0, "", "", listed=False)
        return
    reply = reply.of(fold(sender))
    person = index.person_of.get(fold(reply.attendee)) or index.person_of.get(sender)
    if pair is not None:
        pairs = [pair["id"]] if person in (pair.get("mentee"), pair.get("mentor")) else []
    else:
        pairs = _answered_for(index, str(group_id), circle, person)
    if not pairs:
        result.strangers += 1
        what = "pair" if pair is not None else "circle"
        detail = f"answers the meeting of a {what} the attendee is not in: not placed"
        where = pair["id"] if pair is not None else circle[0]["id"]
        reader._leave(position, digest, "stranger", where, 0, person or "", detail)
        return
    reader.this_run[digest] = OUTCOME
    result.meeting_answers += 1
    reader.meetings.append(
        MeetingAnswer(key, digest, pairs[0], str(person), reply.partstat, reply.proposed,
                      written, tuple(pairs))
    )  # fmt: skip


def _circle_pairs(index: Any, circle_id: str) -> list[dict[str, Any]]:
    """The member pairs of the circle ``circle_id``, in the order of their ids."""
    from mentorctl.history.fold import id_key

    found = [p for p in index.pairs.values() if p.get("circle") == circle_id]
    return sorted(found, key=lambda p: id_key(p["id"]))


def _answered_for(
    index: Any, circle_id: str, pairs: list[dict[str, Any]], person: str | None
) -> list[str]:
    """The member pairs whose history records ``person``'s answer to the circle's meeting:
    a mentee's own, or every member pair for a mentor or co-mentor; none for someone else."""
    if person is None:
        return []
    own = [p["id"] for p in pairs if p.get("mentee") == person]
    if own:
        return own
    mentors = {p.get("mentor") for p in pairs}
    mentors.update((getattr(index, "circles", {}).get(circle_id) or {}).get("mentors") or ())
    return [p["id"] for p in pairs] if person in mentors else []


def record(store: Any, answers: list[MeetingAnswer], stamp: str) -> list[dict[str, Any]]:
    """Append the answers to their pairs' histories, in the order they were written; the
    replies to remember (table ``replies``)."""
    if not answers:
        return []
    docs = store.documents(PAIRS)
    index = {d.get("id"): k for k, d in docs.items()}
    histories: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(answers, key=lambda a: (a.date, a.hash)):
        proposed = a.proposed.astimezone(dt.UTC).isoformat() if a.proposed else None
        for pair_id in a.pairs or (a.pair,):
            history = histories.setdefault(pair_id, list(docs[index[pair_id]].get("history") or []))
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


# A member pair in one of these is in its circle; paused, withdrawn or ended, it has left it.
IN_CIRCLE = frozenset({"proposed", "active", "quiet"})


def circle_state(docs: Iterable[dict[str, Any]], until: str | None = None) -> dict[str, dict]:
    """Each member's latest answer to a circle's meeting, from its member pairs' histories
    (``docs``): {person id: {"meeting", "at", "proposed"}}."""
    found: dict[str, dict[str, Any]] = {}
    for doc in docs:
        for pid, answer in state(doc, until).items():
            if pid not in found or str(answer.get("at") or "") > str(found[pid].get("at") or ""):
                found[pid] = answer
    return found


def circle_accepted(
    members: Iterable[tuple[dict[str, Any], str]],
    until: str | None = None,
    mentors: Iterable[str] = (),
) -> dict[str, int]:
    """How many of a circle's people accepted its meeting, of how many are in it:
    ``members`` is each member pair's (document, status that day). Its people are the
    mentors and the mentees of the member pairs still in it (``IN_CIRCLE``), the circle's
    ``mentors`` that day (from the circles table: a co-mentor who has not answered counts),
    and a co-mentor once they answered; {"accepted", "people"}, accepted by all when the two
    are equal."""
    members = list(members)
    answers = circle_state((doc for doc, _ in members), until)
    mentees = {str(doc.get("mentee")) for doc, _ in members}
    people: set[str] = set()
    for doc, status in members:
        if status in IN_CIRCLE:
            people.update((str(doc.get("mentee")), str(doc.get("mentor"))))
    if people:
        people.update(str(m) for m in mentors if m)
        people.update(pid for pid in answers if pid not in mentees)  # co-mentors who answered
    accepted = sum(1 for pid in people if answers.get(pid, {}).get(OUTCOME) == "ACCEPTED")
    return {"accepted": accepted, "people": len(people)}


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
