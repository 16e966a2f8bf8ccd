"""Read check-in answers out of an email reply: what the person wrote, then what it answers.

Public API (pure: no I/O, stdlib only)::

    reply_text(message: email.message.Message, questions=()) -> str
        The text the person newly wrote in ``message`` (with ``questions``: and the answers
        they typed into the unquoted original under them).
    body_text(message: email.message.Message) -> str
        The whole body as text (text/plain preferred, else HTML as text), quotes included.
    strip_quoted(body: str, questions=()) -> str
        ``body`` less quoted originals, reply headers, signatures and disclaimers.
    read_answers(text: str, questions: Sequence[Question]) -> ReadReply
        The answers ``text`` gives (see :mod:`mentorctl.checkins.reply_answers`).
    Question(key, kind, text)    kind: yes_no | scale | text; any object with these works
    ReadReply(answers, unread, problems)
        answers: {key: "yes"/"no" | int 1..5 | str}; unread: the person's lines that were
        not placed, verbatim; problems: {key: why its line was not taken}.

``body_text`` never decodes an attachment (a part with a filename or ``Content-Disposition:
attachment``, or an attached message): a 50 MB file costs nothing. Bodies are decoded from
quoted-printable or base64 and from their charset (an unknown charset reads as UTF-8, then
Windows-1252, with replacement characters rather than an error).

``strip_quoted`` handles top-posted replies (the person's text above the quoted original:
everything from the quote on is dropped) and bottom-posted ones (the person's lines between
quoted lines). For the latter the quoted lines directly above each of the person's blocks
are kept, as "> " lines, since they tell which question the block answers; ``read_answers``
uses them and never reports them as unread. Dropped: ">" quotes, reply headers and
Outlook's header blocks in the languages and client forms of
:mod:`mentorctl.checkins.reply_headers` (wrapped over up to three lines; a short line of the
person's just above one stays theirs), "-----Original Message-----" separators and rules of
underscores (a footer under "__" goes with them), a "-- " signature and everything under it,
"Sent from my iPhone" lines in many languages, the messages' own "Pair code: M3" footer,
confidentiality disclaimers, and a closing "Thanks,\nAnna" (a sign-off of at most two short
lines at the very end, unless it is all the person wrote). An Outlook header block above
everything (the person's own message's) drops nothing below it. Given the questions,
``strip_quoted(body, questions)`` also returns the answers typed under the questions of an
unquoted original (Outlook's "inline" answers, in text or HTML), as numbered lines.
"""

from __future__ import annotations

import binascii
import codecs
import email.message
import quopri
import re
from collections.abc import Sequence

from mentorctl.checkins import reply_headers
from mentorctl.checkins.reply_answers import (
    Question,
    QuestionLike,
    ReadReply,
    inline_answers,
    read_answers,
)
from mentorctl.checkins.reply_html import html_text

__all__ = [
    "Question",
    "QuestionLike",
    "ReadReply",
    "body_text",
    "read_answers",
    "reply_text",
    "strip_quoted",
]

_CHARSET_NAME = re.compile(r"[a-z0-9][a-z0-9._:+-]{0,39}")
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "mbcs", "oem"}
)

# Context kept above a bottom-posted answer: enough for a question wrapped over two lines
# and the numbered one before it, never a whole quoted email.
CONTEXT_LINES = 6

