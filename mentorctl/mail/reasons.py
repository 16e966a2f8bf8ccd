"""A pair's reasons as the two people read them in their introduction.

The matcher's reasons are written for the admin's table ("both: Getting promoted", "mentor
speaks English"); an email to the two people says the same in their words. Reasons that count
against the pair, and unknowns, are left out.
"""

from __future__ import annotations

from typing import Any


def friendly(reasons: Any) -> list[str]:
    """A pair's reasons as the two people read them in their introduction: "both: Getting
    promoted" is how an admin's table says it, not how one writes to a person. Reasons that
    count against the pair, and unknowns, are left out."""
    out = []
    for raw in reasons:
        text = str(raw)
        if text.endswith(" (counts against)") or text == "time zone unknown":
            continue
        if text.startswith("both: "):
            out.append("you share an interest in " + _and(text[6:]))
        elif text == "same time zone":
            out.append("you are in the same time zone")
        elif text.startswith("time zones ") and text.endswith(" h apart"):
            hours = text[len("time zones ") : -len(" h apart")]
            out.append(f"your time zones are only {hours} hour{'' if hours == '1' else 's'} apart")
        elif text.startswith("mentor speaks "):
            out.append("you can talk in " + text[len("mentor speaks ") :])
        elif text.startswith("same "):
            out.append(f"you have the same {text[5:]}")
        elif ": both " in text:
            name, _, values = text.partition(": both ")
            out.append(f"you both answered {_and(values)} for {name}")
        else:
            out.append(text)
    return out


def _and(listed: str) -> str:
    items = [i.strip() for i in listed.split(", ") if i.strip()]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
