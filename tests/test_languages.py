"""Programs and people in their own language: program.yaml's language, translations, Babel's
dates and plurals in messages, and a pair of two languages through a real SMTP run."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import PROGRAM, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import SENDER, parse_eml, use_smtp
from messages_fixtures import smtp_server_fixture as smtp_server_fixture

from mentorctl.checkins.reply_text import _PAIR_CODE
from mentorctl.errors import ConfigError, UsageError
from mentorctl.mail import languages, locale, messages, reasons
from mentorctl.programs.catalogue import init_program, list_templates
from mentorctl.programs.localise import built_in_languages
from mentorctl.programs.program import load_program

BUILT_IN = ("en", "fr", "es", "de", "pt")
TODAY = dt.date(2026, 2, 20)
START = dt.date(2026, 3, 2)  # a Monday
BACK = dt.date(2026, 3, 17)  # a Tuesday
# Words an English template would leave in another language's message.
ENGLISH = re.compile(
    r"\b(the|and|you|your|with|week|weeks|please|hello|thank|thanks|wishes|pair code|match|"
    r"reply|this|what|our|we|from|to|of|is|it)\b",
    re.IGNORECASE,
)
# In each language: the pair code's label, "1 week", "2 weeks", and words the message has.
EXPECT = {
    "en": ("Pair code: M3", "the end of its week", "2 weeks", "Hello"),
    "fr": ("Code du binôme\u00a0: M3", "1 semaine", "2 semaines", "Bonjour"),
    "es": ("Código de pareja: M3", "1 semana", "2 semanas", "Hola"),
    "de": ("Tandem-Code: M3", "1 Woche", "2 Wochen", "Hallo"),
    "pt": ("Código da dupla: M3", "1 semana", "2 semanas", "Olá"),
}
KINDS = [
    ("intro", 0, None),
    ("weekly", 1, "mentee"),
    ("weekly", 2, "mentee"),
    ("weekly", -1, "mentor"),  # the last week
    ("nudge", 3, None),
    ("wrapup", -1, "mentee"),
    ("lapsed", -1, "mentee"),
    ("ended", 3, "mentor"),
    ("paused", 3, "mentee"),
]


def _people(topics: list[str], mentee_language: str | None, mentor_language: str | None):
    mentee = {
        "id": "P3",
        "name": "Inès Moreau",
        "email": "ines@example.org",
        "role": "mentee",
        "goals": topics[:2],
        "expertise": [],
        "languages": ["Français"],
        "timezone": "Europe/Paris",
        "organisation": "Initech",
        "bio": None,
        "extra": {"industry": "Finance", "language": mentee_language},
    }
    mentor = {
        **mentee,
        "id": "P1",
        "name": "Marc Dubois",
        "email": "marc@example.org",
        "role": "mentor",
        "goals": [],
        "expertise": topics[1:3],
        "extra": {"industry": "Finance", "language": mentor_language},
    }
    return messages.person_context(mentee), messages.person_context(mentor)


def _render_all(program, mentee_language=None, mentor_language=None, only=None):
    """Every message kind of a pair (and a waiting notice), rendered with the real templates."""
    templates = languages.Templates(program, program.dir / "messages")
    topics = program.data["signup"]["topics"]
    mentee, mentor = _people(topics, mentee_language, mentor_language)
    reasons_ = [
        "both: " + topics[1],
        "time zones 1 h apart",
        "mentor speaks French",
        "same industry",
    ]
    pair = {"id": "M3", "score": 0.8, "reasons": reasons_}
    last = program.duration_weeks
    out = {}
    for kind, week, to in KINDS:
        if only and kind not in only:
            continue
        week = last if week == -1 else week
        recipient = {"mentee": mentee, "mentor": mentor, None: None}[to]
        context = templates.contexts.make(
            kind=kind, week=week, pair=pair, start=START, mentee=mentee, mentor=mentor,
            recipient=recipient, today=TODAY,
        )  # fmt: skip
        context["until"] = BACK
        out[f"{kind}-{week}"] = templates.render(kind, context, pair_id="M3")
    out["waiting"] = templates.render("waiting", templates.contexts.waiting(mentee), pair_id="P3")
    return out


def _program(tmp_path: Path, template: str, language: str):
    init_program("Cercle", template, root=tmp_path, today=TODAY, language=language)
    return load_program(tmp_path / "cercle" / "program.yaml")


DATA = ("Inès Moreau", "Marc Dubois", "Inès", "Marc", "Cercle", "Initech", "Finance")


def _leftover_english(text: str, data: tuple[str, ...] = DATA) -> list[str]:
    """English words in ``text`` once the people's own data (names, answers) is taken out."""
    for value in data:
        text = text.replace(value, "")
    text = re.sub(r"\S+@\S+", "", text)
    return ENGLISH.findall(text)


