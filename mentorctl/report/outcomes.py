"""What the program achieved, from the check-in answers: outcomes over the program's weeks
(among each week's due pairs, see :mod:`mentorctl.history.fold`), how pairs ended, and the
admins' notes.

Answers are the ``answers`` table's documents: ``{pair, person, week, answers: {met: yes|no,
progress: 1-5, note, fit: yes|no, feedback}}``; any of the keys may be missing. Pure: plain
documents in, plain dicts out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mentorctl.history.fold import HOLDING, RUNNING, State, id_key
from mentorctl.report.labels import day

ENDINGS = ("completed", "lapsed", "not_fit", "ended")


def _yes(value: Any) -> bool | None:
    # Stored answers are "yes" and "no": those first, since a large report reads a million.
    if value == "yes":
        return True
    if value == "no" or value is None:
        return False if value == "no" else None
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().casefold()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def by_week(*, answers: list[dict[str, Any]], due: dict[int, set[str]]) -> list[dict[str, Any]]:
    """Per program week with pairs due: the due pairs, those answering, how many met, average
    progress, the week-1 fit answers and the wrap-up feedback, all from the due pairs."""
    # One pass over the answers (a large program holds hundreds of thousands), then a row a week.
    of_week: dict[int, list[dict[str, Any]]] = {}
    for a in answers:
        week = a.get("week")
        if week in due and a.get("pair") in due[week]:
            of_week.setdefault(week, []).append(a)
    rows = []
    for week in sorted(due):
        found = of_week.get(week, [])
        values = [a.get("answers") or {} for a in found]
        met_pairs = {
            str(a.get("pair")) for a, v in zip(found, values, strict=True) if _yes(v.get("met"))
        }
        progress = [n for n in (_number(v.get("progress")) for v in values) if n is not None]
        fits = [f for f in (_yes(v.get("fit")) for v in values) if f is not None]
        rows.append(
            {
                "week": week,
                "pairs": len(due[week]),
                "answered": len({str(a.get("pair")) for a in found}),
                "met": len(met_pairs),
                "progress_avg": round(sum(progress) / len(progress), 1) if progress else None,
                "fit_yes": sum(1 for f in fits if f),
                "fit_no": sum(1 for f in fits if not f),
                "feedback": sum(1 for v in values if str(v.get("feedback") or "").strip()),
            }
        )
    return rows


def endings(statuses: Iterable[str]) -> dict[str, int]:
    """How started pairs ended: completed against lapsed, not a fit, ended by an admin."""
    out = {status: 0 for status in ENDINGS}
    for status in statuses:
        if status in out:
            out[status] += 1
    return out


def notes(
    answers: list[dict[str, Any]],
    name: Callable[[Any], str],
    shown: Callable[[Any], Any] = lambda pid: pid,
) -> list[dict[str, Any]]:
    """The free-text notes and feedback people wrote, for admins only (never anonymous)."""
    rows = []
    # Most answers hold no text: keep those that do, then sort only them.
    written = [a for a in answers if (v := a.get("answers") or {}).get("note") or v.get("feedback")]
    # in pair order as the Pairs table (M2 before M10), then week
    for a in sorted(written, key=lambda a: (id_key(a.get("pair")), a.get("week") or 0)):
        values = a.get("answers") or {}
        for key in ("note", "feedback"):
            text = str(values.get(key) or "").strip()
            if text:
                rows.append(
                    {
                        "pair": a.get("pair"),
                        "week": a.get("week"),
                        "person": shown(a.get("person")),
                        "person_name": name(a.get("person")),
                        "date": day(a.get("updated") or a.get("at")),
                        "kind": key,
                        "text": text,
                    }
                )
    return rows


def tally(state: State, ids: set[str]) -> dict[str, Any]:
    """A group of pairs (a round's, a circle's) as they stood on the fold's day: how many are
    running, paused, proposed or over and how they ended, and their check-ins answered of
    those due over all their weeks."""
    statuses = [p.status for k, p in state.pairs.items() if k in ids]
    due = sum(len(s & ids) for s in state.due.values())
    answered = sum(len(s & ids & state.answered.get(w, set())) for w, s in state.due.items())
    return {
        "running": sum(1 for s in statuses if s in RUNNING),
        "paused": statuses.count("paused"),
        "proposed": statuses.count("proposed"),
        "completed": statuses.count("completed"),
        "lapsed": statuses.count("lapsed"),
        "ended": sum(1 for s in statuses if s not in HOLDING and s not in ("completed", "lapsed")),
        "answered": answered,
        "due": due,
        "rate": round(answered / due, 4) if due else None,
    }
