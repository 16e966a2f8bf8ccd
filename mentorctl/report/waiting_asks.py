"""Proposals waiting for a mentor's answer on a day (``pair --ask-mentors``), for the admin.

``pairs`` and the report's admin pages list them, oldest first, with the day each was asked
and its age in days as of the day shown, so the admin can chase. A proposal counts as waiting
on a day when it was asked by then and answered, withdrawn or expired only later (or not
yet): a past day's list is what it was that day. Never on an anonymous page: it names people.
"""

from __future__ import annotations

from typing import Any

from mentorctl.history.fold import State
from mentorctl.matching import proposals
from mentorctl.report.labels import who

FORGOTTEN, REDACTED = "forgotten", "[forgotten]"  # a forgotten person, as shown
TITLE = "Waiting for the mentor's answer"
COLUMNS = ["Proposal", "Mentee", "Mentor", "Asked", "Days waiting"]


def rows(docs: list[dict[str, Any]], state: State) -> list[dict[str, Any]]:
    """The proposals waiting at the end of the fold's day, with both people's names."""

    def shown(pid: Any) -> tuple[str, str]:
        if str(pid) in state.forgotten or pid == FORGOTTEN:
            return FORGOTTEN, REDACTED
        person = state.people.get(str(pid))
        return str(pid), "" if person is None else str(person.doc.get("name") or "")

    out = []
    for row in proposals.listed(proposals.waiting_on(docs, state.day), state.day, every=True):
        (mentee, mentee_name), (mentor, mentor_name) = shown(row["mentee"]), shown(row["mentor"])
        out.append({**row, "mentee": mentee, "mentee_name": mentee_name, "mentor": mentor,
                    "mentor_name": mentor_name})  # fmt: skip
    return out


def table_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows of the section, for the terminal, Markdown and HTML alike."""
    return [
        [r["id"], who(r["mentee_name"], r["mentee"]), who(r["mentor_name"], r["mentor"]),
         r["asked"], r["days"]]
        for r in items
    ]  # fmt: skip


__all__ = ["COLUMNS", "TITLE", "rows", "table_rows"]
