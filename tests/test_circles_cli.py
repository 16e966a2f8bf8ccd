"""mentorctl pair in a circles program: proposals, --commit, --dry-run, --json and program.yaml."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from circles_support import signups
from helpers import PROGRAM, TODAY, read_store, write_csv

SIZE = (3, 5)


def _circles_program(workspace: Path, extra: str = "") -> Path:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(
        text + f"format: circles\ncircles:\n  size: [{SIZE[0]}, {SIZE[1]}]\n{extra}",
        encoding="utf-8",
    )
    return program


@pytest.fixture
def circles_ws(workspace: Path, cli) -> Path:
    _circles_program(workspace)
    csv_file = write_csv(workspace / "signups.csv", signups(40, 10))
    result = cli("import-signups", csv_file, "-w", workspace)
    assert result.exit_code == 0, result.output
    ids = _ids(workspace)
    # An earlier pair (ended) and a block: neither two may share a circle.
    result = cli("pair", "-w", workspace, "--add", ids["e0"], ids["m0"], "--force")
    assert result.exit_code == 0, result.output
    result = cli("pair", "-w", workspace, "--end", ids["e0"], "--reason", "moved away")
    assert result.exit_code == 0, result.output
    result = cli("block", ids["e1"], ids["m1"], "--reason", "test", "-w", workspace)
    assert result.exit_code == 0, result.output
    return workspace


def _store(workspace: Path) -> dict:
    return read_store(workspace / PROGRAM / "data" / "store.json")


def _ids(workspace: Path) -> dict[str, str]:
    return {p["email"].split("@")[0]: p["id"] for p in _store(workspace)["people"].values()}


def _inside_hours(zone: str, window: dict, day: dt.date) -> bool:
    """Whether the saved window falls inside 08:00-21:00 in ``zone``, checked with zoneinfo
    in the week of ``day`` (on ``day`` itself when the window is every day), independently
    of mentorctl's own offsets."""
    start, minutes = window["start"], window["minutes"]
    if window["day"] is not None:
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        day += dt.timedelta(days=names.index(window["day"]) - day.weekday())
    hour, minute = map(int, start.split(":"))
    begin = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
    local_begin = begin.astimezone(ZoneInfo(zone))
    local_end = (begin + dt.timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    opens = local_begin.replace(hour=8, minute=0, second=0)
    closes = local_begin.replace(hour=21, minute=0, second=0)
    return opens <= local_begin and local_end <= closes


def test_commit_saves_circles_that_keep_every_rule(circles_ws: Path, cli) -> None:
    # Two mentees the proposals put together; once one blocks the other, they are not.
    first = json.loads(cli("pair", "-w", circles_ws, "--json", "--seed", "3").stdout)
    apart = [m["mentee_id"] for m in first["circles"][0]["members"][:2]]
    result = cli("block", *apart, "--reason", "test", "-w", circles_ws)
    assert result.exit_code == 0, result.output
    result = cli("pair", "-w", circles_ws, "--commit", "--json", "--seed", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    store = _store(circles_ws)
    people = {p["id"]: p for p in store["people"].values()}
    ids = _ids(circles_ws)
    circles = list(store["circles"].values())
    pairs = [p for p in store["pairs"].values() if p.get("circle")]
    assert data["placed"] >= 30 and len(pairs) == data["placed"]
    assert [c["id"] for c in data["committed"]["circles"]] == [c["id"] for c in circles]
    day = dt.date.fromisoformat(TODAY)
    for circle in circles:
        assert SIZE[0] <= len(circle["mentees"]) <= SIZE[1], circle
        assert circle["round"] == 1 and circle["created"]
        members = [p for p in pairs if p["circle"] == circle["id"]]
        assert sorted(p["mentee"] for p in members) == sorted(circle["mentees"])
        assert sorted(p["id"] for p in members) == sorted(circle["pairs"])
        assert {p["mentor"] for p in members} == set(circle["mentors"])
        assert all(p["status"] == "proposed" and p["round"] == 1 for p in members)
        # A common window of at least an hour inside everyone's waking hours.
        window = circle["window"]
        assert window["minutes"] >= 60
        for pid in [*circle["mentors"], *circle["mentees"]]:
            zone = people[pid]["timezone"]
            assert _inside_hours(zone, window, day), (pid, zone)
        # Topics every mentee of the circle listed.
        assert circle["topics"]
        for pid in circle["mentees"]:
            assert set(circle["topics"]) <= set(people[pid]["goals"]), (pid, circle)
        # Hard rules: languages shared, no block, no earlier pair.
        for pair in members:
            mentee, mentor = people[pair["mentee"]], people[pair["mentor"]]
            assert set(mentee["languages"]) & set(mentor["languages"]), pair
        mentors = set(circle["mentors"])
        assert not (ids["e0"] in circle["mentees"] and ids["m0"] in mentors)
        assert not (ids["e1"] in circle["mentees"] and ids["m1"] in mentors)
        assert not set(apart) <= set(circle["mentees"])
    # Every member's explanation names what they share and when all can meet.
    member = data["circles"][0]["members"][0]
    assert any(r.startswith("shares ") for r in member["reasons"]), member
    assert any("can meet every day" in r and "UTC" in r for r in member["reasons"]), member
    # Saved once: a second commit finds nobody left to place in those circles.
    again = json.loads(cli("pair", "-w", circles_ws, "--commit", "--json").stdout)
    assert {p["mentee"] for p in pairs}.isdisjoint(
        m["mentee_id"] for c in again["circles"] for m in c["members"]
    )
    # Capacity 5 with circles of up to 5: one circle per mentor, already led.
    assert {p["mentor"] for p in pairs}.isdisjoint(c["mentor_id"] for c in again["circles"])
    assert len(_store(circles_ws)["circles"]) == len(circles)


def test_same_seed_same_circles(circles_ws: Path, cli) -> None:
    def run(seed: str) -> list:
        result = cli("pair", "-w", circles_ws, "--json", "--seed", seed)
        assert result.exit_code == 0, result.output
        return [
            (c["mentor_id"], [m["mentee_id"] for m in c["members"]], c["window"], c["topics"])
            for c in json.loads(result.stdout)["circles"]
        ]

    first = run("5")
    assert first and run("5") == first


def test_dry_run_and_table(circles_ws: Path, cli) -> None:
    store = circles_ws / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    result = cli("pair", "-w", circles_ws, "--commit", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would save" in result.stdout
    assert store.read_bytes() == before
    result = cli("pair", "-w", circles_ws)
    assert result.exit_code == 0, result.output
    for column in ("Circle", "Mentor", "Members", "Shared topics", "Window", "Score"):
        assert column in result.stdout
    assert "Placed " in result.stdout and "score points" in result.stdout
    assert "Nothing saved" in result.stderr


def test_options_of_pairs_only_are_refused(circles_ws: Path, cli) -> None:
    result = cli("pair", "-w", circles_ws, "--method", "stable")
    assert result.exit_code != 0
    assert "circles program" in result.output


def test_circles_are_introduced_as_circles_not_as_separate_pairs(circles_ws: Path, cli) -> None:
    """A mentor of four must not get four introductions and four invitations: each circle
    gets one introduction."""
    assert cli("pair", "-w", circles_ws, "--commit").exit_code == 0
    listed = cli("pairs", "-w", circles_ws, "--json")
    assert any(r["circle"] for r in json.loads(listed.stdout)["pairs"])
    assert "Circle" in cli("pairs", "-w", circles_ws).stdout
    result = cli("introduce", "--preview", "-w", circles_ws)
    assert result.exit_code == 0, result.output
    result = cli("introduce", "-w", circles_ws)
    assert result.exit_code == 0, result.output
    circles = _store(circles_ws)["circles"].values()
    files = list((circles_ws / "test-program" / "outbox").glob("**/*.eml"))
    assert len(files) == len(circles)
    assert all("-circle_intro" in f.name for f in files)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("  co_mentor: true\n", "circles.co_mentor: unknown key"),
        ("  hours: [9, 9]\n", "circles.hours: expected two different hours"),
        ("  hours_field: availability\n", "'availability' is not a field under signup.fields"),
    ],
)
def test_circles_settings_are_checked_with_their_line(
    workspace: Path, cli, extra: str, expected: str
) -> None:
    program = _circles_program(workspace, extra)
    result = cli("pair", "-w", workspace)
    assert result.exit_code != 0
    line = program.read_text(encoding="utf-8").splitlines().index(extra.splitlines()[0]) + 1
    assert expected in result.output, result.output
    assert f"program.yaml:{line}" in result.output, result.output


def test_sizes_and_format_are_checked(workspace: Path, cli) -> None:
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text + "format: circles\ncircles:\n  size: [5, 3]\n", encoding="utf-8")
    result = cli("pair", "-w", workspace)
    assert result.exit_code != 0 and "circles.size: expected [smallest, largest]" in result.output
    program.write_text(text + "format: triangles\n", encoding="utf-8")
    result = cli("pair", "-w", workspace)
    assert result.exit_code != 0 and "format" in result.output and "circles" in result.output


