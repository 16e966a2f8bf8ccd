"""The circles of a program as they stood on the fold's day (pure: no printing).

A circle's members are saved as pairs of its mentor and each mentee, each with the circle's
id (:mod:`mentorctl.matching.circle_pairs`), so a circle's figures are its member pairs':
how many are on, paused or over and how they ended, and its check-ins answered of those due;
and how many of its people accepted the circle's meeting (``meeting_accepted`` of
``meeting_people``: accepted by all when equal; its people are its mentees still in it and
its mentors that day as the ``circles`` table records them, so a co-mentor who has not
answered counts).
Its status that day (:func:`mentorctl.matching.circle_life.status_on`) is folded from its
dated history and its member pairs: ``running`` while one holds, ``closed`` once all ended early (a circle below
its minimum closes by ending them), ``finished`` once they completed or lapsed, ``proposed``
before its introduction.
For the admins each row names the circle's lead mentor that day (a co-mentor who took it
over later does not stand for the days before); the anonymous report has the same rows
without ids or names, in no particular circle's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mentorctl.checkins.meeting_replies import circle_accepted
from mentorctl.history.fold import State, id_key
from mentorctl.matching.circle_life import mentors_on, status_on
from mentorctl.report.outcomes import tally


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
        doc = state.circles.get(circle) or {}
        status = status_on(doc, (p.recorded for p in pairs), state.day)
        row: dict[str, Any] = {"status": status, "members": len(pairs), **tally(state, ids)}
        del row["proposed"]  # the Circles table counts the members introduced
        led = mentors_on(doc, state.day)  # the circle's mentors that day, co-mentors included
        day = state.day.isoformat()
        meeting = circle_accepted(((p.doc, p.status) for p in pairs), day, led)
        row["meeting_accepted"], row["meeting_people"] = meeting["accepted"], meeting["people"]
        if not anonymous:
            mentors = led[:1] or sorted({str(p.doc.get("mentor")) for p in pairs}, key=id_key)
            row = {"circle": circle, "mentor": ", ".join(name(m) for m in mentors), **row}
        out.append(row)
    if anonymous:  # no order that follows the circles' ids
        out.sort(key=lambda r: (-r["members"], -r["answered"], r["due"]))
    return out
