"""A pair's changes, each with a dated entry in its own ``history`` (pure: no I/O but the
store it is given). Kept apart from :mod:`.pairs` so that what settles a circle
(:mod:`.circle_life`), which ``pairs`` calls when a circle's member pair ends, can change pairs
too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentorctl.store.db import Store

PAIRS = "pairs"
# A pair that ends before the program does; once introduced, its people are told.
EARLY_END = frozenset({"ended", "not_fit"})
INTRODUCED = frozenset({"active", "quiet", "paused"})


def change_pairs(
    store: Store, changes: dict[str, tuple[dict[str, Any], str]], stamp: str, by: str | None = None
) -> None:
    """Apply ``{pair id: (fields, note)}`` in one batch, each with an entry in the pair's history."""
    if not changes:
        return
    docs = store.documents(PAIRS)
    index = {d.get("id"): k for k, d in docs.items()}
    updates: dict[int, dict[str, Any]] = {}
    for pair_id, (fields, note) in changes.items():
        key = index[pair_id]
        entry: dict[str, Any] = {"at": stamp, "note": note}
        if by is not None:
            entry["by"] = by
        if "status" in fields:
            entry["status"] = fields["status"]
        history = [*docs[key].get("history", []), entry]
        extra: dict[str, Any] = {}
        before = docs[key].get("status")
        if (
            fields.get("status") in EARLY_END
            and before in INTRODUCED
            and "notify_ended" not in fields
        ):
            # The next check-in run tells both people, kindly and without saying why.
            extra["notify_ended"] = [docs[key]["mentee"], docs[key]["mentor"]]
        updates[int(key)] = {**fields, **extra, "updated": stamp, "history": history}
    store.update_many(PAIRS, updates)


__all__ = ["EARLY_END", "INTRODUCED", "PAIRS", "change_pairs"]