# The footer every message of a pair or circle ends with, left unquoted in a reply: ours.
# Its label in each language of the built-in templates (French puts a space before ":").
PAIR_CODE_LABELS = (
    "pair code",
    "code du binôme",
    "tandem-code",
    "código de pareja",
    "código da dupla",
    "circle code",
    "code du cercle",
    "kreis-code",
    "código del círculo",
    "código do círculo",
)
_PAIR_CODE = re.compile(
    rf"^(?:{'|'.join(map(re.escape, PAIR_CODE_LABELS))})\s*:\s*[A-Z]\d{{1,9}}$", re.IGNORECASE
)
_DISCLAIMER = re.compile(
    r"^\W*(?:this (?:e-?mail|message|communication)|the information (?:contained )?in this|"
    r"confidential(?:ity)?\b|disclaimer\b|privileged|diese (?:e-?mail|nachricht)|ce (?:message|"
    r"courriel)|este (?:correo|mensaje))",
    re.IGNORECASE,
)
_DISCLAIMER_WORDS = re.compile(
    r"confidential|privileged|intended (?:solely |only )?for|vertraulich|confidentiel|"
    r"confidencial|disclaimer",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|many thanks|thanks again|thx|cheers|best|best wishes|warm wishes|"
    r"kind regards|regards|best regards|warm regards|all the best|take care|talk soon|"
    r"see you|merci|cordialement|bien à vous|bises|viele grüße|liebe grüße|grüße|lg|mfg|"
    r"saludos|un saludo|atentamente|abrazos|ciao|спасибо|с уважением)"
    r"(?:[,.!]*\s+\w+(?:\s\w+)?)?[\s,.!]*$",
    re.IGNORECASE,
)


def _raw(part: email.message.Message, name: str) -> str:
    """A header's value as written. Under ``policy.default`` every ``get`` builds a header
    object (Content-Type is parsed afresh on each call), which costs more than parsing the
    whole message; the few MIME headers read here need no more than their raw text."""
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _param(value: str, name: str) -> str | None:
    """A parameter of a MIME header (``charset=utf-8``), unquoted; RFC 2231 forms included."""
    found = re.search(
        r";\s*" + name + r'(?:\*\d*)?\*?\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))',
        value,
        re.IGNORECASE,
    )
    if found is None:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


def _content_type(part: email.message.Message) -> str:
    value = _raw(part, "content-type").split(";", 1)[0].strip().lower()
    if value.count("/") != 1:
        # As the email package does: an invalid type is text/plain, except in a digest.
        return part.get_default_type()
    return value


