"""``pairs --all-programs``: the pairs of every program of the workspace, with a Program
column in the table, the CSV and the JSON."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

PairsAllProgramsOpt = Annotated[
    bool,
    typer.Option(
        "--all-programs",
        help="The pairs of every program of the workspace, with a program column.",
    ),
]

# The CSV's columns, each the row's key (a pair's code is its "pair" column).
CSV_COLUMNS = (
    ("program", "program"), ("pair", "id"), ("mentee_id", "mentee"), ("mentee", "mentee_name"),
    ("mentor_id", "mentor"), ("mentor", "mentor_name"), ("status", "status"), ("week", "week"),
    ("score", "score"), ("start_date", "start_date"), ("last_answer", "last_answer"),
    ("end_reason", "end_reason"), ("round", "round"),
)  # fmt: skip


def list_all(opened: list[tuple[str, Any]], filters: Any, *, as_json: bool, as_csv: bool) -> None:
    """Print every program's pairs that pass ``filters``: a table, CSV or JSON."""
    from mentorctl import csvout
    from mentorctl.cli import output
    from mentorctl.report.labels import who
    from mentorctl.report.pairs_across import pairs_across

    rows = pairs_across(opened, filters)
    if as_json:
        output.emit_json({"pairs": rows, "count": len(rows)})
    elif as_csv:
        sys.stdout.write(
            csvout.to_text(
                [name for name, _ in CSV_COLUMNS], [[r[k] for _, k in CSV_COLUMNS] for r in rows]
            )
        )
    else:
        # The round is shown once a program has more than one.
        rounds = any(d.several_rounds for _, d in opened)
        output.table(
            f"Pairs in {len(opened)} programs ({len(rows)})",
            [
                "Program",
                "Pair",
                *(["Round"] if rounds else []),
                "Mentee",
                "Mentor",
                "Week",
                "Status",
                "Score",
                "Last answer",
            ],
            [
                [
                    r["program"],
                    r["id"],
                    *([r["round"]] if rounds else []),
                    who(r["mentee_name"], r["mentee"]),
                    who(r["mentor_name"], r["mentor"]),
                    "-" if r["week"] is None else r["week"],
                    r["status_label"],
                    "-" if r["score"] is None else f"{float(r['score']):.2f}",
                    r["last_answer"] or "-",
                ]
                for r in rows
            ],
        )
