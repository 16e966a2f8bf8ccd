"""A plain SMTP connection with its standby process (mentorctl/mail/standby.py) writes each
message's final "." on its own, so the socket must not hold small writes back (Nagle's
algorithm against the server's delayed acknowledgement: some 40 ms a message on Linux, for
every message of a run). A real server (aiosmtpd) on localhost; the pace itself is measured
against smtplib's by benchmarks/bench_delivery_pace.py.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from messages_fixtures import Collector, EphemeralController

from mentorctl.mail import delivery


@pytest.fixture
def port() -> Iterator[int]:
    controller = EphemeralController(Collector(), hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def test_the_standby_connection_sends_small_writes_at_once(port: int, tmp_path) -> None:
    settings = delivery.SmtpSettings("127.0.0.1", port, "none", "", "X", 1_000_000)
    sender = delivery.SmtpSender(settings, None)
    sender.open()
    journal = delivery.Journal(tmp_path)
    journal.ready()
    try:
        sock = sender._smtp.sock  # the connection the standby shares
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        sender.stand_by(journal)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sender.close()
        journal.close()
