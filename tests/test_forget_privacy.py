"""Forgetting without collateral damage, and what must not come back afterwards.

People whose names are common words or look like ids (tests/hostile/forget/), the
suppression list that keeps a forgotten person out of the next import, the files
mentorctl wrote earlier that may still hold them, and a dry run that says exactly what
the real run does.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store

HOSTILE = Path(__file__).parent / "hostile" / "forget"
WEEK_2 = "2026-03-09"


def _store(workspace: Path) -> dict:
    return read_store(workspace / PROGRAM / "data" / "store.json")


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def _json(result) -> dict:
    return json.loads(_ok(result))


def _erased(result) -> dict:
    """What forget did in the workspace's one program, with the run's dry_run."""
    data = _json(result)
    (program,) = data["programs"]
    assert program.pop("program") == PROGRAM and program.pop("erased") is True
    return {**program, "dry_run": data["dry_run"]}


def _by_email(workspace: Path) -> dict[str, str]:
    return {p["email"]: p["id"] for p in _store(workspace)["people"].values()}


def _backups(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / PROGRAM / "data" / "backups").glob("*.json"))


@pytest.fixture
def crowded(workspace: Path, cli) -> Path:
    """Meg, Raj, Ann, Bo paired and introduced, a block between Ann and Raj (one backup, made
    before the newcomers came), then 'all' (P5) and 'P1' (P6) paired with Meg; everybody
    has had week 2's check-in."""
    _ok(cli("import-signups", HOSTILE / "people.csv", "-w", workspace))
    _ok(cli("pair", "--commit", "-w", workspace))
    _ok(cli("introduce", "-w", workspace))
    _ok(cli("block", "P3", "P2", "--reason", "they all asked, P1 too", "-w", workspace))
    _ok(cli("import-signups", HOSTILE / "newcomers.csv", "-w", workspace))
    _ok(cli("pair", "--commit", "-w", workspace))
    _ok(cli("introduce", "-w", workspace))
    _ok(cli("checkin", "--today", WEEK_2, "-w", workspace))
    people = _by_email(workspace)
    assert (people["al@example.org"], people["pat@example.org"]) == ("P5", "P6")
    assert len(_backups(workspace)) == 1
    return workspace


@pytest.mark.parametrize(
    ("address", "pid", "pair"), [("al@example.org", "P5", "M3"), ("pat@example.org", "P6", "M4")]
)
def test_forget_a_person_named_like_a_word_or_an_id_spares_everybody_else(
    crowded: Path, cli, address: str, pid: str, pair: str
) -> None:
    before = _store(crowded)
    others = {
        k: m for k, m in before["messages"].items() if m["pair"] != pair and pid not in m["to"]
    }
    assert {m["pair"] for m in others.values()} == {"M1", "M2", "M3", "M4"} - {pair}
    backups = _backups(crowded)
    partner = next(p for p in before["pairs"].values() if p["id"] == pair)["mentor"]
    data = _erased(cli("forget", address, "--yes", "--json", "-w", crowded))
    assert data["person"] == pid and data["ended_pairs"] == [pair]
    # the messages made for them stay as anonymous traces: who (by id), when, delivered
    assert data["removed"] == {"people": 1}
    assert data["anonymised"] == {"messages": 2}
    after = _store(crowded)
    assert {k: m for k, m in after["messages"].items() if m["pair"] != pair} == others
    kept = sorted((m["kind"], m["to"]) for m in after["messages"].values() if m["pair"] == pair)
    assert kept == [("intro", [pid, partner]), ("weekly", [partner]), ("weekly", [pid])]
    assert [t["id"] for t in after["forgotten_people"].values()] == [pid]
    # every outbox file of the pair named them: none is left
    assert not list((crowded / PROGRAM / "outbox").glob(f"{pair}-*"))
    assert [(b["person"], b["other"], b["lifted"]) for b in after["blocks"].values()] == [
        ("P3", "P2", False)
    ]
    # The backup predates the person: it is nobody's erased data.
    assert _backups(crowded) == backups and data["backups_scrubbed"] == 0
    assert [p["id"] for p in after["pairs"].values() if p["status"] != "ended"] == [
        p for p in ("M1", "M2", "M3", "M4") if p != pair
    ]
    # The next check-in tells the partner, once, and sends nothing else twice; the partner
    # waits for a new pair; the blocked two stay apart.
    again = _json(cli("checkin", "--today", WEEK_2, "--json", "-w", crowded))
    assert [(m["pair"], m["kind"], m["to"]) for m in again["messages"]] == [
        (pair, "ended", [partner])
    ]
    text = (crowded / PROGRAM / "outbox" / f"{pair}-ended-{partner}.eml").read_text()
    assert "your partner" in text and address not in text
    assert _json(cli("checkin", "--today", WEEK_2, "--json", "-w", crowded))["messages"] == []
    forced = cli("pair", "-w", crowded, "--add", "P3", "P2", "--force")
    assert forced.exit_code == 2 and "blocked" in forced.stderr


