"""The people and pairs commands: find a person or a pair by name, and see one of them whole."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from mentorctl.cli.app import app
from mentorctl.cli.common import JsonOpt, ProgramOpt, TodayOpt, WorkspaceOpt
from mentorctl.cli.common import errors_to_exit as _errors_to_exit
from mentorctl.cli.pairs_across import PairsAllProgramsOpt
from mentorctl.errors import UsageError

ShowArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[show ID]", help="'show' and an id to see one whole.", show_default=False
    ),
]
ROLES = ("mentee", "mentor", "both")
# The values --status takes (kept in step with mentorctl.report.asof, which checks them).
PERSON_STATUSES = ("active", "waiting", "paused", "withdrawn", "undeliverable")
PAIR_STATUSES = ("proposed", "active", "quiet", "paused", "completed", "lapsed", "ended", "not_fit")


def completer(values: tuple[str, ...]):
    """Shell completion of an option's values."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete.lower())]

    return complete


RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--role", metavar="ROLE", help="mentee, mentor or both.", autocompletion=completer(ROLES)
    ),
]
PersonStatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only people with this status that day: " + ", ".join(PERSON_STATUSES) + ".",
        autocompletion=completer(PERSON_STATUSES),
    ),
]
PairStatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Only pairs with this status that day: " + ", ".join(PAIR_STATUSES) + ".",
        autocompletion=completer(PAIR_STATUSES),
    ),
]
TopicOpt = Annotated[
    str | None,
    typer.Option("--topic", metavar="TOPIC", help="Goals or expertise containing TOPIC."),
]
WeekOpt = Annotated[
    int | None, typer.Option("--week", metavar="N", help="Only pairs in program week N.")
]
RoundOpt = Annotated[
    int | None, typer.Option("--round", metavar="N", help="Only pairs of the program's round N.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="Only quiet pairs (no recent answer).")]
WaitingOpt = Annotated[bool, typer.Option("--waiting", help="Only mentees waiting for a mentor.")]
SearchOpt = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-s",
        metavar="TEXT",
        help="Names or emails containing TEXT (case and accents aside: muller finds Müller).",
    ),
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV (for a spreadsheet) instead.")]
AllProgramsOpt = Annotated[
    bool,
    typer.Option(
        "--all-programs",
        help="Every program of the workspace, with a program column ('show' then takes an "
        "address or a full name).",
    ),
]


def _target(args: list[str] | None, *, words: bool = False) -> str | None:
    """The key after 'show'; with ``words``, the words after it are one key (a full name)."""
    if not args:
        return None
    if args[0].lower() != "show" or len(args) < 2 or (len(args) > 2 and not words):
        raise UsageError(
            f"unexpected argument '{' '.join(args)[:40]}'", hint="use 'show ID' or no argument"
        )
    return " ".join(args[1:])


def _open(workspace: Any, program: str | None, today: str | None):
    from mentorctl import clock
    from mentorctl.programs import program as programs
    from mentorctl.report import directory

    prog, paths = programs.open_program(workspace, program)
    return directory.load(
        paths.store_path, today=clock.today(today), duration_weeks=prog.duration_weeks
    )


def _open_all(workspace: Any, today: str | None) -> list[tuple[str, Any]]:
    """Every program of the workspace, as (slug, directory)."""
    from mentorctl import clock
    from mentorctl.programs import program as programs
    from mentorctl.report import directory
    from mentorctl.store.workspace import Workspace

    found = Workspace.find(workspace)
    slugs = found.every_program()
    opened = []
    for slug in slugs:
        prog, paths = programs.open_program(found.root, slug)
        opened.append(
            (
                slug,
                directory.load(
                    paths.store_path, today=clock.today(today), duration_weeks=prog.duration_weeks
                ),
            )
        )
    return opened


def _filters(**kwargs: Any):
    from mentorctl.report.directory import Filters

    return Filters(**kwargs)


def _csv(columns: list[str], rows: list[list[Any]]) -> None:
    from mentorctl import csvout

    sys.stdout.write(csvout.to_text(columns, rows))


def _score(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _dash(value: Any) -> Any:
    return "-" if value is None or value == "" else value


@app.command(
    "people",
    short_help="List and find people by name, email, role, status or topic.",
    epilog='Example: mentorctl people --search muller  |  mentorctl people show "María García"',
)
def people_cmd(
    args: ShowArg = None,
    role: RoleOpt = None,
    status: PersonStatusOpt = None,
    topic: TopicOpt = None,
    week: WeekOpt = None,
    quiet: QuietOpt = False,
    waiting: WaitingOpt = False,
    search: SearchOpt = None,
    as_csv: CsvOpt = False,
    today: TodayOpt = None,
    all_programs: AllProgramsOpt = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """People with their names, roles, statuses, current pairs and program week, as they
    stood at the end of --today (default: today). 'show' takes an id, an address, or a full
    name that only one person has. With --all-programs, the people of every program of the
    workspace, each row with its program; 'show' then shows the person in each program they
    are in (an id names a person in one program only)."""
    from mentorctl.cli import output
    from mentorctl.report import directory

    with _errors_to_exit():
        key = _target(args, words=True)
        if all_programs and program:
            raise UsageError("--all-programs and --program do not go together")
        opened = _open_all(workspace, today) if all_programs else None
        if opened is not None and key is not None:
            from mentorctl.report.people_across import person_across

            shown = person_across(opened, key)
            if as_json:
                output.emit_json({"programs": shown, "count": len(shown)})
                return
            for i, data in enumerate(shown):
                output.info(("" if i == 0 else "\n") + f"In {data['program']}:")
                _show_person(data)
            return
        filters = _filters(
            role=role, status=status, topic=topic, week=week, quiet=quiet,
            waiting=waiting, search=search,
        )  # fmt: skip
        if opened is not None:
            rows = [
                {"program": slug, **r}
                for slug, d in opened
                for r in directory.people_rows(d, filters)
            ]
        else:
            d = _open(workspace, program, today)
            if key is not None:
                data = directory.person_detail(d, key)
                if as_json:
                    output.emit_json(data)
                else:
                    _show_person(data)
                return
            rows = directory.people_rows(d, filters)
        if as_json:
            output.emit_json({"people": rows, "count": len(rows)})
            return
        columns = ["Person", "Name", "Email", "Role", "Status", "Pairs", "Week", "Signed up"]
        lead = ["Program"] if opened is not None else []
        table = [
            ([r["program"]] if lead else [])
            + [
                r["id"],
                r["name"] or "",
                r["email"] or "",
                r["role"] or "",
                r["status_label"],
                ", ".join(r["pairs"]) or "-",
                _dash(r["week"]),
                r["signed_up"],
            ]
            for r in rows
        ]
        if as_csv:
            _csv(lead + columns, table)
            return
        output.table(f"People ({len(rows)})", lead + columns, table)


@app.command(
    "pairs",
    short_help="List and find pairs, with both names, week, status and last answer.",
    epilog="Example: mentorctl pairs --quiet  |  mentorctl pairs show M3",
)
def pairs_cmd(
    args: ShowArg = None,
    role: RoleOpt = None,
    status: PairStatusOpt = None,
    topic: TopicOpt = None,
    week: WeekOpt = None,
    round_: RoundOpt = None,
    quiet: QuietOpt = False,
    waiting: WaitingOpt = False,
    search: SearchOpt = None,
    as_csv: CsvOpt = False,
    today: TodayOpt = None,
    all_programs: PairsAllProgramsOpt = False,
    workspace: WorkspaceOpt = None,
    program: ProgramOpt = None,
    as_json: JsonOpt = False,
    ics: Annotated[
        str | None,
        typer.Option(
            "--ics",
            metavar="FILE",
            help="With 'show ID': write the pair's weekly meeting invitation (.ics) to FILE "
            "('-' for stdout); a circle's (C1), or a circle member pair's, is the circle's.",
        ),
    ] = None,
) -> None:
    """Pairs with both people's names, program week, status, score and last answer, as they
    stood at the end of --today (default: today). With --all-programs, the pairs of every
    program of the workspace, each row with its program."""
    from mentorctl.cli import output, render_asks
    from mentorctl.report import directory

    with _errors_to_exit():
        key = _target(args)
        if ics is not None:
            from pathlib import Path

            from mentorctl.report import calendar_files as for_program

            if key is None:
                raise UsageError("--ics needs a pair: 'pairs show ID --ics FILE'")
            invite = for_program.pair_ics(workspace, program, today, key)
            if ics == "-":
                sys.stdout.write(invite.decode("utf-8"))
            else:
                output.note(for_program.write(workspace, program, Path(ics), invite, "invitation"))
            return
        if all_programs:
            from mentorctl.cli.pairs_across import list_all
            from mentorctl.report.pairs_across import refuse_one_pair

            refuse_one_pair(key, program)
            filters = _filters(
                role=role, status=status, topic=topic, week=week, quiet=quiet,
                waiting=waiting, search=search, round_=round_,
            )  # fmt: skip
            list_all(_open_all(workspace, today), filters, as_json=as_json, as_csv=as_csv)
            return
        d = _open(workspace, program, today)
        if key is not None:
            from mentorctl.report import circle_show

            if circle_show.is_circle_id(key):  # a circle whole: 'pairs show C1'
                from mentorctl.cli.render_circles import show_circle

                data = circle_show.detail(d, _store_path(workspace, program), key)
                output.emit_json(data) if as_json else show_circle(data)
                return
            data = directory.pair_detail(d, key)
            if as_json:
                output.emit_json(data)
            else:
                _show_pair(data)
            return
        directory.check_round(d, round_)
        rows = directory.pair_rows(
            d,
            _filters(
                role=role, status=status, topic=topic, week=week, quiet=quiet,
                waiting=waiting, search=search, round_=round_,
            ),
        )  # fmt: skip
        plain = not any((role, status, topic, week, quiet, waiting, search, round_))
        asks = render_asks.listed_with_pairs(_store_path(workspace, program), d, not plain)
        if as_json:
            output.emit_json({"pairs": rows, "count": len(rows), "asked_waiting": asks})
            return
        if as_csv:
            _csv(
                ["pair", "mentee_id", "mentee", "mentor_id", "mentor", "status", "week",
                 "score", "start_date", "last_answer", "end_reason", "round", "circle"],
                [
                    [r["id"], r["mentee"], r["mentee_name"], r["mentor"], r["mentor_name"],
                     r["status"], r["week"], r["score"], r["start_date"], r["last_answer"],
                     r["end_reason"], r["round"], r["circle"]]
                    for r in rows
                ],
            )  # fmt: skip
            return
        # The round is shown once the program has more than one.
        rounds = d.several_rounds
        circles = any(r.get("circle") for r in rows)
        output.table(
            f"Pairs ({len(rows)})",
            ["Pair", *(["Round"] if rounds else []), *(["Circle"] if circles else []), "Mentee",
             "Mentor", "Week", "Status",
             "Score", "Last answer"],
            [
                [
                    r["id"],
                    *([r["round"]] if rounds else []),
                    *([r["circle"] or "-"] if circles else []),
                    _who(r["mentee_name"], r["mentee"]),
                    _who(r["mentor_name"], r["mentor"]),
                    _dash(r["week"]),
                    r["status_label"],
                    _score(r["score"]),
                    _dash(r["last_answer"]),
                ]
                for r in rows
            ],
        )  # fmt: skip
        render_asks.pairs_section(asks)


def _store_path(workspace: Any, program: str | None) -> Any:
    from mentorctl.programs import program as programs

    return programs.open_program(workspace, program)[1].store_path


def _who(name: Any, pid: Any) -> str:
    from mentorctl.report.labels import who

    return who(name, pid)


def _show_pair(p: dict[str, Any]) -> None:
    from mentorctl.cli import output

    output.info(
        f"Pair {p['id']}: {_who(p['mentee_name'], p['mentee'])} with "
        f"{_who(p['mentor_name'], p['mentor'])}"
    )
    output.info(
        f"Status: {p['status_label']}   Week: {_dash(p['week'])}   Score: {_score(p['score'])}"
        f"   Started: {_dash(p['start_date'])}   Last answer: {_dash(p['last_answer'])}"
    )
    if p.get("end_reason"):
        output.info(f"Ended because: {p['end_reason']}")
    if p.get("paused_by"):
        names = {p["mentee"]: p["mentee_name"], p["mentor"]: p["mentor_name"]}
        output.info(
            "Paused because of: "
            + ", ".join(
                f"{_who(names[x], x)} away" if x in names else f"concern {x}"
                for x in p["paused_by"]
            )
        )
    if p.get("circle_meeting"):
        c = p["circle_meeting"]
        said = f"{c['accepted']} of {c['people']}"
        if c["people"] and c["accepted"] == c["people"]:
            said = f"all {c['people']}"
        output.info(f"Circle {c['circle']}'s meeting: accepted by {said}")
    output.info("Why they were paired: " + ("; ".join(p["reasons"]) or "-"))
    if p.get("against"):
        output.info("Against them: " + "; ".join(p["against"]))
    output.info("")
    output.table(
        "People",
        ["As", "Person", "Email", "Status", "Time zone", "Languages", "Topics"],
        [
            [b["as"], _who(b["name"], b["id"]), b["email"] or "", b.get("status_label") or "-",
             b["timezone"] or "", ", ".join(b["languages"]), ", ".join(b["topics"])]
            for b in p["people"]
        ],
    )  # fmt: skip
    _sections(
        [
            ("Status history", ["Date", "Status", "Note", "By"],
             [[h["date"], h["status_label"], h["note"], h["by"]] for h in p["history"]]),
            ("Meeting answers", ["Person", "Answer", "Date", "Proposed"],
             [[_who(m["person_name"], m["person"]), (m["answer"] or "no answer yet").lower(),
               m["date"] if m["answer"] else "", m["proposed"] or ""]
              for m in p.get("meeting", [])]),
            ("Messages sent", ["Message", "Kind", "Week", "Status", "Date"],
             [[m["id"], m["kind"], _dash(m["week"]), m["status"], m["date"]]
              for m in p["messages"]]),
            ("Answers", ["Week", "Person", "Date", "Answers"],
             [[a["week"], _who(a["person_name"], a["person"]), a["date"],
               ", ".join(f"{k}={v}" for k, v in a["answers"].items())] for a in p["answers"]]),
            ("Concerns", ["Concern", "Status", "Raised", "Reason"],
             [[c["id"], c["status"], c["raised"], c["reason"] or ""] for c in p["concerns"]]),
        ]
    )  # fmt: skip


def _show_person(p: dict[str, Any]) -> None:
    from mentorctl.cli import output

    output.info(f"Person {p['id']}: {p['name'] or ''} <{p['email'] or ''}>")
    output.info(
        f"Role: {p['role']}   Status: {p['status_label']}"
        f"   Signed up: {p['signed_up']}   Time zone: {_dash(p['timezone'])}"
    )
    if p.get("pause_reason"):
        output.info(f"Away because: {p['pause_reason']}")
    if p.get("undeliverable"):
        u = p["undeliverable"]
        output.info(
            f"Undeliverable since {u['since']}: nothing is sent to this address"
            + (f" ({u['reason']})" if u.get("reason") else "")
        )
    if p["goals"]:
        output.info("Goals: " + ", ".join(p["goals"]))
    if p["expertise"]:
        output.info("Expertise: " + ", ".join(p["expertise"]))
    if p["languages"]:
        output.info("Languages: " + ", ".join(p["languages"]))
    if p["organisation"]:
        output.info(f"Organisation: {p['organisation']}")
    if p.get("circles"):
        output.info("Circles: " + ", ".join(p["circles"]))
    for key, said in (("shortlist", "Shortlist offered"), ("choice", "Chose")):
        if p.get(key):  # a mentee's shortlist (pair --shortlist) and their reply to it
            named = ", ".join(f"{m['id']} {m['name'] or ''}".strip() for m in p[key]["mentors"])
            output.info(f"{said} {p[key]['date']} (shortlist {p[key]['number']}): {named}")
    _sections(
        [
            ("Pairs", ["Pair", "Mentee", "Mentor", "Week", "Status", "Score", "Last answer"],
             [[r["id"], _who(r["mentee_name"], r["mentee"]), _who(r["mentor_name"], r["mentor"]),
               _dash(r["week"]), r["status_label"], _score(r["score"]), _dash(r["last_answer"])]
              for r in p["pairs"]]),
            ("Messages sent", ["Message", "Pair", "Kind", "Week", "Status", "Date"],
             [[m["id"], m["pair"], m["kind"], _dash(m["week"]), m["status"], m["date"]]
              for m in p["messages"]]),
            ("Concerns", ["Concern", "Status", "Pairs", "Raised", "Reason"],
             [[c["id"], c["status"], ", ".join(c["pairs"]), c["raised"], c["reason"] or ""]
              for c in p["concerns"]]),
            ("Blocks", ["Block", "With", "Since"],
             [[b["id"], _who(b["other_name"], b["other"]), b["since"]] for b in p["blocks"]]),
            ("History", ["Date", "Event", "Note"],
             [[e["date"], _event(e["event"]), e["note"]] for e in p.get("events", [])]),
        ]
    )  # fmt: skip


def _event(name: Any) -> str:
    from mentorctl.report.labels import status_label

    return status_label(name)


def _sections(sections: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    from mentorctl.cli import output

    for title, columns, rows in sections:
        output.info("")
        if rows:
            output.table(title, columns, rows)
        else:
            output.info(f"{title}: none")
