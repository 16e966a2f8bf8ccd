"""A circle's weekly message, wrap-up and farewell: their own templates, which speak of a group,
ask about the circle in week 1 and end with the circle's code; replies to them are recorded."""

from __future__ import annotations

import datetime as dt
import email.utils
import mailbox
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PROGRAM
from messages_fixtures import (  # noqa: F401  (fixtures)
    edit_program,
    parse_eml,
    smtp_server_fixture,
    table,
    use_smtp,
)
from test_circle_intro import HEADER, _circles, _rows
from test_languages import _leftover_english

from mentorctl.checkins.reply_text import _PAIR_CODE
from mentorctl.mail import languages, messages
from mentorctl.programs.catalogue import init_program, list_templates
from mentorctl.programs.program import load_program
from mentorctl.programs.translations import SHIPPED_CIRCLE_FIT

BUILT_IN = ("en", "fr", "es", "de", "pt")
CIRCLE_CODE = {"en": "Circle code: C2", "fr": "Code du cercle\u00a0: C2", "es": "Código del círculo: C2",
               "de": "Kreis-Code: C2", "pt": "Código do círculo: C2"}  # fmt: skip
# What a pair's messages call the pair and the match, in each language: never in a circle's.
PAIR_WORDS = {
    "en": r"\b(pair|pairs|match|matched|partner)\b",
    "fr": r"\b(binôme|binômes|duo)\b",
    "es": r"\b(pareja|parejas)\b",
    "de": r"(Tandem|Tandems)\b",
    "pt": r"\b(dupla|duplas)\b",
}
# "Everyone in your circle gets this message on their own", in each language.
EVERYONE = {
    "en": "Everyone in your circle gets this message on their own.",
    "fr": "Chaque membre de votre cercle reçoit ce message de son côté.",
    "es": "Cada miembro de tu círculo recibe este mensaje por su lado.",
    "de": "Alle in deinem Kreis bekommen diese Nachricht jeweils einzeln.",
    "pt": "Cada pessoa do seu círculo recebe esta mensagem separadamente.",
}
AND = {"en": "and", "fr": "et", "es": "y", "de": "und", "pt": "e"}
TODAY = dt.date(2026, 2, 20)
START = dt.date(2026, 3, 2)


def _person(pid: str, name: str) -> dict:
    return messages.person_context({"id": pid, "name": name, "email": f"{pid}@example.org"})


def _cases(last: int) -> list[tuple[str, int, str, bool]]:
    """(template kind, week, recipient, nudge): to a mentee and to the mentor."""
    return [
        ("circle_weekly", 1, "P2", False),
        ("circle_weekly", 1, "P1", False),
        ("circle_weekly", 3, "P3", True),
        ("circle_weekly", last, "P1", True),
        ("circle_wrapup", last, "P2", False),
        ("circle_wrapup", last, "P1", False),
        ("circle_lapsed", last, "P3", False),
        ("circle_lapsed", last, "P1", False),
    ]


@pytest.mark.parametrize("language", BUILT_IN)
def test_every_circle_message_renders_in_every_template_and_language(
    tmp_path: Path, language: str
) -> None:
    """Each built-in template's circle messages in each language: in that language only,
    with no word of a pair or a match, the circle's code at the foot and, in week 1, the
    circle's own fit question."""
    people = {pid: _person(pid, name) for pid, name in
              (("P1", "Marc Dubois"), ("P2", "Inès Moreau"), ("P3", "Ana Lima"),
               ("P4", "Kai Berg"))}  # fmt: skip
    mentees = [people["P2"], people["P3"], people["P4"]]
    names = f"Inès, Ana {AND[language]} Kai"  # the mentees, as the mentor's messages list them
    circle = {"id": "C2", "members": list(people.values()), "mentors": [people["P1"]],
              "mentees": mentees}  # fmt: skip
    for info in list_templates():
        init_program("Cercle", info.key, root=tmp_path / info.key, today=TODAY, language=language)
        program = load_program(tmp_path / info.key / "cercle" / "program.yaml")
        templates = languages.Templates(program, program.dir / "messages")
        circle_fit = program.data["checkin"]["circle_fit_question"]
        assert circle_fit != program.data["checkin"]["fit_question"], info.key
        last = program.duration_weeks
        for kind, week, to, nudge in _cases(last):
            recipient = people[to]
            context = templates.contexts.make(
                kind=kind.removeprefix("circle_"), week=week, pair={"id": "M3", "circle": "C2"},
                start=START, mentee=people["P2"] if to == "P1" else recipient,
                mentor=people["P1"], recipient=recipient, nudge=nudge, today=TODAY,
            )  # fmt: skip
            as_mentor = to == "P1"
            if context["fit_question"]:
                context["fit_question"] = circle_fit
            context.update(circle=circle, as_mentor=as_mentor, mentor_left=False)
            rendered = templates.render(kind, context, pair_id="M3")
            text, subject = rendered.text, rendered.subject
            where = (info.key, language, kind, week, to)
            assert "{{" not in text + subject and "\n" not in subject, where
            assert text.endswith("\n\n" + CIRCLE_CODE[language] + "\n"), where
            assert _PAIR_CODE.match(CIRCLE_CODE[language]), where  # the reply reader drops it
            assert not re.search(PAIR_WORDS[language], subject + "\n" + text, re.I), where
            assert "M3" not in text and "M3" not in subject, where
            if language != "en":
                data = ("Marc", "Inès", "Ana", "Kai", "Cercle")
                assert not _leftover_english(subject + "\n" + text, data), where
            flat = " ".join(text.split())
            if kind == "circle_weekly" and week == 1:
                assert " ".join(circle_fit.split()) in flat, where
                assert (names in subject) == as_mentor == (names in flat), where
                assert (EVERYONE[language] in flat) != as_mentor, where
            if kind == "circle_weekly" and week > 1:
                assert circle_fit not in flat, where


