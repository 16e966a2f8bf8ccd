"""Rendering and building messages: strict templates, data as data, safe headers."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PROGRAM
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import edit_template, parse_eml

from mentorctl.errors import ConfigError, InputError
from mentorctl.mail import messages
from mentorctl.programs.program import load_program

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version"}
PERSON = {
    "id": "P3",
    "name": "Ann Mentee",
    "email": "ann@example.org",
    "role": "mentee",
    "goals": ["Career change", "Networking"],
    "expertise": [],
    "languages": ["English"],
    "timezone": "UTC",
    "organisation": "Initech",
    "bio": None,
    "extra": {"industry": "Finance"},
}
MENTOR = {
    **PERSON,
    "id": "P1",
    "name": "Meg Mentor",
    "email": "meg@example.org",
    "role": "mentor",
    "goals": [],
    "expertise": ["networking", "Public speaking"],
}
PAIR = {"id": "M1", "score": 0.8, "reasons": ["both: Networking"], "created": "2026-03-01"}


@pytest.fixture
def program(workspace: Path):
    return load_program(workspace / PROGRAM / "program.yaml")


def _render(program, kind: str, week: int, mentee=PERSON, mentor=MENTOR, recipient=None):
    templates = messages.Templates(program, program.dir / "messages")
    if recipient is None and kind in ("weekly", "wrapup", "lapsed", "ended"):
        recipient = messages.person_context(mentee)  # these go to each person on their own
    context = messages.ContextMaker(program).make(
        kind=kind,
        week=week,
        pair=PAIR,
        start=dt.date(2026, 3, 2),
        mentee=messages.person_context(mentee),
        mentor=messages.person_context(mentor),
        recipient=recipient,
    )
    return templates.render(kind, context, pair_id="M1"), context


def _build(rendered, to_names=("Ann Mentee", "Meg Mentor")) -> EmailMessage:
    to = [
        messages.make_address(to_names[0], "ann@example.org", who="P3"),
        messages.make_address(to_names[1], "meg@example.org", who="P1"),
    ]
    return messages.build_email(
        rendered,
        sender=Address("Team", "mentoring", "example.org"),
        to=to,
        reply_to=None,
        date=NOW,
        msg_id="<x.M1.weekly1.all@example.org>",
    )


# -- context ------------------------------------------------------------------------------


def test_context_per_kind(program) -> None:
    _, intro = _render(program, "intro", 0)
    assert intro["week"] == 0 and intro["step"] is None
    assert intro["next_step"]["title"] == "Get to know each other"
    assert intro["fit_question"] is None and intro["recipient"] is None
    _, week1 = _render(program, "weekly", 1)
    assert week1["step"]["week"] == 1 and week1["weeks_left"] == 7
    assert week1["fit_question"] == "Is this match working for you so far?"
    assert [q["key"] for q in week1["questions"]] == ["met", "progress", "note"]
    assert week1["recipient"]["first_name"] == "Ann" and week1["partner"]["first_name"] == "Meg"
    assert week1["nudge"] is False
    _, week2 = _render(program, "weekly", 2)
    assert week2["fit_question"] is None
    _, last = _render(program, "wrapup", 8)
    assert last["next_step"] is None and last["weeks_left"] == 0
    assert last["program"]["sender"] == {
        "name": "Career Mentoring Team",
        "email": "mentoring@example.org",
    }


def test_shared_topics_ignore_case_and_keep_the_mentees_order(program) -> None:
    _, context = _render(program, "intro", 0)
    assert context["pair"]["shared_topics"] == ["Networking"]
    assert context["pair"]["reasons"] == ["you share an interest in Networking"]
    assert context["mentee"]["first_name"] == "Ann"


def test_every_built_in_template_renders_every_kind(cli, tmp_path: Path) -> None:
    """The six program templates shipped with mentorctl render with the documented context."""
    from mentorctl.programs.catalogue import list_templates

    for info in list_templates():
        root = tmp_path / info.key
        assert cli("init-program", "P", "--template", info.key, "--dir", root).exit_code == 0
        prog = load_program(root / "p" / "program.yaml")
        for kind, week in (
            ("intro", 0),
            ("weekly", 1),
            ("weekly", 2),
            ("nudge", 3),
            ("wrapup", prog.duration_weeks),
            ("lapsed", prog.duration_weeks),
            ("ended", 3),
        ):
            rendered, _ = _render(prog, kind, week)
            assert "Ann" in rendered.text, (info.key, kind)
            assert rendered.subject and "\n" not in rendered.subject
            # the pair's code ends every message (a form asks for it); the html part too
            assert rendered.text.endswith("\n\nPair code: M1\n"), (info.key, kind)
            assert rendered.html is None or ">Pair code: M1</p>" in rendered.html
            if kind in ("weekly", "wrapup"):  # to Ann alone: the subject names her partner
                assert " with Meg" in rendered.subject, (info.key, kind)
        separate, _ = _render(prog, "weekly", 2, recipient=messages.person_context(PERSON))
        assert separate.text


# -- sign-up data is data -----------------------------------------------------------------


def test_template_syntax_in_data_is_printed_as_written(program) -> None:
    sneaky = {
        **PERSON,
        "name": "{{ 7*7 }} {% if true %}x{% endif %}",
        "bio": "{{ program.sender }}",
    }
    rendered, _ = _render(program, "intro", 0, mentee=sneaky)
    assert "{{ 7*7 }}" in rendered.text and "49" not in rendered.text
    assert "{{ program.sender }}" in rendered.text
    assert rendered.subject.startswith("Meet your Test Program match: {{ and Meg")


def test_html_is_escaped_in_the_html_part_only(program) -> None:
    rendered, _ = _render(
        program, "intro", 0, mentee={**PERSON, "bio": "<script>alert(1)</script>"}
    )
    assert rendered.html is not None
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text


# -- strict templates ---------------------------------------------------------------------


def test_a_missing_variable_names_the_template_and_line(program, workspace: Path) -> None:
    path = edit_template(
        workspace,
        "weekly.txt.j2",
        lambda t: t.replace("This week: {{ step.title }}", "This week: {{ step.titel }}"),
    )
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if "step.titel" in text
    )
    with pytest.raises(ConfigError) as caught:
        _render(program, "weekly", 2)
    text = str(caught.value)
    assert f"weekly.txt.j2:{line}" in text
    assert "titel" in text and "pair M1" in text and "nothing was sent" in text


def test_a_misspelt_top_level_name_fails_even_inside_if(program, workspace: Path) -> None:
    edit_template(
        workspace, "nudge.txt.j2", lambda t: t + "\n{% if mentee.nickname %}x{% endif %}\n"
    )
    with pytest.raises(ConfigError, match=r"nudge\.txt\.j2:\d+: .*nickname"):
        _render(program, "nudge", 3)


def test_a_syntax_error_names_the_line(program, workspace: Path) -> None:
    edit_template(workspace, "wrapup.txt.j2", lambda t: "line one\n{% if %}\n" + t)
    with pytest.raises(ConfigError, match=r"wrapup\.txt\.j2:2: template syntax error"):
        messages.Templates(program, program.dir / "messages").check(("wrapup",))


def test_a_subject_error_names_the_setting(program) -> None:
    program.data["messages"]["weekly"]["subject"] = "Week {{ wek }}"
    with pytest.raises(
        ConfigError, match=r"program\.yaml: messages\.weekly\.subject: 'wek' is undefined"
    ):
        _render(program, "weekly", 2)


def test_a_missing_template_file_is_named(program, workspace: Path) -> None:
    (workspace / PROGRAM / "messages" / "nudge.txt.j2").unlink()
    with pytest.raises(ConfigError, match=r"messages\.nudge\.file: no template 'nudge\.txt\.j2'"):
        _render(program, "nudge", 3)


# -- headers ------------------------------------------------------------------------------


def test_python_still_accepts_a_trailing_newline_in_a_header() -> None:
    """Why header_text exists (CPython gh-121650): a trailing line break in a header value
    passes the email package's check and ends the header block early."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["To"] = "ann@example.org\r\n"
    msg["Subject"] = "Hello"
    msg.set_content("x")
    raw = msg.as_bytes()
    assert b"ann@example.org\r\n\r\nSubject" in raw  # Subject is now in the body
    assert parse_eml(raw)["Subject"] is None


