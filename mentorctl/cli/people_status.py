"""The people commands, ``withdraw`` and ``pause``: a person leaves, or is away for a while.

The domain is :mod:`mentorctl.matching.people_status`; results are shown by
:mod:`mentorctl.cli.render_people`. This module has no ``from __future__ import
annotations``: Typer reads the annotations as objects.
"""

from typing import Annotated

import typer

from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit

PersonArg = Annotated[str, typer.Argument(metavar="PERSON", help="Person id (P12) or email.")]


@app.command(
    "withdraw",
    short_help="A person leaves: their pairs end; no new pairs.",
    epilog='Example: mentorctl withdraw P12 --reason "moved abroad"',
)
def withdraw_cmd(
    person: PersonArg,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why, for the record.")
    ] = None,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """End PERSON's current pairs and keep them out of matching until they sign up again.

    The other person of each pair that had been introduced gets a short, kind message with
    the next 'mentorctl checkin' run, saying neither who nor why.
    """
    from mentorctl import clock
    from mentorctl.cli import render_people
    from mentorctl.matching import people_status
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        _, paths = programs.open_program(workspace, program)
        done = people_status.withdraw(
            paths.store_path,
            person,
            reason=reason or "",
            now=clock.now(today=today),
            dry_run=dry_run,
        )
        render_people.status_result(done, as_json)


@app.command(
    "pause",
    short_help="A person is away: no new pairs, no check-ins until a date.",
    epilog='Example: mentorctl pause P4 --until 2026-05-01 --reason "parental leave"',
)
def pause_cmd(
    person: PersonArg,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="The day they are back (YYYY-MM-DD)."),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Why, for the record (never sent)."),
    ] = None,
    end: Annotated[
        bool, typer.Option("--end", help="End PERSON's pause today, before its --until day.")
    ] = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Until DATE, PERSON gets no new mentee or mentor and their pairs get no check-ins.

    The program's weeks go on, and weeks without a message never count as silence; from
    DATE on everything resumes by itself, or from today with '--end'. The partner of each
    current pair is told once, in a short 'paused' message, with the next check-in run.
    """
    from mentorctl import clock
    from mentorctl.cli import render_people
    from mentorctl.errors import UsageError
    from mentorctl.matching import people_status
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        if end and (until or reason):
            raise UsageError("--end takes neither --until nor --reason")
        if not end and not until:
            raise UsageError("say when they are back: --until DATE (or end a pause: --end)")
        _, paths = programs.open_program(workspace, program)
        day, now = clock.today(today), clock.now(today=today)
        if end:
            done = people_status.end_pause(
                paths.store_path, person, today=day, now=now, dry_run=dry_run
            )
        else:
            done = people_status.pause(
                paths.store_path,
                person,
                until=clock.parse_date(until or "", "--until"),
                today=day,
                now=now,
                reason=reason or "",
                dry_run=dry_run,
            )
        render_people.status_result(done, as_json)
