"""The report's Markdown and HTML pages in the program's language: every title, column and
label translated, numbers, percentages and dates written the language's way (Babel), the
anonymous page in the program's language by default, the terminal, JSON and CSV in English."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import write_csv
from messages_fixtures import SMALL

from mentorctl.history.fold import fold
from mentorctl.report import by_round
from mentorctl.report.formats import render
from mentorctl.report.report_words import WHOLE
from mentorctl.report.sections import ROUND_COLUMNS, sections
from mentorctl.report.translate import LANGUAGES, Words

OTHERS = [lang for lang in LANGUAGES if lang != "en"]
ENGLISH_TITLES = ("At a glance", "Pairs by status", "Check-in answers by week", "Sign-ups")


@pytest.fixture
def running(workspace: Path, cli) -> Path:
    assert (
        cli("import-signups", write_csv(workspace / "s.csv", SMALL), "-w", workspace).exit_code == 0
    )
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    assert cli("introduce", "-w", workspace).exit_code == 0
    return workspace


def _full_report() -> dict:
    """A report with every section filled: two rounds, a quiet pair, a concern, notes."""
    people = [
        {"id": f"P{i}", "name": f"N{i}", "role": role, "created": "2026-01-01T00:00:00+00:00"}
        for i, role in enumerate(["mentor", "mentee", "mentee", "mentor", "mentee"], 1)
    ]
    pairs = [
        {"id": "M1", "mentee": "P2", "mentor": "P1", "status": "quiet", "score": 0.7,
         "start_date": "2026-01-05", "created": "2026-01-05T09:00:00+00:00",
         "history": [{"at": "2026-01-05T09:00:00+00:00", "status": "active"}], "round": 1},
        {"id": "M2", "mentee": "P5", "mentor": "P4", "status": "active", "score": 0.5,
         "start_date": "2026-04-06", "created": "2026-04-06T09:00:00+00:00",
         "history": [{"at": "2026-04-06T09:00:00+00:00", "status": "active"}], "round": 2},
    ]  # fmt: skip
    concerns = [{"id": "C1", "status": "open", "pairs": {"M1": "P2"}, "raised": "2026-04-08",
                 "reason": "r"}]  # fmt: skip
    state = fold(people=people, pairs=pairs, concerns=concerns, day=dt.date(2026, 4, 14),
                 duration_weeks=8)  # fmt: skip
    return by_round.from_state(state)


@pytest.mark.parametrize("language", OTHERS)
def test_every_title_column_and_label_has_its_words(language: str) -> None:
    report = _full_report()
    words = WHOLE[language]
    seen = set()
    for title, columns, rows in sections(report):
        seen.add(title)
        seen.update(columns)
        if title in ("At a glance", "Pairs by status", "Sign-ups"):
            seen.update(str(row[0]) for row in rows if not re.match(r"Answer rate", str(row[0])))
    seen.update(ROUND_COLUMNS)
    missing = sorted(s for s in seen if s not in words)
    assert not missing, f"{language}: no words for {missing}"


def test_composed_figures_read_in_the_languages_order() -> None:
    fr, de = Words("fr"), Words("de")
    assert fr("Answer rate, week 4 (so far)") == "Taux de réponse, semaine 4 (en cours)"
    assert fr("50% (12 of 30 pairs)") == "50\u00a0% (12 sur 30 binômes)"
    assert fr("0.0-0.2") == "0,0-0,2"
    assert de("50% (12 of 30 pairs)") == "50\u00a0% (12 von 30 Tandems)"
    assert fr("2026-03-02") == "2 mars 2026"
    assert de("2026-03-02") == "2. März 2026"
    assert de(0.4) == "0,4"
    assert Words("pt")("week 3 (now)") == "semana 3 (atual)"
    # Names and topics are left as they were written.
    assert fr("Career change") == "Career change"
    assert Words("en")("50% (12 of 30 pairs)") == "50% (12 of 30 pairs)"


@pytest.mark.parametrize("language", OTHERS)
def test_the_pages_carry_no_english_title(language: str) -> None:
    report = _full_report()
    for fmt in ("md", "html"):
        page = render(report, fmt, language)
        for title in ENGLISH_TITLES:
            assert title not in page, (language, fmt, title)
    assert f'<html lang="{language}">' in render(report, "html", language)


def test_report_language_option(running: Path, cli) -> None:
    fr = cli("report", "-w", running, "--anonymous", "--format", "md", "--language", "fr")
    assert fr.exit_code == 0, fr.output
    assert fr.stdout.startswith("# Bilan du programme : Test Program")
    assert "## Binômes par statut" in fr.stdout and "Au 2 mars 2026." in fr.stdout
    english = cli("report", "-w", running, "--anonymous", "--format", "md")
    assert "## Pairs by status" in english.stdout
    html = cli("report", "-w", running, "--format", "html", "--language", "de-AT")
    assert html.exit_code == 0 and '<html lang="de">' in html.stdout
    for refused in (("--json",), ("--format", "csv"), ("--format", "table")):
        result = cli("report", "-w", running, "--language", "fr", *refused)
        assert result.exit_code == 2 and "md and html" in result.output
    unknown = cli("report", "-w", running, "--format", "md", "--language", "it")
    assert unknown.exit_code == 2 and "en, fr, es, de, pt" in unknown.output


def test_the_anonymous_page_is_in_the_programs_language(tmp_path: Path, cli) -> None:
    ws = tmp_path / "ws"
    made = cli("init-program", "Mentorat", "--template", "career", "--language", "fr",
               "--dir", ws)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert cli("import-signups", write_csv(tmp_path / "s.csv", SMALL), "-w", ws).exit_code == 0
    assert cli("pair", "--commit", "-w", ws).exit_code == 0
    anonymous = cli("report", "-w", ws, "--anonymous", "--format", "html")
    assert anonymous.exit_code == 0, anonymous.output
    assert '<html lang="fr">' in anonymous.stdout and "En bref" in anonymous.stdout
    admins = cli("report", "-w", ws, "--format", "md")
    assert "## At a glance" in admins.stdout
    asked = cli("report", "-w", ws, "--anonymous", "--format", "md", "--language", "es")
    assert "## De un vistazo" in asked.stdout


def test_counts_take_the_languages_plural_and_columns_over_counts_too() -> None:
    fr, es = Words("fr"), Words("es")
    assert fr("0% (0 of 1 pairs)") == "0\u00a0% (0 sur 1 binôme)"
    assert es("50% (1 of 2 pairs)") == "50\u00a0% (1 de 2 parejas)"
    assert fr("1 group(s) of fewer than 3") == "1 groupe de moins de 3"
    assert Words("de")("2 group(s) of fewer than 3") == "2 Gruppen mit weniger als 3"
    # One pair "Terminé"; a column counting pairs "Terminés".
    assert (fr("Completed"), fr.column("Completed")) == ("Terminé", "Terminés")
    assert es("None.") == "Nada que mostrar."
    assert Words("de")("0.72") == "0,72"
    assert fr("2026-04-01") == "1er avril 2026"
    assert Words("pt")("Fairness by language") == "Equidade por idioma"


@pytest.mark.parametrize("language", OTHERS)
def test_the_fairness_table_has_its_words(language: str) -> None:
    from mentorctl.report.report_words import FAIRNESS
    from mentorctl.report.sections import FAIRNESS_COLUMNS

    words = Words(language)
    for column in FAIRNESS_COLUMNS:
        assert column in FAIRNESS[language], (language, column)
    assert words("(no answer)") != "(no answer)" and words("all") != "all"
