"""The report's words in the program's language, for the pages shared with the community.

A :class:`Words` translates what :mod:`.sections` and the HTML and Markdown pages write in
English: a title, a column, a figure's label or a status is looked up whole; a composed text
("Answer rate, week 4", "50% (12 of 30 pairs)", "week 3 (now)") is read by its pattern and
written again in the language's own order; numbers, percentages and dates follow the
language's conventions through Babel (CLDR): "50 %" and "2 mars 2026" in French, "0,4" in
German. English is the words as they are. Anything else (a topic's name, a person's name)
is left as it was written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.report.report_words import COLUMNS as _COLUMNS
from mentorctl.report.report_words import FAIRNESS as _FAIRNESS
from mentorctl.report.report_words import WHOLE as _WHOLE

LANGUAGES = ("en", "fr", "es", "de", "pt")

# Composed texts: an English pattern and, per language, the same text in its own order.
# The groups are numbers, already written the language's way when they reach the template.
_COMPOSED: list[tuple[re.Pattern[str], dict[str, Any]]] = [
    (
        re.compile(r"Answer rate, week (\d+) \(so far\)"),
        {
            "fr": "Taux de réponse, semaine {0} (en cours)",
            "es": "Tasa de respuesta, semana {0} (hasta ahora)",
            "de": "Antwortquote, Woche {0} (bisher)",
            "pt": "Taxa de resposta, semana {0} (até agora)",
        },
    ),
    (
        re.compile(r"Answer rate, week (\d+)"),
        {
            "fr": "Taux de réponse, semaine {0}",
            "es": "Tasa de respuesta, semana {0}",
            "de": "Antwortquote, Woche {0}",
            "pt": "Taxa de resposta, semana {0}",
        },
    ),
    (
        re.compile(r"(\S+) \((\d+) of (\d+) pairs\)"),
        {  # one, other, and the group they count: chosen by the language's plural rules
            "fr": ("{0} ({1} sur {2} binôme)", "{0} ({1} sur {2} binômes)", 2),
            "es": ("{0} ({1} de {2} pareja)", "{0} ({1} de {2} parejas)", 2),
            "de": ("{0} ({1} von {2} Tandem)", "{0} ({1} von {2} Tandems)", 2),
            "pt": ("{0} ({1} de {2} dupla)", "{0} ({1} de {2} duplas)", 2),
        },
    ),
    (
        re.compile(r"(\d+) group\(s\) of fewer than (\d+)"),
        {
            "fr": ("{0} groupe de moins de {1}", "{0} groupes de moins de {1}", 0),
            "es": ("{0} grupo de menos de {1}", "{0} grupos de menos de {1}", 0),
            "de": ("{0} Gruppe mit weniger als {1}", "{0} Gruppen mit weniger als {1}", 0),
            "pt": ("{0} grupo com menos de {1}", "{0} grupos com menos de {1}", 0),
        },
    ),
    (
        re.compile(r"fewer than (\d+)"),
        {"fr": "moins de {0}", "es": "menos de {0}", "de": "weniger als {0}", "pt": "menos de {0}"},
    ),
    (
        re.compile(r"UTC([+-]?\d+) to ([+-]\d+)"),
        {"fr": "UTC{0} à {1}", "es": "UTC{0} a {1}", "de": "UTC{0} bis {1}", "pt": "UTC{0} a {1}"},
    ),
    (
        re.compile(r"Fairness by (.+)"),
        {
            "fr": "Équité selon : {0}",
            "es": "Equidad por {0}",
            "de": "Chancengleichheit nach {0}",
            "pt": "Equidade por {0}",
        },
    ),
    (
        re.compile(r"week (\d+) \(now\)"),
        {
            "fr": "semaine {0} (en cours)",
            "es": "semana {0} (actual)",
            "de": "Woche {0} (jetzt)",
            "pt": "semana {0} (atual)",
        },
    ),
    (
        re.compile(r"week (\d+)"),
        {"fr": "semaine {0}", "es": "semana {0}", "de": "Woche {0}", "pt": "semana {0}"},
    ),
    (
        re.compile(r"(\d+) of (\d+)"),
        {"fr": "{0} sur {1}", "es": "{0} de {1}", "de": "{0} von {1}", "pt": "{0} de {1}"},
    ),
    (
        re.compile(r"score (\d\.\d)-(\d\.\d)"),
        {
            "fr": "score {0}-{1}",
            "es": "puntuación {0}-{1}",
            "de": "Wert {0}-{1}",
            "pt": "pontuação {0}-{1}",
        },
    ),
    (re.compile(r"(\d\.\d)-(\d\.\d)"), {k: "{0}-{1}" for k in ("fr", "es", "de", "pt")}),
]

# Sentences the pages compose from the report's figures.
_SENTENCES: dict[str, dict[str, str]] = {
    "Program report: {name}": {
        "fr": "Bilan du programme\u00a0: {name}",
        "es": "Informe del programa: {name}",
        "de": "Programmbericht: {name}",
        "pt": "Relatório do programa: {name}",
    },
    "As of {day}": {
        "fr": "Au {day}",
        "es": "A {day}",
        "de": "Stand {day}",
        "pt": "Em {day}",
    },
    ", week {week} of {weeks}": {
        "fr": ", semaine {week} sur {weeks}",
        "es": ", semana {week} de {weeks}",
        "de": ", Woche {week} von {weeks}",
        "pt": ", semana {week} de {weeks}",
    },
    " (started {day})": {
        "fr": " (début le {day})",
        "es": " (empezó el {day})",
        "de": " (Beginn am {day})",
        "pt": " (começou em {day})",
    },
    ", round {number} of {of}": {
        "fr": ", session {number} sur {of}",
        "es": ", edición {number} de {of}",
        "de": ", Durchgang {number} von {of}",
        "pt": ", edição {number} de {of}",
    },
    " (an earlier round)": {
        "fr": " (une session passée)",
        "es": " (una edición anterior)",
        "de": " (ein früherer Durchgang)",
        "pt": " (uma edição anterior)",
    },
}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERCENT = re.compile(r"(\d+)%")
_DECIMAL = re.compile(r"\d+\.\d+")


class Words:
    """The report's words in one language; ``Words("en")`` leaves them as they are."""

    def __init__(self, language: str | None = None) -> None:
        self.locale = _locale(language or "en")
        self.language = self.locale.language if self.locale.language in LANGUAGES else "en"
        if self.language == "en":
            self.locale = _locale("en")
        self._whole = _WHOLE.get(self.language, {})

    @property
    def english(self) -> bool:
        return self.language == "en"

    def __call__(self, value: Any) -> Any:
        """A title, column or cell in the language; numbers and unknown words as they are."""
        if self.english or not isinstance(value, str | float) or isinstance(value, bool):
            return value
        if isinstance(value, float):
            return self.number(value)
        found = self._whole.get(value) or _FAIRNESS.get(self.language, {}).get(value)
        if found is not None:
            return found
        return self._composed(value)

    def column(self, value: Any) -> Any:
        """A column's header: over counts, some statuses take the plural ("Terminés")."""
        if self.english or not isinstance(value, str):
            return value
        return _COLUMNS.get(self.language, {}).get(value) or self(value)

    def sentence(self, template: str, **values: Any) -> str:
        """One of the pages' sentences, with its figures and days written the language's way."""
        shown = {k: self._value(v) for k, v in values.items()}
        words = template if self.english else _SENTENCES.get(template, {}).get(self.language)
        return (words or template).format(**shown)

    def number(self, value: float, pattern: str | None = None) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, pattern, locale=self.locale)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str) and _DAY.fullmatch(value):
            return self._day(value)
        return value

    def _day(self, text: str) -> str:
        if self.english:
            return text
        from babel.dates import format_date

        day = dt.date.fromisoformat(text)
        shown = format_date(day, "long", locale=self.locale)
        if day.day == 1 and self.language == "fr":  # "1er avril": French's first of the month
            shown = re.sub(r"(?<!\d)1(?= )", "1er", shown, count=1)
        return shown

    def _composed(self, text: str) -> str:
        if _DAY.fullmatch(text):
            return self._day(text)
        if match := _PERCENT.fullmatch(text):
            return self._percent(int(match.group(1)))
        if _DECIMAL.fullmatch(text):
            return self._part(text)
        for pattern, languages in _COMPOSED:
            match = pattern.fullmatch(text)
            if match is not None:
                parts = [self._part(g) for g in match.groups()]
                template = languages[self.language]
                if isinstance(template, tuple):  # (one, other, which number counts)
                    one = self.locale.plural_form(int(match.group(template[2] + 1))) == "one"
                    template = template[0] if one else template[1]
                return template.format(*parts)
        return text

    def _part(self, text: str) -> str:
        known = self._whole.get(text) or _FAIRNESS.get(self.language, {}).get(text)
        if known is not None:
            return known
        if match := _PERCENT.fullmatch(text):
            return self._percent(int(match.group(1)))
        if _DECIMAL.fullmatch(text):
            # "0.2" stays "0,2" and "0.0" "0,0": as many decimals as it was written with.
            places = len(text.split(".")[1])
            return self.number(float(text), "0." + "0" * places)
        return text

    def _percent(self, whole: int) -> str:
        from babel.numbers import format_percent

        return format_percent(whole / 100, locale=self.locale)


def written_in(tag: str) -> None:
    """Refuse a language the pages are not written in (Babel knows "it"; the pages do not)."""
    if _locale(tag).language not in LANGUAGES:
        raise UsageError(f"--language {tag[:20]}: the pages are written in " + ", ".join(LANGUAGES))


def _locale(tag: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise UsageError(
            f"unknown language '{tag[:20]}'",
            hint="give a language tag such as fr, es, de, pt or en",
        ) from exc