def test_the_name_is_redacted_in_other_records_free_text(crowded: Path, cli) -> None:
    data = _erased(cli("forget", "al@example.org", "--yes", "--json", "-w", crowded))
    assert data["redacted"] == {"blocks": 1}
    (block,) = _store(crowded)["blocks"].values()
    assert block["reason"] == "they [forgotten] asked, P1 too"


def test_concerns_of_others_keep_their_record_without_the_person(crowded: Path, cli) -> None:
    _ok(cli("concern", "M1", "--reason", "Ann says al@example.org was rude", "-w", crowded))
    _ok(cli("concern", "M2", "--reason", "from P5", "--from", "P5", "-w", crowded))
    _ok(cli("concern", "M3", "--reason", "missed meetings", "-w", crowded))
    # About Meg: it pauses her pairs, one of them with 'all'.
    _ok(cli("concern", "P1", "--reason", "Meg and all argued", "-w", crowded))
    data = _erased(cli("forget", "al@example.org", "--yes", "--json", "-w", crowded))
    assert data["anonymised"]["concerns"] == 1  # the one about their own pair
    assert data["redacted"] == {"blocks": 1, "concerns": 3}
    concerns = {c["id"]: c for c in _store(crowded)["concerns"].values()}
    assert set(concerns) == {"C1", "C2", "C3", "C4"}
    # their own pair's concern keeps its days and pair, not what was said
    assert concerns["C3"]["reason"] == "[forgotten]" and concerns["C3"]["pairs"]
    assert concerns["C1"]["reason"] == "Ann says [forgotten] was rude"
    assert (
        concerns["C2"]["from"] == "forgotten" and concerns["C2"]["reason"] == "[forgotten]"
    )  # they wrote it
    assert concerns["C4"]["person"] == "P1" and set(concerns["C4"]["pairs"]) == {"M1", "M3", "M4"}
    assert concerns["C4"]["reason"] == "Meg and [forgotten] argued"


def test_forget_dry_run_reports_exactly_what_the_real_run_does(paired_three: Path, cli) -> None:
    workspace = paired_three
    for _ in range(3):  # each block keeps a backup of a store that holds Ann
        _ok(cli("block", "P4", "P1", "-w", workspace))
        _ok(cli("block", "P4", "P1", "--unblock", "-w", workspace))
    assert len(_backups(workspace)) == 3
    store = workspace / PROGRAM / "data" / "store.json"
    unchanged = store.read_bytes()
    dry = _erased(cli("forget", "ann@example.org", "--dry-run", "--json", "-w", workspace))
    assert store.read_bytes() == unchanged and len(_backups(workspace)) == 3
    real = _erased(cli("forget", "ann@example.org", "--yes", "--json", "-w", workspace))
    assert dry.pop("dry_run") is True and real.pop("dry_run") is False
    assert dry == real
    assert real["backups_scrubbed"] == 3 and real["outbox_files"] == 1
    assert _backups(workspace) == []


@pytest.fixture
def paired_three(workspace: Path, cli) -> Path:
    _ok(cli("import-signups", HOSTILE / "people.csv", "-w", workspace))
    _ok(cli("pair", "--commit", "-w", workspace))
    _ok(cli("introduce", "-w", workspace))
    assert _by_email(workspace)["ann@example.org"] == "P3"
    return workspace


# -- the suppression list ------------------------------------------------------------------


