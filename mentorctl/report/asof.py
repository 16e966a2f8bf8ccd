"""The store read once and folded as of a day, for the report and the look-ups.

:func:`load` reads a store's tables and folds them (:func:`mentorctl.history.fold.fold`);
:func:`waiting` names the mentees the next ``pair`` run would consider on that day, read from
the fold's documents of that day, so that "waiting" means the same here and in ``pair``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mentorctl.gcpause import paused_gc
from mentorctl.history.fold import HOLDING, PairOn, State, fold
from mentorctl.matching import circle_life
from mentorctl.matching.rounds import waiting_mentees
from mentorctl.report.labels import day as day_text

TABLES = ("people", "pairs", "answers", "messages", "concerns", "blocks")
# Forgotten people's anonymous traces (mentorctl.safety.privacy), folded with the people.
TRACES = "forgotten_people"
CIRCLES = "circles"  # a circles program's circles, each with its dated history
PROPOSALS = "proposals"  # proposals put to mentors (mentorctl.matching.proposals)
# What a person's status filter may name: a status, or one of the marks shown beside it.
PERSON_STATUSES = ("active", "waiting", "paused", "withdrawn", "undeliverable")
PAIR_STATUSES = ("proposed", "active", "quiet", "paused", "completed", "lapsed", "ended", "not_fit")


def documents(store_path: Path) -> dict[str, list[dict[str, Any]]]:
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        docs = {t: list(store.documents(t).values()) for t in TABLES}
        docs["people"] += store.documents(TRACES).values()
        docs[CIRCLES] = list(store.documents(CIRCLES).values())
        docs[PROPOSALS] = list(store.documents(PROPOSALS).values())
        return docs


def load(store_path: Path, *, today: dt.date, duration_weeks: int) -> State:
    docs = documents(store_path)
    circles = {str(c["id"]): c for c in docs.pop(CIRCLES) if c.get("id")}
    asked = docs.pop(PROPOSALS)
    # A circle's member pairs name the mentor of that day: its lead before a takeover.
    docs["pairs"] = circle_life.pairs_on(docs["pairs"], circles.values(), today)
    with paused_gc():  # a fold of a large store makes objects by the hundred thousand
        state = fold(**docs, day=today, duration_weeks=duration_weeks)
    state.circles, state.proposals = circles, asked
    return state


def waiting(state: State) -> list[dict[str, Any]]:
    """The mentees waiting for a mentor on the fold's day (documents of that day)."""
    return waiting_mentees(state.person_views(), state.pair_views(), state.day)


def refused(state: State, pair: PairOn) -> dict[str, str]:
    """``{role: person id}`` of the people of a pair still on whose address was undeliverable
    on the fold's day: what holds back its introduction, or its messages."""
    if pair.recorded not in HOLDING:
        return {}
    ids = {role: str(pair.doc.get(role)) for role in ("mentee", "mentor")}
    people = state.people
    return {r: p for r, p in ids.items() if p in people and people[p].undeliverable is not None}


def person_label(status: str, pause: Any, is_waiting: bool, undeliverable: Any) -> str:
    """A person's status as an admin reads it: "Paused until 2026-03-20", "Waiting"..."""
    from mentorctl.report.labels import status_label

    if status == "paused" and pause is not None:
        text = f"Paused until {pause.until.isoformat()}"
    elif status == "active" and is_waiting:
        text = "Waiting"
    else:
        text = status_label(status)
    if undeliverable is not None:
        text += ", undeliverable"
    return text


def undeliverable_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "since": day_text(entry.get("at")),
        "address": entry.get("address"),
        "reason": entry.get("reason"),
    }
