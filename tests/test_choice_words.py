"""What a mentee's reply to a shortlist chooses when it is not a plain number or name:
negations, ranks and list items, numbers that count something, first names that are also
common words, the shortlist below an unmarked reply, and what only the admin can settle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.checkins.choice_words import COMMON_WORDS, own_part, read, read_choice

NAMES = ["Ann", "Bo", "Carla"]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # what follows a negation in its clause is ruled out
        ("Not Ann, Bo please", [1]),
        ("I don't want Ann. Bo", [1]),
        ("I'd rather not have 1, 3 please", [2]),
        ("I'd prefer Bo rather than Ann", [1]),
        ("No. 3", [2]),  # a number's sign, not a negation
        # a rank before a name: the name is the choice
        ("1) Bo", [1]),
        ("1st choice Bo", [1]),
        ("1st choice: Bo, 2nd choice: Ann", [1, 0]),
        ("Bo 1st choice, Ann 2nd choice", [1, 0]),
        ("1. Bo\n2. Ann", [1, 0]),
        ("1) Carla 2) Ann", [2, 0]),
        # numbers that count something, or are part of an offset
        ("Thanks! I have 2 questions first", []),
        ("I am in timezone UTC+2", []),
        ("GMT 3 here", []),
        ("3 of them look good, Bo", [1]),
        ("My top 3: Bo, Ann, Carla", [1, 0, 2]),
        ("2 please", [1]),
        ("2 then 1", [1, 0]),
        ("3 for me", [2]),
        ("I'd like 2 because of the time zone", [1]),
        ("We have 2 kids", []),
        ("the 2nd one", [1]),
        ("2.", [1]),
        ("２", [1]),
        # a name greeted or thanked is not chosen
        ("Thanks so much Ann for organising! I pick 2", [1]),
        # a negation after a name in its own clause rules it out
        ("Ann is not really in my sector, so Carla please", [2]),
        ("Ann isn't my area, Bo please", [1]),
        ("Ann n'est pas dans mon domaine, Bo s'il vous plaît", [1]),
        ("Ann no es de mi sector, Bo por favor", [1]),
        ("Ann ist nicht mein Bereich, lieber Bo", [1]),
        # a day of the month is not a choice
        ("Can we talk on the 2nd? I would like Carla.", [2]),
        ("Is the 3rd ok for a call? Bo", [1]),
        ("Free on the 1st afternoon, Bo please", [1]),
        # not negations
        ("Without doubt Bo", [1]),
        ("Without a doubt, Carla", [2]),
        ("Sans doute Bo", [1]),
        ("Sin duda Bo", [1]),
        ("Ohne Zweifel Bo", [1]),
        # numbers in words
        ("Two", [1]),
        ("Number two please", [1]),
        ("the first one", [0]),
        ("The last one", [2]),
        ("three then one", [2, 0]),
        ("Option three", [2]),
    ],
)
def test_what_a_reply_chooses(text: str, places: list[int]) -> None:
    found = read(text, NAMES)
    assert (found.places, found.ambiguous) == (places, ""), text


WORDY = ["Will", "Sunny", "May"]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("May I pick Sunny?", [1]),
        ("I will pick Sunny", [1]),
        ("Sure, I'll go with Will", [0]),
        ("May, please", [2]),
        ("Will you pair me with May?", [2]),
        ("may", []),
    ],
)
def test_a_name_that_is_a_common_word_counts_only_as_a_name(text: str, places: list[int]):
    assert read_choice(text, WORDY) == places, text


@pytest.mark.parametrize(
    "text",
    [
        "Ann and Bo both, I can't decide",
        "Either is fine",
        "No preference, any of them",
        "Not Ann. Actually Ann is fine",
        "Any is fine by me",
        "Ann or Bo, whichever is easier",
        "All three look great, happy with any",
        "I don't mind",
        "Me da igual",
        "Peu importe",
        "Ist mir egal",
        "Tanto faz",
        "Kein Unterschied, alle gut",
        "Either",
        "Ann please",  # two mentors share the name
    ],
)
def test_an_ambiguous_reply_is_not_recorded(text: str) -> None:
    names = ["Ann", "Bo", "Ann"] if text == "Ann please" else NAMES
    found = read(text, names)
    assert found.places == [] and found.ambiguous
    assert read_choice(text, names) is None


SHORTLIST = """Hello Quentin,

Thank you for signing up to Career Circle. Before we pair you, we'd like you to
choose. These mentors have room for a mentee and suit what you told us:

1. Ann
   "I coach career changers."
   Why: you share an interest in networking.

2. Bo
   Why: you share a language.

3. Carla
   Why: your time zones are close.

Reply with the number or the name of the mentor you would like.
"""


@pytest.mark.parametrize(
    ("reply", "places"),
    [
        ("Bo please\n\n" + SHORTLIST, [1]),
        ("\n" + SHORTLIST, []),
        ("Carla\n\n" + SHORTLIST.split("\n", 2)[2], [2]),  # no greeting: cut at the list
        ("Hello team, 3 please", [2]),  # a greeting of someone else stays
    ],
)
def test_the_shortlist_below_an_unmarked_reply_is_left_out(reply: str, places: list[int]):
    assert read(own_part(reply, "Quentin", NAMES), NAMES).places == places


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.sampled_from(["Not ", "I don't want ", "I'd rather not have ", "No ", "Anything but "]),
    st.sampled_from([", ", ". ", "\n", "; "]),
    st.sampled_from(NAMES),
)
def test_a_mentor_ruled_out_is_never_chosen(out, negation, mark, other) -> None:
    text = f"{negation}{out}{mark}{other} please"
    found = read(text, NAMES)
    assert NAMES.index(out) not in found.places, text


def test_common_words_include_the_names_that_fool_a_reader() -> None:
    assert {"may", "will", "grace", "joy", "bill", "mark"} <= COMMON_WORDS


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["", "Ann or Bo, ", "All three look great, ", "Bo! "]),
    st.sampled_from(
        [
            "any is fine",
            "whichever is easier",
            "I don't mind",
            "me da igual",
            "peu importe",
            "egal",
            "tanto faz",
            "either",
        ]
    ),
)
def test_an_undecided_reply_never_chooses(opening, undecided) -> None:
    found = read(opening + undecided, NAMES)
    assert found.places == [] and found.ambiguous, opening + undecided
