"""Blocks: two people who are never paired again; a current pair between them ends at once.

Both people of a pair ended by a block go back to waiting at once, and each is told, with the
next check-in run, in the kind ``ended`` message (if the pair had been introduced).

Blocks can be listed and lifted. Nothing here prints or logs an email address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.matching.pairs import (
    BLOCKS,
    HOLDING,
    _change,
    find_person,
    snapshot,
)
from mentorctl.safety.tables import timestamp, unnamed
from mentorctl.store.db import Store


@dataclass
class BlockResult:
    action: str  # blocked, already_blocked, unblocked
    people: tuple[str, str]
    ended_pairs: list[str] = field(default_factory=list)
    dry_run: bool = False
    circles: list[str] = field(default_factory=list)  # circles it closed or handed over


def block(
    store_path: Path,
    a_ref: str,
    b_ref: str,
    *,
    reason: str,
    now: dt.datetime,
    dry_run: bool = False,
) -> BlockResult:
    stamp = timestamp(now)
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
                # Neither is 'finished': both wait for a new pair at once (never each other).
                _change(
                    store,
                    pair,
                    stamp=stamp,
                    note="blocked",
                    status="ended",
                    end_reason="blocked",
                    released=[pair["mentee"], pair["mentor"]],
                )
                out.ended_pairs.append(pair["id"])
        if any(p.get("circle") for p in snap.pairs if p["id"] in out.ended_pairs):
            from mentorctl.matching import circle_life  # a member left: their circle at once

            out.circles = circle_life.settle(store, stamp=stamp).lines()
    return out


def unblock(
    store_path: Path, a_ref: str, b_ref: str, *, now: dt.datetime, dry_run: bool = False
) -> BlockResult:
    stamp = timestamp(now)
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
        found = [dict(d) for d in store.documents(BLOCKS).values() if not d.get("lifted")]
        return unnamed(store, found, ("person", "other"))
