"""A run's messages and the store as a run sees it: what a message is, where it is filed.

**Messages in the store** (table ``messages``): one document per email, keyed
``pair/kind/week/part`` (part ``all``, or the recipient's person id in ``mode: separate``),
with the people it is addressed to (``to``), its Message-ID and outbox file, and per
recipient a delivery state ``written`` (in the outbox only), ``queued`` (only while an SMTP
run is sending), ``sent`` or ``failed``, with attempts and an error text that holds no
personal data. A message once recorded is never created again.

A message that belongs to no pair (a ``waiting`` notice, a ``mentor_ask`` question, a
``shortlist``) has pair id ""; its outbox file is named by its kind and recipient.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.errors import UsageError

if TYPE_CHECKING:
    from mentorctl.mail.messages import Rendered
    from mentorctl.store.db import Store

PAIRS = "pairs"
PEOPLE = "people"
MESSAGES = "messages"
ANSWERS = "answers"
HOLDING = frozenset({"proposed", "active", "quiet", "paused"})


def message_key(pair_id: str, kind: str, week: int, part: str) -> str:
    return f"{pair_id}/{kind}/{week}/{part}"


def outbox_file(pair_id: str, kind: str, week: int, part: str) -> str:
    """``outbox/M3-weekly-w02.eml``: one flat folder (``mentorctl forget`` removes a person's
    files from it by name), sorted by pair; ``-P5`` names the recipient in mode: separate."""
    if kind == "mentor_ask":  # one per mentor and ask: outbox/mentor_ask-P5-1.eml
        return f"outbox/{kind}-{part}-{week}.eml"
    name = f"{pair_id}-{kind}" if pair_id else kind  # a waiting notice belongs to no pair
    name += f"-w{week:02d}" if kind in ("weekly", "nudge") else ""
    name += f"-{week}" if kind in ("paused", "circle_away", "shortlist") else ""  # its number
    return f"outbox/{name}{'' if part == 'all' else '-' + part}.eml"


def waiting_pair(person: str) -> dict[str, Any]:
    """What stands for a pair in a ``waiting`` notice: a mentee not paired yet (pair id "")."""
    return {"id": "", "mentee": person, "mentor": None}


def pair_number(pair_id: str) -> tuple[int, str]:
    digits = pair_id[1:]
    return (int(digits), "") if digits.isdigit() else (0, pair_id)


@dataclass
class Outgoing:
    """One email of a run: new, or an earlier one delivered again to ``pending``."""

    pair: dict[str, Any]
    kind: str
    week: int
    part: str
    to: list[str]  # person ids in the To header
    pending: list[str]  # person ids to deliver to in this run
    start: dt.date | None
    doc_id: int | None = None
    nudge: bool = False  # a weekly message that carries the quiet pair's nudge
    until: dt.date | None = None  # a ``paused`` notice: the day the partner is back
    rendered: Rendered | None = None
    results: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return message_key(self.pair["id"], self.kind, self.week, self.part)

    @property
    def file(self) -> str:
        return outbox_file(self.pair["id"], self.kind, self.week, self.part)


@dataclass
class MessageRow:
    pair: str
    kind: str
    week: int
    to: list[str]
    status: str
    file: str
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    """What a run did (or, with ``dry_run``, would do); the CLI prints it."""

    command: str
    today: dt.date
    send: bool
    dry_run: bool
    messages: list[MessageRow] = field(default_factory=list)
    introduced: list[str] = field(default_factory=list)
    not_introduced: list[str] = field(default_factory=list)  # delivery of the intro failed
    quiet: list[dict[str, Any]] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    back_active: list[str] = field(default_factory=list)
    left: int = 0  # messages due but left for the next run by --limit
    recovered: int = 0  # deliveries of an interrupted run settled from the journal
    warnings: list[str] = field(default_factory=list)
    previews: list[dict[str, Any]] = field(default_factory=list)
    undeliverable: list[dict[str, str]] = field(default_factory=list)  # refused for good
    held: list[str] = field(default_factory=list)  # pairs introduced only in the outbox
    released: list[str] = field(default_factory=list)  # ended: introduction undeliverable

    @property
    def failed(self) -> int:
        return sum(1 for m in self.messages if m.status == "failed")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for m in self.messages:
            out[m.kind] += 1
        return dict(out)


# -- the store as a run sees it -----------------------------------------------------------


class State:
    """People, pairs and messages, indexed once per run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.people = {d["id"]: d for d in store.documents(PEOPLE).values() if "id" in d}
        self.pair_docs = store.documents(PAIRS)
        self.pairs = sorted(
            (d for d in self.pair_docs.values() if "id" in d), key=lambda d: pair_number(d["id"])
        )
        self.pair_by_id = {d["id"]: d for d in self.pairs}
        self.messages: dict[str, tuple[int, dict[str, Any]]] = {}
        self.by_pair: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for doc_id, doc in store.documents(MESSAGES).items():
            if "key" in doc:
                self.messages[doc["key"]] = (int(doc_id), doc)
                self.by_pair[doc["pair"]].append(doc)

    def person(self, pid: str) -> dict[str, Any]:
        """A person; one forgotten since (an ``ended`` notice after ``forget``) is unnamed."""
        return self.people.get(pid) or {"id": pid, "first_name": "your partner"}

    def pair(self, ref: str) -> dict[str, Any]:
        found = self.pair_by_id.get(ref.strip())
        if found is None:
            raise UsageError(f"no pair '{ref}' in this program", hint="pair ids look like M3")
        return found


def unsent(doc: dict[str, Any]) -> list[str]:
    """The recipients of a recorded message it has not reached yet (never one it reached)."""
    delivery = doc.get("delivery", {})
    return [p for p in doc["to"] if delivery.get(p, {}).get("status") != "sent"]


def again(state: State, doc: dict[str, Any], pending: list[str], start: dt.date | None) -> Outgoing:
    """A recorded message, to deliver again to ``pending``."""
    return Outgoing(
        pair=state.pair_by_id[doc["pair"]],
        kind=doc["kind"],
        week=int(doc["week"]),
        part=doc["part"],
        to=list(doc["to"]),
        pending=pending,
        start=start,
        doc_id=state.messages[doc["key"]][0],
        nudge=bool(doc.get("nudge")),
    )
