"""The line a shortlist shows about a mentor: never their surname, an address, a phone
number, a web address or their organisation (about_line)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching.shortlist import about_line


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> set[str]:
    return {fold(w) for w in re.findall(r"[^\W_]+", text)}


@pytest.mark.parametrize(
    ("person", "line"),
    [
        (
            {
                "name": "Fatima Al-Sayed",
                "organisation": "Sayed Group Ltd",
                "bio": "Fatima Al Sayed here, ex-Sayed Group. Email me: fatima@alsayed.com or "
                "+44 7700 900123",
            },
            "",
        ),
        (
            {
                "name": "Ann Lee",
                "organisation": "Google LLC",
                "bio": "I lead data at Google (Lee's team); linkedin.com/in/annlee",
            },
            "",
        ),
        ({"name": "Ann Lee", "organisation": "Acme", "bio": "Ann LEE, 20 years at ACME."}, ""),
        (
            {
                "name": "María José García López",
                "first_name": "María José",
                "organisation": "Telefónica",
                "bio": "Soy María José Garcia, de TELEFONICA",
            },
            "",
        ),
        ({"name": "Ann Lee", "bio": "I'm Ann Lee-Smith; my maiden name is Lee"}, ""),
        (
            {
                "name": "Ann Lindqvist",
                "organisation": "Acme",
                "bio": "I left Acme after 12 years; now I coach career changers.",
            },
            "Now I coach career changers.",
        ),
        (
            {
                "name": "Bo Okafor",
                "organisation": "Globex Corporation",
                "bio": "Product lead who changed careers twice. See www.bo.dev or call "
                "555-123-4567. Ask me about Node.js hiring!",
            },
            "Product lead who changed careers twice. Ask me about Node.js hiring!",
        ),
        (
            {"name": "Bo Okafor", "bio": "I mentored engineers from 2010-2020, @bo_codes"},
            "I mentored engineers from 2010-2020",
        ),
        (
            {
                "name": "Emeka Obi42",
                "bio": "Emeka Obi42 here: 4 years teaching maths in schools, OBI too.",
            },
            "4 years teaching maths in schools",
        ),
        ({"name": "Bo Okafor", "bio": "Hi, I'm Bo."}, ""),  # too short to say anything
    ],
)
def test_what_is_left_of_what_a_mentor_wrote(person: dict, line: str) -> None:
    assert about_line(person) == line


SURNAMES = ["Lindqvist", "Okafor", "García", "Al-Sayed", "Nguyen", "O'Brien", "Müller"]
ORGS = [("Globex", "LLC"), ("Initech", "GmbH"), ("Telefónica", "SA"), ("Hooli", "Inc")]
NEUTRAL = [
    "I coach people who change careers",
    "Ask me about public speaking",
    "I love hiking on weekends",
    "Happy to review CVs and portfolios",
    "I have led teams of engineers for years",
]


@st.composite
def people(draw):
    surname = draw(st.sampled_from(SURNAMES))
    org, form = draw(st.sampled_from(ORGS))
    private = [
        draw(st.sampled_from([surname, surname.upper(), fold(surname), f"{surname}'s"])),
        draw(st.sampled_from([org, org.upper(), f"ex-{org}", f"{org} {form}"])),
        draw(st.sampled_from(["ann@example.org", "a.n.n+x@mail.example.co.uk"])),
        draw(st.sampled_from(["+44 7700 900123", "(555) 123-4567", "0049 30 1234567"])),
        draw(st.sampled_from(["https://ann.dev/me", "www.example.org", "linkedin.com/in/ann"])),
    ]
    chosen = draw(st.lists(st.sampled_from(private), min_size=1, max_size=4))
    neutral = draw(st.lists(st.sampled_from(NEUTRAL), max_size=3))
    fragments = [f"reach me at {x}" if i % 2 else f"{x} is where I am" for i, x in
                 enumerate(chosen)]  # fmt: skip
    parts = draw(st.permutations(neutral + fragments))
    join = draw(st.sampled_from([". ", "; ", ", ", " - ", " (and) "]))
    bio = join.join(parts)
    person = {"name": f"Ann {surname}", "organisation": f"{org} {form}", "bio": bio}
    return person, surname, org, chosen


@settings(max_examples=200, deadline=None)
@given(people())
def test_no_surname_address_or_organisation_reaches_the_line(case) -> None:
    person, surname, org, chosen = case
    line = about_line(person)
    assert not words(line) & (words(surname) | words(org)), line
    for private in chosen:
        digits = re.sub(r"\D", "", private)
        assert fold(private) not in fold(line) and (not digits or digits not in line), line
    assert "@" not in line and "www" not in line and "://" not in line, line
    assert line == "" or len(line.split()) >= 3, line
