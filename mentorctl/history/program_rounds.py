"""A program's rounds (pure: no I/O, no clock).

A program runs in rounds: the pairs of a spring round run its weeks together, and the pairs
of an autumn round run them again, later. Each pair belongs to one round, numbered from 1:

- a pair saved while the latest round's weeks are not over joins that round (a mentee who
  signed up late and is paired in the round's third week runs their own weeks inside it);
- a pair saved after the latest round's last week starts the next round;
- the admin can name the round instead (``pair --round N``): an existing round, or the next.

The number is kept on the pair (``round``) from the day it is saved. Pairs saved before rounds
were kept have none: they are numbered here by the same rule, in the order they were saved,
so an older store that already ran two rounds reads as two rounds.

A round's weeks count from the earliest day one of its pairs began its week 1 (its first
pair's save when none has begun yet): the round's calendar, as each pair's weeks count from
its own start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.history.events import parse_day
from mentorctl.history.fold import State, week_of


def _began(pair: Mapping[str, Any]) -> dt.date | None:
    """The day a pair began: its week 1 when it has one, else the day it was saved."""
    return parse_day(pair.get("start_date")) or parse_day(str(pair.get("created") or "")[:10])


def _stored(pair: Mapping[str, Any]) -> int | None:
    value = pair.get("round")
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def numbered(pairs: Iterable[Mapping[str, Any]], duration_weeks: int) -> dict[str, int]:
    """``{pair id: round}`` for every pair: its stored round, or the one the rule above gives
    it among the pairs saved before it."""
    ordered = sorted(pairs, key=lambda p: (str(p.get("created") or ""), str(p.get("id") or "")))
    out: dict[str, int] = {}
    starts: dict[int, dt.date] = {}
    latest = 0
    for pair in ordered:
        began = _began(pair)
        number = _stored(pair)
        if number is None:
            saved = parse_day(str(pair.get("created") or "")[:10]) or began
            number = latest or 1
            if latest and saved is not None and _over(starts.get(latest), saved, duration_weeks):
                number = latest + 1
        out[str(pair.get("id"))] = number
        latest = max(latest, number)
        if began is not None:
            starts[number] = min(starts.get(number, began), began)
    return out


def _over(start: dt.date | None, day: dt.date, duration_weeks: int) -> bool:
    """Whether a round that began on ``start`` had run all its weeks by ``day``."""
    return start is not None and week_of(start, day) > max(1, duration_weeks)


def starts(pairs: Iterable[Mapping[str, Any]], numbers: Mapping[str, int]) -> dict[int, dt.date]:
    """The day each round began (see the module's docstring)."""
    out: dict[int, dt.date] = {}
    for pair in pairs:
        began = _began(pair)
        number = numbers.get(str(pair.get("id")))
        if began is not None and number is not None:
            out[number] = min(out.get(number, began), began)
    return out


def for_new_pairs(
    pairs: Iterable[Mapping[str, Any]],
    *,
    today: dt.date,
    duration_weeks: int,
    requested: int | None = None,
) -> int:
    """The round of pairs saved ``today``: ``requested`` when the admin named one (an existing
    round or the next), else the latest round while its weeks are not over, else the next."""
    docs = list(pairs)
    numbers = numbered(docs, duration_weeks)
    latest = max(numbers.values(), default=0)
    if requested is not None:
        if not 1 <= requested <= latest + 1:
            known = f"rounds 1-{latest}" if latest > 1 else ("round 1" if latest else "none yet")
            raise UsageError(
                f"--round {requested}: name an existing round or the next one ({latest + 1})",
                hint=f"the program has {known}",
            )
        return requested
    if not latest:
        return 1
    began = starts(docs, numbers).get(latest)
    return latest + 1 if _over(began, today, duration_weeks) else latest


def restrict(state: State, ids: set[str]) -> State:
    """The fold ``state`` with only the pairs ``ids`` (one round's): their weeks, answers and
    messages. People, concerns and blocks stay the program's."""
    due = {w: s & ids for w, s in state.due.items()}
    return dataclasses.replace(
        state,
        pairs={k: v for k, v in state.pairs.items() if k in ids},
        due={w: s for w, s in due.items() if s},
        answered={w: s & ids for w, s in state.answered.items()},
        answers=[a for a in state.answers if str(a.get("pair")) in ids],
        messages=[m for m in state.messages if str(m.get("pair")) in ids],
    )
