"""Renderers of a program report (a dict from :mod:`mentorctl.report.figures`) as text.

Every renderer returns a string; none touches the network: the HTML carries its CSS and its
SVG bar charts inline. CSV goes through :mod:`mentorctl.csvout`, so no cell becomes a formula.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from mentorctl import csvout
from mentorctl.report.sections import round_label, sections
from mentorctl.report.translate import Words

__all__ = ["FORMATS", "render", "sections", "to_csv", "to_html", "to_json", "to_md"]

FORMATS = ("table", "json", "csv", "md", "html")


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


PAIRS_CSV = [
    "pair", "mentee", "mentee_email", "mentor", "mentor_email", "status", "week", "score",
    "start_date", "last_answer", "end_reason", "round",
]  # fmt: skip
OUTCOMES_CSV = ["week", "pairs", "answered", "met", "progress_avg", "fit_yes", "fit_no", "feedback"]


def to_csv(report: dict[str, Any]) -> str:
    """Admins: one row per pair, with both people's names and emails. Anonymous: one row per
    program week with the outcome figures, and nothing about any one pair."""
    if report.get("anonymous"):
        rows = [[r.get(h) for h in OUTCOMES_CSV] for r in report["outcomes"]["by_week"]]
        return csvout.to_text(OUTCOMES_CSV, rows)
    rows = [[row.get(h) for h in PAIRS_CSV] for row in report.get("pairs", [])]
    return csvout.to_text(PAIRS_CSV, rows)


# Markdown and HTML syntax in data (a name such as "[x](https://evil)" or "<img src=...>")
# must show as written, never become a link, an image or markup: each such character is
# backslash-escaped, as CommonMark allows for any ASCII punctuation. Parentheses are left
# as they are ("Ann (P2)" reads better): with "[" and "]" escaped no link can form.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&])")


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())  # a line break would end the table row
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_md(report: dict[str, Any], words: Words | None = None) -> str:
    words = words or Words()
    title = f"{report.get('program') or ''}{round_label(report, words)}"
    lines = ["# " + _md_cell(words.sentence("Program report: {name}", name=title)), ""]
    lines.append(words.sentence("As of {day}", day=report["calendar"]["today"]) + ".")
    for title, columns, rows in sections(report):
        lines += ["", f"## {words(title)}", ""]
        if not rows:
            lines.append(words("None."))
            continue
        lines.append("| " + " | ".join(_md_cell(words.column(c)) for c in columns) + " |")
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        for row in rows:
            lines.append("| " + " | ".join(_md_cell(words(v)) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def to_html(report: dict[str, Any], words: Words | None = None) -> str:
    from mentorctl.report.html import page

    return page(report, words)


def render(report: dict[str, Any], fmt: str, language: str | None = None) -> str:
    """The report as text in ``fmt`` (json, csv, md or html; table is drawn by the CLI). The
    Markdown and HTML pages are written in ``language`` (default English); JSON and CSV keep
    their keys and values for scripts."""
    if fmt in ("table", "md"):
        return to_md(report, Words(language))
    if fmt == "html":
        return to_html(report, Words(language))
    return {"json": to_json, "csv": to_csv}[fmt](report)
