"""A large export is read in two parts by two processes: the outcome must be the same as
reading it whole, row numbers, duplicates across the parts and errors included."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import PROGRAM, TODAY, people, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.errors import InputError
from mentorctl.programs.program import open_program
from mentorctl.signups import forked
from mentorctl.signups import importer as signups
from mentorctl.signups import rows as signup_rows
from mentorctl.signups.columns import map_columns
from mentorctl.signups.formcsv import Misplit, read_form_csv
from mentorctl.store.db import Store

HEADER = ["Email", "Full name", "Role", "Age", "Goals", "Tell us about yourself"]
ALL_AT_ONCE = 1 << 62  # a size no test file reaches: read by one process

needs_fork = pytest.mark.skipif(
    not forked.available(), reason="needs fork and two CPUs to read in two processes"
)


@pytest.fixture(autouse=True)
def _no_other_thread() -> None:
    """A process with a second thread does not fork (see forked.available): an earlier test on
    this worker may have left one winding down (an HTTP client's watcher); wait for it, and
    name it if it stays."""
    deadline = time.monotonic() + 10
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert not others, f"threads left running by an earlier test: {others}"


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def person(i: int, bio: str = "") -> list[str]:
    return [f"p{i}@example.org", f"Person {i}", "Mentee", "30", "Interview preparation", bio]


def read(workspace: Path, path: Path, min_bytes: int) -> signup_rows.ReadRows:
    program, _ = open_program(workspace, None)
    table = read_form_csv(path)
    mapping = map_columns(table.headers, program, {}, path)
    today = dt.date.fromisoformat(TODAY)
    reader = signups.RowReader(program, mapping, None, today, f"{TODAY}T09:00:00+00:00")
    return signup_rows.read_signups(table, reader, {}, parallel_min_bytes=min_bytes)


def outcome(rows: signup_rows.ReadRows) -> dict[str, Any]:
    return {
        "rows": rows.rows,
        "parsed": list(rows.parsed.items()),
        "known": rows.known,
        "rejects": [(r.row, r.field, r.reason) for r in rows.rejects],
        "rejected": rows.rejected,
        "warnings": rows.warnings,
    }


def assert_same_in_two(workspace: Path, path: Path) -> signup_rows.ReadRows:
    whole = read(workspace, path, ALL_AT_ONCE)
    split = read(workspace, path, 0)
    assert whole.processes == 1
    assert outcome(split) == outcome(whole)
    return split


@needs_fork
def test_two_processes_read_what_one_reads(workspace: Path, tmp_path: Path) -> None:
    rows = [
        person(i, f'Line one of {i}\nline two, "quoted"' if i % 7 == 0 else "") for i in range(3000)
    ]
    rows[2900] = person(5, "the later row of p5")  # a duplicate across the two parts
    rows[2950][0] = "not-an-email"  # a reject in the second part
    rows[100] = person(101)  # a duplicate within the first part
    rows.insert(2000, ["", "", "", "", "", ""])  # a blank row, skipped but counted
    path = write_csv(tmp_path / "big.csv", to_csv(rows))
    split = assert_same_in_two(workspace, path)
    assert split.processes == 2
    assert [r[:3] for r in outcome(split)["rejects"]] == [
        (2953, "email", "not a valid email address")
    ]
    assert split.parsed["p5@example.org"][0] == 2903
    assert "row 2903: same email as row 7; the later row (row 2903) is kept" in split.warnings


def long_cell_file(tmp_path: Path, stray_quote: bool) -> Path:
    """A long multi-line cell in the middle of the file, where it would be cut in two."""
    before = [person(i) for i in range(100)]
    if stray_quote:
        # A quote inside an unquoted cell is kept as it is by the csv module, and makes an
        # odd count of quotes look like an even one further down.
        before[10][5] = "Height 5'10\" and counting"
    middle = person(100, "\n".join(f"line {n} of a very long answer" for n in range(400)))
    after = [person(i) for i in range(101, 200)]
    text = to_csv([*before, middle, *after])
    if stray_quote:
        text = text.replace('"Height 5\'10"" and counting"', "Height 5'10\" and counting")
    return write_csv(tmp_path / "long.csv", text)


@needs_fork
def test_a_cell_over_the_middle_is_not_cut(workspace: Path, tmp_path: Path) -> None:
    path = long_cell_file(tmp_path, stray_quote=False)
    table = read_form_csv(path)
    at = table.split_point(signup_rows.FIRST_SHARE)
    assert at is not None and at > table.raw.find(b"line 399")
    assert assert_same_in_two(workspace, path).processes == 2


@needs_fork
def test_a_cut_inside_a_cell_is_caught_and_the_file_read_whole(
    workspace: Path, tmp_path: Path
) -> None:
    path = long_cell_file(tmp_path, stray_quote=True)
    table = read_form_csv(path)
    at = table.split_point(signup_rows.FIRST_SHARE)
    # The guess lands inside the long cell...
    assert at is not None and table.raw.find(b"line 0 of") < at < table.raw.find(b"line 399")
    with pytest.raises(Misplit):
        list(table.records(stop=at))
    # ...which the first part notices, so the whole file is read by one process.
    split = assert_same_in_two(workspace, path)
    assert split.processes == 1
    assert split.parsed["p100@example.org"][1]["bio"].startswith(
        "line 0 of a very long answer\nline 1"
    )


@needs_fork
def test_an_error_in_the_second_part_names_its_row_in_the_file(
    workspace: Path, tmp_path: Path
) -> None:
    rows = [person(i) for i in range(3000)]
    rows[2500][5] = "x" * (csv.field_size_limit() + 1)
    path = write_csv(tmp_path / "huge-cell.csv", to_csv(rows))
    errors = []
    for min_bytes in (ALL_AT_ONCE, 0):
        with pytest.raises(InputError) as caught:
            read(workspace, path, min_bytes)
        errors.append((caught.value.row, str(caught.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] == 2502


cells = st.text(alphabet=st.sampled_from('ab ,;"\n\r\té'), max_size=12)


@needs_fork
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), cells, st.sampled_from(["30", "17", "", "x"]), cells),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
)
def test_any_file_reads_the_same_in_two(
    workspace: Path, tmp_path: Path, rows: list[tuple[int, str, str, str]], raw_quotes: bool
) -> None:
    lines = [
        [f"p{n}@example.org" if n else "bad", f"Name {name}", "Mentee", age, "", bio]
        for n, name, age, bio in rows
    ]
    text = to_csv(lines)
    if raw_quotes:  # quotes where a spreadsheet would not put them
        text = text.replace('""', '"')
    path = write_csv(tmp_path / "any.csv", text)
    try:
        whole = read(workspace, path, ALL_AT_ONCE)
    except InputError as exc:
        with pytest.raises(InputError) as caught:
            read(workspace, path, 0)
        assert (caught.value.row, str(caught.value)) == (exc.row, str(exc))
        return
    assert outcome(read(workspace, path, 0)) == outcome(whole)


@needs_fork
def test_a_large_import_reports_rows_across_both_parts(
    cli, workspace: Path, tmp_path: Path
) -> None:
    bio = "Eight years in logistics, now learning to lead a team of five. " * 3
    rows = [person(i, bio) for i in range(12_000)]
    rows[11_990] = person(3, bio)
    rows[11_995][0] = "p11995@"
    path = write_csv(tmp_path / "large.csv", to_csv(rows))
    assert path.stat().st_size > signup_rows.PARALLEL_MIN_BYTES
    result = cli("import-signups", path, "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["imported"], data["rejected"]) == (11_998, 1)
    assert [(r["row"], r["field"]) for r in data["rejects"]] == [(11_997, "email")]
    assert data["warnings"] == ["row 11992: same email as row 5; the later row (row 11992) is kept"]
    stored = people(workspace / PROGRAM / "data" / "store.json")
    assert [p["id"] for p in stored] == [f"P{n}" for n in range(1, 11_999)]
    assert [p["email"] for p in stored][:3] == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    assert all(p["bio"] == bio.strip() and p["source"] for p in stored)
    again = json.loads(cli("import-signups", path, "-w", workspace, "--json").stdout)
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 11_998)


def import_into(workspace: Path, path: Path, min_bytes: int) -> signups.ImportResult:
    program, paths = open_program(workspace, None)
    return signups.import_signups(
        path,
        program,
        paths.store_path,
        map_options=[],
        role=None,
        today=dt.date.fromisoformat(TODAY),
        now=dt.datetime.fromisoformat(f"{TODAY}T09:00:00+00:00"),
        parallel_min_bytes=min_bytes,
    )


def data_files(workspace: Path) -> tuple[bytes, dict[str, str]]:
    """The store's bytes, and the rows of its import index (whose file names the store's inode)."""
    folder = workspace / PROGRAM / "data"
    index = json.loads((folder / "import-index.json").read_bytes())
    return (folder / "store.json").read_bytes(), index["rows"]


@needs_fork
@pytest.mark.parametrize(
    "case",
    [
        "first import",
        "a person on both sides of the cut",
        "a store with people",
        "nobody valid before the cut",
    ],
)
def test_an_import_in_two_processes_writes_what_one_writes(
    workspace: Path, tmp_path: Path, case: str
) -> None:
    rows = [person(i, f"Bio of {i},\nin two lines" if i % 3 else "") for i in range(2000)]
    if case == "a person on both sides of the cut":
        rows[1900] = person(7, "changed their mind")
    if case == "nobody valid before the cut":
        for row in rows[:1500]:
            row[3] = "17"
    before = write_csv(tmp_path / "before.csv", to_csv([person(i) for i in range(5000, 5010)]))
    path = write_csv(tmp_path / "signups.csv", to_csv(rows))
    written = []
    for min_bytes in (ALL_AT_ONCE, 0):
        copy = tmp_path / f"ws-{min_bytes}"
        shutil.copytree(workspace, copy)
        if case == "a store with people":
            import_into(copy, before, ALL_AT_ONCE)
        result = import_into(copy, path, min_bytes)
        written.append((result, data_files(copy)))
    (one, one_files), (two, two_files) = written
    assert two == one
    assert two_files == one_files
    stored = json.loads(two_files[0])["people"]
    assert len(stored) == one.imported + (10 if case == "a store with people" else 0)


@needs_fork
def test_people_come_back_placed_unless_a_later_row_changes_them(
    workspace: Path, tmp_path: Path
) -> None:
    program, paths = open_program(workspace, None)
    rows = [person(i) for i in range(2000)]
    path = write_csv(tmp_path / "signups.csv", to_csv(rows))
    rows[1990] = person(3, "a later answer")
    changed = write_csv(tmp_path / "changed.csv", to_csv(rows))
    with Store.reading(paths.store_path) as store:
        place = signups.placer(store)
    assert place is not None
    outcomes = []
    for file in (path, changed):
        table = read_form_csv(file)
        mapping = map_columns(table.headers, program, {}, file)
        reader = signups.RowReader(program, mapping, None, dt.date.fromisoformat(TODAY), "s")
        outcomes.append(
            signup_rows.read_signups(table, reader, {}, placer=place, parallel_min_bytes=0)
        )
    plain, later = outcomes
    assert plain.processes == later.processes == 2
    # Each process placed the people it read; the second part's follow the first's.
    assert plain.placed is not None and not plain.parsed
    assert plain.placed.ids == [f"P{n}" for n in range(1, 2001)]
    assert plain.placed.emails == [f"p{i}@example.org" for i in range(2000)]
    assert plain.placed.rows == list(range(2, 2002))
    docs = plain.placed.documents.decode()
    assert list(docs) == [str(n) for n in range(1, 2001)]
    assert [doc["id"] for doc in docs.values()] == plain.placed.ids
    # p3 is in the first part, placed with its first answers; its later row undoes that.
    assert later.placed is None
    assert later.parsed["p3@example.org"][1]["bio"] == "a later answer"
    assert list(later.parsed)[:4] == [f"p{i}@example.org" for i in range(4)]


@needs_fork
def test_an_excel_csv_utf8_export_is_read_in_two(workspace: Path, tmp_path: Path) -> None:
    rows = [person(i, "Zoë, Ørsted & Łukasz" if i % 5 else "") for i in range(3000)]
    path = write_csv(tmp_path / "excel.csv", to_csv(rows), encoding="utf-8-sig")
    split = assert_same_in_two(workspace, path)
    assert split.processes == 2
    assert split.parsed["p0@example.org"][1]["email"] == "p0@example.org"


def test_only_the_first_bytes_of_a_file_are_its_byte_order_mark(tmp_path: Path) -> None:
    text = to_csv([person(1), person(2)]).replace("p2@", "\ufeffp2@")
    table = read_form_csv(write_csv(tmp_path / "bom.csv", text, encoding="utf-8-sig"))
    at = table.raw.find("\ufeffp2@".encode())
    assert [cells[0] for _, cells in table.records(start=at)] == ["\ufeffp2@example.org"]
    assert [cells[0] for _, cells in table.records()][-1] == "\ufeffp2@example.org"


@needs_fork
def test_with_child_exits_unseen_the_file_is_read_by_one_process(
    workspace: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "signups.csv", to_csv([person(i) for i in range(2000)]))
    # Some service managers start commands with SIGCHLD ignored: children are then reaped by
    # the system and cannot be waited for.
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert assert_same_in_two(workspace, path).processes == 1
    finally:
        signal.signal(signal.SIGCHLD, previous)