def test_a_forgotten_person_is_not_imported_again(paired_three: Path, cli) -> None:
    workspace = paired_three
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    key = workspace / ".mentorctl" / "suppression.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    listed = workspace / ".mentorctl" / "suppressed.json"  # the workspace's, not the program's
    assert stat.S_IMODE(listed.stat().st_mode) == 0o600
    assert not (workspace / PROGRAM / "data" / "suppressed.json").exists()
    assert b"ann" not in listed.read_bytes().lower()
    assert len(json.loads(listed.read_bytes())["hashes"]) == 1

    again = cli("import-signups", HOSTILE / "people.csv", "-w", workspace)
    _ok(again)
    assert (
        "1 row(s) skipped: the person asked to be forgotten (row 4); if they signed up again "
        "on purpose, run 'mentorctl forget --lift EMAIL'" in " ".join(again.stderr.split())
    )
    assert "ann" not in again.output.lower()
    assert "ann@example.org" not in _by_email(workspace)
    data = _json(cli("import-signups", HOSTILE / "people.csv", "--json", "-w", workspace))
    assert data["suppressed"] == 1 and data["imported"] == 0
    # Nothing to introduce: Ann is not back.
    assert _json(cli("introduce", "--json", "-w", workspace))["messages"] == []


def test_suppression_matches_any_case_and_unicode_form(paired_three: Path, cli, tmp_path) -> None:
    workspace = paired_three
    composed = "jos\u00e9@example.org"
    decomposed = "jose\u0301@example.org"
    row = f"{composed},Jose Mentee,Mentee,30,Networking,,English,UTC,,X\n"
    export = tmp_path / "jose.csv"
    export.write_text((HOSTILE / "people.csv").read_text() + row, encoding="utf-8")
    _ok(cli("import-signups", export, "-w", workspace))
    _ok(cli("forget", composed, "--yes", "-w", workspace))
    upper = export.read_text().replace(composed, decomposed.upper())
    export.write_text(upper, encoding="utf-8")
    data = _json(cli("import-signups", export, "--json", "-w", workspace))
    assert data["suppressed"] == 1 and data["imported"] == 0


def test_lifting_a_suppression_lets_the_person_back_in(paired_three: Path, cli) -> None:
    workspace = paired_three
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    listed = workspace / ".mentorctl" / "suppressed.json"
    before = listed.read_bytes()
    dry = _json(cli("forget", "ANN@example.org", "--lift", "--dry-run", "--json", "-w", workspace))
    assert dry == {"lifted": True, "dry_run": True}
    assert listed.read_bytes() == before
    lifted = cli("forget", "ANN@example.org", "--lift", "-w", workspace)
    assert "Lifted" in _ok(lifted) and "ann" not in lifted.output.lower()
    assert json.loads(listed.read_bytes())["hashes"] == []
    again = _json(cli("forget", "ann@example.org", "--lift", "--json", "-w", workspace))
    assert again == {"lifted": False, "dry_run": False}
    data = _json(cli("import-signups", HOSTILE / "people.csv", "--json", "-w", workspace))
    assert data["suppressed"] == 0 and data["imported"] == 1
    assert _by_email(workspace)["ann@example.org"] == "P5"  # ids are never reused


def test_a_suppression_list_without_its_key_is_refused(paired_three: Path, cli) -> None:
    workspace = paired_three
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    (workspace / ".mentorctl" / "suppression.key").unlink()
    result = cli("import-signups", HOSTILE / "people.csv", "-w", workspace)
    assert result.exit_code != 0
    assert "suppression list's key is missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and its hint


# -- files mentorctl wrote earlier -----------------------------------------------------------


def _rejects_export(tmp_path: Path) -> Path:
    bad = "ann2@example.org,Ann Mentee,Mentee,not an age,Networking,,English,UTC,,X\n"
    export = tmp_path / "more.csv"
    export.write_text((HOSTILE / "people.csv").read_text() + bad, encoding="utf-8")
    return export


def test_a_forgotten_person_s_rejected_row_is_not_written_to_the_rejects_file(
    paired_three: Path, cli, tmp_path: Path
) -> None:
    workspace = paired_three
    _ok(cli("forget", "raj@example.org", "--yes", "-w", workspace))
    mixed = tmp_path / "mixed.csv"
    raj = "raj@example.org,Raj Mentee,Mentee,not an age,Networking,,English,UTC,,X\n"
    mixed.write_text(_rejects_export(tmp_path).read_text(encoding="utf-8") + raj, encoding="utf-8")
    _ok(cli("import-signups", mixed, "--write-rejects", "-w", workspace))
    written = (tmp_path / "mixed.rejects.csv").read_text(encoding="utf-8")
    assert "ann2@example.org" in written  # somebody else's rejected row is still written
    assert "raj@example.org" not in written and "Raj" not in written


