"""How a mentor's reply is read when it is not a plain list: idioms that look like a no,
negations that govern a verb, list markers, and choices among mentees that only the admin
can settle (read_answer)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.checkins.mentor_words import read_answer
from mentorctl.checkins.reply_values import read_yes_no

TWO = ["Ana", "Ben"]
ONE = ["Ana"]
THREE = ["Ana", "Ben", "Cleo"]
FOUR = ["Ana", "Ben", "Cleo", "Dan"]


@pytest.mark.parametrize(
    ("text", "names", "said", "unclear"),
    [
        # idioms built of a negation say yes
        ("Can't wait to meet both of them!", TWO, {1: "yes", 2: "yes"}, []),
        ("Can't wait!", ONE, {1: "yes"}, []),
        ("I don't mind taking both", TWO, {1: "yes", 2: "yes"}, []),
        ("No objection to Ben. Ana no.", TWO, {1: "no", 2: "yes"}, []),
        ("No problem with both", TWO, {1: "yes", 2: "yes"}, []),
        ("Sure, not a problem", ONE, {1: "yes"}, []),
        ("I can't wait to start with Ana and Ben", TWO, {1: "yes", 2: "yes"}, []),
        # list markers
        ("1) no 2) yes", TWO, {1: "no", 2: "yes"}, []),
        ("1. no 2. yes", TWO, {1: "no", 2: "yes"}, []),
        ("No to 1. 2 is fine", TWO, {1: "no", 2: "yes"}, []),
        # a negation governs the verb it negates
        ("I won't be able to take Ana, Ben yes", TWO, {1: "no", 2: "yes"}, []),
        ("Ana - absolutely not", TWO, {1: "no"}, []),
        ("I'm not going to be able to mentor Ben, but yes to Ana", TWO, {1: "yes", 2: "no"}, []),
        # a choice among several is the admin's to settle
        ("Ana is great but I can only take one: Ben", TWO, {}, [1, 2]),
        ("I can take either but not both", TWO, {}, [1, 2]),
        ("I can't take both, only Ana", TWO, {}, [1, 2]),
        ("I can only take 1", TWO, {}, [1, 2]),
        ("Happy to take one of them", TWO, {}, [1, 2]),
        ("Ich kann nur einen nehmen", TWO, {}, [1, 2]),
        # a no to everyone is not a choice
        ("Unfortunately I have no time for either of them", TWO, {1: "no", 2: "no"}, []),
        # a "not" or "no" that describes a mentee is no answer about them
        ("Ben has no experience in Python but happy to mentor him", TWO, {}, [2]),
        ("Ben is not a beginner, happy to take him", TWO, {}, [2]),
        ("Ana seems not ready, Ben yes", TWO, {2: "yes"}, [1]),
        ("Happy to take Ana, no idea about Ben yet", TWO, {1: "yes"}, [2]),
        ("No rush on my side, yes to both", TWO, {1: "yes", 2: "yes"}, []),
        ("I have no capacity for Ben, Ana yes", TWO, {1: "yes", 2: "no"}, []),
        # a yes and a no for the one mentee asked
        ("Unfortunately yes I'm too busy", ONE, {}, [1]),
        ("I'm afraid not", ONE, {1: "no"}, []),
        # "all but" one mentee: that one is a no, the others a yes
        ("Yes to all but the fourth, sorry", FOUR, {1: "yes", 2: "yes", 3: "yes", 4: "no"}, []),
        ("Yes to all but Cleo", THREE, {1: "yes", 2: "yes", 3: "no"}, []),
        ("Yes to all except 2", THREE, {1: "yes", 2: "no", 3: "yes"}, []),
        ("Happy to take them all apart from Ben", THREE, {1: "yes", 2: "no", 3: "yes"}, []),
        ("Yes to all but maybe Cleo", THREE, {}, [1, 2, 3]),
        # a count below the number asked is a choice
        ("I can only take two of them, you pick", THREE, {}, [1, 2, 3]),
        ("I could take 2 of them", THREE, {}, [1, 2, 3]),
        ("Happy to take a couple", THREE, {}, [1, 2, 3]),
        # a "not" takes the name after it only
        ("Quentin, not Ximena", ["Quentin", "Ximena"], {1: "yes", 2: "no"}, []),
        # not sure is not a no
        ("Happy to take Ana. Ben I'm not so sure about.", TWO, {1: "yes"}, [2]),
        # "no conflict" says yes
        (
            "Ben works in my old team, so no conflict - yes to him. Ana yes.",
            TWO,
            {1: "yes", 2: "yes"},
            [],
        ),
        # talking is not taking
        (
            "Thanks for asking! I'll take Ana. Happy to talk about Ben by phone.",
            TWO,
            {1: "yes"},
            [2],
        ),
    ],
)
def test_replies_that_are_easy_to_misread(
    text: str, names: list[str], said: dict, unclear: list
) -> None:
    found = read_answer(text, names)
    assert (found.said, found.unclear) == (said, unclear), text


# Words and marks with no yes in them (nor the words of a yes-idiom: "wait", "mind",
# "objection", "problem"), for replies that must never be read as a yes.
NOT_YES = [
    "Ana",
    "Ben",
    "1",
    "2",
    "3",
    "no",
    "not",
    "can't",
    "won't",
    "cannot",
    "unable",
    "decline",
    "sorry",
    "none",
    "neither",
    "nope",
    "the",
    "to",
    "for",
    "i",
    "can",
    "will",
    "this",
    "time",
    "week",
    "both",
    "only",
    "one",
    "either",
    "maybe",
    "thanks",
    "and",
    "but",
    "hours",
    "it's",
    "pas",
    "nicht",
    "non",
    "nein",
    "não",
]
MARKS = [" ", " ", ", ", ". ", "! ", "; ", ": ", " - ", "\n", " 1) ", " 2. "]


def test_the_vocabulary_has_no_yes_word() -> None:
    assert all((read_yes_no(w) or ("",))[0] != "yes" for w in NOT_YES)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(NOT_YES), st.sampled_from(MARKS)), max_size=12),
    st.sampled_from([ONE, TWO, ["Ana", "Ben", "Cy"]]),
)
def test_a_reply_without_a_yes_word_is_never_a_yes(words, names) -> None:
    text = "".join(w + m for w, m in words)
    found = read_answer(text, names)
    assert "yes" not in found.said.values(), text


ASK = """Hello Lucía,

