"""One person in two programs of a workspace: found, shown, exported and forgotten across them."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from helpers import PROGRAM, TODAY, read_store, write_csv

OTHER = "autumn-round"
HEADER = "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Bio\n"
ANN = "ann@example.org,Ann Müller,Mentee,30,Career change,,English,UTC,,Initech,Nurse into tech\n"
SPRING = (
    HEADER
    + ANN
    + (
        "meg@example.org,Meg Mentor,Mentor,50,,Career change,English,UTC,2,Acme,Twenty years in HR\n"
    )
)
AUTUMN = (
    HEADER
    + (
        "raj@example.org,Raj Mentor,Mentor,45,,Career change,English,UTC,2,Globex,\n"
        "ann.lee@example.org,Ann Lee,Mentee,29,Career change,,English,UTC,,Umbrella,\n"
    )
    + ANN
)


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def _json(result) -> dict:
    return json.loads(_ok(result))


@pytest.fixture
def two(workspace: Path, cli, tmp_path: Path) -> Path:
    """The workspace's program and a second one, Ann signed up to both (paired in the first)."""
    made = cli("init-program", "Autumn Round", "-t", "career", "--dir", workspace, "--today", TODAY)
    _ok(made)
    _ok(
        cli(
            "import-signups",
            write_csv(tmp_path / "spring.csv", SPRING),
            "-w",
            workspace,
            "-p",
            PROGRAM,
        )
    )
    _ok(
        cli(
            "import-signups",
            write_csv(tmp_path / "autumn.csv", AUTUMN),
            "-w",
            workspace,
            "-p",
            OTHER,
        )
    )
    _ok(cli("pair", "-w", workspace, "-p", PROGRAM, "--commit"))
    return workspace


def _people(workspace: Path, slug: str) -> dict[str, dict]:
    store = read_store(workspace / slug / "data" / "store.json")
    return {p["email"]: p for p in store["people"].values()}


def test_people_all_programs_finds_the_person_in_each_program(two: Path, cli) -> None:
    data = _json(cli("people", "--all-programs", "--search", "muller", "--json", "-w", two))
    assert [(r["program"], r["email"]) for r in data["people"]] == [
        (OTHER, "ann@example.org"),
        (PROGRAM, "ann@example.org"),
    ]
    assert data["count"] == 2
    everyone = _json(cli("people", "--all-programs", "--json", "-w", two))
    assert everyone["count"] == 5
    rows = list(csv.reader(io.StringIO(_ok(cli("people", "--all-programs", "--csv", "-w", two)))))
    assert rows[0][:2] == ["Program", "Person"] and len(rows) == 6
    table = _ok(cli("people", "--all-programs", "-s", "MÜLLER", "-w", two))
    assert table.count("Ann Müller") == 2 and OTHER in table and PROGRAM in table
    # without it, a workspace of several programs still asks which one
    assert cli("people", "-w", two).exit_code == 2
    both = cli("people", "--all-programs", "-p", PROGRAM, "-w", two)
    assert both.exit_code == 2 and "do not go together" in both.stderr


def test_show_all_programs_shows_the_person_in_each(two: Path, cli) -> None:
    for key in ("ann@example.org", "ann müller", "ANN MULLER"):
        shown = _json(cli("people", "show", key, "--all-programs", "--json", "-w", two))
        assert [(p["program"], p["email"]) for p in shown["programs"]] == [
            (OTHER, "ann@example.org"),
            (PROGRAM, "ann@example.org"),
        ]
    spring = shown["programs"][1]
    assert [p["id"] for p in spring["pairs"]] and not shown["programs"][0]["pairs"]
    text = _ok(cli("people", "show", "ann@example.org", "--all-programs", "-w", two))
    assert f"In {OTHER}:" in text and f"In {PROGRAM}:" in text
    by_id = cli("people", "show", "P1", "--all-programs", "-w", two)
    assert by_id.exit_code == 2 and "one program only" in by_id.stderr
    nobody = cli("people", "show", "zoe@example.org", "--all-programs", "-w", two)
    assert nobody.exit_code == 2 and "no person" in nobody.stderr


