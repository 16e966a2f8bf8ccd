"""Forgetting a person on request, and exporting everything held on them.

Forgetting erases their sign-up, answers, outbox messages and their name and address
wherever a record of a message holds them; their pairs end and keep only anonymous counts,
so a report's history stays consistent. Backups that hold the person are scrubbed. Exporting
gathers everything the store holds about a person, as one JSON object.

Nothing here prints or logs an email address or an answer: people are named by their id.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.matching.pairs import (
    BLOCKS,
    HOLDING,
    PAIRS,
    PEOPLE,
    find_person,
    snapshot,
)
from mentorctl.safety.tables import (
    ANSWERS,
    CONCERNS,
    FORGOTTEN,
    MESSAGES,
    REPLIES,
    doc_id,
    timestamp,
)
from mentorctl.store.db import Store


@dataclass
class ForgetResult:
    person: str
    removed: dict[str, int]
    ended_pairs: list[str]
    outbox_files: int
    backups_scrubbed: int
    dry_run: bool


def forget(
    store_path: Path, outbox: Path, email: str, *, now: dt.datetime, dry_run: bool = False
) -> ForgetResult:
    """Erase a person. Their pairs end and stay only as anonymous counts."""
    from mentorctl.signups import index as importindex

    stamp = timestamp(now)
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        person = find_person(snap, email)
        pid = person["id"]
        secrets = {s for s in (person.get("email"), person.get("name")) if s}
        removed = {PEOPLE: 1}
        ended = []
        pair_changes = {}
        for key, pair in store.documents(PAIRS).items():
            if pid not in (pair.get("mentee"), pair.get("mentor")):
                continue
            role = "mentee" if pair["mentee"] == pid else "mentor"
            fields: dict[str, Any] = {
                role: FORGOTTEN,
                "reasons": [],
                "parts": [],
                "end_reason": None,  # free text an admin wrote may name them
                "updated": stamp,
            }
            if pair["status"] in HOLDING:
                fields.update(status="ended", end_reason="a person asked to be forgotten")
                ended.append(pair["id"])
            fields["history"] = [
                {"at": h.get("at"), "status": h.get("status")}
                for h in pair.get("history", [])
                if h.get("status")
            ] + [{"at": stamp, "status": fields.get("status", pair["status"]), "note": "forgotten"}]
            pair_changes[int(key)] = fields
        store.update_many(PAIRS, pair_changes)
        outbox_files: list[Path | None] = []
        for table in (ANSWERS, REPLIES, MESSAGES, CONCERNS, BLOCKS):
            doomed = [
                int(k) for k, d in store.documents(table).items() if _mentions(d, pid, secrets)
            ]
            if table == MESSAGES:
                outbox_files += [
                    _outbox_file(outbox, store.documents(table)[str(k)]) for k in doomed
                ]
            if doomed:
                store.table(table).remove(doc_ids=doomed)
                removed[table] = len(doomed)
        store.table(PEOPLE).remove(doc_ids=[doc_id(store, PEOPLE, "id", pid)])
        scrubbed = 0
        existing = [path for path in outbox_files if path is not None and path.exists()]
        if not dry_run:
            # Files go only once the store no longer points at them.
            store.commit()
            for path in existing:
                path.unlink(missing_ok=True)
            importindex.discard(importindex.index_path(store_path))
            scrubbed = _scrub_backups(store_path, secrets)
    return ForgetResult(pid, removed, ended, len(existing), scrubbed, dry_run)


def _mentions(doc: dict[str, Any], pid: str, secrets: set[str]) -> bool:
    """Whether a record is about the person: names their id anywhere, or holds their name or address."""

    # An address is matched anywhere; a name only as whole words ("Ann" is not in "Annual").
    patterns = [re.compile(r"(?<!\w)" + re.escape(s) + r"(?!\w)") for s in secrets]

    def walk(value: Any) -> bool:
        if isinstance(value, str):
            return value == pid or any(p.search(value) for p in patterns)
        if isinstance(value, dict):
            return any(walk(k) or walk(v) for k, v in value.items())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(doc)


def _outbox_file(outbox: Path, message: dict[str, Any]) -> Path | None:
    name = message.get("file")
    return outbox / Path(str(name)).name if name else None


def _scrub_backups(store_path: Path, secrets: set[str]) -> int:
    """Delete backups that still hold the person: a backup is no place for erased data."""
    count = 0
    patterns = [re.compile(rb"(?<!\w)" + re.escape(s.encode()) + rb"(?!\w)") for s in secrets]
    for backup in backups_dir(store_path).glob("*.json"):
        data = backup.read_bytes()
        if any(p.search(data) for p in patterns):
            backup.unlink()
            count += 1
    return count


def backups_dir(store_path: Path) -> Path:
    return store_path.parent / "backups"


def export_person(store_path: Path, email: str) -> dict[str, Any]:
    """Everything the store holds about one person."""
    with Store.reading(store_path) as store:
        snap = snapshot(store)
        person = find_person(snap, email)
        pid = person["id"]
        secrets = {s for s in (person.get("email"), person.get("name")) if s}
        out: dict[str, Any] = {"person": dict(person)}
        out["pairs"] = [
            {k: v for k, v in p.items() if k not in ("parts",)}
            for p in snap.pairs
            if pid in (p.get("mentee"), p.get("mentor"))
        ]
        for table in (ANSWERS, REPLIES, MESSAGES, CONCERNS, BLOCKS):
            out[table] = [
                dict(d) for d in store.documents(table).values() if _mentions(d, pid, secrets)
            ]
    return out
