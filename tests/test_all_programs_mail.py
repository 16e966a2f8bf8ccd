"""``checkin --all-programs`` with one mailbox and one SMTP server for the whole workspace:
each reply counts in the program whose message it answers, once; ``--send`` sends every
program's week."""

from __future__ import annotations

import email.utils
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from helpers import read_store, write_csv
from imap_server import DovecotServer, dovecot_fixture  # noqa: F401  (fixture)
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    SENDER,
    SMALL,
    SmtpServer,
    introduced_fixture,
    paired_fixture,
    parse_eml,
    smtp_server_fixture,
)
from replies_corpus import MACHINE

FIRST = "test-program"
SECOND = "second"  # first in the workspace's order: it takes what names no program
DAY = "2026-03-02"
READ_DAY = "2026-03-03"


def add_second_program(workspace: Path, cli) -> None:
    """A second program in the same workspace, the same five people signed up to it."""
    made = cli("init-program", "Second", "--template", "career", "--slug", SECOND,
               "--dir", workspace)  # fmt: skip
    assert made.exit_code == 0, made.output
    same_day(workspace / SECOND)
    for args in (
        ("import-signups", write_csv(workspace / "second.csv", SMALL)),
        ("pair", "--commit"),
        ("introduce",),
    ):
        result = cli(*args, "-p", SECOND, "-w", workspace)
        assert result.exit_code == 0, result.output


def same_day(folder: Path) -> None:
    path = folder / "program.yaml"
    text = path.read_text(encoding="utf-8")
    setting = "  first_week_with_introduction: true\n"
    if setting not in text:
        path.write_text(text.replace("  quiet_after_weeks:", setting + "  quiet_after_weeks:", 1))


def outbox_ids(folder: Path) -> dict[str, str]:
    """Message-IDs of a program's outbox files by stem ({'M1-weekly-w01-P3': '<...>'})."""
    return {
        p.stem: str(parse_eml(p.read_bytes())["Message-ID"])
        for p in sorted((folder / "outbox").rglob("*.eml"))
    }


def reply(who: str, to_id: str, body: str, n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{who.title()} <{who}@example.org>"
    msg["To"] = SENDER
    msg["Subject"] = "Re: week 1"
    msg["Message-ID"] = f"<reply-{n}@mail.example.net>"
    if to_id:
        msg["In-Reply-To"] = to_id
        msg["References"] = to_id
    msg["Date"] = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(f"Tue, 03 Mar 2026 0{n}:00:00 +0000")
    )
    msg.set_content(body)
    return msg


def answers(folder: Path) -> dict[tuple[str, str, int], dict]:
    store = read_store(folder / "data" / "store.json")
    return {(a["pair"], a["person"], a["week"]): a["answers"] for a in store["answers"].values()}


def run(cli, workspace: Path, *args: str | Path, code: int = 0) -> dict:
    result = cli("checkin", "--all-programs", "-w", workspace, "--today", READ_DAY, "--json",
                 *args)  # fmt: skip
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    return {p["program"]: p for p in data["programs"]}


@pytest.fixture
def both(introduced: Path, cli) -> Path:
    """Two programs, the same people in both, week 1's messages in both outboxes."""
    add_second_program(introduced, cli)
    result = cli("checkin", "--all-programs", "-w", introduced, "--today", DAY)
    assert result.exit_code == 0, result.output
    return introduced