def test_pairs_all_programs_lists_every_programs_pairs(two: Path, cli) -> None:
    _ok(cli("pair", "-w", two, "-p", OTHER, "--commit"))
    data = _json(cli("pairs", "--all-programs", "--json", "-w", two))
    listed = [(r["program"], r["id"], r["mentee_name"]) for r in data["pairs"]]
    assert {slug for slug, _, _ in listed} == {OTHER, PROGRAM}
    assert data["count"] == len(listed) == 3
    assert (PROGRAM, "M1", "Ann Müller") in listed
    # one program's listing is the same rows without the program
    alone = _json(cli("pairs", "--json", "-w", two, "-p", OTHER))["pairs"]
    assert [
        {k: v for k, v in r.items() if k != "program"}
        for r in data["pairs"]
        if r["program"] == OTHER
    ] == alone
    # the filters of 'pairs' apply in every program
    found = _json(cli("pairs", "--all-programs", "-s", "muller", "--json", "-w", two))
    assert [(r["program"], r["mentee_name"]) for r in found["pairs"]] == [
        (OTHER, "Ann Müller"),
        (PROGRAM, "Ann Müller"),
    ]
    assert (
        _json(cli("pairs", "--all-programs", "--status", "ended", "--json", "-w", two))["count"]
        == 0
    )
    assert (
        _json(cli("pairs", "--all-programs", "--status", "proposed", "--json", "-w", two))["count"]
        == 3
    )
    rounds = [
        _json(cli("pairs", "--all-programs", "--round", n, "--json", "-w", two))["count"]
        for n in ("1", "2")
    ]
    assert rounds == [3, 0]  # each program's first round
    bad = cli("pairs", "--all-programs", "--status", "asleep", "-w", two)
    assert bad.exit_code == 2 and "unknown status" in bad.stderr
    table = _ok(cli("pairs", "--all-programs", "-w", two))
    assert "Program" in table and OTHER in table and PROGRAM in table
    rows = list(csv.reader(io.StringIO(_ok(cli("pairs", "--all-programs", "--csv", "-w", two)))))
    assert rows[0][:2] == ["program", "pair"] and rows[0][-1] == "round" and len(rows) == 4
    assert sorted(r[0] for r in rows[1:]) == [OTHER, OTHER, PROGRAM]
    # a pair's code names a pair in one program: showing one needs the program
    shown = cli("pairs", "show", "M1", "--all-programs", "-w", two)
    assert shown.exit_code == 2 and "one program only" in shown.stderr
    both = cli("pairs", "--all-programs", "-p", PROGRAM, "-w", two)
    assert both.exit_code == 2 and "do not go together" in both.stderr


def test_show_all_programs_refuses_a_name_two_addresses_share(two: Path, cli, tmp_path) -> None:
    other_ann = HEADER + "ann2@example.org,Ann Lee,Mentee,31,Networking,,English,UTC,,X,\n"
    _ok(cli("import-signups", write_csv(tmp_path / "lee.csv", other_ann), "-w", two, "-p", PROGRAM))
    result = cli("people", "show", "Ann Lee", "--all-programs", "-w", two)
    assert result.exit_code == 2
    assert f"{OTHER} P2" in result.stderr and f"{PROGRAM} P3" in result.stderr
    assert "Ann Lee" not in result.stderr and "@" not in result.stderr


def test_forget_erases_the_person_from_every_program(two: Path, cli, tmp_path: Path) -> None:
    result = cli("forget", "ann@example.org", "--yes", "--json", "-w", two)
    data = _json(result)
    assert [(p["program"], p["erased"]) for p in data["programs"]] == [
        (OTHER, True),
        (PROGRAM, True),
    ]
    spring = data["programs"][1]
    assert spring["ended_pairs"] and spring["removed"] == {"people": 1}
    for slug in (PROGRAM, OTHER):
        for path in (two / slug).rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                assert b"ann@example.org" not in content, path
                assert "Ann Müller".encode() not in content and b"Nurse into" not in content, path
        assert "ann@example.org" not in _people(two, slug)
    # a lookalike address in the other program is somebody else, and stays
    assert "ann.lee@example.org" in _people(two, OTHER)
    for slug, text in ((PROGRAM, SPRING), (OTHER, AUTUMN)):
        again = cli(
            "import-signups",
            write_csv(tmp_path / f"{slug}.csv", text),
            "--json",
            "-w",
            two,
            "-p",
            slug,
        )
        assert _json(again)["suppressed"] == 1, slug
        assert "ann@example.org" not in _people(two, slug)
    gone = cli("people", "show", "ann@example.org", "--all-programs", "-w", two)
    assert gone.exit_code == 2


def test_forget_says_what_it_did_in_each_program(two: Path, cli, tmp_path: Path) -> None:
    text = _ok(cli("forget", "meg@example.org", "--yes", "-w", two))
    assert f"In {PROGRAM}:" in text and "Erased P2" in text
    assert f"In {OTHER}: not there; their address goes on the workspace's suppression" in text
    # she signs up to the other program later, from the same list of addresses: skipped
    late = HEADER + "meg@example.org,Meg Mentor,Mentor,50,,Career change,English,UTC,2,Acme,\n"
    imported = cli(
        "import-signups", write_csv(tmp_path / "late.csv", late), "--json", "-w", two, "-p", OTHER
    )
    assert _json(imported)["suppressed"] == 1
    # lifting takes the address off the workspace's list
    assert _json(cli("forget", "meg@example.org", "--lift", "--json", "-w", two))["lifted"] is True
    listed = json.loads((two / ".mentorctl" / "suppressed.json").read_bytes())
    assert listed["hashes"] == []
    assert (
        _json(cli("import-signups", tmp_path / "late.csv", "--json", "-w", two, "-p", OTHER))[
            "imported"
        ]
        == 1
    )


