"""Introductions and the weekly check-in run: planned, rendered, delivered, recorded.

A run (``introduce`` or ``checkin``) holds the store's lock from start to end, so two runs
never both send: the second waits, then finds everything recorded, or gives up with exit
code 75. Inside, it

1. settles an interrupted earlier run from the SMTP journal (see :mod:`mentorctl.mail.delivery`);
2. plans what is due (:mod:`.plan`, :mod:`.schedule`) and leaves out what may not go
   (:mod:`.held`: undeliverable people, pairs introduced only in the outbox);
3. renders every message; a template error stops the run before anything is written or sent;
   a message to an unusable address is left out with a warning (pair id only);
4. builds and checks each message (one that fails is refused alone and counts as failed),
   writes it into the outbox and, with ``send``, delivers it over SMTP, first committing the
   run's messages as ``queued`` so that a run killed while sending is settled by the next;
5. records every message, status change and permanent refusal in one commit.

Messages are always rendered from the current templates and data. ``introduce`` makes a pair
active, with a ``start_date`` (``--start``, else program.yaml's ``start_date`` when later than
today, else today), only once its introduction reached both people (written to the outbox, or
accepted by the SMTP server in a run that sends); a pair whose introduction failed stays
``proposed`` and is listed in ``not_introduced``. ``checkin`` marks pairs quiet, active
again, completed or lapsed (see :mod:`.schedule`), each change an entry in the pair's
history; the CLI turns ``failed`` deliveries into exit code 4 after printing the result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import ask_message, circle_intro, circle_notices, circle_weekly, held
from mentorctl.checkins.builder import Builder, Progress, _tick
from mentorctl.checkins.plan import (
    MessageRow,
    Outgoing,
    RunResult,
    State,
    pair_number,
    plan_checkin,
    plan_introductions,
    take,
)
from mentorctl.checkins.record import overall, record_messages, settle_interrupted
from mentorctl.checkins.schedule import parse_day
from mentorctl.errors import UsageError
from mentorctl.matching import circle_life
from mentorctl.matching.pairs import change_pairs

if TYPE_CHECKING:
    from mentorctl.mail.delivery import Journal, SmtpSender
    from mentorctl.programs.program import Program
    from mentorctl.store.db import Store
    from mentorctl.store.workspace import ProgramPaths

SenderFactory = Callable[[], "SmtpSender"]


def _row(o: Outgoing, status: str | None = None) -> MessageRow:
    errors = {p: e for p, (s, e) in o.results.items() if s == "failed" and e}
    if status is None:
        states = {s for s, _ in o.results.values()}
        status = "failed" if "failed" in states else "sent" if states == {"sent"} else "written"
    return MessageRow(o.pair["id"], o.kind, o.week, list(o.pending), status, o.file, errors)


def _execute(
    store: Store,
    program: Program,
    paths: ProgramPaths,
    state: State,
    outgoing: list[Outgoing],
    changes: dict[str, tuple[dict[str, Any], str]],
    result: RunResult,
    *,
    now: dt.datetime,
    by: str,
    progress: Progress | None,
    sender_factory: SenderFactory | None,
) -> None:
    from mentorctl.mail import delivery
    from mentorctl.mail.messages import MessageRefused

    stamp = now.isoformat(timespec="seconds")
    builder = Builder(program, paths, state, now)
    builder.templates.check(tuple(sorted({o.kind for o in outgoing})))
    outgoing[:] = builder.render_usable(outgoing, result, progress)
    for pid in [p for p, (_, note) in changes.items() if note == "introduced"]:
        if pid not in result.introduced:
            del changes[pid]  # its introduction was left out
    total = len(outgoing)
    if result.dry_run:
        verb = "would send" if result.send else "would write"
        result.messages = [_row(o, verb) for o in outgoing]
        return
    sender: SmtpSender | None = None
    journal: Journal | None = None
    if result.send and outgoing:
        sender = delivery.open_sender(program, sender_factory)  # or stop here: nothing sent
        for o in outgoing:
            o.results = {p: ("queued", None) for p in o.pending}
        record_messages(store, outgoing, builder.message_id, stamp, attempt=False)
        change_pairs(store, changes, stamp, by)
        changes = {}
        store.commit()
        journal = delivery.Journal(paths.data_dir)
        journal.ready()
    outbox = delivery.Outbox(paths.dir)
    try:
        for done, o in enumerate(outgoing, 1):
            try:
                _, data = builder.build(o)
            except MessageRefused as exc:
                result.warnings.append(exc.message)
                o.results = {
                    p: ("failed", "refused: it failed the header check") for p in o.pending
                }
                continue
            outbox.write(o.file, data)
            if sender is None or journal is None:
                o.results = {p: ("written", None) for p in o.pending}
            else:
                people = {p: builder.address(p) for p in o.pending}
                outcome = delivery.deliver(
                    sender, builder.sender, people, data,
                    lambda o=o: builder.build(o, ascii_only=True)[1],
                    journal=journal, key=o.key, at=stamp,
                )  # fmt: skip
                for person, error in outcome.items():
                    o.results[person] = ("sent", None) if error is None else ("failed", error)
            _tick(progress, done, total)
    finally:
        if sender is not None:
            sender.close()
        if journal is not None:
            journal.close()
    record_messages(store, outgoing, builder.message_id, stamp, attempt=sender is not None)
    change_pairs(store, changes, stamp, by)
    result.messages = [_row(o) for o in outgoing]


def _introduced(
    state: State, outgoing: list[Outgoing], *, send: bool, dry_run: bool
) -> tuple[list[str], list[str]]:
    """Committed pairs whose introduction reached both people (written to the outbox, or
    accepted by the SMTP server in a run that sends), and those whose introduction did not."""
    ok = {"sent"} if send else {"sent", "written"}
    kinds = circle_intro.INTRO_KINDS
    carried = circle_intro.carrier(state)  # a circle's members: its introduction is theirs
    got: dict[str, set[str]] = {}
    by_carrier: dict[str, list[str]] = {}
    for pair in state.pairs:
        if pair["status"] != "proposed":
            continue
        who = got[pair["id"]] = set()
        source = carried.get(pair["id"], pair["id"])
        by_carrier.setdefault(source, []).append(pair["id"])
        for doc in state.by_pair.get(source, ()):
            if doc["kind"] in kinds:
                who.update(p for p, e in doc.get("delivery", {}).items() if e.get("status") in ok)
    tried = set()
    for o in outgoing:
        if o.kind not in kinds:
            continue
        for pid in by_carrier.get(o.pair["id"], ()):
            tried.add(pid)
            if dry_run:
                got[pid].update(o.pending)
            else:
                got[pid].update(p for p, (st, _) in o.results.items() if st in ok)
    done, missed = [], []
    for pid, who in got.items():
        pair = state.pair_by_id[pid]
        if {pair["mentee"], pair["mentor"]} <= who:
            done.append(pid)
        elif pid in tried:
            missed.append(pid)
    return sorted(done, key=pair_number), sorted(missed, key=pair_number)


def _open_run(
    paths: ProgramPaths, dry_run: bool
) -> tuple[contextlib.AbstractContextManager[Store], Journal]:
    from mentorctl.mail.delivery import Journal
    from mentorctl.store.db import Store

    return Store.writing(paths.store_path, dry_run=dry_run), Journal(paths.data_dir)


def _commit(store: Store, journal: Journal, dry_run: bool) -> None:
    """Commit, then drop the journal, both under the store's lock: once the store records the
    deliveries the journal is not needed, and no other run can be writing to it."""
    if not dry_run:
        store.commit()
        journal.clear()


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise UsageError(f"--limit {limit}: expected a positive number of messages")


# -- the commands -------------------------------------------------------------------------


def default_start(program: Program, today: dt.date) -> dt.date:
    """Week 1 starts today, or on the program's own start date when that is later."""
    program_start = parse_day(program.data.get("start_date"))
    return max(today, program_start) if program_start else today


