"""The program as it stood at the end of one day, folded from the store's dated documents.

:func:`fold` takes the documents of a store (people, pairs, answers, messages, concerns,
blocks) and a day, and returns what was true at the end of that day:

- each pair that existed, with its status that day: the status its own ``history`` gave it,
  or ``paused`` when either person was away that day (:func:`.events.pause_on`) or a concern
  about the pair was open; its program week (a pair that ended stays in the week it ended);
  the week its quiet spell began; its last answer known by then;
- each person who had signed up, with their status that day: ``withdrawn``, ``paused`` (with
  the pause's ``until`` and ``reason``) or their stored status, and whether their address was
  undeliverable (:func:`.events.undeliverable_on`); a forgotten person's anonymous trace
  (a document with ``forgotten``, see :mod:`mentorctl.safety.privacy`) counts as they did
  until the day they were forgotten, and its id is in ``State.forgotten`` on every day;
- the answers known by then (an answer counts from the day it was recorded, whatever week it
  answers), the messages made by then with their delivery as it stood (a delivery entry made
  again later keeps, as ``reached`` and ``reached_as``, when and how it first reached the
  person), the concerns raised by then (resolved only if resolved by then), the blocks in force;
- **due**: for each program week, the pairs whose week's message reached them (written to
  the outbox or accepted by the mail server, by that day) and that were still on: ended (if
  they did) after the week began, and not paused at its end (or that day, for the week in course)
  unless they answered it; a pair that answered a week is due in it, whatever carried the
  question. Week 1's message is its check-in (the introduction asks nothing), and a pair's
  weeks count from the day its week 1 was made, as the schedule counts them. Every answer rate is the pairs of a week that answered it
  among that week's due pairs, so it never passes 100 %.

Nothing here reads or writes a file: the same documents and day give the same state. Every
list and every look-up of people and pairs is drawn from this one fold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mentorctl.history import events
from mentorctl.history.events import parse_day as parse_day

# A pair in one of these holds its people; any other status (known or not) is over.
HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
RUNNING = frozenset({"active", "quiet"})
# Messages that carry a week's step and check-in, and the introduction (week 1's first).
WEEK_KINDS = frozenset({"weekly", "wrapup", "lapsed"})
REACHED = frozenset({"sent", "written"})


def id_key(ident: Any) -> tuple[int, str]:
    """An id's place in natural order: P2 before P10."""
    text = ident if isinstance(ident, str) else str(ident or "")
    tail = text[1:]
    if tail.isdigit():
        return (int(tail), text)
    digits = "".join(ch for ch in text if ch.isdigit())
    return (int(digits) if digits else 0, text)


def week_of(start: dt.date, day: dt.date) -> int:
    """The program week ``day`` falls in (1 on the start day; 0 or less before it)."""
    return (day - start).days // 7 + 1


@dataclass(slots=True)
class PairOn:
    """One pair as it stood on the day."""

    doc: dict[str, Any]
    status: str  # the status shown: ``paused`` while away or under an open concern
    recorded: str  # the status its history gave it that day
    start: dt.date | None
    week: int | None  # None before its introduction
    ended: dt.date | None  # the day it ended, when it had
    quiet_since: Any  # with status quiet: the program week its quiet spell began
    last_answer: str | None  # the day of its latest answer known then
    paused_by: tuple[str, ...] = ()  # the people away, and the open concerns, that day
    later: bool = False  # its history holds changes made after the day
    offset: int = 0  # weeks its week 1 came late: its weeks count on from there


@dataclass(slots=True)
class PersonOn:
    """One person as they stood on the day."""

    doc: dict[str, Any]
    status: str  # active, paused, withdrawn, or a stored status this module does not know
    pause: events.Pause | None
    undeliverable: dict[str, Any] | None
    pairs: list[str]  # the pairs holding them that day


@dataclass
class State:
    """The fold's result; see the module's docstring."""

    day: dt.date
    duration_weeks: int
    people: dict[str, PersonOn]
    pairs: dict[str, PairOn]
    answers: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    concerns: list[dict[str, Any]]
    blocks: list[dict[str, Any]]
    due: dict[int, set[str]]
    answered: dict[int, set[str]]
    # Ids of people forgotten on any day (mentorctl.safety.privacy), shown as ``forgotten``.
    forgotten: frozenset[str] = frozenset()
    circles: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id; dated inside
    proposals: list[dict[str, Any]] = field(default_factory=list)  # dated inside

    def current_week(self, pair: PairOn) -> int | None:
        """The program week the day falls in for a pair on the schedule (None out of it)."""
        if pair.start is None or pair.recorded == "proposed":
            return None
        week = week_of(pair.start, self.day) - pair.offset
        return week if 1 <= week <= self.duration_weeks else None

    def person_views(self) -> list[dict[str, Any]]:
        """The people as documents of that day (status, pause and history cut to the day),
        for helpers that read documents."""
        return [_person_view(p, self.day) for p in self.people.values()]

    def pair_views(self) -> list[dict[str, Any]]:
        """The pairs as documents of that day: the status their history gave them."""
        out = []
        for p in self.pairs.values():
            doc = p.doc
            if doc.get("status") == p.recorded and not p.later:
                out.append(doc)
            else:
                out.append(dict(doc, status=p.recorded, history=_cut(doc, self.day)))
        return out


