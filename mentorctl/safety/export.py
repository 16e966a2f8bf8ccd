"""Exporting everything the store holds about one person, as one JSON object (``export-person``).

The export holds their sign-up and history, their pairs, the answers, replies, messages,
concerns and blocks that name them (by id or address), and the proposals put to mentors
about them (``pair --ask-mentors``, :mod:`mentorctl.matching.proposals`).

A mentor's "no" is never told to the mentee, and their export keeps it so: of the proposals
that named them as mentee, only the one that became their pair shows its mentor and reasons;
every other one (waiting, declined, expired, taken back, or accepted when the pair could no
longer be made) reads ``not paired``, its mentor and reasons ``[withheld]``, so a "no" cannot
be told from a question nobody answered or one taken back. The ``declined_by`` entries of
their history (the admin's note of who declined) are left out for the same reason: dated,
next to the shortlists they were sent, they would tell which mentor said no. A mentor's
export shows their own proposals whole: the mentees they were asked about and what they said.
A forgotten partner is named only as ``forgotten``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mentorctl.matching import proposals
from mentorctl.matching.pairs import BLOCKS, find_person, snapshot
from mentorctl.safety.privacy import address_pattern
from mentorctl.safety.tables import (
    ANSWERS,
    CONCERNS,
    FORGOTTEN,
    MESSAGES,
    REPLIES,
    TRACES,
)
from mentorctl.store.db import Store

WITHHELD = "[withheld]"
NOT_PAIRED = "not paired"
# What a withheld proposal keeps: which it was, its round, and the days it was asked and closed.
_KEPT = ("id", "round", "asked_at", "answered_at")


def export_person(store_path: Path, email: str) -> dict[str, Any]:
    """Everything the store holds about one person (see the module's docstring)."""
    with Store.reading(store_path) as store:
        snap = snapshot(store)
        person = find_person(snap, email)
        pid = person["id"]
        address = str(person.get("email") or "")
        history = [
            e
            for e in person.get("history") or ()
            if not (isinstance(e, dict) and e.get("event") == proposals.DECLINED)
        ]
        out: dict[str, Any] = {"person": {**person, "history": history}}
        out["pairs"] = [
            {k: v for k, v in p.items() if k not in ("parts",)}
            for p in snap.pairs
            if pid in (p.get("mentee"), p.get("mentor"))
        ]
        for table in (ANSWERS, REPLIES, MESSAGES, CONCERNS, BLOCKS):
            out[table] = [
                dict(d) for d in store.documents(table).values() if _mentions(d, pid, address)
            ]
        out[proposals.PROPOSALS] = about(proposals.in_store(store), pid)
        gone = {str(d.get("id")) for d in store.documents(TRACES).values()}
    # a forgotten partner is named in the records they shared only as ``forgotten``
    return _unnamed(out, gone) if gone else out


def about(docs: list[dict[str, Any]], pid: str) -> list[dict[str, Any]]:
    """The proposals naming ``pid`` as they may read them: whole as mentor; as mentee, whole
    only the one that made their pair, every other one ``not paired`` and withheld."""
    out = []
    for doc in docs:
        if doc.get("mentor") == pid:
            out.append(dict(doc))
        elif doc.get("mentee") == pid:
            if doc.get("answer") == "yes" and doc.get("pair"):
                out.append(dict(doc))
                continue
            kept = {k: doc.get(k) for k in _KEPT}
            out.append({**kept, "mentee": pid, "mentor": WITHHELD, "reasons": WITHHELD,
                        "outcome": NOT_PAIRED})  # fmt: skip
    return out


def _mentions(doc: dict[str, Any], pid: str, address: str) -> bool:
    """Whether a record names the person's id (as a whole value) or holds their address."""
    pattern = address_pattern(address)

    def walk(value: Any) -> bool:
        if isinstance(value, str):
            return value == pid or (pattern is not None and pattern.search(value) is not None)
        if isinstance(value, dict):
            return any(walk(k) or walk(v) for k, v in value.items())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(doc)


def _unnamed(value: Any, gone: set[str]) -> Any:
    if isinstance(value, str):
        return FORGOTTEN if value in gone else value
    if isinstance(value, dict):
        return {_unnamed(k, gone): _unnamed(v, gone) for k, v in value.items()}
    if isinstance(value, list):
        return [_unnamed(v, gone) for v in value]
    return value


__all__ = ["NOT_PAIRED", "WITHHELD", "about", "export_person"]
