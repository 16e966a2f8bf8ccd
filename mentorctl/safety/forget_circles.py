"""Forgetting a person in the circles table (see :mod:`mentorctl.safety.privacy`).

Once their pairs have ended and their record is gone, each circle is settled at once
(:func:`mentorctl.matching.circle_life.settle`: a mentee who leaves it, a circle that closes
below its minimum, or a co-mentor who takes it over from its lead), and then no circle
document names them any more: their id in its ``mentors`` and ``mentees``, and in its
history's entries (who left, who led it, who stayed when it closed), becomes ``forgotten``,
so every count of a past day stays what it was; they are taken off the lists of people
still to be told (``notify``), since nobody writes to a forgotten person.

Every member of a circle reads the others' names: the reasons saved with each member's pair
("shares Leadership with Ann and Bo"), the circle's introduction to all, the mentor's weekly
message ("week 1 with Ann, Bo and Cy"), a notice that someone left. So every pair of a
circle they were in counts, for ``forget``, as naming them (:func:`pairs_shared`): its
reasons lose their name and first name, and the outbox files of its messages go, as those of
their own pairs do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mentorctl.matching import circle_life
from mentorctl.safety.tables import FORGOTTEN

if TYPE_CHECKING:
    from mentorctl.store.db import Store

CIRCLES = circle_life.CIRCLES
# History lists of people to write to: a forgotten person is dropped from them.
_TO_TELL = frozenset({"notify"})


def forget(store: Store, pid: str, stamp: str) -> list[str]:
    """Settle the circles, then take ``pid`` out of every circle document; what the settling
    did, one sentence per circle closed or taken over."""
    if not store.documents(CIRCLES):
        return []
    done = circle_life.settle(store, stamp=stamp).lines()
    updates: dict[int, dict[str, Any]] = {}
    for key, doc in store.documents(CIRCLES).items():
        fixed = {k: v for k, v in doc.items() if k != "history"}
        fixed = {k: _unnamed(v, pid) for k, v in fixed.items()}
        history = doc.get("history")
        if isinstance(history, list):
            fixed["history"] = [_entry(e, pid) for e in history]
        changes = {k: v for k, v in fixed.items() if v != doc.get(k)}
        if changes:
            updates[int(key)] = changes
    store.update_many(CIRCLES, updates)
    return done


def pairs_shared(store: Store, pid: str) -> set[str]:
    """The ids of the pairs of every circle ``pid`` was in, as mentee or mentor (theirs too)."""
    circles = {
        str(doc.get("id"))
        for doc in store.documents(CIRCLES).values()
        if pid in (doc.get("mentors") or []) or pid in (doc.get("mentees") or [])
    }
    found = {
        str(p)
        for doc in store.documents(CIRCLES).values()
        if str(doc.get("id")) in circles
        for p in doc.get("pairs") or ()
    }
    for doc in store.documents("pairs").values():
        if doc.get("circle") is not None and str(doc.get("circle")) in circles:
            found.add(str(doc.get("id")))
    return found


def _entry(entry: Any, pid: str) -> Any:
    if not isinstance(entry, dict):
        return entry
    out = {}
    for k, v in entry.items():
        if k in _TO_TELL and isinstance(v, list):
            out[k] = [p for p in v if p != pid]
        else:
            out[k] = _unnamed(v, pid)
    return out


def _unnamed(value: Any, pid: str) -> Any:
    if isinstance(value, str):
        return FORGOTTEN if value == pid else value
    if isinstance(value, list):
        return [_unnamed(v, pid) for v in value]
    if isinstance(value, dict):
        return {k: _unnamed(v, pid) for k, v in value.items()}
    return value


__all__ = ["forget", "pairs_shared"]