def test_forget_lists_the_files_that_still_hold_the_person(
    paired_three: Path, cli, tmp_path: Path
) -> None:
    workspace = paired_three
    export = _rejects_export(tmp_path)
    _ok(cli("import-signups", export, "--write-rejects", "-w", workspace))
    rejects = tmp_path / "more.rejects.csv"
    report = tmp_path / "report.csv"
    anonymous = tmp_path / "anonymous.json"
    mine = tmp_path / "ann.json"
    megs = tmp_path / "meg.json"
    _ok(cli("report", "--out", report, "-w", workspace))
    _ok(cli("report", "--anonymous", "--format", "json", "--out", anonymous, "-w", workspace))
    _ok(cli("export-person", "ann@example.org", "--out", mine, "-w", workspace))
    _ok(cli("export-person", "raj@example.org", "--out", megs, "-w", workspace))
    manifest = json.loads((workspace / PROGRAM / "data" / "written-files.json").read_bytes())
    assert [(f["path"], f["kind"]) for f in manifest["files"]] == [
        (str(rejects), "rejects"),
        (str(report), "report"),
        (str(anonymous), "report"),
        (str(mine), "export-person"),
        (str(megs), "export-person"),
    ]
    assert b"Ann" not in json.dumps(manifest).encode()

    # Ann's id is P3; her rejected second row names her; Raj's export does not.
    expected = [str(rejects), str(report), str(mine)]
    dry = _erased(cli("forget", "ann@example.org", "--dry-run", "--json", "-w", workspace))
    assert dry["files"] == expected and dry["files_removed"] is False
    text = cli("forget", "ann@example.org", "--yes", "-w", workspace)
    assert all(path in _ok(text) for path in expected)
    assert text.stderr == (
        "warning: 3 file(s) mentorctl wrote earlier may still hold P3; "
        "delete them by hand ('forget --remove-files' deletes such files with the person)\n"
    )
    assert all(Path(p).exists() for p in expected)


def test_forget_remove_files_deletes_them(paired_three: Path, cli, tmp_path: Path) -> None:
    workspace = paired_three
    _ok(cli("import-signups", _rejects_export(tmp_path), "--write-rejects", "-w", workspace))
    mine = tmp_path / "ann.json"
    other = tmp_path / "raj.json"
    _ok(cli("export-person", "ann@example.org", "--out", mine, "-w", workspace))
    _ok(cli("export-person", "raj@example.org", "--out", other, "-w", workspace))
    dry = _erased(cli("forget", "P3", "--remove-files", "--dry-run", "--json", "-w", workspace))
    assert mine.exists() and (tmp_path / "more.rejects.csv").exists()
    real = _erased(cli("forget", "P3", "--remove-files", "--yes", "--json", "-w", workspace))
    assert dry.pop("dry_run") is True and real.pop("dry_run") is False and dry == real
    assert real["files"] == [str(tmp_path / "more.rejects.csv"), str(mine)]
    assert not mine.exists() and not (tmp_path / "more.rejects.csv").exists()
    assert other.exists()
    manifest = json.loads((workspace / PROGRAM / "data" / "written-files.json").read_bytes())
    assert [f["path"] for f in manifest["files"]] == [str(other)]


def test_a_forgotten_person_is_skipped_when_a_large_file_is_read_in_two(
    workspace: Path, cli, tmp_path: Path
) -> None:
    """A store with nobody in it lets both readers place the people they read as they are:
    a forgotten one among them must still be skipped, and the ids stay consecutive."""
    import datetime as dt

    from helpers import TODAY

    from mentorctl.programs.program import open_program
    from mentorctl.signups import forked, importer

    if not forked.available():
        pytest.skip("needs fork")
    header, *rows = (HOSTILE / "people.csv").read_text().splitlines()
    lone = tmp_path / "lone.csv"
    lone.write_text("\n".join([header, rows[2]]) + "\n", encoding="utf-8")
    _ok(cli("import-signups", lone, "-w", workspace))
    _ok(cli("forget", "ann@example.org", "--yes", "-w", workspace))
    assert _store(workspace)["people"] == {}
    many = [f"p{i}@example.org,P {i},Mentee,30,Networking,,English,UTC,,X" for i in range(300)]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([header, *many[:5], rows[2], *many[5:]]) + "\n", encoding="utf-8")
    program, paths = open_program(workspace, None)
    result = importer.import_signups(
        big,
        program,
        paths.store_path,
        map_options=[],
        role=None,
        today=dt.date.fromisoformat(TODAY),
        now=dt.datetime.fromisoformat(f"{TODAY}T09:00:00+00:00"),
        parallel_min_bytes=0,
    )
    assert (result.imported, result.suppressed) == (300, 1)
    stored = list(_store(workspace)["people"].values())
    assert [p["id"] for p in stored] == [f"P{n}" for n in range(2, 302)]
    assert "ann@example.org" not in {p["email"] for p in stored}


