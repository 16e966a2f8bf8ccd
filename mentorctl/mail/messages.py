"""Rendering a pair's messages with Jinja and building them as real emails.

Templates are the program's own files (``messages/*.j2``, copied from the built-in template
at init and free to edit) and the ``subject`` strings in ``program.yaml``. They render with
``StrictUndefined``: a template naming a variable that does not exist fails, naming the
template file and line, and since a run renders every message before it writes or sends
any, nothing goes out. HTML templates (``*.html.j2``) are autoescaped.

Sign-up data is data: values reach the template as plain strings, lists and dicts and are
printed as written. Jinja renders in one pass, so a name such as ``{{ 7*7 }}`` stays exactly
that. Templates belong to the admin and are trusted; data never becomes template source.

What a template sees: ``program`` {name, slug, title, description, duration_weeks, sender
{name, email}}, ``mentee`` and ``mentor`` {id, name, first_name, email, role, goals,
expertise, languages, timezone, organisation, bio, extra}, ``recipient`` (the person the
message is for in ``mode: separate``, else None), ``partner`` (the other person of the pair
when there is a ``recipient``, else None), ``nudge`` (True in the weekly message of a quiet
pair), ``pair`` {id, score, reasons,
shared_topics, start_date}, ``week`` (0 in the introduction), ``weeks_left``, ``step`` (the
week's guide step; None in the introduction), ``next_step``, ``questions`` [{key, text,
kind}] and ``fit_question`` (week 1's weekly message only, else None).

Headers: a message has From (``program.yaml`` sender), To (the pair's two people only, or
one of them), Subject, Date, a Message-ID derived from the program, pair and step (so a
resent message keeps its identity), ``Auto-Submitted: auto-generated`` and Reply-To: the
organisers (``sender.reply_to``, else the sender), so that a reply, even a reply-all to a
message both people got, reaches only them. Python 3.11's
email package still accepts a line break at the end of a header value (CPython gh-121650),
which would let a crafted name add a header; so every header value is made one line here
(each run of white space, line breaks included, becomes one space, other control
characters are dropped) and an address holding white space or a control character is
refused. The address headers (From, To, Reply-To) are folded here rather than by the email
package, whose folder can move the comma between two addresses into an encoded word when a
non-ASCII name is folded, leaving one recipient in the To header. Bodies are text/plain
(UTF-8), with a text/html alternative when the program has an HTML template.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentorctl.errors import ConfigError, InputError
from mentorctl.mail import reasons

if TYPE_CHECKING:
    import jinja2

    from mentorctl.programs.program import Program

KINDS = ("intro", "weekly", "nudge", "wrapup", "lapsed", "ended", "waiting")
# Kinds added after the first programs were made: a program.yaml or messages/ folder
# without them uses the built-in default template shipped in this package.
DEFAULT_MESSAGES_DIR = Path(__file__).with_name("default_messages")
FIT_KEY = "fit"
HTML_SUFFIXES = (".html.j2", ".htm.j2", ".html", ".htm")
SUBJECT_LIMIT = 250

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
        raise InputError(f"{who} has an email address that cannot be used in a message", hint=hint)
    return addr


def make_address(name: Any, addr: str, *, who: str, hint: str | None = None) -> Address:
    checked = (
        checked_address(addr, who=who)
        if hint is None
        else checked_address(addr, who=who, hint=hint)
    )
    local, _, domain = checked.partition("@")
    return Address(display_name=header_text(name or "", 200), username=local, domain=domain)


def address_domain(addr: str) -> str:
    domain = addr.rpartition("@")[2].strip().lower()
    try:
        return domain.encode("idna").decode("ascii") if domain else "mentorctl.invalid"
    except UnicodeError:
        return "mentorctl.invalid"


def message_id(token: str, pair_id: str, kind: str, week: int, part: str, domain: str) -> str:
    """A Message-ID that is the same every time the same message is built."""
    return f"<{token}.{pair_id}.{kind}{week}.{part}@{domain}>"


def pair_token(slug: str, pair: Mapping[str, Any]) -> str:
    """A short hash telling this pair apart from an earlier pair with the same id (a store
    that was started again), so that their Message-IDs never collide."""
    seed = "|".join(
        str(x)
        for x in (slug, pair.get("id"), pair.get("created"), pair.get("mentee"), pair.get("mentor"))
    )
    return hashlib.blake2b(seed.encode("utf-8"), digest_size=5).hexdigest()


# -- context ------------------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


def person_context(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A person as templates see them: every key present, so StrictUndefined catches typos only."""
    name = str(doc.get("name") or "")
    return {
        "id": doc.get("id"),
        "name": name,
        "first_name": str(doc.get("first_name") or first_name(name)),
        "email": doc.get("email") or "",
        "role": doc.get("role"),
        "goals": list(doc.get("goals") or ()),
        "expertise": list(doc.get("expertise") or ()),
        "languages": list(doc.get("languages") or ()),
        "timezone": doc.get("timezone"),
        "organisation": doc.get("organisation"),
        "bio": doc.get("bio"),
        "extra": dict(doc.get("extra") or {}),
    }