def _decode(part: email.message.Message) -> str:
    # The payload as stored, not get_payload(): that parses the Content-Type and
    # Content-Transfer-Encoding headers into objects again, and for 8bit text decodes it
    # with the declared charset, replacing what an unknown charset cannot read.
    payload = getattr(part, "_payload", None)
    cte = _raw(part, "content-transfer-encoding").strip().lower()
    if isinstance(payload, bytes):
        data = payload
    elif isinstance(payload, str):
        try:
            data = payload.encode("ascii", "surrogateescape")  # the bytes as they came
        except UnicodeEncodeError:
            if cte not in ("quoted-printable", "base64"):
                return payload  # a message built in memory: its text is text already
            decoded = part.get_payload(decode=True)
            data = decoded if isinstance(decoded, bytes) else b""
            cte = ""
    else:
        return ""
    if cte == "quoted-printable":
        data = quopri.decodestring(data)
    elif cte == "base64":
        try:
            data = binascii.a2b_base64(data)
        except binascii.Error:
            decoded = part.get_payload(decode=True)  # the email package's repairs
            data = decoded if isinstance(decoded, bytes) else b""
    charset = _charset(_param(_raw(part, "content-type"), "charset"))
    if charset is not None:
        try:
            return data.decode(charset, errors="replace")
        except (LookupError, UnicodeError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _charset(name: str | None) -> str | None:
    """The codec for a declared charset, or None to guess (UTF-8, then Windows-1252).

    Only a plain name of a text codec is taken: codecs that refuse ``errors="replace"``
    (idna, punycode, undefined) or turn text into escapes are not a mail charset."""
    name = (name or "utf-8").strip().lower()
    if not _CHARSET_NAME.fullmatch(name):
        return None
    try:
        codec = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_CHARSETS:
        return None
    return codec.name


def _is_attachment(part: email.message.Message) -> bool:
    disposition = _raw(part, "content-disposition")
    if disposition.split(";")[0].strip().casefold() == "attachment":
        return True
    return _param(disposition, "filename") is not None or (
        _param(_raw(part, "content-type"), "name") is not None
    )


def _text_parts(part: email.message.Message, found: dict[str, email.message.Message]) -> None:
    """The first text/plain and text/html body parts, attachments and attached mail skipped.

    Only headers are looked at here: no payload is decoded until a body part is chosen.
    """
    ctype = _content_type(part)
    if ctype.startswith("message/") or _is_attachment(part):
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            _text_parts(child, found)
        return
    if ctype in ("text/plain", "text/html"):
        found.setdefault(ctype[5:], part)


def body_text(message: email.message.Message) -> str:
    found: dict[str, email.message.Message] = {}
    _text_parts(message, found)
    if "plain" in found:
        text = _decode(found["plain"])
        # Some clients send an empty text/plain beside the HTML that holds the reply.
        if text.strip() or "html" not in found:
            return text
    return html_text(_decode(found["html"]), original=True) if "html" in found else ""


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _header_spans(lines: list[str]) -> dict[int, int]:
    """Where a reply header ("On ... wrote:" and its kin) starts, and over how many lines.

    Clients wrap a long one over two or three lines, mid-address as often as not; a wrapped
    header's first line opens as a header does, so a short line of the person's just above
    it ("Only a short chat") is never taken into it.
    """
    spans: dict[int, int] = {}
    taken = -1
    for end, line in enumerate(lines):
        last = line[-1:]  # lines come right-stripped: most end in no way a header can
        if not last or not (last in ":：-" or last.isalpha() or not last.isascii()):
            continue
        text = reply_headers.clean(line)
        if not text or not reply_headers.could_end_header(text):
            continue
        best, joined = 0, text
        for count in range(1, 4):
            start = end - count + 1
            top = reply_headers.clean(lines[start]) if start > taken else ""
            if not top:
                break
            if count > 1:
                joined = top + " " + joined
                # Once a header is found, a line above joins it only when it carries what
                # a header's first line does (a date, a time or an address): "3. We met
                # for coffee" or "On Monday we met" just above a header stay the person's.
                if not reply_headers.could_open_header(top) or (
                    best and not reply_headers.dated_or_addressed(top)
                ):
                    continue
            if reply_headers.is_reply_header(joined):
                best = count
        if best:
            spans[end - best + 1] = best
            taken = end
    return spans


def _header_at(lines: list[str], start: int) -> bool:
    """True when an Outlook-style "From: ... Sent: ..." header of the original starts here."""
    if reply_headers.header_label(lines[start]) != "first":
        return False
    following = [line for line in lines[start + 1 : start + 5] if line.strip()]
    return any(reply_headers.header_label(line) == "next" for line in following[:3])


def _cut_at(lines: list[str], spans: dict[int, int], start: int = 0) -> tuple[int, bool] | None:
    """Where an unquoted original starts, from ``start`` on, and whether Outlook's header
    block (its labels) opens it; None when none does."""
    for index in range(start, len(lines)):
        line = lines[index]
        if _is_quoted(line):
            continue
        stripped = line.strip()
        if _header_at(lines, index):
            return index, True
        if stripped == "--" or reply_headers.is_separator(stripped):
            return index, False
        count = spans.get(index, 0)
        if count:
            after = next((x for x in lines[index + count :] if x.strip()), "")
            # "On ... wrote:" above unquoted text: the original follows unmarked.
            if not _is_quoted(after):
                return index, False
    return None


def _cut_original(lines: list[str], spans: dict[int, int]) -> tuple[int, int]:
    """The person's part of ``lines`` as (first, end): up to where an unquoted original
    starts (``lines[end:]`` is the original)."""
    found = _cut_at(lines, spans)
    if found is None:
        return 0, len(lines)
    cut, block = found
    if block and not any(line.strip() and not _is_quoted(line) for line in lines[:cut]):
        # A header block above everything: the person's own message's, as some clients
        # write it, when their text and another original follow below.
        end = next((i for i in range(cut, len(lines)) if not lines[i].strip()), len(lines))
        later = _cut_at(lines, spans, end)
        if later is not None and any(line.strip() for line in lines[end : later[0]]):
            return end, later[0]
        if later is None and any(spans.get(i) for i in range(end, len(lines))):
            return end, len(lines)  # their text, then a quoted reply below "On ... wrote:"
    return 0, cut


def _drop_noise(block: list[str]) -> list[str]:
    """A block of the person's lines less "Sent from" lines and a disclaimer paragraph."""
    # For each line, whether the rest of its paragraph (from it to the next blank line)
    # names a disclaimer's words: found once per paragraph, from the last such word.
    words_after: list[bool] = [False] * len(block)
    index = 0
    while index < len(block):
        end = index
        while end < len(block) and block[end].strip():
            end += 1
        offsets, joined = [], []
        size = 0
        for line in block[index:end]:
            offsets.append(size)
            joined.append(line)
            size += len(line) + 1
        found = list(_DISCLAIMER_WORDS.finditer(" ".join(joined)))
        last = found[-1].start() if found else -1
        for at, offset in enumerate(offsets):
            words_after[index + at] = last >= offset
        index = end + 1
    out: list[str] = []
    for index, line in enumerate(block):
        if reply_headers.is_device_line(line) or _PAIR_CODE.match(line.strip()):
            continue
        if _DISCLAIMER.match(line.strip()) and words_after[index]:
            break
        out.append(line)
    return out


def _drop_sign_off(lines: list[str]) -> list[str]:
    """``lines`` less a closing "Thanks,\\nAnna": a sign-off, then at most a few short lines."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    for index in filled[-5:]:
        if _is_quoted(lines[index]) or not _SIGN_OFF.match(lines[index].strip()):
            continue
        after = [lines[i].strip() for i in filled if i > index]
        short = all(len(line.split()) <= 5 and not re.search(r"\d", line) for line in after)
        # A reply that is only "Thank you very much." says just that: it stays.
        if short and any(line.strip() for line in lines[:index]):
            return lines[:index]
    return lines


def _ends_original(line: str) -> bool:
    return bool(_SIGN_OFF.match(line) or _PAIR_CODE.match(line))


def strip_quoted(body: str, questions: Sequence[QuestionLike] = ()) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    if any(line[:1] in ("-", "_") for line in lines):
        lines = [part for line in lines for part in reply_headers.split_glued(line)]
    spans = _header_spans(lines)
    first, end = _cut_original(lines, spans)
    out: list[str] = []
    quoted: list[str] = []
    block: list[str] = []

    def flush_block() -> None:
        kept = _drop_noise(block)
        if any(line.strip() for line in kept):
            if quoted:
                tail: list[str] = []
                for line in reversed(quoted):
                    if not line.lstrip("> ").strip():
                        if tail:
                            break
                        continue
                    tail.insert(0, "> " + line.lstrip("> ").strip())
                    if len(tail) == CONTEXT_LINES:
                        break
                out.extend(tail)
            out.extend(kept)
            quoted.clear()
        block.clear()

    index = first
    while index < end:
        line = lines[index]
        count = spans.get(index, 0)
        if count:
            flush_block()
            index += count
            continue
        if _is_quoted(line):
            if any(x.strip() for x in block):
                flush_block()
            block.clear()
            quoted.append(line)
        else:
            block.append(line)
        index += 1
    flush_block()
    out = _drop_sign_off(out)
    if questions and end < len(lines):
        # Answers typed under the questions of an unquoted original (Outlook's way).
        typed = inline_answers(lines[end:], questions, _ends_original)
        if typed:
            out += ["", *typed]
    result: list[str] = []
    for line in out:
        if line.strip() or (result and result[-1].strip()):
            result.append(line)
    return "\n".join(result).strip("\n")


def reply_text(message: email.message.Message, questions: Sequence[QuestionLike] = ()) -> str:
    return strip_quoted(body_text(message), questions)
