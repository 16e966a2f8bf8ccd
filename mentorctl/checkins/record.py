"""Recording a run in the store: messages and their delivery state, and pairs' status changes.

A message document holds, per recipient, ``{"status", "attempts", "error", "at"}`` with status
``written`` (in the outbox only), ``queued`` (committed just before an SMTP run sends it),
``sent`` or ``failed``; the document's own ``status`` is the first of queued, failed, written
that any recipient has, else sent. ``attempts`` counts SMTP attempts. Every change of a pair
adds an entry ``{"at", "note", "by", "status"}`` to its history, as :mod:`mentorctl.matching.pairs` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins.plan import MESSAGES, Outgoing

if TYPE_CHECKING:
    from mentorctl.store.db import Store


def overall(delivery: dict[str, dict[str, Any]]) -> str:
    """A message's status from its recipients': queued, failed, written, else sent."""
    states = {d.get("status") for d in delivery.values()}
    for status in ("queued", "failed", "written"):
        if status in states:
            return status
    return "sent"


IN_DOUBT = "the run was interrupted before the server answered; sent again with the same Message-ID"


def settle_interrupted(store: Store, journal_entries: list[dict[str, Any]], stamp: str) -> int:
    """Resolve the ``queued`` deliveries of a run that was killed while sending: sent when the
    journal has the server's "250", else failed, so that the next run sends them (again)."""
    sent = {(e["key"], e["person"]) for e in journal_entries if not e.get("handed")}
    doubt = {(e["key"], e["person"]) for e in journal_entries if e.get("handed")}
    changes: dict[int, dict[str, Any]] = {}
    settled = 0
    for doc_id, doc in store.documents(MESSAGES).items():
        if doc.get("status") != "queued":
            continue
        delivery = {p: dict(d) for p, d in doc.get("delivery", {}).items()}
        for person, entry in delivery.items():
            if entry.get("status") != "queued":
                continue
            settled += 1
            entry["attempts"] = int(entry.get("attempts", 0)) + 1
            entry["at"] = stamp
            if (doc["key"], person) in sent:
                entry.update(status="sent", error=None)
            elif (doc["key"], person) in doubt:
                entry.update(status="failed", error=IN_DOUBT)
            else:
                entry.update(status="failed", error="the run was interrupted before delivery")
        changes[int(doc_id)] = {"delivery": delivery, "status": overall(delivery), "updated": stamp}
    store.update_many(MESSAGES, changes)
    return settled


def _entry(
    prev: dict[str, Any], status: str, error: str | None, stamp: str, attempt: bool
) -> dict[str, Any]:
    tried = attempt and status in ("sent", "failed")
    entry = {
        "status": status,
        "attempts": int(prev.get("attempts", 0)) + (1 if tried else 0),
        "error": error,
        "at": stamp,
    }
    # When it first reached the person (written to the outbox, or sent) stays known after a
    # later run delivers it again: a report of an earlier day still counts it as reached.
    if prev.get("reached"):
        entry["reached"], entry["reached_as"] = prev["reached"], prev.get("reached_as")
    elif prev.get("status") in ("sent", "written") and prev.get("at"):
        entry["reached"], entry["reached_as"] = prev["at"], prev["status"]
    return entry


def record_messages(
    store: Store,
    outgoing: list[Outgoing],
    ids: Callable[[Outgoing], str],
    stamp: str,
    *,
    attempt: bool,
) -> None:
    """Insert the new messages and update the delivery state of the others, in one batch each."""
    docs = store.documents(MESSAGES)
    new_docs: list[dict[str, Any]] = []
    new_out: list[Outgoing] = []
    updates: dict[int, dict[str, Any]] = {}
    for o in outgoing:
        if o.doc_id is None:
            # A recipient left out (undeliverable, see checkins.held) gets no entry: not sent,
            # not written, and sent once deliverable again while the message is current.
            delivery = {
                p: _entry({}, *o.results.get(p, ("written", None)), stamp, attempt)
                for p in o.to
                if p in o.pending
            }
            status = overall(delivery)
            new_docs.append(
                {
                    "id": "",
                    "key": o.key,
                    "pair": o.pair["id"],
                    "kind": o.kind,
                    "week": o.week,
                    "part": o.part,
                    "to": o.to,
                    "message_id": ids(o),
                    "file": o.file,
                    "delivery": delivery,
                    "status": status,
                    "created": stamp,
                    "updated": stamp,
                    "sent_at": stamp if status == "sent" else None,
                    **({"nudge": True} if o.nudge else {}),
                }
            )
            new_out.append(o)
            continue
        doc = docs[str(o.doc_id)]
        delivery = {p: dict(d) for p, d in doc.get("delivery", {}).items()}
        for person, (status, error) in o.results.items():
            delivery[person] = _entry(delivery.get(person, {}), status, error, stamp, attempt)
        fields = {"delivery": delivery, "status": overall(delivery), "updated": stamp}
        if any(s == "sent" for s, _ in o.results.values()):
            fields["sent_at"] = stamp
        updates[o.doc_id] = fields
    if new_docs:
        for doc, message_id in zip(
            new_docs, store.next_ids("message", "E", len(new_docs)), strict=True
        ):
            doc["id"] = message_id
        for o, doc_id in zip(new_out, store.insert_many(MESSAGES, new_docs), strict=True):
            o.doc_id = doc_id
    store.update_many(MESSAGES, updates)
