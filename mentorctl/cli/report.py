"""The report command: program health on the terminal, and exported as JSON, CSV, MD or HTML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mentorctl.cli.app import app
from mentorctl.cli.common import DryRunOpt, JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.cli.directory import completer
from mentorctl.errors import UsageError

FORMATS = ("table", "json", "csv", "md", "html")


@app.command(
    "report",
    short_help="Show program health, and export it.",
    epilog="Example: mentorctl report --format html --anonymous --out report.html",
)
def report_cmd(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="table, json, csv (one row per pair), md or html.",
            autocompletion=completer(FORMATS),
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write to FILE (mode 0600) instead of stdout."),
    ] = None,
    anonymous: Annotated[
        bool,
        typer.Option("--anonymous", help="Aggregates only: no names, emails or person ids."),
    ] = False,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="TAG",
            help="Write the md or html page in this language (en, fr, es, de, pt). Default: "
            "the program's language for --anonymous, English otherwise.",
        ),
    ] = None,
    round_: Annotated[
        int | None,
        typer.Option(
            "--round",
            metavar="N",
            min=1,
            help="Report round N of the program (default: the latest), beside the program overall.",
        ),
    ] = None,
    fairness_by: Annotated[
        str | None,
        typer.Option(
            "--fairness-by",
            metavar="FIELD",
            help="Match rate, scores and days waited per group of FIELD (language, timezone, "
            "organisation or a sign-up column). Default: program.yaml's fairness.by.",
        ),
    ] = None,
    today: TodayOpt = None,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
    calendar: Annotated[
        Path | None,
        typer.Option(
            "--calendar",
            metavar="FILE",
            help="Write the program's calendar (each round's weekly steps, .ics) to FILE.",
        ),
    ] = None,
) -> None:
    """Program health: sign-ups, waiting mentees, pairs, capacity, scores, check-ins, concerns,
    as they stood at the end of --today (default: today). A program run in rounds is reported
    for its latest round (or --round N), with every round's figures side by side."""
    from mentorctl import clock
    from mentorctl.cli import output
    from mentorctl.programs import program as programs
    from mentorctl.report import by_round
    from mentorctl.report import formats as report_formats
    from mentorctl.report import translate as report_words

    with _errors_to_exit():
        if calendar is not None:
            from mentorctl.report import calendar_files as for_program

            ics = for_program.program_ics(workspace, program, today)
            if dry_run:
                output.note(f"Would write the calendar to {calendar} ({len(ics)} bytes).")
                return
            output.note(for_program.write(workspace, program, calendar, ics, "calendar"))
            return
        fmt = "json" if as_json else fmt.strip().lower()
        if fmt not in FORMATS:
            raise UsageError(
                f"unknown format '{fmt[:20]}'", hint="--format takes one of: " + ", ".join(FORMATS)
            )
        if dry_run and out is None:
            raise UsageError("--dry-run only applies with --out FILE: the report writes nothing")
        prog, paths = programs.open_program(workspace, program)
        signup = prog.data.get("signup") or {}
        data = by_round.from_store(
            paths.store_path,
            today=clock.today(today),
            duration_weeks=prog.duration_weeks,
            round_=round_,
            program_name=prog.name,
            default_capacity=int(signup.get("default_capacity") or 2),
            anonymous=anonymous,
            topics=signup.get("topics") or [],
            start_date=prog.data.get("start_date"),
            fairness_by=fairness_by or (prog.data.get("fairness") or {}).get("by"),
        )
        if out is not None and fmt == "table":
            fmt = _format_of(out)
        if language is not None and fmt not in ("md", "html"):
            raise UsageError(
                "--language applies to the md and html pages",
                hint="the terminal, JSON and CSV stay in English",
            )
        if language is not None:
            report_words.written_in(language)
        if language is None and anonymous:
            language = prog.data.get("language")
        if out is not None:
            paths.check_output(out)
            text = report_formats.render(data, fmt, language)
            if dry_run:
                output.note(f"Would write the {fmt} report to {out} ({len(text)} characters).")
                return
            from mentorctl.fileio import atomic_write_text

            try:
                atomic_write_text(out, text)
            except OSError as exc:
                raise UsageError(f"cannot write {out}: {exc.strerror}") from exc
            from mentorctl.store import manifest

            # Even an anonymous report is listed: forget looks in each for the person.
            manifest.record(paths.data_dir, out, "report")
            output.note(f"Wrote the {fmt} report to {out}.")
            return
        if fmt == "table":
            _dashboard(data)
            return
        if fmt == "json":
            output.emit_json(data)
            return
        sys.stdout.write(report_formats.render(data, fmt, language))


def _format_of(path: Path) -> str:
    """The format a file name suggests (--out report.html), else markdown."""
    suffix = path.suffix.lower().lstrip(".")
    return (
        {"htm": "html", "markdown": "md", "txt": "md"}.get(suffix, suffix)
        if suffix
        in (
            "json",
            "csv",
            "md",
            "html",
            "htm",
            "markdown",
            "txt",
        )
        else "md"
    )


def _dashboard(data: dict) -> None:
    from mentorctl.cli import output
    from mentorctl.report import formats as report_formats
    from mentorctl.report.sections import round_label

    name = data.get("program") or ""
    output.info(f"Program report: {name}{round_label(data)} (as of {data['calendar']['today']})")
    for title, columns, rows in report_formats.sections(data):
        output.info("")
        if rows:
            output.table(title, columns, rows)
        else:
            output.info(f"{title}: none")
