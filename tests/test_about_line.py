"""The line a shortlist shows about a mentor: never their surname, an address (email, web or
street, also spelled out), a handle, a phone number, their organisation (also run into
another word), nor what they said of their health, family, religion or sexuality
(about_line)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.matching.about_line import about_line


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> set[str]:
    return {fold(w) for w in re.findall(r"[^\W_]+", text)}


def plain(name: str) -> str:
    """A name as run into a handle or an address: "O'Brien" -> "obrien"."""
    return re.sub(r"[^a-z]", "", fold(name))


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
        draw(
            st.sampled_from(
                [
                    f"my twitter is ann{plain(surname)}_data",
                    f"instagram {plain(surname)}ann",
                    "on telegram annie",
                    f"ann{plain(surname)} on github",
                ]
            )
        ),
        draw(
            st.sampled_from(
                [
                    f"ann at {plain(org)} dot com",
                    f"ann(at){plain(org)}(dot)org",
                    "ann [at] example [dot] net",
                    f"{plain(surname)}studio dot io",
                ]
            )
        ),
        draw(st.sampled_from([f"@ {plain(org)}corp", f"{org}HQ", f"ex-{plain(org)}labs"])),
        draw(
            st.sampled_from(
                [
                    "12 Baker Street, London",
                    "5 rue de la Paix, Paris",
                    "Calle Mayor 3, Madrid",
                    "Hauptstraße 5, Berlin",
                    "London SW1A 1AA",
                    "Rua Augusta, 27 Lisboa",
                ]
            )
        ),
        draw(
            st.sampled_from(
                [
                    "recently divorced",
                    "living with ADHD",
                    "mum of two",
                    "a proud Catholic",
                    "madre de dos hijos",
                    "schwanger im fünften Monat",
                    "en traitement du cancer",
                ]
            )
        ),
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
    assert not any(plain(org) in word for word in words(line)), line
    for private in chosen:
        digits = re.sub(r"\D", "", private)
        assert fold(private) not in fold(line) and (not digits or digits not in line), line
    assert "@" not in line and "www" not in line and "://" not in line, line
    assert line == "" or len(line.split()) >= 3, line


ANN = {"name": "Ann Lee", "first_name": "Ann", "organisation": "Acme Corp"}
SAID = "I run the analytics guild."


@pytest.mark.parametrize(
    "bio",
    [
        f"My twitter is annlee_data. {SAID}",
        f"{SAID} Find me on Telegram: annie",
        f"{SAID} Instagram annie.codes",
        f"Data lead @ acmecorp. {SAID}",
        f"{SAID} Ten years at AcmeLabs",
        f"{SAID} See ramosstudio dot com",
        f"{SAID} Reach me at ann.lee at gmail dot com.",
        f"{SAID} Email: ann(at)acme(dot)com",
        f"{SAID} Write to ann [at] example [dot] org",
        f"{SAID} Escríbeme: ana arroba ejemplo punto es",
        f"I live at 12 Baker Street, London. {SAID}",
        f"{SAID} Based at 5 rue de la Paix, Paris.",
        f"{SAID} Vivo en Calle Mayor 3, Madrid.",
        f"{SAID} Wohne in der Hauptstraße 5, Berlin.",
        f"{SAID} Moro na Rua Augusta, 27 Lisboa",
        f"{SAID} Abito in Via Roma 5, Milano",
        f"{SAID} Vivo en la Calle de Alcalá 42",
        f"{SAID} Office near London SW1A 1AA",
        f"{SAID} Office in 75011 Paris",
        f"Mum of two, recently divorced, living with ADHD. {SAID}",
        f"{SAID} Proud Muslim and dad of twins.",
        f"{SAID} Je suis enceinte de six mois.",
        f"{SAID} Estoy en tratamiento por una enfermedad crónica.",
        f"{SAID} Seit der Scheidung lebe ich allein.",
        f"{SAID} Sou lésbica e mãe de dois filhos.",
    ],
)
def test_a_clause_that_gives_the_mentor_away_is_left_out(bio: str) -> None:
    assert about_line({**ANN, "bio": bio}) == SAID


def test_a_bio_that_says_only_private_things_gives_no_line() -> None:
    bio = "Data lead. Email: ann(at)acme(dot)com"
    assert about_line({**ANN, "bio": bio}) == ""
    bio = "Freelance photographer; see ramosstudio dot com"
    assert (
        about_line({"name": "Carlos Eduardo Ramos", "organisation": "Ramos Studio", "bio": bio})
        == ""
    )


@pytest.mark.parametrize(
    ("bio", "line"),
    [
        (
            "I'm Ann (Lee to friends). I run the analytics guild.",
            "I'm Ann. I run the analytics guild.",
        ),
        ("I run the analytics guild (see annlee_data).", "I run the analytics guild."),
        (
            "I run the analytics guild [acmecorp], and love hiking.",
            "I run the analytics guild, and love hiking.",
        ),
    ],
)
def test_no_space_before_a_mark_and_no_empty_brackets(bio: str, line: str) -> None:
    assert about_line({**ANN, "bio": bio}) == line


@pytest.mark.parametrize(
    "bio",
    [
        "I work on signal processing and coach career changers.",
        "I spent 10 years in St Louis building data teams.",
        "Led 12 teams across 3 continents since 2015.",
        "Mentoring at 3 companies, 20 years in finance, love hiking.",
        "Formerly at Google and Meta; mentoring since 2019.",
        "I add value via 3 programs and visual aids.",
        "Data Engineering, 12 years, mostly in retail.",
        "I took first place in 2 hackathons last year.",
        "Mis clientes son startups de tecnología.",
    ],
)
def test_what_gives_nobody_away_stays(bio: str) -> None:
    assert about_line({**ANN, "bio": bio}) == bio
