"""People and pairs looked up by an admin: lists with filters, and one person or pair whole.

Pure functions over the store's documents (``Directory``), plus ``load`` that reads a store
once. Every row carries the names beside the ids, and dates as days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorctl.checkins import meeting_replies
from mentorctl.errors import UsageError
from mentorctl.gcpause import paused_gc
from mentorctl.history import events
from mentorctl.history.fold import HOLDING, PairOn, PersonOn, State, id_key
from mentorctl.matching import circle_life
from mentorctl.matching.choices import offered_and_chosen
from mentorctl.matching.explain import against_parts
from mentorctl.report import asof
from mentorctl.report.labels import day, pair_status_label, status_label, who
from mentorctl.report.search_text import fold as fold
from mentorctl.report.search_text import has_topic as _has_topic
from mentorctl.report.search_text import matches as _matches

ROLES = ("mentee", "mentor", "both")
FORGOTTEN = "forgotten"  # a forgotten person's id, as shown (and as older stores keep it)
REDACTED = "[forgotten]"  # their name, address and what they wrote, as shown


@dataclass
class Directory:
    """The fold of one day, with the look-ups the lists and the show pages make of it."""

    state: State
    waiting_ids: set[str] = field(default_factory=set)
    rounds: dict[str, int] = field(default_factory=dict)  # each pair's round

    @classmethod
    def of(cls, state: State) -> Directory:
        from mentorctl.history.program_rounds import numbered

        with paused_gc():
            waiting = {str(p.get("id")) for p in asof.waiting(state)}
            pairs = (p.doc for p in state.pairs.values())
            return cls(state, waiting, numbered(pairs, state.duration_weeks))

    @property
    def several_rounds(self) -> bool:
        """Whether the program had run more than one round by the day."""
        return len(set(self.rounds.values())) > 1

    @property
    def today(self) -> dt.date:
        return self.state.day

    @property
    def people(self) -> dict[str, PersonOn]:
        return self.state.people

    @property
    def pairs(self) -> dict[str, PairOn]:
        return self.state.pairs

    def gone(self, pid: Any) -> bool:
        """Whether ``pid`` is a forgotten person (on any day: they show only as such)."""
        return pid == FORGOTTEN or str(pid) in self.state.forgotten

    def shown(self, pid: Any) -> Any:
        """A person's id as shown: ``forgotten`` for a forgotten person."""
        return FORGOTTEN if self.gone(pid) else pid

    def name(self, pid: Any) -> str:
        if self.gone(pid):
            return REDACTED
        person = self.people.get(str(pid))
        return "" if person is None else str(person.doc.get("name") or "")

    def who(self, pid: Any) -> str:
        return who(self.name(pid), self.shown(pid))

    def answers_of(self, pair_id: str) -> list[dict[str, Any]]:
        return [a for a in self.state.answers if a.get("pair") == pair_id]

    def pairs_of(self, pid: str) -> list[PairOn]:
        return [p for p in self.sorted_pairs() if pid in (p.doc.get("mentee"), p.doc.get("mentor"))]

    def sorted_pairs(self) -> list[PairOn]:
        return sorted(self.pairs.values(), key=lambda p: id_key(p.doc.get("id")))


def load(store_path: Path, *, today: dt.date, duration_weeks: int) -> Directory:
    return Directory.of(asof.load(store_path, today=today, duration_weeks=duration_weeks))


def _choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise UsageError(
            f"unknown {option.lstrip('-')} '{value[:20]}'",
            hint=f"{option} takes one of: " + ", ".join(allowed),
        )


@dataclass
class Filters:
    role: str | None = None
    status: str | None = None
    topic: str | None = None
    week: int | None = None
    quiet: bool = False
    waiting: bool = False
    search: str | None = None
    round_: int | None = None

    def check(self, statuses: tuple[str, ...] = ()) -> None:
        _choice("--role", self.role, ROLES)
        if statuses:
            _choice("--status", self.status, statuses)
        if self.week is not None and self.week < 1:
            raise UsageError("--week must be 1 or more")
        if self.round_ is not None and self.round_ < 1:
            raise UsageError("--round must be 1 or more")


