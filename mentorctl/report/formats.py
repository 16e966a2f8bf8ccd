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

FORMATS = ("table", "json", "csv", "md", "html")


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(report: dict[str, Any]) -> str:
    anonymous = report.get("anonymous")
    header = ["pair", "status", "score", "start_date"]
    if not anonymous:
        header += ["mentee", "mentor"]
    rows = [[row.get(h) for h in header] for row in report.get("pairs", [])]
    return csvout.to_text(header, rows)


def _bar(rate: Any, width: int = 20) -> str:
    """A rate as a bar of text, the small chart of a terminal or a Markdown post."""
    filled = 0 if rate is None else round(float(rate) * width)
    return "#" * filled + "." * (width - filled)


def _pct(rate: Any) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def sections(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as (title, columns, rows) tables, shared by the table, md and html forms."""
    cal = report["calendar"]
    cap = report["capacity"]
    out: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            "Calendar",
            ["Program weeks", "Current week", "Weeks left", "Start"],
            [[cal["weeks"], cal["current_week"] or "-", cal["weeks_left"], cal["start"] or "-"]],
        ),
        (
            "Sign-ups",
            ["Role", "Status", "People"],
            [
                [role, status, n]
                for role, statuses in report["signups"].items()
                for status, n in statuses.items()
            ],
        ),
        (
            "Pairs",
            ["Status", "Pairs"],
            [[s, n] for s, n in report["pairs_by_status"].items()]
            + [["waiting mentees", report["waiting_mentees"]]],
        ),
        (
            "Recruitment gap",
            ["Topic", "Waiting mentees", "Free mentor slots"],
            [
                [g["topic"], g["waiting"], g["free_slots"]]
                for g in report.get("recruitment_gap", [])
            ],
        ),
        (
            "Mentor capacity",
            ["Mentors", "Slots used", "Slots total", "Used"],
            [[cap["mentors"], cap["used"], cap["total"], _pct(cap["rate"])]],
        ),
        (
            "Match scores",
            ["Score", "Pairs"],
            [[b["bucket"], b["pairs"]] for b in report["score_distribution"]],
        ),
        (
            "Check-in answers by week",
            ["Week", "Answered", "Pairs", "Rate", ""],
            [
                [r["week"], r["answered"], r["pairs"], _pct(r["rate"]), _bar(r["rate"])]
                for r in report["answer_rate"]
            ],
        ),
    ]
    quiet_cols = (
        ["Pair", "Since"] if report.get("anonymous") else ["Pair", "Mentee", "Mentor", "Since"]
    )
    quiet_keys = (
        ["pair", "since"] if report.get("anonymous") else ["pair", "mentee", "mentor", "since"]
    )
    out.append(
        (
            "Quiet pairs needing attention",
            quiet_cols,
            [[q.get(k) or "-" for k in quiet_keys] for q in report["quiet_pairs"]],
        )
    )
    concerns = report["concerns"]
    out.append(("Concerns", ["Open", "Resolved"], [[concerns["open"], concerns["resolved"]]]))
    if concerns.get("details"):
        out.append(
            (
                "Concern details",
                ["Concern", "Status", "Pairs", "Raised", "Reason"],
                [
                    [c["id"], c["status"], ", ".join(c["pairs"]), c["raised"], c["reason"]]
                    for c in concerns["details"]
                ],
            )
        )
    return out


# Markdown and HTML syntax in data (a name such as "[x](https://evil)" or "<img src=...>")
# must show as written, never become a link, an image or markup: each such character is
# backslash-escaped, which CommonMark defines for every ASCII punctuation character.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())  # a line break would end the table row
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_md(report: dict[str, Any]) -> str:
    lines = [f"# Program report: {_md_cell(report.get('program'))}", ""]
    lines.append(f"As of {report['calendar']['today']}.")
    for title, columns, rows in sections(report):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("None.")
            continue
        lines.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        for row in rows:
            lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;max-width:60rem}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.4rem 0}
th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f2f2f2}
svg text{font-size:12px;fill:#222}
.bar{fill:#4a78b5}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def svg_bars(title: str, bars: list[tuple[str, float, str]], maximum: float) -> str:
    """A horizontal bar chart: (label, value, shown text) per bar."""
    row_h, label_w, bar_w = 22, 90, 300
    height = row_h * max(1, len(bars)) + 4
    parts = [
        f'<svg role="img" aria-label="{_esc(title)}" '
        f'width="{label_w + bar_w + 80}" height="{height}">'
    ]
    for i, (label, value, shown) in enumerate(bars):
        y = i * row_h + 2
        width = 0 if not maximum else round(bar_w * value / maximum, 1)
        parts.append(f'<text x="0" y="{y + 15}">{_esc(label)}</text>')
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y}" width="{width}" height="{row_h - 6}"/>'
        )
        parts.append(f'<text x="{label_w + width + 6}" y="{y + 15}">{_esc(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: dict[str, Any]) -> str:
    title = f"Program report: {report.get('program') or ''}"
    body = [f"<h1>{_esc(title)}</h1>", f"<p>As of {_esc(report['calendar']['today'])}.</p>"]
    scores = report["score_distribution"]
    top = max((b["pairs"] for b in scores), default=0)
    body.append("<h2>Match score distribution</h2>")
    body.append(
        svg_bars("Match scores", [(b["bucket"], b["pairs"], str(b["pairs"])) for b in scores], top)
    )
    body.append("<h2>Check-in answer rate by week</h2>")
    if report["answer_rate"]:
        bars = [
            (
                f"week {r['week']}",
                r["rate"] or 0.0,
                f"{_pct(r['rate'])} ({r['answered']}/{r['pairs']})",
            )
            for r in report["answer_rate"]
        ]
        body.append(svg_bars("Answer rate", bars, 1.0))
    else:
        body.append("<p>No pair has started yet.</p>")
    for heading, columns, rows in sections(report):
        body.append(f"<h2>{_esc(heading)}</h2>")
        if not rows:
            body.append("<p>None.</p>")
            continue
        head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
        cells = "".join(
            "<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in rows
        )
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


RENDERERS = {"json": to_json, "csv": to_csv, "md": to_md, "html": to_html}


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as text in ``fmt`` (json, csv, md or html; table is drawn by the CLI)."""
    if fmt == "table":
        return to_md(report)
    return RENDERERS[fmt](report)
