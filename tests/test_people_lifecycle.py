"""People who leave, pause and come back; rounds of `pair`; several programs from one cron line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import write_csv
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    SMALL,
    introduced_fixture,
    messages,
    paired_fixture,
    pairs,
    program_dir,
    smtp_server_fixture,
    store_path,
    table,
)


def ok(cli, *args: object) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_withdraw_ends_the_pair_tells_the_other_and_keeps_them_out(introduced: Path, cli) -> None:
    before = store_path(introduced).read_bytes()
    dry = ok(cli, "withdraw", IDS["ann"], "--reason", "moved", "-w", introduced, "--dry-run")
    assert dry == {
        "action": "withdrawn", "person": IDS["ann"], "ended_pairs": ["M1"], "until": None,
        "dry_run": True,
    }  # fmt: skip
    assert store_path(introduced).read_bytes() == before
    ok(cli, "withdraw", IDS["ann"], "--reason", "moved", "-w", introduced)
    pair = pairs(introduced)["M1"]
    assert pair["status"] == "ended" and pair["notify_ended"] == [IDS["meg"]]
    assert pair["history"][-1]["status"] == "ended"
    person = next(p for p in table(introduced, "people") if p["id"] == IDS["ann"])
    assert person["status"] == "withdrawn"
    run = ok(cli, "checkin", "-w", introduced)
    assert [(m["pair"], m["kind"], m["to"]) for m in run["messages"] if m["pair"] == "M1"] == [
        ("M1", "ended", [IDS["meg"]])
    ]
    text = (program_dir(introduced) / "outbox" / "M1-ended-P1.eml").read_text()
    assert "Hello Meg," in text and "moved" not in text and "withdr" not in text
    assert ok(cli, "checkin", "-w", introduced)["messages"] == []  # told once
    again = cli("withdraw", IDS["ann"], "-w", introduced)
    assert again.exit_code == 2 and "already withdrawn" in again.stderr
    # a new sign-up (a changed row in the export) brings her back as active
    changed = SMALL.replace("Ann Mentee,Mentee,30", "Ann Mentee,Mentee,31")
    ok(cli, "import-signups", write_csv(introduced / "later.csv", changed), "-w", introduced)
    person = next(p for p in table(introduced, "people") if p["id"] == IDS["ann"])
    assert person["status"] == "active" and person["signed_up"]


def test_pause_holds_check_ins_until_the_day_then_resumes(introduced: Path, cli) -> None:
    week1 = ok(cli, "checkin", "-w", introduced)
    assert len(week1["messages"]) == 4
    bad = cli("pause", IDS["raj"], "--until", "2026-03-01", "-w", introduced)
    assert bad.exit_code == 2 and "expected a day after today" in bad.stderr
    done = ok(cli, "pause", IDS["raj"], "--until", "2026-03-23", "-w", introduced)
    assert done["until"] == "2026-03-23" and done["action"] == "paused"
    for week_day in ("2026-03-09", "2026-03-16"):
        run = ok(cli, "checkin", "--today", week_day, "-w", introduced)
        assert {m["pair"] for m in run["messages"]} == {"M1"}
    back = ok(cli, "checkin", "--today", "2026-03-23", "-w", introduced)
    assert [(m["pair"], m["week"]) for m in back["messages"]] == [("M1", 4)] * 2 + [("M2", 4)] * 2
    # weeks 2 and 3 never reached M2: it is not quiet, though nobody answered
    assert back["quiet"] == [{"pair": "M1", "since_week": 3, "silent_weeks": 3}]
    assert pairs(introduced)["M2"]["status"] == "active"


def test_people_who_finished_a_pair_wait_for_a_new_sign_up_or_the_admin(
    introduced: Path, cli
) -> None:
    ok(cli, "checkin", "--complete", "M1", "--no-wrapup", "--today", "2026-03-20", "-w", introduced)
    # Meg (capacity 2) and Ann finished M1: not proposed again by themselves
    proposals = ok(cli, "pair", "-w", introduced)
    assert proposals["out_of_round"] == [
        {"id": IDS["meg"], "name": "Meg Mentor"},
        {"id": IDS["ann"], "name": "Ann Mentee"},
    ]
    human = cli("pair", "-w", introduced)
    assert "2 people finished a pair and are not in this round: P1 Meg Mentor, P3 Ann Mentee" in (
        human.stdout
    )
    returned = ok(cli, "pair", "--return", IDS["meg"], "--today", "2026-03-21", "-w", introduced)
    assert returned["action"] == "returned"
    assert [p["id"] for p in ok(cli, "pair", "-w", introduced)["out_of_round"]] == [IDS["ann"]]
    # the report's waiting mentees are the ones the next pair run would consider
    report = ["report", "--json", "--today", "2026-03-21", "-w", introduced]
    before = ok(cli, *report)["waiting_mentees"]
    ok(cli, "pair", "--return", IDS["ann"], "--today", "2026-03-21", "-w", introduced)
    assert ok(cli, *report)["waiting_mentees"] == before + 1


def test_all_programs_from_one_cron_line_and_the_program_of_the_folder(
    introduced: Path, cli, monkeypatch
) -> None:
    other = introduced / "second"
    shutil.copytree(program_dir(introduced), other)
    text = (other / "program.yaml").read_text(encoding="utf-8")
    (other / "program.yaml").write_text(
        text.replace("slug: test-program", "slug: second"), encoding="utf-8"
    )
    plain = cli("checkin", "-w", introduced)
    assert plain.exit_code == 2 and "--program" in plain.stderr
    result = cli("checkin", "--all-programs", "-w", introduced)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "second: checkin 2026-03-02 (outbox): 4 message(s) (4 weekly) written",
        "test-program: checkin 2026-03-02 (outbox): 4 message(s) (4 weekly) written",
    ]
    # a broken program does not stop the others; the exit code is the worst
    (other / "program.yaml").write_text("name: [\n", encoding="utf-8")
    broken = cli("checkin", "--all-programs", "-w", introduced, "--today", "2026-03-09", "--json")
    assert broken.exit_code == 1
    data = json.loads(broken.stdout)
    assert [(p["program"], p["exit_code"]) for p in data["programs"]] == [
        ("second", 1),
        ("test-program", 0),
    ]
    assert len(data["programs"][1]["messages"]) == 4
    mixed = cli("checkin", "--all-programs", "--program", "second", "-w", introduced)
    assert mixed.exit_code == 2
    # inside a program's folder, that program is chosen
    monkeypatch.chdir(program_dir(introduced) / "outbox")
    monkeypatch.delenv("MENTORCTL_WORKSPACE", raising=False)
    inside = cli("report", "--json")
    assert inside.exit_code == 0, inside.output
    assert json.loads(inside.stdout)["program"] == "Test Program"


def test_report_as_of_a_past_day(introduced: Path, cli) -> None:
    ok(cli, "checkin", "--complete", "M1", "--today", "2026-03-20", "-w", introduced)
    now = ok(cli, "report", "--today", "2026-03-21", "-w", introduced)["pairs_by_status"]
    assert (now["completed"], now["active"]) == (1, 1)
    then = ok(cli, "report", "--today", "2026-03-10", "-w", introduced)["pairs_by_status"]
    assert (then["completed"], then["active"]) == (0, 2)
    before = ok(cli, "report", "--today", "2026-03-01", "-w", introduced)["pairs_by_status"]
    assert sum(before.values()) == 0


def test_mentees_still_waiting_can_be_told_they_are_on_the_list(
    workspace: Path, cli, smtp_server
) -> None:
    from messages_fixtures import use_smtp

    ok(cli, "import-signups", write_csv(workspace / "small.csv", SMALL), "-w", workspace)
    bad = cli("pair", "--notify-waiting", "-w", workspace)
    assert bad.exit_code == 2 and "goes with --commit" in bad.stderr
    data = ok(cli, "pair", "--commit", "--notify-waiting", "-w", workspace)
    assert data["notified_waiting"] == [IDS["cy"]]  # Cy shares no language with a mentor
    text = (program_dir(workspace) / "outbox" / "waiting-P5.eml").read_text()
    assert "Hello Cy," in text and "on our list" in text
    again = ok(cli, "pair", "--commit", "--notify-waiting", "-w", workspace)
    assert again["notified_waiting"] == []  # once only
    use_smtp(workspace, smtp_server.port)
    ok(cli, "introduce", "--send", "-w", workspace)
    run = ok(cli, "checkin", "--send", "-w", workspace)
    assert [
        (m["kind"], m["to"], m["status"]) for m in run["messages"] if m["kind"] == "waiting"
    ] == [("waiting", [IDS["cy"]], "sent")]
    assert sum(r.rcpt_tos == ["cy@example.org"] for r in smtp_server.handler.received) == 1
    assert ok(cli, "checkin", "--send", "-w", workspace)["messages"] == []


def test_a_program_made_before_the_new_kinds_uses_the_built_in_templates(
    introduced: Path, cli
) -> None:
    from messages_fixtures import edit_program

    edit_program(
        introduced, lambda d: [d["messages"].pop(k) for k in ("lapsed", "ended", "waiting")]
    )
    for name in ("lapsed.txt.j2", "ended.txt.j2", "waiting.txt.j2"):
        (program_dir(introduced) / "messages" / name).unlink()
    ok(cli, "withdraw", IDS["bo"], "-w", introduced)
    run = ok(cli, "checkin", "-w", introduced)
    assert [(m["kind"], m["to"]) for m in run["messages"] if m["kind"] == "ended"] == [
        ("ended", [IDS["raj"]])
    ]
    msg = (program_dir(introduced) / "outbox" / "M2-ended-P2.eml").read_text()
    assert "Subject: Test Program: your pairing has ended" in msg and "Hello Raj," in msg


def test_failed_deliveries_are_not_silence(introduced: Path, cli, smtp_server) -> None:
    from messages_fixtures import use_smtp

    use_smtp(introduced, smtp_server.port)
    smtp_server.handler.refuse = {"bo@example.org"}
    smtp_server.handler.refusal = "450 4.2.1"  # temporary: retried
    for when in ("2026-03-02", "2026-03-09"):
        result = cli("checkin", "--send", "--outbox-delivered", "--today", when, "-w", introduced)
        assert result.exit_code == 4, result.output
    smtp_server.handler.refuse = set()
    week3 = ok(cli, "checkin", "--send", "--today", "2026-03-16", "-w", introduced)
    # M1 heard from us twice and never answered: quiet; M2's weeks never reached Bo
    assert week3["quiet"] == [{"pair": "M1", "since_week": 3, "silent_weeks": 2}]
    assert pairs(introduced)["M2"]["status"] == "active"
    assert sorted(r.rcpt_tos[0] for r in smtp_server.handler.received[-4:]) == [
        "ann@example.org", "bo@example.org", "meg@example.org", "raj@example.org",
    ]  # fmt: skip


def test_a_pair_ended_before_its_introduction_leaves_both_people_in_the_round(
    paired: Path, cli
) -> None:
    ok(cli, "pair", "--end", "M1", "--reason", "changed my mind", "-w", paired)
    assert ok(cli, "pair", "-w", paired)["out_of_round"] == []


def test_waiting_notices_go_one_mentee_at_a_time_under_a_limit() -> None:
    from mentorctl.checkins.plan import Outgoing, take, waiting_pair

    notices = [
        Outgoing(waiting_pair(p), "waiting", 0, p, [p], [p], None) for p in ("P5", "P6", "P7")
    ]
    taken, left = take(notices, 2)  # notices belong to no pair: they are not one group
    assert ([o.part for o in taken], left) == (["P5", "P6"], 1)
