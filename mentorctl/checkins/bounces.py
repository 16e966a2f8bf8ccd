"""What a bounce says: which message came back, to which addresses, and whether for good.

Pure: it reads a parsed message and returns a :class:`Bounce`.

- A delivery status notification (RFC 3464) is read here with the standard library: each
  per-recipient block of its ``message/delivery-status`` part gives the address
  (``Final-Recipient``, and ``Original-Recipient`` when there is one), the ``Action`` and
  the ``Status`` code; a ``5.x.x`` status is a permanent failure, a ``4.x.x`` one a
  temporary failure, and ``delayed``, ``delivered``, ``relayed`` and ``expanded`` are no
  failure at all.
- A bounce in a mail system's own shape (no delivery-status part) is read by
  ``flufl.bounce``, GNU Mailman's detectors for the common servers (Exim, Postfix, qmail,
  Exchange, ...), which tell permanent from temporary failures without a status code.
- The message that came back is named by the Message-IDs of the returned message (an
  ``Original-Message-ID`` field of the delivery-status part, its ``message/rfc822`` or
  ``text/rfc822-headers`` part, else ``Message-ID:`` lines quoted in the text), then the
  bounce's own In-Reply-To and References.

A status is kept as its code only: a diagnostic text may hold an address or what the
server thought of it, and nothing here is shown beyond the code and its meaning.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from typing import Any

from mentorctl.checkins.reply_index import message_ids

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_QUOTED_ID = re.compile(r"(?im)^[ \t>]*message-id:[ \t]*<([^<>\s]+)>")
# How much of a text part is searched for a quoted Message-ID: the returned headers come
# first, within the first few kilobytes.
_TEXT_LIMIT = 64 * 1024
# A text part larger than this (encoded) is not searched at all.
_PART_LIMIT = 1024 * 1024
_FAILED = ("failed",)
_NOT_FAILED = ("delayed", "delivered", "relayed", "expanded")

# RFC 3463's codes as an admin reads them (the rest by their class).
_MEANING = {
    "5.1.1": "no such mailbox",
    "5.1.2": "no such domain",
    "5.1.3": "bad address syntax",
    "5.1.6": "mailbox has moved",
    "5.1.10": "no such mailbox (null MX)",
    "5.2.1": "mailbox disabled",
    "5.2.2": "mailbox full",
    "5.2.3": "message too large",
    "5.4.1": "no answer from the host",
    "5.4.4": "unable to route",
    "5.4.6": "routing loop",
    "5.7.1": "delivery not authorised",
    "4.2.2": "mailbox full",
    "4.4.1": "no answer from the host",
    "4.4.7": "delivery timed out",
}


@dataclass(frozen=True)
class Failure:
    address: str  # as the bounce names it (Final-Recipient without its type)
    original: str  # Original-Recipient, when the bounce gives one
    status: str  # "5.1.1", or "" when the bounce gives no code
    permanent: bool

    @property
    def reason(self) -> str:
        """The failure as the admin reads it: its code and meaning, never the server's text."""
        kind = "permanent" if self.permanent else "temporary"
        if not self.status:
            return f"bounced ({kind} failure)"
        meaning = _MEANING.get(self.status)
        return f"bounced: {self.status}" + (f" {meaning}" if meaning else f" ({kind} failure)")


@dataclass
class Bounce:
    message_ids: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    standard: bool = False  # read from an RFC 3464 delivery-status part


def _address(value: str) -> str:
    """``rfc822; ann@example.org`` as ``ann@example.org`` (angle brackets dropped)."""
    text = " ".join(value.split())
    if ";" in text:
        text = text.split(";", 1)[1]
    return text.strip().strip("<>").strip()


def _blocks(part: Any) -> list[Any]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    # A delivery-status part the email package left as text: its blocks by blank lines.
    text = payload if isinstance(payload, str) else ""
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    return [parser.parsestr(b.strip() + "\n") for b in re.split(r"\r?\n\s*\r?\n", text) if b]


