"""An SMTP connection that reports the two moments of a message's data that matter.

``handing_over`` is called just before the last bytes of a message (its final ".") are
written: from then on the server may have the message, and the outcome is unknown until its
reply. ``accepted`` is called the moment the server's "250" to the data has been read: RFC
5321 hands the message over only then, and that is when the run's journal records it as sent
(see :mod:`mentorctl.mail.delivery`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import smtplib


@functools.cache
def watched(base: type[smtplib.SMTP]) -> type[smtplib.SMTP]:
    """``base`` (SMTP or SMTP_SSL) calling ``handing_over`` before a message's last bytes
    leave and ``accepted`` as soon as the server's "250" to them is read."""

    class Watched(base):  # type: ignore[misc, valid-type]
        handing_over: Callable[[], None] | None = None
        accepted: Callable[[], None] | None = None
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
            if self.handing_over is not None and s[-5:] in (b"\r\n.\r\n", "\r\n.\r\n"):
                self.handing_over()
            super().send(s)

        def data(self, msg: bytes | str) -> tuple[int, bytes]:
            code, resp = super().data(msg)
            # Nothing between the reply and the journal's line: a kill in that window is
            # the one way a message goes twice.
            if code == 250 and self.accepted is not None:
                self.accepted()
            return code, resp

    Watched.__name__ = f"Watched{base.__name__}"
    return Watched
