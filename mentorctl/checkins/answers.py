"""Check-in answers: what they are, whose pair they belong to, and what they change.

Answers come from a check-in form's CSV export (:mod:`mentorctl.checkins.answer_import`) or an
admin's entry by hand (:func:`record_answers`, ``checkin --record PAIR --person P --week N
--answer key=value``; PAIR is read as a form's pair column is, by :class:`Partners`: the
pair's code, or the partner's full name or address), with the same checks: yes_no answers read as ``yes``/``no``, scale
answers as 1-5, text is kept as written (control characters removed); the week must be in
the program and already started for the pair.

An answer is keyed by pair, person and week and stored in the table ``answers`` as
``{pair, person, week, answers: {key: value}, source: import|record|reply, at, updated}``,
with ``earlier: [{until, answers}]`` once a later day changed it (what it said until then);
the same answer again changes nothing, a changed one is updated (a later email reply
replaces what the person's earlier reply to the same message said: see
:mod:`mentorctl.checkins.replies`).

The keys: the program's own ``checkin.questions`` (the templates ask ``met``, ``progress``,
``note`` and some one more), ``fit`` (week 1: is the match working?), ``feedback`` (the
wrap-up's question, a text) and ``note`` (a text; also where what could not be read from an
emailed reply is kept), which every program accepts.

**Never misfiled.** A person in one started pair answers for it; a person in several (a
mentor who is also a mentee, a mentee paired again after a pair ended) must be placed by a
pair column or by the email thread, else the answer is refused: filing it under the wrong
pair could end that pair. Answers for a pair that has ended (``ended``, ``not_fit``) are
refused, except one already recorded exactly so (re-importing the same export is a no-op);
a completed pair still takes answers (the wrap-up's feedback comes after it completes).

Effects: a quiet pair whose answers now cover the weeks the schedule counts is active again.
A "no" to the fit question (key ``fit``) from either person ends an ongoing pair as
``not_fit``: not a failure; both people go back to the pool for the next ``pair`` run, which
never pairs two people who were paired before.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.checkins.plan import ANSWERS, PAIRS, PEOPLE
from mentorctl.checkins.schedule import parse_day
from mentorctl.errors import UsageError
from mentorctl.mail.messages import FIT_KEY
from mentorctl.matching.pairs import change_pairs
from mentorctl.signups import people as parse

if TYPE_CHECKING:
    from mentorctl.programs.program import Program
    from mentorctl.store.db import Store

# Pairs whose answers are kept: every pair that has started. Only ongoing pairs change
# status because of an answer; a later answer of an ended pair is still data.
STARTED = frozenset({"active", "quiet", "paused", "completed", "not_fit", "ended"})
ONGOING = frozenset({"active", "quiet", "paused"})
ENDED = frozenset({"ended", "not_fit"})
FEEDBACK_KEY = "feedback"
NOTE_KEY = "note"
SCALE_MIN, SCALE_MAX = 1, 5
TEXT_LIMIT = 5000
_YES = ("yes", "y", "true", "1", "yep", "ja", "oui", "si", "sí")
_NO = ("no", "n", "false", "0", "nope", "nein", "non")
_NUMBER = re.compile(r"^(?:week\s*)?(\d{1,3})(?:[.,]0+)?\b")


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    aliases: tuple[str, ...]


def questions(program: Program) -> list[Question]:
    checkin = program.data["checkin"]
    out = [
        Question(q["key"], q["kind"], (q["key"], q["key"].replace("_", " "), q["text"]))
        for q in checkin["questions"]
    ]
    fit_aliases = (
        FIT_KEY,
        checkin["fit_question"],
        checkin["circle_fit_question"],
        "is this match working for you?",
        "is the match working?",
    )
    out.append(Question(FIT_KEY, "yes_no", fit_aliases))
    out.append(
        Question(FEEDBACK_KEY, "text", (FEEDBACK_KEY, "wrap-up feedback", "wrapup feedback"))
    )
    if all(q.key != NOTE_KEY for q in out):
        out.append(Question(NOTE_KEY, "text", (NOTE_KEY, "notes", "comments")))
    return out


def read_value(question: Question, text: str) -> str | int | None:
    """One answer as stored, None when empty; :class:`people.Rejection` when unusable."""
    value = text.strip()
    if not value:
        return None
    if question.kind == "yes_no":
        folded = value.casefold().rstrip(".!")
        first = folded.replace(",", " ").split()[0]
        if first in _YES:
            return "yes"
        if first in _NO:
            return "no"
        raise parse.Rejection(question.key, "not a yes or no answer")
    if question.kind == "scale":
        match = _NUMBER.match(value.casefold())
        number = int(match.group(1)) if match else None
        if number is None or not SCALE_MIN <= number <= SCALE_MAX:
            raise parse.Rejection(question.key, f"not a number from {SCALE_MIN} to {SCALE_MAX}")
        return number
    return parse.clean_text(value, TEXT_LIMIT) or None


def read_week(text: str) -> int | None:
    match = _NUMBER.match(text.strip().casefold())
    if match is None:
        if text.strip():
            raise parse.Rejection("week", "not a week number")
        return None
    return int(match.group(1))


@dataclass
class Reject:
    """A row that was not imported: its number as a spreadsheet shows it, the field, why."""

    row: int
    field: str
    reason: str


# A week's note grows by each reply's note up to this many characters; past it a reply's
# note is counted and left in the mailbox, so one address cannot grow a record without end.
NOTE_LIMIT = 20_000


@dataclass
class AnswerResult:
    source: str  # import | record
    file: Path | None = None
    rows: int = 0
    mapping: list[tuple[str, str]] = field(default_factory=list)
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_fit: list[str] = field(default_factory=list)
    back_active: list[str] = field(default_factory=list)
    # (pair, person, week) -> notes not appended: that week's note was at NOTE_LIMIT
    notes_cut: dict[tuple[str, str, int], int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass
class Entry:
    pair: dict[str, Any]
    person: str
    week: int
    answers: dict[str, Any]
    row: int | None = None
    # An emailed reply: the keys its message asked, which it replaces whole (a later reply
    # to the same message), and whether its text is added to the note already there (a
    # reply to a message that asks nothing) rather than replacing it.
    replaces: tuple[str, ...] = ()
    append_note: bool = False


# -- the people and pairs answers can belong to -------------------------------------------


class Directory:
    def __init__(self, store: Store) -> None:
        self.by_email = {d.get("email"): d for d in store.documents(PEOPLE).values() if "id" in d}
        self.pairs = {d["id"]: d for d in store.documents(PAIRS).values() if "id" in d}
        self.of_person: dict[str, list[dict[str, Any]]] = {}
        for pair in self.pairs.values():
            for pid in (pair["mentee"], pair["mentor"]):
                self.of_person.setdefault(pid, []).append(pair)
        self.answers: dict[tuple[Any, Any, Any], dict[str, Any]] = {
            (d.get("pair"), d.get("person"), d.get("week")): d.get("answers") or {}
            for d in store.documents(ANSWERS).values()
        }

    def pair_for(self, person_id: str, pair_ref: str) -> dict[str, Any]:
        """The pair an answer belongs to: the one named, else the person's only started pair.

        A person in several started pairs is never placed by guessing (a date would pick the
        latest, which may be the wrong one, and a "no" to the fit question would end it)."""
        if pair_ref:
            pair = self.pairs.get(pair_ref.strip().upper())
            if pair is None:
                raise parse.Rejection("pair", "no such pair in this program")
            if person_id not in (pair["mentee"], pair["mentor"]):
                raise parse.Rejection("pair", "the person who answered is not in this pair")
            if pair["status"] not in STARTED:
                raise parse.Rejection("pair", f"the pair is {_said(pair['status'])}")
            return pair
        started = [p for p in self.of_person.get(person_id, ()) if p["status"] in STARTED]
        if len(started) > 1:
            ids = ", ".join(sorted(p["id"] for p in started))
            raise parse.Rejection(
                "pair", f"the person is in several pairs ({ids}): add a pair column"
            )
        if not started:
            raise parse.Rejection("email", "not in a pair that has started")
        return started[0]

    def circle_pair(self, person_id: str, circle_id: str) -> str | None:
        """The person's pair in the circle ``circle_id`` (a circle's messages end with its
        code): the running one, the lowest if several, where the mentor's weekly message of
        the circle is recorded; None when the person is in no such circle."""
        from mentorctl.history.fold import id_key

        mine = [
            p
            for p in self.of_person.get(person_id, ())
            if str(p.get("circle") or "").upper() == circle_id
        ]
        running = [p for p in mine if p["status"] in STARTED - ENDED] or mine
        return str(min(running, key=lambda p: id_key(p["id"]))["id"]) if running else None

    def check_open(
        self, pair: dict[str, Any], person_id: str, week: int, answers: dict[str, Any]
    ) -> None:
        """Refuse answers for a pair that has ended, unless they are already recorded as given."""
        if pair["status"] not in ENDED:
            return
        known = self.answers.get((pair["id"], person_id, week), {})
        if answers and all(known.get(k) == v for k, v in answers.items()):
            return
        raise parse.Rejection(
            "pair", f"the pair has {_said(pair['status'])}: it takes no more answers"
        )


def _said(status: str) -> str:
    return {"not_fit": "ended (not a fit)", "proposed": "not introduced yet"}.get(status, status)


def check_week(pair: dict[str, Any], week: int, today: dt.date, duration: int) -> None:
    start = parse_day(pair.get("start_date"))
    if start is None:
        raise parse.Rejection("pair", "the pair has not started")
    if not 1 <= week <= duration:
        raise parse.Rejection("week", f"outside the program's weeks 1-{duration}")
    if week > schedule.week_of(start, today):
        raise parse.Rejection("week", "that week has not started yet for this pair")


_CODE = re.compile(r"^\s*(?:(?:pair|circle)(?:\s*code)?\s*:?\s*)?([A-Za-z]+\d+)\s*$", re.IGNORECASE)


def _plain(text: str) -> str:
    """A name compared without case, accents or extra spaces ("Inès  Müller" = "ines muller")."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.split()).casefold()