def shared_topics(mentee: Mapping[str, Any], mentor: Mapping[str, Any]) -> list[str]:
    """The mentee's goals that the mentor offers, in the mentee's order."""
    offered = {str(t).casefold() for t in mentor.get("expertise") or ()}
    return [t for t in mentee.get("goals") or () if str(t).casefold() in offered]


def program_context(program: Program) -> dict[str, Any]:
    data = program.data
    return {
        "name": data["name"],
        "slug": data["slug"],
        "title": data.get("title"),
        "description": data["description"],
        "duration_weeks": data["duration_weeks"],
        "sender": {"name": data["sender"]["name"], "email": data["sender"]["email"]},
    }


class ContextMaker:
    """Builds each message's template variables; the parts shared by all pairs are made once."""

    def __init__(self, program: Program) -> None:
        self.program = program_context(program)
        self.duration = int(program.data["duration_weeks"])
        self.steps = [dict(s) for s in program.data["guide"]]
        checkin = program.data["checkin"]
        self.questions = [
            {"key": q["key"], "text": q["text"], "kind": q["kind"]} for q in checkin["questions"]
        ]
        self.fit_question = checkin["fit_question"]

    def step(self, week: int) -> dict[str, Any] | None:
        return self.steps[week - 1] if 1 <= week <= self.duration else None

    def make(
        self,
        *,
        kind: str,
        week: int,
        pair: Mapping[str, Any],
        start: dt.date | None,
        mentee: dict[str, Any],
        mentor: dict[str, Any],
        recipient: dict[str, Any] | None,
        nudge: bool = False,
    ) -> dict[str, Any]:
        step = None if kind == "intro" else self.step(week)
        partner = None
        if recipient is not None:
            partner = mentor if recipient.get("id") == mentee.get("id") else mentee
        return {
            "program": self.program,
            "mentee": mentee,
            "mentor": mentor,
            "recipient": recipient,
            "partner": partner,
            "nudge": nudge,
            "pair": {
                "id": pair.get("id"),
                "score": pair.get("score"),
                "reasons": reasons.friendly(pair.get("reasons") or ()),
                "shared_topics": shared_topics(mentee, mentor),
                "start_date": start,
            },
            "week": week,
            "weeks_left": max(0, self.duration - week),
            "step": step,
            "next_step": self.step(week + 1),
            "questions": self.questions,
            "fit_question": self.fit_question if kind == "weekly" and week == 1 else None,
        }

    def waiting(self, recipient: dict[str, Any]) -> dict[str, Any]:
        """A ``waiting`` notice's variables: a mentee not paired yet, so no partner or pair."""
        return {
            "program": self.program,
            "mentee": recipient,
            "mentor": None,
            "recipient": recipient,
            "partner": None,
            "nudge": False,
            "pair": None,
            "week": 0,
            "weeks_left": self.duration,
            "step": None,
            "next_step": self.step(1),
            "questions": self.questions,
            "fit_question": None,
        }


# -- templates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


class Templates:
    """The program's message templates, compiled once per run."""

    def __init__(self, program: Program, messages_dir: Path) -> None:
        import jinja2

        self.dir = messages_dir
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.FileSystemLoader(str(messages_dir)),
                    jinja2.FileSystemLoader(str(DEFAULT_MESSAGES_DIR)),
                ]
            ),
            undefined=jinja2.StrictUndefined,
            autoescape=lambda name: bool(name) and name.endswith(HTML_SUFFIXES),
            auto_reload=False,
            keep_trailing_newline=True,
        )
        self.settings = program.data["messages"]
        self._compiled: dict[str, tuple[Any, Any, Any]] = {}

    def mode(self, kind: str) -> str:
        return str(self.settings[kind]["mode"])

    def _load(self, kind: str) -> tuple[Any, Any, Any]:
        found = self._compiled.get(kind)
        if found is None:
            settings = self.settings[kind]
            subject = self._compile_subject(kind, settings["subject"])
            body = self._get(settings["file"], f"messages.{kind}.file")
            html = (
                self._get(settings["html"], f"messages.{kind}.html")
                if settings.get("html")
                else None
            )
            found = self._compiled[kind] = (subject, body, html)
        return found

    def check(self, kinds: tuple[str, ...] = KINDS) -> None:
        """Compile the templates of ``kinds``, so a syntax error stops a run before it starts."""
        for kind in kinds:
            self._load(kind)

    def _get(self, name: str, setting: str) -> jinja2.Template:
        import jinja2

        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound:
            raise ConfigError(
                f"{setting}: no template '{name}' in {self.dir}",
                file=self.dir.parent / "program.yaml",
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"template syntax error: {exc.message}", file=f"{self.dir / name}:{exc.lineno}"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"cannot read the template: {reason}", file=self.dir / name) from None

    def _compile_subject(self, kind: str, source: str) -> jinja2.Template:
        import jinja2

        try:
            return self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"messages.{kind}.subject: template syntax error: {exc.message}",
                file=self.dir.parent / "program.yaml",
            ) from None

    def render(self, kind: str, context: dict[str, Any], *, pair_id: str) -> Rendered:
        subject, body, html = self._load(kind)
        settings = self.settings[kind]
        where = ""
        try:
            where = f"messages.{kind}.subject"
            subject_text = subject.render(context)
            where = settings["file"]
            text = body.render(context)
            html_text = None
            if html is not None:
                where = settings["html"]
                html_text = html.render(context)
        except Exception as exc:
            raise _render_error(exc, where, self.dir, kind, pair_id) from None
        return Rendered(header_text(subject_text), text, html_text)