def _person_status(d: Directory, pid: str, person: PersonOn) -> dict[str, Any]:
    pause = person.pause
    undeliverable = person.undeliverable
    waiting = pid in d.waiting_ids
    return {
        "status": person.status,
        "status_label": asof.person_label(person.status, pause, waiting, undeliverable),
        "paused_until": pause.until.isoformat() if pause else None,
        "pause_reason": (pause.reason or None) if pause else None,
        "undeliverable": asof.undeliverable_row(undeliverable) if undeliverable else None,
        "waiting": waiting,
    }


def _person_matches(d: Directory, pid: str, person: PersonOn, wanted: str) -> bool:
    if wanted == "waiting":
        return pid in d.waiting_ids
    if wanted == "undeliverable":
        return person.undeliverable is not None
    return person.status == wanted


def people_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    """One row per person, with their status that day, current pair(s) and program week."""
    f.check(asof.PERSON_STATUSES)
    with paused_gc():
        return _people_rows(d, f)


def _people_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    filtered = any((f.role, f.status, f.topic, f.week is not None, f.quiet, f.waiting, f.search))
    pairs = d.pairs
    rows = []
    for pid in sorted(d.people, key=id_key):
        person = d.people[pid]
        doc = person.doc
        current = [pairs[p] for p in person.pairs if p in pairs]
        weeks = [p.week for p in current if p.week is not None]
        if filtered and not _person_wanted(d, f, pid, person, current, weeks):
            continue
        goals, expertise = doc.get("goals"), doc.get("expertise")
        gone = d.gone(pid)
        rows.append(
            {
                "id": d.shown(pid),
                "name": REDACTED if gone else doc.get("name"),
                "email": REDACTED if gone else doc.get("email"),
                "role": doc.get("role"),
                **_person_status(d, pid, person),
                "topics": [*(goals or ()), *(expertise or ())],
                "pairs": _number_sorted([p.doc.get("id") for p in current]),
                "week": min(weeks) if weeks else None,
                "signed_up": day(doc.get("created")),
            }
        )
    return rows


def _person_wanted(
    d: Directory, f: Filters, pid: str, person: PersonOn, current: list[PairOn], weeks: list[int]
) -> bool:
    doc = person.doc
    if f.role and doc.get("role") != f.role:
        return False
    if f.status and not _person_matches(d, pid, person, f.status):
        return False
    if not _has_topic(f.topic, doc.get("goals"), doc.get("expertise")):
        return False
    if f.week is not None and f.week not in weeks:
        return False
    if f.quiet and not any(p.status == "quiet" for p in current):
        return False
    if f.waiting and pid not in d.waiting_ids:
        return False
    return _matches(f.search, doc.get("name"), doc.get("email"))


def _number_sorted(ids: list[Any]) -> list[Any]:
    return sorted(ids, key=id_key) if len(ids) > 1 else ids


def pair_row(d: Directory, pair: PairOn) -> dict[str, Any]:
    doc = pair.doc
    mentee, mentor = doc.get("mentee"), doc.get("mentor")
    refused = asof.refused(d.state, pair)
    return {
        "id": doc.get("id"),
        "mentee": d.shown(mentee),
        "mentee_name": d.name(mentee),
        "mentor": d.shown(mentor),
        "mentor_name": d.name(mentor),
        "status": pair.status,
        "status_label": pair_status_label(pair.status, list(refused), pair.recorded),
        "undeliverable": [d.shown(p) for p in refused.values()],
        "round": d.rounds.get(str(doc.get("id"))),
        "circle": doc.get("circle"),
        "week": pair.week,
        "score": doc.get("score"),
        "start_date": day(doc.get("start_date")) if pair.start and doc.get("start_date") else None,
        "last_answer": pair.last_answer,
        "end_reason": (doc.get("end_reason") or doc.get("reason"))
        if pair.recorded not in HOLDING
        else None,
    }


def pair_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    """One row per pair, with both people's names, as the pair stood that day."""
    statuses = tuple(dict.fromkeys([*asof.PAIR_STATUSES, *(p.status for p in d.pairs.values())]))
    f.check(statuses)
    with paused_gc():
        return _pair_rows(d, f)


