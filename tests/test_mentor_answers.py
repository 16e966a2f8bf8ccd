"""Mentors' answers to pair --ask-mentors, read by checkin --replies from a real Maildir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from asks_support import (
    DAY,
    P,
    ask_text,
    imported,
    maildir,
    message_id,
    ok,
    person,
    proposals,
    quoted,
    reply,
    table,
    to_mentees,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import store_path

from mentorctl.checkins.mentor_words import read_answer

GMAIL = "On Mon, 2 Mar 2026 at 09:00, Career Mentoring Team <mentoring@example.org> wrote:"
APPLE = "On 4 Mar 2026, at 09:00, Career Mentoring Team <mentoring@example.org> wrote:"
OUTLOOK = (
    "________________________________\n"
    "From: Career Mentoring Team <mentoring@example.org>\n"
    "Sent: Monday, March 2, 2026 9:00 AM\n"
    "To: Raj Mentorsson <raj@example.org>\n"
    "Subject: Test Program: would you mentor them?\n"
)


@pytest.fixture
def asked(workspace: Path, cli) -> Path:
    imported(workspace, cli)
    ok(cli, "pair", "--ask-mentors", "-w", workspace, "--today", DAY)
    return workspace


def read(cli, workspace: Path, box: Path, day: str = "2026-03-03", *more: str) -> dict:
    return ok(cli, "checkin", "--replies", box, "-w", workspace, "--today", day, *more)


def answers(data: dict) -> set[tuple]:
    return {(r["mentor"], r["proposal"], r["answer"], r["pair"]) for r in data["mentor_answers"]}


def test_a_no_replans_the_mentee_and_no_mentee_is_told_who(asked: Path, cli, tmp_path) -> None:
    ws = asked
    meg = reply("meg", message_id(ws, "meg"), "Happy to take Ann. I can't take Dee, sorry\n\n"
                "Sent from my iPhone", n=1, quote=quoted(ask_text(ws, "meg"), GMAIL))  # fmt: skip
    raj = reply("raj", message_id(ws, "raj"), "No, sorry - I'm travelling all month.", n=2,
                quote=OUTLOOK + "\n" + ask_text(ws, "raj"))  # fmt: skip
    box = maildir(tmp_path / "inbox", [meg, raj])
    data = read(cli, ws, box)
    assert answers(data) == {
        (P["meg"], "Q1", "yes", "M1"), (P["meg"], "Q2", "no", None), (P["raj"], "Q3", "no", None),
    }  # fmt: skip
    assert data["answers"] == {"new": 0, "updated": 0, "unchanged": 0}  # no check-in answer
    assert data["listed"] == []
    (pair,) = table(ws, "pairs")
    assert (pair["id"], pair["mentee"], pair["mentor"], pair["status"], pair["round"]) == (
        "M1",
        P["ann"],
        P["meg"],
        "proposed",
        1,
    )
    assert pair["history"][0]["by"] == "mentor"
    declined = [e for e in person(ws, P["dee"])["history"] if e["event"] == "declined_by"]
    assert [e["mentor"] for e in declined] == [P["meg"]]
    # the next run plans Bo with Lea, and Dee without Meg although Meg has a place free
    plan = ok(cli, "pair", "-w", ws, "--today", "2026-03-04")
    assert {(p["mentee"], p["mentor"]) for p in plan["pairs"]} == {(P["bo"], P["lea"])}
    assert plan["totals"]["free_slots_after"] == 2 and P["dee"] in {  # Meg and Raj
        u["mentee"] for u in plan["unmatched"]
    }
    ok(cli, "pair", "--ask-mentors", "-w", ws, "--today", "2026-03-04")
    assert "1. Bo" in ask_text(ws, "lea")
    lea = reply("lea", message_id(ws, "lea"), "Yes!", n=3, day=4,
                quote=quoted(ask_text(ws, "lea"), APPLE))  # fmt: skip
    maildir(box, [lea])
    later = read(cli, ws, box, "2026-03-04")
    assert answers(later) == {(P["lea"], "Q4", "yes", "M2")} and later["already"] == 2
    # everything a mentee can receive: introduction, waiting notice, week 1
    ok(cli, "pair", "--commit", "--notify-waiting", "-w", ws, "--today", "2026-03-04")
    ok(cli, "introduce", "-w", ws, "--today", "2026-03-04")
    ok(cli, "checkin", "-w", ws, "--today", "2026-03-11")
    got = to_mentees(ws)
    assert {name for name, _ in got} >= {"waiting-P6.eml", "M1-intro.eml", "M2-intro.eml"}
    for name, text in got:
        assert "Raj" not in text and "declin" not in text.lower(), name
        if "P6" in name:
            assert "Meg" not in text, name
    # the admin sees who declined; the mentee's own export does not say
    shown = cli("people", "show", P["dee"], "-w", ws, "--today", "2026-03-04")
    assert "Declined by" in shown.stdout and P["meg"] in shown.stdout
    export = ok(cli, "export-person", "dee@example.org", "-w", ws)
    assert f'"{P["meg"]}"' not in json.dumps([export["person"]["history"], export["proposals"]])
    assert "declin" not in json.dumps(export)
    assert [(d["mentor"], d["outcome"]) for d in export["proposals"]] == [
        ("[withheld]", "not paired")
    ]


def test_a_partial_answer_then_the_rest(asked: Path, cli, tmp_path) -> None:
    ws = asked
    box = maildir(tmp_path / "inbox", [reply("meg", message_id(ws, "meg"), "1 yes", n=1)])
    data = read(cli, ws, box)
    assert answers(data) == {(P["meg"], "Q1", "yes", "M1")}
    assert [(x["person"], x["status"], x["detail"]) for x in data["listed"]] == [
        (P["meg"], "mentor_answer", f"Q2 ({P['dee']}): no answer yet")
    ]
    assert proposals(ws)["Q2"]["answer"] is None
    # read again: nothing twice
    again = read(cli, ws, box)
    assert again["mentor_answers"] == [] and again["already"] == 1
    assert len(table(ws, "pairs")) == 1
    # the rest, later; a change of mind about Ann is listed, not applied
    maildir(box, [reply("meg", message_id(ws, "meg"), "2: no. And 1 no, sorry", n=2, day=5)])
    later = read(cli, ws, box, "2026-03-05")
    assert answers(later) == {(P["meg"], "Q2", "no", None), (P["meg"], "Q1", "no", None)}
    assert [x["detail"] for x in later["listed"]] == [
        f"Q1 ({P['ann']}): already yes: not changed (end a pair with 'pair --end')"
    ]
    assert table(ws, "pairs")[0]["status"] == "proposed"
    assert proposals(ws)["Q1"]["answer"] == "yes" and proposals(ws)["Q2"]["answer"] == "no"


def test_strangers_and_unclear_answers_are_left_to_the_admin(asked: Path, cli, tmp_path) -> None:
    ws = asked
    box = maildir(
        tmp_path / "inbox",
        [
            reply("raj", message_id(ws, "meg"), "Yes to both", n=1),  # not his message
            reply("eve@elsewhere.example", message_id(ws, "meg"), "yes to all", n=2),
            reply("meg", message_id(ws, "meg"), "Thanks! Let me think about it.", n=3),
            reply("raj", message_id(ws, "raj"), "Maybe Bo?", n=4),
        ],
    )
    before = proposals(ws)
    data = read(cli, ws, box)
    assert data["strangers"] == 2 and data["mentor_answers"][0]["answer"] is None
    assert proposals(ws) == before and table(ws, "pairs") == []
    listed = {(x["person"], x["status"]) for x in data["listed"]}
    assert (P["meg"], "mentor_unclear") in listed and (P["raj"], "mentor_answer") in listed
    assert sum(1 for x in data["listed"] if x["status"] == "stranger") == 2
    text = cli("checkin", "--replies", box, "-w", ws, "--today", "2026-03-03", "--dry-run")
    assert "eve@elsewhere" not in text.output and "Let me think" not in text.output
    again = read(cli, ws, box)
    assert again["seen_before"] == 4 and again["listed"] == []


def test_dry_run_writes_nothing(asked: Path, cli, tmp_path) -> None:
    ws = asked
    box = maildir(tmp_path / "inbox", [reply("raj", message_id(ws, "raj"), "yes", n=1)])
    before = store_path(ws).read_bytes()
    data = read(cli, ws, box, "2026-03-03", "--dry-run")
    assert answers(data) == {(P["raj"], "Q3", "yes", "M1")}
    assert store_path(ws).read_bytes() == before
    assert answers(read(cli, ws, box)) == {(P["raj"], "Q3", "yes", "M1")}


# -- reading the words ----------------------------------------------------------------------

TWO = ["Ana", "Ben"]


@pytest.mark.parametrize(
    ("text", "names", "said", "unclear"),
    [
        ("1 yes 2 no", TWO, {1: "yes", 2: "no"}, []),
        ("1: yes, 2: no", TWO, {1: "yes", 2: "no"}, []),
        ("1. Yes\n2. No", TWO, {1: "yes", 2: "no"}, []),
        ("Yes to both", TWO, {1: "yes", 2: "yes"}, []),
        ("yes for Ana, no for Ben", TWO, {1: "yes", 2: "no"}, []),
        ("Happy to take Ana. I can't take Ben, sorry", TWO, {1: "yes", 2: "no"}, []),
        ("Yes", ["Ana"], {1: "yes"}, []),
        ("Yes", TWO, {}, []),
        ("Yes to Ana. Ben?", TWO, {1: "yes"}, [2]),
        ("Not sure about 2, yes to 1", TWO, {1: "yes"}, [2]),
        ("I can do 2 hours a week. Yes to Ana", TWO, {1: "yes"}, []),
        ("Sorry, none this time", TWO, {1: "no", 2: "no"}, []),
        ("Yes to 1 and 3, no to 2", ["Ana", "Ben", "Cy"], {1: "yes", 2: "no", 3: "yes"}, []),
        ("1 ja 2 nein", TWO, {1: "yes", 2: "no"}, []),
        ("Ana nehme ich gerne, Ben kann ich leider nicht nehmen", TWO, {1: "yes", 2: "no"}, []),
        ("oui pour Ana, non pour Ben", TWO, {1: "yes", 2: "no"}, []),
        ("Je ne peux pas prendre Ben, mais oui pour Ana", TWO, {1: "yes", 2: "no"}, []),
        ("sí a los dos", TWO, {1: "yes", 2: "yes"}, []),
        ("1 sim, 2 não", TWO, {1: "yes", 2: "no"}, []),
        ("Ana y Ben: sí", TWO, {1: "yes", 2: "yes"}, []),
        ("yes to Ana", ["Ana", "Ana"], {}, []),  # a name two mentees share names neither
        ("Sorry, I can't take anyone right now", TWO, {1: "no", 2: "no"}, []),
        ("Avec plaisir pour les deux", TWO, {1: "yes", 2: "yes"}, []),
        ("Yes! Though I can only do 2 hours a week", TWO, {}, []),
        ("I'm happy to take Ana, Ben not so much", TWO, {1: "yes", 2: "no"}, []),
        ("I'd love to! Can't do Mondays though.", ["Ana"], {}, [1]),
    ],
)
def test_words_of_an_answer(text: str, names: list[str], said: dict, unclear: list) -> None:
    found = read_answer(text, names)
    assert (found.said, found.unclear) == (said, unclear)


FORMS = [
    lambda n, name, v: f"{n} {v}",
    lambda n, name, v: f"{name}: {v}",
    lambda n, name, v: f"{v} for {name}",
    lambda n, name, v: f"{n}. {v.title()}",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["yes", "no"]), min_size=1, max_size=5),
    st.sampled_from(range(len(FORMS))),
    st.sampled_from([", ", "\n", "; "]),
)
def test_every_mentee_answered_in_a_list_is_read(values: list[str], form: int, sep: str) -> None:
    names = ["Ana", "Ben", "Chidi", "Dana", "Emil"][: len(values)]
    text = sep.join(
        FORMS[form](n, name, v) for n, (name, v) in enumerate(zip(names, values, strict=True), 1)
    )
    found = read_answer(text, names)
    assert found.said == dict(enumerate(values, 1)) and found.unclear == [], text


def test_answers_typed_under_each_quoted_mentee(asked: Path, cli, tmp_path) -> None:
    ws = asked
    lines = ask_text(ws, "meg").splitlines()[1:]  # the body, as Thunderbird quotes it
    two = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Please reply"))
    body = "\n".join(
        [THUNDERBIRD, ""]
        + ["> " + line for line in lines[:two]]
        + ["", "Yes, gladly!", ""]
        + ["> " + line for line in lines[two:end]]
        + ["", "Sorry, not this time.", ""]
        + ["> " + line for line in lines[end:]]
        + ["", "-- ", "Meg"]
    )
    box = maildir(tmp_path / "inbox", [reply("meg", message_id(ws, "meg"), body, n=1)])
    data = read(cli, ws, box)
    assert answers(data) == {(P["meg"], "Q1", "yes", "M1"), (P["meg"], "Q2", "no", None)}


THUNDERBIRD = "On 02/03/2026 09:00, Career Mentoring Team wrote:"


def test_a_shortlist_leaves_out_held_mentees_and_mentors_who_declined(
    asked: Path, cli, tmp_path
) -> None:
    ws = asked
    box = maildir(tmp_path / "inbox", [reply("raj", message_id(ws, "raj"), "No, sorry", n=1)])
    assert answers(read(cli, ws, box)) == {(P["raj"], "Q3", "no", None)}
    offered = ok(cli, "pair", "--shortlist", "3", "-w", ws, "--today", "2026-03-04")
    lists = {s["mentee"]: [m["id"] for m in s["mentors"]] for s in offered["shortlists"]}
    assert P["ann"] not in lists and P["dee"] not in lists  # Meg's answer about them waits
    assert P["raj"] not in lists[P["bo"]] and P["lea"] in lists[P["bo"]]


def test_an_answer_about_a_withdrawn_proposal_is_not_recorded(asked: Path, cli, tmp_path) -> None:
    ws = asked
    ok(cli, "pair", "--withdraw-ask", "Q3", "-w", ws, "--today", DAY)
    box = maildir(tmp_path / "inbox", [reply("raj", message_id(ws, "raj"), "Yes", n=1)])
    data = read(cli, ws, box)
    assert [x["detail"] for x in data["listed"]] == [
        f"Q3 ({P['bo']}): no longer asked (withdrawn): not recorded"
    ]
    assert table(ws, "pairs") == [] and proposals(ws)["Q3"]["answer"] == "withdrawn"


def test_message_ids_are_neutral_and_old_ones_still_match(asked: Path, cli, tmp_path) -> None:
    ws = asked
    new = message_id(ws, "raj")
    assert ".program.mentor_ask1." in new and "waiting" not in new
    # a store from before: Raj's ask was recorded under the older spelling
    path = store_path(ws)
    data = json.loads(path.read_text("utf-8"))
    old = new.replace(".program.", ".waiting.")
    for doc in data["messages"].values():
        if doc.get("message_id") == new:
            doc["message_id"] = old
    path.write_text(json.dumps(data), "utf-8")
    box = maildir(tmp_path / "inbox", [reply("raj", old, "Yes, happy to.", n=1)])
    assert answers(read(cli, ws, box)) == {(P["raj"], "Q3", "yes", "M1")}