def test_one_maildir_serves_both_programs_each_reply_once(both: Path, cli) -> None:
    first, second = outbox_ids(both / FIRST), outbox_ids(both / SECOND)
    ann, meg, bo = IDS["ann"], IDS["meg"], IDS["bo"]
    # the same person answers each program's week 1 in its own thread; Cy answers a message
    # of the first program that went to Meg; one reply names no message at all
    box = mailbox.Maildir(both / "Maildir", create=True)
    for msg in (
        reply("ann", first[f"M1-weekly-w01-{ann}"], "1. yes\n2. 4\n3. ok", 1),
        reply("ann", second[f"M1-weekly-w01-{ann}"], "1. yes\n2. 2\n3. ok", 2),
        reply("bo", second[f"M2-weekly-w01-{bo}"], "1. yes\n2. 5\n3. ok", 3),
        reply("cy", first[f"M1-weekly-w01-{meg}"], "1. yes\n2. 3\n3. ok", 4),
        reply("cy", "", "Hello, is this the mentoring programme?", 5),
    ):
        box.add(msg.as_bytes())
    box.close()

    got = run(cli, both, "--replies", both / "Maildir")
    assert list(got) == [SECOND, FIRST]
    one, two = got[FIRST]["replies"], got[SECOND]["replies"]
    assert (one["recorded"], one["strangers"], one["unknown"], one["other_programs"]) == (
        1, 1, 0, 3,
    )  # fmt: skip
    assert (two["recorded"], two["strangers"], two["unknown"], two["other_programs"]) == (
        2, 0, 1, 2,
    )  # fmt: skip
    assert [(x["pair"], x["status"]) for x in one["listed"]] == [("M1", "stranger")]
    assert two["listed"] == []
    assert "run" not in got[FIRST]  # --replies alone reads replies only
    a, b = answers(both / FIRST), answers(both / SECOND)
    assert set(a) == {("M1", ann, 1)} and a[("M1", ann, 1)]["progress"] == 4
    assert set(b) == {("M1", ann, 1), ("M2", bo, 1)}
    assert (b[("M1", ann, 1)]["progress"], b[("M2", bo, 1)]["progress"]) == (2, 5)

    # again, with --move-to: nothing new; each program moves only the replies it recorded
    again = run(cli, both, "--replies", both / "Maildir", "--move-to", "Done")
    one, two = again[FIRST]["replies"], again[SECOND]["replies"]
    assert (one["recorded"], one["already"], one["seen_before"], one["moved"]) == (0, 1, 1, 1)
    assert (two["recorded"], two["already"], two["seen_before"], two["moved"]) == (0, 2, 1, 2)
    assert one["listed"] == two["listed"] == []
    assert answers(both / FIRST) == a and answers(both / SECOND) == b
    assert len(mailbox.Maildir(both / "Maildir" / ".Done", create=False)) == 3
    assert len(mailbox.Maildir(both / "Maildir", create=False)) == 2  # Cy's two stay


def test_an_mbox_with_bounces_and_auto_replies_moves_each_to_its_program(both: Path, cli) -> None:
    first, second = outbox_ids(both / FIRST), outbox_ids(both / SECOND)
    ann, bo = IDS["ann"], IDS["bo"]
    machine = {m.name: m for m in MACHINE}
    path = both / "replies.mbox"
    box = mailbox.mbox(path, create=True)
    for msg in (
        reply("ann", second[f"M1-weekly-w01-{ann}"], "1. yes\n2. 2\n3. ok", 1),
        machine["qmail_bounce"].build("bo@example.org", second[f"M2-weekly-w01-{bo}"]),
        machine["gmail_vacation"].build("ann@example.org", first[f"M1-weekly-w01-{ann}"]),
        reply("ann", first[f"M1-weekly-w01-{ann}"], "1. yes\n2. 4\n3. ok", 2),
    ):
        box.add(msg.as_bytes())
    box.flush()
    box.close()
    got = run(cli, both, "--replies", path, "--move-to", "Done")
    one, two = got[FIRST]["replies"], got[SECOND]["replies"]
    # the second program read and moved its reply first; the first reads what is left
    assert (two["recorded"], two["bounces"], two["auto_replies"], two["moved"]) == (1, 1, 0, 1)
    assert (one["messages"], one["recorded"], one["bounces"], one["auto_replies"]) == (3, 1, 0, 1)
    assert (one["moved"], one["other_programs"]) == (1, 1)
    assert [x["status"] for x in two["listed"]] == ["bounce"]
    assert [x["status"] for x in one["listed"]] == ["auto_reply"]
    assert [u["person"] for u in two["undeliverable"]] == [bo] and one["undeliverable"] == []
    for slug, marked in ((SECOND, ["undeliverable"]), (FIRST, [])):
        people = read_store(both / slug / "data" / "store.json")["people"].values()
        history = next(p.get("history", []) for p in people if p.get("id") == bo)
        assert [h["event"] for h in history if h["event"] == "undeliverable"] == marked
    assert len(mailbox.mbox(both / "Done")) == 2
    assert len(mailbox.mbox(path)) == 2  # the bounce and the automatic reply stay


