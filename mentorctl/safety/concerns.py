"""Concerns about a pair, or about a person (then every current pair of theirs).

A concern pauses the pair: check-ins skip paused pairs until the admin resolves the concern,
with the outcome continue (the pair resumes), end (the pair ends) or block (it ends and the
two are blocked). A pair ended by a concern sends both people back to waiting at once (never
to each other), each told in the kind ``ended`` message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.matching.pairs import (
    BLOCKS,
    HOLDING,
    Snapshot,
    _change,
    find_person,
    snapshot,
)
from mentorctl.safety.tables import CONCERNS, OUTCOMES, doc_id, timestamp, unnamed
from mentorctl.store.db import Store


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
    stamp = timestamp(now)
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
    stamp = timestamp(now)
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
                    released=[pair["mentee"], pair["mentor"]],
                    # A pair never introduced ends silently.
                    **({} if pair.get("start_date") else {"notify_ended": []}),
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
        if outcome != "continue" and any(p.get("circle") for p in snap.pairs if p["id"] in touched):
            from mentorctl.matching import circle_life  # a member left: their circle at once

            circle_life.settle(store, stamp=stamp)
        changes = {"status": "resolved", "outcome": outcome, "resolved": stamp}
        store.update_many(CONCERNS, {doc_id(store, CONCERNS, "id", concern_id): changes})
        concern.update(changes)
    return ConcernResult("resolved", concern, touched, dry_run)


def list_concerns(store_path: Path, *, open_only: bool = True) -> list[dict[str, Any]]:
    with Store.reading(store_path) as store:
        found = [
            dict(d)
            for d in store.documents(CONCERNS).values()
            if not open_only or d.get("status") == "open"
        ]
        return unnamed(store, found, ("person", "from"))
