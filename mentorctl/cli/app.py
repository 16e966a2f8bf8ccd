"""The command line: options in, one domain call, results out through :mod:`mentorctl.cli.output`.

Domain modules are imported inside each command so that ``mentorctl --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl import __version__
from mentorctl.cli import output
from mentorctl.cli.common import (
    DryRunOpt,
    JsonOpt,
    ProgramOpt,
    TodayOpt,
    WorkspaceOpt,
)
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.cli.messages import register as _register_messages
from mentorctl.cli.report import register as _register_report
from mentorctl.cli.safety import register as _register_safety
from mentorctl.errors import UsageError

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
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import program as programs
    from mentorctl.store.workspace import Workspace

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
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import program as programs
    from mentorctl.signups import importer as signups

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


# -- pair ---------------------------------------------------------------------------------


@app.command(
    "pair",
    short_help="Pair mentees with mentors, with reasons.",
    epilog="Example: mentorctl pair            (propose; then --review or --commit to save)",
)
def pair_cmd(
    method: Annotated[
        str,
        typer.Option("--method", help="optimal (most pairs, then best scores), stable or greedy."),
    ] = "optimal",
    seed: Annotated[int, typer.Option("--seed", help="Breaks ties between equal choices.")] = 0,
    commit: Annotated[bool, typer.Option("--commit", help="Save all proposals as pairs.")] = False,
    review: Annotated[
        bool,
        typer.Option("--review", help="Go through proposals one by one: accept, skip or quit."),
    ] = False,
    redo: Annotated[
        bool,
        typer.Option(
            "--redo", help="Also re-plan proposals not yet introduced (locked ones stay)."
        ),
    ] = False,
    add: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--add", help="Pair MENTEE with MENTOR by hand (ids or emails).", show_default=False
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="End PAIR (its id, or a person in it).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the pair ends.")] = None,
    lock: Annotated[
        str | None,
        typer.Option("--lock", help="Lock PAIR: kept by --redo, not ended without --force."),
    ] = None,
    unlock: Annotated[str | None, typer.Option("--unlock", help="Unlock PAIR.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --add: pair despite a rule; with --end: end a locked pair."
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose pairs of mentees and mentors with scores and reasons; review, commit, override."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.matching import pairs
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        actions = [
            name
            for name, value in (
                ("--add", add),
                ("--end", end),
                ("--lock", lock),
                ("--unlock", unlock),
            )
            if value
        ]
        if len(actions) > 1 or (actions and (commit or review or redo)):
            raise UsageError(
                "choose one action: propose (with --commit or --review), --add, --end, --lock or --unlock"
            )
        if method not in ("optimal", "stable", "greedy"):
            raise UsageError(f"--method '{method}': expected optimal, stable or greedy")
        prog, paths = programs.open_program(workspace, program)
        day, now = clock.today(today), clock.now()
        if actions:
            if add:
                done = pairs.add(
                    prog,
                    paths.store_path,
                    add[0],
                    add[1],
                    force=force,
                    today=day,
                    now=now,
                    dry_run=dry_run,
                )
            elif end:
                done = pairs.end(
                    paths.store_path,
                    end,
                    reason=reason or "",
                    force=force,
                    now=now,
                    dry_run=dry_run,
                )
            else:
                done = pairs.lock(
                    paths.store_path,
                    lock or unlock or "",
                    locked=bool(lock),
                    now=now,
                    dry_run=dry_run,
                )
            render.override_result(done, _people(paths.store_path), as_json)
            return
        with output.progress("Scoring pairs") as bar:
            plan = pairs.plan(
                prog, paths.store_path, method=method, seed=seed, today=day, redo=redo, progress=bar
            )
        committed = None
        if review:
            accepted = _review(plan)
            committed = pairs.commit(
                plan,
                paths.store_path,
                program=prog,
                accepted=accepted,
                today=day,
                now=now,
                dry_run=dry_run,
            )
        elif commit:
            committed = pairs.commit(
                plan,
                paths.store_path,
                program=prog,
                accepted=None,
                today=day,
                now=now,
                dry_run=dry_run,
            )
        render.plan_result(plan, committed, as_json)


def _people(store_path: Path) -> dict[str, dict[str, Any]]:
    from mentorctl.matching.pairs import snapshot
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        return snapshot(store).by_id


def _review(plan: Any) -> list[int]:
    """Ask about each proposal on stderr; stdin answers a (accept), s (skip) or q (quit)."""
    people = plan.snapshot.by_id
    accepted: list[int] = []
    total = len(plan.result.pairs)
    for index, proposal in enumerate(plan.result.pairs):
        mentee = people.get(proposal.mentee_id, {}).get("name", proposal.mentee_id)
        mentor = people.get(proposal.mentor_id, {}).get("name", proposal.mentor_id)
        output.note(
            f"\n[{index + 1}/{total}] {mentee} ({proposal.mentee_id}) with {mentor} ({proposal.mentor_id}), score {proposal.score:.2f}"
        )
        for line in proposal.reasons:
            output.note(f"  - {line}")
        answer = _ask("accept, skip or quit? [a/s/q] ")
        if answer == "q":
            break
        if answer == "a":
            accepted.append(index)
    output.note(f"Accepted {len(accepted)} of {total} proposals.")
    return accepted


def _ask(prompt: str) -> str:
    while True:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:  # end of input: stop reviewing, keep what was accepted
            return "q"
        answer = line.strip().lower()[:1]
        if answer in ("a", "s", "q"):
            return answer
        sys.stderr.write("please answer a, s or q\n")


# -- the commands that live in their own modules -------------------------------------------

_register_messages(app)
_register_report(app)
_register_safety(app)


def main() -> None:
    """The console script: run one command, then leave without freeing what it built.

    A command that loaded a large store holds a few hundred MB of Python objects, and freeing
    them one by one at exit takes a tenth of a second for nothing (mypy's ``hard_exit`` does
    the same). Every file a command writes is closed, and synced where it matters, before the
    command returns; the standard streams are flushed here.
    """
    try:
        app()
    except SystemExit as done:
        status = _exit_status(done.code)
    else:  # pragma: no cover - Typer's standalone mode always ends with SystemExit
        status = 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away: what Python itself exits with then
        status = 120
    os._exit(status)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") prints it and exits with 1
    return 1
