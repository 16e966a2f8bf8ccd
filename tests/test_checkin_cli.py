"""mentorctl checkin: the weekly run over a whole program, quiet pairs, wrap-up, completion."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from helpers import read_store
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    PAIR_PEOPLE,
    edit_program,
    edit_template,
    introduced_fixture,
    messages,
    outbox_files,
    paired_fixture,
    pairs,
    parse_eml,
    program_dir,
    smtp_ready_fixture,
    smtp_server_fixture,
    store_path,
)

START = dt.date(2026, 3, 2)


def on(week: int, offset: int = 0) -> str:
    return (START + dt.timedelta(days=7 * (week - 1) + offset)).isoformat()


def run(cli, workspace: Path, *args: str):
    result = cli("checkin", "-w", workspace, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def record(cli, workspace: Path, pair: str, person: str, week: int, today: str) -> None:
    result = cli(
        "checkin", "-w", workspace, "--record", pair, "--person", person,
        "--week", str(week), "--answer", "met=yes", "--today", today,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_first_week_is_sent_once(introduced: Path, cli) -> None:
    first = run(cli, introduced)
    # each person gets the week's message on their own, addressed by name, naming the partner
    assert [(m["pair"], m["kind"], m["week"], m["to"]) for m in first["messages"]] == [
        ("M1", "weekly", 1, [IDS["ann"]]),
        ("M1", "weekly", 1, [IDS["meg"]]),
        ("M2", "weekly", 1, [IDS["bo"]]),
        ("M2", "weekly", 1, [IDS["raj"]]),
    ]
    assert first["messages"][0]["file"] == "outbox/M1-weekly-w01-P3.eml"
    msg = parse_eml((program_dir(introduced) / "outbox/M1-weekly-w01-P3.eml").read_bytes())
    assert msg["To"] == "Ann Mentee <ann@example.org>"
    assert msg["Reply-To"] == msg["From"]  # the organisers, never the partner
    text = msg.get_body(("plain",)).get_content()
    assert text.splitlines()[0] == "Hello Ann," and "You and Meg each get this message" in text
    assert "Is this match working for you so far? (yes / no)" in text  # the fit check
    assert run(cli, introduced)["messages"] == []
    assert run(cli, introduced, "--today", on(1, 6))["messages"] == []


def test_whole_program_with_daily_cron_over_smtp(smtp_ready, cli) -> None:
    """Time travel: every day from the introduction to past the end, like a daily cron job.

    M1 answers every week; M2 never does, so it turns quiet in week 3: its weekly messages
    from then on carry the nudge, the last one (week 8's last step) too; once the program is
    over M1 gets the wrap-up and completes, M2 gets the lapsed message and lapses.
    """
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    for offset in range(0, 7 * 8 + 3):
        today = (START + dt.timedelta(days=offset)).isoformat()
        week = offset // 7 + 1
        if offset % 7 == 3 and week <= 8:
            record(cli, workspace, "M1", IDS["ann"], week, today)
        data = run(cli, workspace, "--send", "--today", today)
        assert data["failed"] == 0
    sent = Counter()
    for received in server.handler.received:
        _, pair_id, step, _ = received.message["Message-ID"].split(".", 3)
        assert set(received.rcpt_tos) <= PAIR_PEOPLE[pair_id]
        for rcpt in received.rcpt_tos:
            sent[(pair_id, step, rcpt)] += 1
    assert all(n == 1 for n in sent.values()), sent  # never twice
    for pair_id, final in (("M1", "wrapup8"), ("M2", "lapsed8")):
        for rcpt in PAIR_PEOPLE[pair_id]:
            weeks = sorted(
                int(s[6:])
                for p, s, r in sent
                if (p, r) == (pair_id, rcpt) and s.startswith("weekly")
            )
            assert weeks == list(range(1, 9)), (pair_id, weeks)
            assert sent[(pair_id, final, rcpt)] == 1 and sent[(pair_id, "intro0", rcpt)] == 1
    assert [s for p, s, _ in sent if s.startswith("nudge")] == []
    nudged = sorted({m["week"] for m in messages(workspace) if m.get("nudge")})
    assert nudged == [3, 4, 5, 6, 7, 8]
    made = {(m["pair"], m["kind"], m["week"]): m["created"][:10] for m in messages(workspace)}
    assert made[("M1", "weekly", 1)] == on(1)  # the program asks for it with the introduction
    assert made[("M1", "weekly", 8)] == on(8) and made[("M1", "wrapup", 8)] == on(9)
    assert made[("M2", "lapsed", 8)] == on(9)
    assert all(m["pair"] == "M2" for m in messages(workspace) if m.get("nudge"))
    assert {p: d["status"] for p, d in pairs(workspace).items()} == {
        "M1": "completed",
        "M2": "lapsed",
    }
    wrapup = next(r for r in server.handler.received if "wrapup" in r.message["Message-ID"])
    assert (
        "What was the single most useful part" in wrapup.message.get_body(("plain",)).get_content()
    )


def test_a_missed_stretch_sends_the_current_week_only(introduced: Path, cli) -> None:
    edit_program(introduced, lambda d: d["checkin"].update(quiet_after_weeks=10))
    run(cli, introduced)
    data = run(cli, introduced, "--today", on(5, 2))
    assert [(m["pair"], m["week"]) for m in data["messages"]] == [("M1", 5)] * 2 + [("M2", 5)] * 2
    weeks = sorted({m["week"] for m in messages(introduced) if m["kind"] == "weekly"})
    assert weeks == [1, 5]


def test_quiet_pairs_are_listed_nudged_in_the_weekly_and_come_back(introduced: Path, cli) -> None:
    run(cli, introduced)
    run(cli, introduced, "--today", on(2))
    record(cli, introduced, "M1", IDS["meg"], 2, on(2, 3))
    data = run(cli, introduced, "--today", on(3))
    assert data["quiet"] == [{"pair": "M2", "since_week": 3, "silent_weeks": 2}]
    assert [(m["pair"], m["kind"]) for m in data["messages"]] == [
        ("M1", "weekly"), ("M1", "weekly"), ("M2", "weekly"), ("M2", "weekly")
    ]  # fmt: skip
    assert pairs(introduced)["M2"]["status"] == "quiet"
    nudged = (program_dir(introduced) / "outbox/M2-weekly-w03-P4.eml").read_text()
    plain = (program_dir(introduced) / "outbox/M1-weekly-w03-P3.eml").read_text()
    assert "We haven't heard from you for a little while" in nudged
    assert "We haven't heard from you" not in plain
    assert "Your weekly check-in" in nudged  # the week's guide and check-in still go out
    human = cli("checkin", "-w", introduced, "--today", on(3, 1))
    assert human.exit_code == 0, human.output
    assert "Quiet pairs (no check-in answer)" in human.stdout and "M2" in human.stdout
    assert [m["kind"] for m in messages(introduced)].count("nudge") == 0
    record(cli, introduced, "M2", IDS["bo"], 3, on(3, 2))
    assert pairs(introduced)["M2"]["status"] == "active"
    assert pairs(introduced)["M2"]["history"][-1]["note"] == "check-in answers again"
    assert run(cli, introduced, "--today", on(4))["quiet"] == []


def test_summary_line_for_cron(introduced: Path, cli) -> None:
    result = cli("checkin", "-w", introduced)
    assert result.exit_code == 0, result.output
    assert result.stdout == "checkin 2026-03-02 (outbox): 4 message(s) (4 weekly) written\n"
    again = cli("checkin", "-w", introduced)
    assert again.stdout == "checkin 2026-03-02 (outbox): nothing due\n"


def test_dry_run_records_nothing(introduced: Path, cli) -> None:
    before = store_path(introduced).read_bytes()
    data = run(cli, introduced, "--dry-run")
    assert data["dry_run"] and [m["status"] for m in data["messages"]] == ["would write"] * 4
    assert store_path(introduced).read_bytes() == before
    assert [f.name for f in outbox_files(introduced)] == ["M1-intro.eml", "M2-intro.eml"]


def test_paused_pairs_get_nothing(introduced: Path, cli) -> None:
    data = read_store(store_path(introduced))
    for doc in data["pairs"].values():
        if doc["id"] == "M2":
            doc["status"] = "paused"
    store_path(introduced).write_text(json.dumps(data), encoding="utf-8")
    assert [m["pair"] for m in run(cli, introduced)["messages"]] == ["M1", "M1"]


def test_complete_early_then_wrap_up_once(introduced: Path, cli) -> None:
    run(cli, introduced)
    result = cli("checkin", "-w", introduced, "--complete", "M1", "--reason", "goal reached")
    assert result.exit_code == 0, result.output
    assert "Completed pair M1 early" in result.stdout and "wrap-up goes out" in result.stdout
    pair = pairs(introduced)["M1"]
    assert pair["status"] == "completed" and pair["completed_early"]
    assert pair["history"][-1]["note"] == "completed early by the admin: goal reached"
    data = run(cli, introduced, "--today", on(2))
    assert sorted((m["pair"], m["kind"]) for m in data["messages"]) == [
        ("M1", "wrapup"),
        ("M1", "wrapup"),
        ("M2", "weekly"),
        ("M2", "weekly"),
    ]
    assert run(cli, introduced, "--today", on(3))["messages"][0]["pair"] == "M2"
    assert [m["kind"] for m in messages(introduced) if m["pair"] == "M1"].count("wrapup") == 2


def test_complete_without_wrap_up_and_refusals(introduced: Path, paired: Path, cli) -> None:
    result = cli("checkin", "-w", introduced, "--complete", "M2", "--no-wrapup", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "action": "completed", "pair": "M2", "status": "completed", "wrapup": False, "dry_run": False
    }  # fmt: skip
    assert [m["pair"] for m in run(cli, introduced, "--today", on(2))["messages"]] == ["M1", "M1"]
    again = cli("checkin", "-w", introduced, "--complete", "M2")
    assert again.exit_code == 2 and "already completed" in again.stderr


def test_complete_refuses_a_pair_not_introduced(paired: Path, cli) -> None:
    result = cli("checkin", "-w", paired, "--complete", "M1")
    assert result.exit_code == 2
    assert "not been introduced" in result.stderr and "pair --end" in result.stderr


def test_actions_do_not_mix(introduced: Path, cli) -> None:
    for args in (
        ("--complete", "M1", "--send"),
        ("--record", "M1", "--complete", "M2"),
        ("--person", "P1"),
        ("--no-wrapup",),
    ):
        result = cli("checkin", "-w", introduced, *args)
        assert result.exit_code == 2, (args, result.output)


def test_a_broken_weekly_template_stops_the_run(introduced: Path, cli) -> None:
    edit_template(introduced, "weekly.txt.j2", lambda t: t + "\n{{ step.missing_field }}\n")
    before = store_path(introduced).read_bytes()
    result = cli("checkin", "-w", introduced)
    assert result.exit_code == 1
    assert "weekly.txt.j2:" in result.stderr and "missing_field" in result.stderr
    assert store_path(introduced).read_bytes() == before
    assert [f.name for f in outbox_files(introduced)] == ["M1-intro.eml", "M2-intro.eml"]


def test_resend_the_latest_message_of_a_pair(introduced: Path, cli) -> None:
    run(cli, introduced)
    data = run(cli, introduced, "--resend", "--pair", "M2")
    assert [(m["pair"], m["kind"], m["week"], m["to"]) for m in data["messages"]] == [
        ("M2", "weekly", 1, [IDS["bo"]]),
        ("M2", "weekly", 1, [IDS["raj"]]),
    ]
    missing = cli("checkin", "-w", introduced, "--resend")
    assert missing.exit_code == 2 and "--resend needs --pair" in missing.stderr
    # On the first day of week 2, week 2's message is the latest: week 1's is not sent again.
    week2 = run(cli, introduced, "--resend", "--pair", "M2", "--today", "2026-03-09")
    assert sorted((m["pair"], m["week"]) for m in week2["messages"]) == [("M2", 2), ("M2", 2)]


def test_forgetting_a_person_removes_their_messages_and_stops_the_pair(
    introduced: Path, cli
) -> None:
    run(cli, introduced)
    result = cli("forget", "ann@example.org", "--yes", "-w", introduced)
    assert result.exit_code == 0, result.output
    names = [f.name for f in outbox_files(introduced)]
    assert names == ["M2-intro.eml", "M2-weekly-w01-P2.eml", "M2-weekly-w01-P4.eml"]
    # Meg keeps the record of what she was sent; Ann's stays as an anonymous trace (her
    # internal id, the week, the delivery), and no file holds her any more
    left = sorted((m["kind"], m["to"]) for m in messages(introduced) if m["pair"] == "M1")
    assert left == [
        ("intro", [IDS["ann"], IDS["meg"]]), ("weekly", [IDS["meg"]]), ("weekly", [IDS["ann"]])
    ]  # fmt: skip
    assert pairs(introduced)["M1"]["status"] == "ended"
    data = run(cli, introduced, "--today", on(2))
    assert [(m["pair"], m["kind"]) for m in data["messages"]] == [
        ("M1", "ended"), ("M2", "weekly"), ("M2", "weekly"),
    ]  # fmt: skip


def test_the_summary_line_names_every_kind_of_message() -> None:
    from mentorctl.cli.render_messages import KIND_LABELS
    from mentorctl.mail.messages import KINDS

    assert set(KINDS) <= set(KIND_LABELS)
    assert "circle_intro" in KIND_LABELS


def test_the_summary_line_names_a_kind_without_a_label_by_its_name() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from mentorctl.checkins.plan import RunResult
    from mentorctl.cli.render_messages import summary_line

    result = RunResult(command="checkin", today=dt.date(2026, 3, 2), send=False, dry_run=False)
    result.messages = [SimpleNamespace(kind="circle_intro"), SimpleNamespace(kind="some_notice")]
    line = summary_line(result)
    assert "2 message(s) (1 circle introduction, 1 some notice) written" in line
    assert "()" not in line