# -- every built-in template in every language --------------------------------------------


@pytest.mark.parametrize("language", BUILT_IN)
def test_every_template_renders_every_kind_in_the_language(tmp_path: Path, language: str) -> None:
    for info in list_templates():
        assert language in built_in_languages(info.path), info.key
        program = _program(tmp_path / info.key, info.key, language)
        assert program.data["language"] == language
        if language == "en":  # every language's templates compile (once per template)
            languages.Templates(program, program.dir / "messages").check(every=True)
        code, *_, hello = EXPECT[language]
        for kind, rendered in _render_all(program).items():
            where = (info.key, language, kind)
            assert rendered.text.startswith(hello), where
            if kind != "waiting":
                assert rendered.text.endswith(f"\n\n{code}\n"), where
                assert _PAIR_CODE.match(code), where  # the reply reader drops the footer
            assert "{{" not in rendered.text and "{{" not in rendered.subject, where
            if language != "en":
                assert not _leftover_english(rendered.subject + "\n" + rendered.text), where
                if rendered.html is not None:
                    body = re.sub(r"<[^>]+>", " ", rendered.html.split("<body", 1)[1])
                    assert not _leftover_english(body), where
                    assert f'<html lang="{language}">' in rendered.html


@pytest.mark.parametrize("language", BUILT_IN)
def test_plural_forms_for_one_and_two_weeks(tmp_path: Path, language: str) -> None:
    program = _program(tmp_path, "career", language)
    _, one, two, _ = EXPECT[language]
    guide = program.data["guide"]
    for weeks, wanted in ((1, one), (2, two)):
        program.data["duration_weeks"] = weeks
        program.data["guide"] = guide[:weeks]
        for version in (program.dir / "translations").glob("*.yaml"):
            version.unlink()  # the program's own language only: its guide was cut short
        out = _render_all(program, only=("intro", "lapsed"))
        text = " ".join(" ".join(r.text.split()) for k, r in out.items() if k.startswith("lapsed"))
        assert wanted in text, (language, weeks, text)
        if language != "en":  # the English intro says "for the next week"
            assert wanted in " ".join(out["intro-0"].text.split()), (language, weeks)


def test_dates_are_written_as_each_language_writes_them(tmp_path: Path) -> None:
    wanted = {
        "fr": ("lundi 2 mars", "mardi 17 mars"),
        "de": ("Montag, 2. März", "Dienstag, 17. März"),
        "es": ("lunes, 2 de marzo", "martes, 17 de marzo"),
        "pt": ("segunda-feira, 2 de março", "terça-feira, 17 de março"),
        "en": ("Monday, March 2", "Tuesday, March 17"),
    }
    for language, (start, back) in wanted.items():
        out = _render_all(_program(tmp_path / language, "career", language))
        assert start in " ".join(out["intro-0"].text.split()), language
        assert back in " ".join(out["paused-3"].text.split()), language


