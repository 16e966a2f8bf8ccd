"""Read check-in answers out of an email reply: what the person wrote, then what it answers.

Public API (pure: no I/O, stdlib only)::

    reply_text(message: email.message.Message) -> str
        The text the person newly wrote in ``message``.
    body_text(message: email.message.Message) -> str
        The whole body as text (text/plain preferred, else HTML as text), quotes included.
    strip_quoted(body: str) -> str
        ``body`` less quoted originals, attribution lines, signatures and disclaimers.
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
uses them and never reports them as unread. Dropped: ">" quotes, "On ... wrote:" in its
multi-line and French/German/Spanish/Portuguese/Italian/Dutch/Polish/Swedish forms, Outlook's
"From: ... Sent: ..." header, "-----Original Message-----" and "_____" separators, a "-- "
signature and everything under it, "Sent from my iPhone" lines, the messages' own "Pair code:
M3" footer, confidentiality disclaimers,
and a closing "Thanks,\\nAnna" (a sign-off of at most two short lines at the very end).
"""

from __future__ import annotations

import binascii
import codecs
import email.message
import quopri
import re

from mentorctl.checkins.reply_answers import Question, QuestionLike, ReadReply, read_answers
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

# An attribution line is "On <date>, <name> wrote:" in one of several languages, or
# "<name> <address> wrote:". These are read by the code in _is_attribution, not by one
# pattern: a pattern with two open-ended runs around "@" backtracks quadratically on a line
# of many "<" and "@", and anyone can send such a line.
_LEAD = re.compile(r"(?:on|le|am|el|em|il|op|w dniu|den|dne)\b", re.IGNORECASE)
_VERB = re.compile(
    r"\b(?:wrote|a écrit|schrieb|escribió|escreveu|ha scritto|schreef|napisał|skrev|napsal)\b",
    re.IGNORECASE,
)
_ADDRESS_VERB = re.compile(r"schrieb|wrote|a écrit|escribió", re.IGNORECASE)
_LEAD_GAP, _TAIL, _ADDRESS_AT, _ADDRESS_TAIL = 300, 120, 200, 80
_HEADER_FIRST = re.compile(r"^\*?(?:from|von|de|da|van|från|fra|od|от)\s?:\*?\s*\S", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\*?(?:sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|skickat|"
    r"sendt|wysłano|отправлено|to|an|à|para|a|aan|till|til|do|кому|subject|betreff|objet|"
    r"asunto|assunto|oggetto|onderwerp|ämne|emne|temat|тема)\s?:\*?(?:\s|$)",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^(?:_{10,}|-{3,}\s*[\w' ,.]{3,40}?\s*-{3,}|={3,}\s*[\w' ,.]{3,40}?\s*={3,})$", re.UNICODE
)
_SENT_FROM = re.compile(
    r"^(?:sent from (?:my |mail for |outlook|yahoo|proton)|get outlook for |sent with |"
    r"sent via |von meinem \S+ gesendet|gesendet von |envoyé de mon |envoyé depuis |"
    r"enviado desde mi |enviado do meu |inviato da |verzonden met |отправлено с )",
    re.IGNORECASE,
)
# The footer every message of a pair ends with, left unquoted in a reply: ours, not theirs.
# Its label in each language of the built-in templates (French puts a space before ":").
PAIR_CODE_LABELS = (
    "pair code",
    "code du binôme",
    "tandem-code",
    "código de pareja",
    "código da dupla",
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
    return html_text(_decode(found["html"])) if "html" in found else ""


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_attribution(text: str) -> bool:
    """True for "On ... wrote:" (the verb at most 300 characters after "On", then at most
    120 before the closing ":") or "... <a@b> wrote:" (the "<" in the first 200 characters,
    at most 80 after the verb). Linear in the length of ``text``."""
    if not text.endswith(":"):
        return False
    last = len(text) - 1
    lead = _LEAD.match(text)
    if lead is not None:
        for verb in _VERB.finditer(text, lead.end()):
            if verb.start() - lead.end() > _LEAD_GAP:
                break
            if last - verb.end() <= _TAIL:
                return True
    start = max(0, last - _ADDRESS_TAIL - 12)
    for verb in _ADDRESS_VERB.finditer(text, start):
        if last - verb.end() > _ADDRESS_TAIL:
            continue
        close = len(text[: verb.start()].rstrip()) - 1  # the ">" before the verb
        if close < 0 or text[close] != ">":
            continue
        run = close  # the address: no space and no ">" between "<" and ">"
        while run > 0 and text[run - 1] != ">" and not text[run - 1].isspace():
            run -= 1
        opening = text.find("<", run, min(close, _ADDRESS_AT + 1))
        if opening != -1 and text.find("@", opening + 2, close - 1) != -1:
            return True
    return False


def _attribution_at(lines: list[str], start: int) -> int:
    """How many lines, from ``start``, form an "On ... wrote:" line (0 when none do).

    Clients wrap a long one over two or three lines, mid-address as often as not.
    """
    first = lines[start].lstrip("> ").strip()
    if not first or not re.match(r"^(?:on|le|am|el|em|il|op|w|den|dne|\S+@|.*<)", first, re.I):
        return 0
    joined = first
    for count in range(1, 4):
        # A date or an address: "On Tuesday she wrote a plan:" is the person's own line.
        if _is_attribution(joined) and re.search(r"\d|@", joined):
            return count
        if start + count >= len(lines):
            return 0
        joined += " " + lines[start + count].lstrip("> ").strip()
    return 0


def _header_at(lines: list[str], start: int) -> bool:
    """True when an Outlook-style "From: ... Sent: ..." header of the original starts here."""
    if not _HEADER_FIRST.match(lines[start].strip()):
        return False
    following = [line.strip() for line in lines[start + 1 : start + 5] if line.strip()]
    return any(_HEADER_NEXT.match(line) for line in following[:3])


def _cut_original(lines: list[str]) -> list[str]:
    """``lines`` up to where an unquoted original message starts."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _is_quoted(line):
            continue
        if stripped == "--" or _SEPARATOR.match(stripped) or _header_at(lines, index):
            return lines[:index]
        count = _attribution_at(lines, index)
        if count:
            after = next((x for x in lines[index + count :] if x.strip()), "")
            # "On ... wrote:" above unquoted text: the original follows unmarked.
            if not _is_quoted(after):
                return lines[:index]
    return lines


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
        if _SENT_FROM.match(line.strip()) or _PAIR_CODE.match(line.strip()):
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
        if all(len(line.split()) <= 5 and not re.search(r"\d", line) for line in after):
            return lines[:index]
    return lines


def strip_quoted(body: str) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text).replace("\xa0", " ")
    lines = _cut_original([line.rstrip() for line in text.split("\n")])
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

    index = 0
    while index < len(lines):
        line = lines[index]
        count = _attribution_at(lines, index)
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
    result: list[str] = []
    for line in out:
        if line.strip() or (result and result[-1].strip()):
            result.append(line)
    return "\n".join(result).strip("\n")


def reply_text(message: email.message.Message) -> str:
    return strip_quoted(body_text(message))
