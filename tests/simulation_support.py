"""Helpers of the lifecycle simulation (tests/test_lifecycle_simulation.py); no tests of its own.

Replies as people and mail systems write them (an answer, a note, an out-of-office reply, a
stranger's reply, a delivery status notification), one SMTP server on localhost for the whole
session that refuses one chosen address with 550, and the comparison of a saved day's JSON
with the same day regenerated later (people forgotten since shown as ``[forgotten]``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml
from messages_fixtures import SENDER, Collector, EphemeralController, local_smtp
from replies_corpus import _dsn

ORGANISERS = "Life <mentoring@circle-mentoring.test>"

BODIES = {
    "answer": "1. yes\n2. 4\n3. We met on Tuesday and went through my CV.\n",
    "late": "1. yes\n2. 3\n3. Sorry this is late: we did meet that week.\n",
    "note": "Thanks! Nothing to add this week, we are getting on well.\n",
}
LEAVE = "I am on leave until next month with no access to email. For urgent matters call 555-0100."


def reply(kind: str, sender: str, to_id: str, subject: str, day: dt.date, n: int) -> EmailMessage:
    """A reply of ``kind`` (answer, late, note, auto, stranger) to the message ``to_id``."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ORGANISERS
    msg["Message-ID"] = f"<sim-{n}@mail.example.net>"
    msg["In-Reply-To"] = to_id
    msg["References"] = to_id
    msg["Date"] = email.utils.format_datetime(
        dt.datetime.combine(day, dt.time(8, 30), tzinfo=dt.UTC)
    )
    if kind == "auto":
        msg["Subject"] = f"Out of office: {subject}"
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content(LEAVE)
    else:
        msg["Subject"] = f"Re: {subject}"
        msg.set_content(BODIES.get(kind, BODIES["answer"]) + "\n> " + subject + "\n")
    return msg


def bounce(address: str, to_id: str) -> EmailMessage:
    """A Postfix DSN: the message ``to_id`` to ``address`` failed for good (5.1.1)."""
    return _dsn(address, to_id)


def add_to_maildir(path: Path, msg: EmailMessage) -> None:
    box = mailbox.Maildir(path, create=True)
    box.add(msg.as_bytes())
    box.close()


def use_smtp(program_yaml: Path, port: int) -> None:
    """Point the program at the local server: no TLS, no login, no waiting between messages."""
    data = yaml.safe_load(program_yaml.read_text(encoding="utf-8"))
    data["sender"]["email"] = SENDER
    data["smtp"] = local_smtp(port)
    program_yaml.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


_SERVER: tuple[Collector, int] | None = None


def smtp_server() -> tuple[Collector, int]:
    """One aiosmtpd server for the session (stopped with the process); its refusals are set
    by each example."""
    global _SERVER
    if _SERVER is None:
        handler = Collector()
        controller = EphemeralController(handler, hostname="127.0.0.1", port=0)
        controller.start()
        _SERVER = (handler, controller.port)
    return _SERVER


FORGOTTEN = "[forgotten]"


def forget_in(data: Any, gone: dict[str, set[str]]) -> Any:
    """``data`` with every value naming a person forgotten since (their id, name, first name
    or address, in ``gone``) shown as ``[forgotten]``, and the ways the product shows a
    forgotten person (``forgotten``, ``[forgotten]``) made one. Only who they were changes:
    every figure, status and day stays as it was shown."""
    names = set().union(*gone.values()) if gone else set()
    names |= {"forgotten", FORGOTTEN}

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str) and x in names:
            return FORGOTTEN
        return x

    return walk(data)


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON values first differ (a readable path), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: {a.get(k, '<missing>')!r} != {b.get(k, '<missing>')!r}"
            got = first_difference(a[k], b[k], f"{path}.{k}")
            if got:
                return got
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            got = first_difference(x, y, f"{path}[{i}]")
            if got:
                return got
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        return None
    if a == b or b == FORGOTTEN:  # what was shown that day, redacted since
        return None
    if a == FORGOTTEN and b in (None, ""):  # a forgotten person's name or address: none
        return None
    return f"{path}: {a!r} != {b!r}"
