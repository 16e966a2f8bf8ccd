"""import-signups rejects rows it cannot use, and files it cannot read, and says why.

A rejected row is reported by its spreadsheet row number (header = row 1), field and reason,
while the valid rows still go in. A file that cannot be used at all gives one error line on
stderr naming the file, a non-zero exit and an untouched store. No message carries an email
address from the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, people, write_csv

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_programs" / "career-circle"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*")

HEADER = "Full name,Email,Role,Age,Date of birth,Goals,How many mentees can you take?,Bio\n"
UNDER_18 = "under 18: only adults can take part"

# One rejection rule per row; the rows after the multi-line bio in row 2 keep their numbers.
ROWS = (
    'Valid Mentee,valid.mentee@example.org,Mentee,30,,Networking,,"Three\nlines,\nof bio"\n'  # 2
    "Bad Email,bad.email(at)example.org,Mentee,30,,,,\n"  # 3
    "No Email,,Mentee,30,,,,\n"  # 4
    "Sixteen,sixteen@example.org,Mentee,16,,,,\n"  # 5
    "Range,range@example.org,Mentee,16-17,,,,\n"  # 6
    "Born Late,born.late@example.org,Mentee,,2008-03-03,,,\n"  # 7: 18 tomorrow
    "Young,young@example.org,Mentee,Under 18,,,,\n"  # 8
    "No Age,no.age@example.org,Mentee,,,,,\n"  # 9
    "Who Knows,who.knows@example.org,Just browsing,30,,,,\n"  # 10
    "Zero,zero@example.org,Mentor,40,,,0,\n"  # 11
    "Lots,lots@example.org,Mentor,40,,,lots,\n"  # 12
    "Valid Mentor,valid.mentor@example.org,Mentor,45,2008-03-02,,3,\n"  # 13: 18 today
)
EXPECTED_REJECTS = [
    {"row": 3, "field": "email", "reason": "not a valid email address"},
    {"row": 4, "field": "email", "reason": "missing"},
    {"row": 5, "field": "age", "reason": UNDER_18},
    {"row": 6, "field": "age", "reason": UNDER_18},
    {"row": 7, "field": "birth_date", "reason": UNDER_18},
    {"row": 8, "field": "age", "reason": UNDER_18},
    {"row": 9, "field": "age", "reason": "missing (the program asks for an age or date of birth)"},
    {"row": 10, "field": "role", "reason": "not recognised (expected mentor, mentee or both)"},
    {"row": 11, "field": "capacity", "reason": "must be a positive whole number"},
    {"row": 12, "field": "capacity", "reason": "not a whole number of mentees"},
]
VALID = {"valid.mentee@example.org", "valid.mentor@example.org"}


def import_json(cli, workspace: Path, path: Path, *options: str) -> dict:
    result = cli("import-signups", path, "--workspace", workspace, "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def emails(store_file: Path) -> set[str]:
    return {p["email"] for p in people(store_file)}


def edit_program(workspace: Path, old: str, new: str) -> None:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    assert old in text
    program.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def signups(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "signups.csv", HEADER + ROWS)


# -- one rule per row -----------------------------------------------------------------------


def test_every_rule_rejects_its_row_and_the_valid_rows_go_in(
    cli, workspace: Path, store_file: Path, signups: Path
) -> None:
    report = import_json(cli, workspace, signups)
    assert report["rejects"] == EXPECTED_REJECTS
    assert (report["rows"], report["imported"], report["rejected"]) == (12, 2, 10)
    assert emails(store_file) == VALID
    mentee = next(p for p in people(store_file) if p["email"] == "valid.mentee@example.org")
    assert mentee["bio"] == "Three\nlines,\nof bio"


def test_the_table_lists_row_field_and_reason(
    cli, workspace: Path, store_file: Path, signups: Path
) -> None:
    result = cli("import-signups", signups, "--workspace", workspace)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Rejected rows")
    assert re.split(r"\s{2,}", lines[start + 1]) == ["Row", "Field", "Reason"]
    table = [
        re.split(r"\s{2,}", line.strip(), maxsplit=2) for line in lines[start + 2 : start + 12]
    ]
    assert table == [[str(r["row"]), r["field"], r["reason"]] for r in EXPECTED_REJECTS]
    assert "Imported 2 new, updated 0, unchanged 0, rejected 10 of 12 rows." in result.stdout
    assert "--write-rejects" in result.stderr
    assert not EMAIL.search(result.output), "the report names rows, never addresses"


@pytest.mark.parametrize(
    ("cells", "field", "reason"),
    [
        ("Ana,not-an-email,Mentee,30", "email", "not a valid email address"),
        ("Ana,ana@@example.org,Mentee,30", "email", "not a valid email address"),
        ("Ana,ana..silva@example.org,Mentee,30", "email", "not a valid email address"),
        ("Ana,ana@example,Mentee,30", "email", "not a valid email address"),
        ("Ana,   ,Mentee,30", "email", "missing"),
        ("Ana,ana@example.org,Mentee,17", "age", UNDER_18),
        ("Ana,ana@example.org,Mentee,16-17", "age", UNDER_18),
        ("Ana,ana@example.org,Mentee,16 - 24", "age", UNDER_18),
        ("Ana,ana@example.org,Mentee,Under 18", "age", UNDER_18),
        ("Ana,ana@example.org,Mentee,No", "age", "did not confirm being 18 or older"),
        (
            "Ana,ana@example.org,Mentee,",
            "age",
            "missing (the program asks for an age or date of birth)",
        ),
        ("Ana,ana@example.org,,30", "role", "missing (expected mentor, mentee or both)"),
        (
            "Ana,ana@example.org,Observer,30",
            "role",
            "not recognised (expected mentor, mentee or both)",
        ),
        ("Ana,ana@example.org,Mentor,30,0", "capacity", "must be a positive whole number"),
        ("Ana,ana@example.org,Mentor,30,lots", "capacity", "not a whole number of mentees"),
        ("   ,ana@example.org,Mentee,30", "name", "missing"),
    ],
)
def test_one_rule(
    cli, workspace: Path, store_file: Path, tmp_path: Path, cells, field, reason
) -> None:
    path = write_csv(
        tmp_path / "one.csv",
        "Full name,Email,Role,Age,Capacity\n" + cells + "\nOk,ok@example.org,Mentee,30,\n",
    )
    report = import_json(cli, workspace, path)
    assert report["rejects"] == [{"row": 2, "field": field, "reason": reason}]
    assert emails(store_file) == {"ok@example.org"}


@pytest.mark.parametrize(
    ("cells", "stored"),
    [
        (["ana@example.org", "Mentee", "18"], {"age": 18}),
        (["ana@example.org", "Mentee", "18-24"], {"age": 18}),
        (["ana@example.org", "Mentee", "65+"], {"age": 65}),
        (
            ["ana@example.org", "Mentee", "Yes, I am 18 or older"],
            {"age": None, "age_confirmed": True},
        ),
        (["Ana Silva <Ana.Silva@Example.org>", "Mentee", "30"], {"email": "ana.silva@example.org"}),
        (["mailto:ana@example.org", "Mentee", "30"], {"email": "ana@example.org"}),
        (["ana@example.org", "Mentor", "30", "up to 3"], {"capacity": 3}),
        (["ana@example.org", "mentee", "30", "lots"], {"capacity": None}),  # mentees have none
    ],
)
def test_answers_that_pass(
    cli, workspace: Path, store_file: Path, tmp_path: Path, cells, stored
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Full name", "Email", "Role", "Age", "Capacity"])
    writer.writerow(["Ana", *cells])
    report = import_json(cli, workspace, write_csv(tmp_path / "ok.csv", buffer.getvalue()))
    assert report["rejects"] == []
    (person,) = people(store_file)
    for key, value in stored.items():
        assert person[key] == value


# -- dates of birth, relative to MENTORCTL_TODAY (2026-03-02) ---------------------------------


def test_date_of_birth_counts_from_today(
    cli, workspace: Path, store_file: Path, tmp_path, monkeypatch
) -> None:
    text = (
        "Full name,Email,Role,Date of birth\n"
        "Tomorrow,eighteen.tomorrow@example.org,Mentee,2008-03-03\n"
        "Today,eighteen.today@example.org,Mentee,02/03/2008\n"  # DMY, as the program says
    )
    path = write_csv(tmp_path / "dob.csv", text)
    report = import_json(cli, workspace, path, "--dry-run")
    assert report["rejects"] == [{"row": 2, "field": "birth_date", "reason": UNDER_18}]
    assert report["imported"] == 1

    monkeypatch.setenv("MENTORCTL_TODAY", "2026-03-03")
    report = import_json(cli, workspace, path)
    assert report["rejects"] == []
    by_email = {p["email"]: p for p in people(store_file)}
    assert by_email["eighteen.today@example.org"]["birth_date"] == "2008-03-02"
    assert by_email["eighteen.tomorrow@example.org"]["birth_date"] == "2008-03-03"


US_BIRTHS = (
    "Full name,Email,Role,Date of birth\n"
    "Ana,ana@example.org,Mentee,04/23/1990\n"  # month first: no 23rd month
    "Bo,bo@example.org,Mentee,03/04/1991\n"  # either way
)


def test_date_order_reads_a_us_export_for_one_run(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "us.csv", US_BIRTHS)
    report = import_json(cli, workspace, path, "--dry-run")
    assert report["rejects"] == [
        {
            "row": 2,
            "field": "birth_date",
            "reason": "not a date as day/month/year (signup.date_order: DMY), but one as "
            "month/day/year: say which with --date-order MDY (this run) or "
            "signup.date_order: MDY (program.yaml)",
        }
    ]
    strict = cli("import-signups", path, "--workspace", workspace, "--strict")
    assert strict.exit_code == 3
    (line,) = strict.stderr.strip().splitlines()
    assert line.startswith(f"mentorctl: error: {path}, row 2, birth_date: not a date as")
    assert "--date-order MDY" in line and "signup.date_order: MDY" in line
    report = import_json(cli, workspace, path, "--date-order", "mdy")
    assert report["rejects"] == [] and report["imported"] == 2
    born = {p["email"]: p["birth_date"] for p in people(store_file)}
    assert born == {"ana@example.org": "1990-04-23", "bo@example.org": "1991-03-04"}


def test_date_order_reads_a_day_first_export_where_the_program_says_month_first(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    program = workspace / PROGRAM / "program.yaml"
    data = yaml.safe_load(program.read_text(encoding="utf-8"))
    data.setdefault("signup", {})["date_order"] = "MDY"
    program.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path = write_csv(
        tmp_path / "eu.csv",
        "Full name,Email,Role,Date of birth\nAna,ana@example.org,Mentee,23.04.1990\n"
        "Bo,bo@example.org,Mentee,13/12/1991\n",
    )
    report = import_json(cli, workspace, path, "--dry-run")
    assert [(r["row"], r["field"]) for r in report["rejects"]] == [
        (2, "birth_date"),
        (3, "birth_date"),
    ]
    assert "--date-order DMY (this run)" in report["rejects"][1]["reason"]
    assert "(signup.date_order: MDY)" in report["rejects"][1]["reason"]
    report = import_json(cli, workspace, path, "--date-order", "DMY")
    assert report["rejects"] == []
    born = {p["email"]: p["birth_date"] for p in people(store_file)}
    assert born == {"ana@example.org": "1990-04-23", "bo@example.org": "1991-12-13"}
    # given on the command line, the order is named as the option
    us = write_csv(tmp_path / "us.csv", US_BIRTHS)
    report = import_json(cli, workspace, us, "--date-order", "DMY", "--dry-run")
    assert report["rejects"][0]["reason"].startswith(
        "not a date as day/month/year (--date-order DMY), but one as month/day/year"
    )
    wrong = cli("import-signups", us, "--workspace", workspace, "--date-order", "YMD")
    assert wrong.exit_code == 2 and "--date-order takes DMY or MDY" in wrong.stderr


def test_an_implausible_date_of_birth(cli, workspace: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dob.csv",
        "Full name,Email,Role,Date of birth\nAna,ana@example.org,Mentee,1890-01-01\n"
        "Bo,bo@example.org,Mentee,someday\n",
    )
    report = import_json(cli, workspace, path)
    assert report["rejects"] == [
        {"row": 2, "field": "birth_date", "reason": "not a plausible date of birth"},
        {"row": 3, "field": "birth_date", "reason": "not a date (expected e.g. 1990-04-23)"},
    ]


# -- program settings --------------------------------------------------------------------------


def test_missing_age_is_accepted_when_the_program_does_not_require_it(
    cli, workspace: Path, store_file: Path, signups: Path
) -> None:
    edit_program(workspace, "require_age: true", "require_age: false")
    report = import_json(cli, workspace, signups)
    assert {
        "row": 9,
        "field": "age",
        "reason": "missing (the program asks for an age or date of birth)",
    } not in report["rejects"]
    assert report["rejects"] == [r for r in EXPECTED_REJECTS if r["row"] != 9]
    no_age = next(p for p in people(store_file) if p["email"] == "no.age@example.org")
    assert (no_age["age"], no_age["age_confirmed"], no_age["birth_date"]) == (None, False, None)


def test_capacity_default_comes_from_the_program(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    text = (
        "Full name,Email,Role,Age,How many mentees can you take?\n"
        "Mo,mo@example.org,Be a mentor,50,\n"
        "Bo,bo@example.org,Both,40,\n"
        "Me,me@example.org,Find a mentor,30,\n"
        "Jo,jo@example.org,Be a mentor,50,1\n"
    )
    path = write_csv(tmp_path / "cap.csv", text)
    edit_program(workspace, "default_capacity: 2", "default_capacity: 4")
    import_json(cli, workspace, path)
    capacity = {p["email"]: p["capacity"] for p in people(store_file)}
    assert capacity == {
        "mo@example.org": 4,
        "bo@example.org": 4,
        "me@example.org": None,
        "jo@example.org": 1,
    }


def test_template_default_capacity_is_two(cli, workspace: Path, store_file: Path, tmp_path) -> None:
    path = write_csv(
        tmp_path / "cap.csv", "Full name,Email,Role,Age\nMo,mo@example.org,Mentor,50\n"
    )
    import_json(cli, workspace, path)
    assert people(store_file)[0]["capacity"] == 2


# -- --role ------------------------------------------------------------------------------------


def test_role_forced_for_a_one_role_form(cli, workspace: Path, store_file: Path, tmp_path) -> None:
    path = write_csv(
        tmp_path / "mentors.csv",
        "Full name,Email,Age,Capacity\nMo,mo@example.org,50,3\nJo,jo@example.org,44,\n",
    )
    report = import_json(cli, workspace, path, "--role", "mentor")
    assert report["imported"] == 2
    assert {(p["email"], p["role"], p["capacity"]) for p in people(store_file)} == {
        ("mo@example.org", "mentor", 3),
        ("jo@example.org", "mentor", 2),
    }


def test_role_forced_wins_over_the_role_column(
    cli, workspace: Path, store_file: Path, tmp_path
) -> None:
    path = write_csv(
        tmp_path / "mentees.csv",
        "Full name,Email,Role,Age\nMo,mo@example.org,Just browsing,25\nJo,jo@example.org,Be a mentor,24\n",
    )
    report = import_json(cli, workspace, path, "--role", "mentee")
    assert report["rejects"] == []
    assert {p["role"] for p in people(store_file)} == {"mentee"}


def test_an_unknown_role_option_is_a_usage_error(
    cli, workspace: Path, store_file: Path, signups
) -> None:
    before = store_file.read_bytes()
    result = cli("import-signups", signups, "--workspace", workspace, "--role", "coach")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "mentorctl: error: --role 'coach': expected mentor, mentee or both"
    ]
    assert store_file.read_bytes() == before


# -- row numbers -------------------------------------------------------------------------------


def test_row_numbers_count_the_header_as_row_one(cli, workspace: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", "Full name,Email,Role,Age\nAna,ana@,Mentee,30\n")
    assert import_json(cli, workspace, path)["rejects"][0]["row"] == 2


def test_multi_line_cells_do_not_shift_later_row_numbers(
    cli, workspace: Path, tmp_path: Path
) -> None:
    text = (
        "Full name,Email,Role,Age,Bio\n"
        'Ana,ana@example.org,Mentee,30,"one\ntwo\nthree\nfour"\n'  # row 2, five lines of file
        'Bo,bo@example.org,Mentee,31,"a\r\nb"\n'  # row 3
        "Cy,cy@,Mentee,32,\n"  # row 4
    )
    report = import_json(cli, workspace, write_csv(tmp_path / "s.csv", text))
    assert report["rejects"] == [
        {"row": 4, "field": "email", "reason": "not a valid email address"}
    ]


def test_an_emptied_row_still_counts(cli, workspace: Path, tmp_path: Path) -> None:
    """A row cleared in a spreadsheet stays a row: the rows after it keep their numbers."""
    text = (
        "Full name,Email,Role,Age\n"
        "Ana,ana@example.org,Mentee,30\n"  # row 2
        ",,,\n"  # row 3, emptied in Excel
        "Cy,cy@,Mentee,32\n"  # row 4
    )
    report = import_json(cli, workspace, write_csv(tmp_path / "s.csv", text))
    assert report["rejects"] == [
        {"row": 4, "field": "email", "reason": "not a valid email address"}
    ]


# -- --write-rejects ---------------------------------------------------------------------------


def test_write_rejects_beside_the_input(cli, workspace: Path, signups: Path) -> None:
    report = import_json(cli, workspace, signups, "--write-rejects")
    target = signups.with_name("signups.rejects.csv")
    assert report["rejects_file"] == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["row", "field", "reason", *HEADER.strip().split(",")]
    assert [(int(r[0]), r[1], r[2]) for r in rows[1:]] == [
        (r["row"], r["field"], r["reason"]) for r in EXPECTED_REJECTS
    ]
    assert rows[1][3:] == ["Bad Email", "bad.email(at)example.org", "Mentee", "30", "", "", "", ""]


def test_write_rejects_neutralises_formulas(cli, workspace: Path, tmp_path: Path) -> None:
    text = (
        "Full name,Email,Role,Age,Goals,Bio\n"
        '@SUM(A1:A9),evil@,Mentee,-5,+cmd|\' /C calc\'!A0,"=HYPERLINK(""http://evil.example.com"",""x"")"\n'
        "Ok,ok@example.org,Mentee,30,Networking,fine\n"
    )
    path = write_csv(tmp_path / "form.csv", text)
    report = import_json(cli, workspace, path, "--write-rejects")
    assert report["rejected"] == 1
    target = tmp_path / "form.rejects.csv"
    (row,) = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))[1:]
    assert row[:3] == ["2", "email", "not a valid email address"]
    assert row[3:] == [
        "'@SUM(A1:A9)",
        "evil@",
        "Mentee",
        "'-5",
        "'+cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://evil.example.com","x")',
    ]


def test_write_rejects_writes_nothing_without_rejects_or_on_a_dry_run(
    cli, workspace: Path, tmp_path: Path, signups: Path
) -> None:
    clean = write_csv(
        tmp_path / "clean.csv", "Full name,Email,Role,Age\nAna,ana@example.org,Mentee,30\n"
    )
    assert import_json(cli, workspace, clean, "--write-rejects")["rejects_file"] is None
    assert (
        import_json(cli, workspace, signups, "--write-rejects", "--dry-run")["rejects_file"] is None
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == [
        "clean.csv",
        "signups.csv",
    ]


def test_an_unwritable_rejects_file_is_one_clear_error(
    cli, workspace: Path, store_file: Path, signups: Path
) -> None:
    """Where FILE.rejects.csv cannot be written (here: a folder of that name), say so plainly."""
    signups.with_name("signups.rejects.csv").mkdir()
    result = cli("import-signups", signups, "--workspace", workspace, "--write-rejects")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("mentorctl: error: ")
    assert "signups.rejects.csv" in line


# -- --strict ----------------------------------------------------------------------------------


def test_strict_imports_nothing_and_exits_3(
    cli, workspace: Path, store_file: Path, signups: Path
) -> None:
    before = store_file.read_bytes()
    result = cli("import-signups", signups, "--workspace", workspace, "--strict")
    assert result.exit_code == 3, result.output
    assert store_file.read_bytes() == before
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"mentorctl: error: {signups}, row 3, email: {EXPECTED_REJECTS[0]['reason']} "
        "(10 row(s) rejected; nothing imported: --strict)"
    )
    assert not EMAIL.search(result.output)


def test_strict_imports_a_clean_file(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    clean = write_csv(
        tmp_path / "clean.csv", "Full name,Email,Role,Age\nAna,ana@example.org,Mentee,30\n"
    )
    assert import_json(cli, workspace, clean, "--strict")["imported"] == 1
    assert emails(store_file) == {"ana@example.org"}


# -- files that cannot be used -----------------------------------------------------------------

GOOD = "Full name,Email,Role,Age\nAna Silva,ana.silva@example.org,Mentee,30\nBo Li,bo.li@example.net,Mentor,41\n"


def _bad_file(tmp_path: Path, case: str) -> tuple[Path, list[str]]:
    """The path given to import-signups, and extra options, for each bad-file case."""
    path = tmp_path / "export.csv"
    if case == "missing":
        pass
    elif case == "folder":
        path.mkdir()
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "blank":
        path.write_bytes(b"  \r\n\r\n")
    elif case == "header only":
        path.write_text("Full name,Email,Role,Age\n", encoding="utf-8")
    elif case == "no email column":
        path.write_text(
            "Full name,Contact,Role\nAna Silva,ana.silva@example.org,Mentee\n", encoding="utf-8"
        )
    elif case == "headerless export":
        path.write_text(
            "Ana Silva,ana.silva@example.org,Find a mentor,30\nBo Li,bo.li@example.net,Be a mentor,41\n",
            encoding="utf-8",
        )
    elif case == "xlsx":
        path = tmp_path / "export.xlsx"
        path.write_bytes(
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"ana.silva@example.org" * 3
        )
    elif case == "binary":
        path = tmp_path / "export.bin"
        path.write_bytes(bytes(range(256)) * 3 + b"ana.silva@example.org\x00\x00")
    elif case == "no role column":
        path.write_text(
            "Full name,Email,Age\nAna Silva,ana.silva@example.org,30\n", encoding="utf-8"
        )
        return path, []
    else:
        path.write_text(GOOD, encoding="utf-8")
        if case == "map missing column":
            return path, ["--map", "email=Work email"]
        if case == "map unknown field":
            return path, ["--map", "favourite_colour=Role"]
        raise AssertionError(case)
    return path, []


BAD_FILES = [
    ("missing", 1, "file not found"),
    ("folder", 1, "is a folder, not a CSV file"),
    ("empty", 1, "the file is empty"),
    ("blank", 1, "the file is empty"),
    ("header only", 1, "the file has a header row but no answers"),
    ("no email column", 1, "no email column found"),
    ("headerless export", 1, "no email column found"),
    ("xlsx", 1, "this is a spreadsheet workbook, not CSV"),
    ("binary", 1, "not a CSV file (it holds binary data)"),
    ("map missing column", 2, "--map email='Work email': the file has no such column"),
    ("no role column", 1, "no role column found"),
]


@pytest.mark.parametrize(("case", "code", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_gives_one_error_line_and_leaves_the_store(
    cli, workspace: Path, store_file: Path, tmp_path: Path, case, code, message
) -> None:
    path, options = _bad_file(tmp_path, case)
    in_file = set(EMAIL.findall(path.read_bytes().decode("latin-1"))) if path.is_file() else set()
    before = store_file.read_bytes()
    result = cli("import-signups", path, "--workspace", workspace, *options)
    assert result.exit_code == code, result.output
    assert store_file.read_bytes() == before
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mentorctl: error: ")
    assert message in lines[0]
    leaked = {address for address in in_file if address in result.output}
    assert not leaked, f"error shows addresses from the file: {result.output}"
    assert str(path) in lines[0], "the error names the file"


def test_a_map_with_an_unknown_field(
    cli, workspace: Path, store_file: Path, tmp_path: Path
) -> None:
    path, options = _bad_file(tmp_path, "map unknown field")
    before = store_file.read_bytes()
    result = cli("import-signups", path, "--workspace", workspace, *options)
    assert result.exit_code == 2
    assert store_file.read_bytes() == before
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "mentorctl: error: --map 'favourite_colour=Role': no field 'favourite_colour'"
    )
    assert "fields: name, email, role" in line
    assert "@" not in result.output


# -- the sample program ------------------------------------------------------------------------


def test_sample_program_signups(cli, workspace: Path, store_file: Path, tmp_path: Path) -> None:
    """The walk-through in sample_programs/career-circle/README.md."""
    copy = tmp_path / "signups.csv"
    shutil.copyfile(SAMPLE / "signups.csv", copy)
    report = import_json(cli, workspace, copy, "--write-rejects")
    assert (report["rows"], report["imported"], report["rejected"]) == (46, 42, 3)
    assert report["rejects"] == [
        {"row": 10, "field": "age", "reason": UNDER_18},
        {"row": 32, "field": "email", "reason": "not a valid email address"},
        {"row": 36, "field": "role", "reason": "not recognised (expected mentor, mentee or both)"},
    ]
    assert report["warnings"] == ["row 40: same email as row 17; the later row (row 40) is kept"]
    mapping = {m["header"]: m["field"] for m in report["mapping"]}
    assert mapping.pop("Timestamp") == "extra: Timestamp"
    assert mapping.pop("Industry") == "extra: industry"
    assert not [field for field in mapping.values() if field.startswith("extra")]
    stored = people(store_file)
    roles = [p["role"] for p in stored]
    assert (roles.count("mentee"), roles.count("mentor"), roles.count("both")) == (28, 12, 2)
    assert all(1 <= p["capacity"] <= 4 for p in stored if p["role"] != "mentee")
    template = yaml.safe_load((ROOT / "templates" / "career" / "program.yaml").read_text("utf-8"))
    topics = set(template["signup"]["topics"])
    assert set().union(*(p["goals"] + p["expertise"] for p in stored)) == topics
    assert all(set(p["goals"]) <= topics and set(p["expertise"]) <= topics for p in stored)
    assert all(
        p["email"].rsplit("@", 1)[1] in {"example.org", "example.com", "example.net"}
        for p in stored
    )
    ben = next(p for p in stored if p["email"] == "ben.carter@example.org")
    assert ben["timezone"] == "America/New_York"
    assert sum("\n" in (p["bio"] or "") for p in stored) >= 2
    assert stat.S_IMODE((tmp_path / "signups.rejects.csv").stat().st_mode) == 0o600


def test_a_topic_answer_holding_an_address_or_phone_is_not_echoed(
    cli, workspace: Path, tmp_path: Path
) -> None:
    export = write_csv(
        tmp_path / "s.csv",
        "Email,Name,Role,Age,Goals\n"
        'ann@example.org,Ann,Mentee,30,"Networking, write to ann.private@example.net"\n'
        'bo@example.org,Bo,Mentee,30,"call me on +44 20 7946 0958, Carrer change"\n'
        "cy@example.org,Cy,Mentee,30,Plans for 2026\n",
    )
    result = cli("import-signups", export, "-w", workspace)
    assert result.exit_code == 0, result.output
    assert "private" not in result.stderr and "7946" not in result.stderr
    assert not EMAIL.search(result.stderr)
    warnings = [line for line in result.stderr.splitlines() if "topic" in line]
    assert (
        "warning: 2 answer(s) holding an address or a phone number are not topics of the "
        "program (not shown; see signup.topics)"
    ) in warnings
    assert any("'Carrer change'" in line for line in warnings)
    assert any("'Plans for 2026'" in line for line in warnings)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1969-12-31", "3000-01-01"])
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_day_outside_the_calendar_is_one_clear_line(
    cli, workspace: Path, signups: Path, monkeypatch: pytest.MonkeyPatch, day: str, how: str
) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    assert cli("import-signups", signups, "-w", workspace).exit_code == 0
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    before = store.read_bytes()
    if how == "environment":
        monkeypatch.setenv("MENTORCTL_TODAY", day)
    for command in (["checkin"], ["introduce"], ["import-signups", str(signups)], ["report"]):
        args = [*command, "--today", day] if how == "option" else command
        result = cli(*args, "-w", workspace)
        assert result.exception is None or isinstance(result.exception, SystemExit), command
        assert result.exit_code == 2, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and day in lines[0], (command, result.stderr)
        assert "between 1970-01-01 and 2999-12-31" in lines[0]
        assert store.read_bytes() == before
