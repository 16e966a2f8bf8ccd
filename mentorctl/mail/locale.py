"""Languages in messages: language tags, a person's own language, and Babel's formatting.

A language is a BCP 47 tag (``fr``, ``pt-BR``, ``de-CH``) that Babel (the Unicode CLDR data)
knows. Templates get Jinja filters that write dates, weekdays, times, numbers and lists as
the message's language writes them, and a ``plural`` helper that picks the right form of a
word by that language's plural rules (French says "1 semaine", "0 semaine"; Polish has four
forms). The message's language is the ``language`` variable of its context.

A person's own language is their answer to a "preferred language" question of the sign-up
form (the ``language`` field): a tag (``fr``, ``pt_BR``) or a language's name in English, in
itself or in any language the program offers ("French", "Français", "francés"). An answer
naming no offered language leaves the person with the program's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from babel import Locale

DEFAULT_LANGUAGE = "en"
# The languages every built-in template is written in.
BUILT_IN = ("en", "fr", "es", "de", "pt")
# The date formats templates name: CLDR's own (short, medium, long, full), plus the day and
# month alone ("3 mars", "March 3"), and the weekday with them ("mardi 3 mars").
DAY_FORMS = ("short", "medium", "long", "full", "day", "weekday_day")
# The year at the end of a CLDR pattern, with its separator and words around it (Spanish
# "'de' y", a quoted abbreviation after it in Russian).
_YEAR_AT_END = re.compile(r"[\s,]*(?:'[^']*'\s*)?y+(?:\s*'[^']*')?\.?\s*$")


class UnknownLanguage(ValueError):
    """A language tag Babel does not know."""


@lru_cache(maxsize=256)
def locale_of(tag: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    text = str(tag).strip().replace("_", "-")
    try:
        return Locale.parse(text, sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise UnknownLanguage(
            f"'{tag}' is not a language tag Babel knows (e.g. en, fr, pt-BR)"
        ) from exc


def normal_tag(tag: str) -> str:
    """``tag`` as written in program.yaml and folder names: ``pt-BR``, ``fr``, ``zh-Hant``."""
    loc = locale_of(tag)
    parts = [loc.language, loc.script, loc.territory, loc.variant]
    return "-".join(p for p in parts if p)


def base_language(tag: str) -> str:
    return locale_of(tag).language


def language_name(tag: str, in_language: str | None = None) -> str:
    """The name of the language ``tag`` in ``in_language`` (else in itself): "français"."""
    loc = locale_of(tag)
    name = loc.get_display_name(locale_of(in_language) if in_language else loc)
    return str(name or tag)


# -- a person's own language --------------------------------------------------------------


def _key(text: str) -> str:
    """A language's name as compared: case, accents and spacing aside ("Espanol" is
    "español")."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", str(text).casefold().replace("_", "-"))
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


# Names forms give a language that CLDR's display names do not: "Castellano", "Brazilian
# Portuguese".
_ALIASES = {"castellano": "es", "brazilian portuguese": "pt-BR", "portugues do brasil": "pt-BR",
            "brasileiro": "pt-BR", "hochdeutsch": "de", "schwiizerdutsch": "de"}  # fmt: skip
# What separates two languages in one answer: "Spanish / Español", "Français, English".
_SEPARATORS = re.compile(r"\s*(?:[/,;|&+]|\b(?:or|ou|o|oder|and|et|y|und|e)\b)\s*")


@lru_cache(maxsize=64)
def _names(offered: tuple[str, ...]) -> dict[str, str]:
    """Every way of writing an offered language (tag, its names) -> its tag."""
    found: dict[str, str] = {}
    for tag in offered:
        loc = locale_of(tag)
        found[_key(tag)] = tag
        found.setdefault(_key(loc.language), tag)
        for other in (*offered, DEFAULT_LANGUAGE):
            other_loc = locale_of(other)
            for name in (loc.get_display_name(other_loc), loc.get_language_name(other_loc)):
                if name:
                    found.setdefault(_key(name), tag)
    return found


def chosen_language(answer: Any, offered: Iterable[str], default: str) -> str:
    """The offered language a person's answer names, else ``default``."""
    offered = tuple(offered)
    if answer is None or isinstance(answer, (dict, list)):
        return default
    text = _key(str(answer))
    if not text:
        return default
    # The whole answer, else each language it names, first first ("Français / English").
    for part in (text, *_SEPARATORS.split(text)):
        found = _one_language(part.strip(), offered)
        if found is not None:
            return found
    return default


def _one_language(text: str, offered: tuple[str, ...]) -> str | None:
    if not text:
        return None
    names = _names(offered)
    if text in names:
        return names[text]
    # "Français (France)", "pt_BR": the language before any region or note in brackets
    head = text.split("(")[0].strip().strip(",;")
    if head in names:
        return names[head]
    alias = _ALIASES.get(head)
    try:
        loc = locale_of(alias or text)
    except UnknownLanguage:
        return None
    exact = [t for t in offered if locale_of(t) == loc]
    same = [t for t in offered if locale_of(t).language == loc.language]
    return (exact or same or [None])[0]


def person_language(person: Mapping[str, Any], offered: Iterable[str], default: str) -> str:
    """A person's language (a person doc or template context): their ``language`` answer."""
    extra = person.get("extra") or {}
    return chosen_language(extra.get("language"), offered, default)


# -- formatting ---------------------------------------------------------------------------