class Partners:
    """Reads a pair as the admin names it (a form's pair column, ``checkin --record PAIR``):
    the pair's code, or the partner's full name or address."""

    def __init__(self, people: Directory) -> None:
        self.people = people
        self.by_id = {d["id"]: d for d in people.by_email.values()}

    def code(self, person_id: str, ref: str) -> str:
        """The pair code ``ref`` stands for ("" stays "": the person's only pair is meant)."""
        if not ref.strip():
            return ""
        found = _CODE.match(ref)
        if found and found.group(1).upper() in self.people.pairs:
            return found.group(1).upper()
        member = self.people.circle_pair(person_id, found.group(1).upper()) if found else None
        if member is not None:
            return member
        mine = self.people.of_person.get(person_id, [])
        if "@" in ref:
            wanted, key = parse.normalise_email(ref), "email"
        else:
            wanted, key = _plain(ref), "name"
        matches = []
        for pair in mine:
            other = pair["mentor"] if pair["mentee"] == person_id else pair["mentee"]
            doc = self.by_id.get(other) or {}
            value = str(doc.get(key) or "")
            got = parse.normalise_email(value) if key == "email" else _plain(value)
            if value and got == wanted:
                matches.append(pair)
        if len(matches) > 1:
            # the same partner twice (paired again): the pair still running is the one meant
            started = [p for p in matches if p["status"] in STARTED - ENDED]
            if len(started) == 1:
                matches = started
        if len(matches) == 1:
            return str(matches[0]["id"])
        if matches:
            ids = ", ".join(sorted(p["id"] for p in matches))
            raise parse.Rejection("pair", f"names more than one pair ({ids}): use the pair code")
        if found:
            raise parse.Rejection("pair", "no such pair in this program")
        raise parse.Rejection(
            "pair",
            "names no pair of this person (expected a pair code, or the partner's "
            "full name or address)",
        )


