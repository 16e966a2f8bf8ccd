"""Replies in the languages people write in: reply headers, Outlook blocks, device lines,
answers in each language and form, answers typed under an unquoted original; end to end."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    introduced_fixture,
    paired_fixture,
    table,
)
from test_checkin_replies import READ_DAY, as_reply, maildir_of, running, sent_ids  # noqa: F401

from mentorctl.checkins import reply_headers, reply_kinds
from mentorctl.checkins.reply_text import Question, read_answers, strip_quoted
from mentorctl.checkins.reply_values import read_scale, read_yes_no

CORPUS = Path(__file__).parent / "replies"
WEEK2 = [Question(*q) for q in json.loads((CORPUS / "questions.json").read_text())]
ORIGINAL = (CORPUS / "en" / "outlook_inline_answers.eml").read_bytes()

HEADERS = [
    "On Mon, Mar 2, 2026 at 9:00 AM Career Circle <organisers@example.org> wrote:",
    "Am Mo., 2. März 2026 um 09:00 Uhr schrieb Career Circle <organisers@example.org>:",
    "Career Circle <organisers@example.org> schrieb am Mo., 2. März 2026, 09:00:",
    "Career Circle schrieb am 02.03.2026 09:00:",
    "organisers@example.org wrote:",
    '30.09.2017, 18.30, "John" <john@example.org>:',
    "On Mon, Mar 2, 2026 at 9:00 AM Career Circle <organisers@example.org> wrote",
    "---- On Mon, 02 Mar 2026 09:00:00 +0100 Career Circle <organisers@example.org> wrote ----",
    "man. 2. mar. 2026 kl. 09:00 skrev Career Circle <organisers@example.org>:",
    "пн, 2 мар. 2026 г. в 09:00, Career Circle <organisers@example.org>:",
    "ma 2. maalisk. 2026 klo 9.00 Career Circle (<organisers@example.org>) kirjoitti:",
    "Dnia 2.03.2026 o 09:00 Career Circle <organisers@example.org> napisał(a):",
    "Wiadomość napisana przez Career Circle <organisers@example.org> w dniu 02.03.2026, o "
    "godz. 09:00:",
    "In data 2 mar 2026, alle ore 09:00, Career Circle <organisers@example.org> ha scritto:",
    "No dia 2 de mar. de 2026, às 09:00, Career Circle <organisers@example.org> escreveu:",
    "Career Circle <organisers@example.org> ezt írta (időpont: 2026. márc. 2., H, 9:00):",
    "2022年1月1日(金) 9:00 Career Circle <organisers@example.org>:",
    "Career Circle <organisers@example.org> 于2026年3月2日周一 09:00写道：",
    "في الاثنين، 2 مارس 2026 في 9:00 ص تمت كتابة ما يلي بواسطة Career Circle "
    "<organisers@example.org>:",
    "Στις Δευ 2 Μαρ 2026 στις 9:00 π.μ., ο/η Career Circle <organisers@example.org> έγραψε:",
    "po 2. 3. 2026 v 9:00 odesílatel Career Circle <organisers@example.org> napsal:",
    "Career Circle <organisers@example.org>, 2 Mar 2026 Pzt, 09:00 tarihinde şunu yazdı:",
    "2026년 3월 2일 (월) 오전 9:00, Career Circle <organisers@example.org>님이 작성:",
    "\u202bבתאריך יום ב׳, 2 במרץ 2026 ב-9:00 מאת \u202aCareer Circle\u202c\u200f <\u202a"
    "organisers@example.org\u202c\u200f>:\u202c",
]
NOT_HEADERS = [
    "On Tuesday she wrote a plan:",
    "We met on 3 March and talked about my CV.",
    "I wrote to Ben:",
    "Career Circle schrieb:",
    "Only a short chat",
    "Progress: 4/5",
    "Our address is team@example.org, write to it",
    "Meeting on 2.3.2026 with ben@example.org:",
]


@pytest.mark.parametrize("line", HEADERS)
def test_reply_headers_of_each_language_and_client_are_recognised(line: str) -> None:
    assert reply_headers.is_reply_header(line)
    body = f"1. yes\n2. 4\n3. We met.\n\n{line}\n\nHello Anna and Ben,\nWarm wishes,\n"
    assert strip_quoted(body) == "1. yes\n2. 4\n3. We met."


@pytest.mark.parametrize("line", NOT_HEADERS)
def test_the_person_s_own_lines_are_no_reply_header(line: str) -> None:
    assert not reply_headers.is_reply_header(line)
    assert strip_quoted(f"{line}\nmore of it") == f"{line}\nmore of it"


@pytest.mark.parametrize(
    "block",
    [
        "**De :** Career Circle <o@example.org>\n**Envoyé :** lundi 2 mars 2026\n**À :** Anna",
        "من: Career Circle <o@example.org>\nتاريخ الإرسال: الاثنين، 2 مارس 2026\nإلى: Anna",
        "Message du : 02/03/2026 09:00\nDe : Career Circle <o@example.org>\nA : anna@example.com",
        "-----Original-Nachricht-----\nBetreff: Woche 2\nDatum: 2026-03-02T09:00:00+01:00",
        "-----Ursprüngliche Nachricht-----Von: Career Circle <o@example.org>\nGesendet: Montag",
        "________________________________From: Career Circle\nSent: Monday\nTo: Anna",
        "差出人: Career Circle <o@example.org>\n送信日時: 2026年3月2日 9:00\n宛先: Anna",
    ],
)
def test_outlook_header_blocks_end_the_person_s_text(block: str) -> None:
    assert strip_quoted(f"Ja\n4\n\n{block}\n\nHello Anna and Ben,\nIt's week 2.") == "Ja\n4"


def test_an_outlook_block_above_the_text_drops_nothing_below_it() -> None:
    own = "From: Anna <anna@example.com>\nSent: Monday, 9 March 2026\nTo: Career Circle\n"
    theirs = "From: Career Circle <o@example.org>\nSent: Monday, 2 March 2026\nTo: Anna\n"
    body = f"{own}\n1. Yes\n2. 4\n\n{theirs}\nHello Anna and Ben,\n"
    assert strip_quoted(body) == "1. Yes\n2. 4"
    assert strip_quoted(f"{own}\n1. Yes\n\nOn 2 Mar 2026, Circle <o@example.org> wrote:\n> Hi") == (
        "1. Yes"
    )


def test_the_person_s_words_are_kept() -> None:
    assert strip_quoted("Sent from my desk, between two calls: we met.") == (
        "Sent from my desk, between two calls: we met."
    )
    assert strip_quoted("Thank you very much.\n\nOn 2 Mar 2026, C <o@example.org> wrote:\n> x") == (
        "Thank you very much."
    )
    wrapped = "On Mon, 2 Mar 2026 at 09:00, Career Circle <\norganisers@example.org> wrote:"
    assert strip_quoted(f"Yes\nOnly a short chat\n{wrapped}\n> Hello") == "Yes\nOnly a short chat"
    assert strip_quoted("Yes\n4\n\nThanks,\nAnna") == "Yes\n4"  # a sign-off after words goes


@pytest.mark.parametrize(
    "line",
    [
        "Sent from my iPhone",
        "Lähetetty iPhonesta",
        "Envoyé de mon iPhone",
        "Wysłane z iPhone'a",
        "Enviado do meu iPhone",
        "Von meinem iPhone gesendet",
        "Hanki Outlook for Android",
        "iPhoneから送信",
        "iPhone-ról küldve",
        "Sent with Proton Mail secure email.",
    ],
)
def test_localised_sent_from_lines_and_footers_under_a_rule_go(line: str) -> None:
    assert reply_headers.is_device_line(line)
    assert strip_quoted(f"1. yes\n{line}") == "1. yes"
    assert strip_quoted("1. yes\n\n__\nAnna Example | Example Ltd\nexample.com") == "1. yes"
    for words in ("I sent the mail to Ben.", "Sent from my desk: we met.", "My iPhone broke"):
        assert not reply_headers.is_device_line(words)


YES_NO = {
    "yes": "Yes Oui Ja Sí Sì Sim Tak Да Kyllä Ano Igen Evet はい 是 네 نعم Ναι כן Da Có Ya Jo",
    "no": "No Non Nein Não Nie Нет Ei Ne Nem Hayır いいえ 否 아니요 لا Όχι לא Nu Không Tidak Nej",
}


@pytest.mark.parametrize("value", ["yes", "no"])
def test_yes_and_no_in_twenty_languages(value: str) -> None:
    words = YES_NO[value].split()
    assert len(words) >= 20
    for word in words:
        assert read_yes_no(word) == (value, False), word
        assert read_answers(f"1. {word}\n2. 4", WEEK2).answers == {"met": value, "progress": 4}


FOURS = tuple(
    [
        "four",
        "quatre",
        "vier",
        "cuatro",
        "quatro",
        "quattro",
        "vier",
        "cztery",
        "fyra",
        "fire",
        "neljä",
        "четыре",
        "чотири",
        "čtyři",
        "négy",
        "dört",
        "τέσσερα",
        "ארבע",
        "أربعة",
        "patru",
        "empat",
        "bốn",
        "넷",
        "四",
    ]
)


def test_numbers_stars_and_number_words() -> None:
    for text in ("4", "4/5", "4 out of 5", "4 su 5", "４", "٤", "★★★★", "★★★★☆", "⭐⭐⭐⭐"):
        assert read_scale(text) == (4, False), text
    for word in FOURS:
        assert read_scale(word) == (4, False), word
    for text in ("Un peu", "tre volte", "★★★★★★", "★★★☆", "3-4", "4.5"):
        assert read_scale(text) is None, text


@pytest.mark.parametrize(
    "text",
    ["Si on peut, jeudi", "Da oggi va meglio", "Ne t'inquiète pas", "Так, мы не виделись",
     "Ja, aber kurz", "Oui mais non", "是，但是很短", "Forse", "Может быть", "No idea",
     "No sé", "Nie wiem", "Non so", "Nem tudom", "Non ho capito"],
)  # fmt: skip
def test_words_that_are_no_answer_in_context_are_not_read(text: str) -> None:
    assert read_yes_no(text) is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(YES_NO["yes"].split() + YES_NO["no"].split()),
    st.sampled_from(["", ", ", " ", "! ", "，"]),
    st.text(max_size=30),
)
def test_a_yes_is_never_read_as_no_nor_a_no_as_yes(word: str, sep: str, rest: str) -> None:
    value = "yes" if word in YES_NO["yes"].split() else "no"
    got = read_yes_no(word + sep + rest)
    assert got is None or got[0] == value


def test_labelled_answers_and_one_line_holding_them_all() -> None:
    assert read_answers("Met: yes\nProgress: 4/5\nNote: coffee", WEEK2).answers == {
        "met": "yes",
        "progress": 4,
        "note": "coffee",
    }
    assert read_answers("Met yes\nProgress 4.", WEEK2).answers == {"met": "yes", "progress": 4}
    got = read_answers("1. yes 2. 4 3. met for coffee", WEEK2)
    assert (got.answers, got.unread) == (
        {"met": "yes", "progress": 4, "note": "met for coffee"},
        "",
    )
    # Not split when a part is no value: "2. times" is no number.
    got = read_answers("1. we met 2. times", WEEK2)
    assert "progress" not in got.answers
    assert read_answers("Talk soon", WEEK2).answers == {}


def test_answers_typed_under_the_questions_of_an_unquoted_original() -> None:
    msg = email.message_from_bytes(ORIGINAL, policy=policy.default)
    body = msg.get_content()
    assert strip_quoted(body) == "See my answers below."
    text = strip_quoted(body, WEEK2)
    got = read_answers(text, WEEK2)
    assert got.answers == {
        "met": "yes",
        "progress": 4,
        "note": "We met for coffee and talked about my CV.",
    }
    assert got.unread == "See my answers below."
    # The original alone, nothing typed in it: nothing is taken from it.
    untouched = "\n".join(line for line in body.split("\n") if line not in ("YES", "4"))
    untouched = untouched.replace("We met for coffee and talked about my CV.\n", "")
    assert read_answers(strip_quoted(untouched, WEEK2), WEEK2).answers == {}


def test_a_run_reads_replies_in_other_languages_and_says_what_it_kept(
    running: Path,  # noqa: F811
    cli,
) -> None:
    ids = sent_ids(running)

    def corpus(name: str, who: str, n: int) -> email.message.EmailMessage:
        msg = email.message_from_bytes((CORPUS / f"{name}.eml").read_bytes(), policy=policy.default)
        return as_reply(
            msg, who, ids["M1-weekly-w02" if who in ("ann", "meg") else "M2-weekly-w02", who], n=n
        )  # type: ignore[arg-type]

    only_quotes = email.message.EmailMessage()
    only_quotes.set_content("> 1. Did you meet or talk this week? (yes / no)\n>\n")
    msgs = [
        corpus("en/outlook_inline_answers", "ann", 1),
        corpus("ja/gmail_html_only", "meg", 2),
        corpus("fr/si_is_not_yes", "bo", 3),
        as_reply(only_quotes, "raj", ids["M2-weekly-w02", "raj"], n=4),
    ]
    box = maildir_of(running / "box", msgs)
    result = cli("checkin", "-w", running, "--replies", box, "--json", "--today", READ_DAY)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {(a["person"], a["week"]): a["answers"] for a in table(running, "answers")}
    assert got[IDS["ann"], 2] == {
        "met": "yes",
        "progress": 4,
        "note": "We met for coffee and talked about my CV.\n\nSee my answers below.",
    }
    assert got[IDS["meg"], 2] == {
        "met": "no",
        "progress": 2,
        "note": "コーヒーを飲みながら履歴書の話をしました。",
    }
    assert got[IDS["bo"], 2] == {"note": "Si on peut, on se voit jeudi."}
    assert (IDS["raj"], 2) not in got
    listed = {x["person"]: (x["status"], x["detail"]) for x in data["listed"]}
    assert listed[IDS["bo"]] == ("note_only", "no answer read; the text is kept as the week's note")
    assert listed[IDS["raj"]] == ("empty", "nothing written")


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: Week 2", "Réponse automatique : Semaine 2", "Odpowiedź automatyczna: x",
     "Automaattinen vastaus: x", "Automatiskt svar: x", "Fraværsmelding", "Автоматический ответ: x",
     "Автоматична відповідь: x", "Automatická odpověď: x", "Automatikus válasz: x",
     "Otomatik yanıt: x", "自動応答: x", "自动回复：x", "자동 회신: x", "رد تلقائي: x",
     "Αυτόματη απάντηση: x", "תשובה אוטומטית: x", "Răspuns automat: x", "Trả lời tự động: x",
     "Balasan otomatis: x"],
)  # fmt: skip
def test_out_of_office_subjects_in_twenty_languages(subject: str) -> None:
    msg = email.message.EmailMessage()
    msg["Subject"] = subject
    msg.set_content("I am away until Monday.")
    assert reply_kinds.classify(msg).kind == reply_kinds.AUTO_REPLY
    msg.replace_header("Subject", "Re: " + subject)
    assert reply_kinds.classify(msg).kind == reply_kinds.ANSWER


_WORDS = ["we", "met", "twice", "coffee", "plan", "CV", "Tuesday", "project", "Ben", "Anna"]
_LINES = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)
_ORIGINAL = "Hello Anna and Ben,\n\nIt's week 2 of 10 in Career Circle.\nWarm wishes,\nCircle"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_LINES, min_size=1, max_size=4),
    st.sampled_from(HEADERS),
    st.booleans(),
)
def test_the_person_s_lines_above_any_header_are_kept_whole(
    own: list[str], header: str, quote: bool
) -> None:
    original = "\n".join(("> " if quote else "") + line for line in _ORIGINAL.split("\n"))
    text = "\n".join(own)
    assert strip_quoted(f"{text}\n{header}\n{original}") == text
    assert strip_quoted(f"{text}\n\n{header}\n\n{original}\n") == text
