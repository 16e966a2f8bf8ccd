"""The store as ``checkin --replies`` reads it: messages by Message-ID, people's addresses,
pairs, and the replies remembered from earlier runs (table ``replies``).

A reply is remembered by a hash of its Message-ID (of its bytes when it has none), never
the Message-ID itself, which may hold an address, with its ``outcome``: ``recorded``, or
one of :data:`LEFT_ALONE` (a document without one was recorded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import reply_kinds
from mentorctl.checkins.answers import FEEDBACK_KEY
from mentorctl.checkins.plan import MESSAGES, PAIRS, PEOPLE
from mentorctl.checkins.reply_text import Question
from mentorctl.mail.messages import FIT_KEY
from mentorctl.store.addresses import spellings

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

REPLIES = "replies"
# What became of a reply, as remembered in the table ``replies`` (a document without an
# ``outcome`` was recorded). Only recorded replies are moved by ``move_to``.
RECORDED = "recorded"
UNREADABLE = "unreadable"
LEFT_ALONE = ("unknown", "stranger", "refused", UNREADABLE, *reply_kinds.KINDS[1:])
_MSGID = re.compile(r"<([^<>\s]+)>")
# A reply's Date, when missing or unreadable, sorts before any dated one.
UNDATED = "0000"


def fold(address: str) -> str:
    """An address as people's are kept (an ``xn--`` domain in its Unicode spelling), so a
    reply from either spelling of a domain is from the same person."""
    return spellings(address)[0].casefold()


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a header value, without their angle brackets, in order."""
    return _MSGID.findall(value or "")


def stored_date(doc: dict[str, Any]) -> str:
    """A remembered reply's Date, no later than when it was recorded (a run before Dates were
    clamped may have kept one in year 9000)."""
    date = str(doc.get("date") or "")
    try:
        recorded = dt.datetime.fromisoformat(str(doc.get("at")))
        if recorded.tzinfo is None:
            recorded = recorded.replace(tzinfo=dt.UTC)
        recorded = recorded.astimezone(dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return date
    return min(date, recorded.isoformat(timespec="seconds"))


def reply_hash(msg_id: str | None, raw: bytes) -> str:
    """The name a reply is remembered by: not its Message-ID itself, which may hold an address."""
    seed = ("id:" + msg_id).encode("utf-8", "surrogateescape") if msg_id else b"raw:" + raw
    return hashlib.blake2b(seed, digest_size=16).hexdigest()


class Index:
    """The store, indexed once: recorded messages by Message-ID, people's addresses, pairs."""

    def __init__(self, store: Any, program: Program) -> None:
        self.slug = program.slug
        self.messages: dict[str, dict[str, Any]] = {}
        for doc in store.documents(MESSAGES).values():
            for found in message_ids(doc.get("message_id")):
                self.messages[found] = doc
        self.address = {
            d["id"]: fold(str(d.get("email") or ""))
            for d in store.documents(PEOPLE).values()
            if "id" in d
        }
        self.person_of = {a: p for p, a in self.address.items() if a}
        self.pairs = {d["id"]: d for d in store.documents(PAIRS).values() if "id" in d}
        self.circles = {d["id"]: d for d in store.documents("circles").values() if "id" in d}
        self.seen: dict[str, dict[str, Any]] = {
            d["id"]: d for d in store.documents(REPLIES).values() if "id" in d
        }
        # (pair, week, person, kind) -> the Date of the latest reply applied
        self.latest: dict[tuple[str, int, str, str], str] = {}
        for d in self.seen.values():
            if d.get("applied"):
                slot = (d["pair"], d["week"], d["person"], d.get("kind", ""))
                self.latest[slot] = max(self.latest.get(slot, UNDATED), stored_date(d))
        checkin = program.data["checkin"]
        self.weekly = [Question(q["key"], q["kind"], q["text"]) for q in checkin["questions"]]
        self.fit = Question(FIT_KEY, "yes_no", checkin["fit_question"])
        # a circle's week 1 asks its own words; the answer is the fit answer all the same
        self.circle_fit = Question(FIT_KEY, "yes_no", checkin["circle_fit_question"])
        self.feedback = Question(FEEDBACK_KEY, "text", "")

    def questions(self, kind: str, week: int, *, circle: bool = False) -> list[Question]:
        if kind == "weekly":
            fit = self.circle_fit if circle else self.fit
            return [*self.weekly, fit] if week == 1 else list(self.weekly)
        if kind == "wrapup":
            return [self.feedback]
        return []  # a nudge or an introduction asks nothing: what comes back is a note
