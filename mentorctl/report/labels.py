"""Words for what the store keeps as codes: statuses as an admin reads them, dates as dates.

A status this module does not know yet (a later version may add one) is still shown
readably: ``some_status`` becomes "Some status".
"""

from __future__ import annotations

from typing import Any

STATUS_LABELS = {
    "proposed": "Proposed",
    "active": "Active",
    "quiet": "Quiet",
    "paused": "Paused",
    "completed": "Completed",
    "ended": "Ended",
    "not_fit": "Not a fit",
    "lapsed": "Lapsed (quiet at the end)",
    "withdrawn": "Withdrawn",
    "forgotten": "Forgotten",
}


def status_label(status: Any) -> str:
    if status is None or status == "":
        return "-"
    text = str(status)
    known = STATUS_LABELS.get(text)
    if known:
        return known
    words = text.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "-"


def pair_status_label(status: Any, roles: Any = (), recorded: Any = None) -> str:
    """A pair's status, with why it is held when the address of one of its people (``roles``:
    mentee, mentor) was refused for good: "Proposed (held: the mentor's address refused)",
    "Active (both addresses refused)". Roles, not names: the label stays the same whoever is
    forgotten later."""
    text = status_label(status)
    if not roles:
        return text
    whose = "both addresses" if len(roles) > 1 else f"the {next(iter(roles))}'s address"
    held = "held: " if (recorded or status) == "proposed" else ""
    return f"{text} ({held}{whose} refused)"


def day(value: Any) -> str:
    """A stored date or timestamp as the day it falls on (``2026-03-02T09:00:00+00:00`` ->
    ``2026-03-02``); anything else as it is, and nothing as "-"."""
    if value is None or value == "":
        return "-"
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return text[:10]
    return text


def who(name: Any, pid: Any) -> str:
    """A person as an admin finds them: the name with the id beside it."""
    if not pid:
        return "-"
    if pid == "forgotten":  # a forgotten person has neither name nor id to show
        return "[forgotten]"
    if not name or name == pid:
        return str(pid)
    return f"{name} ({pid})"