def test_a_longer_address_that_ends_like_theirs_is_somebody_else(paired_three: Path, cli) -> None:
    workspace = paired_three
    _ok(cli("concern", "M2", "--reason", "ask joann@example.org", "-w", workspace))
    _ok(cli("block", "P4", "P1", "--reason", "ANN@example.org saw it", "-w", workspace))
    exported = _json(cli("export-person", "ann@example.org", "-w", workspace))
    assert exported["concerns"] == []
    assert [b["id"] for b in exported["blocks"]] == ["B1"]
    data = _erased(cli("forget", "ann@example.org", "--yes", "--json", "-w", workspace))
    assert data["redacted"] == {"blocks": 1}
    store = _store(workspace)
    assert [c["reason"] for c in store["concerns"].values()] == ["ask joann@example.org"]
    assert [b["reason"] for b in store["blocks"].values()] == ["[forgotten] saw it"]


def test_a_key_made_at_the_same_time_by_another_process_is_the_one_used(tmp_path: Path) -> None:
    from mentorctl.store.suppression import SuppressionList

    (tmp_path / "ws" / ".mentorctl").mkdir(parents=True)
    first = SuppressionList.for_store(tmp_path / "ws" / "prog" / "data" / "store.json")
    second = SuppressionList.for_store(tmp_path / "ws" / "other" / "data" / "store.json")
    assert first.key_path == second.key_path
    key = first._make_key()
    # The second process had not seen the key when it started making its own.
    assert second._make_key() == key == first.key_path.read_bytes()
    assert sorted(p.name for p in first.key_path.parent.iterdir()) == ["suppression.key"]
    # one list for the workspace: what one program's forget listed, the other's finds
    assert first.list_path == second.list_path
    assert first.add("Ann@Example.org") and not second.add("ann@example.org")
    assert second.contains("ANN@example.org") and not first.contains("bo@example.org")


def test_an_address_or_name_inside_a_longer_one_is_somebody_else_s() -> None:
    from mentorctl.safety.privacy import _redactor

    redact = _redactor("ann@example.com", "Ann")
    assert redact("Ann said so to ann@example.com; Ann-Marie wrote from ann@example.com.au") == (
        "[forgotten] said so to [forgotten]; Ann-Marie wrote from ann@example.com.au"
    )


def test_a_person_is_found_by_their_address_however_it_is_typed() -> None:
    from mentorctl.matching.pairs import Snapshot, find_person

    strasse = {"id": "P1", "email": "straße@example.de"}  # as import stores it: NFC, lower case
    jose = {"id": "P2", "email": "jos\u00e9@example.org"}
    snap = Snapshot([strasse, jose], [], set())
    assert find_person(snap, "Straße@Example.de") is strasse  # casefold would make it "ss"
    assert find_person(snap, "JOSE\u0301@example.org") is jose  # decomposed, upper case


# -- anonymous traces: a past day's figures stay --------------------------------------------

HEADER = "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company"
ANSWERED = "2026-03-04"
NOTE = "Met Tor4 at the Blue Heron cafe, tee1@example.org"


