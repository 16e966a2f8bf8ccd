"""Threads that cannot be confused: subjects name the partner, messages carry the pair code,
and a form's pair and date columns are read the ways people and form services write them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import write_csv
from hypothesis import given
from hypothesis import strategies as st
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    edit_program,
    introduced_fixture,
    outbox_files,
    paired_fixture,
    parse_eml,
    table,
)

MET = "Did you meet or talk this week?"


@pytest.fixture(name="two_mentees")
def two_mentees_fixture(paired: Path, cli) -> Path:
    """Meg mentors Ann (M1) and Cy (M3); introduced and given week 1 on 2026-03-03."""
    added = cli("pair", "-w", paired, "--add", IDS["cy"], IDS["meg"], "--force")
    assert added.exit_code == 0, added.output
    for args in (("introduce",), ("checkin", "--today", "2026-03-03")):
        result = cli(*args, "-w", paired)
        assert result.exit_code == 0, result.output
    return paired


def _sent(workspace: Path) -> dict[tuple[str, str], list]:
    """Outbox messages by (first address of To, kind from the file name)."""
    got: dict[tuple[str, str], list] = {}
    for path in outbox_files(workspace):
        msg = parse_eml(path.read_bytes())
        kind = "intro" if "intro" in path.name else "weekly"
        got.setdefault((msg["To"].addresses[0].addr_spec, kind), []).append(msg)
    return got


def test_a_mentor_of_two_gets_weekly_subjects_naming_each_mentee(two_mentees: Path) -> None:
    sent = _sent(two_mentees)
    subjects = sorted(m["Subject"] for m in sent["meg@example.org", "weekly"])
    assert subjects == [
        "Test Program, week 1 with Ann: Get to know each other",
        "Test Program, week 1 with Cy: Get to know each other",
    ]
    [ann] = sent["ann@example.org", "weekly"]
    assert ann["Subject"] == "Test Program, week 1 with Meg: Get to know each other"


def test_every_message_ends_with_its_pair_code(two_mentees: Path) -> None:
    sent = _sent(two_mentees)
    for (address, kind), found in sent.items():
        for msg in found:
            codes = {"ann": "M1", "bo": "M2", "raj": "M2", "cy": "M3"}
            text = msg.get_body(("plain",)).get_content()
            tail = text.rstrip("\n").splitlines()[-1]
            assert tail.startswith("Pair code: M"), (address, kind)
            if address != "meg@example.org":
                assert tail == f"Pair code: {codes[address.split('@')[0]]}", address
            if kind == "intro":
                html = msg.get_body(("html",)).get_content()
                assert f">{tail}</p>" in html
    meg_codes = sorted(
        m.get_body(("plain",)).get_content().rstrip("\n").splitlines()[-1]
        for m in sent["meg@example.org", "weekly"]
    )
    assert meg_codes == ["Pair code: M1", "Pair code: M3"]


def test_subjects_are_safe_without_a_partner(paired: Path, cli) -> None:
    # A weekly message written to both people at once (no recipient) keeps the plain subject.
    from mentorctl.mail import messages
    from mentorctl.programs.program import load_program

    program = load_program(paired / "test-program" / "program.yaml")
    maker = messages.ContextMaker(program)
    templates = messages.Templates(program, paired / "test-program" / "messages")
    ann = messages.person_context({"id": "P3", "name": "Ann Mentee"})
    meg = messages.person_context({"id": "P1", "name": "Meg Mentor"})
    pair = {"id": "M1"}
    for kind, subject in (
        ("weekly", "Test Program, week 2: Agree on a goal"),
        ("nudge", "Checking in on your Test Program pair: Ann and Meg"),
        ("wrapup", "Test Program: celebrating your 8 weeks"),
    ):
        week = 8 if kind == "wrapup" else 2
        context = maker.make(
            kind=kind, week=week, pair=pair, start=None, mentee=ann, mentor=meg, recipient=None
        )
        assert templates._load(kind)[0].render(context) == subject
        context = maker.make(
            kind=kind, week=week, pair=pair, start=None, mentee=ann, mentor=meg, recipient=meg
        )
        assert "with Ann" in templates._load(kind)[0].render(context)


def _import(cli, workspace: Path, text: str, *args: str, today: str) -> dict:
    path = write_csv(workspace / "answers.csv", text)
    result = cli("checkin", "-w", workspace, "--import", path, "--json", "--today", today, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# Where the answers of the next two tests go, however their pairs are named.
PLACED = {
    ("M3", IDS["meg"], 1),
    ("M1", IDS["meg"], 2),
    ("M3", IDS["meg"], 2),
    ("M1", IDS["ann"], 2),
}


def test_the_pair_column_takes_a_code_a_name_or_an_address(two_mentees: Path, cli) -> None:
    rows = [
        "meg@example.org,Pair code: M3,1,yes",  # the footer line, pasted
        "meg@example.org,  ÁNN   mentee ,2,no",  # the partner's name: case, accents, spaces
        "meg@example.org,CY@Example.org,2,yes",  # the partner's address
        "meg@example.org,Bo Mentee,2,yes",  # row 5: not one of Meg's partners
        "meg@example.org,Ann,3,yes",  # row 6: a first name only
        "ann@example.org,meg mentor,2,yes",
    ]
    data = _import(
        cli,
        two_mentees,
        f"Email,Pair,Week,{MET}\n" + "\n".join(rows) + "\n",
        today="2026-03-12",
    )
    assert (data["rows"], data["imported"]) == (6, 4)
    reason = (
        "names no pair of this person (expected a pair code, or the partner's full name or address)"
    )
    assert data["rejects"] == [
        {"row": 5, "field": "pair", "reason": reason},
        {"row": 6, "field": "pair", "reason": reason},
    ]
    got = {(a["pair"], a["person"], a["week"]) for a in table(two_mentees, "answers")}
    assert got == PLACED


def _cy_named_ann(workspace: Path) -> None:
    """Cy is renamed Ann Mentee: Meg's two mentees now share a name."""
    from messages_fixtures import store_path

    from mentorctl.store.db import Store

    with Store.writing(store_path(workspace)) as store:
        people = store.documents("people")
        [key] = [k for k, d in people.items() if d.get("id") == IDS["cy"]]
        store.update_many("people", {int(key): {"name": "Ann Mentee"}})