def _cut(doc: dict[str, Any], day: dt.date) -> list[dict[str, Any]]:
    iso = day.isoformat()
    return [
        h
        for h in doc.get("history") or ()
        if isinstance(h, dict) and str(h.get("at") or "")[:10] <= iso
    ]


def _person_view(p: PersonOn, day: dt.date) -> dict[str, Any]:
    doc = p.doc
    if not doc.get("history") and p.status == doc.get("status", "active"):
        return doc
    base = "active" if p.status == "paused" else p.status
    view = dict(doc, status=base, history=events.up_to(doc, day))
    view["paused_until"] = p.pause.until.isoformat() if p.pause else None
    for name, key in (("signed_up", "signed_up"), ("returned", "returned")):
        last = events.last_event(doc, day, (name,))
        if last is not None:
            view[key] = last["at"]
        elif key in view and str(view[key])[:10] > day.isoformat():
            view.pop(key)
    return view


def _changes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(day, status) of each status change in the pair's history, in order."""
    out = []
    for h in doc.get("history") or ():
        if isinstance(h, dict) and h.get("status"):
            out.append((str(h.get("at") or "")[:10], str(h["status"])))
    return out


def _status_at(changes: list[tuple[str, str]], iso: str) -> str | None:
    found = None
    for at, status in changes:
        if at <= iso:
            found = status
        else:
            break
    return found


def _ended_day(changes: list[tuple[str, str]], iso: str) -> dt.date | None:
    """The day the pair's status last went from holding to over, by ``iso``."""
    ended = None
    before = None
    for at, status in changes:
        if at > iso:
            break
        if status not in HOLDING and (before is None or before in HOLDING):
            ended = parse_day(at)
        elif status in HOLDING:
            ended = None
        before = status
    return ended


def _answer_on(answer: dict[str, Any], hi: str) -> dict[str, Any]:
    """An answer changed after the day, as it stood then (``earlier`` keeps what it said)."""
    values, since = answer.get("answers"), answer.get("at")
    for before in answer.get("earlier") or ():
        if not isinstance(before, dict):
            continue
        if str(before.get("until")) > hi:
            values = before.get("answers")
            break
        since = before.get("until")
    return dict(answer, answers=values, updated=since)


def _quiet_since(
    changes: list[tuple[str, str]], iso: str, start: dt.date | None, offset: int
) -> Any:
    """The week the quiet spell in course on ``iso`` began (the week it turned quiet)."""
    began = None
    for at, status in changes:
        if at > iso:
            break
        began = (began or at) if status == "quiet" else None
    day = parse_day(began)
    return week_of(start, day) - offset if day and start else None


