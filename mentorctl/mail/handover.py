"""An SMTP connection that reports the two moments of a message's data that matter.

``handing_over`` is called just before the last bytes of a message (its final ".") are
written: from then on the server may have the message, and the outcome is unknown until its
reply. ``accepted`` is called the moment the server's "250" to the data has arrived: RFC
5321 hands the message over only then, and that is when the run's journal records it as sent
(see :mod:`mentorctl.mail.delivery`). On a plain socket the reply is looked at (``MSG_PEEK``)
and recorded before it is taken from the socket, and the ``standby`` process is told when the
data is out and when its reply is settled: a run killed in between leaves the reply on the
connection for the standby to read (:mod:`mentorctl.mail.standby`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mentorctl.mail.standby import ENDING, OUT, SETTLED, final_reply

if TYPE_CHECKING:
    import smtplib

    from mentorctl.mail.standby import Standby


@functools.cache
def watched(base: type[smtplib.SMTP]) -> type[smtplib.SMTP]:
    """``base`` (SMTP or SMTP_SSL) calling ``handing_over`` before a message's last bytes
    leave and ``accepted`` as soon as the server's "250" to them is read."""

    class Watched(base):  # type: ignore[misc, valid-type]
        handing_over: Callable[[], None] | None = None
        accepted: Callable[[], None] | None = None
        standby: Standby | None = None
        rcpt_refused: set[str] = set()  # noqa: RUF012  (replaced per message by mail())
        _data_out = False
        _settled = False

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
            last = s[-5:] in (b"\r\n.\r\n", "\r\n.\r\n")
            if last and self.handing_over is not None:
                self.handing_over()
            if last and self.standby is not None:
                # Until its final "." the server cannot take the message; the standby knows
                # when that "." may have left (see mentorctl.mail.standby).
                super().send(s[:-3])
                self.standby.mark(ENDING)
                super().send(s[-3:])
                self.standby.mark(OUT)
            else:
                super().send(s)
            if last:
                self._data_out = True

        def getreply(self) -> tuple[int, bytes]:
            if self._data_out:
                self._data_out = False
                # The reply is recorded while it still waits on the socket, before it is
                # taken: a run killed now leaves it there for the standby to read.
                code = self._peek()
                if code is not None:
                    if code == 250 and self.accepted is not None:
                        self.accepted()
                    self._settle()
            return super().getreply()

        def data(self, msg: bytes | str) -> tuple[int, bytes]:
            self._settled = False
            code, resp = super().data(msg)
            if not self._settled:
                if code == 250 and self.accepted is not None:
                    self.accepted()
                self._settle()
            return code, resp

        def _settle(self) -> None:
            self._settled = True
            if self.standby is not None:
                self.standby.mark(SETTLED)

        def _peek(self) -> int | None:
            """The code of the complete reply waiting on a plain socket, left in place."""
            import socket
            import ssl

            if self.sock is None or isinstance(self.sock, ssl.SSLSocket):
                return None
            try:
                seen = self.sock.recv(4096, socket.MSG_PEEK)
            except OSError:
                return None
            return final_reply(seen)[1]  # None too when not all of it is there: read as usual

    Watched.__name__ = f"Watched{base.__name__}"
    return Watched