def test_a_name_shared_by_two_partners_asks_for_the_code(two_mentees: Path, cli) -> None:
    _cy_named_ann(two_mentees)
    data = _import(
        cli,
        two_mentees,
        f"Email,Pair,Week,{MET}\nmeg@example.org,ann mentee,1,yes\n",
        today="2026-03-12",
    )
    assert data["rejects"] == [
        {
            "row": 2,
            "field": "pair",
            "reason": "names more than one pair (M1, M3): use the pair code",
        }
    ]


def _record(cli, workspace: Path, pair: str, person: str, week: str, met: str):
    return cli(
        "checkin", "-w", workspace, "--record", pair, "--person", person, "--week", week,
        "--answer", f"met={met}", "--json", "--today", "2026-03-12",
    )  # fmt: skip


def test_record_takes_the_code_or_the_partners_name_or_address(two_mentees: Path, cli) -> None:
    for pair, week in (("m3", "1"), ("  ÁNN   mentee ", "2"), ("CY@Example.org", "2")):
        result = _record(cli, two_mentees, pair, "meg@example.org", week, "yes")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["rejected"] == 0
    result = _record(cli, two_mentees, "Meg Mentor", IDS["ann"], "2", "no")
    assert result.exit_code == 0, result.output
    got = {(a["pair"], a["person"], a["week"]) for a in table(two_mentees, "answers")}
    assert got == PLACED
    # somebody who is not their partner, or a first name only, is refused in one line
    for pair in ("Bo Mentee", "Ann", "M2"):
        refused = _record(cli, two_mentees, pair, "meg@example.org", "2", "yes")
        assert refused.exit_code == 2, (pair, refused.output)
        (line,) = refused.stderr.strip().splitlines()
        assert line.startswith("mentorctl: error: cannot record: "), line
        assert "@" not in line


def test_record_lists_the_pairs_a_shared_name_could_be(two_mentees: Path, cli) -> None:
    _cy_named_ann(two_mentees)
    result = _record(cli, two_mentees, "Ann Mentee", "meg@example.org", "2", "yes")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "mentorctl: error: cannot record: names more than one pair (M1, M3): use the pair code"
    )
    assert table(two_mentees, "answers") == []
    # the address still tells them apart
    result = _record(cli, two_mentees, "cy@example.org", "meg@example.org", "2", "yes")
    assert result.exit_code == 0, result.output
    assert {a["pair"] for a in table(two_mentees, "answers")} == {"M3"}


