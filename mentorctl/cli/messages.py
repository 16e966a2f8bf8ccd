"""The messaging commands, ``introduce`` and ``checkin``: options in, one domain call, output.

The shared options come from :mod:`mentorctl.cli.common` (this module deliberately has no
``from __future__ import annotations``: Typer reads the annotations as objects). Domain modules are imported inside the commands so that
``mentorctl --help`` stays fast; results are shown by :mod:`mentorctl.cli.render_messages`.

Exit codes: 0 when everything due was written or delivered; 4
(``delivery.EXIT_DELIVERY_FAILED``) when some deliveries failed while the rest went out (the
next run retries only those; a 5xx refusal gives 4 once: the address is then undeliverable);
1 for errors (nothing was sent); 2 for wrong usage; 75 when another command holds the lock.
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from mentorctl.cli import output
from mentorctl.cli.app import app
from mentorctl.cli.common import (
    DateOrderOpt,
    DryRunOpt,
    JsonOpt,
    ProgramOpt,
    TodayOpt,
    WorkspaceOpt,
)
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.errors import UsageError

SendOpt = Annotated[
    bool,
    typer.Option(
        "--send", help="Deliver over SMTP (default: only write .eml files to the outbox)."
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        metavar="N",
        help="At most N messages this run; the rest wait for the next run.",
    ),
]
PairsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pair", metavar="PAIR", help="Only this pair (repeat for several), e.g. --pair M3."
    ),
]


@app.command(
    "introduce",
    short_help="Send each new pair its introduction.",
    epilog="Example: mentorctl introduce --preview    (then: mentorctl introduce --send)",
)
def introduce_cmd(
    send: SendOpt = False,
    preview: Annotated[
        bool,
        typer.Option("--preview", help="Print one rendered introduction per pair; write nothing."),
    ] = False,
    limit: LimitOpt = None,
    resend: Annotated[
        bool,
        typer.Option("--resend", help="With --pair: deliver that pair's introduction again."),
    ] = False,
    pair: PairsOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="First day of week 1 (default: today, or program.yaml's start_date if later).",
            show_default=False,
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Introduce every committed pair not yet introduced, and mark it active from its start date.

    Messages go to the outbox as .eml files; --send delivers them (and any written
    earlier) over SMTP. Exit code 4 when some deliveries failed while the rest went out.
    """
    from mentorctl import clock
    from mentorctl.checkins import run as checkins
    from mentorctl.cli import render_messages
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        if preview and (send or resend):
            raise UsageError(
                "--preview shows messages; it cannot be combined with --send or --resend"
            )
        prog, paths = programs.open_program(workspace, program)
        day, now = clock.today(today), clock.now(today=today)
        first = clock.parse_date(start, "--start") if start else None
        if preview:
            shown = checkins.preview_introductions(
                prog, paths, today=day, now=now, only=pair or [], limit=limit, start=first
            )
            render_messages.previews(shown, as_json)
            return
        with output.progress("Introducing pairs") as bar:
            result = checkins.introduce(
                prog,
                paths,
                today=day,
                now=now,
                send=send,
                limit=limit,
                resend=resend,
                only=pair or [],
                start=first,
                dry_run=dry_run,
                progress=bar,
            )
        render_messages.run_result(result, as_json, table=True, store_path=paths.store_path)
    _exit_on_failures(result)