def _plan_introductions(
    state: State,
    program: Program,
    *,
    start: dt.date,
    only: list[str],
    send: bool = False,
    resend: bool = False,
) -> tuple[list[Outgoing], list[str]]:
    """Each pair's introduction; in a circles program, one per circle for its members."""
    outgoing, warnings = plan_introductions(
        state, program, start=start, only=only, send=send, resend=resend
    )
    if not circle_intro.is_circles(program):
        return outgoing, warnings
    wanted = {state.pair(ref)["id"] for ref in only}
    circles, more = circle_intro.plan(
        state, program, start=start, wanted=wanted, send=send, resend=resend
    )
    return [*circle_intro.without_member_intros(outgoing), *circles], warnings + more


def introduce(
    program: Program,
    paths: ProgramPaths,
    *,
    today: dt.date,
    now: dt.datetime,
    send: bool = False,
    limit: int | None = None,
    resend: bool = False,
    only: Iterable[str] = (),
    start: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    sender_factory: SenderFactory | None = None,
) -> RunResult:
    """Introduce every committed pair not yet introduced; with ``send``, deliver over SMTP."""
    only = list(only)
    if resend and not only:
        raise UsageError("--resend needs --pair PAIR: name the pairs to introduce again")
    _check_limit(limit)
    first_day = start or default_start(program, today)
    stamp = now.isoformat(timespec="seconds")
    result = RunResult("introduce", today, send, dry_run)
    opened, journal = _open_run(paths, dry_run)
    with opened as store:
        result.recovered = settle_interrupted(store, journal.read(), stamp)
        state = State(store)
        outgoing, result.warnings = _plan_introductions(
            state, program, start=first_day, only=only, send=send, resend=resend
        )
        outgoing = held.introductions(state, outgoing, result, today)
        outgoing, result.left = take(outgoing, limit)
        _execute(
            store, program, paths, state, outgoing, {}, result,
            now=now, by="introduce", progress=progress, sender_factory=sender_factory,
        )  # fmt: skip
        held.record(store, state, outgoing, result, stamp)
        # A pair's week 1 begins when its introduction reached both people; until then it
        # stays committed and gets nothing else.
        done, missed = _introduced(state, outgoing, send=send, dry_run=dry_run)
        fields = {
            "status": "active",
            "start_date": first_day.isoformat(),
            "introduced": today.isoformat(),
        }
        if not dry_run:
            change_pairs(
                store, {pid: (dict(fields), "introduced") for pid in done}, stamp, "introduce"
            )
        result.introduced = done
        result.not_introduced = missed
        if missed:
            result.warnings.append(
                f"{len(missed)} pair(s) not introduced, their introduction was not delivered: "
                f"{', '.join(missed)}; they get no other message until "
                "'mentorctl introduce --send' delivers it"
            )
        _commit(store, journal, dry_run)
    return result


