"""People and pairs looked up by an admin: lists with filters, and one person or pair whole.

Pure functions over the store's documents (``Directory``), plus ``load`` that reads a store
once. Every row carries the names beside the ids, and dates as days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.checkins.schedule import parse_day, week_of
from mentorctl.errors import UsageError
from mentorctl.matching.rounds import waiting_mentees
from mentorctl.report.labels import day, status_label, who

HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
ROLES = ("mentee", "mentor", "both")


@dataclass
class Directory:
    people: dict[str, dict[str, Any]]
    pairs: dict[str, dict[str, Any]]
    answers: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    concerns: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    today: dt.date = dt.date(1970, 1, 1)
    duration_weeks: int = 0

    def name(self, pid: Any) -> str:
        person = self.people.get(str(pid))
        return str(person.get("name") or "") if person else ""

    def who(self, pid: Any) -> str:
        return who(self.name(pid), pid)

    def week(self, pair: dict[str, Any]) -> int | None:
        start = parse_day(pair.get("start_date"))
        if start is None or pair.get("status") == "proposed":
            return None
        ended = parse_day(pair.get("ended"))  # an ended pair stays in the week it ended
        day_ = min(self.today, ended) if ended else self.today
        return max(1, min(self.duration_weeks or 10**6, week_of(start, day_)))

    def last_answer(self, pair_id: str) -> str | None:
        days = [str(a.get("updated") or a.get("at") or "") for a in self.answers_of(pair_id)]
        return day(max(days)) if any(days) else None

    def answers_of(self, pair_id: str) -> list[dict[str, Any]]:
        return [a for a in self.answers if a.get("pair") == pair_id]

    def pairs_of(self, pid: str) -> list[dict[str, Any]]:
        return [p for p in self.sorted_pairs() if pid in (p.get("mentee"), p.get("mentor"))]

    def sorted_pairs(self) -> list[dict[str, Any]]:
        return sorted(self.pairs.values(), key=lambda p: _number(p.get("id")))

    def waiting(self) -> set[str]:
        found = waiting_mentees(list(self.people.values()), list(self.pairs.values()), self.today)
        return {str(p.get("id")) for p in found}


def load(store_path: Path, *, today: dt.date, duration_weeks: int) -> Directory:
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:

        def docs(table: str) -> list[dict[str, Any]]:
            return [dict(d) for d in store.documents(table).values() if isinstance(d, dict)]

        return Directory(
            people={str(p.get("id")): p for p in docs("people")},
            pairs={str(p.get("id")): p for p in docs("pairs")},
            answers=docs("answers"),
            messages=docs("messages"),
            concerns=docs("concerns"),
            blocks=docs("blocks"),
            today=today,
            duration_weeks=duration_weeks,
        )


def _number(ident: Any) -> tuple[int, str]:
    text = str(ident or "")
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 0, text)


def _matches(text: str | None, *values: Any) -> bool:
    if not text:
        return True
    needle = text.casefold()
    return any(needle in str(v or "").casefold() for v in values)


def _has_topic(topic: str | None, *lists: Any) -> bool:
    if not topic:
        return True
    needle = topic.casefold()
    return any(needle in str(t).casefold() for items in lists for t in (items or []))


@dataclass
class Filters:
    role: str | None = None
    status: str | None = None
    topic: str | None = None
    week: int | None = None
    quiet: bool = False
    waiting: bool = False
    search: str | None = None

    def check(self) -> None:
        if self.role and self.role not in ROLES:
            raise UsageError(f"unknown role '{self.role[:20]}'", hint="use " + ", ".join(ROLES))
        if self.week is not None and self.week < 1:
            raise UsageError("--week must be 1 or more")


def people_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    """One row per person, with their current pair(s) and program week."""
    f.check()
    waiting = d.waiting()
    rows = []
    for pid, person in sorted(d.people.items(), key=lambda kv: _number(kv[0])):
        current = [p for p in d.pairs_of(pid) if p.get("status") in HOLDING]
        weeks = [w for w in (d.week(p) for p in current) if w is not None]
        if f.role and person.get("role") != f.role:
            continue
        if f.status and str(person.get("status", "active")) != f.status:
            continue
        if not _has_topic(f.topic, person.get("goals"), person.get("expertise")):
            continue
        if f.week is not None and f.week not in weeks:
            continue
        if f.quiet and not any(p.get("status") == "quiet" for p in current):
            continue
        if f.waiting and pid not in waiting:
            continue
        if not _matches(f.search, person.get("name"), person.get("email")):
            continue
        rows.append(
            {
                "id": pid,
                "name": person.get("name"),
                "email": person.get("email"),
                "role": person.get("role"),
                "status": person.get("status", "active"),
                "status_label": status_label(person.get("status", "active")),
                "topics": list(person.get("goals") or []) + list(person.get("expertise") or []),
                "pairs": [p.get("id") for p in current],
                "week": min(weeks) if weeks else None,
                "waiting": pid in waiting,
                "signed_up": day(person.get("created")),
            }
        )
    return rows


def pair_row(d: Directory, pair: dict[str, Any]) -> dict[str, Any]:
    mentee, mentor = pair.get("mentee"), pair.get("mentor")
    return {
        "id": pair.get("id"),
        "mentee": mentee,
        "mentee_name": d.name(mentee),
        "mentor": mentor,
        "mentor_name": d.name(mentor),
        "status": pair.get("status"),
        "status_label": status_label(pair.get("status")),
        "week": d.week(pair),
        "score": pair.get("score"),
        "start_date": day(pair.get("start_date")) if pair.get("start_date") else None,
        "last_answer": d.last_answer(str(pair.get("id"))),
        "end_reason": pair.get("end_reason") or pair.get("reason"),
    }


def pair_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    """One row per pair, with both people's names."""
    f.check()
    waiting = d.waiting()
    rows = []
    for pair in d.sorted_pairs():
        ids = (pair.get("mentee"), pair.get("mentor"))
        people = [d.people.get(str(i)) or {} for i in ids]
        # A pair "has" a role through the person in it with that role.
        if f.role and not any(p.get("role") == f.role for p in people):
            continue
        if f.status and str(pair.get("status")) != f.status:
            continue
        if not _has_topic(f.topic, *[p.get("goals") for p in people]) and not _has_topic(
            f.topic, *[p.get("expertise") for p in people]
        ):
            continue
        if f.week is not None and d.week(pair) != f.week:
            continue
        if f.quiet and pair.get("status") != "quiet":
            continue
        if f.waiting and pair.get("mentee") not in waiting:
            continue
        if f.search and not any(_matches(f.search, p.get("name"), p.get("email")) for p in people):
            continue
        rows.append(pair_row(d, pair))
    return rows


