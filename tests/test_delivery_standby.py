"""The standby process of a plain SMTP connection (mentorctl/mail/standby.py): a run killed
after a message's data left, before the server's "250" was read, still has the message
recorded as sent, by the process that holds the connection; a run killed inside the data
leaves it in doubt, to be sent again. A real SMTP server (aiosmtpd, answering a little late as a
server that scans mail does) and a real run in a subprocess, killed with SIGKILL at the moment
under test.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from messages_fixtures import EphemeralController

from mentorctl.mail.journal import Journal

# One delivery through mentorctl's sender, killed at MOMENT: "reply" (the data is out, its reply
# not read yet), "data" (half of the data written), "ending" (all but the final "." written),
# "dot" (the final "." written, the standby not told yet), or never ("none").
RUN = """
import os, signal, smtplib, sys
from email.headerregistry import Address
from pathlib import Path
from mentorctl.mail import delivery
from mentorctl.mail.handover import watched

port, data_dir, moment = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if moment.endswith("-closed"):  # as cron with ">&- 2>&- <&-": the socket lands on 0-2
    moment = moment.removesuffix("-closed")
    for fd in (0, 1, 2):
        os.close(fd)
Watched = watched(smtplib.SMTP)
if moment == "reply":
    getreply = Watched.getreply
    def killed_before_reply(self):
        if self._data_out:
            os.kill(os.getpid(), signal.SIGKILL)
        return getreply(self)
    Watched.getreply = killed_before_reply
elif moment == "data":
    send = Watched.send
    def killed_inside_data(self, s):
        if s[-5:] == b"\\r\\n.\\r\\n":
            self.handing_over()
            send(self, s[: len(s) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return send(self, s)
    Watched.send = killed_inside_data
elif moment in ("ending", "dot"):
    from mentorctl.mail import standby
    mark = standby.Standby.mark
    def killed_around_the_final_dot(self, what):
        if what == standby.ENDING and moment == "ending":
            mark(self, what)  # the standby is told; the final "." has not left
            os.kill(os.getpid(), signal.SIGKILL)
        if what == standby.OUT and moment == "dot":
            os.kill(os.getpid(), signal.SIGKILL)  # the "." has left; the standby not told
        return mark(self, what)
    standby.Standby.mark = killed_around_the_final_dot
settings = delivery.SmtpSettings("127.0.0.1", port, "none", "", "X", 6000)
sender = delivery.SmtpSender(settings, None)
sender.open()
journal = delivery.Journal(data_dir)
journal.ready()
data = b"Message-ID: <w1.token@example.org>\\r\\nSubject: Week 1\\r\\n\\r\\nHello\\r\\n"
people = {"P1": Address(addr_spec="ana@example.org"), "P2": Address(addr_spec="ben@example.org")}
out = delivery.deliver(
    sender, Address(addr_spec="team@example.org"), people, data, lambda: data,
    journal=journal, key="M1-weekly-w01", at="2026-03-02T09:00:00+00:00",
)
sender.close()
journal.close()
print(out)
"""


class Late:
    """Keeps each message only after answering late, as a scanning server does; a client gone
    before then loses it (aiosmtpd cancels the handler)."""

    def __init__(self) -> None:
        self.got: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.3)
        self.got.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def late_server():
    handler = Late()
    controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _run(port: int, data_dir: Path, moment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, str(port), str(data_dir), moment],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _journal(data_dir: Path) -> dict[str, bool]:
    """person -> sent (True) or handed over, outcome unknown (False); read as the next run
    does, which waits while a standby holds the journal."""
    return {e["person"]: not e.get("handed") for e in Journal(data_dir).read()}


@pytest.mark.parametrize("moment", ["reply", "reply-closed"])
def test_a_run_killed_before_the_reply_has_the_message_recorded_by_its_standby(
    late_server, tmp_path: Path, moment: str
) -> None:
    handler, port = late_server
    done = _run(port, tmp_path, moment)
    assert done.returncode == -9, done.stderr
    assert _journal(tmp_path) == {"P1": True, "P2": True}
    # the server kept it (the connection outlived the run) and got it once
    assert handler.got == [["ana@example.org", "ben@example.org"]]


@pytest.mark.parametrize("moment", ["ending", "dot"])
def test_a_run_killed_around_the_final_dot_has_the_message_once(
    late_server, tmp_path: Path, moment: str
) -> None:
    handler, port = late_server
    done = _run(port, tmp_path, moment)
    assert done.returncode == -9, done.stderr
    assert _journal(tmp_path) == {"P1": True, "P2": True}
    assert handler.got == [["ana@example.org", "ben@example.org"]]


def test_a_run_killed_inside_the_data_leaves_the_message_in_doubt(
    late_server, tmp_path: Path
) -> None:
    handler, port = late_server
    done = _run(port, tmp_path, "data")
    assert done.returncode == -9, done.stderr
    assert _journal(tmp_path) == {"P1": False, "P2": False}  # sent again by the next run
    threading.Event().wait(0.5)  # longer than the server's delay: it kept nothing
    assert handler.got == []


def test_a_run_that_ends_stops_its_standby(late_server, tmp_path: Path) -> None:
    handler, port = late_server
    done = _run(port, tmp_path, "none")
    assert done.returncode == 0, done.stderr
    assert "None" in done.stdout and "error" not in done.stdout
    assert _journal(tmp_path) == {"P1": True, "P2": True}
    assert handler.got == [["ana@example.org", "ben@example.org"]]
    # no process of the run is left: the journal's lock is free at once
    import fcntl
    import os

    fd = os.open(tmp_path / "smtp-journal.jsonl", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