US = "Timestamp,Email Address,Did you meet or talk this week?\n"


def test_month_first_timestamps_are_read_when_a_day_shows_the_order(introduced: Path, cli) -> None:
    data = _import(
        cli,
        introduced,
        US
        + "3/5/2026 9:03:12,ann@example.org,yes\n3/13/2026 18:00:00,meg@example.org,no\n"
        + "last week,meg@example.org,yes\n",  # row 4: no date in either order
        today="2026-03-20",
    )
    assert (data["imported"], data["rejects"]) == (
        2,
        [{"row": 4, "field": "date", "reason": "not a date"}],
    ), data
    assert data["warnings"] == [
        "the date column reads as month/day/year (a day above 12 shows it), not as "
        "day/month/year: read that way; say so with --date-order MDY (this run) or "
        "signup.date_order: MDY (program.yaml)"
    ]
    weeks = {(a["person"], a["week"]) for a in table(introduced, "answers")}
    assert weeks == {(IDS["ann"], 1), (IDS["meg"], 2)}


def test_the_program_order_is_kept_when_the_data_does_not_say(introduced: Path, cli) -> None:
    # 5/3 and 10/3 read both ways: the program's day-first order stands, without a warning.
    data = _import(
        cli,
        introduced,
        US + "5/3/2026,ann@example.org,yes\n10/3/2026,meg@example.org,no\n",
        today="2026-03-20",
    )
    assert data["warnings"] == [] and data["rejected"] == 0
    weeks = {(a["person"], a["week"]) for a in table(introduced, "answers")}
    assert weeks == {(IDS["ann"], 1), (IDS["meg"], 2)}
    # ...and month-first when program.yaml says so.
    edit_program(introduced, lambda d: d["signup"].update(date_order="MDY"))
    data = _import(cli, introduced, US + "3/5/2026,ann@example.org,no\n", today="2026-03-20")
    assert data["warnings"] == [] and data["updated"] == 1
    assert {(a["person"], a["week"]) for a in table(introduced, "answers")} == weeks


def test_a_column_in_both_orders_names_the_setting(introduced: Path, cli) -> None:
    data = _import(
        cli,
        introduced,
        US
        + "3/13/2026,ann@example.org,yes\n13/3/2026,meg@example.org,no\nsoon,meg@example.org,no\n",
        today="2026-03-20",
    )
    assert data["warnings"] == []
    assert data["rejects"] == [
        {
            "row": 2,
            "field": "date",
            "reason": "not a date as day/month/year (signup.date_order: DMY), but one as "
            "month/day/year: say which with --date-order MDY (this run) or "
            "signup.date_order: MDY (program.yaml)",
        },
        {"row": 4, "field": "date", "reason": "not a date"},
    ]
    assert data["imported"] == 1


def test_date_order_reads_a_us_export_the_data_cannot_decide(introduced: Path, cli) -> None:
    # 3/5 and 3/10 read either way; the program's weeks would pick day-first (5 and 10 March
    # are in them, 3 May and 3 October are not): --date-order says month first.
    export = US + "3/5/2026,ann@example.org,yes\n3/10/2026,meg@example.org,no\n"
    data = _import(cli, introduced, export, "--date-order", "MDY", today="2026-03-20")
    assert data["warnings"] == [] and data["rejected"] == 0
    weeks = {(a["person"], a["week"]) for a in table(introduced, "answers")}
    assert weeks == {(IDS["ann"], 1), (IDS["meg"], 2)}


def test_date_order_is_kept_even_where_the_data_shows_another(introduced: Path, cli) -> None:
    export = US + "5/3/2026,ann@example.org,yes\n3/13/2026,meg@example.org,no\n"
    data = _import(cli, introduced, export, "--date-order", "DMY", today="2026-03-20")
    assert data["warnings"] == []  # not switched to month first, as it is without the option
    assert data["rejects"] == [
        {
            "row": 3,
            "field": "date",
            "reason": "not a date as day/month/year (--date-order DMY), but one as "
            "month/day/year: say which with --date-order MDY (this run) or "
            "signup.date_order: MDY (program.yaml)",
        }
    ]
    assert {(a["person"], a["week"]) for a in table(introduced, "answers")} == {(IDS["ann"], 1)}


