"""The report of one round, with the program overall (pure: no printing).

A program that ran more than one round (:mod:`mentorctl.history.program_rounds`) is reported
for one round, the latest unless the admin names another: its calendar, its pairs, its
weekly answer rates and outcomes, its quiet pairs and notes, each counted on that round's
pairs only, so a second round's week 1 is never added to the first round's. What belongs to
the program whatever the round stays the program's: the people, the waiting mentees and the
recruitment gap, mentor capacity, concerns, undeliverable addresses, the proposals waiting for
a mentor's answer (admins only: :mod:`.waiting_asks`). The ``rounds`` table
gives every round's figures and the program overall, side by side.

With one round the report is the program's, as it always was, with the ``rounds`` table of
that one round.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.gcpause import paused_gc
from mentorctl.history import program_rounds
from mentorctl.history.fold import State
from mentorctl.report import asof, figures, outcomes, waiting_asks

# What a round has of its own; everything else in the report is the program's.
ROUND_KEYS = (
    "calendar", "pairs_by_status", "score_distribution", "answer_rate", "quiet_pairs",
    "pairs", "outcomes", "notes", "circles",
)  # fmt: skip
# The headline figures that count people, not pairs: the program's in every round.
PROGRAM_HEADLINE = ("people", "open_concerns", "waiting_mentees", "undeliverable")


def from_store(
    store_path: Path,
    *,
    today: dt.date,
    duration_weeks: int,
    round_: int | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Read the store once, fold it as of ``today`` and compute the report of round
    ``round_`` (default: the latest) and the program overall."""
    state = asof.load(store_path, today=today, duration_weeks=duration_weeks)
    with paused_gc():
        report = from_state(state, round_=round_, **options)
    if not options.get("anonymous"):  # names people: the admins' pages only
        report["asked_waiting"] = waiting_asks.rows(state.proposals, state)
    return report


def from_state(
    state: State,
    *,
    round_: int | None = None,
    start_date: Any = None,
    fairness_by: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The report of round ``round_`` (default: the latest) as of the fold's day; see the
    module's docstring. ``options`` are :func:`.figures.from_state`'s."""
    numbers = program_rounds.numbered((p.doc for p in state.pairs.values()), state.duration_weeks)
    rounds = sorted(set(numbers.values())) or [1]
    chosen = rounds[-1] if round_ is None else round_
    if chosen not in rounds:
        listed = ", ".join(str(n) for n in rounds)
        raise UsageError(
            f"--round {round_}: the program had no round {round_} on {state.day.isoformat()}",
            hint=f"its rounds then: {listed}",
        )
    members = {n: {k for k, m in numbers.items() if m == n} for n in rounds}
    # program.yaml's start_date is not dated: it can only be the start of a round none of
    # whose pairs has begun (the latest); a round whose pairs began counts from them, so a
    # past day's calendar stays what it was when the admin sets a date for the next round.
    latest = rounds[-1]
    begun = any(state.pairs[k].start is not None for k in members[latest] if k in state.pairs)
    starts = {n: start_date if n == latest and not begun else None for n in rounds}
    overall = figures.from_state(state, start_date=starts[latest], **options)
    report = overall
    if len(rounds) > 1:
        part = figures.from_state(
            program_rounds.restrict(state, members[chosen]), start_date=starts[chosen], **options
        )
        report = dict(overall)
        report.update({k: part[k] for k in ROUND_KEYS if k in part})
        headline = dict(part["headline"])
        headline.update({k: overall["headline"][k] for k in PROGRAM_HEADLINE})
        report["headline"] = headline
    report["pairs"] = [dict(row, round=numbers.get(str(row["pair"]))) for row in report["pairs"]]
    report["round"] = {"number": chosen, "of": len(rounds), "latest": chosen == rounds[-1]}
    rows = [_row(state, str(n), members[n], starts[n]) for n in rounds]
    if len(rounds) > 1:
        rows.append(_row(state, "all", set(numbers), None))
    report["rounds"] = rows
    if fairness_by:
        report["fairness"] = _fairness(state, fairness_by, bool(options.get("anonymous")))
    return report


def _fairness(state: State, by: str, anonymous: bool) -> dict[str, Any]:
    """Per group of a sign-up field, over the program's pairs and waiting mentees."""
    from mentorctl.matching import fairness
    from mentorctl.report.asof import waiting

    people = {pid: p.doc for pid, p in state.people.items() if pid not in state.forgotten}
    pairs = [p.doc for p in state.pairs.values()]
    ids = [str(p.get("id")) for p in waiting(state)]
    rows = fairness.report_table(people, pairs, ids, by, state.day, anonymous=anonymous)
    return {"by": fairness.field_label(by), "groups": rows}


def _row(state: State, label: str, ids: set[str], start_date: Any) -> dict[str, Any]:
    """One round's figures (or the program's, ``all``): its calendar, its pairs by where they
    stand, and its check-ins answered over all its weeks."""
    pairs = [p for k, p in state.pairs.items() if k in ids]
    calendar = figures.calendar_of(state, pairs, start_date)
    return {
        "round": label,
        "start": calendar["start"],
        "current_week": calendar["current_week"] if label != "all" else None,
        "pairs": len(pairs),
        **outcomes.tally(state, ids),
    }