def test_our_messages_never_end_the_header_block_early(program) -> None:
    rendered = messages.Rendered("Hello\r\n", "body\n", None)
    msg = _build(rendered, to_names=("Ann\n", "Meg\r\n"))
    parsed = parse_eml(msg.as_bytes())
    assert parsed["Subject"] == "Hello" and parsed["Message-ID"]
    assert _recipients(parsed) == [("Ann", "ann@example.org"), ("Meg", "meg@example.org")]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Hello\r\nBcc: evil@example.com", "Hello Bcc: evil@example.com"),
        ("Hi\n", "Hi"),
        ("a\rb\x0bc\x0cd\x1ce\x85f\u2028g\u2029h", "a b c d e f g h"),
        ("tab\tand  spaces", "tab and spaces"),
        ("nul\x00bell\x07", "nulbell"),
        ("Zoë Łukasz 日本", "Zoë Łukasz 日本"),
    ],
)
def test_header_text_is_one_line(value: str, expected: str) -> None:
    assert messages.header_text(value) == expected


@pytest.mark.parametrize(
    "address",
    [
        "ann@example.org\r\nBcc: x@y.z",
        "ann@example.org\n",
        "a b@example.org",
        "a<b>@x.org",
        "noat",
        "a@b@c",
        "@x.org",
    ],
)
def test_an_address_that_could_break_a_header_is_refused(address: str) -> None:
    with pytest.raises(InputError, match="person P9 has an email address that cannot be used"):
        messages.make_address("Ann", address, who="person P9")


