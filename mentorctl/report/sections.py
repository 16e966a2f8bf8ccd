"""The report as titled tables (title, columns, rows), in the order an admin presents it:
headline figures first, then check-ins and outcomes, then the pairs (admins only), then the
detail. Shared by the terminal dashboard, the Markdown and the HTML page.
"""

from __future__ import annotations

from typing import Any

from mentorctl.report import waiting_asks
from mentorctl.report.labels import status_label, who


def _bar(rate: Any, width: int = 20) -> str:
    """A rate as a bar of text, the small chart of a terminal or a Markdown post."""
    filled = 0 if rate is None else round(float(rate) * width)
    return "#" * filled + "." * (width - filled)


def _pct(rate: Any) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _dash(value: Any) -> Any:
    return "-" if value is None or value == "" else value


def _score(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _who(name: Any, pid: Any) -> str:
    return who(name, pid)


# Sections that the HTML page draws as a chart, and so does not repeat as a table.
CHARTED = frozenset({"Pairs by status", "Match scores", "Check-in answers by week"})


def _pair_named(pair_id: str, names: dict[str, list[str]]) -> str:
    both = [n for n in names.get(pair_id) or [] if n and n != "(unknown)"]
    return f"{pair_id} ({' and '.join(both)})" if both else pair_id


def headline_rows(report: dict[str, Any]) -> list[list[Any]]:
    h = report["headline"]
    rate = _pct(h["answer_rate_this_week"])
    if h["due_this_week"]:
        rate += f" ({h['answered_this_week']} of {h['due_this_week']} pairs)"
    # The chart's rows for the calendar's current week and the one before, named so that
    # they read alike.
    week = h.get("week")
    rate_label = f"Answer rate, week {week} (so far)" if week else "This week's answer rate"
    rows = [
        ["People signed up", h["people"]],
        ["Active pairs", h["active_pairs"]],
        ["Meeting accepted by both", h.get("meeting_accepted", 0)],
        ["Paused pairs", h.get("paused_pairs", 0)],
    ]
    if h.get("last_week"):
        before = _pct(h["answer_rate_last_week"])
        if h["due_last_week"]:
            before += f" ({h['answered_last_week']} of {h['due_last_week']} pairs)"
        rows.append([f"Answer rate, week {h['last_week']}", before])
    return [
        *rows,
        [rate_label, rate],
        ["Quiet pairs", h["quiet_pairs"]],
        ["Open concerns", h["open_concerns"]],
        ["Waiting mentees", h["waiting_mentees"]],
        ["Undeliverable addresses", h.get("undeliverable", 0)],
    ]


def round_label(report: dict[str, Any], words: Any = None) -> str:
    """The round beside the program's name (", round 2 of 2") when it ran more than one; with
    ``words`` (:class:`.translate.Words`), in their language."""
    which = report.get("round") or {}
    if (which.get("of") or 1) < 2:
        return ""
    if words is None:
        from mentorctl.report.translate import Words

        words = Words()
    text = words.sentence(", round {number} of {of}", number=which["number"], of=which["of"])
    return text + ("" if which.get("latest") else words.sentence(" (an earlier round)"))


ROUND_COLUMNS = ["Round", "Start", "Week", "Pairs", "Running", "Paused", "Completed", "Lapsed",
                 "Ended", "Answered", "Rate"]  # fmt: skip


def round_rows(report: dict[str, Any]) -> list[list[Any]]:
    """Every round's figures and the program overall, when it ran more than one round."""
    rows = report.get("rounds") or []
    if len(rows) < 2:
        return []
    return [
        [
            "All rounds" if r["round"] == "all" else r["round"],
            _dash(r["start"]),
            _dash(r["current_week"]),
            r["pairs"],
            r["running"],
            r["paused"],
            r["completed"],
            r["lapsed"],
            r["ended"],
            f"{r['answered']} of {r['due']}" if r["due"] else "-",
            _pct(r["rate"]),
        ]
        for r in rows
    ]


def outcome_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            r["week"],
            r["pairs"],
            r["answered"],
            r["met"],
            _dash(r["progress_avg"]),
            f"{r['fit_yes']} / {r['fit_no']}" if r["fit_yes"] or r["fit_no"] else "-",
            r["feedback"],
        ]
        for r in report["outcomes"]["by_week"]
    ]


OUTCOME_COLUMNS = ["Week", "Pairs", "Answered", "Met", "Avg progress (1-5)", "Fit yes / no",
                   "Feedback"]  # fmt: skip


