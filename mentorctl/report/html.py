"""The report as one self-contained HTML page, made to be shown to a committee and printed.

Inline CSS and inline SVG charts, no script, nothing fetched. The headline figures come first
as large numbers; a figure drawn as a chart is not repeated as a table; the page prints on A4
(``@page``, no section or table row split across pages). The admins' page says it names
people; the anonymous one says it holds aggregates only.
"""

from __future__ import annotations

import html
from typing import Any

from mentorctl.report.labels import status_label
from mentorctl.report.sections import CHARTED, _pct, headline_rows, round_label, sections
from mentorctl.report.translate import Words

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
 color:#1f2328;max-width:62rem;padding:0 1.5rem;line-height:1.4}
h1{font-size:1.6rem;margin:0 0 .2rem}
h2{font-size:1.1rem;margin:1.8rem 0 .5rem;border-bottom:2px solid #d8dee4;padding-bottom:.2rem}
.sub{color:#57606a;margin:0 0 .8rem}
.audience{display:inline-block;padding:.2rem .6rem;border-radius:4px;font-size:.85rem}
.audience.admin{background:#fff4d6;border:1px solid #d4a72c}
.audience.anon{background:#ddf4ff;border:1px solid #54aeff}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:.7rem;margin:1rem 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem}
.card .n{font-size:1.7rem;font-weight:600;display:block}
.card .l{color:#57606a;font-size:.9rem}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right}
svg text{font-size:12px;fill:#1f2328}
.bar{fill:#4a78b5}
section{margin-bottom:.6rem}
.none{color:#57606a}
@page{size:A4;margin:15mm}
@media print{
 body{margin:0;max-width:none;padding:0;font-size:10.5pt}
 h2{break-after:avoid;page-break-after:avoid}
 section,.cards,svg{break-inside:avoid;page-break-inside:avoid}
 tr{break-inside:avoid;page-break-inside:avoid}
 thead{display:table-header-group}
 .audience{border-width:1px}
}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def svg_bars(title: str, bars: list[tuple[str, float, str]], maximum: float) -> str:
    """A horizontal bar chart: (label, value, shown text) per bar."""
    row_h, label_w, bar_w = 22, 150, 300
    height = row_h * max(1, len(bars)) + 4
    parts = [
        f'<svg role="img" aria-label="{_esc(title)}" '
        f'width="{label_w + bar_w + 110}" height="{height}">'
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


def _chart(title: str, report: dict[str, Any], words: Words) -> str:
    heading = words(title)
    if title == "Pairs by status":
        counts = [(words(status_label(s)), n) for s, n in report["pairs_by_status"].items() if n]
        if not counts:
            return f'<p class="none">{_esc(words("No pairs yet."))}</p>'
        top = max(n for _, n in counts)
        return svg_bars(heading, [(label, n, str(n)) for label, n in counts], top)
    if title == "Match scores":
        scores = report["score_distribution"]
        top = max((b["pairs"] for b in scores), default=0)
        return svg_bars(
            heading,
            [(words(f"score {b['bucket']}"), b["pairs"], str(b["pairs"])) for b in scores],
            top,
        )
    rows = report["answer_rate"]
    if not rows:
        return f'<p class="none">{_esc(words("No pair has started yet."))}</p>'
    # The current week's bar is the headline's rate: say so beside it.
    now = report["headline"].get("week")
    bars = [
        (
            words(f"week {r['week']}" + (" (now)" if r["week"] == now else "")),
            r["rate"] or 0.0,
            f"{words(_pct(r['rate']))} ({r['answered']}/{r['pairs']})",
        )
        for r in rows
    ]
    return svg_bars(heading, bars, 1.0)


def _table(columns: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_esc(v)}</td>'
            if isinstance(v, int | float)
            else f"<td>{_esc(v)}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cards(report: dict[str, Any], words: Words) -> str:
    cards = []
    for label, value in headline_rows(report):
        # "40% (12 of 30 pairs)": the number large, what it counts beside the label.
        number, _, detail = str(words(value)).partition(" (")
        label = words(label)
        if detail:
            label = f"{label} ({detail}"
        cards.append(
            f'<div class="card"><span class="n">{_esc(number)}</span>'
            f'<span class="l">{_esc(label)}</span></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


TITLES = {"Check-in answers by week": "Check-in answer rate by week"}
ANONYMOUS_AUDIENCE = "Anonymous summary: figures only, no names, contacts or notes; fit to share."
ADMIN_AUDIENCE = (
    "For the program's admins: names people and shows their notes. Share the anonymous "
    "report instead."
)


def page(report: dict[str, Any], words: Words | None = None) -> str:
    """The page; with ``words``, in their language (see :mod:`.translate`)."""
    words = words or Words()
    name = f"{report.get('program') or ''}{round_label(report, words)}"
    title = words.sentence("Program report: {name}", name=name)
    cal = report["calendar"]
    when = words.sentence("As of {day}", day=cal["today"])
    if cal.get("current_week"):
        when += words.sentence(
            ", week {week} of {weeks}", week=cal["current_week"], weeks=cal["weeks"]
        )
    if cal.get("start"):
        when += words.sentence(" (started {day})", day=cal["start"])
    if report.get("anonymous"):
        audience = f'<span class="audience anon">{html.escape(words(ANONYMOUS_AUDIENCE), quote=False)}</span>'
    else:
        audience = (
            f'<span class="audience admin">{html.escape(words(ADMIN_AUDIENCE), quote=False)}</span>'
        )
    body = [f"<h1>{_esc(title)}</h1>", f'<p class="sub">{_esc(when)}.</p>', audience]
    for heading, columns, rows in sections(report):
        shown = words(TITLES.get(heading, heading))
        if heading == "At a glance":
            body.append(f"<section><h2>{_esc(shown)}</h2>{_cards(report, words)}</section>")
            continue
        if heading == "Calendar":
            continue  # said under the title
        inner = (
            _chart(heading, report, words)
            if heading in CHARTED
            else (
                _table(
                    [words.column(c) for c in columns], [[words(v) for v in row] for row in rows]
                )
                if rows
                else f'<p class="none">{_esc(words("None."))}</p>'
            )
        )
        body.append(f"<section><h2>{_esc(shown)}</h2>{inner}</section>")
    return (
        f'<!DOCTYPE html>\n<html lang="{words.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
