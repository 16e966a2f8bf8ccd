"""A mentee's choice goes with the pair it makes: the proposal put to the mentor and the pair
saved keep "chosen by the mentee (1st choice)", the mentor's ask says the mentee chose them
(in every language), and the story of a choice that did not work out is never saved or sent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from asks_support import ASKS, P, ask_text, imported, maildir, message_id, ok, proposals, reply
from helpers import PROGRAM, read_store
from messages_fixtures import outbox_files, parse_eml, store_path
from test_choice_scenario import choice_reply

CHOSEN = "chosen by the mentee (1st choice)"


def _chose(
    workspace: Path, cli, tmp_path: Path, wanted: dict[str, str], signups: str = ASKS
) -> Path:
    """Shortlists sent on 2026-03-02 (Ann's and Dee's list Meg, Bo's Raj and Lea); each
    mentee in ``wanted`` replies with a first name."""
    ws = imported(workspace, cli, signups)
    outbox = ws / PROGRAM / "outbox"
    ok(cli, "pair", "--shortlist", "3", "-w", ws, "--today", "2026-03-02")
    replies = []
    for n, (mentee, name) in enumerate(wanted.items(), 1):
        letter = parse_eml((outbox / f"shortlist-1-{P[mentee]}.eml").read_bytes())
        sender = f"{mentee.title()} <{mentee}@example.org>"
        replies.append(choice_reply(letter, sender, name, "gmail", n))
    box = maildir(tmp_path / "inbox", replies)
    done = ok(cli, "checkin", "--replies", box, "-w", ws, "--today", "2026-03-03")
    assert done["choices"] == len(wanted)
    return box


def _saved_text(ws: Path) -> str:
    """The store and every outbox file, as one text."""
    files = [p.read_text(encoding="utf-8", errors="replace") for p in outbox_files(ws)]
    return json.dumps(read_store(store_path(ws))) + "\n".join(files)


def test_the_choice_goes_into_the_proposal_the_ask_and_the_pair(
    workspace: Path, cli, tmp_path: Path
) -> None:
    box = _chose(workspace, cli, tmp_path, {"dee": "Meg", "bo": "Lea"})
    asked = ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", "2026-03-03")
    mine = [d for d in asked["asked"] if (d["mentee"], d["mentor"]) == (P["dee"], P["meg"])]
    assert mine, asked["asked"]
    (doc,) = [d for d in proposals(workspace).values() if d["mentee"] == P["dee"]]
    assert doc["reasons"][0] == CHOSEN and doc["reasons"].count(CHOSEN) == 1
    text = " ".join(ask_text(workspace, "meg").split())
    assert "Dee chose you from the mentors we suggested" in text
    assert "chosen by the mentee" not in text  # said in the message's own words, once
    others = [d for d in proposals(workspace).values() if d["mentee"] != P["dee"]]
    assert [d["mentee"] for d in others if CHOSEN in d["reasons"]] == [P["bo"]]
    assert "Ann chose" not in text
    # Meg says yes: the pair saved keeps the choice among its reasons.
    yes = reply("meg", message_id(workspace, "meg"), "yes to all", n=7, day=4)
    maildir(box, [yes])
    ok(cli, "checkin", "--replies", box, "-w", workspace, "--today", "2026-03-04")
    saved = {p["mentee"]: p for p in read_store(store_path(workspace))["pairs"].values()}
    assert saved[P["dee"]]["mentor"] == P["meg"]
    assert saved[P["dee"]]["reasons"][0] == CHOSEN
    everything = _saved_text(workspace)
    assert "not one of their choices" not in everything


def test_a_committed_pair_keeps_the_choice_and_only_the_choice(
    workspace: Path, cli, tmp_path: Path
) -> None:
    # Meg has one place; Ann and Dee both choose her: one gets her, the run tells the admin
    # what became of the other's choice, and that story is never saved.
    one = ASKS.replace("English,UTC,2,Acme", "English,UTC,1,Acme")
    _chose(workspace, cli, tmp_path, {"dee": "Meg", "ann": "Meg", "bo": "Lea"}, one)
    plan = ok(cli, "pair", "--commit", "-w", workspace, "--today", "2026-03-04")
    planned = {p["mentee"]: p for p in plan["pairs"]}
    assert planned[P["bo"]]["reasons"][0] == CHOSEN
    story = json.dumps([*plan["pairs"], *plan["unmatched"]])
    assert "chose Meg (P1): Meg's places went to mentees who match Meg better" in story
    saved = {p["mentee"]: p for p in read_store(store_path(workspace))["pairs"].values()}
    assert len(saved) == len(plan["pairs"]) >= 2
    for p in plan["pairs"]:
        kept = saved[p["mentee"]]["reasons"]
        assert (kept[:1] == [CHOSEN]) == (p["reasons"][0] == CHOSEN), p
        assert not [r for r in kept if "choices" in r or r.startswith("chose ")], kept
    assert "chose Meg" not in _saved_text(workspace)


ASKED_WORDS = {
    "en": "Lia chose you from the mentors we suggested",
    "fr": "Lia a porté son choix sur vous parmi nos suggestions",
    "es": "Lia te eligió entre nuestras sugerencias",
    "de": "Lia hat dich aus unseren Vorschlägen ausgewählt",
    "pt": "Lia escolheu você entre as nossas sugestões",
}


@pytest.mark.parametrize("language", sorted(ASKED_WORDS))
def test_the_ask_says_who_chose_the_mentor_in_every_language(tmp_path: Path, language: str) -> None:
    from test_languages import _leftover_english

    from mentorctl.mail import languages, messages
    from mentorctl.programs.catalogue import init_program
    from mentorctl.programs.program import load_program

    init_program("Cercle", "career", root=tmp_path, today=dt.date(2026, 2, 20),
                 language=language)  # fmt: skip
    program = load_program(tmp_path / "cercle" / "program.yaml")
    templates = languages.Templates(program, program.dir / "messages")
    mentor = messages.person_context({"id": "P1", "name": "Marc Dubois", "email": "m@x.org"})
    context = templates.contexts.waiting(mentor)
    listed = [
        {"number": 1, "first_name": "Lia", "goals": [], "reasons": [], "chose_you": True},
        {"number": 2, "first_name": "Noa", "goals": [], "reasons": [], "chose_you": False},
    ]
    context.update(mentee=None, mentor=mentor, next_step=None, mentees=listed, ask=1)
    rendered = templates.render("mentor_ask", context, pair_id="")
    text = " ".join(rendered.text.split())
    assert ASKED_WORDS[language] in text
    assert "Noa" in text and text.count("Lia") == 2  # said of Lia only
    if language != "en":
        assert not _leftover_english(text, ("Marc", "Lia", "Noa", "Cercle")), text
