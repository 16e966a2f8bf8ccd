"""Reading check-in answers out of email replies: the client corpus, then each rule alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest
from replies_corpus import (
    CASES,
    GMAIL_ATTR,
    WEEK1,
    WEEK2,
    WRAPUP,
    Case,
    message,
    original,
    quoted,
    with_big_attachment,
)

from mentorctl.checkins.reply_html import html_text
from mentorctl.checkins.reply_text import (
    Question,
    body_text,
    read_answers,
    reply_text,
    strip_quoted,
)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus(case: Case) -> None:
    got = read_answers(reply_text(case.build()), case.questions)
    assert got.answers == case.answers
    assert got.unread == case.unread
    assert got.problems == case.problems


def test_corpus_covers_the_clients_and_encodings() -> None:
    names = " ".join(case.name for case in CASES)
    for word in ("gmail", "outlook", "apple", "thunderbird", "html_only", "bottom", "top"):
        assert word in names
    encodings = {case.build().get_body().get("Content-Transfer-Encoding") for case in CASES}
    assert {"quoted-printable", "base64", "8bit", "7bit"} <= encodings


def test_top_posted_text_is_only_the_new_lines() -> None:
    case = next(case for case in CASES if case.name == "outlook_desktop_top")
    assert reply_text(case.build()) == (
        "1) Yes!\n2) 3\n3) Busy week at work, but we kept our call."
    )


def test_bottom_posted_text_keeps_the_question_above_each_answer() -> None:
    case = next(case for case in CASES if case.name == "thunderbird_bottom_plain")
    text = reply_text(case.build())
    assert text.endswith(
        "> 2. How much progress did you make towards the career goal this\n> week? (1-5)\n\n"
        "four\n\n> 3. Anything you would like the organisers to know?\n\n"
        "We met twice.\nGoing well."
    )
    assert "Warm wishes" not in text and "Hello Anna" not in text


def test_a_50_mb_attachment_is_never_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    msg = with_big_attachment()
    attachment = msg.get_payload()[-1]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the attachment was decoded")

    monkeypatch.setattr(attachment, "get_payload", refuse)
    started = time.perf_counter()
    text = reply_text(msg)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    got = read_answers(text, WEEK2)
    assert got.answers == {"met": "yes", "progress": 5, "note": "Photos from our meeting attached."}
    assert got.unread == ""


def test_attached_messages_and_text_files_are_not_the_body() -> None:
    msg = message("yes\n4\nall good")
    msg.add_attachment("1. no\n2. 1", filename="old-answers.txt")
    forwarded = message("1. no\n2. 2\n3. from an old email")
    msg.add_attachment(forwarded)
    assert body_text(msg) == "yes\n4\nall good\n"


def test_plain_text_is_preferred_and_an_empty_one_falls_back_to_html() -> None:
    both = message("1. yes", "<div>1. no</div>")
    assert read_answers(reply_text(both), WEEK2).answers == {"met": "yes"}
    empty_plain = message("\n", "<div>1. no</div>")
    assert read_answers(reply_text(empty_plain), WEEK2).answers == {"met": "no"}
    assert reply_text(EmailMessage()) == ""


def test_an_unknown_charset_reads_as_utf8_or_windows_1252() -> None:
    msg = EmailMessage()
    msg["Content-Type"] = 'text/plain; charset="x-made-up"'
    msg["Content-Transfer-Encoding"] = "8bit"
    msg.set_payload("3. caf\xe9 ok".encode("cp1252"))
    assert reply_text(msg) == "3. café ok"


@pytest.mark.parametrize(
    "attribution",
    [
        GMAIL_ATTR,
        "On Mon, 2 Mar 2026 at 09:00, Career Circle Organisers <\norganisers@example.org> wrote:",
        "On Monday, March 2, 2026, Career Circle <organisers@example.org>\nwrote:",
        "Le lun. 2 mars 2026 à 09:00, Career Circle <organisers@example.org> a écrit :",
        "Am Mo., 2. März 2026 um 09:00 Uhr schrieb Career Circle <organisers@example.org>:",
        "Career Circle <organisers@example.org> schrieb am Mo., 2. März 2026, 09:00:",
        "El lun, 2 mar 2026 a las 9:00, Career Circle (<organisers@example.org>) escribió:",
        "Em seg., 2 de mar. de 2026 às 09:00, Career Circle <organisers@example.org> escreveu:",
    ],
)
def test_attribution_lines_in_several_forms(attribution: str) -> None:
    body = f"1. yes\n\n{attribution}\n\n{quoted(original())}\n"
    assert strip_quoted(body) == "1. yes"


def test_an_unquoted_original_after_wrote_is_dropped() -> None:
    body = "yes\n\nOn Mon, 2 Mar 2026 at 09:00 Career Circle wrote:\n\nHello Anna and Ben,\n"
    assert strip_quoted(body) == "yes"


def test_a_line_that_only_looks_like_an_attribution_is_kept() -> None:
    body = "3. On Tuesday she wrote me a plan:\nthree steps."
    assert strip_quoted(body) == body


@pytest.mark.parametrize(
    "tail",
    [
        "-- \nAnna Example\n+44 20 7946 0000",
        "Sent from my iPhone",
        "Get Outlook for Android",
        "Von meinem iPhone gesendet",
        "Thanks,\nAnna",
        "Best wishes,\nAnna Example",
        "This email and any attachments are confidential and may be privileged. If you are not\n"
        "the intended recipient, please delete it.",
        "________________________________\nFrom: Career Circle\nSent: Monday",
        "-----Original Message-----\nFrom: Career Circle",
        "From: Career Circle <organisers@example.org>\nDate: Monday, 2 March 2026\nTo: Anna",
    ],
)
def test_signatures_disclaimers_and_originals_are_dropped(tail: str) -> None:
    assert strip_quoted(f"1. yes\n2. 4\n\n{tail}\n") == "1. yes\n2. 4"


def test_a_thank_you_inside_the_answers_is_kept() -> None:
    text = "3. Thanks for pairing me with Ben.\nHe is great."
    assert strip_quoted(text) == text


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("yes", "yes"),
        ("Yes!", "yes"),
        ("YES.", "yes"),
        ("yep", "yes"),
        ("yeah", "yes"),
        ("Yes, we did", "yes"),
        ("ja", "yes"),
        ("oui", "yes"),
        ("sí", "yes"),
        ("Si", "yes"),
        ("да", "yes"),
        ("no", "no"),
        ("no.", "no"),
        ("No!", "no"),
        ("nope", "no"),
        ("not really", "no"),
        ("Not yet", "no"),
        ("nein", "no"),
        ("non", "no"),
        ("нет", "no"),
    ],
)
def test_yes_no_forms(written: str, value: str) -> None:
    got = read_answers(f"1. {written}", WEEK2)
    assert got.answers == {"met": value}
    assert got.unread == ""


@pytest.mark.parametrize("written", ["maybe", "yes and no", "kind of", "sort of yes", "n/a", "4"])
def test_yes_no_that_is_not_one_is_kept_unread(written: str) -> None:
    got = read_answers(f"1. {written}", WEEK2)
    assert got.answers == {}
    assert got.unread == f"1. {written}"
    assert got.problems == {"met": "not a yes or no answer"}


@pytest.mark.parametrize(
    "written", ["4", "4/5", "4 / 5", "four", "Four", "4 out of 5", "4 of 5", "(4)", "**4**"]
)
def test_scale_forms(written: str) -> None:
    got = read_answers(f"2: {written}", WEEK2)
    assert got.answers == {"progress": 4}
    assert got.unread == ""


@pytest.mark.parametrize("written", ["0", "6", "4.5", "3-4", "3 or 4", "4/10", "lots", "yes"])
def test_scale_that_is_not_one_is_kept_unread(written: str) -> None:
    got = read_answers(f"2: {written}", WEEK2)
    assert got.answers == {}
    assert got.unread == f"2: {written}"
    assert got.problems == {"progress": "not a number from 1 to 5"}


@pytest.mark.parametrize(
    "text",
    [
        "1. yes\n2. 4",
        "1) Yes\n2) 4",
        "1 - yes\n2 - 4",
        "1: yes\n2: 4",
        "Q1: yes\nQ2: 4",
        "q1 yes\nq2 4",
        "#1 yes\n#2 4",
        "Question 1: yes\nQuestion 2: 4",
        "- yes\n- 4",
        "yes\n4",
        "2. 4\n1. yes",
        "Did you meet? yes\nHow much progress? (1-5) 4",
        "Did you meet or talk this week?\nyes\nHow much progress did you make?\n4",
    ],
)
def test_numbering_and_question_text(text: str) -> None:
    got = read_answers(text, WEEK2)
    assert got.answers == {"met": "yes", "progress": 4}
    assert got.unread == ""


def test_a_number_out_of_range_is_just_text() -> None:
    got = read_answers("yes\n4\n7. we met seven times", WEEK2)
    assert got.answers == {"met": "yes", "progress": 4, "note": "7. we met seven times"}


def test_a_lone_number_with_a_full_stop_is_a_value() -> None:
    assert read_answers("yes\n4.", WEEK2).answers == {"met": "yes", "progress": 4}


def test_a_text_answer_runs_on_until_the_next_question() -> None:
    text = "3. We met twice.\n\nBen helped with my CV.\n1. yes\n2. 5"
    got = read_answers(text, WEEK2)
    assert got.answers == {
        "met": "yes",
        "progress": 5,
        "note": "We met twice.\n\nBen helped with my CV.",
    }


def test_a_short_value_after_a_text_answer_goes_to_the_next_question() -> None:
    got = read_answers("no\n2\nBen was away.\nno", WEEK1)
    assert got.answers == {"met": "no", "progress": 2, "note": "Ben was away.", "fit": "no"}


def test_an_answer_given_twice_keeps_the_first() -> None:
    got = read_answers("1. yes\n1. no", WEEK2)
    assert got.answers == {"met": "yes"}
    assert got.unread == "1. no"
    assert got.problems == {"met": "answered more than once; the first answer is kept"}


def test_lines_after_the_last_question_are_unread() -> None:
    got = read_answers("yes\n4\nfine\n\n", WRAPUP[:0] + WEEK2[:2])
    assert got.answers == {"met": "yes", "progress": 4}
    assert got.unread == "fine"


def test_a_greeting_is_dropped_and_unplaced_lines_keep_their_paragraphs() -> None:
    got = read_answers("Hello Career Circle team!\nSorry, late.\nSo sorry.\n\nSee you", WEEK2[:1])
    assert got.answers == {}
    assert got.unread == "Sorry, late.\nSo sorry.\n\nSee you"


def test_empty_and_quote_only_replies_give_nothing() -> None:
    for text in ("", "\n \n", quoted(original())):
        got = read_answers(text, WEEK2)
        assert (got.answers, got.unread, got.problems) == ({}, "", {})


def test_questions_may_be_any_object_with_key_kind_and_text() -> None:
    questions = [SimpleNamespace(key="met", kind="yes_no", text="Did you meet?")]
    assert read_answers("Did you meet? yes", questions).answers == {"met": "yes"}
    with pytest.raises(ValueError, match="unknown kind"):
        read_answers("yes", [Question("x", "stars")])


def test_html_quotes_become_marked_lines_and_the_outlook_original_is_dropped() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style><script>x()</script></head><body>"
        "<p>one<br>two&nbsp;words</p><blockquote><div>q1</div><blockquote>q2</blockquote>"
        "</blockquote><div>after</div><ul><li>a</li></ul><ol start='3'><li>b</li><li>c</li>"
        '</ol><pre>x\n  y</pre><div id="divRplyFwdMsg">From: Career Circle</div><p>old</p>'
    )
    assert html_text(html) == "one\ntwo words\n> q1\n> > q2\nafter\n- a\n3. b\n4. c\nx\n  y"


def test_importing_the_module_loads_no_cli_or_parser_library() -> None:
    code = (
        "import sys, mentorctl.checkins.reply_text\n"
        "heavy = {'typer', 'rich', 'tinydb', 'jinja2', 'mailparser_reply', 'email_reply_parser'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_questions_of_week_one_are_numbered_as_the_email_numbers_them() -> None:
    body = f"{GMAIL_ATTR}\n" + quoted(original(True)) + "\n\n4. yes\n"
    assert read_answers(strip_quoted(body), WEEK1).answers == {"fit": "yes"}


# -- hostile text: every value reads or is refused, in time that grows with the line ----------


def _plain(text: str) -> EmailMessage:
    msg = EmailMessage()
    msg.set_content(text)
    return msg


def _html(text: str) -> EmailMessage:
    msg = EmailMessage()
    msg.set_content(text, subtype="html")
    return msg


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("undefined", b"1. yes\n2. 4\n3. caf\xe9"),
        ("idna", b"1. yes\n2. 4\n3. caf\xe9"),
        ("punycode", b"1. yes\n2. 4\n3. caf\xe9"),
        ("utf\x008", b"1. yes\n2. 4\n3. caf\xc3\xa9"),
        ("utf\udce98", b"1. yes\n2. 4\n3. caf\xc3\xa9"),
        ("base64", b"1. yes\n2. 4\n3. caf\xc3\xa9"),
        ("unicode_escape", b"1. yes\n2. 4\n3. caf\\u00e9"),
    ],
    ids=["undefined", "idna", "punycode", "nul", "8-bit", "base64", "unicode-escape"],
)
def test_a_charset_that_is_no_mail_charset_reads_as_utf8_or_windows_1252(
    charset: str, body: bytes
) -> None:
    raw = (
        b'Content-Type: text/plain; charset="'
        + charset.encode("utf-8", "surrogateescape")
        + b'"\nContent-Transfer-Encoding: 8bit\n\n'
        + body
    )
    from email import message_from_bytes, policy

    text = body_text(message_from_bytes(raw, policy=policy.default))
    assert text.startswith("1. yes\n2. 4\n3. caf")
    got = read_answers(text, WEEK2)
    assert (got.answers["met"], got.answers["progress"]) == ("yes", 4)


@pytest.mark.parametrize("value", ["⁴", "²", "4⁵", "٤٤٤٤", "9" * 5000, "4 of ⁵"])
def test_digits_of_other_forms_are_no_scale_value_and_raise_nothing(value: str) -> None:
    got = read_answers(f"1. yes\n2. {value}", WEEK2)
    assert got.answers["met"] == "yes"
    assert got.answers.get("progress") in (None, 4)


@pytest.mark.parametrize("start", ["²", "9" * 5000, "-3", "", "x", "1e3"])
def test_an_ordered_list_start_that_is_no_small_number_starts_at_one(start: str) -> None:
    assert html_text(f'<ol start="{start}"><li>yes</li><li>4</li></ol>') == "1. yes\n2. 4"
    assert html_text('<ol start="3"><li>yes</li></ol>') == "3. yes"


def _hostile_lines(size: int) -> dict[str, EmailMessage]:
    """Replies whose text made a pattern or a parser take time that grows faster than it."""
    return {
        "attribution": _plain("1. yes\n\nOn " + "<" * 190 + "a@" * ((size - 200) // 2)),
        "address-attribution": _plain(
            "1. yes\n" + "<" * (size // 2) + "@" * (size // 2) + " wrote:"
        ),
        "disclaimers": _plain("1. yes\n" + ("this email " + "x" * 40 + "\n") * (size // 52)),
        "wrapped-quote": _plain("1. yes\n" + "> did you meet or talk\n" * (size // 23) + "yes"),
        "html-comments": _html("<p>1. yes</p>" + "<!--" * (size // 4)),
        "html-cdata": _html("<p>1. yes</p>" + "<![CDATA[" * (size // 9)),
        "html-tags": _html("<p>1. yes</p>" + "<a " * (size // 3)),
        "separator": _plain("1. yes\n" + "-" * size),
        "glued-separator": _plain("1. yes\n" + "-----x-----" * (size // 11) + "From: x"),
        "header-ends": _plain("1. yes\n" + "On 2.3.2026 <a@b.cc> wrote\n" * (size // 27)),
        "header-labels": _plain("1. yes\n" + "From: x\n" * (size // 8)),
        "header-verbs": _plain("1. yes\n" + "2.3.2026 wrote " * (size // 15) + "a@b.cc:"),
        "inline-questions": _plain(
            "1. yes\n\nFrom: x\nSent: y\n\n"
            + "  1. Did you meet or talk this week? (yes / no)\nyes\n" * (size // 52)
        ),
    }


def _seconds(msgs: list[EmailMessage]) -> float:
    """The best of three runs reading every message of ``msgs``."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for msg in msgs:
            read_answers(reply_text(msg), WEEK2)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("shape", sorted(_hostile_lines(2_000)))
def test_reading_hostile_text_takes_time_in_proportion_to_its_length(shape: str) -> None:
    small = _hostile_lines(2_000)[shape]
    large = _hostile_lines(100_000)[shape]
    # The same text 50 times as long, against 50 copies of the short one read in turn: a
    # linear reader takes about as long for both; a quadratic one, 50 times as long.
    ratio = _seconds([large]) / _seconds([small] * 50)
    assert ratio < 4, f"{shape}: {ratio:.1f} times the time of the same length in short replies"


def test_the_messages_own_pair_code_footer_is_not_the_person_s_words() -> None:
    from mentorctl.checkins.reply_text import strip_quoted

    assert strip_quoted("1. yes\n2. 4\n\nPair code: M3\n") == "1. yes\n2. 4"
    kept = "We talked about the pair code: M3 is ours"
    assert strip_quoted(f"{kept}\n") == kept  # only the footer's own line goes
