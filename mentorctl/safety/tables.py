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


def timestamp(now: dt.datetime) -> str:
    return now.isoformat(timespec="seconds")


def doc_id(store: Store, table: str, key: str, value: Any) -> int:
    return next(int(k) for k, d in store.documents(table).items() if d.get(key) == value)