def test_one_imap_folder_through_dovecot_moves_each_reply_once(
    both: Path, cli, dovecot: DovecotServer, monkeypatch
) -> None:
    first, second = outbox_ids(both / FIRST), outbox_ids(both / SECOND)
    ann, meg = IDS["ann"], IDS["meg"]
    user = dovecot.new_user()
    client = dovecot.connect(user)
    try:
        for msg in (
            reply("ann", first[f"M1-weekly-w01-{ann}"], "1. yes\n2. 4\n3. ok", 1),
            reply("meg", second[f"M1-weekly-w01-{meg}"], "1. yes\n2. 3\n3. ok", 2),
            reply("cy", second[f"M1-weekly-w01-{ann}"], "1. no", 3),
        ):
            raw = msg.as_bytes().replace(b"\n", b"\r\n")
            assert client.append("INBOX", None, None, raw)[0] == "OK"
    finally:
        client.logout()
    monkeypatch.setenv("MENTORCTL_IMAP_PASSWORD", dovecot.password)
    args = (dovecot.url(user), "--cafile", str(dovecot.cafile), "--move-to", "Recorded")
    got = run(cli, both, "--replies", *args)
    one, two = got[FIRST]["replies"], got[SECOND]["replies"]
    assert (two["messages"], two["recorded"], two["strangers"], two["moved"]) == (3, 1, 1, 1)
    assert (one["messages"], one["recorded"], one["strangers"], one["moved"]) == (2, 1, 0, 1)
    assert (one["other_programs"], one["listed"]) == (1, [])
    assert answers(both / FIRST)[("M1", ann, 1)]["progress"] == 4
    assert answers(both / SECOND)[("M1", meg, 1)]["progress"] == 3
    client = dovecot.connect(user)
    try:
        assert client.select("Recorded", readonly=True)[1] == [b"2"]
        assert client.select("INBOX", readonly=True)[1] == [b"1"]  # Cy's stays
    finally:
        client.logout()


def test_text_output_is_one_line_a_program_and_the_replies_to_look_at(both: Path, cli) -> None:
    first = outbox_ids(both / FIRST)
    box = mailbox.Maildir(both / "Maildir", create=True)
    box.add(reply("cy", first[f"M1-weekly-w01-{IDS['meg']}"], "1. yes", 1).as_bytes())
    box.close()
    result = cli("checkin", "--all-programs", "-w", both, "--today", READ_DAY,
                 "--replies", both / "Maildir", "--limit", "100")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{SECOND}: replies (maildir): 1 message(s), 0 recorded | checkin")
    assert lines[1].startswith(f"{FIRST}: replies (maildir): 1 message(s), 0 recorded; 1 from")
    assert "| checkin 2026-03-03 (outbox): nothing due" in lines[1]
    assert result.stdout.count("not theirs") == 1 and "someone else" in result.stdout


def test_send_delivers_every_program_s_week(introduced: Path, cli, smtp_server: SmtpServer) -> None:
    add_second_program(introduced, cli)
    for slug in (FIRST, SECOND):
        path = introduced / slug / "program.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["sender"]["email"] = SENDER
        data["smtp"] = {"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                        "username": "", "rate_per_minute": 1_000_000}  # fmt: skip
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    box = mailbox.Maildir(introduced / "Maildir", create=True)
    box.close()
    got = run(cli, introduced, "--replies", introduced / "Maildir", "--send",
              "--outbox-delivered")  # fmt: skip
    assert [(p, got[p]["exit_code"]) for p in got] == [(SECOND, 0), (FIRST, 0)]
    for slug in (FIRST, SECOND):
        sent = [m for m in got[slug]["run"]["messages"] if m["status"] == "sent"]
        assert len(sent) == 4, got[slug]
    assert len(smtp_server.handler.received) == 8
    # a refused recipient fails one program's deliveries: that is the worst code
    smtp_server.handler.refuse.add("ann@example.org")
    later = run(cli, introduced, "--send", "--today", "2026-03-09", code=4)
    assert {p: later[p]["exit_code"] for p in later} == {SECOND: 4, FIRST: 4}
