"""A program in more than one language: its language tag and its translation files.

``program.yaml`` is written in the program's ``language`` (a BCP 47 tag, ``en`` when not
set). Each other language the program offers has a file ``translations/<tag>.yaml`` beside
it, holding that language's texts of everything people read: the title and description, the
sign-up topics (in program.yaml's order), every guide step, the check-in questions by key,
the fit question and every message's subject. Its message templates are in
``messages/<tag>/``. A person who asked for one of those languages gets their messages in it.

A translation is complete or refused: a missing week, question or subject is an error naming
the file and line, never an English line in a French email.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorctl.errors import ConfigError
from mentorctl.programs import schema
from mentorctl.programs.schema import Int, Invalid, ListOf, MapOf, Obj, Str
from mentorctl.programs.yamlfile import load_yaml

TRANSLATIONS_DIR = "translations"
# Tags that are languages as they stand (CLDR knows each), checked without loading Babel.
_PLAIN = frozenset({"en", "fr", "es", "de", "pt", "it", "nl", "pl", "sv", "da", "fi", "no"})

# A week's guide step: in program.yaml, and in each translation of it.
GUIDE = ListOf(
    Obj(
        {
            "week": Int(minimum=1),
            "title": Str(allow_empty=False),
            "together": Str(allow_empty=False),
            "prompt": Str(allow_empty=False),
        }
    ),
    min_items=1,
)

_TRANSLATION = Obj(
    {
        "title": Str(required=False),
        "description": Str(allow_empty=False),
        "topics": ListOf(Str(allow_empty=False), required=False),
        "guide": GUIDE,
        "checkin": Obj(
            {
                "questions": MapOf(Str(allow_empty=False)),
                "fit_question": Str(allow_empty=False),
                "circle_fit_question": Str(required=False, allow_empty=False),
            }
        ),
        "subjects": MapOf(Str(allow_empty=False)),
        "labels": MapOf(Str(allow_empty=False), required=False),
        # the organisers' name in this language (used when a program is made in it)
        "sender_name": Str(required=False),
    }
)


def check_tag(value: Any, path: schema.Path_) -> str:
    """``value`` as a language tag Babel knows, normalised (``pt_br`` -> ``pt-BR``)."""
    text = str(value).strip().replace("_", "-")
    if text in _PLAIN:
        return text  # every command loads program.yaml: no need to load Babel for these
    from babel import Locale, UnknownLocaleError

    try:
        loc = Locale.parse(text, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        raise Invalid(
            path, f"'{value}' is not a language tag Babel knows (expected e.g. en, fr, pt-BR)"
        ) from None
    return "-".join(p for p in (loc.language, loc.script, loc.territory, loc.variant) if p)


def texts_of(data: dict[str, Any]) -> dict[str, Any]:
    """A program's texts in its own language, in the shape of a translation file."""
    texts: dict[str, Any] = {}
    if data.get("title"):
        texts["title"] = data["title"]
    texts["description"] = data["description"]
    if data.get("signup", {}).get("topics"):
        texts["topics"] = list(data["signup"]["topics"])
    texts["guide"] = [
        {k: step[k] for k in ("week", "title", "together", "prompt")} for step in data["guide"]
    ]
    texts["checkin"] = {
        "questions": {q["key"]: q["text"] for q in data["checkin"]["questions"]},
        "fit_question": data["checkin"]["fit_question"],
        "circle_fit_question": data["checkin"]["circle_fit_question"],
    }
    texts["subjects"] = {kind: m["subject"] for kind, m in data["messages"].items()}
    if data.get("labels"):
        texts["labels"] = dict(data["labels"])
    return texts


def _mentees(conjunction: str) -> str:
    """A circle's mentees' first names in a subject, "Bea, Cid and Dov" (as its templates
    write them)."""
    return (
        "{% for m in circle.mentees %}{% if not loop.first %}{% if loop.last %} "
        + conjunction
        + " {% else %}, {% endif %}{% endif %}{{ m.first_name }}{% endfor %}"
    )