@app.command(
    "checkin",
    short_help="Send this week's step and check-in (cron).",
    epilog="Example: mentorctl checkin --send     (daily from cron; "
    "mentorctl checkin --import answers.csv for the answers)",
)
def checkin_cmd(
    send: SendOpt = False,
    limit: LimitOpt = None,
    resend: Annotated[
        bool,
        typer.Option("--resend", help="With --pair: deliver that pair's latest message again."),
    ] = False,
    pair: PairsOpt = None,
    import_file: Annotated[
        Path | None,
        typer.Option(
            "--import",
            metavar="FILE.csv",
            help="Import answers from a check-in form's CSV export.",
            show_default=False,
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            "-m",
            metavar="FIELD=HEADER",
            help="With --import: FIELD=HEADER (FIELD= to skip it).",
        ),
    ] = None,
    date_order: DateOrderOpt = None,
    week: Annotated[
        int | None,
        typer.Option(
            "--week",
            min=1,
            metavar="N",
            help="With --import or --record: the week the answers are for.",
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            metavar="PAIR",
            help="Record answers by hand for PAIR: its code, or the partner's full name or "
            "address (with --person and --answer).",
        ),
    ] = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person", metavar="PERSON", help="With --record: who answered (id or email)."
        ),
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            "-a",
            metavar="KEY=VALUE",
            help="With --record: KEY=VALUE, e.g. met=yes (repeat).",
        ),
    ] = None,
    replies: Annotated[
        str | None,
        typer.Option(
            "--replies",
            metavar="SOURCE",
            help="Record the answers people emailed back, from a Maildir folder, an mbox "
            "file or imaps://USER@HOST[:PORT]/FOLDER (read only). With --send, the weekly "
            "run follows.",
            show_default=False,
        ),
    ] = None,
    move_to: Annotated[
        str | None,
        typer.Option(
            "--move-to",
            metavar="FOLDER",
            help="With --replies: move the replies recorded into FOLDER (made if missing).",
            show_default=False,
        ),
    ] = None,
    imap_password_env: Annotated[
        str,
        typer.Option(
            "--imap-password-env",
            metavar="NAME",
            help="With --replies imaps://...: the environment variable holding the password.",
        ),
    ] = "MENTORCTL_IMAP_PASSWORD",
    cafile: Annotated[
        Path | None,
        typer.Option(
            "--cafile",
            metavar="FILE",
            help="With --replies imaps://...: trust this CA certificate (a private CA).",
            show_default=False,
        ),
    ] = None,
    complete: Annotated[
        str | None,
        typer.Option(
            "--complete",
            metavar="PAIR",
            help="Complete PAIR early (counts as completed, not ended).",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="With --complete: why, for the history."),
    ] = None,
    no_wrapup: Annotated[
        bool,
        typer.Option(
            "--no-wrapup/--wrapup",
            help="With --complete: send no wrap-up message (--wrapup: send it, the default).",
            show_default=False,
        ),
    ] = False,
    outbox_delivered: Annotated[
        bool,
        typer.Option(
            "--outbox-delivered",
            help="With --send: the introductions written to the outbox were delivered by hand; "
            "without it, the pairs introduced only in the outbox get nothing by SMTP.",
        ),
    ] = False,
    all_programs: Annotated[
        bool,
        typer.Option(
            "--all-programs",
            help="Run every program of the workspace, each under its own lock (for cron); "
            "with --replies, one mailbox serves them all, each reply read by the program "
            "whose message it answers.",
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    today: TodayOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Send each active pair this week's guide step and check-in, once; record answers.

    Run it daily (or weekly) from cron: each person of a pair gets one message a program
    week, on their own: the week's step and check-in (with a nudge when the pair is quiet),
    and in the last week the wrap-up. --all-programs runs every program of the workspace,
    one line each, and exits with the worst code (1 error, 2 usage, 75 busy, 4 some
    deliveries failed, 0); with --replies, the one mailbox is read by each program in turn,
    and a reply counts only in the program whose message it answers. Exit code 4 when some
    deliveries failed while the rest went out (the next run retries only those), 75
    when another mentorctl command holds the program's store.

    Answers come back by email (--replies), from a form's export (--import) or by hand
    (--record). Their keys: the program's checkin.questions (the templates ask met, yes/no;
    progress, 1-5, except support; note, text; and one of their own: applied or practised,
    yes/no, or wellbeing, 1-5),
    fit (week 1, yes/no: a no ends the pair as not a fit), feedback (the wrap-up's question,
    text) and note (text: also where what could not be read from a reply is kept).
    """
    from mentorctl import clock
    from mentorctl.cli import render_messages
    from mentorctl.programs import program as programs

    with _errors_to_exit():
        actions = [
            name
            for name, value in (
                ("--import", import_file),
                ("--record", record),
                ("--complete", complete),
            )
            if value
        ]
        run_only = [
            n
            for n, v in (
                ("--send", send),
                ("--limit", limit),
                ("--resend", resend),
                ("--pair", pair),
            )
            if v
        ]
        if len(actions) > 1 or (actions and (run_only or replies)):
            raise UsageError(
                "choose one action: the weekly run (with --send, --limit, --resend, --pair; "
                "--replies may come first), --import, --record or --complete"
            )
        owners = {
            "--move-to": (move_to, {"--replies"}),
            "--cafile": (cafile, {"--replies"}),
            "--map": (map_, {"--import"}),
            "--date-order": (date_order, {"--import"}),
            "--week": (week, {"--import", "--record"}),
            "--person": (person, {"--record"}),
            "--answer": (answer, {"--record"}),
            "--reason": (reason, {"--complete"}),
            "--no-wrapup": (no_wrapup, {"--complete"}),
            "--outbox-delivered": (outbox_delivered, {"--send"}),
        }
        given = {*actions, *(["--replies"] if replies else []), *(["--send"] if send else [])}
        for name, (value, allowed) in owners.items():
            if value and not allowed & given:
                raise UsageError(f"{name} goes with {' or '.join(sorted(allowed))}")
        if all_programs:
            if actions or program or resend or pair:
                raise UsageError(
                    "--all-programs runs the weekly check-in of every program; "
                    "it does not go with --program, --pair, --resend or another action"
                )
            mail = None
            if replies:
                mail = {
                    "source": replies,
                    "move_to": move_to,
                    "password_env": imap_password_env,
                    "cafile": cafile,
                    "run": bool(run_only),
                }
            run = {"send": send, "limit": limit, "dry_run": dry_run}
            from mentorctl.cli.all_programs import run_all_programs

            code = run_all_programs(
                workspace, today, as_json, mail, outbox_delivered=outbox_delivered, **run
            )
            raise typer.Exit(code)
        prog, paths = programs.open_program(workspace, program)
        day, now = clock.today(today), clock.now(today=today)
        got_replies = None
        if replies:
            got_replies = _read_replies(
                prog, paths, replies, move_to, imap_password_env, cafile, day, now, dry_run
            )
            if not run_only:
                render_messages.replies_result(got_replies, as_json)
                return
        if import_file is not None or record:
            from mentorctl.checkins import answer_import as checkin_import
            from mentorctl.checkins import answers as checkin_answers
            from mentorctl.signups.people import date_order_option

            if import_file is not None:
                got = checkin_import.import_answers(
                    import_file,
                    prog,
                    paths.store_path,
                    map_options=map_ or [],
                    week=week,
                    today=day,
                    now=now,
                    dry_run=dry_run,
                    date_order=date_order_option(date_order),
                )
            else:
                if not person:
                    raise UsageError("--record needs --person (who answered)")
                got = checkin_answers.record_answers(
                    prog,
                    paths.store_path,
                    pair_ref=record or "",
                    person_ref=person,
                    week=week,
                    answers=answer or [],
                    today=day,
                    now=now,
                    dry_run=dry_run,
                )
            render_messages.answers_result(got, as_json)
            return
        from mentorctl.checkins import run as checkins

        if complete:
            done = checkins.complete_pair(
                paths,
                complete,
                reason=reason or "",
                wrapup=not no_wrapup,
                today=day,
                now=now,
                dry_run=dry_run,
            )
            render_messages.completed_result(done, as_json)
            return
        with output.progress("Weekly check-in") as bar:
            result = checkins.run_checkin(
                prog,
                paths,
                today=day,
                now=now,
                send=send,
                limit=limit,
                resend=resend,
                only=pair or [],
                dry_run=dry_run,
                progress=bar,
                outbox_delivered=outbox_delivered,
            )
        if got_replies is not None:
            render_messages.replies_result(got_replies, as_json, run=result)
        else:
            render_messages.run_result(result, as_json, table=False, store_path=paths.store_path)
    _exit_on_failures(result)


def _read_replies(
    prog: Any,
    paths: Any,
    source: str,
    move_to: str | None,
    password_env: str,
    cafile: Path | None,
    day: Any,
    now: Any,
    dry_run: bool,
) -> Any:
    from mentorctl.checkins import replies as checkin_replies
    from mentorctl.cli.all_programs import open_inbox

    with (
        open_inbox(source, password_env, cafile) as inbox,
        output.progress("Reading replies") as bar,
    ):
        return checkin_replies.read_replies(
            prog,
            paths.store_path,
            inbox,
            today=day,
            now=now,
            move_to=move_to,
            dry_run=dry_run,
            progress=bar,
        )


def _exit_on_failures(result: Any) -> None:
    from mentorctl.mail.delivery import EXIT_DELIVERY_FAILED

    if result.failed and not result.dry_run:
        output.error(
            f"{result.failed} message(s) could not be delivered; everything else went out",
            hint=f"run 'mentorctl {result.command} --send' again to retry only those"
            + (" (an undeliverable address is not)" if result.undeliverable else ""),
        )
        raise typer.Exit(EXIT_DELIVERY_FAILED)
