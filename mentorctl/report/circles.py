"""The circles of a program as they stood on the fold's day (pure: no printing).

A circle's members are saved as pairs of its mentor and each mentee, each with the circle's
id (:mod:`mentorctl.matching.circle_pairs`), so a circle's figures are its member pairs':
how many are on, paused or over and how they ended, and its check-ins answered of those due.
For the admins each row names the circle's mentor; the anonymous report has the same rows
without ids or names, in no particular circle's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mentorctl.history.fold import HOLDING, RUNNING, State, id_key


def rows(state: State, name: Callable[[Any], str], *, anonymous: bool = False) -> list[dict]:
    """One row per circle of the round or program in ``state`` (none when it has none)."""
    members: dict[str, list[str]] = {}
    for key, pair in state.pairs.items():
        circle = pair.doc.get("circle")
        if circle:
            members.setdefault(str(circle), []).append(key)
    out = []
    for circle in sorted(members, key=id_key):
        ids = set(members[circle])
        pairs = [state.pairs[k] for k in sorted(ids, key=id_key)]
        statuses = [p.status for p in pairs]
        due = sum(len(s & ids) for s in state.due.values())
        answered = sum(len(s & ids & state.answered.get(w, set())) for w, s in state.due.items())
        row: dict[str, Any] = {
            "members": len(pairs),
            "running": sum(1 for s in statuses if s in RUNNING),
            "paused": statuses.count("paused"),
            "proposed": statuses.count("proposed"),
            "completed": statuses.count("completed"),
            "lapsed": statuses.count("lapsed"),
            "ended": sum(
                1 for s in statuses if s not in HOLDING and s not in ("completed", "lapsed")
            ),
            "answered": answered,
            "due": due,
            "rate": round(answered / due, 4) if due else None,
        }
        if not anonymous:
            mentors = sorted({str(p.doc.get("mentor")) for p in pairs}, key=id_key)
            row = {"circle": circle, "mentor": ", ".join(name(m) for m in mentors), **row}
        out.append(row)
    if anonymous:  # no order that follows the circles' ids
        out.sort(key=lambda r: (-r["members"], -r["answered"], r["due"]))
    return out