def _open_concerns(concerns: list[dict[str, Any]]) -> dict[str, list[tuple[str, str, str]]]:
    """Pair id -> [(raised day, resolved day or "~", concern id)]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for c in concerns:
        raised = str(c.get("raised") or "")[:10]
        resolved = str(c.get("resolved") or "")[:10] if c.get("status") == "resolved" else ""
        for pid in c.get("pairs") or ():
            out.setdefault(str(pid), []).append((raised, resolved or "~", str(c.get("id"))))
    return out


def fold(
    *,
    people: Any,
    pairs: Any,
    answers: Any = (),
    messages: Any = (),
    concerns: Any = (),
    blocks: Any = (),
    day: dt.date,
    duration_weeks: int,
) -> State:
    """The state at the end of ``day``; see the module's docstring. Each argument is an
    iterable of the table's documents; documents are read, never changed."""
    iso = day.isoformat()
    # A stored stamp (ISO day or time) is after the day when it sorts after this: faster than
    # cutting each one to its day, over a hundred thousand people and answers.
    hi = iso + "~"
    duration = max(1, int(duration_weeks or 1))

    # People who had signed up by the day. A forgotten person's anonymous trace counts as they
    # did on the days before the forget, and is looked up (their pauses) but not listed after.
    folk: dict[str, PersonOn] = {}
    traces: set[str] = set()
    gone: set[str] = set()
    for doc in people:
        erased = doc.get("forgotten")
        if erased is not None:
            traces.add(str(doc.get("id")))
            if str(erased) <= hi:
                gone.add(str(doc.get("id")))
        created = doc.get("created")
        if created is not None and str(created) > hi:
            continue
        status = doc.get("status") or "active"
        pause = undeliverable = None
        if doc.get("history"):
            if events.withdrawn_on(doc, day) is not None:
                status = "withdrawn"
            elif status == "withdrawn":
                status = "active"  # withdrew later, or came back
            pause = events.pause_on(doc, day)
            if pause is not None and status == "active":
                status = "paused"
            undeliverable = events.undeliverable_on(doc, day)
        folk[str(doc.get("id"))] = PersonOn(doc, str(status), pause, undeliverable, [])

    # Concerns raised by the day, as they stood.
    concern_docs = []
    for c in concerns:
        if not isinstance(c, dict) or str(c.get("raised") or "")[:10] > iso:
            continue
        if c.get("status") == "resolved" and str(c.get("resolved") or "")[:10] > iso:
            c = {k: v for k, v in c.items() if k not in ("resolved", "outcome")}
            c["status"] = "open"
        concern_docs.append(c)
    concerned = _open_concerns(concern_docs)

    # Answers known by the day: an answer counts from the day it was recorded.
    known: list[dict[str, Any]] = []
    keep = known.append
    answered: dict[int, set[str]] = {}
    last: dict[str, str] = {}
    for a in answers:
        at = a.get("at")
        if at is not None and str(at) > hi:
            continue
        updated = a.get("updated")
        if updated is not None and str(updated) > hi:
            a = _answer_on(a, hi)
            updated = a.get("updated")
        keep(a)
        pid = a.get("pair")
        week = a.get("week")
        if week.__class__ is int:
            got = answered.get(week)
            if got is None:
                got = answered[week] = set()
            got.add(pid)
        when = updated or at
        if when and str(when) > last.get(pid, ""):
            last[pid] = str(when)

    # Messages made by the day, each delivery as it stood; and the weeks that reached a pair.
    made: list[dict[str, Any]] = []
    reached: dict[int, set[str]] = {}
    # The day each pair's week 1 was made: when it came after week 1 of the calendar, the
    # pair's weeks count on from it, as the schedule counts them (checkins.timing).
    first_week: dict[Any, str] = {}
    for m in messages:
        created = m.get("created")
        if created is not None and str(created) > hi:
            continue
        if m.get("week") == 1 and m.get("kind") == "weekly" and created is not None:
            owner = m.get("pair")
            if str(created) < first_week.get(owner, "~"):
                first_week[owner] = str(created)
        reach = later = False
        for entry in (m.get("delivery") or {}).values():
            at = entry.get("at")
            if at is not None and str(at) > hi:
                later = True
                first = entry.get("reached")  # delivered again since: when it first reached
                reach = reach or (first is not None and str(first) <= hi)
            elif entry.get("status") in REACHED:
                reach = True
        made.append(_message_on(m, iso) if later else m)
        if not reach:
            continue
        kind = m.get("kind")
        week = m.get("week") if kind in WEEK_KINDS else None
        if week.__class__ is int and 1 <= week <= duration:
            pids = reached.get(week)
            if pids is None:
                pids = reached[week] = set()
            pids.add(m.get("pair"))

    # Pairs that existed on the day.
    states: dict[str, PairOn] = {}
    timelines: dict[str, list[tuple[str, str]]] = {}
    days: dict[Any, dt.date | None] = {}  # most pairs share a handful of start days
    for doc in pairs:
        pid = doc.get("id")
        pid = pid if isinstance(pid, str) else str(pid)
        changes = _changes(doc) if doc.get("history") else None
        if changes:
            recorded = _status_at(changes, iso)
            if recorded is None:
                continue
            timelines[pid] = changes
            ended = _ended_day(changes, iso)
        else:
            created = doc.get("created")
            if created is not None and str(created) > hi:
                continue
            recorded = str(doc.get("status") or "proposed")
            ended = (
                parse_day(doc.get("ended") or doc.get("completed"))
                if recorded not in HOLDING
                else None
            )
        start = None
        if recorded != "proposed":
            raw = doc.get("start_date")
            start = days.get(raw) if raw in days else days.setdefault(raw, parse_day(raw))
        week = None
        offset = 0
        if start is not None:
            # kept on the pair when its messages went with a forgotten person
            kept = doc.get("first_week")
            made_on = parse_day(first_week.get(pid) or (kept if kept and kept <= hi else None))
            if made_on is not None:
                offset = max(0, week_of(start, made_on) - 1)
            week = max(1, min(duration, week_of(start, min(day, ended) if ended else day) - offset))
        quiet = None
        if recorded == "quiet":
            quiet = _quiet_since(changes, iso, start, offset) if changes else None
            if quiet is None:
                quiet = doc.get("quiet_since")
        mentee, mentor = folk.get(str(doc.get("mentee"))), folk.get(str(doc.get("mentor")))
        why: tuple[str, ...] = ()
        if recorded in RUNNING or recorded == "paused":
            away = [p.doc.get("id") for p in (mentee, mentor) if p is not None and p.pause]
            away += [
                c for raised, resolved, c in concerned.get(pid, ()) if raised <= iso < resolved
            ]
            why = tuple(str(w) for w in away)
        answer = last.get(pid)
        states[pid] = PairOn(
            doc,
            "paused" if why else recorded,
            recorded,
            start,
            week,
            ended,
            quiet,
            answer[:10] if answer else None,
            why,
            bool(changes) and changes[-1][0] > iso,
            offset,
        )
        if recorded in HOLDING:
            if mentee is not None:
                mentee.pairs.append(pid)
            if mentor is not None:
                mentor.pairs.append(pid)

    # A pair that never ended, paused or had a concern is due in every week that reached it.
    plain = {
        pid
        for pid, p in states.items()
        if p.ended is None
        and p.status in RUNNING
        and pid not in concerned
        and "paused" not in {s for _, s in timelines.get(pid, ())}
        and not any(
            (who := folk.get(str(p.doc.get(role)))) is not None and who.doc.get("history")
            for role in ("mentee", "mentor")
        )
    }
    due: dict[int, set[str]] = {}
    # An answer for a week counts the pair due in it, whatever carried the question (a form,
    # a call): every rate stays a share of its due pairs.
    for week, pids in answered.items():
        if 1 <= week <= duration:
            reached[week] = reached.get(week, set()) | (pids & states.keys())
    for week, pids in reached.items():
        got = answered.get(week, set())
        found = pids & plain
        for pid in pids - plain:
            pair = states.get(pid)
            if pair is None or pair.start is None:
                continue
            week_start = pair.start + dt.timedelta(days=7 * (week - 1 + pair.offset))
            if pair.ended is not None and pair.ended <= week_start:
                continue  # due only in the weeks that began before the day it ended
            end = min(day, week_start + dt.timedelta(days=6))
            if pid in got or not _paused_at(
                pair, end, day, folk, concerned.get(pid, ()), timelines.get(pid)
            ):
                found.add(pid)
        if found:
            due[week] = found

    return State(
        day=day,
        duration_weeks=duration,
        people={k: v for k, v in folk.items() if k not in gone} if gone else folk,
        pairs=states,
        answers=known,
        messages=made,
        concerns=concern_docs,
        blocks=[
            b
            for b in blocks
            if isinstance(b, dict)
            and str(b.get("at") or "")[:10] <= iso
            and not (b.get("lifted") and str(b.get("lifted_at") or "")[:10] <= iso)
        ],
        due=due,
        answered=answered,
        forgotten=frozenset(traces),
    )