We would like to pair you with 2 mentees in Career Circle. Would you
mentor them?

1. Ana, who would like to work on Career change
2. Ben, who would like to work on Job search

Reply yes or no for each, for example "1 yes, 2 no" or "yes to all".
"""


@pytest.mark.parametrize(
    ("reply", "said", "unclear"),
    [
        ("Sorry, I can't this time.\n\n" + ASK, {}, []),
        ("Yes to both!\n\n" + ASK, {1: "yes", 2: "yes"}, []),
        ("Thanks!\n1. Ana yes\n2. Ben no", {1: "yes", 2: "no"}, []),
        ("Hi team,\n1 yes 2 no", {1: "yes", 2: "no"}, []),
    ],
)
def test_the_ask_below_an_unmarked_reply_is_not_read(reply: str, said: dict, unclear: list):
    found = read_answer(reply, TWO)
    assert (found.said, found.unclear) == (said, unclear)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["but", "except", "except for", "apart from", "other than"]),
    st.integers(1, 3),
    st.sampled_from(["name", "number", "ordinal"]),
    st.sampled_from(["Yes to all", "Happy to take them all", "All fine"]),
)
def test_all_but_one_is_a_no_for_that_one_only(but, left, form, opening) -> None:
    named = {"name": THREE[left - 1], "number": str(left)}
    named["ordinal"] = "the " + ["first", "second", "third"][left - 1]
    text = f"{opening} {but} {named[form]}, sorry"
    found = read_answer(text, THREE)
    expected = {n: ("no" if n == left else "yes") for n in (1, 2, 3)}
    assert (found.said, found.unclear) == (expected, []), text