def test_match_reasons_reach_the_introduction_in_its_language(tmp_path: Path) -> None:
    out = _render_all(_program(tmp_path, "career", "fr"))
    text = out["intro-0"].text
    assert "vous vous intéressez tous les deux à Recherche d'emploi et candidatures" in text
    assert "vos fuseaux horaires n'ont qu'une heure d'écart" in text
    assert "vous pouvez échanger en français" in text
    assert "« secteur d'activité »" in text  # the field's label, not its key "industry"


# -- a person's own language ---------------------------------------------------------------


def test_each_person_gets_their_own_language_in_a_program_of_another(tmp_path: Path) -> None:
    program = _program(tmp_path, "career", "fr")
    out = _render_all(program, mentee_language="Deutsch", mentor_language="English")
    assert out["weekly-1"].text.startswith("Hallo Inès,")  # the mentee's, in German
    assert "Woche 1 mit Marc" in out["weekly-1"].subject
    # an introduction to both, who read different languages, is in the program's (the run
    # makes it one each: see the mixed pair below)
    assert out["intro-0"].text.startswith("Bonjour Inès et Marc,")
    assert out["ended-3"].text.startswith("Hello Marc,")  # the mentor's, in English
    # the topics are named in the reader's language, from the translation's list
    mentee_first = _render_all(program, "de", "de")["intro-0"].text
    assert "Jobsuche und Bewerbungen" in mentee_first and "Recherche d'emploi" not in mentee_first


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("fr", "fr"),
        ("Français", "fr"),
        ("French", "fr"),
        ("francés", "fr"),
        ("pt_BR", "pt"),
        ("Português (Brasil)", "pt"),
        ("DEUTSCH", "de"),
        ("Klingon", "en"),
        ("", "en"),
        (None, "en"),
        ("Polski", "en"),  # a language the program does not offer: the program's
        ("Spanish / Español", "es"),
        ("espanol", "es"),
        ("Castellano", "es"),
        ("Brazilian Portuguese", "pt"),
        ("Français / English", "fr"),
        ("Deutsch oder Englisch", "de"),
    ],
)
def test_a_sign_up_answer_names_an_offered_language(answer, expected) -> None:
    assert locale.chosen_language(answer, ("en", "fr", "es", "de", "pt"), "en") == expected


def test_a_pair_of_two_languages_gets_one_introduction_each(tmp_path: Path) -> None:
    program = _program(tmp_path, "career", "en")
    people = {"P1": {"extra": {"language": "fr"}}, "P2": {"extra": {"language": "English"}}}
    pair = {"mentee": "P1", "mentor": "P2"}
    assert languages.intro_mode(program, people, pair, "together") == "separate"
    people["P1"]["extra"]["language"] = "en"
    assert languages.intro_mode(program, people, pair, "together") == "together"


