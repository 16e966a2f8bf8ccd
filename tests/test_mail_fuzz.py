"""Random replies, from well-formed to hostile, through every reader: none stops the run.

Hypothesis builds MIME trees (nested multiparts, attachments, attached messages, parts left
open, boundaries missing), charsets (real, unknown, non-text codecs, bytes that are not
ASCII), Dates (years 1 to 9999, zones of any size, text that is no date), numbers (digits of
other scripts and forms, huge ones) and HTML (lists with any start, unclosed comments and
tags). Each batch is written to a Maildir and to an mbox and read with
:func:`replies.read_replies`; no exception may escape, every message is counted exactly
once, and the store opens afterwards with the answers it recorded.
"""

from __future__ import annotations

import datetime as dt
import io
import mailbox
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from messages_fixtures import IDS, introduced_fixture, paired_fixture  # noqa: F401  (fixtures)
from test_checkin_replies import WEEK2_DAY, sent_ids

from mentorctl.checkins import replies
from mentorctl.checkins.reply_html import html_text
from mentorctl.checkins.reply_text import Question, read_answers, strip_quoted
from mentorctl.mail import bounded
from mentorctl.mail.inbox import open_source
from mentorctl.mail.source import read_incoming
from mentorctl.programs.program import open_program
from mentorctl.store.db import Store

TODAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
SENDERS = ["ann@example.org", "meg@example.org", "bo@example.org", "raj@example.org"]

charsets = st.sampled_from(
    ["utf-8", "us-ascii", "iso-8859-1", "koi8-r", "utf-16", "utf-7", "undefined", "idna",
     "punycode", "base64", "rot13", "zlib", "unicode_escape", "utf\x008", "utf\udce98", "",
     "x-unknown", "utf-8\"; x=\"", "a" * 300]
)  # fmt: skip
numbers = st.one_of(
    st.integers(-10, 10).map(str),
    st.sampled_from(["⁴", "²", "٤", "４", "4.5", "3/5", "4 of ⁵", "five", "9" * 5000, "1e9"]),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
)
values = st.one_of(numbers, st.sampled_from(["yes", "no", "Yes!", "nope", "y", "n/a", ""]))
lines = st.one_of(
    st.builds(lambda n, v: f"{n}. {v}", st.integers(0, 12), values),
    values,
    st.sampled_from(
        [
            "On Mon, 2 Mar 2026, Team <team@example.org> wrote:",
            "> 1. Did you meet?",
            "-- ",
            "Sent from my iPhone",
            "This email is confidential",
            "Thanks,",
            "On " + "<" * 50 + "a@" * 80,
            "From: a\nSent: b",
        ]
    ),
    st.text(max_size=40),
)
plain = st.lists(lines, max_size=8).map("\n".join)
html = st.one_of(
    st.builds(
        lambda start, items: f'<ol start="{start}">' + "".join(f"<li>{i}</li>" for i in items),
        st.one_of(numbers, st.text(max_size=8)),
        st.lists(values, max_size=4),
    ),
    st.sampled_from(
        ["<!--" * 50, "<![CDATA[" * 20, "<a " * 30, "<blockquote>" * 40, "<", "&#99999999;"]
    ),
    plain.map(lambda text: "<p>" + text.replace("\n", "<br>") + "</p>"),
)
dates = st.one_of(
    st.builds(
        lambda year, zone: f"Fri, 31 Dec {year:04d} 23:59:59 {zone}",
        st.integers(0, 9999),
        st.one_of(
            st.integers(-9999, 9999).map(lambda z: f"{z:+05d}"),
            st.sampled_from(["-99999999999999999999", "GMT", "", "+", "XYZ"]),
        ),
    ),
    st.text(max_size=30),
)


@st.composite
def leaves(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["text/plain", "text/html", "image/png", "message/rfc822",
                                 "multipart/mixed", "text/x-other", "", "nonsense"]))  # fmt: skip
    cte = draw(st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "x-junk", ""]))
    charset = draw(charsets).encode("utf-8", "surrogateescape")
    head = b"Content-Type: " + kind.encode() + b'; charset="' + charset + b'"\n'
    if cte:
        head += b"Content-Transfer-Encoding: " + cte.encode() + b"\n"
    if draw(st.booleans()):
        head += b'Content-Disposition: attachment; filename="x.bin"\n'
    text = draw(html) if kind == "text/html" else draw(plain)
    body = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        body = draw(st.binary(max_size=40)) + body
    return head + b"\n" + body + b"\n"


