"""Proposals put to mentors (``pair --ask-mentors``): kept apart from pairs until answered.

A proposal is one document of the table ``proposals``: ``{id, mentee, mentor, score,
reasons, method, round, ask, asked_at, answer, answered_at, pair, note}``. ``ask`` numbers
the mentor's messages (their first ``mentor_ask`` is 1): the proposals of one ask are listed
together, numbered by id, in that one message. ``answer`` is None while the proposal waits
for the mentor, then one of

- ``yes``: the mentor took the mentee; ``pair`` names the pair made (as ``pair --commit``
  makes one, in the proposal's round, its history saying ``by: mentor``), or stays None when
  the pair could no longer be made (``note`` says why);
- ``no``: the mentor declined; the mentee's history gets a ``declined_by`` entry naming the
  mentor (:mod:`mentorctl.history.events`), for the admin only;
- ``withdrawn``: the admin took it back (``pair --withdraw-ask``), or its mentee or mentor
  withdrew, was forgotten or paused (:func:`taken_back`: at once, and nobody is told);
- ``expired``: nobody answered within the days ``pair --expire-asks DAYS`` allowed.

While a proposal waits, it holds its mentee and one of its mentor's places: a matching run
treats it as a proposed pair. A mentor who declined a mentee, or let the question expire, is
never proposed for that mentee again; a withdrawn proposal leaves them free to be asked again
(a person back from a pause can be proposed again by the next ``pair --ask-mentors``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import UsageError
from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.store.db import Store

PROPOSALS = "proposals"
PREFIX, COUNTER = "Q", "proposal"
OPEN = None
ANSWERS = ("yes", "no", "withdrawn", "expired")
# Closed proposals after which the same mentor is never proposed for the mentee again.
NOT_AGAIN = frozenset({"no", "expired"})
DECLINED = "declined_by"  # the mentee's history entry of a mentor's "no"


def waiting(docs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The proposals still waiting for their mentor's answer."""
    return [d for d in docs if d.get("answer") is OPEN and d.get("id")]


def waiting_on(docs: Iterable[Mapping[str, Any]], day: dt.date) -> list[Mapping[str, Any]]:
    """The proposals that were waiting at the end of ``day``: asked by then, and answered,
    withdrawn or expired (if at all) only later."""
    out = []
    for d in docs:
        asked, closed = events.parse_day(d.get("asked_at")), events.parse_day(d.get("answered_at"))
        if not d.get("id") or asked is None or asked > day:
            continue
        if d.get("answer") is OPEN or (closed is not None and closed > day):
            out.append(d)
    return out


