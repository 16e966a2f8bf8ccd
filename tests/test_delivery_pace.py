"""A plain SMTP connection with its standby process (mentorctl/mail/standby.py) takes each
message about as fast as the standard library's own client: writing a message's final "."
on its own must not wait for the server to acknowledge the rest of the data (Nagle's
algorithm against the server's delayed acknowledgement: some 40 ms a message on Linux, far
more on other systems, for every message of a run). A real server (aiosmtpd) on localhost;
the figure is a ratio to smtplib's own pace measured in the same test.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from email.headerregistry import Address
from pathlib import Path

import pytest
from messages_fixtures import Collector, EphemeralController

from mentorctl.mail import delivery

COUNT = 25


@pytest.fixture
def server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _data(n: int) -> bytes:
    return f"Message-ID: <w{n}.token@example.org>\r\nSubject: Week 1\r\n\r\nHello\r\n".encode()


def _stdlib_pace(port: int) -> float:
    """Seconds for messages 2..COUNT written by smtplib in one write each."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("team@example.org", ["ana@example.org"], _data(0))
        start = time.perf_counter()
        for n in range(1, COUNT):
            smtp.sendmail("team@example.org", ["ana@example.org"], _data(n))
        return time.perf_counter() - start


def _mentorctl_pace(port: int, data_dir: Path) -> float:
    """Seconds for messages 2..COUNT through mentorctl's sender, its standby started by the
    first."""
    settings = delivery.SmtpSettings("127.0.0.1", port, "none", "", "X", 1_000_000)
    sender = delivery.SmtpSender(settings, None)
    sender.open()
    journal = delivery.Journal(data_dir)
    journal.ready()
    team, people = (
        Address(addr_spec="team@example.org"),
        {"P1": Address(addr_spec="ana@example.org")},
    )
    try:
        start = 0.0
        for n in range(COUNT):
            if n == 1:
                start = time.perf_counter()
            data = _data(100 + n)
            out = delivery.deliver(sender, team, people, data, lambda d=data: d, journal=journal,
                                   key=f"M1-weekly-w{n:02d}", at="2026-03-02T09:00:00+00:00")  # fmt: skip
            assert out == {"P1": None}
        return time.perf_counter() - start
    finally:
        sender.close()
        journal.close()


def test_a_plain_connection_with_its_standby_keeps_smtplib_s_pace(server, tmp_path) -> None:
    handler, port = server
    baseline = _stdlib_pace(port)
    ours = _mentorctl_pace(port, tmp_path)
    assert len(handler.received) == 2 * COUNT
    # 40 ms a message with the delay: about a second over 24; a few ms a message without
    assert ours < 5 * baseline + 0.25, (ours, baseline)
