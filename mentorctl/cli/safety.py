"""The safety and privacy commands: block, concern, forget and export-person."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.errors import UsageError


@app.command(
    "block",
    short_help="Never pair two people again.",
    epilog="Example: mentorctl block P12 P40 --reason 'asked not to be matched'",
)
def block_cmd(
    person: Annotated[
        str | None,
        typer.Argument(metavar="PERSON", help="Who blocks (id or email).", show_default=False),
    ] = None,
    other: Annotated[
        str | None,
        typer.Argument(metavar="OTHER", help="Whom they block (id or email).", show_default=False),
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why (kept for the admins).")
    ] = "",
    list_: Annotated[bool, typer.Option("--list", help="List the blocks in force.")] = False,
    unblock: Annotated[
        bool, typer.Option("--unblock", help="Lift the block between PERSON and OTHER.")
    ] = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Block a pairing: the two are never paired again, and a current pair ends at once."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import program as programs
    from mentorctl.safety import blocks

    with _errors_to_exit():
        _, paths = programs.open_program(workspace, program)
        if list_:
            render.blocks(blocks.list_blocks(paths.store_path), as_json, _names(paths))
            return
        if not person or not other:
            raise UsageError("name two people: mentorctl block PERSON OTHER")
        now = clock.now(today=today)
        if unblock:
            done = blocks.unblock(paths.store_path, person, other, now=now, dry_run=dry_run)
        else:
            done = blocks.block(
                paths.store_path, person, other, reason=reason, now=now, dry_run=dry_run
            )
        render.block_result(done, as_json)


@app.command(
    "concern",
    short_help="Record a concern; pause the pair.",
    epilog="Example: mentorctl concern M3 --reason 'missed meetings, asked to stop' --from P12",
)
def concern_cmd(
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="PAIR_OR_PERSON",
            help="A pair (M3) or a person (id or email).",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="What happened.")] = "",
    reporter: Annotated[
        str | None, typer.Option("--from", metavar="PERSON", help="Who raised it (id or email).")
    ] = None,
    resolve: Annotated[
        str | None, typer.Option("--resolve", metavar="CONCERN", help="Resolve concern C1 ...")
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", metavar="OUTCOME", help="... with continue, end or block."),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List open concerns.")] = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Record a concern about a pair or a person: their pairs are paused until it is resolved."""
    from mentorctl import clock
    from mentorctl.cli import render
    from mentorctl.programs import program as programs
    from mentorctl.safety import concerns

    with _errors_to_exit():
        _, paths = programs.open_program(workspace, program)
        if list_:
            render.concerns(concerns.list_concerns(paths.store_path), as_json, _names(paths))
            return
        if resolve:
            if not outcome:
                raise UsageError("say how it was resolved: --outcome continue|end|block")
            done = concerns.resolve_concern(
                paths.store_path,
                resolve,
                outcome=outcome,
                now=clock.now(today=today),
                dry_run=dry_run,
            )
        elif ref:
            done = concerns.raise_concern(
                paths.store_path,
                ref,
                reason=reason,
                reporter=reporter,
                now=clock.now(today=today),
                dry_run=dry_run,
            )
        else:
            raise UsageError("name a pair or a person, or use --resolve or --list")
        render.concern_result(done, as_json)


AllProgramsOpt = Annotated[
    bool,
    typer.Option(
        "--all-programs",
        help="Every program of the workspace (a person is found there by address).",
    ),
]


