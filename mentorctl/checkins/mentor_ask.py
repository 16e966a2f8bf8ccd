"""Asking mentors before pairing (``pair --ask-mentors``): proposals kept apart, one message each.

A matching run's proposals are not saved as pairs: each is recorded as waiting in the table
``proposals`` (:mod:`mentorctl.matching.proposals`), checked again against the store as it is
under the lock, and each mentor with new proposals gets ONE message of kind ``mentor_ask``
(the program's ``messages/mentor_ask.txt.j2``, else the default shipped for the mentor's
language) listing their proposed mentees, numbered, each with first name, goals and the
reasons that fit, and nothing private: no surname, no address, no organisation.

The message is recorded in the ``messages`` table under no pair (pair id ""), keyed by the
mentor and the number of the ask (``/mentor_ask/N/P5``), with its own keyed Message-ID, and
written to the outbox (``outbox/mentor_ask-P5-N.eml``); with ``send`` it is delivered over
SMTP, and an earlier ask not yet delivered whose proposals still wait goes again (as it does
with ``checkin --send``: :mod:`.unpaired`). A run that has nothing new to ask writes nothing:
under cron it asks each question once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import ask_message, unpaired
from mentorctl.checkins.outgoing import Outgoing, RunResult, State
from mentorctl.checkins.record import settle_interrupted
from mentorctl.checkins.run import SenderFactory, _commit, _execute, _open_run
from mentorctl.matching import pairs, proposals
from mentorctl.matching.choices import with_choice

if TYPE_CHECKING:
    from mentorctl.matching.pairs import Plan
    from mentorctl.programs.program import Program
    from mentorctl.store.workspace import ProgramPaths

KIND = ask_message.KIND


@dataclass
class AskResult:
    run: RunResult
    asked: list[dict[str, Any]] = field(default_factory=list)  # the new proposals
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # mentee, mentor, why
    waiting: list[dict[str, Any]] = field(default_factory=list)  # all waiting, with ages

    @property
    def dry_run(self) -> bool:
        return self.run.dry_run


def ask_mentors(
    program: Program,
    paths: ProgramPaths,
    plan: Plan,
    *,
    today: dt.date,
    now: dt.datetime,
    send: bool = False,
    dry_run: bool = False,
    sender_factory: SenderFactory | None = None,
) -> AskResult:
    """Record the plan's proposals as waiting and ask each mentor about theirs, once."""
    stamp = now.isoformat(timespec="seconds")
    result = AskResult(RunResult("pair", today, send, dry_run))
    opened, journal = _open_run(paths, dry_run)
    with opened as store:
        result.run.recovered = settle_interrupted(store, journal.read(), stamp)
        snap = pairs.snapshot(store)
        docs = proposals.in_store(store)
        existing = snap.existing() + pairs.asked_and_declined(docs, snap.people)
        number = pairs.round_for(snap, program, today, None)
        by_mentor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in plan.result.pairs:
            check, why = pairs.checked_again(
                snap, program, p.mentee_id, p.mentor_id, today, existing
            )
            if check is None:
                result.skipped.append((p.mentee_id, p.mentor_id, why))
                continue
            existing.append((p.mentee_id, p.mentor_id, "proposed"))
            by_mentor[p.mentor_id].append(
                proposals.new_doc(
                    p.mentee_id, p.mentor_id, check.score, with_choice(check.reasons, p.reasons),
                    method=plan.method, number=number, ask=0, stamp=stamp,
                )
            )  # fmt: skip
        new: list[dict[str, Any]] = []
        for mentor, group in by_mentor.items():
            ask = proposals.next_ask(docs, mentor)
            for doc in group:
                doc["ask"] = ask
            new += group
        proposals.insert(store, new)
        result.asked = new
        state = State(store)
        outgoing: list[Outgoing] = []
        for mentor, group in by_mentor.items():
            ask = group[0]["ask"]
            outgoing.append(
                Outgoing(unpaired.ask_pair(mentor), KIND, ask, mentor, [mentor], [mentor], None)
            )
        if send:
            outgoing += unpaired.asks_again(state, {o.key for o in outgoing})
        _execute(
            store, ask_message.with_subject(program), paths, state, outgoing, {}, result.run,
            now=now, by="pair", progress=None, sender_factory=sender_factory,
        )  # fmt: skip
        result.waiting = proposals.listed(proposals.in_store(store), today)
        _commit(store, journal, dry_run)
    return result


__all__ = ["KIND", "AskResult", "ask_mentors"]