# Subjects of message kinds added after the first translations were written: a translation
# without its own subject for one of them gets the one shipped here for its language.
SHIPPED_SUBJECTS = {
    "circle_intro": {
        "en": "{{ program.name }}: meet your circle",
        "fr": "{{ program.name }} : voici votre cercle",
        "es": "{{ program.name }}: conoce a tu círculo",
        "de": "{{ program.name }}: euer Mentoring-Kreis",
        "pt": "{{ program.name }}: conheça o seu círculo",
    },
    "mentor_ask": {
        "en": "{{ program.name }}: would you mentor them?",
        "fr": "{{ program.name }} : accepteriez-vous de les accompagner ?",
        "es": "{{ program.name }}: ¿te gustaría ser su mentor/a?",
        "de": "{{ program.name }}: Möchtest du sie begleiten?",
        "pt": "{{ program.name }}: gostaria de ser mentor/a destas pessoas?",
    },
    "circle_left": {
        "en": "{{ program.name }}: news from your circle",
        "fr": "{{ program.name }} : des nouvelles de votre cercle",
        "es": "{{ program.name }}: novedades de tu círculo",
        "de": "{{ program.name }}: Neuigkeiten aus deinem Kreis",
        "pt": "{{ program.name }}: novidades do seu círculo",
    },
    "circle_away": {
        "en": "{{ program.name }}: a member of your circle is away",
        "fr": "{{ program.name }} : un membre de votre cercle s'absente",
        "es": "{{ program.name }}: alguien de tu círculo estará fuera",
        "de": "{{ program.name }}: ein Mitglied deines Kreises ist verhindert",
        "pt": "{{ program.name }}: alguém do seu círculo vai estar fora",
    },
    "circle_closed": {
        "en": "{{ program.name }}: your circle has closed",
        "fr": "{{ program.name }} : votre cercle a pris fin",
        "es": "{{ program.name }}: tu círculo ha terminado",
        "de": "{{ program.name }}: dein Kreis ist beendet",
        "pt": "{{ program.name }}: o seu círculo chegou ao fim",
    },
    "circle_weekly": {
        "en": "{{ program.name }}, week {{ week }} with "
        f"{{% if as_mentor %}}{_mentees('and')}{{% else %}}your circle{{% endif %}}: "
        "{{ step.title }}",
        "fr": "{{ program.name }} – Semaine {{ week }} avec "
        f"{{% if as_mentor %}}{_mentees('et')}{{% else %}}votre cercle{{% endif %}} : "
        "{{ step.title }}",
        "es": "{{ program.name }}, semana {{ week }} con "
        f"{{% if as_mentor %}}{_mentees('y')}{{% else %}}tu círculo{{% endif %}}: "
        "{{ step.title }}",
        "de": "{{ program.name }}: Woche {{ week }} mit "
        f"{{% if as_mentor %}}{_mentees('und')}{{% else %}}deinem Kreis{{% endif %}} – "
        "{{ step.title }}",
        "pt": "{{ program.name }}, semana {{ week }} com "
        f"{{% if as_mentor %}}{_mentees('e')}{{% else %}}o seu círculo{{% endif %}}: "
        "{{ step.title }}",
    },
    "circle_wrapup": {
        "en": '{{ program.name }}: celebrating your {{ plural(program.duration_weeks, one="week", '
        'other="{n} weeks") }} as a circle',
        "fr": '{{ program.name }} : bravo pour ces {{ plural(program.duration_weeks, one="{n} '
        'semaine", other="{n} semaines") }} en cercle !',
        "es": '{{ program.name }}: ¡a celebrar sus {{ plural(program.duration_weeks, one="{n} '
        'semana", other="{n} semanas") }} en círculo!',
        "de": '{{ program.name }}: {{ plural(program.duration_weeks, one="{n} Woche", '
        'other="{n} Wochen") }} im Kreis geschafft!',
        "pt": '{{ program.name }}: vamos comemorar as {{ plural(program.duration_weeks, one="{n} '
        'semana", other="{n} semanas") }} do seu círculo!',
    },
    "circle_lapsed": {
        "en": "{{ program.name }}: thank you for joining",
        "fr": "{{ program.name }} : merci d'avoir participé",
        "es": "{{ program.name }}: gracias por participar",
        "de": "{{ program.name }}: Danke fürs Mitmachen",
        "pt": "{{ program.name }}: obrigado por participar",
    },
    "circle_farewell": {
        "en": "{{ program.name }}: thank you from your circle",
        "fr": "{{ program.name }} : merci de la part de votre cercle",
        "es": "{{ program.name }}: gracias de parte de tu círculo",
        "de": "{{ program.name }}: Danke von deinem Kreis",
        "pt": "{{ program.name }}: obrigado da parte do seu círculo",
    },
    "circle_handover": {
        "en": "{{ program.name }}: who leads your circle now",
        "fr": "{{ program.name }} : qui anime votre cercle désormais",
        "es": "{{ program.name }}: quién guía tu círculo ahora",
        "de": "{{ program.name }}: wer deinen Kreis jetzt begleitet",
        "pt": "{{ program.name }}: quem orienta o seu círculo agora",
    },
    "shortlist": {
        "en": "{{ program.name }}: choose your mentor",
        "fr": "{{ program.name }} : choisissez votre mentor",
        "es": "{{ program.name }}: elige a tu mentor",
        "de": "{{ program.name }}: Wähle deine Mentorin oder deinen Mentor",
        "pt": "{{ program.name }}: escolha o seu mentor",
    },
}


# The circle's fit question, for a translation written before circles asked their own.
SHIPPED_CIRCLE_FIT = {
    "en": "Is your circle working well for you?",
    "fr": "Ce cercle vous convient-il pour l'instant ?",
    "es": "¿Te está funcionando este círculo por ahora?",
    "de": "Passt dein Kreis bisher für dich?",
    "pt": "Este círculo está funcionando para você até agora?",
}


def shipped_circle_fit(tag: str) -> str:
    return (
        SHIPPED_CIRCLE_FIT.get(tag)
        or SHIPPED_CIRCLE_FIT.get(tag.split("-")[0])
        or (SHIPPED_CIRCLE_FIT["en"])
    )


