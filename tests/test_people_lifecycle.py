"""People who leave, pause and come back; rounds of `pair`; several programs from one cron line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
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
        "reason": None, "pairs": [], "circles_closed": [], "proposals_withdrawn": [],
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
        assert {(m["pair"], m["kind"]) for m in run["messages"] if m["pair"] == "M1"} == {
            ("M1", "weekly")
        }
        # Raj's mentee is told once that he is away; nothing else goes to M2
        told = [(m["kind"], m["to"]) for m in run["messages"] if m["pair"] == "M2"]
        assert told == ([("paused", [IDS["bo"]])] if week_day == "2026-03-09" else [])
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


# -- pause: a reason, an early end, a kind notice to the partner -----------------------------


def test_pause_keeps_its_reason_ends_early_and_tells_the_partner_once(
    introduced: Path, cli
) -> None:
    ok(cli, "checkin", "-w", introduced)
    dry = ok(cli, "pause", IDS["raj"], "--until", "2026-03-28", "--reason", "surgery",
             "--dry-run", "-w", introduced)  # fmt: skip
    assert dry["dry_run"] and dry["reason"] == "surgery" and dry["pairs"] == ["M2"]
    done = ok(cli, "pause", IDS["raj"], "--until", "2026-03-28", "--reason", "surgery",
              "--today", "2026-03-04", "-w", introduced)  # fmt: skip
    assert (done["action"], done["until"], done["reason"]) == ("paused", "2026-03-28", "surgery")
    raj = next(p for p in table(introduced, "people") if p["id"] == IDS["raj"])
    assert raj["history"][-1] == {
        "at": "2026-03-04", "event": "paused", "until": "2026-03-28", "reason": "surgery",
    }  # fmt: skip
    # the next run tells Bo, kindly, once; the reason is never sent
    run = ok(cli, "checkin", "--today", "2026-03-05", "-w", introduced)
    assert [(m["pair"], m["kind"], m["to"]) for m in run["messages"]] == [
        ("M2", "paused", [IDS["bo"]])
    ]
    text = (program_dir(introduced) / "outbox" / "M2-paused-1-P4.eml").read_text()
    assert (
        "Raj is away until Saturday, March 28; your weekly guide" in text and "surgery" not in text
    )
    assert "Subject: Test Program: a short break" in text
    week2 = ok(cli, "checkin", "--today", "2026-03-09", "-w", introduced)
    assert {m["pair"] for m in week2["messages"]} == {"M1"}
    # he is back early: --end writes a 'resumed' entry and the next run sends again
    bad = cli("pause", IDS["bo"], "--end", "--today", "2026-03-10", "-w", introduced)
    assert bad.exit_code == 2 and "not on pause" in bad.stderr
    both = cli("pause", IDS["raj"], "--end", "--until", "2026-04-01", "-w", introduced)
    assert both.exit_code == 2 and "--end takes neither" in both.stderr
    back = ok(cli, "pause", IDS["raj"], "--end", "--today", "2026-03-10", "-w", introduced)
    assert (back["action"], back["until"]) == ("resumed", "2026-03-28")
    raj = next(p for p in table(introduced, "people") if p["id"] == IDS["raj"])
    assert raj["history"][-1] == {"at": "2026-03-10", "event": "resumed"}
    again = ok(cli, "checkin", "--today", "2026-03-11", "-w", introduced)
    assert [(m["pair"], m["kind"], m["week"]) for m in again["messages"]] == [
        ("M2", "weekly", 2), ("M2", "weekly", 2),
    ]  # fmt: skip
    # a second pause is a new pause: Bo is told again, once
    ok(cli, "pause", IDS["raj"], "--until", "2026-04-06", "--today", "2026-03-20", "-w", introduced)
    told = ok(cli, "checkin", "--today", "2026-03-23", "-w", introduced)
    assert [(m["kind"], m["week"]) for m in told["messages"] if m["pair"] == "M2"] == [
        ("paused", 2)
    ]
    assert ok(cli, "checkin", "--today", "2026-03-24", "-w", introduced)["messages"] == []


def test_a_pause_ended_early_brings_the_person_back_into_the_round(introduced: Path, cli) -> None:
    from mentorctl.matching.pairs import snapshot
    from mentorctl.matching.rounds import for_matching
    from mentorctl.store.db import Store

    def seen(day: str) -> str:
        with Store.reading(store_path(introduced)) as store:
            people, _ = for_matching(snapshot(store), dt.date.fromisoformat(day))
        return next(p.get("status", "active") for p in people if p["id"] == IDS["raj"])

    ok(cli, "withdraw", IDS["bo"], "-w", introduced)
    assert seen("2026-03-03") == "active"  # Bo left: Raj waits for a new mentee at once
    ok(cli, "pause", IDS["raj"], "--until", "2026-04-01", "-w", introduced)
    assert seen("2026-03-03") == "paused"
    ok(cli, "pause", IDS["raj"], "--end", "--today", "2026-03-03", "-w", introduced)
    assert seen("2026-03-02") == "paused" and seen("2026-03-03") == "active"


# -- nobody pays for someone else's leaving ------------------------------------------------


def _round(cli, workspace: Path) -> tuple[set[str], set[str], set[str]]:
    """Who the next ``pair`` proposes, leaves waiting, and leaves out of the round."""
    data = ok(cli, "pair", "--today", "2026-03-10", "-w", workspace)
    return (
        {p["mentee"] for p in data["pairs"]} | {p["mentor"] for p in data["pairs"]},
        {u["mentee"] for u in data["unmatched"]},
        {p["id"] for p in data["out_of_round"]},
    )


@pytest.mark.parametrize("how", ["withdraw", "block", "concern", "forget", "not_fit"])
def test_the_partner_of_someone_who_leaves_waits_at_once_and_is_told(
    introduced: Path, cli, how: str
) -> None:
    ok(cli, "checkin", "-w", introduced)
    on = ["--today", "2026-03-04", "-w", introduced]
    if how == "withdraw":
        ok(cli, "withdraw", IDS["raj"], *on)
    elif how == "block":
        ok(cli, "block", IDS["bo"], IDS["raj"], "--reason", "asked", *on)
    elif how == "concern":
        ok(cli, "concern", "M2", "--reason", "rude", *on)
        ok(cli, "concern", "--resolve", "C1", "--outcome", "end", *on)
    elif how == "forget":
        ok(cli, "forget", "raj@example.org", "--yes", *on)
    else:
        ok(cli, "checkin", "--record", "M2", "--person", IDS["raj"], "--week", "1",
           "--answer", "fit=no", *on)  # fmt: skip
    pair = pairs(introduced)["M2"]
    assert pair["status"] in ("ended", "not_fit")
    if how == "block":
        assert pair["history"][-1]["at"].startswith("2026-03-04")
    # Bo is in the next round (Meg has a free slot but offers nothing he wants: he waits)
    proposed, waiting, out = _round(cli, introduced)
    assert IDS["bo"] not in out and IDS["bo"] in proposed | waiting
    if how in ("block", "concern", "not_fit"):
        assert IDS["raj"] not in out  # a block or a concern sends both back
    # ... and gets the kind 'ended' notice with the next run, once
    run = ok(cli, "checkin", "--today", "2026-03-05", "-w", introduced)
    told = {m["to"][0] for m in run["messages"] if m["kind"] == "ended"}
    assert IDS["bo"] in told and (how != "forget" or told == {IDS["bo"]})
    text = (program_dir(introduced) / "outbox" / f"M2-ended-{IDS['bo']}.eml").read_text()
    assert "Hello Bo," in text and "raj@example.org" not in text
    assert (how == "forget") == ("Raj" not in text)
    assert ok(cli, "checkin", "--today", "2026-03-06", "-w", introduced)["messages"] == []
    # ... and may be told he is on the list
    if IDS["bo"] in waiting:
        committed = ok(cli, "pair", "--commit", "--notify-waiting", "--today", "2026-03-06",
                       "-w", introduced)  # fmt: skip
        assert IDS["bo"] in committed["notified_waiting"]


def test_after_forget_the_partner_keeps_their_history(introduced: Path, cli) -> None:
    ok(cli, "checkin", "-w", introduced)
    ok(cli, "checkin", "--record", "M2", "--person", IDS["bo"], "--week", "1",
       "--answer", "met=yes", "-w", introduced)  # fmt: skip
    ok(cli, "forget", "raj@example.org", "--yes", "-w", introduced)
    store = {t: table(introduced, t) for t in ("messages", "answers", "pairs")}
    bos = [m for m in store["messages"] if IDS["bo"] in m["to"]]
    assert sorted(m["kind"] for m in bos) == ["intro", "weekly"]
    assert all(m["to"] in ([IDS["bo"]], [IDS["raj"], IDS["bo"]], [IDS["bo"], IDS["raj"]])
               for m in bos)  # fmt: skip
    assert [a["person"] for a in store["answers"] if a["pair"] == "M2"] == [IDS["bo"]]
    pair = next(p for p in store["pairs"] if p["id"] == "M2")
    # the pair keeps the internal id of its forgotten mentor (shown as forgotten)
    assert pair["mentee"] == IDS["bo"] and pair["mentor"] == IDS["raj"]
    assert pair["start_date"] == "2026-03-02" and len(pair["history"]) >= 3
    assert "raj" not in json.dumps(store).lower()


# -- pair --redo keeps pairs added by hand -------------------------------------------------


def test_redo_keeps_pairs_added_by_hand_and_says_so(workspace: Path, cli) -> None:
    ok(cli, "import-signups", write_csv(workspace / "s.csv", SMALL), "-w", workspace)
    ok(cli, "pair", "--add", IDS["bo"], IDS["meg"], "--force", "-w", workspace)
    ok(cli, "pair", "--commit", "-w", workspace)
    before = pairs(workspace)
    manual = [p for p, d in before.items() if d["method"] == "manual"]
    assert manual == ["M1"]
    redo = ok(cli, "pair", "--redo", "-w", workspace)
    assert redo["redo_keeps"] == ["M1"] and "M1" not in redo["redo_replaces"]
    human = cli("pair", "--redo", "-w", workspace)
    assert "--redo kept 1 pair(s) added by hand: M1" in human.stdout
    ok(cli, "pair", "--redo", "--commit", "-w", workspace)
    assert pairs(workspace)["M1"] == before["M1"]
    both = ok(cli, "pair", "--redo", "--redo-manual", "-w", workspace)
    assert both["redo_keeps"] == [] and "M1" in both["redo_replaces"]
    alone = cli("pair", "--redo-manual", "-w", workspace)
    assert alone.exit_code == 2 and "--redo-manual goes with --redo" in alone.stderr