def format_day(day: dt.date | dt.datetime | str | None, language: str, form: str = "long") -> str:
    """A day as ``language`` writes it: "3 mars 2026", "3. März 2026", "March 3, 2026"."""
    from babel.dates import format_date, format_skeleton

    if form not in DAY_FORMS:
        raise ValueError(f"unknown date form '{form}' (expected one of {', '.join(DAY_FORMS)})")
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    loc = locale_of(language)
    if form == "day":
        text = str(format_skeleton("MMMMd", day, locale=loc))
    elif form == "weekday_day":
        full = str(loc.date_formats["full"].pattern)
        shorter = _YEAR_AT_END.sub("", full)
        text = str(format_date(day, shorter if shorter != full else "full", locale=loc))
    else:
        text = str(format_date(day, form, locale=loc))
    if day.day == 1 and loc.language == "fr":
        # French writes the first of the month as an ordinal: "1er avril" (CLDR has "1 avril").
        text = re.sub(r"(?<!\d)1(?= )", "1er", text, count=1)
    return text


def format_weekday(day: dt.date | dt.datetime | str, language: str) -> str:
    from babel.dates import format_date

    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return str(format_date(day, "EEEE", locale=locale_of(language)))


def zone_of(text: str | None, on: dt.date) -> dt.tzinfo | None:
    """The time zone a person wrote ("Europe/Paris", "UTC+2"), as it is on the day ``on``."""
    from mentorctl import timezones

    if not text:
        return None
    named = timezones.named_zone(str(text).strip())
    if named is not None:
        return named
    offset = timezones.utc_offset(str(text), on)
    return None if offset is None else dt.timezone(dt.timedelta(hours=offset))


def format_time(moment: dt.datetime, language: str, zone: str | None = None) -> str:
    """A time of day as ``language`` writes it ("14:30", "2:30 PM"), in the time zone a person
    wrote (``zone``) when it is known, else as given."""
    from babel.dates import format_time as babel_time

    if moment.tzinfo is not None and zone:
        tz = zone_of(zone, moment.date())
        if tz is not None:
            moment = moment.astimezone(tz)
    return str(babel_time(moment, "short", locale=locale_of(language)))


def format_number(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=locale_of(language)))


def format_list(items: Iterable[Any], language: str, style: str = "standard") -> str:
    """Items joined as ``language`` joins them: "A, B et C", "A, B und C", "A, B y C"."""
    from babel.lists import format_list as babel_list

    listed = [str(i) for i in items]
    return str(babel_list(listed, style=style, locale=locale_of(language))) if listed else ""


def plural_form(count: float, language: str) -> str:
    """CLDR's plural category of ``count`` in ``language``: zero, one, two, few, many, other."""
    return str(locale_of(language).plural_form(count))


def plural(count: float, language: str, forms: Mapping[str, str | None]) -> str:
    """The form for ``count`` (``{n}`` in it replaced by the number as the language writes
    it); a category without a form of its own uses ``other``. A form named ``"=1"`` (any
    whole number) is for exactly that number: "qu'une heure" rather than "que 1 heure"."""
    exact = forms.get(f"={int(count)}") if float(count).is_integer() else None
    chosen = exact or forms.get(plural_form(count, language)) or forms.get("other") or ""
    return chosen.replace("{n}", format_number(count, language))


# -- Jinja ---------------------------------------------------------------------------------


def _language(context: Any) -> str:
    return str(context.get("language") or DEFAULT_LANGUAGE)


def install(env: jinja2.Environment) -> None:
    """The filters and helpers message templates use; each reads the message's ``language``.

    ``{{ day | date }}`` "3 mars 2026", ``| date("day")`` "3 mars", ``| date("full")``
    "mardi 3 mars 2026", ``| weekday`` "mardi", ``{{ moment | time(recipient.timezone) }}``
    "14:30" in the person's zone, ``| number``, ``| and_list`` "A, B et C", and
    ``{{ plural(weeks, one="{n} semaine", other="{n} semaines") }}``.
    """
    from jinja2 import pass_context, pass_environment

    @pass_context
    def date_filter(context: Any, value: Any, form: str = "long") -> str:
        return format_day(value, _language(context), form)

    @pass_context
    def weekday_filter(context: Any, value: Any) -> str:
        return format_weekday(value, _language(context))

    @pass_context
    def time_filter(context: Any, value: dt.datetime, zone: str | None = None) -> str:
        return format_time(value, _language(context), zone)

    @pass_context
    def number_filter(context: Any, value: float) -> str:
        return format_number(value, _language(context))

    @pass_context
    def list_filter(context: Any, value: Iterable[Any]) -> str:
        return format_list(value, _language(context))

    @pass_context
    def plural_helper(context: Any, count: float, **forms: str) -> str:
        return plural(count, _language(context), forms)

    wordwrap = env.filters["wordwrap"]

    @pass_environment
    def wordwrap_filter(
        environment: Any, *args: Any, break_on_hyphens: bool = False, **kwargs: Any
    ) -> str:
        # Jinja's own, except that a line never ends inside "racontez-vous" or "30-45"
        return str(wordwrap(environment, *args, break_on_hyphens=break_on_hyphens, **kwargs))

    env.filters.update(
        wordwrap=wordwrap_filter,
        date=date_filter,
        weekday=weekday_filter,
        time=time_filter,
        number=number_filter,
        and_list=list_filter,
    )
    env.globals["plural"] = plural_helper