def preview_introductions(
    program: Program,
    paths: ProgramPaths,
    *,
    today: dt.date,
    now: dt.datetime,
    only: Iterable[str] = (),
    limit: int | None = None,
    start: dt.date | None = None,
) -> RunResult:
    """One rendered introduction per pair (or circle) not yet introduced; reads the store,
    writes nothing."""
    from mentorctl.mail.messages import MessageRefused, preview_text
    from mentorctl.store.db import Store

    _check_limit(limit)
    first_day = start or default_start(program, today)
    result = RunResult("introduce", today, False, True)
    with Store.reading(paths.store_path) as store:
        state = State(store)
        outgoing, result.warnings = _plan_introductions(
            state, program, start=first_day, only=list(only)
        )
    shown: dict[str, Outgoing] = {}
    for o in outgoing:
        shown.setdefault(o.pair["id"], o)  # in mode: separate, the mentee's copy
    chosen, result.left = take(list(shown.values()), limit)
    builder = Builder(program, paths, state, now)
    builder.message_id.preview = True  # no key file is made for a preview
    for o in builder.render_usable(chosen, result):
        try:
            msg, _ = builder.build(o)
        except MessageRefused as exc:
            result.warnings.append(exc.message)
            continue
        result.previews.append(
            {
                "pair": o.pair["id"],
                "kind": o.kind,
                "to": o.to,
                "subject": str(msg["Subject"]),
                "text": preview_text(msg),
                "html": o.rendered is not None and o.rendered.html is not None,
            }
        )
    return result


