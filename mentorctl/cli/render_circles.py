"""A circle shown whole in the terminal: ``pairs show C1``."""

from __future__ import annotations

from typing import Any

from mentorctl.cli import output
from mentorctl.report.labels import who as _who


def _dash(value: Any) -> Any:
    return "-" if value is None or value == "" else value


def show_circle(c: dict[str, Any]) -> None:
    mentors = ", ".join(_who(m["name"], m["id"]) for m in c["mentors"])
    output.info(f"Circle {c['id']}: mentor {mentors}")
    window = c.get("window") or {}
    when = f"{window.get('day') or 'every day'} {window.get('utc') or '-'} UTC" if window else "-"
    output.info(
        f"Status: {c['status_label']}   Round: {_dash(c['round'])}   Created: {c['created']}"
        f"   Smallest size: {_dash(c['min_size'])}"
    )
    output.info(f"Meets: {when}   Shared topics: {', '.join(c['topics']) or '-'}")
    for title, columns, rows in [
            ("Members", ["Pair", "Mentee", "Status", "Week", "Last answer", "Topics"],
             [[m["pair"], _who(m["mentee_name"], m["mentee"]), m["status_label"],
               _dash(m["week"]), _dash(m["last_answer"]), ", ".join(m["topics"])]
              for m in c["members"]]),
            ("History", ["Date", "Event", "Pair", "Member", "Note"],
             [[h["date"], h["event_label"], h["pair"] or "", _who(h["person_name"], h["person"])
               if h["person"] else "", h["note"]] for h in c["history"]]),
    ]:  # fmt: skip
        output.info("")
        if rows:
            output.table(title, columns, rows)
        else:
            output.info(f"{title}: none")