def _status_failures(part: Any) -> list[Failure]:
    out: list[Failure] = []
    for block in _blocks(part):
        final = str(block.get("Final-Recipient") or "")
        if not final:
            continue  # the per-message block
        action = " ".join(str(block.get("Action") or "").split()).lower()
        found = _STATUS.search(str(block.get("Status") or ""))
        status = ".".join(found.groups()) if found else ""
        if action in _NOT_FAILED or (status.startswith("2")):
            continue
        if action not in _FAILED and not status:
            continue
        permanent = status.startswith("5") or (not status and action in _FAILED)
        original = _address(str(block.get("Original-Recipient") or ""))
        out.append(Failure(_address(final), original, status, permanent))
    return out


def _original_ids(part: Any) -> list[str]:
    """``Original-Message-ID`` (or ``X-Original-Message-ID``) fields of a delivery-status part,
    which some servers give instead of returning the message's headers."""
    found: list[str] = []
    for block in _blocks(part):
        for name in ("Original-Message-ID", "X-Original-Message-ID"):
            found += message_ids(str(block.get(name) or ""))
    return found


def _returned_ids(part: Any) -> list[str]:
    """The Message-ID of a returned message or of its returned headers."""
    ctype = part.get_content_type()
    if ctype in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        value = inner.get("Message-ID", "") if inner is not None else ""
        return message_ids(str(value))
    if ctype in ("text/rfc822-headers", "message/rfc822-headers", "text/plain"):
        encoded = part.get_payload()
        if not isinstance(encoded, str) or len(encoded) > _PART_LIMIT:
            return []  # a large text part is not a bounce's notice: never decoded
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes):
            return []
        text = raw[:_TEXT_LIMIT].decode("ascii", "replace")
        return _QUOTED_ID.findall(text)
    return []


# flufl.bounce reads every line of every part with many patterns: a bounce larger than
# this (one returning a large attachment) is left to RFC 3464 parsing alone.
HEURISTICS_LIMIT = 2 * 1024 * 1024


def read_bounce(msg: Any, *, size: int = 0) -> Bounce:
    """What ``msg`` (a bounce, as :func:`reply_kinds.classify` told; ``size`` bytes) says."""
    found = Bounce()
    returned: list[str] = []
    quoted: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            found.standard = True
            found.failures.extend(_status_failures(part))
            returned.extend(_original_ids(part))
        elif ctype in ("message/rfc822", "message/global", "text/rfc822-headers"):
            returned.extend(_returned_ids(part))
        elif ctype == "text/plain":
            quoted.extend(_returned_ids(part))
    own = set(message_ids(str(msg.get("Message-ID", ""))))
    threaded = [
        *message_ids(str(msg.get("In-Reply-To", ""))),
        *reversed(message_ids(str(msg.get("References", "")))),
    ]
    seen: set[str] = set()
    for mid in [*returned, *quoted, *threaded]:
        if mid not in seen and mid not in own:
            seen.add(mid)
            found.message_ids.append(mid)
    if not found.standard and size <= HEURISTICS_LIMIT:
        found.failures = _non_standard(msg)
    return found


def _non_standard(msg: Any) -> list[Failure]:
    """The failed addresses of a bounce in a server's own shape, by flufl.bounce."""
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(msg)
    except Exception:  # a detector that cannot read this message finds nothing in it
        return []
    out = [Failure(_decoded(a), "", "", True) for a in sorted(permanent)]
    out += [Failure(_decoded(a), "", "", False) for a in sorted(temporary - permanent)]
    return [f for f in out if f.address]


def _decoded(address: bytes | str) -> str:
    if isinstance(address, bytes):
        return address.decode("utf-8", "replace").strip().strip("<>")
    return str(address).strip().strip("<>")


__all__ = ["Bounce", "Failure", "read_bounce"]