# -- applying answers ---------------------------------------------------------------------


def apply_answers(
    store: Store,
    program: Program,
    entries: list[Entry],
    result: AnswerResult,
    *,
    source: str,
    today: dt.date,
    stamp: str,
) -> None:
    """Insert or update answers, then bring quiet pairs back and end pairs that do not fit.

    An update merges the new answers into the earlier ones, less the keys the entry
    ``replaces``; with ``append_note`` its note is added after the note already there."""
    table = store.documents(ANSWERS)
    existing = {(d.get("pair"), d.get("person"), d.get("week")): (k, d) for k, d in table.items()}
    new_docs: list[dict[str, Any]] = []
    updates: dict[int, dict[str, Any]] = {}
    last: dict[str, int] = {}
    for doc in table.values():
        if isinstance(doc.get("week"), int):
            last[doc["pair"]] = max(last.get(doc["pair"], 0), doc["week"])
    changed: set[tuple[str, str, int]] = set()  # existing answers changed (counted once)
    same: set[tuple[str, str, int]] = set()
    for e in entries:
        pid = e.pair["id"]
        last[pid] = max(last.get(pid, 0), e.week)
        slot = (pid, e.person, e.week)
        found = existing.get(slot)
        if found is None:
            doc = {
                "pair": pid,
                "person": e.person,
                "week": e.week,
                "answers": e.answers,
                "source": source,
                "at": stamp,
                "updated": stamp,
            }
            new_docs.append(doc)
            existing[slot] = ("new", doc)
            result.imported += 1
            continue
        key, doc = found
        # Several entries for one slot (replies by email) apply in turn.
        pending = updates.get(int(key)) if key != "new" else None
        prior = pending["answers"] if pending else doc.get("answers", {})
        kept = {k: v for k, v in prior.items() if k not in e.replaces}
        added = dict(e.answers)
        before, note = kept.get(NOTE_KEY), added.get(NOTE_KEY)
        if e.append_note and isinstance(before, str) and isinstance(note, str) and before:
            known = note == before or before.endswith("\n\n" + note)
            added[NOTE_KEY] = before if known else f"{before}\n\n{note}"
            if not known and len(added[NOTE_KEY]) > NOTE_LIMIT:  # counted, not kept
                added[NOTE_KEY] = before
                result.notes_cut[slot] = result.notes_cut.get(slot, 0) + 1
        merged = {**kept, **added}
        if merged == prior:
            same.add(slot)
            continue
        doc_fields = {"answers": merged, "source": source, "updated": stamp}
        if key == "new":
            doc.update(doc_fields)
        else:
            changed.add(slot)
            if pending and "earlier" in pending:
                doc_fields["earlier"] = pending["earlier"]
            elif str(doc.get("updated") or doc.get("at") or "")[:10] < stamp[:10]:
                # What the answer said until now: a report of an earlier day shows that.
                doc_fields["earlier"] = [
                    *(doc.get("earlier") or []),
                    {"until": stamp, "answers": doc.get("answers", {})},
                ]
            updates[int(key)] = doc_fields
    result.updated += len(changed)
    result.unchanged += len(same - changed - {k for k, v in existing.items() if v[0] == "new"})
    if new_docs:
        store.insert_many(ANSWERS, new_docs)
    store.update_many(ANSWERS, updates)

    quiet_after = int(program.data["checkin"]["quiet_after_weeks"])
    changes: dict[str, tuple[dict[str, Any], str]] = {}
    for e in entries:
        pair, pid = e.pair, e.pair["id"]
        if pid in changes:
            continue
        circle_mentor = bool(pair.get("circle")) and e.person == pair.get("mentor")
        if e.answers.get(FIT_KEY) == "no" and pair["status"] in ONGOING and circle_mentor:
            # The mentor answers for the whole circle, on one member pair's message: their
            # "no" is about the circle, not that one mentee, so nobody's pair ends by it.
            result.warnings.append(
                f"{e.person}, the mentor of circle {pair['circle']}, answered no to the fit "
                f"question in week {e.week}: no pair was ended; talk to them about the circle"
            )
        elif e.answers.get(FIT_KEY) == "no" and pair["status"] in ONGOING:
            reason = f"not a fit: {e.person} answered no in week {e.week}"
            changes[pid] = (
                {"status": "not_fit", "end_reason": reason, "ended": today.isoformat()},
                reason,
            )
            result.not_fit.append(pid)
        elif pair["status"] == "quiet":
            start = parse_day(pair.get("start_date"))
            current = schedule.week_of(start, today) if start else 0
            if (current - 1) - last.get(pid, 0) < quiet_after:
                changes[pid] = ({"status": "active", "quiet_since": None}, "check-in answers again")
                result.back_active.append(pid)
    if result.not_fit:
        store.backup = True  # ending a pair is destructive: keep the version before it
    change_pairs(store, changes, stamp, "answers")
    if {e.pair["id"] for e in entries if e.pair.get("circle")} & set(result.not_fit):
        from mentorctl.matching import circle_life  # a member left: their circle at once

        minimum = circle_life.min_size_of(program.data)
        for circle, why in circle_life.settle(store, stamp=stamp, min_size=minimum).closed:
            result.warnings.append(f"circle {circle} closed ({why}): its members wait again")