@pytest.fixture
def four_pairs(workspace: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four pairs introduced on 2026-03-02 with week 1 sent the next day; on 2026-03-04 M1's
    mentee answers week 1, with a note."""
    rows = [HEADER]
    for n in range(1, 5):
        rows.append(f"tee{n}@example.org,Tee{n} Mentee,Mentee,30,Networking,,English,UTC,,Org{n}")
        rows.append(f"tor{n}@example.org,Tor{n} Mentor,Mentor,50,,Networking,English,UTC,1,Big{n}")
    csv = tmp_path / "four.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _ok(cli("import-signups", csv, "-w", workspace))
    _ok(cli("pair", "--commit", "-w", workspace))
    _ok(cli("introduce", "-w", workspace))
    _ok(cli("checkin", "--today", "2026-03-03", "-w", workspace))
    monkeypatch.setenv("MENTORCTL_TODAY", ANSWERED)
    pairs = {p["id"]: p for p in _store(workspace)["pairs"].values()}
    _ok(cli("checkin", "--record", "M1", "--person", pairs["M1"]["mentee"], "--week", "1",
            "--answer", "met=yes", "--answer", "progress=4", "--answer", f"note={NOTE}",
            "-w", workspace))  # fmt: skip
    return workspace


def _people_of(workspace: Path, pair: str) -> list[dict]:
    store = _store(workspace)
    doc = next(p for p in store["pairs"].values() if p["id"] == pair)
    people = {p["id"]: p for p in store["people"].values()}
    return [people[doc["mentee"]], people[doc["mentor"]]]


def _as_forgotten(data, people: list[dict], texts: tuple[str, ...] = ()):
    """``data`` as it shows once ``people`` are forgotten: ids as ``forgotten``, names,
    addresses and ``texts`` they wrote as ``[forgotten]``."""
    ids = {p["id"] for p in people}
    hidden = {p["name"] for p in people} | {p["email"] for p in people} | set(texts)

    def walk(x):
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if x in ids:
            return "forgotten"
        return "[forgotten]" if x in hidden else x

    return walk(data)


def test_a_past_day_s_report_keeps_its_figures_after_a_forget(
    four_pairs: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = four_pairs
    day = ("--today", ANSWERED, "--json", "-w", workspace)
    before = {name: _json(cli(name, *day)) for name in ("report", "pairs", "people")}
    rate = before["report"]["answer_rate"]
    assert rate == [{"week": 1, "answered": 1, "pairs": 4, "rate": 0.25}]
    assert before["report"]["headline"]["people"] == 8
    gone = _people_of(workspace, "M1")
    monkeypatch.setenv("MENTORCTL_TODAY", "2026-03-05")
    for person in gone:
        _ok(cli("forget", person["email"], "--yes", "-w", workspace))
    after = {name: _json(cli(name, *day)) for name in ("report", "pairs", "people")}
    # 1 of 4, not 0 of 3: the day's figures are what they were; only who they were goes
    assert after["report"]["answer_rate"] == rate
    assert after["report"] == _as_forgotten(before["report"], gone, (NOTE,))
    assert after["pairs"] == _as_forgotten(before["pairs"], gone)
    # their topics were chosen from the program's list: kept, they name nobody
    assert after["people"] == _as_forgotten(before["people"], gone)
    # today they are no longer listed, and cannot be looked up
    now = _json(cli("people", "--json", "-w", workspace))
    assert now["count"] == 6 and "forgotten" not in {r["id"] for r in now["people"]}
    shown = cli("people", "show", gone[0]["id"], "--today", ANSWERED, "-w", workspace)
    assert shown.exit_code == 2


def test_a_forgotten_person_s_traces_hold_nothing_that_names_them(four_pairs: Path, cli) -> None:
    workspace = four_pairs
    (mentee, mentor), (away, partner) = _people_of(workspace, "M1"), _people_of(workspace, "M2")
    reason = "surgery at St Kilda"
    _ok(cli("pause", away["id"], "--until", "2026-03-20", "--reason", reason, "-w", workspace))
    _ok(cli("block", mentee["id"], partner["id"], "--reason", reason, "-w", workspace))
    forgotten = (mentee, away)
    for person in forgotten:
        _ok(cli("forget", person["email"], "--yes", "-w", workspace))
    words = {NOTE, "Blue Heron", reason}
    for person in forgotten:
        words |= {person["email"], person["name"], person["name"].split()[0]}
        words |= {person["organisation"], *person["goals"]} - {"Networking"}
    for path in (workspace / PROGRAM).rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [w for w in words if w in text], path
    store = _store(workspace)
    traces = {t["id"]: t for t in store["forgotten_people"].values()}
    assert set(traces) == {mentee["id"], away["id"]}
    for trace in traces.values():
        assert set(trace) <= {"id", "role", "status", "capacity", "history", "signed_up",
                              "goals", "expertise",
                              "returned", "created", "forgotten"}  # fmt: skip
    # the pause stays as a dated fact, its reason only as [forgotten]
    assert [(e["event"], e["until"], e["reason"]) for e in traces[away["id"]]["history"]] == [
        ("paused", "2026-03-20", "[forgotten]")
    ]
    (answer,) = [a for a in store["answers"].values() if a["person"] == mentee["id"]]
    assert answer["answers"] == {"met": "yes", "progress": 4, "note": "[forgotten]"}
    # the block stays in force, between the partner and somebody forgotten
    (block,) = _json(cli("block", "--list", "--json", "-w", workspace))["blocks"]
    assert (block["person"], block["other"], block["reason"]) == (
        "forgotten",
        partner["id"],
        "[forgotten]",
    )
    # the partners' exports name neither them nor their internal ids
    for other, gone in ((mentor, mentee), (partner, away)):
        exported = cli("export-person", other["email"], "-w", workspace)
        text = _ok(exported)
        assert gone["id"] not in text.replace(other["id"], "") and gone["email"] not in text
        assert '"forgotten"' in text


def test_a_store_whose_forgets_erased_everything_still_loads(workspace: Path, cli) -> None:
    """A store of schema version 4, its forgotten mentee erased and named ``forgotten``."""
    _ok(cli("import-signups", HOSTILE / "people.csv", "-w", workspace))
    _ok(cli("pair", "--commit", "-w", workspace))
    path = workspace / PROGRAM / "data" / "store.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    pair = data["pairs"]["1"]
    gone = pair["mentee"]
    data["people"] = {k: p for k, p in data["people"].items() if p["id"] != gone}
    pair.update(mentee="forgotten", status="ended")
    data["_meta"]["1"]["schema_version"] = 4
    path.write_text(json.dumps(data), encoding="utf-8")
    rows = {p["id"]: p for p in _json(cli("pairs", "--json", "-w", workspace))["pairs"]}
    assert (rows[pair["id"]]["mentee"], rows[pair["id"]]["mentee_name"]) == (
        "forgotten",
        "[forgotten]",
    )
    _ok(cli("introduce", "-w", workspace))
    assert _store(workspace)["_meta"]["1"]["schema_version"] == 5


def test_a_forgotten_person_s_id_is_never_handed_out_again(
    four_pairs: Path, cli, tmp_path: Path
) -> None:
    """Even when the store's person counter was edited back below it."""
    workspace = four_pairs
    people = _store(workspace)["people"].values()
    last = max(people, key=lambda p: int(p["id"][1:]))
    _ok(cli("forget", last["email"], "--yes", "-w", workspace))
    path = workspace / PROGRAM / "data" / "store.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["_meta"]["1"]["counters"]["person"] = int(last["id"][1:]) - 1
    path.write_text(json.dumps(data), encoding="utf-8")
    csv = tmp_path / "late.csv"
    csv.write_text(HEADER + "\nlate@example.org,Late Mentee,Mentee,30,Networking,,English,UTC,,X\n")
    _ok(cli("import-signups", csv, "-w", workspace))
    (late,) = [p for p in _store(workspace)["people"].values() if p["email"] == "late@example.org"]
    assert int(late["id"][1:]) == int(last["id"][1:]) + 1


def test_a_trace_keeps_only_the_topics_chosen_from_the_program_s_list() -> None:
    from mentorctl.safety.privacy import trace_of

    person = {"id": "P3", "role": "mentee", "status": "waiting", "name": "Ana Lopez",
              "goals": ["Networking", "meet Ana Lopez (ana@example.org)"],
              "expertise": ["public speaking "]}  # fmt: skip
    trace = trace_of(person, "2026-03-05T09:00:00+00:00", ["Networking", "Public speaking"])
    assert trace["goals"] == ["Networking", "[forgotten]"]
    assert trace["expertise"] == ["public speaking "]
    assert "Ana" not in repr(trace)


def test_somebody_else_s_record_loses_the_name_of_a_forgotten_person(four_pairs: Path, cli) -> None:
    workspace = four_pairs
    (mentee, _), (_, partner) = _people_of(workspace, "M1"), _people_of(workspace, "M4")
    reason = f"sad after {mentee['name']} left"
    _ok(cli("pause", partner["id"], "--until", "2026-03-20", "--reason", reason, "-w", workspace))
    data = _erased(cli("forget", mentee["email"], "--yes", "--json", "-w", workspace))
    assert data["redacted"].get("people") == 1
    store = (workspace / PROGRAM / "data" / "store.json").read_text(encoding="utf-8")
    assert mentee["name"] not in store
    shown = _json(cli("people", "show", partner["id"], "--json", "-w", workspace))
    assert "sad after [forgotten] left" in json.dumps(shown)