def shipped_subject(kind: str, tag: str) -> str | None:
    found = SHIPPED_SUBJECTS.get(kind)
    if found is None:
        return None
    return found.get(tag) or found.get(tag.split("-")[0]) or found["en"]


def _check_complete(texts: dict[str, Any], data: dict[str, Any]) -> None:
    weeks = [step["week"] for step in texts["guide"]]
    if weeks != list(range(1, data["duration_weeks"] + 1)):
        raise Invalid(
            ["guide"], f"expected one step per week, weeks 1 to {data['duration_weeks']} in order"
        )
    keys = [q["key"] for q in data["checkin"]["questions"]]
    have = texts["checkin"]["questions"]
    for key in keys:
        if key not in have:
            raise Invalid(["checkin", "questions"], f"no text for the question '{key}'")
    for key in have:
        if key not in keys:
            raise Invalid(
                ["checkin", "questions", key], "no question with this key in program.yaml"
            )
    for kind in data["messages"]:
        if kind not in texts["subjects"]:
            raise Invalid(["subjects"], f"no subject for the {kind} message")
    for kind in texts["subjects"]:
        if kind not in data["messages"]:
            raise Invalid(["subjects", kind], "not a message kind")
    topics = data.get("signup", {}).get("topics") or []
    if texts.get("topics") is not None and len(texts["topics"]) != len(topics):
        raise Invalid(
            ["topics"],
            f"expected {len(topics)} topics, in the order of signup.topics in program.yaml",
        )


def parse_translation(text: str, path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """One translation file, validated and checked complete against the program's ``data``."""
    raw = load_yaml(text, path)
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping of texts at the top level", file=path)
    texts = schema.validate(_TRANSLATION, raw, file=path, source=text)
    for kind in SHIPPED_SUBJECTS:
        if kind in data["messages"] and kind not in texts["subjects"]:
            texts["subjects"][kind] = shipped_subject(kind, path.stem)
    if not texts["checkin"].get("circle_fit_question"):
        texts["checkin"]["circle_fit_question"] = shipped_circle_fit(path.stem)
    try:
        _check_complete(texts, data)
    except Invalid as exc:
        line = schema._line_of(text, exc.path)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{schema.format_path(exc.path)}: {exc.message}", file=where) from None
    return dict(texts)


@dataclass(frozen=True)
class Languages:
    """The languages a program offers: its own first, then one per translation file."""

    own: str
    texts: dict[str, dict[str, Any]]  # tag -> the translation's texts (not the program's own)

    @property
    def offered(self) -> tuple[str, ...]:
        return (self.own, *sorted(self.texts))


def load_languages(program_file: Path, data: dict[str, Any]) -> Languages:
    """The program's language and its translation files (each validated and complete)."""
    folder = program_file.parent / TRANSLATIONS_DIR
    texts: dict[str, dict[str, Any]] = {}
    if folder.is_dir():
        for file in sorted(folder.glob("*.yaml")):
            try:
                tag = check_tag(file.stem, [])
            except Invalid as exc:
                raise ConfigError(f"file name: {exc.message}", file=file) from None
            if tag == data["language"]:
                raise ConfigError(
                    f"translates into {tag}, the program's own language",
                    file=file,
                    hint="program.yaml holds the program's own language; remove this file",
                )
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read: {exc}", file=file) from None
            texts[tag] = parse_translation(text, file, data)
    return Languages(data["language"], texts)


def translated(data: dict[str, Any], texts: dict[str, Any]) -> dict[str, Any]:
    """A program's ``data`` with every text people read replaced by a translation's."""
    out = copy.deepcopy(data)
    if texts.get("title"):
        out["title"] = texts["title"]
    out["description"] = texts["description"]
    if texts.get("topics") is not None:
        out["signup"]["topics"] = list(texts["topics"])
    out["guide"] = [dict(step) for step in texts["guide"]]
    for q in out["checkin"]["questions"]:
        q["text"] = texts["checkin"]["questions"][q["key"]]
    out["checkin"]["fit_question"] = texts["checkin"]["fit_question"]
    if texts["checkin"].get("circle_fit_question"):
        out["checkin"]["circle_fit_question"] = texts["checkin"]["circle_fit_question"]
    for kind, settings in out["messages"].items():
        settings["subject"] = texts["subjects"][kind]
    out["labels"] = dict(texts.get("labels") or {})
    if texts.get("sender_name"):  # the signature and the From name, in the reader's words
        out["sender"] = {**(out.get("sender") or {}), "name": texts["sender_name"]}
    return out


def topic_names(data: dict[str, Any], texts: dict[str, Any] | None) -> dict[str, str]:
    """The program's topics (as people chose them on the form) -> their names in a
    translation (the same, when the translation does not name topics)."""
    own = data.get("signup", {}).get("topics") or []
    theirs = (texts or {}).get("topics")
    if not theirs:
        return {}
    return {a.casefold(): b for a, b in zip(own, theirs, strict=False)}