def test_injection_in_names_and_subject_adds_no_header(program) -> None:
    evil = "Ann\r\nBcc: evil@example.com\r\nX-Injected: yes"
    rendered, _ = _render(program, "weekly", 2, mentee={**PERSON, "name": evil})
    rendered = messages.Rendered("Subject\r\nBcc: evil@example.com\n", rendered.text, None)
    msg = parse_eml(_build(rendered, to_names=(evil, "Meg\nCc: evil@example.com")).as_bytes())
    assert set(msg.keys()) == HEADERS | {"Content-Type", "Content-Transfer-Encoding"}
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann@example.org", "meg@example.org"]
    assert "evil@example.com" not in {a.addr_spec for a in msg["To"].addresses}
    assert msg["Subject"] == "Subject Bcc: evil@example.com"


def _recipients(msg: EmailMessage) -> list[tuple[str, str]]:
    """(display name without white space, address) of each To address, as a reader sees them."""
    return [("".join(a.display_name.split()), a.addr_spec) for a in msg["To"].addresses]


def test_long_non_ascii_names_keep_both_recipients() -> None:
    """CPython's own folder can swallow the comma between two addresses into an encoded word
    when non-ASCII names are folded (the To header then names one person); ours cannot."""
    names = ("000¡¡¡¡¡¡¡¡𐀀𐀀𐀀", "José García López de la Fuente Zoë Müller-Lüdenscheidt")
    rendered = messages.Rendered("Hi", "x", None)
    for first, second in (names, names[::-1], (names[1], names[1])):
        msg = parse_eml(_build(rendered, to_names=(first, second)).as_bytes())
        assert _recipients(msg) == [
            ("".join(first.split()), "ann@example.org"),
            ("".join(second.split()), "meg@example.org"),
        ]


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=80), subject=st.text(max_size=120), body=st.text(max_size=200))
def test_no_name_or_subject_can_add_a_header(name: str, subject: str, body: str) -> None:
    rendered = messages.Rendered(messages.header_text(subject), body or "x", None)
    raw = _build(rendered, to_names=(name, name)).as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    names = {line.split(b":", 1)[0].decode() for line in lines if line[:1] not in (b" ", b"\t")}
    assert names <= HEADERS | {"Content-Type", "Content-Transfer-Encoding"}
    assert max(len(line) for line in lines) <= 998
    msg = parse_eml(raw)
    shown = "".join(messages.header_text(name, 200).split())
    assert _recipients(msg) == [(shown, "ann@example.org"), (shown, "meg@example.org")]
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])


def test_a_message_is_a_real_email_with_text_and_html(program) -> None:
    rendered, _ = _render(program, "intro", 0)
    msg = parse_eml(_build(rendered).as_bytes())
    assert msg["From"] == "Team <mentoring@example.org>"
    assert msg["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000"
    assert msg["Message-ID"] == "<x.M1.weekly1.all@example.org>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().startswith("Hello Ann and Meg,")
    assert "<h1" in msg.get_body(("html",)).get_content()


def test_message_ids_are_stable_and_tell_pairs_and_stores_apart() -> None:
    token = messages.pair_token("career", PAIR)
    assert token == messages.pair_token("career", dict(PAIR))
    assert token != messages.pair_token("career", {**PAIR, "created": "2027-01-01"})
    mid = messages.message_id(token, "M1", "weekly", 3, "all", "example.org")
    assert mid == f"<{token}.M1.weekly3.all@example.org>"
    assert messages.address_domain("x@Bücher.example") == "xn--bcher-kva.example"


def test_preview_shows_headers_and_the_text_body(program) -> None:
    rendered, _ = _render(program, "weekly", 1)
    text = messages.preview_text(_build(rendered))
    assert text.startswith("From: Team <mentoring@example.org>\nTo: Ann Mentee <ann@example.org>")
    assert "Is this match working for you so far? (yes / no)" in text


def test_email_parsing_roundtrip_keeps_non_ascii(program) -> None:
    rendered, _ = _render(program, "weekly", 2, mentee={**PERSON, "name": "Zoë Ñandú"})
    msg = email.message_from_bytes(
        _build(rendered, ("Zoë Ñandú", "Meg")).as_bytes(), policy=email.policy.default
    )
    assert msg["To"].addresses[0].display_name == "Zoë Ñandú"
    assert "Hello Zoë,\r\n" in msg.get_body(("plain",)).get_content()
