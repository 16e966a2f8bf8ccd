"""The project's German messages say "du" to one person and "ihr" to a group: no message
template, in the package or in any built-in program template, and no shipped German subject
addresses anyone as "Sie".

"Sie", "Ihr" and "Ihnen" are capitalised mid-sentence only as the formal address. At the start
of a sentence (or after a colon) they may be "she"/"it" or the plural "you" instead: "Sie kommt
nur beim Orga-Team an", "Ihr könnt einfach weitermachen". There the verb that follows tells
them apart: the formal "Sie" takes the "-en" form ("Sie müssen", "Sie bekommen"), and the
formal "Ihr" is a possessive before a noun ("Ihr Kreis").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import mentorctl
from mentorctl.programs.translations import SHIPPED_SUBJECTS

PACKAGE = Path(mentorctl.__file__).parent
ROOT = PACKAGE.parent
TEMPLATES = sorted(
    [
        *(PACKAGE / "mail" / "default_messages" / "de").glob("*.j2"),
        *(ROOT / "templates").glob("*/messages/de/*.j2"),
    ]
)
CIRCLE_NOTICES = ("circle_intro", "circle_left", "circle_away", "circle_closed",
                  "circle_farewell", "circle_handover")  # fmt: skip
WORD = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b(\s+\S+)?")
OPENS = re.compile(r"(^|[.!?:]|[.!?:][\"»”)])\s*$")


def _flat(text: str) -> str:
    """The words of a template, its Jinja comments and tags left out, an expression read as
    a name, on one line."""
    text = re.sub(r"\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "Name", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)  # an HTML template's tags
    return " ".join(text.split())


def formal(text: str) -> list[str]:
    """Every formal "Sie"/"Ihr"/"Ihnen" of ``text`` (with the word after it)."""
    out = []
    for m in WORD.finditer(text):
        word, after = m.group(1), (m.group(2) or "").strip()
        opens = bool(OPENS.search(text[: m.start()]))
        informal = (
            opens
            and word in ("Sie", "Ihr")
            and after[:1].islower()
            and not after.rstrip(".,;:!?").endswith("en")
        )
        if not informal:
            out.append(m.group(0))
    return out


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Wenn Sie darüber sprechen möchten, antworten Sie einfach.", 2),
        ("Sie müssen nichts tun.", 1),
        ("Name: Ihr Kreis ist beendet", 1),
        ("Danke von Ihrem Kreis", 1),
        ("wir bieten Ihnen einen Platz an", 1),
        ("antworte einfach auf diese E-Mail: Sie kommt nur beim Orga-Team an.", 0),
        ("Es gibt nichts nachzuholen: Ihr könnt einfach weitermachen. Ihr habt Zeit.", 0),
        ("Name und Name haben ihre Ziele geteilt; ihr trefft euch.", 0),
    ],
)
def test_the_check_tells_formal_from_informal(text: str, found: int) -> None:
    assert len(formal(text)) == found, formal(text)


def test_every_german_template_and_every_circle_notice_is_checked() -> None:
    names = {p.name.split(".")[0] for p in TEMPLATES}
    assert set(CIRCLE_NOTICES) <= names
    assert len(TEMPLATES) > 6 * 15


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_german_message_templates_say_du(path: Path) -> None:
    text = _flat(path.read_text(encoding="utf-8"))
    assert not formal(text), (path, formal(text))


def test_the_circle_notices_speak_to_their_reader_as_du() -> None:
    for kind in CIRCLE_NOTICES:
        text = _flat((PACKAGE / "mail" / "default_messages" / "de" / f"{kind}.txt.j2").read_text())
        assert re.search(r"\b(du|dich|dir|dein\w*|ihr|euch|euer|eure\w*)\b", text), kind


@pytest.mark.parametrize("kind", sorted(SHIPPED_SUBJECTS))
def test_shipped_german_subjects_say_du(kind: str) -> None:
    subject = _flat(SHIPPED_SUBJECTS[kind]["de"])
    assert not formal(subject), (kind, subject)


def test_german_subjects_of_the_built_in_templates_say_du() -> None:
    files = sorted((ROOT / "templates").glob("*/translations/de.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        subjects = data.get("subjects") or {}
        assert subjects, path
        for kind, subject in subjects.items():
            assert not formal(_flat(str(subject))), (path, kind, subject)
