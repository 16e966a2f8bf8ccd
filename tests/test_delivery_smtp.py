"""Delivery over a real SMTP server on localhost (aiosmtpd): recipients, headers, retries."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    PAIR_PEOPLE,
    SENDER,
    Collector,
    EphemeralController,
    messages,
    outbox_files,
    paired_fixture,
    pairs,
    parse_eml,
    program_dir,
    smtp_ready_fixture,
    smtp_server_fixture,
    store_path,
    use_smtp,
)

from mentorctl.mail import delivery


def _by_pair(received) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in received:
        out.setdefault(r.message["Message-ID"].split(".")[1], []).append(r)
    return out


def test_introductions_reach_each_pair_and_only_it(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    result = cli("introduce", "--send", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert "2 message(s) (2 introduction): 2 sent, 0 failed" in result.stdout
    got = _by_pair(server.handler.received)
    assert set(got) == {"M1", "M2"}
    for pair_id, (received,) in got.items():
        assert received.mail_from == SENDER
        assert set(received.rcpt_tos) == PAIR_PEOPLE[pair_id]
        msg = received.message
        assert {a.addr_spec for a in msg["To"].addresses} == PAIR_PEOPLE[pair_id]
        assert msg["Cc"] is None and msg["Bcc"] is None
        assert msg["From"] == f"Career Mentoring Team <{SENDER}>"
        assert msg["Subject"].startswith("Meet your Test Program match:")
        assert msg["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
        text = msg.get_body(("plain",)).get_content()
        assert "Your first step: Get to know each other" in text
        # Privacy: nobody from the other pair is named or addressed.
        others = set().union(*PAIR_PEOPLE.values()) - PAIR_PEOPLE[pair_id]
        raw = received.data.decode("utf-8", "replace")
        for address in others:
            assert address not in raw and address.split("@")[0].title() not in raw
    assert {p["status"] for p in pairs(workspace).values()} == {"active"}
    assert {m["status"] for m in messages(workspace)} == {"sent"}


def test_a_second_run_delivers_nothing(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    assert cli("checkin", "--send", "-w", workspace).exit_code == 0
    count = len(server.handler.received)
    assert count == 6  # two introductions, a week-1 message to each of the four people
    for command in ("introduce", "checkin"):
        again = cli(command, "--send", "-w", workspace)
        assert again.exit_code == 0, again.output
        assert "nothing due" in again.stdout
    assert len(server.handler.received) == count


def test_outbox_files_are_what_was_sent(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    files = outbox_files(workspace)
    assert [f.name for f in files] == ["M1-intro.eml", "M2-intro.eml"]
    sent = {r.message["Message-ID"]: r.data for r in server.handler.received}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = path.read_bytes()
        assert (
            sent[parse_eml(data)["Message-ID"]].replace(b"\r\n", b"\n").rstrip()
            == data.replace(b"\r\n", b"\n").rstrip()
        )
    assert stat.S_IMODE((program_dir(workspace) / "outbox").stat().st_mode) == 0o700


def test_a_refused_recipient_is_retried_alone_next_run(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}
    server.handler.refusal = "450 4.2.1"  # temporary: retried
    result = cli("introduce", "--send", "-w", workspace)
    assert result.exit_code == delivery.EXIT_DELIVERY_FAILED, result.output
    assert "1 message(s) could not be delivered" in result.stderr
    assert "meg@example.org" not in result.output  # no personal data in errors
    assert [r.rcpt_tos for r in server.handler.received] == [
        ["ann@example.org"],
        ["bo@example.org", "raj@example.org"],
    ]
    m1 = next(m for m in messages(workspace) if m["pair"] == "M1")
    assert m1["status"] == "failed"
    assert m1["delivery"][IDS["ann"]]["status"] == "sent"
    failed = m1["delivery"][IDS["meg"]]
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert "450" in failed["error"] and "@" not in failed["error"]
    # week 1 begins only when the introduction reached both: M1 waits for the retry
    assert pairs(workspace)["M1"]["status"] == "proposed"
    assert pairs(workspace)["M2"]["status"] == "active"
    assert "1 pair(s) not introduced, their introduction was not delivered: M1" in result.stderr
    week1 = cli("checkin", "--send", "-w", workspace, "--json")
    assert week1.exit_code == 0, week1.output
    assert {m["pair"] for m in json.loads(week1.stdout)["messages"]} == {"M2"}
    assert "1 pair(s) not introduced" in json.loads(week1.stdout)["warnings"][0]
    del server.handler.received[2:]

    server.handler.refuse = set()
    retry = cli("introduce", "--send", "-w", workspace, "--json")
    assert retry.exit_code == 0, retry.output
    data = json.loads(retry.stdout)
    assert [(m["pair"], m["to"], m["status"]) for m in data["messages"]] == [
        ("M1", [IDS["meg"]], "sent")
    ]
    assert server.handler.received[-1].rcpt_tos == ["meg@example.org"]
    assert len(server.handler.received) == 3
    m1 = next(m for m in messages(workspace) if m["pair"] == "M1")
    assert m1["status"] == "sent" and m1["delivery"][IDS["meg"]]["attempts"] == 2
    assert pairs(workspace)["M1"]["status"] == "active"
    assert data["introduced"] == ["M1"]
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    assert len(server.handler.received) == 3


def test_a_refused_message_fails_for_both_and_the_rest_goes(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"ann@example.org", "meg@example.org"}
    result = cli("introduce", "--send", "-w", workspace)
    assert result.exit_code == 4, result.output
    assert len(server.handler.received) == 1
    assert server.handler.received[0].rcpt_tos == ["bo@example.org", "raj@example.org"]


def test_outbox_first_then_send_delivers_the_written_messages(paired, smtp_server, cli) -> None:
    use_smtp(paired, smtp_server.port)
    assert cli("introduce", "-w", paired).exit_code == 0
    assert smtp_server.handler.received == []
    assert {m["status"] for m in messages(paired)} == {"written"}
    sent = cli("introduce", "--send", "-w", paired)
    assert sent.exit_code == 0, sent.output
    assert len(smtp_server.handler.received) == 2
    assert {m["status"] for m in messages(paired)} == {"sent"}


def test_the_server_being_down_stops_the_run_before_anything(paired, smtp_server, cli) -> None:
    use_smtp(paired, 1)  # nothing listens on port 1
    before = store_path(paired).read_bytes()
    result = cli("introduce", "--send", "-w", paired)
    assert result.exit_code == 1
    assert "cannot connect to the SMTP server 127.0.0.1:1" in result.stderr
    assert "nothing was sent" in result.stderr
    assert store_path(paired).read_bytes() == before
    assert not (program_dir(paired) / "data" / delivery.JOURNAL_NAME).exists()


def test_resend_delivers_the_same_message_again(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    first = server.handler.received[0].message["Message-ID"]
    refused = cli("introduce", "--send", "--resend", "-w", workspace)
    assert refused.exit_code == 2 and "--resend needs --pair" in refused.stderr
    again = cli("introduce", "--send", "--resend", "--pair", "M1", "-w", workspace)
    assert again.exit_code == 0, again.output
    assert len(server.handler.received) == 3
    assert server.handler.received[-1].message["Message-ID"] == first
    m1 = next(m for m in messages(workspace) if m["pair"] == "M1")
    assert m1["delivery"][IDS["ann"]]["attempts"] == 2


def test_limit_and_rate(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    result = cli("introduce", "--send", "--limit", "1", "-w", workspace)
    assert result.exit_code == 0, result.output
    assert "1 message(s) left for the next run" in result.stdout
    assert len(server.handler.received) == 1
    assert cli("introduce", "--send", "-w", workspace).exit_code == 0
    assert len(server.handler.received) == 2


def test_rate_limit_spaces_messages() -> None:
    settings = delivery.SmtpSettings("h", 25, "none", "", "X", rate_per_minute=30)
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    class FakeSMTP:
        def sendmail(self, *args, **kwargs):
            now[0] += 0.5  # each message takes half a second
            return {}

    sender = delivery.SmtpSender(settings, None, sleep=sleep, clock=lambda: now[0])
    sender._smtp = FakeSMTP()  # type: ignore[assignment]
    for _ in range(3):
        assert sender.send("a@b.org", ["c@d.org"], b"x") == {}
    assert slept == [pytest.approx(1.5), pytest.approx(1.5)]  # 2 s apart at 30 a minute


def test_password_comes_from_the_environment_and_is_never_stored(paired, cli, monkeypatch) -> None:
    from aiosmtpd.smtp import AuthResult

    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret-pw", handled=False)

    handler = Collector()
    controller = EphemeralController(
        handler, hostname="127.0.0.1", port=0, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    try:
        use_smtp(paired, controller.port, username="mailer", password_env="TEST_SMTP_PW")
        monkeypatch.delenv("TEST_SMTP_PW", raising=False)
        missing = cli("introduce", "--send", "-w", paired)
        assert missing.exit_code == 1
        assert "TEST_SMTP_PW is not set" in missing.stderr
        assert handler.received == [] and pairs(paired)["M1"]["status"] == "proposed"

        monkeypatch.setenv("TEST_SMTP_PW", "wrong")
        wrong = cli("introduce", "--send", "-w", paired)
        assert wrong.exit_code == 1 and "refused the login" in wrong.stderr
        assert "wrong" not in wrong.output

        monkeypatch.setenv("TEST_SMTP_PW", "s3cret-pw")
        ok = cli("introduce", "--send", "-w", paired)
        assert ok.exit_code == 0, ok.output
        assert seen[-1] == (b"mailer", b"s3cret-pw") and len(handler.received) == 2
    finally:
        controller.stop()
    for path in [*program_dir(paired).rglob("*"), store_path(paired)]:
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes(), path


def test_no_prompt_without_a_terminal() -> None:
    settings = delivery.SmtpSettings("h", 25, "none", "user", "NOPE_PW", 60)
    with pytest.raises(delivery.ConfigError, match="NOPE_PW is not set"):
        delivery.smtp_password(settings, environ={}, interactive=False)
    asked = delivery.smtp_password(settings, environ={}, interactive=True, ask=lambda p: "typed")
    assert asked == "typed"
    assert delivery.smtp_password(settings, environ={"NOPE_PW": "env"}, interactive=True) == "env"
    no_user = delivery.SmtpSettings("h", 25, "none", "", "NOPE_PW", 60)
    assert delivery.smtp_password(no_user, environ={}, interactive=False) is None


def test_a_run_killed_while_sending_is_settled_not_repeated(smtp_ready, cli, monkeypatch) -> None:
    """The journal: what the server accepted before the crash is never sent again."""
    workspace, server = smtp_ready
    real_send = delivery.SmtpSender.send
    calls = []

    def crash_on_second(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies mid-run
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(delivery.SmtpSender, "send", crash_on_second)
    crashed = cli("introduce", "--send", "-w", workspace)
    assert crashed.exit_code == 130
    assert len(server.handler.received) == 1
    journal = program_dir(workspace) / "data" / delivery.JOURNAL_NAME
    assert journal.exists()
    assert {m["status"] for m in messages(workspace)} == {"queued"}  # committed before sending
    monkeypatch.setattr(delivery.SmtpSender, "send", real_send)

    result = cli("introduce", "--send", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["recovered"] == 4  # two people of each introduction
    assert [m["pair"] for m in data["messages"]] == ["M2"]  # only the unconfirmed one again
    assert len(server.handler.received) == 2
    assert {r.message["Message-ID"].split(".")[1] for r in server.handler.received} == {"M1", "M2"}
    assert {m["status"] for m in messages(workspace)} == {"sent"}
    assert not journal.exists()


def test_describe_smtp_error_masks_addresses() -> None:
    text = delivery.describe_smtp_error(550, b"5.1.1 <meg@example.org>: Recipient address rejected")
    assert text == "550 5.1.1 <address>: Recipient address rejected"


def test_outbox_write_is_private(tmp_path: Path) -> None:
    box = delivery.Outbox(tmp_path / "prog")
    path = box.write("outbox/M1-weekly-w01.eml", b"data")
    assert path.read_bytes() == b"data"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert os.access(path, os.R_OK)


def test_starttls_is_required_when_configured(paired, smtp_server, cli) -> None:
    use_smtp(paired, smtp_server.port, security="starttls")  # this server offers no STARTTLS
    before = store_path(paired).read_bytes()
    result = cli("introduce", "--send", "-w", paired)
    assert result.exit_code == 1
    assert "STARTTLS with the SMTP server" in result.stderr and "nothing was sent" in result.stderr
    assert smtp_server.handler.received == []
    assert store_path(paired).read_bytes() == before


def test_the_journal_takes_back_what_the_server_refused_at_the_end(tmp_path: Path) -> None:
    journal = delivery.Journal(tmp_path)
    journal.ready()
    key = "M1/intro/0/all"
    journal.append({"key": key, "person": "P1", "at": "t"}, {"key": key, "person": "P3", "at": "t"})
    journal.append({"key": key, "person": "P3", "refused": True})
    journal.close()
    with open(journal.path, "ab") as handle:
        handle.write(b'{"key": "M2/intro/0/all", "per')  # the torn line of a killed run
    assert [(e["key"], e["person"]) for e in journal.read()] == [(key, "P1")]


class RefusingData(Collector):
    """Accepts every recipient, then refuses the message of pair M1 at the end of its data."""

    async def handle_DATA(self, server, session, envelope):
        if b".M1." in bytes(envelope.content).split(b"Message-ID:", 1)[1][:40]:
            return "554 5.7.1 Message rejected as spam"
        return await super().handle_DATA(server, session, envelope)


def test_a_message_refused_after_its_data_fails_for_both(paired, cli) -> None:
    handler = RefusingData()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        use_smtp(paired, controller.port)
        result = cli("introduce", "--send", "-w", paired)
    finally:
        controller.stop()
    assert result.exit_code == 4, result.output
    assert [r.message["Message-ID"].split(".")[1] for r in handler.received] == ["M2"]
    m1 = next(m for m in messages(paired) if m["pair"] == "M1")
    assert m1["status"] == "failed"
    assert {d["error"] for d in m1["delivery"].values()} == {"554 5.7.1 Message rejected as spam"}
    assert not (program_dir(paired) / "data" / delivery.JOURNAL_NAME).exists()


def test_a_message_left_in_doubt_goes_again_with_its_message_id(smtp_ready, cli, monkeypatch):
    """Killed after the message's last bytes left and before the journal had the server's
    "250": the outcome is unknown, so the next run sends it again, with the same Message-ID."""
    workspace, server = smtp_ready
    real_send = delivery.SmtpSender.send

    def killed_at_the_250(self, *args, accepted=None, **kwargs):
        def dies(addresses):
            raise KeyboardInterrupt  # the process dies before the journal's line

        return real_send(self, *args, accepted=dies, **kwargs)

    monkeypatch.setattr(delivery.SmtpSender, "send", killed_at_the_250)
    assert cli("introduce", "--send", "-w", workspace).exit_code == 130
    journal = program_dir(workspace) / "data" / delivery.JOURNAL_NAME
    assert [json.loads(line).get("handed") for line in journal.read_text().splitlines()] == [
        True,
        True,
    ]
    monkeypatch.setattr(delivery.SmtpSender, "send", real_send)
    result = cli("introduce", "--send", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert [m["pair"] for m in json.loads(result.stdout)["messages"]] == ["M1", "M2"]
    first, again = server.handler.received[0], server.handler.received[1]
    assert first.message["Message-ID"] == again.message["Message-ID"]
    assert first.rcpt_tos == again.rcpt_tos
    m1 = next(m for m in messages(workspace) if m["pair"] == "M1")
    assert m1["status"] == "sent" and {d["attempts"] for d in m1["delivery"].values()} == {2}
