"""A pair's reasons as the two people read them in their introduction, in their language.

The matcher's reasons are written for the admin's table ("both: Getting promoted", "mentor
speaks English"); an email to the two people says the same in their words and language.
Reasons that count against the pair, and unknowns, are left out. Topics are named as the
message's language names them (``topics``), sign-up fields by their label (``labels``), and
languages by Babel ("English" -> "anglais").
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from mentorctl.mail import locale

# The phrases, addressed to both people; {topics}, {hours}, {languages}, {field}, {values}.
_PHRASES: dict[str, dict[str, Any]] = {
    "en": {
        "topics": "you share an interest in {topics}",
        "same_zone": "you are in the same time zone",
        "hours": {"=1": "your time zones are only an hour apart",
                  "one": "your time zones are only {n} hour apart",
                  "other": "your time zones are only {n} hours apart"},
        "speak": "you can talk in {languages}",
        "speak_in": "{name}",
        "same": "you have the same {field}",
        "both": "you both answered {values} for {field}",
    },
    "fr": {
        "topics": "vous vous intéressez tous les deux à {topics}",
        "same_zone": "vous êtes dans le même fuseau horaire",
        "hours": {"=1": "vos fuseaux horaires n'ont qu'une heure d'écart",
                  "one": "vos fuseaux horaires n'ont que {n} heure d'écart",
                  "other": "vos fuseaux horaires n'ont que {n} heures d'écart"},
        "speak": "vous pouvez échanger {languages}",
        "speak_in": "en {name}",
        "same": "vous avez répondu la même chose pour « {field} »",
        "both": "vous avez tous les deux répondu {values} pour « {field} »",
    },
    "es": {
        "topics": "a los dos les interesa {topics}",
        "same_zone": "están en la misma zona horaria",
        "hours": {"=1": "sus zonas horarias solo se llevan una hora",
                  "one": "sus zonas horarias solo se llevan {n} hora",
                  "other": "sus zonas horarias solo se llevan {n} horas"},
        "speak": "pueden hablar en {languages}",
        "speak_in": "{name}",
        "same": "respondieron lo mismo en «{field}»",
        "both": "los dos respondieron {values} en «{field}»",
    },
    "de": {
        "topics": "ihr interessiert euch beide für {topics}",
        "same_zone": "ihr seid in derselben Zeitzone",
        "hours": {"=1": "zwischen euren Zeitzonen liegt nur eine Stunde",
                  "one": "zwischen euren Zeitzonen liegt nur {n} Stunde",
                  "other": "zwischen euren Zeitzonen liegen nur {n} Stunden"},
        "speak": "ihr könnt euch auf {languages} unterhalten",
        "speak_in": "{name}",
        "same": "ihr habt bei „{field}“ dasselbe angegeben",
        "both": "ihr habt beide {values} bei „{field}“ angegeben",
    },
    "pt": {
        "topics": "vocês dois se interessam por {topics}",
        "same_zone": "vocês estão no mesmo fuso horário",
        "hours": {"=1": "seus fusos horários têm só uma hora de diferença",
                  "one": "seus fusos horários têm só {n} hora de diferença",
                  "other": "seus fusos horários têm só {n} horas de diferença"},
        "speak": "vocês podem conversar em {languages}",
        "speak_in": "{name}",
        "same": "vocês deram a mesma resposta em “{field}”",
        "both": "vocês dois responderam {values} em “{field}”",
    },
}  # fmt: skip


def phrases(language: str) -> dict[str, Any]:
    """The phrases of ``language`` (its base language's; English when there are none)."""
    return _PHRASES.get(language) or _PHRASES.get(locale.base_language(language)) or _PHRASES["en"]


def friendly(
    reasons: Any,
    language: str = "en",
    topics: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """A pair's reasons as the two people read them in their introduction: "both: Getting
    promoted" is how an admin's table says it, not how one writes to a person. Reasons that
    count against the pair, unknowns, and the admin's note that the mentee chose the mentor,
    are left out."""
    words = phrases(language)
    topics = topics or {}
    labels = labels or {}

    def listed(text: str, names: Mapping[str, str] = topics) -> str:
        items = [i.strip() for i in text.split(", ") if i.strip()]
        return locale.format_list([names.get(i.casefold(), i) for i in items], language)

    out = []
    for raw in reasons:
        text = str(raw)
        if (
            text.endswith(" (counts against)")
            or text in ("time zone unknown",)
            or (
                text.startswith("chosen by the mentee (")  # the message says so in its own words
            )
        ):
            continue
        if text.startswith("both: "):
            out.append(words["topics"].format(topics=listed(text[6:])))
        elif text == "same time zone":
            out.append(words["same_zone"])
        elif text.startswith("time zones ") and text.endswith(" h apart"):
            hours = float(text[len("time zones ") : -len(" h apart")])
            out.append(locale.plural(hours, language, words["hours"]))
        elif text.startswith("mentor speaks "):
            names = [n.strip() for n in text[14:].replace(" and ", ", ").split(", ") if n.strip()]
            shown = [words["speak_in"].format(name=_language_name(n, language)) for n in names]
            out.append(words["speak"].format(languages=locale.format_list(shown, language)))
        elif text.startswith("same "):
            out.append(words["same"].format(field=labels.get(text[5:], text[5:])))
        elif ": both " in text:
            name, _, values = text.partition(": both ")
            out.append(words["both"].format(values=listed(values), field=labels.get(name, name)))
        else:
            out.append(text)
    return out


@lru_cache(maxsize=1024)
def _language_name(name: str, language: str) -> str:
    """A language as a person wrote it ("English", "français", "pt") named in ``language``;
    a name Babel does not know stays as written."""
    code = _codes().get(name.casefold())
    if code is None:
        return name
    try:
        loc = locale.locale_of(language)
    except locale.UnknownLanguage:
        return name
    return str(loc.languages.get(code) or name)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """Language names in the built-in languages (and their codes) -> the language's code."""
    found: dict[str, str] = {}
    for tag in locale.BUILT_IN:
        for code, name in locale.locale_of(tag).languages.items():
            if "_" not in code:
                found.setdefault(name.casefold(), code)
                found.setdefault(code.casefold(), code)
    return found