@app.command(
    "forget",
    short_help="Erase a person on request, from every program of the workspace.",
    epilog="Example: mentorctl forget ana@example.org --yes",
)
def forget_cmd(
    email: Annotated[
        str, typer.Argument(metavar="EMAIL", help="The person's email (or id).", show_default=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    remove_files: Annotated[
        bool,
        typer.Option(
            "--remove-files",
            help="Also delete files mentorctl wrote earlier (rejects, reports, exports) "
            "that still hold the person.",
        ),
    ] = False,
    lift: Annotated[
        bool,
        typer.Option(
            "--lift",
            help="Do not forget: let EMAIL, forgotten earlier, be imported again "
            "(they signed up again on purpose).",
        ),
    ] = False,
    all_programs: Annotated[
        bool,
        typer.Option(
            "--all-programs", help="Every program of the workspace (what forget always does)."
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    program: Annotated[
        str | None,
        typer.Option(
            "--program",
            "-p",
            metavar="SLUG",
            help="The program whose id EMAIL is (an address needs none).",
        ),
    ] = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase a person: sign-up, answers, messages; their pairs end and remain only as counts.

    A person who asks to be forgotten means everywhere: every program of the workspace that
    holds their address erases them, each under its own lock, and the workspace's
    suppression list (keyed hashes, no addresses) takes the address, so that no later import
    into any program, one made later included, brings them back. An id (P12) names a person
    in one program (--program when the workspace has several); their address then finds them
    in the others. '--lift EMAIL' takes the address off the workspace's list again.
    """
    from mentorctl import clock
    from mentorctl.cli import render_privacy
    from mentorctl.safety import workspace_people

    with _errors_to_exit():
        if all_programs and program:
            raise UsageError("--all-programs and --program do not go together")
        found, places = _places(workspace)
        if lift:
            if remove_files:
                raise UsageError("--lift and --remove-files do not go together")
            if "@" not in email:
                raise UsageError("--lift takes the email address the person signed up with")
            lifted = workspace_people.lift_everywhere(places, email, dry_run=dry_run)
            render_privacy.lift_result(bool(lifted), dry_run, as_json)
            return
        home = None if "@" in email else found.select(program).slug
        if not yes and not dry_run:
            if not sys.stdin.isatty():
                raise UsageError("forgetting cannot be undone; confirm with --yes")
            address = email
            if home is not None:
                place = next(p for p in places if p.slug == home)
                address = workspace_people.address_of(place.store_path, email) or email
            held = workspace_people.holders(places, address)
            where = ", ".join(held) or "none of the programs that could be read"
            who = email if "@" not in email else "this person"
            if not _ask_yes(
                f"Erase {who} from {len(held)} program(s) ({where}) "
                "and everything held about them? [y/N] "
            ):
                raise UsageError("nothing was erased")
        done = workspace_people.forget_everywhere(
            places,
            email,
            home=home,
            now=clock.now(today=today),
            dry_run=dry_run,
            remove_files=remove_files,
        )
        render_privacy.forget_everywhere_result(done, as_json)
        if done.exit_code:
            raise typer.Exit(done.exit_code)


def _places(workspace):  # type: ignore[no-untyped-def]
    """The workspace and every program in it, as the cross-program calls take them; a
    program that cannot be opened carries its error."""
    from mentorctl.errors import MentorctlError
    from mentorctl.programs import program as programs
    from mentorctl.safety.workspace_people import Place
    from mentorctl.store.workspace import Workspace

    found = Workspace.find(workspace)
    slugs = found.every_program()
    places = []
    for slug in slugs:
        paths = found.paths(slug)
        try:
            prog, paths = programs.open_program(found.root, slug)
        except MentorctlError as exc:
            places.append(Place(slug, paths.store_path, paths.outbox_dir, error=exc))
            continue
        topics = tuple(prog.data.get("signup", {}).get("topics") or ())
        places.append(Place(slug, paths.store_path, paths.outbox_dir, topics))
    return found, places


def _names(paths):  # type: ignore[no-untyped-def]
    """The people and pairs of the store, so that lists show names beside ids."""
    from mentorctl import clock
    from mentorctl.report import directory

    return directory.load(paths.store_path, today=clock.today(), duration_weeks=0)


def _ask_yes(prompt: str) -> bool:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


@app.command(
    "export-person",
    short_help="Everything held about one person, as JSON.",
    epilog="Example: mentorctl export-person ana@example.org --out ana.json",
)
def export_person_cmd(
    email: Annotated[
        str, typer.Argument(metavar="EMAIL", help="The person's email (or id).", show_default=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write to FILE (mode 0600) instead of stdout."),
    ] = None,
    all_programs: AllProgramsOpt = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    as_json: JsonOpt = True,
) -> None:
    """Print everything the store holds about one person, as JSON (for a data request).
    With --all-programs, every program that holds the address, in one object keyed by
    program."""
    from mentorctl.cli import render_privacy
    from mentorctl.programs import program as programs
    from mentorctl.safety import export, workspace_people

    with _errors_to_exit():
        if all_programs:
            if program:
                raise UsageError("--all-programs and --program do not go together")
            found, places = _places(workspace)
            if out is not None:
                for place in places:
                    found.paths(place.slug).check_output(out)
            data = workspace_people.export_everywhere(places, email)
            render_privacy.person_export({"programs": data}, out, *_data_dirs(found, data))
            return
        _, paths = programs.open_program(workspace, program)
        if out is not None:
            paths.check_output(out)
        render_privacy.person_export(
            export.export_person(paths.store_path, email), out, paths.data_dir
        )


def _data_dirs(found, data):  # type: ignore[no-untyped-def]
    """The data folders of the programs an export came from: each records the file written."""
    return [found.paths(slug).data_dir for slug in data]
