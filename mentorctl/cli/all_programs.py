"""``checkin --all-programs``: every program of the workspace from one command (and one cron
line), each under its own lock, with one mailbox (``--replies``) read by each program in turn;
one summary line per program and the worst exit code."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from mentorctl.cli import output

# From best to worst: all went well, some deliveries failed, the store was busy, wrong
# usage, an error.
_SEVERITY = (0, 4, 75, 2, 1)


def _worst(codes: list[int]) -> int:
    rank = {code: i for i, code in enumerate(_SEVERITY)}
    return max(codes, key=lambda c: rank.get(c, len(_SEVERITY)), default=0)


def run_all_programs(
    workspace: Any, today: Any, as_json: bool, mail: dict[str, Any] | None, **run: Any
) -> int:
    """Each program's replies (``mail``: one source for the workspace, opened once) and weekly
    run under its own lock: one line per program (a failure in one does not stop the
    others), then the replies to look at; the exit code is the worst of theirs."""
    from mentorctl import clock
    from mentorctl.checkins import replies as checkin_replies
    from mentorctl.checkins import run as checkins
    from mentorctl.cli import render_messages
    from mentorctl.errors import MentorctlError
    from mentorctl.mail.delivery import EXIT_DELIVERY_FAILED
    from mentorctl.programs import program as programs
    from mentorctl.store.workspace import Workspace

    found = Workspace.find(workspace)
    slugs = found.every_program()
    day, now = clock.today(today), clock.now(today=today)
    recorded: dict[str, set[str]] = {}
    if mail is not None:
        for slug in slugs:
            try:
                _prog, paths = programs.open_program(found.root, slug)
                recorded[slug] = checkin_replies.recorded_message_ids(paths.store_path)
            except MentorctlError:
                recorded[slug] = set()  # its own run below says what is wrong
    codes: list[int] = []
    reports: list[dict[str, Any]] = []
    looked: list[tuple[str, Any]] = []
    with contextlib.ExitStack() as stack:
        inbox = None
        if mail is not None:
            inbox = stack.enter_context(
                open_inbox(mail["source"], mail["password_env"], mail["cafile"])
            )
        for slug in slugs:
            report: dict[str, Any] = {"program": slug}
            parts: list[str] = []
            try:
                prog, paths = programs.open_program(found.root, slug)
                got = None
                if inbox is not None:
                    assert mail is not None
                    others = set().union(*(ids for s, ids in recorded.items() if s != slug))
                    with output.progress(f"Reading replies ({slug})") as bar:
                        got = checkin_replies.read_replies(
                            prog,
                            paths.store_path,
                            inbox,
                            today=day,
                            now=now,
                            move_to=mail["move_to"],
                            dry_run=run["dry_run"],
                            progress=bar,
                            others=others,
                            takes_unnamed=slug == slugs[0],
                        )
                    report["replies"] = {
                        **render_messages.replies_data(got),
                        "other_programs": got.other_programs,
                    }
                    parts.append(render_messages.replies_summary(got))
                    looked += [(slug, x) for x in got.listed]
                result = None
                if inbox is None or mail is None or mail["run"]:
                    result = checkins.run_checkin(prog, paths, today=day, now=now, **run)
                    report["run"] = render_messages.run_data(result)
                    line = render_messages.summary_line(result)
                    for warning in result.warnings:
                        line += f" (warning: {warning})"
                    parts.append(line)
            except MentorctlError as exc:
                code = exc.exit_code
                parts.append(f"error: {exc}")
                report["error"] = str(exc)
            else:
                failed = result is not None and result.failed and not run["dry_run"]
                code = EXIT_DELIVERY_FAILED if failed else 0
            report["exit_code"] = code
            if mail is None and "run" in report:  # the shape from before replies were taken
                report = {"program": slug, "exit_code": code, **report.pop("run")}
            reports.append(report)
            codes.append(code)
            if not as_json:
                output.info(f"{slug}: " + " | ".join(parts))
    worst = _worst(codes)
    if as_json:
        output.emit_json({"programs": reports, "exit_code": worst})
    elif looked:
        output.table(
            "Replies to look at (program, pair, week, person; read them in the mailbox)",
            ["Program", "Pair", "Week", "Person", "Status", "Detail", "Position"],
            [
                [
                    slug,
                    x.pair or "-",
                    x.week or "-",
                    x.person or "-",
                    render_messages.REPLY_STATUS.get(x.status, x.status),
                    x.detail,
                    "" if x.position is None else x.position,
                ]
                for slug, x in looked
            ],
        )
    return worst


def open_inbox(source: str, password_env: str, cafile: Path | None) -> Any:
    import sys

    from mentorctl.mail.inbox import open_source

    ask = None
    if sys.stdin.isatty():
        import getpass

        ask = getpass.getpass
    return open_source(source, password_env=password_env, cafile=cafile, ask=ask)