def run_checkin(
    program: Program,
    paths: ProgramPaths,
    *,
    today: dt.date,
    now: dt.datetime,
    send: bool = False,
    limit: int | None = None,
    resend: bool = False,
    only: Iterable[str] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    sender_factory: SenderFactory | None = None,
    outbox_delivered: bool = False,
) -> RunResult:
    """The weekly run: each active pair's message of the week, nudges, wrap-ups, once each
    (``outbox_delivered``: see :mod:`mentorctl.checkins.held`)."""
    only = list(only)
    if resend and not only:
        raise UsageError("--resend needs --pair PAIR: name the pairs whose message to send again")
    _check_limit(limit)
    stamp = now.isoformat(timespec="seconds")
    result = RunResult("checkin", today, send, dry_run)
    opened, journal = _open_run(paths, dry_run)
    with opened as store:
        result.recovered = settle_interrupted(store, journal.read(), stamp)
        held.mark_outbox_delivered(store, stamp, send and outbox_delivered)
        circles = circle_intro.is_circles(program)
        settled = circle_life.Settled()
        if circles:  # members who left, and circles closed below their minimum
            minimum = circle_life.min_size_of(program.data)
            settled = circle_life.settle(store, stamp=stamp, min_size=minimum)
        state = State(store)
        refused = held.undeliverable(state, today)
        if circles:  # a circle's mentor: one message a week for the whole circle
            circle_weekly.share(state)
        plan = plan_checkin(state, program, today, only=only, send=send, resend=resend,
                            refused=refused)  # fmt: skip
        if circles:
            circle_weekly.unshare(state)
            circle_weekly.one_per_mentor(state, plan)
            circle_notices.away(state, plan, send=send)
            plan.outgoing.extend(circle_notices.plan(state, send=send, only=only))
        result.quiet, result.completed = plan.quiet, plan.completed
        result.back_active, result.warnings = plan.back_active, plan.warnings
        result.warnings += [f"circle {c} closed ({why}): its members are waiting again"
                            for c, why in settled.closed]  # fmt: skip
        held.apply(state, plan, result, today, program, only)
        outgoing, result.left = take(plan.outgoing, limit)
        _execute(  # (a question to a mentor sent again: its subject in the program's language)
            store, ask_message.with_subject(program), paths, state, outgoing, plan.changes, result,
            now=now, by="checkin", progress=progress, sender_factory=sender_factory,
        )  # fmt: skip
        held.record(store, state, outgoing, result, stamp)
        _commit(store, journal, dry_run)
    return result


@dataclass
class Completed:
    pair: dict[str, Any]
    wrapup: bool
    dry_run: bool


def complete_pair(
    paths: ProgramPaths,
    pair_ref: str,
    *,
    reason: str,
    wrapup: bool,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
) -> Completed:
    """Complete a pair before the last week: it counts as completed, not as ended. The
    wrap-up message goes with the next ``checkin`` run unless ``wrapup`` is False."""
    from mentorctl.matching.pairs import find_pair, snapshot
    from mentorctl.store.db import Store

    stamp = now.isoformat(timespec="seconds")
    with Store.writing(paths.store_path, dry_run=dry_run, backup=True) as store:
        pair = find_pair(snapshot(store), pair_ref)
        status = pair["status"]
        if status == "proposed":
            raise UsageError(
                f"pair {pair['id']} has not been introduced yet",
                hint="end it with 'mentorctl pair --end' instead",
            )
        if status not in ("active", "quiet", "paused"):
            raise UsageError(f"pair {pair['id']} is already {status.replace('_', ' ')}")
        fields = {
            "status": "completed",
            "completed": today.isoformat(),
            "completed_early": True,
            "wrapup_due": wrapup,
        }
        note = "completed early by the admin" + (f": {reason.strip()}" if reason.strip() else "")
        change_pairs(store, {pair["id"]: (fields, note)}, stamp, "admin")
        pair = dict(pair, **fields)
    return Completed(pair, wrapup, dry_run)


__all__ = [
    "Builder",
    "Completed",
    "MessageRow",
    "RunResult",
    "change_pairs",
    "complete_pair",
    "default_start",
    "introduce",
    "overall",
    "preview_introductions",
    "run_checkin",
    "settle_interrupted",
]
