"""The pairs of every program of a workspace, each row with its program.

A pair's code (M3) names a pair in one program only, so across programs pairs are listed,
never shown one by one: 'pairs show' needs the program.
"""

from __future__ import annotations

from typing import Any

from mentorctl.errors import UsageError
from mentorctl.report import directory


def pairs_across(
    opened: list[tuple[str, directory.Directory]], filters: directory.Filters
) -> list[dict[str, Any]]:
    """The rows :func:`directory.pair_rows` gives in each program (same filters), each with
    its ``program``, program by program."""
    return [
        {"program": slug, **row} for slug, d in opened for row in directory.pair_rows(d, filters)
    ]


def refuse_one_pair(key: str | None, program: str | None) -> None:
    """--all-programs lists; it does not show one pair, nor go with --program."""
    if program:
        raise UsageError("--all-programs and --program do not go together")
    if key is not None:
        raise UsageError(
            f"{key} names a pair in one program only",
            hint="name the program with --program instead of --all-programs",
        )
