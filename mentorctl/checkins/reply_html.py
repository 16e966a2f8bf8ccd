"""An HTML email body as plain text, with quoted parts marked the way plain text marks them.

Used only when a reply has no text/plain part. Quoted blocks (``<blockquote>``: Gmail's
``gmail_quote``, Apple Mail's and Thunderbird's ``type="cite"``) become lines starting with
"> ", so that :func:`reply_text.strip_quoted` treats an HTML reply exactly as a plain one:
a top-posted reply loses them, a bottom-posted one keeps the person's lines between them.
Everything from Outlook's reply header on (``<div id="divRplyFwdMsg">``,
``<div id="appendonsend">``, or the desktop client's border-top "From:" block) is the
original message and is dropped (or, for reading answers typed into it, kept below a line of
underscores, as Outlook's own text part writes it), as are the quote attribution lines (Gmail's ``gmail_attr``,
Thunderbird's ``moz-cite-prefix``), signatures, scripts and styles. Ordered lists keep their
numbers ("1. yes"), since people number their answers that way too.

Pure: no I/O, stdlib only.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_BLOCK = _word_set(
    "address article aside blockquote center dd div dl dt figure footer form h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul"
)
_VOID = _word_set("area base br col embed hr img input link meta source track wbr")
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template"})
_SKIP_CLASSES = _word_set("gmail_attr moz-cite-prefix gmail_signature moz-signature signature")
_STOP_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "x_divrplyfwdmsg", "x_appendonsend"})
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid", re.IGNORECASE)
SEPARATOR = "_" * 32
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0\u200b\u200c\u200d\ufeff]+")


class _Text(HTMLParser):
    def __init__(self, original: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.original = original  # keep the original after the reply header, cut = seen
        self.cut = False
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.part_depth = 0  # quote depth of the line being built
        self.quote = 0
        self.pre = 0
        self.skip: tuple[str, int] | None = None  # (tag, nesting) of a dropped subtree
        self.stopped = False
        self.lists: list[list[int | None]] = []  # per open list: [next number] or [None]

    def newline(self, force: bool = False) -> None:
        text = "".join(self.parts)
        # Preformatted text keeps its indentation; elsewhere it is the HTML source's layout.
        text = text.rstrip() if self.pre else text.strip(" ")
        self.parts = []
        if not text and not force:
            return
        prefix = "> " * self.part_depth
        self.lines.append((prefix + text).rstrip() if text else prefix.rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if self.skip is not None:
            if tag == self.skip[0] and tag not in _VOID:
                self.skip = (tag, self.skip[1] + 1)
            return
        values = {name: (value or "") for name, value in attrs}
        classes = set(values.get("class", "").split())
        element_id = values.get("id", "").casefold()
        if not self.cut and (
            element_id in _STOP_IDS
            or (tag == "div" and self.quote == 0 and _BORDER_TOP.search(values.get("style", "")))
        ):
            self.newline()
            if not self.original:
                self.stopped = True
                return
            # The original goes on below Outlook's own separator, as its text part has it.
            self.cut = True
            self.lines.append(SEPARATOR)
        if tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
            if tag not in _VOID:
                self.skip = (tag, 1)
            return
        if tag == "br":
            self.newline(force=True)
            return
        if tag in _BLOCK:
            self.newline()
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "ol":
            start = values.get("start", "1").strip()
            # ASCII digits only (int() would fail on "²"), and a list number a person uses.
            good = start.isascii() and start.isdigit() and len(start) <= 6
            self.lists.append([int(start) if good else 1])
        elif tag == "ul":
            self.lists.append([None])
        elif tag == "li" and self.lists:
            number = self.lists[-1][0]
            self.part_depth = self.quote
            if number is None:
                self.parts.append("- ")
            else:
                self.parts.append(f"{number}. ")
                self.lists[-1][0] = number + 1

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if self.skip is not None:
            if tag == self.skip[0]:
                depth = self.skip[1] - 1
                self.skip = (tag, depth) if depth else None
            return
        if tag in _BLOCK:
            self.newline()
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if self.stopped or self.skip is not None:
            return
        if self.pre:
            for number, piece in enumerate(data.split("\n")):
                if number:
                    self.newline(force=True)
                self.add(piece.replace("\xa0", " "))
            return
        text = _SPACES.sub(" ", data)
        if text.strip() or (self.parts and text):
            self.add(text if self.parts else text.lstrip())

    def add(self, text: str) -> None:
        if self.parts and self.part_depth != self.quote:
            self.newline()
        if not self.parts:
            self.part_depth = self.quote
        self.parts.append(text)


# What ends a comment, a marked section ("<![CDATA[") and anything else that starts with "<",
# as html.parser looks for them.
_CLOSERS = {
    "<!--": re.compile(r"--\s*>"),
    "<![": re.compile(r"\]\s*>"),
    "<": re.compile(r">"),
}


def _defused(html: str) -> str:
    """``html`` with every "<" that nothing closes written as "&lt;" (the text it stands for).

    html.parser looks for the end of each unclosed comment, declaration or tag from where it
    starts to the end of the input, so a body of many "<!--" takes time that grows with the
    square of its length. Where each closer comes next is found once, left to right, and a
    "<" that no closer follows is no markup: it reads as the text it is."""
    next_close: dict[str, int] = {}
    out: list[str] = []
    done = 0
    at = html.find("<")
    while at != -1:
        kind = (
            "<!--" if html.startswith("<!--", at) else "<![" if html.startswith("<![", at) else "<"
        )
        found = next_close.get(kind)
        if found is None or (found != -1 and found < at + len(kind)):
            closer = _CLOSERS[kind].search(html, at + len(kind))
            found = next_close[kind] = closer.start() if closer else -1
        if found == -1:
            out.append(html[done:at])
            out.append("&lt;")
            done = at + 1
        at = html.find("<", at + 1)
    out.append(html[done:])
    return "".join(out)


def html_text(html: str, original: bool = False) -> str:
    """``html`` as lines of text; quoted parts start with "> ". The original below Outlook's
    reply header is left out, or with ``original`` comes after a ``SEPARATOR`` line."""
    parser = _Text(original)
    parser.feed(_defused(html))
    parser.close()
    parser.newline()
    out: list[str] = []
    for line in parser.lines:
        # One blank line is a paragraph break; more are the HTML's spacing, not the person's.
        if line.strip(">").strip() or (out and out[-1].strip(">").strip()):
            out.append(line)
    return "\n".join(out).strip("\n")
