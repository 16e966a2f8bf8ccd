"""A small process that stands by a run's plain SMTP connection, so that a run killed while a
message's data is with the server still learns the server's answer.

RFC 5321 hands a message over only with the server's "250" to its data. A run killed after
the data's last bytes left and before that "250" was read cannot know whether the server took
the message, so the next run sends it again (same Message-ID), and a server that did take it
delivers a second copy. Over a connection without TLS (a local relay), a run that sends starts
this process beside it, holding copies of the connection's socket, of the SMTP journal
(:mod:`mentorctl.mail.journal`) and of a pipe. The run sends a message's data but its final
".", writes ``e`` to the pipe, sends the "." (three bytes, one write: a kill cannot split it),
writes ``.``, and writes ``a`` once the server's reply is settled in the journal; ``q`` when it
closes the connection. When the run dies, the pipe reads end-of-file. After ``e`` this
process writes the final "." itself (completing the message, or a stray line the server
answers with an error after its reply to the message); after ``e`` or ``.`` it reads the
server's reply from the connection, which is still open (up to the SMTP timeout), and on a
"250" appends the journal's sent lines for the recipients of that message; then it says QUIT.
A run killed before ``e`` never sent the "." and the server never takes the message. Since the connection outlives the run, a server that scans before
answering does not see the client vanish either: it answers, and the message is recorded as
sent, not sent twice. The journal's lock (taken by the run) is held by this process too, so the
next run reads the journal only once it is done.

Over TLS the session cannot be handed on: a kill in that window leaves the message in doubt,
and it is sent again. Everything here is best effort: if this process cannot start, the run
sends as before.

The part after ``if __name__ == "__main__"`` runs under ``python -I -S`` and imports the
standard library only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket
    import subprocess

ENDING = b"e"  # all of a message's data is out but its final ".", which goes next
OUT = b"."  # a message's last bytes are out: its reply is awaited
SETTLED = b"a"  # the reply to them is read and the journal has it
QUIT = b"q"  # the run closes the connection itself


class Standby:
    """The run's side: the pipe to the standing-by process, and the process."""

    def __init__(self, process: subprocess.Popen[bytes], pipe: int) -> None:
        self._process = process
        self._pipe: int | None = pipe

    @classmethod
    def start(
        cls, sock: socket.socket, journal_fd: int, journal_path: str, timeout: float
    ) -> Standby | None:
        """The process started for ``sock``, or None when it cannot start (the run then sends
        without it)."""
        import fcntl
        import subprocess

        read_end, write_end = os.pipe()
        # Copies numbered 3 and up: a run started with stdin, stdout or stderr closed (cron's
        # ">&-") may hold the socket or the journal on 0-2, which the child's own
        # stdin/stdout/stderr would replace.
        fds = [
            fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
            for fd in (sock.fileno(), read_end, journal_fd)
        ]
        os.close(read_end)
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", __file__, *map(str, fds), journal_path, str(timeout)],
                pass_fds=fds,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            os.close(write_end)
            return None
        finally:
            for fd in fds:
                os.close(fd)
        return cls(process, write_end)

    def mark(self, what: bytes) -> None:
        if self._pipe is not None:
            try:
                os.write(self._pipe, what)
            except OSError:  # it is gone: the run goes on as without it
                self._close_pipe()

    def stop(self) -> None:
        """Tell it the run closes the connection itself, and wait for it to go."""
        import subprocess

        self.mark(QUIT)
        self._close_pipe()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _close_pipe(self) -> None:
        if self._pipe is not None:
            with contextlib.suppress(OSError):
                os.close(self._pipe)
            self._pipe = None


# -- the standing-by process ---------------------------------------------------------------


def _reply_code(sock: socket.socket, timeout: float) -> int | None:
    """The code of the server's next complete reply, or None (closed, garbled, too late)."""
    import select
    import time

    deadline = time.monotonic() + timeout
    got = b""
    while len(got) < 65536:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        chunk = sock.recv(4096)
        if not chunk:
            return None
        got += chunk
        done, code = final_reply(got)
        if done:
            return code
    return None


def final_reply(data: bytes) -> tuple[bool, int | None]:
    """Whether ``data`` (from the server) holds a whole reply, and its code (None when it is
    garbled): a multi-line reply ends with the line whose code is followed by a space."""
    for line in data.split(b"\r\n")[:-1]:
        if line[3:4] in (b" ", b""):  # a reply's last line: "250 text" or "250"
            return True, (int(line[:3]) if line[:3].isdigit() else None)
    return False, None


def _in_doubt(journal_path: str) -> list[dict[str, object]]:
    """The journal's lines for the last message handed over and not yet recorded as sent."""
    import json

    with open(journal_path, "rb") as handle:
        entries = []
        for line in handle.read().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict) and "key" in entry and "person" in entry:
                    entries.append(entry)
    if not entries or not entries[-1].get("handed"):
        return []
    key = entries[-1]["key"]
    sent = {e["person"] for e in entries if e["key"] == key and not e.get("handed")}
    return [e for e in entries if e["key"] == key and e.get("handed") and e["person"] not in sent]


def _record(journal_fd: int, entries: list[dict[str, object]]) -> None:
    import json

    lines = b"".join(
        json.dumps({k: v for k, v in e.items() if k != "handed"}, separators=(",", ":")).encode()
        + b"\n"
        for e in entries
    )
    # a killed writer's torn last line is skipped by the reader; start on a line of our own
    os.write(journal_fd, b"\n" + lines)
    os.fsync(journal_fd)


def main(argv: list[str]) -> int:
    import socket

    sock_fd, pipe_fd, journal_fd = (int(a) for a in argv[:3])
    journal_path, timeout = argv[3], float(argv[4])
    sock = socket.socket(fileno=sock_fd)
    last = b""
    while chunk := os.read(pipe_fd, 512):
        last = chunk[-1:]
        if last == QUIT:
            return 0
    if last not in (ENDING, OUT):
        return 0  # the run died between messages, or inside one's data: nothing to learn
    try:
        doubt = _in_doubt(journal_path)
        if doubt and last == ENDING:
            # The run died just before or just after writing the final "." (three bytes: one
            # write, never split): writing it here completes the message, or is a stray line
            # the server answers with an error after its reply to the message.
            sock.sendall(b".\r\n")
        if doubt and _reply_code(sock, timeout) == 250:
            _record(journal_fd, doubt)
        with contextlib.suppress(OSError):
            sock.sendall(b"QUIT\r\n")
    except OSError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