def find_person(d: Directory, key: str) -> dict[str, Any]:
    """A person by id (P3) or email."""
    wanted = key.strip()
    person = d.people.get(wanted.upper()) or next(
        (p for p in d.people.values() if str(p.get("email", "")).casefold() == wanted.casefold()),
        None,
    )
    if person is None:
        raise UsageError(
            f"no person {wanted if wanted[:1] in 'Pp' and '@' not in wanted else '(by that email)'}",
            hint="'mentorctl people' lists them",
        )
    return person


def find_pair(d: Directory, key: str) -> dict[str, Any]:
    pair = d.pairs.get(key.strip().upper())
    if pair is None:
        raise UsageError(f"no pair {key.strip()[:20]}", hint="'mentorctl pairs' lists them")
    return pair


def _history(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "date": day(h.get("at")),
            "status": h.get("status"),
            "status_label": status_label(h.get("status")) if h.get("status") else "-",
            "note": h.get("note") or h.get("reason") or "",
            "by": h.get("by") or "",
        }
        for h in doc.get("history") or []
        if isinstance(h, dict)
    ]


def _messages(d: Directory, pair_id: str | None, pid: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for m in sorted(d.messages, key=lambda m: (str(m.get("created") or ""), _number(m.get("id")))):
        if pair_id is not None and m.get("pair") != pair_id:
            continue
        if pid is not None and pid not in (m.get("to") or []):
            continue
        rows.append(
            {
                "id": m.get("id"),
                "pair": m.get("pair"),
                "kind": m.get("kind"),
                "week": m.get("week"),
                "status": m.get("status"),
                "date": day(m.get("sent_at") or m.get("created")),
            }
        )
    return rows


def _answers(d: Directory, pair_id: str) -> list[dict[str, Any]]:
    return [
        {
            "week": a.get("week"),
            "person": a.get("person"),
            "person_name": d.name(a.get("person")),
            "date": day(a.get("updated") or a.get("at")),
            "answers": dict(a.get("answers") or {}),
        }
        for a in sorted(
            d.answers_of(pair_id), key=lambda a: (a.get("week") or 0, str(a.get("person")))
        )
    ]


def _concerns(d: Directory, pair_id: str | None = None, pid: str | None = None) -> list[dict]:
    rows = []
    for c in sorted(d.concerns, key=lambda c: _number(c.get("id"))):
        pairs = sorted(c.get("pairs") or {})
        if pair_id is not None and pair_id not in pairs:
            continue
        if (
            pid is not None
            and pid not in (c.get("person"), c.get("from"))
            and not any(
                pid in (d.pairs.get(p, {}).get("mentee"), d.pairs.get(p, {}).get("mentor"))
                for p in pairs
            )
        ):
            continue
        rows.append(
            {
                "id": c.get("id"),
                "status": c.get("status"),
                "raised": day(c.get("raised")),
                "pairs": pairs,
                "reason": c.get("reason"),
                "outcome": c.get("outcome"),
            }
        )
    return rows


def pair_detail(d: Directory, key: str) -> dict[str, Any]:
    """One pair whole: the two people, score and reasons, week, history, messages, answers."""
    pair = find_pair(d, key)
    pair_id = str(pair.get("id"))
    data = pair_row(d, pair)
    data["reasons"] = list(pair.get("reasons") or [])
    data["people"] = [
        _person_brief(d, pair.get("mentee"), "mentee"),
        _person_brief(d, pair.get("mentor"), "mentor"),
    ]
    data["history"] = _history(pair)
    data["messages"] = _messages(d, pair_id)
    data["answers"] = _answers(d, pair_id)
    data["concerns"] = _concerns(d, pair_id=pair_id)
    return data


def _person_brief(d: Directory, pid: Any, as_role: str) -> dict[str, Any]:
    person = d.people.get(str(pid)) or {}
    return {
        "as": as_role,
        "id": pid,
        "name": person.get("name"),
        "email": person.get("email"),
        "timezone": person.get("timezone"),
        "languages": list(person.get("languages") or []),
        "topics": list(person.get("goals") or person.get("expertise") or []),
    }


def person_detail(d: Directory, key: str) -> dict[str, Any]:
    """One person whole: sign-up, pairs (with names), messages, concerns, blocks."""
    person = find_person(d, key)
    pid = str(person.get("id"))
    blocks = [
        {
            "id": b.get("id"),
            "other": (other := b.get("other") if b.get("person") == pid else b.get("person")),
            "other_name": d.name(other),
            "since": day(b.get("at")),
        }
        for b in d.blocks
        if pid in (b.get("person"), b.get("other")) and not b.get("lifted")
    ]
    return {
        "id": pid,
        "name": person.get("name"),
        "email": person.get("email"),
        "role": person.get("role"),
        "status": person.get("status", "active"),
        "status_label": status_label(person.get("status", "active")),
        "age": person.get("age"),
        "goals": list(person.get("goals") or []),
        "expertise": list(person.get("expertise") or []),
        "languages": list(person.get("languages") or []),
        "timezone": person.get("timezone"),
        "capacity": person.get("capacity"),
        "organisation": person.get("organisation"),
        "signed_up": day(person.get("created")),
        "waiting": pid in d.waiting(),
        "pairs": [pair_row(d, p) for p in d.pairs_of(pid)],
        "messages": _messages(d, None, pid),
        "concerns": _concerns(d, pid=pid),
        "blocks": blocks,
    }