def check_round(d: Directory, number: int | None) -> None:
    """Refuse a round the program did not have on the day (``report --round`` does too)."""
    known = sorted(set(d.rounds.values()))
    if number is not None and number not in known:
        raise UsageError(
            f"--round {number}: the program had no round {number} on {d.today.isoformat()}",
            hint="its rounds then: " + (", ".join(str(n) for n in known) or "none yet"),
        )


def _pair_rows(d: Directory, f: Filters) -> list[dict[str, Any]]:
    rows = []
    for pair in d.sorted_pairs():
        doc = pair.doc
        ids = (doc.get("mentee"), doc.get("mentor"))
        people = [d.people[str(i)].doc if str(i) in d.people else {} for i in ids]
        # A pair "has" a role through the person in it with that role.
        if f.role and not any(p.get("role") == f.role for p in people):
            continue
        if f.status and pair.status != f.status:
            continue
        if not _has_topic(f.topic, *[p.get("goals") for p in people]) and not _has_topic(
            f.topic, *[p.get("expertise") for p in people]
        ):
            continue
        if f.week is not None and pair.week != f.week:
            continue
        if f.round_ is not None and d.rounds.get(str(doc.get("id"))) != f.round_:
            continue
        if f.quiet and pair.status != "quiet":
            continue
        if f.waiting and doc.get("mentee") not in d.waiting_ids:
            continue
        if f.search and not any(_matches(f.search, p.get("name"), p.get("email")) for p in people):
            continue
        rows.append(pair_row(d, pair))
    return rows


def find_person(d: Directory, key: str) -> PersonOn:
    """A person by id (P3), email, or full name when exactly one person that day has it
    (compared as :func:`fold` does). A forgotten person is never found."""
    wanted = key.strip()
    person = d.people.get(wanted.upper()) or next(
        (
            p
            for p in d.people.values()
            if str(p.doc.get("email", "")).casefold() == wanted.casefold()
        ),
        None,
    )
    if person is None and "@" not in wanted:
        person = _by_name(d, wanted)
    if person is None or d.gone(person.doc.get("id")):  # a forgotten person is not looked up
        raise UsageError(
            f"no person {wanted if _looks_like_id(wanted) else '(by that email or name)'}",
            hint="'mentorctl people' lists them",
        )
    return person


def _looks_like_id(key: str) -> bool:
    return key[:1] in "Pp" and key[1:].isdigit()


def _by_name(d: Directory, key: str) -> PersonOn | None:
    name = fold(key)
    if not name:
        return None
    found = [
        p for pid, p in d.people.items() if not d.gone(pid) and fold(p.doc.get("name")) == name
    ]
    if len(found) > 1:
        # The name is the admin's own words, but an error line never carries a name: ids only.
        ids = sorted((str(p.doc.get("id")) for p in found), key=id_key)
        raise UsageError(
            f"{len(found)} people have that name: {', '.join(ids)}",
            hint="use an id or an address",
        )
    return found[0] if found else None


def find_pair(d: Directory, key: str) -> PairOn:
    pair = d.pairs.get(key.strip().upper())
    if pair is None:
        raise UsageError(f"no pair {key.strip()[:20]}", hint="'mentorctl pairs' lists them")
    return pair


