"""Email headers and whole emails: made here, folded here, and checked from their own bytes.

Headers: a message has From (``program.yaml`` sender), To (the pair's two people only),
Subject, Date, a Message-ID derived from the program, pair, step and recipient under the
workspace's secret key (:func:`message_token`: so a resent message keeps its identity, and
nobody but its recipient can name it in a reply), ``Auto-Submitted: auto-generated`` and optionally Reply-To. The email
package of early Python 3.11 and 3.12 releases lets data add or end a header: a line break
at the end of a value (CPython gh-121650), and an RFC 2047 encoded word in a name
(``=?utf-8?q?x=0D=0ABcc:...?=``) that its folder decodes and writes out again with the line
break in it. So nothing here relies on its folder: every header value is made one line
(each run of white space, line breaks included, becomes one space, other control
characters are dropped), an address holding white space or a control character is refused,
and the Subject and display names are written and folded here, as plain text when they are
ASCII without ``=?``, else as base64 encoded words made here, which a reader decodes once,
back to the literal text. Every built message is then parsed back from its bytes and
checked (:func:`verify_email`): exactly the headers set here, the To addresses exactly the
pair's, the Subject as rendered; one that fails is refused alone. Bodies are text/plain
(UTF-8), with a text/html alternative when the program has an HTML template.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.header
import email.parser
import email.policy
import email.utils
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from mentorctl.errors import InputError

if TYPE_CHECKING:
    from mentorctl.programs.program import Program

SUBJECT_LIMIT = 250


@dataclass(frozen=True)
class Rendered:
    """A message as its templates rendered it: the Subject line, the text, the HTML if any."""

    subject: str
    text: str
    html: str | None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters no address may hold: anything that could end a header line or a list.
_BAD_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f-\x9f<>,;\"\\]")


# -- headers ------------------------------------------------------------------------------


def header_text(value: Any, limit: int = SUBJECT_LIMIT) -> str:
    """``value`` as one header line: white space runs (line breaks included) become one space,
    other control characters are dropped."""
    text = " ".join(str(value).split())
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    return text[:limit]


class UnusableAddress(InputError):
    """A person's (or the sender's) address cannot go into a header or an SMTP envelope."""


def checked_address(
    addr: str, *, who: str, hint: str = "correct it in the sign-up export and import it again"
) -> str:
    """An address safe to put in a header and an SMTP envelope, or an error naming ``who``."""
    if (
        not isinstance(addr, str)
        or addr.count("@") != 1
        or _BAD_ADDRESS.search(addr)
        or addr.startswith("@")
        or addr.endswith("@")
    ):
        raise UnusableAddress(
            f"{who} has an email address that cannot be used in a message", hint=hint
        )
    return addr


def make_address(name: Any, addr: str, *, who: str, hint: str | None = None) -> Address:
    checked = (
        checked_address(addr, who=who)
        if hint is None
        else checked_address(addr, who=who, hint=hint)
    )
    local, _, domain = checked.partition("@")
    return Address(display_name=header_text(name or "", 200), username=local, domain=domain)


def ascii_address(address: Address) -> Address | None:
    """``address`` written in ASCII (a non-ASCII domain as IDNA), for a server without
    SMTPUTF8; None when its local part is not ASCII, which only SMTPUTF8 can carry."""
    if address.addr_spec.isascii():
        return address
    if not address.username.isascii():
        return None
    try:
        domain = address.domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return Address(display_name=address.display_name, username=address.username, domain=domain)


def address_domain(addr: str) -> str:
    domain = addr.rpartition("@")[2].strip().lower()
    try:
        return domain.encode("idna").decode("ascii") if domain else "mentorctl.invalid"
    except UnicodeError:
        return "mentorctl.invalid"


def message_id(token: str, pair_id: str, kind: str, week: int, part: str, domain: str) -> str:
    """A Message-ID that is the same every time the same message is built."""
    return f"<{token}.{pair_id}.{kind}{week}.{part}@{domain}>"


def message_token(
    key: bytes, slug: str, pair: Mapping[str, Any], kind: str, week: int, part: str
) -> str:
    """The token of one message to one recipient (``part``: their person id, or ``all`` for
    one email to both people of a pair): an HMAC-SHA256 under the workspace's key, 80 bits in
    hex. The same message to the same recipient always gets the same token (a resent
    message keeps its Message-ID); the other person of the pair cannot work it out from
    their own."""
    seed = "|".join(
        str(x)
        for x in (
            slug,
            pair.get("id"),
            pair.get("created"),
            pair.get("mentee"),
            pair.get("mentor"),
            kind,
            week,
            part,
        )
    )
    return hmac.digest(key, seed.encode("utf-8"), "sha256")[:10].hex()


def pair_token(slug: str, pair: Mapping[str, Any]) -> str:
    """A short hash telling this pair apart from an earlier pair with the same id (a store
    that was started again), so that their Message-IDs never collide."""
    seed = "|".join(
        str(x)
        for x in (slug, pair.get("id"), pair.get("created"), pair.get("mentee"), pair.get("mentor"))
    )
    return hashlib.blake2b(seed.encode("utf-8"), digest_size=5).hexdigest()


# -- building an email --------------------------------------------------------------------

# Every header is made and folded here (see _address_header, _unstructured) and stored raw,
# which refold_source="none" keeps as is.
_POLICY = email.policy.SMTP.clone(refold_source="none")
_POLICY_UTF8 = email.policy.SMTPUTF8.clone(refold_source="none")
# Bytes of UTF-8 per encoded word: base64 of 45 bytes is 60 characters, 72 with the markers,
# within RFC 2047's 75.
_WORD_BYTES = 45


def needs_smtputf8(addresses: list[Address]) -> bool:
    return not all(a.addr_spec.isascii() for a in addresses)


def _encoded_words(text: str) -> list[str]:
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if len(chunk) + len(data) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    if chunk:
        words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words]


def _plain(text: str) -> bool:
    """Text a reader shows as written: ASCII, printable, and nothing a decoder would decode."""
    return text.isascii() and text.isprintable() and "=?" not in text


def _fold(field_name: str, tokens: list[str]) -> str:
    """Header value of ``tokens`` joined by spaces, lines broken between tokens at 78."""
    lines: list[str] = []
    current = f"{field_name}:"
    for token in tokens:
        if current != f"{field_name}:" and len(current) + 1 + len(token) > 78:
            lines.append(current)
            current = ""
        current += " " + token
    lines.append(current)
    return "\r\n".join(lines)[len(field_name) + 2 :]


def _unstructured(field_name: str, text: str) -> str:
    """A Subject-like value, folded here: plain words, or encoded words made here."""
    text = header_text(text)
    if _plain(text):
        return _fold(field_name, text.split(" ")) if text else ""
    return _fold(field_name, _encoded_words(text))


def _address_header(field_name: str, addresses: list[Address]) -> str:
    """An address list as a header value, folded by hand at 78 characters.

    CPython's folder (3.11, and 3.12 at the time of writing) can put the comma between two
    addresses, or an address itself, inside an encoded word when a non-ASCII display name
    has to be folded; mail clients then see one recipient instead of two. Here a display
    name is plain (quoted when needed) when it is short ASCII without ``=?``, else a run of
    encoded words, and lines break only between tokens. A non-ASCII address (SMTPUTF8) is
    written as it is, in angle brackets.
    """
    tokens: list[str] = []
    for index, address in enumerate(addresses):
        spec = address.addr_spec
        name = header_text(address.display_name, 200)
        if not name:
            item = [f"<{spec}>" if not spec.isascii() else spec]
        elif _plain(name) and len(plain := email.utils.formataddr((name, "x@y"))) <= 66:
            item = [plain[: -len("<x@y>")] + f"<{spec}>"]
        else:
            item = [*_encoded_words(name), f"<{spec}>"]
        if index < len(addresses) - 1:
            item[-1] += ","
        tokens.extend(item)
    return _fold(field_name, tokens)


# The headers a built message may have; verify_email refuses any other.
_ALLOWED_HEADERS = frozenset(
    {
        "from",
        "to",
        "reply-to",
        "subject",
        "date",
        "message-id",
        "auto-submitted",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)


def build_email(
    rendered: Rendered,
    *,
    sender: Address,
    to: list[Address],
    reply_to: Address | None,
    date: dt.datetime,
    msg_id: str,
) -> EmailMessage:
    """A complete email. Every header value is one line; To holds exactly ``to``."""
    utf8 = needs_smtputf8([sender, *to])
    msg = EmailMessage(policy=_POLICY_UTF8 if utf8 else _POLICY)
    msg.set_raw("From", _address_header("From", [sender]))
    msg.set_raw("To", _address_header("To", to))
    if reply_to is not None:
        msg.set_raw("Reply-To", _address_header("Reply-To", [reply_to]))
    msg.set_raw("Subject", _unstructured("Subject", rendered.subject))
    msg.set_raw("Date", email.utils.format_datetime(date))
    msg.set_raw("Message-ID", header_text(msg_id).replace(" ", ""))
    msg.set_raw("Auto-Submitted", "auto-generated")
    msg.set_content(rendered.text)
    if rendered.html is not None:
        msg.add_alternative(rendered.html, subtype="html")
    return msg


class MessageRefused(InputError):
    """A built message failed the check of its own bytes; it is neither written nor sent."""


def _decoded(value: str) -> str:
    """A raw header value unfolded and its encoded words decoded, as a mail client shows it."""
    unfolded = _FOLD.sub("", value)
    return str(email.header.make_header(email.header.decode_header(unfolded)))


_FOLD = re.compile(r"\r\n(?=[ \t])")
# What no decoded header may hold (format characters such as a Persian name's zero-width
# non-joiner are fine).
_LINE_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def verify_email(
    msg: EmailMessage,
    data: bytes,
    *,
    sender: Address,
    to: list[Address],
    reply_to: Address | None,
    subject: str,
    what: str,
) -> None:
    """Parse ``data`` (``msg`` as bytes) back and check it says what was built: the same
    header names, none outside the expected set, no line break but the CRLF ending each
    line, nothing that decodes to a control character, From, To and Reply-To exactly the
    addresses given, and the Subject as rendered. A mismatch raises :class:`MessageRefused`
    naming ``what`` (a pair and message, never an address).

    It reads the header block only (where that block ends is part of the check; the bodies
    are the email package's own encoding of the rendered text), with the standard library's
    fast parsers: a full parse would cost more than building the message.
    """
    problem = None
    try:
        head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8")
        parsed = email.parser.Parser(policy=email.policy.compat32).parsestr(
            head + "\r\n\r\n", headersonly=True
        )
        names = [k.lower() for k in parsed]
        wanted = {"from": [sender], "to": to, "reply-to": [reply_to] if reply_to else []}
        if names != [k.lower() for k in msg] or not set(names) <= _ALLOWED_HEADERS:
            problem = "its headers are not the ones it was built with"
        elif parsed.defects or any("\r" in ln or "\n" in ln for ln in head.split("\r\n")):
            problem = "it does not parse cleanly"
        elif any(_LINE_OR_CONTROL.search(_decoded(v)) for v in parsed.values()):
            problem = "a header decodes to a control character"
        else:
            for name, addresses in wanted.items():
                value = parsed.get(name)
                found = [a for _, a in email.utils.getaddresses([value])] if value else []
                if found != [a.addr_spec for a in addresses]:
                    problem = f"its {name.title()} addresses are not the pair's"
                    break
            else:
                if _decoded(parsed.get("Subject", "")) != header_text(subject):
                    problem = "its Subject is not the rendered one"
    except Exception as exc:  # any parse failure means the bytes are not what was built
        problem = f"it cannot be parsed back ({type(exc).__name__})"
    if problem is not None:
        raise MessageRefused(
            f"{what} was refused: {problem}; it was not written or sent",
            hint="check the names of its people and the subject template",
        )


def ascii_only(
    sender: Address, to: list[Address], reply_to: Address | None, *, on: bool = True
) -> tuple[Address, list[Address], Address | None]:
    """The addresses of a message, ``on``: as ASCII writes them for a server without SMTPUTF8
    (a To address that ASCII cannot write is left out)."""
    if not on:
        return sender, to, reply_to
    return (
        ascii_address(sender) or sender,
        [a for a in map(ascii_address, to) if a is not None],
        ascii_address(reply_to) if reply_to else None,
    )


def build_checked(
    rendered: Rendered,
    sender: Address,
    to: list[Address],
    reply_to: Address | None,
    *,
    date: dt.datetime,
    msg_id: str,
    what: str,
) -> tuple[EmailMessage, bytes]:
    """:func:`build_email`, its bytes, and :func:`verify_email` of them (``what`` names the
    message in a refusal)."""
    msg = build_email(rendered, sender=sender, to=to, reply_to=reply_to, date=date, msg_id=msg_id)
    data = msg.as_bytes()
    verify_email(
        msg, data, sender=sender, to=to, reply_to=reply_to, subject=rendered.subject, what=what
    )
    return msg, data


def sender_addresses(program: Program) -> tuple[Address, Address | None]:
    sender = program.data["sender"]
    who = f"{program.path}: sender"
    hint = "set the program's own address under sender: in program.yaml"
    from_ = make_address(sender["name"], sender["email"], who=who, hint=hint)
    reply = sender.get("reply_to")
    if not reply:
        return from_, from_  # the organisers answer replies: never the other person of a pair
    return from_, make_address(sender["name"], reply, who=who + ".reply_to", hint=hint)


def preview_text(msg: EmailMessage) -> str:
    """A message as a person reads it: the main headers, then the plain-text body."""
    lines = [f"{name}: {msg[name]}" for name in ("From", "To", "Subject", "Date") if msg[name]]
    body = msg.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    return "\n".join(lines) + "\n\n" + text.rstrip("\n") + "\n"


__all__ = [
    "MessageRefused",
    "Rendered",
    "UnusableAddress",
    "address_domain",
    "ascii_address",
    "ascii_only",
    "build_checked",
    "build_email",
    "checked_address",
    "header_text",
    "make_address",
    "message_id",
    "message_token",
    "needs_smtputf8",
    "pair_token",
    "preview_text",
    "sender_addresses",
    "verify_email",
]