def test_co_mentors_join_circles_when_asked(workspace: Path, cli) -> None:
    _circles_program(workspace, "  co_mentors: true\n")
    csv_file = write_csv(workspace / "signups.csv", signups(12, 8, seed=3))
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    result = cli("pair", "-w", workspace, "--commit", "--json")
    assert result.exit_code == 0, result.output
    store = _store(workspace)
    people = {p["id"]: p for p in store["people"].values()}
    circles = list(store["circles"].values())
    doubled = [c for c in circles if len(c["mentors"]) == 2]
    assert doubled, circles
    leads = {c["mentors"][0] for c in circles}
    day = dt.date.fromisoformat(TODAY)
    for circle in doubled:
        lead, co = circle["mentors"]
        assert co not in leads and co != lead
        for pid in circle["mentees"]:
            assert set(people[pid]["languages"]) & set(people[co]["languages"])
        for pid in [lead, co, *circle["mentees"]]:
            zone = people[pid]["timezone"]
            assert _inside_hours(zone, circle["window"], day)
    # Pairs stay with the first mentor: one stream of messages per mentee.
    pairs = list(store["pairs"].values())
    assert {p["mentor"] for p in pairs} == leads
    assert len({c["mentors"][1] for c in doubled}) == len(doubled)


def test_a_circle_mentors_no_to_the_fit_question_ends_no_pair(circles_ws: Path, cli) -> None:
    """The mentor answers once for the whole circle, on one member pair's message: a "no"
    is about the circle, so no mentee's pair is ended by it; the admin is told."""
    assert cli("pair", "-w", circles_ws, "--commit").exit_code == 0
    assert cli("introduce", "-w", circles_ws).exit_code == 0
    store = _store(circles_ws)
    pair = next(p for p in store["pairs"].values() if p.get("circle") and p["status"] == "active")
    result = cli("checkin", "-w", circles_ws, "--record", pair["id"], "--person", pair["mentor"],
                 "--week", "1", "-a", "fit=no")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "answered no to the fit question" in result.output
    after = next(p for p in _store(circles_ws)["pairs"].values() if p["id"] == pair["id"])
    assert after["status"] == "active"
    # A mentee's "no" still ends their own pair.
    result = cli("checkin", "-w", circles_ws, "--record", pair["id"], "--person", pair["mentee"],
                 "--week", "1", "-a", "fit=no")  # fmt: skip
    assert result.exit_code == 0, result.output
    after = next(p for p in _store(circles_ws)["pairs"].values() if p["id"] == pair["id"])
    assert after["status"] == "not_fit"
