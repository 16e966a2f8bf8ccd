"""Safety and privacy: blocks, concerns, forgetting a person, and exporting what is held on them.

- A block between two people means they are never paired again; a current pair between them
  ends at once (so no further message goes out). Blocks can be listed and lifted.
- A concern about a pair, or about a person (then every current pair of theirs), pauses the
  pair: check-ins skip paused pairs until the admin resolves the concern, with the outcome
  continue (the pair resumes), end (the pair ends) or block (it ends and the two are blocked).
- Forgetting a person erases their sign-up, answers, outbox messages and their name and
  address wherever a record of a message holds them; their pairs end and keep only anonymous
  counts, so a report's history stays consistent. Backups that hold the person are scrubbed.
- Exporting a person gathers everything the store holds about them, as one JSON object.

Nothing here prints or logs an email address or an answer: people are named by their id.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.matching.pairs import (
    BLOCKS,
    HOLDING,
    PAIRS,
    PEOPLE,
    Snapshot,
    _change,
    find_person,
    snapshot,
)
from mentorctl.store.db import Store

CONCERNS = "concerns"
ANSWERS = "answers"
MESSAGES = "messages"
OUTCOMES = ("continue", "end", "block")
FORGOTTEN = "forgotten"


def _stamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def _doc_id(store: Store, table: str, key: str, value: Any) -> int:
    return next(int(k) for k, d in store.documents(table).items() if d.get(key) == value)


# -- blocks -------------------------------------------------------------------------------


@dataclass
class BlockResult:
    action: str  # blocked, already_blocked, unblocked
    people: tuple[str, str]
    ended_pairs: list[str] = field(default_factory=list)
    dry_run: bool = False


def block(
    store_path: Path,
    a_ref: str,
    b_ref: str,
    *,
    reason: str,
    now: dt.datetime,
    dry_run: bool = False,
) -> BlockResult:
    stamp = _stamp(now)
    with Store.writing(store_path, dry_run=dry_run, backup=True) as store:
        snap = snapshot(store)
        a, b = find_person(snap, a_ref)["id"], find_person(snap, b_ref)["id"]
        if a == b:
            raise UsageError("a person cannot block themselves")
        out = BlockResult("blocked", (a, b), dry_run=dry_run)
        if frozenset((a, b)) in snap.blocked:
            out.action = "already_blocked"
        else:
            doc = {"person": a, "other": b, "reason": reason.strip(), "at": stamp, "lifted": False}
            doc["id"] = store.next_id("block", "B")
            store.insert_many(BLOCKS, [doc])
        for pair in snap.pairs:
            if {pair["mentee"], pair["mentor"]} == {a, b} and pair["status"] in HOLDING:
                _change(
                    store, pair, stamp=stamp, note="blocked", status="ended", end_reason="blocked"
                )
                out.ended_pairs.append(pair["id"])
    return out


def unblock(
    store_path: Path, a_ref: str, b_ref: str, *, now: dt.datetime, dry_run: bool = False
) -> BlockResult:
    stamp = _stamp(now)
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        a, b = find_person(snap, a_ref)["id"], find_person(snap, b_ref)["id"]
        found = {
            int(k): d
            for k, d in store.documents(BLOCKS).items()
            if {d.get("person"), d.get("other")} == {a, b} and not d.get("lifted")
        }
        if not found:
            raise UsageError(f"{a} and {b} have not blocked each other")
        store.update_many(BLOCKS, {k: {"lifted": True, "lifted_at": stamp} for k in found})
    return BlockResult("unblocked", (a, b), dry_run=dry_run)


def list_blocks(store_path: Path) -> list[dict[str, Any]]:
    with Store.reading(store_path) as store:
        return [dict(d) for d in store.documents(BLOCKS).values() if not d.get("lifted")]


# -- concerns -----------------------------------------------------------------------------


@dataclass
class ConcernResult:
    action: str  # raised, resolved
    concern: dict[str, Any]
    pairs: list[str]
    dry_run: bool = False


def raise_concern(
    store_path: Path,
    ref: str,
    *,
    reason: str,
    reporter: str | None,
    now: dt.datetime,
    dry_run: bool = False,
) -> ConcernResult:
    """Record a concern about a pair (``M3``) or a person, and pause the pairs concerned."""
    if not reason.strip():
        raise UsageError("describe the concern: --reason TEXT")
    stamp = _stamp(now)
    with Store.writing(store_path, dry_run=dry_run) as store:
        snap = snapshot(store)
        pairs, person = _concerned(snap, ref)
        if not pairs and person is None:
            raise UsageError(f"pair {ref.strip()} is over; a concern pauses only current pairs")
        from_id = find_person(snap, reporter)["id"] if reporter else None
        earlier = _paused_by_open_concerns(store)
        paused = {}
        for pair in pairs:
            # A pair paused by another open concern keeps the status it had before that one.
            paused[pair["id"]] = earlier.get(pair["id"], pair["status"])
            if pair["status"] != "paused":
                _change(store, pair, stamp=stamp, note="paused: concern raised", status="paused")
        doc = {
            "id": store.next_id("concern", "C"),
            "pairs": paused,  # pair id -> status before the pause
            "person": person,
            "from": from_id,
            "reason": reason.strip(),
            "status": "open",
            "raised": stamp,
        }
        store.insert_many(CONCERNS, [doc])
    return ConcernResult("raised", doc, list(paused), dry_run)


def _paused_by_open_concerns(store: Store, *, but: str | None = None) -> dict[str, str]:
    """Pair id -> its status before the pause, for every pair an open concern holds paused."""
    out: dict[str, str] = {}
    for concern in store.documents(CONCERNS).values():
        if concern.get("status") == "open" and concern.get("id") != but:
            for pair_id, before in concern.get("pairs", {}).items():
                out.setdefault(pair_id, before)
    return out


def _concerned(snap: Snapshot, ref: str) -> tuple[list[dict[str, Any]], str | None]:
    for pair in snap.pairs:
        if pair.get("id") == ref.strip():
            return ([pair] if pair["status"] in HOLDING else []), None
    person = find_person(snap, ref)
    pairs = [
        p
        for p in snap.pairs
        if person["id"] in (p["mentee"], p["mentor"]) and p["status"] in HOLDING
    ]
    return pairs, person["id"]


def resolve_concern(
    store_path: Path, concern_id: str, *, outcome: str, now: dt.datetime, dry_run: bool = False
) -> ConcernResult:
    if outcome not in OUTCOMES:
        raise UsageError(f"--outcome '{outcome}': expected continue, end or block")
    stamp = _stamp(now)
    with Store.writing(store_path, dry_run=dry_run, backup=outcome != "continue") as store:
        concern = next(
            (dict(d) for d in store.documents(CONCERNS).values() if d.get("id") == concern_id), None
        )
        if concern is None:
            raise UsageError(f"no concern '{concern_id}'", hint="see 'mentorctl concern --list'")
        if concern["status"] != "open":
            raise UsageError(f"concern {concern_id} is already resolved ({concern.get('outcome')})")
        snap = snapshot(store)
        still_held = _paused_by_open_concerns(store, but=concern_id)
        touched = []
        for pair_id, before in concern["pairs"].items():
            pair = next((p for p in snap.pairs if p["id"] == pair_id), None)
            if pair is None or pair["status"] != "paused":
                continue
            if outcome == "continue" and pair_id in still_held:
                continue  # another open concern still holds it paused
            if outcome == "continue":
                _change(
                    store, pair, stamp=stamp, note=f"concern {concern_id} resolved", status=before
                )
            else:
                _change(
                    store,
                    pair,
                    stamp=stamp,
                    note=f"concern {concern_id}: {outcome}",
                    status="ended",
                    end_reason=f"concern: {outcome}",
                )
            touched.append(pair_id)
            if outcome == "block":
                key = frozenset((pair["mentee"], pair["mentor"]))
                if key not in snap.blocked:
                    store.insert_many(
                        BLOCKS,
                        [
                            {
                                "id": store.next_id("block", "B"),
                                "person": pair["mentee"],
                                "other": pair["mentor"],
                                "reason": f"concern {concern_id}",
                                "at": stamp,
                                "lifted": False,
                            }
                        ],
                    )
                    snap.blocked.add(key)
        changes = {"status": "resolved", "outcome": outcome, "resolved": stamp}
        store.update_many(CONCERNS, {_doc_id(store, CONCERNS, "id", concern_id): changes})
        concern.update(changes)
    return ConcernResult("resolved", concern, touched, dry_run)


def list_concerns(store_path: Path, *, open_only: bool = True) -> list[dict[str, Any]]:
    with Store.reading(store_path) as store:
        return [
            dict(d)
            for d in store.documents(CONCERNS).values()
            if not open_only or d.get("status") == "open"
        ]


# -- forgetting and exporting -------------------------------------------------------------


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

    stamp = _stamp(now)
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
        for table in (ANSWERS, MESSAGES, CONCERNS, BLOCKS):
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
        store.table(PEOPLE).remove(doc_ids=[_doc_id(store, PEOPLE, "id", pid)])
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
        for table in (ANSWERS, MESSAGES, CONCERNS, BLOCKS):
            out[table] = [
                dict(d) for d in store.documents(table).values() if _mentions(d, pid, secrets)
            ]
    return out
