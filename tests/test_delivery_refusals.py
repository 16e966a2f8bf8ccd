"""What a run leaves out: addresses refused for good (5xx), pairs introduced only in the
outbox, and an SMTP journal that is not a plain file. A real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import people
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    EphemeralController,
    introduced_fixture,
    messages,
    paired_fixture,
    pairs,
    program_dir,
    smtp_ready_fixture,
    smtp_server_fixture,
    store_path,
    use_smtp,
)
from test_delivery_smtp import RefusingData

from mentorctl.history import events
from mentorctl.mail import delivery
from mentorctl.store.db import Store


def _history(workspace: Path, pid: str) -> list[dict]:
    person = next(p for p in people(store_path(workspace)) if p["id"] == pid)
    return [e for e in person.get("history", []) if e["event"] in ("undeliverable", "deliverable")]


# -- permanent refusals -----------------------------------------------------------------------


def test_a_permanent_refusal_is_recorded_named_once_and_never_retried(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}  # 550 5.1.1
    first = cli("introduce", "--send", "-w", workspace)
    assert first.exit_code == delivery.EXIT_DELIVERY_FAILED, first.output
    named = [line for line in first.stderr.splitlines() if "refused for good" in line]
    assert len(named) == 1 and IDS["meg"] in named[0] and "550" in named[0]
    assert "meg@example.org" not in first.output
    [entry] = _history(workspace, IDS["meg"])
    assert entry["event"] == "undeliverable" and entry["address"] == "meg@example.org"
    assert entry["reason"].startswith("550") and "@" not in entry["reason"]
    assert len(server.handler.received) == 2

    for _ in range(2):  # later runs: nothing to meg, nothing failed, not named again
        again = cli("introduce", "--send", "-w", workspace, "--json")
        assert again.exit_code == 0, again.output
        data = json.loads(again.stdout)
        assert data["messages"] == [] and data["undeliverable"] == []
        assert not any("refused for good" in w for w in data["warnings"])
        weekly = cli("checkin", "--send", "-w", workspace)
        assert weekly.exit_code == 0, weekly.output
        assert "refused for good" not in weekly.output
    assert not server.handler.to("meg@example.org")
    assert len(_history(workspace, IDS["meg"])) == 1
    assert pairs(workspace)["M1"]["status"] == "proposed"  # never introduced to meg


def test_a_refusal_at_the_data_marks_every_recipient(paired, cli) -> None:
    handler = RefusingData()  # 554 to the message of pair M1
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        use_smtp(paired, controller.port)
        assert cli("introduce", "--send", "-w", paired).exit_code == 4
        assert cli("introduce", "--send", "-w", paired).exit_code == 0
    finally:
        controller.stop()
    assert len(handler.received) == 1  # M2 only, once
    for name in ("meg", "ann"):
        [entry] = _history(paired, IDS[name])
        assert entry["reason"] == "554 5.7.1 Message rejected as spam"


def test_temporary_failures_are_not_undeliverable(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}
    server.handler.refusal = "452 4.2.2"
    assert cli("introduce", "--send", "-w", workspace).exit_code == 4
    assert _history(workspace, IDS["meg"]) == []
    server.handler.refuse = set()
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    assert len(server.handler.to("meg@example.org")) == 1


def test_a_weekly_refusal_stops_that_person_only(introduced, smtp_server, cli) -> None:
    use_smtp(introduced, smtp_server.port)
    smtp_server.handler.refuse = {"bo@example.org"}
    week1 = cli("checkin", "--send", "--outbox-delivered", "-w", introduced)
    assert week1.exit_code == 4, week1.output
    week2 = cli("checkin", "--send", "--today", "2026-03-09", "-w", introduced, "--json")
    assert week2.exit_code == 0, week2.output
    sent = json.loads(week2.stdout)["messages"]
    assert sorted(m["to"][0] for m in sent) == sorted({IDS["meg"], IDS["ann"], IDS["raj"]})
    assert not smtp_server.handler.to("bo@example.org")


def test_a_deliverable_entry_ends_it(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}
    assert cli("introduce", "--send", "-w", workspace).exit_code == 4
    server.handler.refuse = set()
    _mark(workspace, IDS["meg"], "deliverable")
    retry = cli("introduce", "--send", "-w", workspace)
    assert retry.exit_code == 0, retry.output
    assert len(server.handler.to("meg@example.org")) == 1
    assert pairs(workspace)["M1"]["status"] == "active"


def _mark(workspace: Path, pid: str, event: str, **fields: str) -> None:
    with Store.writing(store_path(workspace)) as store:
        for doc_id, doc in store.documents("people").items():
            if doc.get("id") == pid:
                entry = events.entry("2026-03-02T08:00:00+00:00", event, **fields)
                store.update_many("people", {int(doc_id): {"history": events.appended(doc, entry)}})
        store.commit()


def test_a_pair_with_a_person_undeliverable_before_its_introduction_is_held(
    smtp_ready, cli
) -> None:
    """Neither person is introduced to someone who cannot be reached: the pair is held
    (shown so) until a new address clears it, then introduced to both."""
    workspace, server = smtp_ready
    _mark(workspace, IDS["meg"], "undeliverable", address="meg@example.org", reason="bounced")
    result = cli("introduce", "--send", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert any("M1" in w and "refused for good" in w for w in json.loads(result.stdout)["warnings"])
    assert not server.handler.to("meg@example.org") and not server.handler.to("ann@example.org")
    assert not [m for m in messages(workspace) if m["pair"] == "M1"]
    assert pairs(workspace)["M1"]["status"] == "proposed"
    shown = json.loads(cli("pairs", "-w", workspace, "--json").stdout)
    m1 = next(p for p in shown["pairs"] if p["id"] == "M1")
    assert m1["undeliverable"] == [IDS["meg"]]
    assert m1["status_label"] == "Proposed (held: the mentor's address refused)"
    weekly = cli("checkin", "--send", "-w", workspace, "--json")
    assert json.loads(weekly.stdout)["held"] == []  # nothing written to the outbox for meg
    _mark(workspace, IDS["meg"], "deliverable")
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    assert len(server.handler.to("meg@example.org")) == 1
    assert len(server.handler.to("ann@example.org")) == 1
    assert pairs(workspace)["M1"]["status"] == "active"


# -- introductions only in the outbox ---------------------------------------------------------


def test_no_weekly_by_smtp_before_an_smtp_introduction(introduced, smtp_server, cli) -> None:
    use_smtp(introduced, smtp_server.port)
    held = cli("checkin", "--send", "-w", introduced, "--json")
    assert held.exit_code == 0, held.output
    data = json.loads(held.stdout)
    assert data["messages"] == [] and data["held"] == ["M1", "M2"]
    assert any("only written to the outbox" in w and "M1, M2" in w for w in data["warnings"])
    assert smtp_server.handler.received == []
    assert not [m for m in messages(introduced) if m["kind"] == "weekly"]

    intro = cli("introduce", "--send", "-w", introduced)  # sends the outbox introductions
    assert intro.exit_code == 0, intro.output
    assert len(smtp_server.handler.received) == 2
    weekly = cli("checkin", "--send", "-w", introduced, "--json")
    assert weekly.exit_code == 0, weekly.output
    assert len(json.loads(weekly.stdout)["messages"]) == 4
    kinds = [r.message["Message-ID"].split(".")[2] for r in smtp_server.handler.received]
    assert kinds[:2] == ["intro0", "intro0"]  # the introductions went first


def test_outbox_delivered_by_hand(introduced, smtp_server, cli) -> None:
    use_smtp(introduced, smtp_server.port)
    assert cli("checkin", "--outbox-delivered", "-w", introduced).exit_code == 2  # needs --send
    weekly = cli("checkin", "--send", "--outbox-delivered", "-w", introduced, "--json")
    assert weekly.exit_code == 0, weekly.output
    assert len(json.loads(weekly.stdout)["messages"]) == 4
    assert len(smtp_server.handler.received) == 4  # weekly messages only: no introduction
    for doc in (m for m in messages(introduced) if m["kind"] == "intro"):
        assert {d["status"] for d in doc["delivery"].values()} == {"sent"}
        assert all(d["by_hand"] for d in doc["delivery"].values())


# -- the journal's path -------------------------------------------------------------------------


def _journal(workspace: Path) -> Path:
    path = program_dir(workspace) / "data" / delivery.JOURNAL_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _run(workspace: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MENTORCTL_LOCK_TIMEOUT": "5", "MENTORCTL_TODAY": "2026-03-02"}
    return subprocess.run(
        [sys.executable, "-m", "mentorctl", *args, "-w", str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_a_journal_that_is_not_a_file_is_refused_in_one_line(smtp_ready, tmp_path) -> None:
    workspace, server = smtp_ready
    journal = _journal(workspace)
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(b'{"key": "M1/intro/0/all", "person": "P1", "at": "t"}\n')
    before = store_path(workspace).read_bytes()
    for make, what in (
        (lambda: journal.symlink_to(elsewhere), "a symlink"),
        (lambda: journal.mkdir(), "a folder"),
        (lambda: os.mkfifo(journal), "a FIFO"),
    ):
        make()
        done = _run(workspace, "introduce", "--send")  # a FIFO must not hang it
        assert done.returncode == 1, done.stderr
        errors = [line for line in done.stderr.splitlines() if line.startswith("mentorctl: error")]
        assert len(errors) == 1 and f"is {what}, not a file" in errors[0], done.stderr
        assert "Traceback" not in done.stderr
        assert store_path(workspace).read_bytes() == before
        if journal.is_dir() and not journal.is_symlink():
            journal.rmdir()
        else:
            journal.unlink()
    assert elsewhere.read_bytes().count(b"\n") == 1  # never followed, never written
    assert server.handler.received == []
    done = _run(workspace, "introduce", "--send")  # the lock was let go
    assert done.returncode == 0, done.stderr
    assert len(server.handler.received) == 2


def test_all_programs_takes_outbox_delivered_too(introduced, smtp_server, cli) -> None:
    use_smtp(introduced, smtp_server.port)
    held = cli("checkin", "--all-programs", "--send", "-w", introduced, "--json")
    assert held.exit_code == 0, held.output
    assert json.loads(held.stdout)["programs"][0]["held"] == ["M1", "M2"]
    sent = cli("checkin", "--all-programs", "--send", "--outbox-delivered", "-w", introduced)
    assert sent.exit_code == 0, sent.output
    assert len(smtp_server.handler.received) == 4
