"""An SMTP connection that reports the moment a message is handed over.

Once the last byte of a message's data (the final ".") is in the kernel's hands, the server
gets the whole message even if mentorctl is killed that instant; that is when the run's
journal records the delivery (see :mod:`mentorctl.mail.delivery`), rather than a round trip
later at the server's "250".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import smtplib


@functools.cache
def watched(base: type[smtplib.SMTP]) -> type[smtplib.SMTP]:
    """``base`` (SMTP or SMTP_SSL) telling the run the moment a message's last byte is handed
    to the kernel: from then on the server gets the whole message even if mentorctl is
    killed, so that is when the journal records it, not a round trip later at the "250"."""

    class Watched(base):  # type: ignore[misc, valid-type]
        handed_over: Callable[[], None] | None = None
        rcpt_refused: set[str] = set()  # noqa: RUF012  (replaced per message by mail())

        def mail(self, sender: str, options: Any = ()) -> tuple[int, bytes]:
            self.rcpt_refused = set()
            return super().mail(sender, options)

        def rcpt(self, recip: str, options: Any = ()) -> tuple[int, bytes]:
            code, resp = super().rcpt(recip, options)
            if code not in (250, 251):
                self.rcpt_refused.add(recip)
            return code, resp

        def send(self, s: bytes | str) -> None:
            # Only a message's data ends with CRLF.CRLF; a command ends with one CRLF.
            if self.handed_over is None or s[-5:] not in (b"\r\n.\r\n", "\r\n.\r\n"):
                super().send(s)
                return
            # Corked, the kernel holds the last bytes until the journal has its line: the
            # server is not woken (and this process not put aside for it) in between. A
            # kill before the uncork still sends them (a closed socket flushes what it holds).
            corked = _cork(self.sock, True)
            try:
                super().send(s)
                self.handed_over()
            finally:
                if corked:
                    _cork(self.sock, False)

    Watched.__name__ = f"Watched{base.__name__}"
    return Watched


def _cork(sock: Any, on: bool) -> bool:
    """Set TCP_CORK (Linux) on ``sock``; False where that cannot be done."""
    import socket

    option = getattr(socket, "TCP_CORK", None)
    if sock is None or option is None:
        return False
    try:
        sock.setsockopt(socket.IPPROTO_TCP, option, int(on))
    except OSError:
        return False
    return True