def _week_one(workspace: Path, cli, smtp_server) -> tuple[dict, dict[str, str]]:
    """A circle of a mentor and four mentees, introduced by email; week 1 in the outbox."""
    _circles(workspace, HEADER + _rows("a", "English", "Europe/London", "Networking"), cli)
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    result = cli("checkin", "-w", workspace, "--today", "2026-03-09")
    assert result.exit_code == 0, result.output
    (circle,) = table(workspace, "circles")
    names = {p["id"]: p["name"].split()[0] for p in table(workspace, "people")}
    return circle, names


def _weekly_of(workspace: Path, pid: str) -> EmailMessage:
    (file,) = (workspace / PROGRAM / "outbox").glob(f"*-weekly-w01-{pid}.eml")
    return parse_eml(file.read_bytes())


def test_a_circles_week_one_reads_as_a_circles(workspace: Path, cli, smtp_server) -> None:
    circle, names = _week_one(workspace, cli, smtp_server)
    mentor, mentees = circle["mentors"][0], circle["mentees"]
    mentee = _weekly_of(workspace, mentees[0])
    body = " ".join(mentee.get_body(("plain",)).get_content().split())
    assert str(mentee["Subject"]).startswith("Test Program, week 1 with your circle: ")
    assert "Everyone in your circle gets this message on their own." in body
    assert "Is your circle working well for you so far? (yes / no)" in body
    assert "asking about the circle itself" in body
    assert body.endswith(f"Circle code: {circle['id']}")
    assert not re.search(PAIR_WORDS["en"], body + str(mentee["Subject"]), re.I), body
    to_mentor = _weekly_of(workspace, mentor)
    body = " ".join(to_mentor.get_body(("plain",)).get_content().split())
    them = [names[m] for m in mentees]
    listed = f"{', '.join(them[:-1])} and {them[-1]}"  # as the circle's introduction lists them
    assert str(to_mentor["Subject"]).startswith(f"Test Program, week 1 with {listed}: ")
    assert f"your one message of the week for your circle with {listed}" in body
    assert "one reply from you covers the whole circle" in body
    assert body.endswith(f"Circle code: {circle['id']}")
    assert not re.search(PAIR_WORDS["en"], body + str(to_mentor["Subject"]), re.I), body


