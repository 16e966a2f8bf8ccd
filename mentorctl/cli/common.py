"""What every command shares: option declarations and the one place errors become exit codes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli import output
from mentorctl.errors import MentorctlError

# Options shared by the commands, declared once.
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        metavar="PATH",
        envvar="MENTORCTL_WORKSPACE",
        help="Workspace folder (default: found from the current folder upwards).",
        show_default=False,
    ),
]
ProgramOpt = Annotated[
    str | None,
    typer.Option(
        "--program",
        "-p",
        metavar="SLUG",
        help="Program slug (default: the workspace's only program).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="DATE",
        envvar="MENTORCTL_TODAY",
        help="Act as if today were this date (YYYY-MM-DD).",
        show_default=False,
    ),
]
DateOrderOpt = Annotated[
    str | None,
    typer.Option(
        "--date-order",
        metavar="DMY|MDY",
        help="Read dates such as 03/04/2026 day first (DMY) or month first (MDY) in this run, "
        "whatever program.yaml's signup.date_order says.",
        show_default=False,
    ),
]


@contextlib.contextmanager
def errors_to_exit() -> Iterator[None]:
    """The one place where domain errors become a message on stderr and an exit code."""
    try:
        yield
    except MentorctlError as exc:
        output.error(str(exc), exc.hint)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        output.error("interrupted; nothing was written by the interrupted step")
        raise typer.Exit(130) from None
