"""The store tables that safety records live in, and small helpers shared by their modules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mentorctl.store.db import Store

CONCERNS = "concerns"
ANSWERS = "answers"
MESSAGES = "messages"
REPLIES = "replies"  # emailed replies recorded (checkins.replies): pair, week, person
OUTCOMES = ("continue", "end", "block")
FORGOTTEN = "forgotten"
TRACES = "forgotten_people"  # a forgotten person's anonymous trace (see .privacy)


def timestamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def doc_id(store: Store, table: str, key: str, value: Any) -> int:
    return next(int(k) for k, d in store.documents(table).items() if d.get(key) == value)


def unnamed(
    store: Store, docs: list[dict[str, Any]], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """``docs`` with a forgotten person's id, in ``fields``, shown as ``forgotten``."""
    gone = {d.get("id") for d in store.documents(TRACES).values()}
    if not gone:
        return docs
    return [{**d, **{f: FORGOTTEN for f in fields if d.get(f) in gone}} for d in docs]