def _reply(original: EmailMessage, sender: str, text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(original["From"])
    msg["Subject"] = "Re: " + str(original["Subject"])
    msg["Message-ID"] = email.utils.make_msgid(domain="mail.example.net")
    msg["In-Reply-To"] = msg["References"] = str(original["Message-ID"])
    msg["Date"] = email.utils.format_datetime(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    quoted = "\n".join(
        "> " + line for line in original.get_body(("plain",)).get_content().split("\n")
    )
    msg.set_content(f"{text}\n\n{quoted}\n")
    return msg.as_bytes()


def test_a_reply_to_a_circles_week_one_is_recorded_with_its_fit_answer(
    workspace: Path, cli, smtp_server
) -> None:
    """A mentee answers by number, the mentor by retyping the circle's fit question: both
    replies are read, and the fit answer is recorded as the fit answer."""
    circle, _ = _week_one(workspace, cli, smtp_server)
    mentor, mentee = circle["mentors"][0], circle["mentees"][0]
    emails = {p["id"]: p["email"] for p in table(workspace, "people")}
    box = mailbox.Maildir(workspace / "Maildir", create=True)
    box.add(_reply(_weekly_of(workspace, mentee), emails[mentee], "1. yes\n2. 4\n3. -\n4. yes"))
    mentor_text = "Did you meet? yes\nIs your circle working well for you so far? Yes"
    box.add(_reply(_weekly_of(workspace, mentor), emails[mentor], mentor_text))
    box.close()
    result = cli("checkin", "-w", workspace, "--replies", workspace / "Maildir",
                 "--today", "2026-03-11")  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = {(a["person"], a["week"]): a["answers"] for a in table(workspace, "answers")}
    assert answers[(mentee, 1)]["fit"] == "yes" and answers[(mentee, 1)]["met"] == "yes"
    assert answers[(mentor, 1)]["fit"] == "yes" and answers[(mentor, 1)]["met"] == "yes"
    assert "Circle code" not in str(answers[(mentee, 1)].get("note", ""))


def test_checkin_record_takes_the_circle_code_of_the_footer(
    workspace: Path, cli, smtp_server
) -> None:
    """``checkin --record C1``: the person's own pair in the circle; the mentor's is the
    circle's first member pair, where its weekly message to the mentor is recorded."""
    circle, _ = _week_one(workspace, cli, smtp_server)
    mentor, mentees = circle["mentors"][0], circle["mentees"]
    pairs = {(p["mentor"], p["mentee"]): p["id"] for p in table(workspace, "pairs")}
    for pid in (mentees[1], mentor):
        result = cli("checkin", "-w", workspace, "--record", f"Circle code: {circle['id']}",
                     "--person", pid, "-a", "met=yes", "-a", "fit=yes",
                     "--today", "2026-03-11")  # fmt: skip
        assert result.exit_code == 0, result.output
    got = {a["person"]: a["pair"] for a in table(workspace, "answers")}
    assert got[mentees[1]] == pairs[(mentor, mentees[1])]
    sent_to_mentor = next(
        m for m in table(workspace, "messages")
        if m["kind"] == "weekly" and m["to"] == [mentor]
    )  # fmt: skip
    assert got[mentor] == sent_to_mentor["pair"]
    result = cli("checkin", "-w", workspace, "--record", "C9", "--person", mentor,
                 "-a", "met=yes", "--today", "2026-03-11")  # fmt: skip
    assert result.exit_code != 0 and "no such pair" in result.output + result.stderr


def test_an_older_program_without_the_circle_templates_uses_the_shipped_ones(
    workspace: Path, cli, smtp_server
) -> None:
    """A program made before circles had their own messages: no keys in program.yaml, no
    files in messages/; its circles' week 1 still reads as a circle's."""

    def older(data: dict) -> None:
        for kind in ("circle_weekly", "circle_wrapup", "circle_lapsed"):
            data["messages"].pop(kind)
        data["checkin"].pop("circle_fit_question")

    edit_program(workspace, older)
    for file in (workspace / PROGRAM / "messages").rglob("circle_*.txt.j2"):
        if file.name != "circle_intro.txt.j2":
            file.unlink()
    circle, _ = _week_one(workspace, cli, smtp_server)
    body = _weekly_of(workspace, circle["mentees"][0]).get_body(("plain",)).get_content()
    assert SHIPPED_CIRCLE_FIT["en"] in " ".join(body.split())
    assert body.rstrip().endswith(f"Circle code: {circle['id']}")


def test_an_imported_form_names_the_circle_and_asks_the_circles_fit_question(
    workspace: Path, cli, smtp_server
) -> None:
    """A form export whose pair column holds the circle's code and whose last column is the
    circle's fit question: each row lands on the person's pair in the circle, as the fit
    answer."""
    circle, _ = _week_one(workspace, cli, smtp_server)
    mentor, mentee = circle["mentors"][0], circle["mentees"][2]
    emails = {p["id"]: p["email"] for p in table(workspace, "people")}
    pairs = {(p["mentor"], p["mentee"]): p["id"] for p in table(workspace, "pairs")}
    code = circle["id"]
    text = (
        "Email Address,Week,Pair code,Did you meet or talk this week?,"
        "Is your circle working well for you so far?\n"
        f"{emails[mentee]},1,Circle code: {code},yes,no\n{emails[mentor]},1,{code},yes,yes\n"
    )
    path = workspace / "answers.csv"
    path.write_text(text, encoding="utf-8")
    result = cli("checkin", "-w", workspace, "--import", path, "--today", "2026-03-11")
    assert result.exit_code == 0, result.output
    got = {a["person"]: (a["pair"], a["answers"]) for a in table(workspace, "answers")}
    assert got[mentee] == (pairs[(mentor, mentee)], {"met": "yes", "fit": "no"})
    assert got[mentor][1] == {"met": "yes", "fit": "yes"}
    assert got[mentor][0] == min(pairs.values(), key=lambda p: int(p[1:]))