# -- by hand ------------------------------------------------------------------------------


def record_answers(
    program: Program,
    store_path: Path,
    *,
    pair_ref: str,
    person_ref: str,
    week: int | None,
    answers: list[str],
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
) -> AnswerResult:
    from mentorctl.matching.pairs import find_person, snapshot
    from mentorctl.store.db import Store

    if not answers:
        raise UsageError("give at least one --answer KEY=VALUE")
    asked = {q.key: q for q in questions(program)}
    values: dict[str, Any] = {}
    for option in answers:
        key, sep, text = option.partition("=")
        key = key.strip()
        if not sep or key not in asked:
            # A KEY that may be personal data (an address pasted by mistake) is not echoed.
            if len(key) <= 40 and (not key or key.isidentifier()):
                shown = f"'{key or '?'}':"
            else:
                shown = "KEY: unknown key (not shown, it may be personal data);"
            raise UsageError(
                f"--answer {shown} expected KEY=VALUE with KEY one of " + ", ".join(asked)
            )
        try:
            value = read_value(asked[key], text)
        except parse.Rejection as exc:
            raise UsageError(f"--answer {key}: {exc.reason}") from None
        if value is None:
            raise UsageError(f"--answer {key}: the answer is empty")
        values[key] = value
    result = AnswerResult("record", dry_run=dry_run)
    stamp = now.isoformat(timespec="seconds")
    with Store.writing(store_path, dry_run=dry_run) as store:
        directory = Directory(store)
        person = find_person(snapshot(store), person_ref)
        try:
            code = Partners(directory).code(person["id"], pair_ref)
            pair = directory.pair_for(person["id"], code)
            start = parse_day(pair.get("start_date"))
            if week is None and start is not None:
                week = min(max(schedule.week_of(start, today), 1), program.duration_weeks)
            check_week(pair, week or 0, today, program.duration_weeks)
            directory.check_open(pair, person["id"], week or 0, values)
        except parse.Rejection as exc:
            raise UsageError(f"cannot record: {exc.reason}") from None
        assert week is not None
        entry = Entry(pair, person["id"], week, values)
        apply_answers(store, program, [entry], result, source="record", today=today, stamp=stamp)
    result.rows = 1
    return result