MIXED = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Preferred language
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking","English, French",Europe/London,2,Acme,English
ines@example.org,Inès Moreau,Mentee,30,"Career change, Networking",,"French, English",Europe/Paris,,Initech,Français
"""

# The people's answers, the program's name and its organisers (the admin's own words).
MIXED_DATA = ("Inès Moreau", "Meg Mentor", "Inès", "Meg", "Acme", "Initech", "English", "French",
              "Europe/London", "Europe/Paris", "Test Program", "Career Mentoring Team")  # fmt: skip


def test_a_mixed_pair_through_a_real_checkin_send(workspace: Path, cli, smtp_server) -> None:
    """Mentee in French, mentor in English: introductions and week 1 over a real SMTP server."""
    result = cli("import-signups", write_csv(workspace / "mixed.csv", MIXED), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    result = cli("checkin", "--send", "-w", workspace, "--today", "2026-03-09")
    assert result.exit_code == 0, result.output
    got = {}
    for received in smtp_server.handler.received:
        assert received.mail_from == SENDER
        msg = parse_eml(received.data)
        body = msg.get_body(("plain",)).get_content()
        (to,) = received.rcpt_tos
        got.setdefault(to, []).append((str(msg["Subject"]), body))
    assert len(got["ines@example.org"]) == 2 and len(got["meg@example.org"]) == 2
    for subject, body in got["ines@example.org"]:
        assert body.startswith("Bonjour Inès,") or body.startswith("Bonjour Inès et Meg,")
        assert "Code du binôme\u00a0: M1" in body
        assert not _leftover_english(subject + body, MIXED_DATA), body
    intro_fr = got["ines@example.org"][0]
    # (a header holds its spaces as plain spaces)
    assert " ".join(intro_fr[0].split()) == "Test Program : Inès et Meg, faites connaissance !"
    assert "Reconversion professionnelle" in intro_fr[1]  # her goal, in French
    for _, body in got["meg@example.org"]:
        assert body.startswith("Hello"), body[:40]
        assert "Pair code: M1" in body
    assert any("week 1 with Inès" in s for s, _ in got["meg@example.org"])
    assert any("Semaine 1 avec Meg" in s for s, _ in got["ines@example.org"])


# -- init-program --language ---------------------------------------------------------------


def test_init_program_in_german_makes_a_german_program(tmp_path: Path, cli) -> None:
    result = cli("init-program", "Mentoring Köln", "-t", "career", "--language", "de",
                 "--dir", tmp_path, "--today", "2026-02-20")  # fmt: skip
    assert result.exit_code == 0, result.output
    program = load_program(tmp_path / "mentoring-koln" / "program.yaml")
    assert program.data["language"] == "de"
    assert program.data["guide"][0]["title"] == "Einander kennenlernen"
    assert program.data["sender"]["name"] == "Das Team Karriere-Mentoring"
    intro = _render_all(program)["intro-0"]
    assert intro.subject.startswith("Euer Tandem bei Mentoring Köln")
    assert intro.text.startswith("Hallo Inès, hallo Marc,\n\nwillkommen bei Mentoring Köln!")
    assert "Warum wir euch zusammengebracht haben" in intro.text
    for other in ("en", "fr", "es", "pt"):  # every other language stays on offer
        assert (tmp_path / "mentoring-koln" / "translations" / f"{other}.yaml").is_file()
        assert (tmp_path / "mentoring-koln" / "messages" / other / "weekly.txt.j2").is_file()


def test_init_program_refuses_a_language_it_has_no_texts_for(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not written in it"):
        init_program("P", "career", root=tmp_path, today=TODAY, language="pl")
    with pytest.raises(UsageError, match="not a language tag"):
        init_program("P", "career", root=tmp_path, today=TODAY, language="xx-nowhere")
    assert not (tmp_path / "p").exists()


def test_a_regional_tag_uses_its_language_texts_and_its_own_formats(tmp_path: Path) -> None:
    program = _program(tmp_path, "career", "pt-BR")
    assert program.data["language"] == "pt-BR"
    assert program.data["guide"][0]["title"] == "Conhecer um ao outro"


# -- refusals name the file and line --------------------------------------------------------


def test_an_unknown_language_in_program_yaml_names_the_line(workspace: Path) -> None:
    path = workspace / PROGRAM / "program.yaml"
    text = path.read_text(encoding="utf-8").replace("language: en", "language: klingon")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_program(path)
    line = text.splitlines().index("language: klingon") + 1
    assert f"program.yaml:{line}" in str(exc.value.file) and "language" in exc.value.message


def test_a_translation_missing_a_question_is_refused_before_anything_is_sent(
    workspace: Path,
) -> None:
    path = workspace / PROGRAM / "translations" / "fr.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n    progress: .*", "", text), encoding="utf-8")
    program = load_program(workspace / PROGRAM / "program.yaml")
    with pytest.raises(ConfigError, match="no text for the question 'progress'") as exc:
        languages.Templates(program, program.dir / "messages")
    assert "fr.yaml:" in str(exc.value.file)


def test_a_translation_missing_a_template_is_refused(workspace: Path) -> None:
    (workspace / PROGRAM / "messages" / "de" / "weekly.txt.j2").unlink()
    program = load_program(workspace / PROGRAM / "program.yaml")
    with pytest.raises(ConfigError, match=r"no template 'weekly\.txt\.j2'"):
        languages.Templates(program, program.dir / "messages").check(("weekly",), every=True)


# -- Babel ----------------------------------------------------------------------------------


def test_time_of_day_in_the_persons_own_time_zone() -> None:
    moment = dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)
    assert locale.format_time(moment, "fr", "Europe/Paris") == "18:30"
    assert locale.format_time(moment, "de", "UTC+2") == "19:30"
    assert locale.format_time(moment, "en", "America/New_York").replace("\u202f", " ") == (
        "12:30 PM"
    )
    assert locale.format_time(moment, "pt", None) == "17:30"


def test_plural_rules_follow_each_language() -> None:
    forms = {"one": "{n} semaine", "other": "{n} semaines"}
    assert locale.plural(0, "fr", forms) == "0 semaine"  # French counts 0 as singular
    assert locale.plural(0, "en", {"one": "{n} week", "other": "{n} weeks"}) == "0 weeks"
    assert locale.plural(1.5, "de", {"one": "{n} Stunde", "other": "{n} Stunden"}) == (
        "1,5 Stunden"
    )
    polish = {"one": "{n} tydzień", "few": "{n} tygodnie", "many": "{n} tygodni"}
    assert [locale.plural(n, "pl", polish) for n in (1, 3, 5)] == [
        "1 tydzień", "3 tygodnie", "5 tygodni",
    ]  # fmt: skip


def test_reasons_in_each_language_name_languages_in_it() -> None:
    for language, words in {
        "fr": "en anglais et en français",
        "es": "inglés y francés",
        "de": "Englisch und Französisch",
        "pt": "inglês e francês",
        "en": "English and French",
    }.items():
        (said,) = reasons.friendly(["mentor speaks English and French"], language)
        assert words in said, (language, said)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=40)), st.sampled_from(BUILT_IN))
def test_an_answer_always_gives_an_offered_language(answer, default) -> None:
    offered = ("en", "fr", "de")
    chosen = locale.chosen_language(answer, offered, default)
    assert chosen in offered or chosen == default


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([*BUILT_IN, "pl", "ar", "ru"]))
def test_a_plural_form_is_always_chosen_and_names_its_number(count, language) -> None:
    forms = {f: f"{f}:{{n}}" for f in ("zero", "one", "two", "few", "many", "other")}
    said = locale.plural(count, language, forms)
    kind, _, number = said.partition(":")
    assert kind == locale.plural_form(count, language)
    assert number == locale.format_number(count, language)


def test_the_first_of_the_month_in_french_is_an_ordinal() -> None:
    assert locale.format_day(dt.date(2026, 4, 1), "fr") == "1er avril 2026"
    assert locale.format_day(dt.date(2026, 4, 1), "fr", "weekday_day") == "mercredi 1er avril"
    assert locale.format_day(dt.date(2026, 4, 11), "fr") == "11 avril 2026"
    assert locale.format_day(dt.date(2026, 4, 1), "de") == "1. April 2026"


def test_a_translation_signs_with_its_own_team_name(tmp_path: Path) -> None:
    from mentorctl.programs.translations import translated

    data = {"sender": {"name": "L'équipe", "email": "x@example.org"}, "description": "d",
            "signup": {"topics": []}, "guide": [], "checkin": {"questions": [],
            "fit_question": "f"}, "messages": {}}  # fmt: skip
    texts = {"description": "d", "guide": [], "checkin": {"questions": {}, "fit_question": "f"},
             "subjects": {}, "sender_name": "Equipo de Mentoría"}  # fmt: skip
    out = translated(data, texts)
    assert out["sender"] == {"name": "Equipo de Mentoría", "email": "x@example.org"}
    assert data["sender"]["name"] == "L'équipe"