def _message_on(m: dict[str, Any], iso: str) -> dict[str, Any]:
    """A message as it stood on ``iso``: a delivery made later is still pending."""
    delivery = {}
    for pid, e in (m.get("delivery") or {}).items():
        if str(e.get("at") or "")[:10] <= iso:
            delivery[pid] = e
        elif e.get("reached") and str(e["reached"])[:10] <= iso:
            status = e.get("reached_as") or "written"
            delivery[pid] = {"status": status, "attempts": 0, "error": None, "at": e["reached"]}
        else:
            delivery[pid] = {"status": "pending", "attempts": 0, "error": None, "at": None}
    states = {e.get("status") for e in delivery.values()}
    if "failed" in states:
        status = "failed"
    elif states == {"sent"}:
        status = "sent"
    elif states and states <= REACHED:
        status = "written"
    else:
        status = "pending"
    out = dict(m, delivery=delivery, status=status)
    if str(m.get("sent_at") or "")[:10] > iso:
        out["sent_at"] = None
    return out


def _paused_at(
    pair: PairOn,
    end: dt.date,
    day: dt.date,
    folk: dict[str, PersonOn],
    concerns: Any,
    changes: list[tuple[str, str]] | None,
) -> bool:
    """Whether the pair was paused (or already over) on ``end``, a day up to the fold's."""
    if end == day:
        return pair.status == "paused"
    iso = end.isoformat()
    recorded = _status_at(changes, iso) if changes else pair.recorded
    if recorded not in RUNNING:
        return recorded == "paused"  # one that ended in the week was still on in it
    for role in ("mentee", "mentor"):
        person = folk.get(str(pair.doc.get(role)))
        history = person is not None and person.doc.get("history")
        if history and events.pause_on(person.doc, end) is not None:
            return True
    return any(raised <= iso < resolved for raised, resolved, _ in concerns)