def test_date_order_reads_a_day_first_export_where_the_program_says_month_first(
    introduced: Path, cli
) -> None:
    edit_program(introduced, lambda d: d["signup"].update(date_order="MDY"))
    export = US + "5/3/2026,ann@example.org,yes\n13/3/2026,meg@example.org,no\n"
    data = _import(cli, introduced, export, "--date-order", "dmy", today="2026-03-20")
    assert (data["rejected"], data["warnings"]) == (0, [])
    weeks = {(a["person"], a["week"]) for a in table(introduced, "answers")}
    assert weeks == {(IDS["ann"], 1), (IDS["meg"], 2)}


def test_date_order_goes_with_import_only(introduced: Path, cli) -> None:
    alone = cli("checkin", "-w", introduced, "--date-order", "MDY")
    assert alone.exit_code == 2 and "--date-order goes with --import" in alone.stderr
    path = write_csv(introduced / "answers.csv", US + "3/5/2026,ann@example.org,yes\n")
    wrong = cli("checkin", "-w", introduced, "--import", path, "--date-order", "YDM")
    assert wrong.exit_code == 2 and "--date-order takes DMY or MDY" in wrong.stderr


PLAIN = {"é": "e", "è": "e", "ê": "e", "ë": "e", "ï": "i", "î": "i", "ô": "o", "ü": "u"}
PLAIN |= {"ñ": "n", "ç": "c", "É": "E", "Ö": "O", "Å": "A"}


@given(
    name=st.text(alphabet="abcdeiouxyzABC" + "".join(PLAIN), min_size=1, max_size=12).filter(
        str.strip
    ),
    upper=st.booleans(),
)
def test_a_partners_name_is_found_whatever_its_case_accents_and_spacing(
    name: str, upper: bool
) -> None:
    from types import SimpleNamespace

    from mentorctl.checkins.answer_import import Partners

    full = f"{name} Müller"
    people = {"a@x.org": {"id": "P1", "name": "Ann"}, "b@x.org": {"id": "P2", "name": full}}
    other = {"id": "P3", "name": "Zed"}
    pair = {"id": "M1", "mentee": "P2", "mentor": "P1", "status": "active"}
    pair2 = {"id": "M2", "mentee": "P3", "mentor": "P1", "status": "active"}
    directory = SimpleNamespace(
        by_email={**people, "z@x.org": other},
        pairs={"M1": pair, "M2": pair2},
        of_person={"P1": [pair, pair2], "P2": [pair], "P3": [pair2]},
    )
    written = "".join(PLAIN.get(c, c) for c in full).replace(" ", "  ")
    written = written.upper() if upper else written.lower()
    assert Partners(directory).code("P1", f" {written} ") == "M1"  # type: ignore[arg-type]


@given(
    days=st.lists(
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)), min_size=1
    ),
    order=st.sampled_from(["DMY", "MDY"]),
)
def test_a_column_is_read_in_the_order_its_days_show(days: list[dt.date], order: str) -> None:
    from mentorctl.checkins.answer_import import choose_date_order
    from mentorctl.signups.people import read_birth_date

    us = [f"{d.month}/{d.day}/{d.year} 10:00:00" for d in days]
    chosen, warning = choose_date_order(us, order)
    if order == "MDY" or all(d.day <= 12 for d in days):
        assert chosen == order  # nothing shows another order
        # read either way, to different days: said, with the setting that decides
        either = all(d.day <= 12 for d in days) and any(d.day != d.month for d in days)
        assert (warning is not None) == either, warning
        assert warning is None or "signup.date_order" in warning
    else:
        assert chosen == "MDY" and warning is not None and "signup.date_order: MDY" in warning
        assert [read_birth_date(c.split()[0], chosen) for c in us] == days


def test_a_column_either_order_reads_is_read_so_its_dates_fall_in_the_program() -> None:
    """A week's US export from 1 to 7 December reads either way; only month-first puts its
    dates in the program's weeks (day-first would be January to July)."""
    from mentorctl.checkins.answer_import import choose_date_order

    cells = ["12/1/2026 09:00:00", "12/3/2026 10:00:00", "12/7/2026 14:03:22"]
    window = (dt.date(2026, 10, 5), dt.date(2026, 12, 8))
    chosen, warning = choose_date_order(cells, "DMY", window)
    assert chosen == "MDY" and warning is not None and "signup.date_order: MDY" in warning
    # and a day-first community's December export stays day-first
    cells = ["1/12/2026 09:00:00", "3/12/2026 10:00:00", "7/12/2026 14:03:22"]
    assert choose_date_order(cells, "DMY", window) == ("DMY", None)