def sections(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as (title, columns, rows) tables, shared by the table, md and html forms:
    headline figures first, then outcomes, then the pairs (admins only), then the detail."""
    cal = report["calendar"]
    cap = report["capacity"]
    anonymous = bool(report.get("anonymous"))
    endings = report["outcomes"]["endings"]
    out: list[tuple[str, list[str], list[list[Any]]]] = [
        ("At a glance", ["Figure", "Value"], headline_rows(report)),
        *([("Rounds", ROUND_COLUMNS, rounds)] if (rounds := round_rows(report)) else []),
        (
            "Calendar",
            ["Program weeks", "Current week", "Weeks left", "Start"],
            [[cal["weeks"], cal["current_week"] or "-", cal["weeks_left"], cal["start"] or "-"]],
        ),
        (
            "Check-in answers by week",
            ["Week", "Answered", "Pairs", "Rate", "Chart"],
            [
                [r["week"], r["answered"], r["pairs"], _pct(r["rate"]), _bar(r["rate"])]
                for r in report["answer_rate"]
            ],
        ),
        ("Outcomes by week", OUTCOME_COLUMNS, outcome_rows(report)),
        (
            "How pairs ended",
            [status_label(s) for s in endings],
            [list(endings.values())] if any(endings.values()) else [],
        ),
        (
            "Pairs by status",
            ["Status", "Pairs"],
            # pairs only: waiting mentees are people, counted at a glance
            [[status_label(s), n] for s, n in report["pairs_by_status"].items() if n],
        ),
    ]
    if not anonymous:
        out.append(
            (
                "Pairs",
                ["Pair", "Mentee", "Mentor", "Week", "Status", "Score", "Last answer"],
                [
                    [
                        p["pair"],
                        _who(p["mentee"], p.get("mentee_id")),
                        _who(p["mentor"], p.get("mentor_id")),
                        _dash(p.get("week")),
                        p.get("status_label") or status_label(p.get("status")),
                        _score(p.get("score")),
                        _dash(p.get("last_answer")),
                    ]
                    for p in report.get("pairs", [])
                ],
            )
        )
    quiet_cols = ["Quiet since"] if anonymous else ["Pair", "Mentee", "Mentor", "Quiet since"]
    out.append(
        (
            "Quiet pairs needing attention",
            quiet_cols,
            [
                [q.get("since") or "-"]
                if anonymous
                else [
                    f"{q.get('pair')} ({q['circle']})" if q.get("circle") else q.get("pair"),
                    _who(q.get("mentee"), q.get("mentee_id")),
                    _who(q.get("mentor"), q.get("mentor_id")),
                    q.get("since") or "-",
                ]
                for q in report["quiet_pairs"]
            ],
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
                    [
                        c["id"],
                        status_label(c["status"]),
                        ", ".join(_pair_named(p, c.get("pair_names", {})) for p in c["pairs"]),
                        c["raised"],
                        c["reason"],
                    ]
                    for c in concerns["details"]
                ],
            )
        )
    if report.get("undeliverable"):
        out.append(
            (
                "Undeliverable addresses",
                ["Person", "Since", "Reason", "Pairs"],
                [
                    [
                        _who(u["name"], u["person"]),
                        u["since"],
                        u.get("reason") or "",
                        ", ".join(u.get("pairs") or []) or "-",
                    ]
                    for u in report["undeliverable"]
                ],
            )
        )
    if report.get("asked_waiting"):  # admins only: an anonymous report has none
        items = report["asked_waiting"]
        out.append((waiting_asks.TITLE, waiting_asks.COLUMNS, waiting_asks.table_rows(items)))
    if report.get("notes"):
        out.append(
            (
                "Notes from check-ins (admins only)",
                ["Pair", "Week", "Person", "Date", "Note"],
                [
                    [
                        n["pair"],
                        n["week"],
                        _who(n["person_name"], n["person"]),
                        n["date"],
                        ("Feedback: " if n["kind"] == "feedback" else "") + n["text"],
                    ]
                    for n in report["notes"]
                ],
            )
        )
    out += [
        (
            "Sign-ups",
            ["Role", "Status", "People"],
            [
                [role, status_label(status), n]
                for role, statuses in report["signups"].items()
                for status, n in statuses.items()
            ],
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
    ]
    if report.get("circles"):
        anonymous_circles = bool(report.get("anonymous"))
        out.append(
            (
                "Circles",
                ([] if anonymous_circles else ["Circle", "Mentor"]) + CIRCLE_COLUMNS,
                [
                    ([] if anonymous_circles else [c["circle"], c["mentor"]])
                    + [str(c["status"]).capitalize(), c["members"], c["running"], c["paused"],
                       c["completed"], c["lapsed"], c["ended"],
                       f"{c['answered']} of {c['due']}" if c["due"] else "-", _pct(c["rate"]),
                       _accepted(c)]
                    for c in report["circles"]
                ],
            )
        )  # fmt: skip
    if report.get("fairness"):
        fair = report["fairness"]
        out.append((f"Fairness by {fair['by']}", FAIRNESS_COLUMNS, fairness_rows(fair["groups"])))
    return out


CIRCLE_COLUMNS = ["Status", "Members", "Running", "Paused", "Completed", "Lapsed", "Ended",
                  "Answered", "Rate", "Meeting accepted"]  # fmt: skip


def _accepted(circle: dict[str, Any]) -> str:
    """How many of a circle's people accepted its meeting ("5 of 5": accepted by all)."""
    people = circle.get("meeting_people", 0)
    return f"{circle.get('meeting_accepted', 0)} of {people}" if people else "-"


FAIRNESS_COLUMNS = ["Group", "Mentees", "Matched", "Waiting", "Match rate", "Avg score",
                    "Days waited"]  # fmt: skip


def fairness_rows(groups: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows of a fairness table (:mod:`mentorctl.matching.fairness`), for pair and report."""
    return [
        [
            g["group"],
            g["mentees"],
            _dash(g["matched"]),
            _dash(g["waiting"]),
            _pct(g["rate"]),
            _score(g["avg_score"]),
            _dash(g["days_waited"]),
        ]
        for g in groups
    ]
