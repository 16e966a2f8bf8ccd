"""What a run has to do: the messages and status changes due.

Used by :mod:`mentorctl.checkins.run`, which renders, delivers and records what is planned here.
Planning reads the store (as :mod:`.outgoing` indexes it) and changes nothing.

**Scheduled messages** (:mod:`.schedule`): one per person per program week, each to one
person (part = their id), whatever the program.yaml ``mode``: ``weekly`` (with ``nudge``
set on the document when it carried a quiet pair's nudge; week 1 and the last step are made
late rather than never), and once the program is over ``wrapup`` or ``lapsed``. A pair that
ended early after its introduction gets one ``ended`` message per person named in its
``notify_ended``; the partner of a person on pause gets one ``paused`` message per pause
(its week is the pause's number). Older stores may hold ``nudge`` documents.

**What ``--send`` delivers**: the run's new messages, and earlier ones not yet sent to
someone (only written to the outbox, or failed) while they are still current: an
introduction while the pair is committed or on; a week's message during its own week, or
the week it was made in (a stale one is never sent late: the current week's is); a wrap-up
or lapsed message once the program is over; an ``ended`` notice; a ``paused`` notice while
the pause lasts; and the messages that belong to no pair (:mod:`.unpaired`): a ``waiting``
notice, a ``mentor_ask`` question while a proposal it lists still waits, and a mentee's
latest ``shortlist`` while they still wait. Only the recipients still waiting get it. ``--resend`` (with ``--pair``)
delivers a pair's introduction (``introduce``) or its latest message (``checkin``) to both
people again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule, unpaired
from mentorctl.checkins.outgoing import (
    ANSWERS,
    HOLDING,
    MESSAGES,
    PAIRS,
    PEOPLE,
    MessageRow,
    Outgoing,
    RunResult,
    State,
    again,
    message_key,
    outbox_file,
    pair_number,
    unsent,
    waiting_pair,
)
from mentorctl.checkins.timing import (
    FINAL_KINDS,
    SCHEDULED_KINDS,
    last_answer_days,
    last_answer_weeks,
    on_hold,
    still_current,
)
from mentorctl.checkins.timing import timing as timing_of
from mentorctl.history import events
from mentorctl.mail.languages import intro_mode

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

# The names the run's modules have long used for these two.
_unsent, _again = unsent, again

# -- planning -----------------------------------------------------------------------------


def _parts(mode: str, pair: dict[str, Any]) -> list[tuple[str, list[str]]]:
    people = [pair["mentee"], pair["mentor"]]
    if mode == "separate":
        return [(p, [p]) for p in people]
    return [("all", people)]


def _check_only(state: State, only: Iterable[str]) -> set[str]:
    return {state.pair(ref)["id"] for ref in only}


def plan_introductions(
    state: State,
    program: Program,
    *,
    start: dt.date,
    only: Iterable[str] = (),
    send: bool = False,
    resend: bool = False,
) -> tuple[list[Outgoing], list[str]]:
    """Introductions to make (new) or deliver again; also returns warnings."""
    wanted = _check_only(state, only)
    mode = program.data["messages"]["intro"]["mode"]
    out: list[Outgoing] = []
    warnings: list[str] = []
    for pair in state.pairs:
        pid = pair["id"]
        if wanted and pid not in wanted:
            continue
        if pair["mentee"] not in state.people or pair["mentor"] not in state.people:
            if pair["status"] in HOLDING:
                warnings.append(f"pair {pid}: a person is no longer in the store; skipped")
            continue
        earlier = [d for d in state.by_pair.get(pid, ()) if d["kind"] == "intro"]
        if pair["status"] == "proposed" and not earlier:
            for part, to in _parts(intro_mode(program, state.people, pair, mode), pair):
                out.append(Outgoing(pair, "intro", 0, part, to, list(to), start))
            continue
        # A committed pair whose introduction failed is retried until it reaches both.
        on = pair["status"] in ("proposed", "active", "quiet")
        if earlier and ((resend and pair["status"] in HOLDING) or (send and on)):
            pair_start = schedule.parse_day(pair.get("start_date"))
            for doc in earlier:
                pending = list(doc["to"]) if resend else _unsent(doc)
                if pending:
                    out.append(_again(state, doc, pending, pair_start))
        elif wanted:
            state_text = pair["status"].replace("_", " ")
            warnings.append(f"pair {pid} is {state_text} and already introduced; nothing to do")
    return out, warnings


@dataclass
class CheckinPlan:
    outgoing: list[Outgoing]
    changes: dict[str, tuple[dict[str, Any], str]]
    quiet: list[dict[str, Any]]
    completed: list[str]
    back_active: list[str]
    warnings: list[str]


def _reached(docs: Iterable[dict[str, Any]], people: tuple[str, str], send: bool) -> set[int]:
    """Weeks whose scheduled message reached both people: written to the outbox, or (in a
    run that sends) accepted by the SMTP server. A failed delivery is not a week of silence."""
    ok = {"sent"} if send else {"sent", "written"}
    got: dict[int, set[str]] = defaultdict(set)
    for doc in docs:
        if doc["kind"] not in SCHEDULED_KINDS:
            continue
        for person, entry in doc.get("delivery", {}).items():
            if entry.get("status") in ok:
                got[int(doc["week"])].add(person)
    return {w for w, who in got.items() if set(people) <= who}


def plan_checkin(
    state: State,
    program: Program,
    today: dt.date,
    *,
    only: Iterable[str] = (),
    send: bool = False,
    resend: bool = False,
    refused: Collection[str] = (),  # people whose address was refused for good (held.py)
) -> CheckinPlan:
    wanted = _check_only(state, only)
    duration = int(program.data["duration_weeks"])
    quiet_after = int(program.data["checkin"]["quiet_after_weeks"])
    with_intro = bool(program.data["checkin"].get("first_week_with_introduction"))
    last = last_answer_weeks(state.store)
    last_days = last_answer_days(state.store)
    iso = today.isoformat()
    plan = CheckinPlan([], {}, [], [], [], [])
    unsent_intros = 0
    failed_intros: list[str] = []
    for pair in state.pairs:
        pid = pair["id"]
        if wanted and pid not in wanted:
            continue
        status = pair["status"]
        if status == "proposed" and any(d["kind"] == "intro" for d in state.by_pair.get(pid, ())):
            if pair["mentee"] not in refused and pair["mentor"] not in refused:
                failed_intros.append(pid)  # (a pair held by a refusal: see held.release)
            continue
        if status in ("ended", "not_fit") and pair.get("notify_ended"):
            plan.outgoing.extend(ended_notices(state, pair, send=send))
            continue
        if status not in ("active", "quiet", "completed", "lapsed"):
            continue
        if pair["mentee"] not in state.people or pair["mentor"] not in state.people:
            plan.warnings.append(f"pair {pid}: a person is no longer in the store; skipped")
            continue
        docs = state.by_pair.get(pid, ())
        start = schedule.parse_day(pair.get("start_date"))
        weeks, has_final = set(), False
        for doc in docs:
            kind = doc["kind"]
            if kind in SCHEDULED_KINDS:
                weeks.add(doc["week"])
                has_final = has_final or kind in FINAL_KINDS
            elif kind == "intro" and send and status in ("active", "quiet") and _unsent(doc):
                unsent_intros += 1
        people = (pair["mentee"], pair["mentor"])
        held = any(on_hold(state.people.get(p), today) for p in people)
        if status in ("active", "quiet"):
            plan.outgoing.extend(_pause_notices(state, pair, today, send=send))
        step = schedule.plan(
            schedule.PairState(
                status=status,
                start=start,
                weekly_weeks=weeks,
                reached_weeks=_reached(docs, people, send),
                has_final=has_final,
                wrapup_due=bool(pair.get("wrapup_due")),
                last_answer_week=last.get(pid, 0),
                answered=pid in last,
                quiet_since=pair.get("quiet_since"),
                on_hold=held,
                unreachable=all(p in refused for p in people),
                **timing_of(
                    pair, docs, start, today, duration=duration, answered=last_days.get(pid)
                ),
            ),
            today,
            duration=duration,
            quiet_after=quiet_after,
            with_introduction=with_intro,
        )
        if step is not None and step.status is not None:
            status = step.status
            plan.changes[pid] = _status_change(step, iso)
            if status in ("completed", "lapsed"):
                plan.completed.append(pid)
            elif status == "active":
                plan.back_active.append(pid)
        if step is not None and step.message is not None:
            # The week's message goes to each person on their own: an answer (the fit
            # question's above all) can then only ever reach the organisers.
            for part, to in _parts("separate", pair):
                plan.outgoing.append(
                    Outgoing(
                        pair, step.message, step.week, part, to, list(to), start, nudge=step.nudge
                    )
                )
        if status == "quiet":
            since = (step.quiet_since if step is not None else None) or pair.get("quiet_since")
            plan.quiet.append(
                {
                    "pair": pid,
                    "since_week": since,
                    "silent_weeks": step.silent_weeks if step is not None else 0,
                }
            )
        if resend and wanted:
            # On the first day of a new week the new week's message is the latest: it goes
            # out now, and last week's is not sent again beside it.
            if not any(o.pair["id"] == pid for o in plan.outgoing):
                plan.outgoing.extend(_latest_again(state, docs, start))
        elif send and not held:
            current = schedule.week_of(start, today) if start else 0
            new_keys = {o.key for o in plan.outgoing}
            for doc in docs:
                if doc["key"] in new_keys or not still_current(
                    doc, status, current, duration, start
                ):
                    continue
                pending = _unsent(doc)
                if pending:
                    plan.outgoing.append(_again(state, doc, pending, start))
    if send and not wanted:
        plan.outgoing.extend(unpaired.again(state, program, today))
    if failed_intros:
        plan.warnings.append(
            f"{len(failed_intros)} pair(s) not introduced, their introduction was not "
            f"delivered: {', '.join(failed_intros)}; they get nothing until "
            "'mentorctl introduce --send' delivers it"
        )
    if unsent_intros:
        plan.warnings.append(
            f"{unsent_intros} introduction(s) are in the outbox but not sent: "
            "run 'mentorctl introduce --send'"
        )
    return plan


def ended_notices(state: State, pair: dict[str, Any], *, send: bool) -> list[Outgoing]:
    """The kind ``ended`` message to each person told of a pair's early end, once each; with
    ``send``, one written earlier and not yet sent goes again."""
    start = schedule.parse_day(pair.get("start_date"))
    out = []
    for person in pair.get("notify_ended") or ():
        if person not in state.people:
            continue  # forgotten since
        key = message_key(pair["id"], "ended", 0, person)
        found = state.messages.get(key)
        if found is None:
            out.append(Outgoing(pair, "ended", 0, person, [person], [person], start))
        elif send and (pending := _unsent(found[1])):
            out.append(_again(state, found[1], pending, start))
    return out


def _pause_notices(
    state: State, pair: dict[str, Any], today: dt.date, *, send: bool
) -> list[Outgoing]:
    """The kind ``paused`` message to the partner of a person on pause today, once per pause
    (its ``week`` is the pause's number in the person's history); with ``send``, one written
    earlier and not yet sent goes again while the pause lasts."""
    start = schedule.parse_day(pair.get("start_date"))
    out = []
    people = (pair["mentee"], pair["mentor"])
    for away, partner in (people, people[::-1]):
        person = state.people.get(away)
        if person is None or partner not in state.people:
            continue
        pause = events.pause_on(person, today)
        if pause is None or on_hold(state.people[partner], today):
            continue
        number = events.pauses(person).index(pause) + 1
        key = message_key(pair["id"], "paused", number, partner)
        found = state.messages.get(key)
        if found is None:
            out.append(
                Outgoing(
                    pair, "paused", number, partner, [partner], [partner], start, until=pause.end
                )
            )
        elif send and (pending := _unsent(found[1])):
            again = _again(state, found[1], pending, start)
            again.until = pause.end
            out.append(again)
    return out


def _status_change(step: schedule.Step, iso: str) -> tuple[dict[str, Any], str]:
    if step.status == "quiet":
        return (
            {"status": "quiet", "quiet_since": step.quiet_since},
            f"quiet: no check-in answer for {step.silent_weeks} week(s) that reached the pair",
        )
    if step.status == "completed":
        return ({"status": "completed", "completed": iso}, "completed the program")
    if step.status == "lapsed":
        return (
            {"status": "lapsed", "completed": iso},
            "lapsed: no check-in answer in the last weeks of the program",
        )
    return ({"status": "active", "quiet_since": None}, "check-in answers again")


def _latest_again(
    state: State, docs: Iterable[dict[str, Any]], start: dt.date | None
) -> list[Outgoing]:
    candidates = [d for d in docs if d["kind"] != "intro"]
    if not candidates:
        return []
    latest = max(candidates, key=lambda d: (d.get("created", ""), d["week"], d["kind"]))
    group = [d for d in candidates if (d["kind"], d["week"]) == (latest["kind"], latest["week"])]
    return [_again(state, d, list(d["to"]), start) for d in group]


def group_of(o: Outgoing) -> str:
    """What goes or stays together: a pair's messages, or one waiting mentee's notice (a
    notice belongs to no pair)."""
    return o.pair["id"] or f"/{o.part}"


def take(outgoing: list[Outgoing], limit: int | None) -> tuple[list[Outgoing], int]:
    """At most ``limit`` messages, a pair's messages kept together; returns (taken, left)."""
    if limit is None or len(outgoing) <= limit:
        return outgoing, 0
    groups: dict[str, list[Outgoing]] = {}
    for o in outgoing:
        groups.setdefault(group_of(o), []).append(o)
    taken: list[Outgoing] = []
    for group in groups.values():
        if len(taken) + len(group) > limit:
            break
        taken.extend(group)
    return taken, len(outgoing) - len(taken)


# What the run's other modules read from here: the planning, and (from .outgoing) the messages.
__all__ = [
    "ANSWERS",
    "HOLDING",
    "MESSAGES",
    "PAIRS",
    "PEOPLE",
    "CheckinPlan",
    "MessageRow",
    "Outgoing",
    "RunResult",
    "State",
    "ended_notices",
    "group_of",
    "message_key",
    "outbox_file",
    "pair_number",
    "plan_checkin",
    "plan_introductions",
    "take",
    "waiting_pair",
]