def test_forget_dry_run_reports_each_program_and_writes_nothing(two: Path, cli) -> None:
    def files() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in two.rglob("*") if p.is_file()}

    before = files()
    dry = _json(cli("forget", "ann@example.org", "--dry-run", "--json", "-w", two))
    assert files() == before
    assert [(p["program"], p["erased"]) for p in dry["programs"]] == [
        (OTHER, True),
        (PROGRAM, True),
    ]
    real = _json(cli("forget", "ann@example.org", "--yes", "--json", "-w", two))
    assert dry.pop("dry_run") is True and real.pop("dry_run") is False and dry == real


def test_forget_by_id_names_its_program_then_goes_everywhere(two: Path, cli) -> None:
    ids = {slug: _people(two, slug)["ann@example.org"]["id"] for slug in (PROGRAM, OTHER)}
    assert ids == {PROGRAM: "P1", OTHER: "P3"}
    unsure = cli("forget", "P3", "--yes", "-w", two)
    assert unsure.exit_code == 2 and "--program" in unsure.stderr
    assert all("ann@example.org" in _people(two, slug) for slug in (PROGRAM, OTHER))
    data = _json(cli("forget", "P3", "-p", OTHER, "--yes", "--json", "-w", two))
    assert {p["program"]: p["person"] for p in data["programs"]} == {PROGRAM: "P1", OTHER: "P3"}
    assert all("ann@example.org" not in _people(two, slug) for slug in (PROGRAM, OTHER))


def test_a_program_that_cannot_be_opened_does_not_stop_the_others(two: Path, cli) -> None:
    folder = two / OTHER
    mode = folder.stat().st_mode
    os.chmod(folder, mode | 0o002)  # writable by others: refused until fixed
    try:
        failed = cli("forget", "ann@example.org", "--yes", "-w", two)
        assert failed.exit_code == 1  # the configuration error of the program refused
        assert (
            f"{OTHER}:" in failed.stderr and "run forget again with their address" in failed.stderr
        )
        assert "ann@example.org" not in _people(two, PROGRAM)
        assert "ann@example.org" in _people(two, OTHER)
    finally:
        os.chmod(folder, mode)
    data = _json(cli("forget", "ann@example.org", "--yes", "--json", "-w", two))
    assert [(p["program"], p["erased"]) for p in data["programs"]] == [
        (OTHER, True),
        (PROGRAM, False),
    ]
    assert data["programs"][1]["suppressed"] is True
    assert "ann@example.org" not in _people(two, OTHER)


def test_export_person_all_programs_gathers_both(two: Path, cli, tmp_path: Path) -> None:
    data = _json(cli("export-person", "ann@example.org", "--all-programs", "-w", two))
    assert sorted(data["programs"]) == [OTHER, PROGRAM]
    for slug, record in data["programs"].items():
        assert record["person"]["email"] == "ann@example.org", slug
    assert data["programs"][PROGRAM]["pairs"] and not data["programs"][OTHER]["pairs"]
    by_id = cli("export-person", "P1", "--all-programs", "-w", two)
    assert by_id.exit_code == 2 and "by address" in by_id.stderr
    # a file written with it is known to both programs, so forgetting finds it in each
    out = tmp_path / "ann.json"
    _ok(cli("export-person", "ann@example.org", "--all-programs", "--out", out, "-w", two))
    dry = _json(cli("forget", "ann@example.org", "--dry-run", "--json", "-w", two))
    assert [p["files"] for p in dry["programs"]] == [[str(out)], [str(out)]]


def test_an_address_no_program_holds_is_refused_and_suppresses_nothing(two: Path, cli) -> None:
    result = cli("forget", "ann@exampel.org", "--yes", "-w", two)
    assert result.exit_code == 2 and "no person with that address" in result.stderr
    assert "exampel" not in result.stderr
    for slug in (PROGRAM, OTHER):
        assert not (two / slug / "data" / "suppressed.json").exists(), slug


def test_a_program_made_after_a_forget_does_not_import_the_person(
    two: Path, cli, tmp_path: Path
) -> None:
    _ok(cli("forget", "ann@example.org", "--yes", "-w", two))
    made = cli("init-program", "Next Year", "-t", "career", "--dir", two, "--today", TODAY)
    _ok(made)
    csv = write_csv(tmp_path / "next.csv", AUTUMN)
    data = _json(cli("import-signups", csv, "-w", two, "-p", "next-year", "--json"))
    assert data["suppressed"] == 1
    assert "ann@example.org" not in _people(two, "next-year")
    # taken off every list on purpose, they can sign up again
    _ok(cli("forget", "ann@example.org", "--lift", "-w", two))
    data = _json(cli("import-signups", csv, "-w", two, "-p", "next-year", "--json"))
    assert "ann@example.org" in _people(two, "next-year")
