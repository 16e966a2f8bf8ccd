"""The import-signups command: a form's CSV export into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli import common, output
from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit


@app.command(
    "import-signups",
    short_help="Import sign-ups from a form's CSV export.",
    epilog="Example: mentorctl import-signups responses.csv --map goals='What do you want to learn?'",
)
def import_signups_cmd(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="CSV export of the sign-up form.", show_default=False),
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            "-m",
            metavar="FIELD=HEADER",
            help="FIELD=HEADER: read FIELD from that column (FIELD= to skip it).",
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Everyone in the file signs up as mentor, mentee or both.",
        ),
    ] = None,
    write_rejects: Annotated[
        bool,
        typer.Option(
            "--write-rejects", help="Write rejected rows with reasons to FILE.rejects.csv."
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Import nothing if any row is rejected (exit code 3).")
    ] = False,
    date_order: common.DateOrderOpt = None,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Import people who signed up as mentor or mentee from a form's CSV export."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import program as programs
    from mentorctl.signups import importer as signups
    from mentorctl.signups.people import date_order_option

    with _errors_to_exit():
        order = date_order_option(date_order)
        prog, paths = programs.open_program(workspace, program)
        with output.progress("Reading sign-ups") as bar:
            result = signups.import_signups(
                file,
                prog,
                paths.store_path,
                map_options=map_ or [],
                role=role,
                today=clock.today(today),
                now=clock.now(today=today),
                dry_run=dry_run,
                write_rejects=write_rejects,
                strict=strict,
                progress=bar,
                date_order=order,
            )
        render.import_result(result, as_json)