def _history(doc: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    iso = today.isoformat()
    return [
        {
            "date": day(h.get("at")),
            "status": h.get("status"),
            "status_label": status_label(h.get("status")) if h.get("status") else "-",
            "note": h.get("note") or h.get("reason") or meeting_replies.note(h),
            "by": h.get("by") or "",
        }
        for h in doc.get("history") or []
        if isinstance(h, dict) and str(h.get("at") or "")[:10] <= iso
    ]


def _messages(d: Directory, pair_id: str | None, pid: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for m in sorted(
        d.state.messages, key=lambda m: (str(m.get("created") or ""), id_key(m.get("id")))
    ):
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
            "person": d.shown(a.get("person")),
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
    for c in sorted(d.state.concerns, key=lambda c: id_key(c.get("id"))):
        pairs = sorted(c.get("pairs") or {})
        if pair_id is not None and pair_id not in pairs:
            continue
        if (
            pid is not None
            and pid not in (c.get("person"), c.get("from"))
            and not any(
                p in d.pairs and pid in (d.pairs[p].doc.get("mentee"), d.pairs[p].doc.get("mentor"))
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
    doc = pair.doc
    pair_id = str(doc.get("id"))
    data = pair_row(d, pair)
    data["paused_by"] = list(pair.paused_by)
    data["reasons"] = list(doc.get("reasons") or [])
    data["against"] = (
        list(doc["against"]) if "against" in doc else against_parts(doc.get("parts") or [])
    )
    data["people"] = [
        _person_brief(d, doc.get("mentee"), "mentee"),
        _person_brief(d, doc.get("mentor"), "mentor"),
    ]
    data["history"] = _history(doc, d.today)
    data["meeting"] = [
        {**m, "person": d.shown(m["person"]), "person_name": d.name(m["person"])}
        for m in meeting_replies.rows(doc, d.today.isoformat())
    ]
    if doc.get("circle"):  # the circle's one meeting: how many of its people accepted it
        circle = str(doc["circle"])
        members = [(p.doc, p.status) for p in d.pairs.values() if p.doc.get("circle") == circle]
        led = circle_life.mentors_on(d.state.circles.get(circle) or {}, d.today)
        found = meeting_replies.circle_accepted(members, d.today.isoformat(), led)
        data["circle_meeting"] = {"circle": circle, **found}
    data["messages"] = _messages(d, pair_id)
    data["answers"] = _answers(d, pair_id)
    data["concerns"] = _concerns(d, pair_id=pair_id)
    return data


def _person_brief(d: Directory, pid: Any, as_role: str) -> dict[str, Any]:
    found = d.people.get(str(pid))
    person = found.doc if found and not d.gone(pid) else {}
    if d.gone(pid):
        person = {"name": REDACTED, "email": REDACTED}
    return {
        "as": as_role,
        "id": d.shown(pid),
        "name": person.get("name"),
        "email": person.get("email"),
        "timezone": person.get("timezone"),
        "languages": list(person.get("languages") or []),
        "topics": list(person.get("goals") or person.get("expertise") or []),
        **(_person_status(d, str(pid), found) if found else {"status": None}),
    }


def person_detail(d: Directory, key: str) -> dict[str, Any]:
    """One person whole: sign-up, status that day, pairs (with names), messages, concerns,
    blocks, and their dated history up to the day."""
    found = find_person(d, key)
    person = found.doc
    pid = str(person.get("id"))
    blocks = [
        {
            "id": b.get("id"),
            "other": d.shown(
                other := b.get("other") if b.get("person") == pid else b.get("person")
            ),
            "other_name": d.name(other),
            "since": day(b.get("at")),
        }
        for b in d.state.blocks
        if pid in (b.get("person"), b.get("other"))
    ]
    return {
        "id": pid,
        "name": person.get("name"),
        "email": person.get("email"),
        "role": person.get("role"),
        **_person_status(d, pid, found),
        "age": person.get("age"),
        "goals": list(person.get("goals") or []),
        "expertise": list(person.get("expertise") or []),
        "languages": list(person.get("languages") or []),
        "timezone": person.get("timezone"),
        "capacity": person.get("capacity"),
        "organisation": person.get("organisation"),
        "signed_up": day(person.get("created")),
        "pairs": [pair_row(d, p) for p in d.pairs_of(pid)],
        "circles": sorted(
            {str(p.doc["circle"]) for p in d.pairs_of(pid) if p.doc.get("circle")}, key=id_key
        ),
        "messages": _messages(d, None, pid),
        "concerns": _concerns(d, pid=pid),
        "blocks": blocks,
        "events": [
            {"date": day(e.get("at")), "event": e.get("event"), "note": _event_note(e)}
            for e in events.up_to(person, d.today)
        ],
        **offered_and_chosen(person, d.today, d.name),
    }


def _event_note(e: dict[str, Any]) -> str:
    parts = []
    if e.get("until"):
        parts.append(f"until {day(e['until'])}")
    for key in ("reason", "address", "mentor"):  # mentor: who declined (declined_by)
        if e.get(key):
            parts.append(str(e[key]))
    if e.get("mentors"):  # a shortlist offered, or the mentors chosen from it
        parts.append(", ".join(str(m) for m in e["mentors"]))
    return "; ".join(parts)