def _render_error(exc: Exception, where: str, folder: Path, kind: str, pair_id: str) -> ConfigError:
    """A template failure as an error naming the template file and line, and the pair."""
    import jinja2

    if where.startswith("messages."):
        location: str | Path = folder.parent / "program.yaml"
        label = f"{where}: "
    else:
        path = folder / where
        line = None
        tb = exc.__traceback__
        while tb is not None:  # Jinja maps template frames back to the template's lines
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
        location = f"{path}:{line}" if line else path
        label = ""
    if isinstance(exc, jinja2.TemplateError):
        # Jinja's messages describe the template ("'x' is undefined"), never the data.
        problem = exc.message or type(exc).__name__
    else:
        problem = f"{type(exc).__name__} while rendering"
    return ConfigError(
        f"{label}{problem} (rendering the {kind} message of pair {pair_id}); nothing was sent",
        file=location,
        hint="fix the template and run the command again",
    )


# -- building an email --------------------------------------------------------------------

# Headers set through the API are folded by the email package; the address headers are
# folded here (see _address_header) and stored raw, which refold_source="none" keeps as is.
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


def _address_header(field_name: str, addresses: list[Address]) -> str | None:
    """An address list as a header value, folded by hand at 78 characters.

    CPython's folder (3.11, and 3.12 at the time of writing) can put the comma between two
    addresses, or an address itself, inside an encoded word when a non-ASCII display name
    has to be folded; mail clients then see one recipient instead of two. Here a display
    name is plain (quoted when needed) when it is short ASCII, else a run of encoded words,
    and lines break only between tokens. None for a non-ASCII address (SMTPUTF8), which the
    email package writes without encoded words.
    """
    items: list[list[str]] = []
    for address in addresses:
        spec = address.addr_spec
        if not spec.isascii():
            return None
        name = address.display_name
        if not name:
            items.append([spec])
        elif name.isascii() and len(plain := email.utils.formataddr((name, spec))) <= 70:
            items.append([plain])
        else:
            items.append([*_encoded_words(name), f"<{spec}>"])
    lines: list[str] = []
    current = f"{field_name}:"
    for index, tokens in enumerate(items):
        for position, token in enumerate(tokens):
            if position == len(tokens) - 1 and index < len(items) - 1:
                token += ","
            if current != f"{field_name}:" and len(current) + 1 + len(token) > 78:
                lines.append(current)
                current = ""
            current += " " + token
    lines.append(current)
    return "\r\n".join(lines)[len(field_name) + 2 :]


def _set_addresses(msg: EmailMessage, field_name: str, addresses: list[Address]) -> None:
    value = _address_header(field_name, addresses)
    if value is None:
        msg[field_name] = addresses
    else:
        msg.set_raw(field_name, value)


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
    _set_addresses(msg, "From", [sender])
    _set_addresses(msg, "To", to)
    if reply_to is not None:
        _set_addresses(msg, "Reply-To", [reply_to])
    msg["Subject"] = header_text(rendered.subject)
    msg["Date"] = email.utils.format_datetime(date)
    msg["Message-ID"] = header_text(msg_id)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    if rendered.html is not None:
        msg.add_alternative(rendered.html, subtype="html")
    return msg


def sender_addresses(program: Program) -> tuple[Address, Address | None]:
    sender = program.data["sender"]
    who = f"{program.path}: sender"
    hint = "set the program's own address under sender: in program.yaml"
    from_ = make_address(sender["name"], sender["email"], who=who, hint=hint)
    reply = sender.get("reply_to")
    if not reply:
        return from_, from_
    return from_, make_address(sender["name"], reply, who=who + ".reply_to", hint=hint)


def preview_text(msg: EmailMessage) -> str:
    """A message as a person reads it: the main headers, then the plain-text body."""
    lines = [f"{name}: {msg[name]}" for name in ("From", "To", "Subject", "Date") if msg[name]]
    body = msg.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    return "\n".join(lines) + "\n\n" + text.rstrip("\n") + "\n"


__all__ = [
    "FIT_KEY",
    "KINDS",
    "ContextMaker",
    "Rendered",
    "Templates",
    "build_email",
    "checked_address",
    "header_text",
    "make_address",
    "message_id",
    "pair_token",
    "person_context",
    "preview_text",
    "sender_addresses",
]
