"""The words of the German messages that ask mentees to choose and mentors to accept: one
form of address (du), and a mentee's line in a mentor's ask that is a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

import mentorctl
from mentorctl.mail import locale

PACKAGE = Path(mentorctl.__file__).parent
ROOT = PACKAGE.parent
SHIPPED = PACKAGE / "mail" / "default_messages"
GERMAN = sorted(
    [
        *SHIPPED.glob("de/shortlist.txt.j2"),
        *SHIPPED.glob("de/mentor_ask.txt.j2"),
        *(ROOT / "templates").glob("*/messages/de/shortlist.txt.j2"),
        *(ROOT / "templates").glob("*/messages/de/weekly.txt.j2"),
    ]
)
# "Sie", "Ihnen", "Ihr(e)" of the formal address; a "Sie" or "Ihr" that opens a sentence or
# follows a colon ("...: Sie kommt nur beim Orga-Team an", "Ihr könnt") is not one.
FORMAL = re.compile(r"\bIhnen\b|\bIhre[mnrs]?\b|(?<![.:!?]\s)(?<!^)\bSie\b|(?<![.:!?]\s)\bIhr\b")


def test_the_german_messages_are_found() -> None:
    assert len(GERMAN) >= 2 + 6 + 6


@pytest.mark.parametrize("path", GERMAN, ids=lambda p: str(p.relative_to(ROOT)))
def test_german_messages_say_du(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert not FORMAL.findall(flat), path
    assert re.search(r"\b(du|dich|dir|dein\w*)\b", flat), path


def render(name: str, **context: object) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SHIPPED), undefined=jinja2.StrictUndefined
    )
    locale.install(env)
    return env.get_template(name).render(language="de", **context)


def test_a_mentees_line_in_the_german_ask_is_a_sentence() -> None:
    text = render(
        "de/mentor_ask.txt.j2",
        recipient={"first_name": "Raj"},
        program={"name": "Mentoring", "sender": {"name": "Das Team"}},
        mentees=[
            {
                "number": 1,
                "first_name": "Ana",
                "goals": ["Karrierewechsel"],
                "reasons": [],
                "chose_you": True,
            },
            {
                "number": 2,
                "first_name": "Ben",
                "goals": [],
                "reasons": ["ihr sprecht Deutsch"],
                "chose_you": False,
            },
        ],
    )
    assert "\n1. Ana möchte an Karrierewechsel arbeiten\n" in text
    assert "arbeiten\n   - Ana hat dich aus unseren Vorschlägen ausgewählt\n" in text
    assert "\n2. Ben\n" in text and ", möchte" not in text
