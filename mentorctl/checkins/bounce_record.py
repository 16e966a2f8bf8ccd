"""Bounces applied to the store: failed deliveries, and addresses that fail for good.

:mod:`.replies` reads a bounce (:mod:`.bounces`) and finds the message it returns; here the
failed addresses are matched to that message's recipients, each recipient's delivery of it is
marked ``failed`` (with the status code as its error), and a permanent failure appends an
``undeliverable`` entry (:mod:`mentorctl.history.events`) to the person's history, once per
address, so that nothing more is sent there until a new address comes with an import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.checkins.bounces import Bounce, Failure
from mentorctl.checkins.plan import MESSAGES, PEOPLE
from mentorctl.checkins.record import overall
from mentorctl.checkins.reply_index import fold
from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.store.db import Store


@dataclass
class Undeliverable:
    """A person whose address a bounce showed to fail for good: nothing more is sent there."""

    pair: str
    week: int
    person: str
    reason: str  # the status code and its meaning, never the server's text


def week_of(message: dict[str, Any]) -> int:
    """The program week a message belongs to (an introduction's replies go to week 1)."""
    if message.get("kind") == "intro":
        return 1
    try:
        return int(message.get("week") or 0)
    except (TypeError, ValueError):
        return 0


def failed_recipients(
    bounce: Bounce, sent: dict[str, Any], address: dict[str, str]
) -> list[tuple[str, Failure]]:
    """The recipients of ``sent`` that ``bounce`` says failed, matched by address
    (``address``: person id -> folded address); a bounce of a message to one person that
    names one failed address is theirs, whatever address it names (a forwarding one)."""
    to = [p for p in sent.get("to", ()) if isinstance(p, str)]
    found: list[tuple[str, Failure]] = []
    for failure in bounce.failures:
        names = {fold(failure.address), fold(failure.original)} - {""}
        person = next((p for p in to if address.get(p) in names), None)
        if person is None and len(to) == 1 and len(bounce.failures) == 1:
            person = to[0]
        if person is not None:
            found.append((person, failure))
    return found


def record(
    store: Store, failures: list[tuple[dict[str, Any], str, Failure]], now: dt.datetime
) -> list[Undeliverable]:
    """Mark each (message, person) delivery failed; the people whose failure was permanent
    and whose address was not yet undeliverable get an ``undeliverable`` entry."""
    if not failures:
        return []
    stamp = now.isoformat(timespec="seconds")
    docs = {str(d.get("id")): (int(k), d) for k, d in store.documents(MESSAGES).items()}
    changes: dict[int, dict[str, Any]] = {}
    for sent, person, failure in failures:
        found = docs.get(str(sent.get("id")))
        if found is None:
            continue
        doc_id, doc = found
        current = changes.get(doc_id, {}).get("delivery", doc.get("delivery") or {})
        delivery = {p: dict(d) for p, d in current.items() if isinstance(d, dict)}
        entry = delivery.get(person, {})
        # Until the bounce came the message counted as reached: a past day still says so.
        if not entry.get("reached") and entry.get("status") in ("sent", "written"):
            entry["reached"], entry["reached_as"] = entry.get("at"), entry["status"]
        entry.update(status="failed", error=failure.reason, at=stamp)
        delivery[person] = entry
        changes[doc_id] = {"delivery": delivery, "status": overall(delivery), "updated": stamp}
    store.update_many(MESSAGES, changes)
    people = {d.get("id"): (int(k), d) for k, d in store.documents(PEOPLE).items()}
    marked: dict[int, list[dict[str, Any]]] = {}
    shown: list[Undeliverable] = []
    for sent, person, failure in failures:
        if not failure.permanent or person not in people:
            continue
        doc_id, doc = people[person]
        address = str(doc.get("email") or "")
        current = events.undeliverable_on(doc, now.date())
        if doc_id in marked or (current is not None and current.get("address") == address):
            continue
        marked[doc_id] = events.appended(
            doc, events.entry(now, "undeliverable", address=address, reason=failure.reason)
        )
        shown.append(
            Undeliverable(str(sent.get("pair") or ""), week_of(sent), person, failure.reason)
        )
    store.update_many(PEOPLE, {k: {"history": v} for k, v in marked.items()})
    return shown
