"""The command line: options in, one domain call, results out through :mod:`mentorctl.output`.

Domain modules are imported inside each command so that ``mentorctl --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl import __version__, output
from mentorctl.errors import MentorctlError, NotBuiltError, UsageError

app = typer.Typer(
    name="mentorctl",
    help="Run guided mentorship programs from local files: sign-ups, pairing, weekly "
    "check-ins and reports.",
    no_args_is_help=True,
    add_completion=False,
    # Rich help on a terminal; plain, and much faster to start, when piped.
    rich_markup_mode="rich" if output.is_terminal(sys.stdout) else None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Options shared by the commands, declared once.
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="MENTORCTL_WORKSPACE",
        help="Workspace folder (default: found from the current folder upwards).",
        show_default=False,
    ),
]
ProgramOpt = Annotated[
    str | None,
    typer.Option("--program", "-p", help="Program slug (default: the workspace's only program)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="MENTORCTL_TODAY",
        help="Act as if today were this date (YYYY-MM-DD).",
        show_default=False,
    ),
]


@contextlib.contextmanager
def _errors_to_exit() -> Iterator[None]:
    """The one place where domain errors become a message on stderr and an exit code."""
    try:
        yield
    except MentorctlError as exc:
        output.error(str(exc), exc.hint)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        output.error("interrupted; nothing was written by the interrupted step")
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        output.info(f"mentorctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Run guided mentorship programs from local files."""


# -- init-program -------------------------------------------------------------------------


@app.command(
    "init-program",
    short_help="Create a program from a built-in template.",
    epilog="Example: mentorctl init-program 'Career Mentoring 2026' --template career --dir ./mentoring",
)
def init_program_cmd(
    name: Annotated[
        str | None, typer.Argument(help="The program's name, e.g. 'Career Mentoring 2026'.")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option("--template", "-t", help="Built-in template key (see --list-templates)."),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Workspace folder (default: the current workspace or folder)."),
    ] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", help="Folder name for the program (default: from NAME).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing program's settings and templates (its data is kept).",
        ),
    ] = False,
    list_templates: Annotated[
        bool, typer.Option("--list-templates", help="List the built-in templates and exit.")
    ] = False,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Create a program from a built-in template, in a new or existing workspace."""
    from mentorctl import clock, programs, render
    from mentorctl.workspace import Workspace

    with _errors_to_exit():
        if list_templates:
            render.templates(programs.list_templates(), as_json)
            return
        if name is None or template is None:
            raise UsageError("give a program NAME and --template KEY (or --list-templates)")
        root = directory
        if root is None:
            found = Workspace.search(Path.cwd())
            root = found.root if found else Path.cwd()
        result = programs.init_program(
            name,
            template,
            root=root,
            slug=slug,
            force=force,
            dry_run=dry_run,
            today=clock.today(today),
        )
        render.init_result(result, as_json)


# -- import-signups -----------------------------------------------------------------------


@app.command(
    "import-signups",
    short_help="Import sign-ups from a form's CSV export.",
    epilog="Example: mentorctl import-signups responses.csv --map goals='What do you want to learn?'",
)
def import_signups_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV export of the sign-up form.", show_default=False)
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", "-m", help="FIELD=HEADER: read FIELD from that column (FIELD= to skip it)."
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Everyone in the file signs up as mentor, mentee or both."),
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
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Import people who signed up as mentor or mentee from a form's CSV export."""
    from mentorctl import clock, programs, render, signups

    with _errors_to_exit():
        prog, paths = programs.open_program(workspace, program)
        with output.progress("Reading sign-ups") as bar:
            result = signups.import_signups(
                file,
                prog,
                paths.store_path,
                map_options=map_ or [],
                role=role,
                today=clock.today(today),
                now=clock.now(),
                dry_run=dry_run,
                write_rejects=write_rejects,
                strict=strict,
                progress=bar,
            )
        render.import_result(result, as_json)


# -- commands built by later releases -----------------------------------------------------

_LATER = {
    "pair": "Pair mentees with mentors, with reasons.",
    "introduce": "Send each new pair its introduction.",
    "checkin": "Send this week's step and check-in (cron).",
    "report": "Show program health, and export it.",
}


def _not_built(command: str) -> Any:
    def run(ctx: typer.Context) -> None:
        with _errors_to_exit():
            raise NotBuiltError(
                f"'{command}' is not available in mentorctl {__version__} yet",
                hint="see the README for what this version does",
            )

    run.__doc__ = _LATER[command]
    return run


for _command in _LATER:
    app.command(
        _command,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=True,
    )(_not_built(_command))


def main() -> None:
    app()