def held(docs: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """Waiting proposals as a matching run counts them: proposed pairs (mentee, mentor,
    status), which hold the mentee and a place of the mentor."""
    return [(str(d["mentee"]), str(d["mentor"]), "proposed") for d in waiting(docs)]


def never_again(
    docs: Iterable[Mapping[str, Any]], people: Iterable[Mapping[str, Any]]
) -> list[tuple[str, str, str]]:
    """(mentee, mentor, "declined") for every mentor who declined a mentee (by the mentee's
    history or the proposal) or let the question expire: a matching run never pairs them."""
    found: dict[tuple[str, str], None] = {}
    for d in docs:
        if d.get("answer") in NOT_AGAIN:
            found[(str(d["mentee"]), str(d["mentor"]))] = None
    for person in people:
        for e in events.entries(dict(person)):
            if e["event"] == DECLINED and e.get("mentor"):
                found[(str(person.get("id")), str(e["mentor"]))] = None
    return [(mentee, mentor, "declined") for mentee, mentor in found]


def in_store(store: Store) -> list[dict[str, Any]]:
    return list(store.documents(PROPOSALS).values())


def next_ask(docs: Iterable[Mapping[str, Any]], mentor: str) -> int:
    """The number of the mentor's next ask: one more than their latest."""
    return 1 + max((int(d.get("ask") or 0) for d in docs if d.get("mentor") == mentor), default=0)


def of_ask(docs: Iterable[Mapping[str, Any]], mentor: str, ask: int) -> list[Mapping[str, Any]]:
    """The proposals one ``mentor_ask`` message listed, in its order (1, 2, ...)."""
    found = [d for d in docs if d.get("mentor") == mentor and int(d.get("ask") or 0) == ask]
    return sorted(found, key=lambda d: _number(str(d.get("id"))))


def _number(pid: str) -> tuple[int, str]:
    digits = pid[1:]
    return (int(digits), "") if digits.isdigit() else (0, pid)


def new_doc(
    mentee: str,
    mentor: str,
    score: float,
    reasons: Iterable[str],
    *,
    method: str,
    number: int,
    ask: int,
    stamp: str,
) -> dict[str, Any]:
    return {
        "id": "",
        "mentee": mentee,
        "mentor": mentor,
        "score": round(float(score), 4),
        "reasons": [str(r) for r in reasons],
        "method": method,
        "round": number,
        "ask": ask,
        "asked_at": stamp,
        "answer": OPEN,
        "answered_at": None,
        "pair": None,
        "note": None,
    }


def insert(store: Store, docs: list[dict[str, Any]]) -> None:
    if not docs:
        return
    for doc, pid in zip(docs, store.next_ids(COUNTER, PREFIX, len(docs)), strict=True):
        doc["id"] = pid
    store.insert_many(PROPOSALS, docs)


def close(
    store: Store, closed: Mapping[str, Mapping[str, Any]], stamp: str
) -> list[dict[str, Any]]:
    """Set ``{proposal id: {"answer", ...}}`` on waiting proposals; those changed."""
    docs = store.documents(PROPOSALS)
    changes: dict[int, dict[str, Any]] = {}
    out = []
    for key, doc in docs.items():
        fields = closed.get(str(doc.get("id")))
        if fields is None or doc.get("answer") is not OPEN:
            continue
        changes[int(key)] = {"answered_at": stamp, **fields}
        out.append({**doc, **changes[int(key)]})
    store.update_many(PROPOSALS, changes)
    return out


def decline(store: Store, mentee: str, mentor: str, stamp: str) -> None:
    """Record in the mentee's history that ``mentor`` declined them (for the admin only)."""
    people = store.documents("people")
    for key, doc in people.items():
        if doc.get("id") == mentee:
            entry = events.entry(stamp, DECLINED, mentor=mentor)
            store.update_many("people", {int(key): {"history": events.appended(doc, entry)}})
            return


def taken_back(store: Store, person: str, stamp: str, why: str) -> list[dict[str, Any]]:
    """Withdraw every waiting proposal of a person who left, paused or asked to be forgotten
    (as mentee or mentor): their mentor's place is free again at once. Nobody is told: the
    mentor's message promised no pair, and why a person stepped away is theirs to keep; an
    answer that comes back about it anyway is not recorded (the admin sees it listed)."""
    mine = [d for d in waiting(in_store(store)) if person in (d.get("mentee"), d.get("mentor"))]
    note = {"answer": "withdrawn", "note": why}
    return close(store, {str(d["id"]): note for d in mine}, stamp)


def forgotten(store: Store, person: str, stamp: str) -> set[str]:
    """Withdraw the waiting proposals of a person who asked to be forgotten; the keys of the
    ``mentor_ask`` messages that name them (``forget`` removes those outbox files)."""
    named = message_keys(store, person)
    taken_back(store, person, stamp, "a person asked to be forgotten")
    return named


def forget_reasons(store: Store, person: str, redact: Callable[[str], str]) -> int:
    """Take a forgotten person out of the proposals' text: one that named them (answered by
    now: :func:`forgotten` closed those still waiting) keeps no reasons; in the others the
    reasons and note lose their name and address (``redact``). How many proposals changed."""
    changes: dict[int, dict[str, Any]] = {}
    for key, doc in store.documents(PROPOSALS).items():
        before = [str(r) for r in doc.get("reasons") or ()]
        mine = person in (doc.get("mentee"), doc.get("mentor"))
        reasons = [] if mine else [redact(r) for r in before]
        fixed: dict[str, Any] = {"reasons": reasons} if reasons != before else {}
        note = doc.get("note")
        if isinstance(note, str) and redact(note) != note:
            fixed["note"] = redact(note)
        if fixed:
            changes[int(key)] = fixed
    store.update_many(PROPOSALS, changes)
    return len(changes)


def message_keys(store: Store, person: str) -> set[str]:
    """The keys of the ``mentor_ask`` messages that name ``person`` (as mentee or mentor)."""
    return {
        f"/mentor_ask/{int(d.get('ask') or 0)}/{d['mentor']}"
        for d in in_store(store)
        if person in (d.get("mentee"), d.get("mentor"))
    }


# What a mentee's choice of a mentor who declined them says (to the admin), in place of the
# rule that keeps them apart (mentorctl.matching.choices.story).
KEPT_APART = "a rule of the program keeps them apart"
SAID_NO, NO_ANSWER = "declined when asked", "did not answer when asked"
_PAIRED = "they were paired before"  # mentorctl.matching.explain


def name_declines(result: Any, asks: list[dict[str, Any]], people: Iterable[Any]) -> None:
    """A run's reasons (``result``: a :class:`.results.MatchResult`) where mentors declined:
    a mentee whose only suitable mentors declined them reads so, not "paired before"; a
    choice of a mentor who declined the mentee (or let the question expire) says so ("chose
    Ann (P3): Ann declined when asked"), not that a rule keeps them apart. For the admin only:
    a saved pair keeps the reasons checked as it is saved, which tell no choice."""
    import dataclasses

    expired = {(str(d["mentee"]), str(d["mentor"])) for d in asks if d.get("answer") == "expired"}
    said: dict[str, list[tuple[str, str]]] = {}
    for mentee, mentor, _ in never_again(asks, people):
        what = NO_ANSWER if (mentee, mentor) in expired else SAID_NO
        said.setdefault(mentee, []).append((mentor, what))

    def told(mentee: str, text: str) -> str:
        for mentor, what in said.get(mentee, ()):
            text = _choice_declined(text, mentor, what)
        if mentee in said and _PAIRED in text:
            text = text.replace(_PAIRED, _PAIRED + " or declined")
        return text

    result.unmatched = [dataclasses.replace(u, reason=told(u.mentee_id, u.reason))
                        for u in result.unmatched]  # fmt: skip
    result.pairs = [
        dataclasses.replace(p, reasons=(told(p.mentee_id, p.reasons[0]), *p.reasons[1:]))
        if p.mentee_id in said and p.reasons
        else p
        for p in result.pairs
    ]


def _choice_declined(text: str, mentor: str, what: str) -> str:
    import re

    return re.sub(
        rf"chose ([^;()]+?) \({re.escape(mentor)}\): {KEPT_APART}",
        lambda m: f"chose {m[1]} ({mentor}): {m[1]} {what}",
        text,
    )


# -- the admin's side -----------------------------------------------------------------------


@dataclass
class Closed:
    action: str  # withdrawn | expired
    proposals: list[dict[str, Any]]
    dry_run: bool


def withdraw(store_path: Path, ref: str, *, now: dt.datetime, dry_run: bool = False) -> Closed:
    """Withdraw a waiting proposal (its id, Q3) or every waiting proposal of a person."""
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        open_ = waiting(in_store(store))
        wanted = ref.strip()
        chosen = [d for d in open_ if d.get("id") == wanted]
        if not chosen:
            if wanted[:1] == PREFIX and wanted[1:].isdigit():
                raise UsageError(f"no proposal {wanted} is waiting for an answer")
            person = _person(store, wanted)
            chosen = [d for d in open_ if person in (d.get("mentee"), d.get("mentor"))]
            if not chosen:
                raise UsageError(f"{person} has no proposal waiting for an answer")
        note = {"answer": "withdrawn", "note": "withdrawn by the admin"}
        done = close(store, {str(d["id"]): note for d in chosen}, stamp)
    return Closed("withdrawn", done, dry_run)


def _person(store: Store, ref: str) -> str:
    """A person's id, by id (P12) or email."""
    from mentorctl.store import addresses

    folded = addresses.spellings(ref)[0]
    for doc in store.documents("people").values():
        if doc.get("id") == ref or doc.get("email") == folded:
            return str(doc["id"])
    raise UsageError(
        "no person or proposal with that reference in this program",
        hint="use a proposal id such as Q3, a person id such as P12, or an email",
    )


def expire(store_path: Path, days: int, *, now: dt.datetime, dry_run: bool = False) -> Closed:
    """Close every proposal asked more than ``days`` days ago and still unanswered."""
    from mentorctl.store.db import Store

    if days < 1:
        raise UsageError(f"--expire-asks {days}: expected a number of days, 1 or more")
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        old = [d for d in waiting(in_store(store)) if age(d, now.date()) > days]
        note = {"answer": "expired", "note": f"no answer within {days} day(s)"}
        done = close(store, {str(d["id"]): note for d in old}, stamp)
    return Closed("expired", done, dry_run)


def age(doc: Mapping[str, Any], today: dt.date) -> int:
    """Days since the proposal was put to its mentor."""
    asked = events.parse_day(doc.get("asked_at"))
    return (today - asked).days if asked is not None else 0


def listed(
    docs: Iterable[Mapping[str, Any]], today: dt.date, *, every: bool = False
) -> list[dict[str, Any]]:
    """Waiting proposals for the admin, oldest first, with their age in days (``every``:
    ``docs`` are those waiting on ``today`` already, :func:`waiting_on`)."""
    rows = [
        {
            "id": d["id"],
            "mentee": d["mentee"],
            "mentor": d["mentor"],
            "score": d.get("score"),
            "asked": str(d.get("asked_at") or "")[:10],
            "days": age(d, today),
        }
        for d in (docs if every else waiting(docs))
    ]
    return sorted(rows, key=lambda r: (-r["days"], _number(str(r["id"]))))