def multiparts(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        boundary = draw(st.sampled_from(["b", "=_x", "same", "a" * 80]))
        parts = draw(st.lists(children, max_size=4))
        out = f"Content-Type: multipart/{draw(st.sampled_from(['mixed', 'alternative']))}; "
        out += f'boundary="{boundary}"\n\n' if draw(st.integers(0, 5)) else "\n\n"
        raw = out.encode() + b"preamble\n"
        for part in parts:
            raw += b"--" + boundary.encode() + b"\n" + part
        if draw(st.booleans()):  # a multipart may be left open
            raw += b"--" + boundary.encode() + b"--\n"
        return raw

    return build()


trees = st.recursive(leaves(), multiparts, max_leaves=8)


@st.composite
def emails(draw: st.DrawFn, targets: list[str]) -> bytes:
    froms = [*SENDERS, "stranger@example.net", "", "<<@>>", "(" * 3000, '"' * 3000, "<" * 3000]
    head = "From: " + draw(st.sampled_from(froms))
    head += f"\nMessage-ID: <{draw(st.integers(0, 10**6))}@fuzz.example>"
    target = draw(st.sampled_from(targets))
    head += f"\nIn-Reply-To: {target}\nReferences: {target}\nDate: {draw(dates)}\n"
    head += "MIME-Version: 1.0\n"
    return head.encode("utf-8", "surrogateescape") + draw(trees)


@pytest.fixture(name="workspace")
def workspace_fixture(introduced: Path, cli) -> Path:
    for day in ("2026-03-02", WEEK2_DAY):
        assert cli("checkin", "-w", introduced, "--today", day).exit_code == 0
    return introduced


def _read(workspace: Path, source: Path) -> replies.ReplyResult:
    program, paths = open_program(workspace, None)
    with open_source(str(source)) as inbox:
        return replies.read_replies(
            program, paths.store_path, inbox, today=TODAY, now=NOW, move_to="Done"
        )


def test_no_reply_stops_the_run_and_the_store_stays_valid(workspace: Path) -> None:
    targets = [*sent_ids(workspace).values(), "<unknown@example.org>"]
    _program, paths = open_program(workspace, None)
    pristine = paths.store_path.read_bytes()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(emails(targets), min_size=1, max_size=4))
    def check(batch: list[bytes]) -> None:
        paths.store_path.write_bytes(pristine)
        folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            box = mailbox.Maildir(folder / "Maildir", create=True)
            for raw in batch:
                box.add(raw)
            box.close()
            mbox = mailbox.mbox(folder / "replies.mbox", create=True)
            for raw in batch:
                mbox.add(raw)
            mbox.close()
            for source in (folder / "Maildir", folder / "replies.mbox"):
                paths.store_path.write_bytes(pristine)
                got = _read(workspace, source)
                assert got.messages == len(batch)
                counted = (
                    got.recorded + got.already + got.unknown + got.strangers + got.refused
                    + got.empty + len(got.unreadable)
                )  # fmt: skip
                assert counted == len(batch)
                assert got.moved == len(batch) - got.unknown - got.strangers - got.refused - len(
                    got.unreadable
                )
                with Store.reading(paths.store_path) as store:
                    answers = store.documents("answers").values()
                    assert all(a["source"] == "reply" for a in answers)
        finally:
            shutil.rmtree(folder)

    check()


WEEKLY = [
    Question("met", "yes_no", "Did you meet or talk this week?"),
    Question("progress", "scale", "How much progress did you make?"),
    Question("note", "text", "Anything else?"),
]


@settings(max_examples=200, deadline=None)
@given(st.one_of(plain, st.text(max_size=300)), st.one_of(html, st.text(max_size=300)))
def test_the_text_readers_take_any_text(text: str, markup: str) -> None:
    for body in (text, html_text(markup)):
        got = read_answers(strip_quoted(body), WEEKLY)
        assert set(got.answers) <= {"met", "progress", "note"}
        assert got.answers.get("progress") in (None, 1, 2, 3, 4, 5)


pieces = st.sampled_from(
    [b"\n", b"\r\n", b"\r", b"--b\n", b"--b--\n", b"--c\n", b"Content-Type: multipart/mixed; boundary=b\n",
     b"Content-Type: multipart/mixed; boundary=c\n", b"Content-Type: message/rfc822\n",
     b"Content-Disposition: attachment\n", b"Subject: x\n", b" folded\n", b"text\n", b"x" * 70]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(pieces, st.binary(max_size=20)), max_size=60).map(b"".join))
def test_any_bytes_are_read_within_bounds_or_called_unreadable(raw: bytes) -> None:
    try:
        kept, size, fingerprint = bounded.trim(io.BytesIO(raw), whole=0)  # line by line
    except bounded.Unreadable as exc:
        assert exc.reason in ("nested too deep", "too many parts", "headers too large")
        return
    assert (size, fingerprint) == (len(raw), bounded.fingerprint_of(raw))
    assert len(kept) <= len(raw)
    lower = raw.lower()
    plain = b"attachment" not in lower and b"message/" not in lower and b"name" not in lower
    if plain and lower.count(b"multipart/") == lower.count(b"multipart/mixed; boundary="):
        assert kept == raw  # nothing to leave out: every byte comes back, in order
    incoming = read_incoming("k", io.BytesIO(raw))
    assert incoming.fingerprint == fingerprint and not incoming.unreadable
