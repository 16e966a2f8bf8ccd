"""How a circle's member pairs end by the admin's hand, a block, a "no" or forget: the circle
is brought up to date at once; the mentee who leaves gets a circle's farewell, not a pair's
"ended"; a co-mentor takes over a circle whose lead leaves; forget leaves nobody's id in a
circle; the report counts a co-mentor who has not answered the circle's meeting."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from helpers import PROGRAM, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import pairs, table
from test_circle_lifecycle import (
    ROWS,
    SECRET,
    SPARE,
    _bodies,
    _circle_row,
    _csv,
    _ids,
    _run,
    _weekly_to,
)


def _introduced(workspace: Path, cli, rows: list, settings: str) -> dict:
    """A circles program of ``rows`` with ``settings`` under ``circles:``, its circle saved
    and introduced on 2026-03-02."""
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    extra = "format: circles\ncircles:\n  size: [3, 5]\n" + settings
    program.write_text(text + extra, encoding="utf-8")
    _run(cli, workspace, "import-signups", write_csv(workspace / "c.csv", _csv(rows)))
    _run(cli, workspace, "pair", "--commit", "--today", "2026-03-02")
    _run(cli, workspace, "introduce", "--today", "2026-03-02")
    (doc,) = table(workspace, "circles")
    assert len(doc["mentees"]) == 4 and doc["min_size"] == 3
    return doc


@pytest.fixture
def circle(workspace: Path, cli) -> dict:
    """One circle of Ann and four mentees who read four languages."""
    return _introduced(workspace, cli, ROWS, "")


def _pair_of(workspace: Path, mentee: str) -> dict:
    return next(p for p in pairs(workspace).values() if p["mentee"] == mentee)


def test_ended_by_the_admin_or_a_block_the_circle_changes_at_once_and_the_mentee_is_told_kindly(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    cid = _pair_of(workspace, ids["ae1"])["id"]
    _run(cli, workspace, "pair", "--end", cid, "--reason", SECRET, "--today", "2026-03-10")
    # At once, with no checkin run in between: Cid has left; the circle goes on with three.
    (doc,) = table(workspace, "circles")
    (entry,) = doc["history"]
    assert entry["left"] == ids["ae1"] and entry["why"] == "ended"
    assert entry["at"].startswith("2026-03-10") and sorted(entry["notify"]) == sorted(
        [mentor, ids["ae1"]]
    )
    # Ann blocks Dov: two mentees stay, fewer than three: the circle closes at once.
    blocked = _run(cli, workspace, "block", mentor, ids["ae2"], "--reason", SECRET,
                   "--today", "2026-03-11")  # fmt: skip
    assert f"Circle {circle['id']} closed: fewer than 3 mentees stayed" in blocked.output
    (doc,) = table(workspace, "circles")
    assert [e.get("left") or e.get("status") for e in doc["history"]] == [
        ids["ae1"], ids["ae2"], "closed"
    ]  # fmt: skip
    assert _circle_row(cli, workspace, "2026-03-11")["status"] == "closed"
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")  # cron again: nothing twice
    farewell = _bodies(workspace, "circle_farewell")
    assert sorted(farewell) == sorted([ids["ae1"], ids["ae2"]])
    assert all(len(v) == 1 for v in farewell.values()), farewell
    (to_cid,) = farewell[ids["ae1"]]  # in French; ended by the admin: not back on the list
    assert "Votre place dans votre cercle" in to_cid and "liste d'attente" not in to_cid
    (to_dov,) = farewell[ids["ae2"]]  # in Spanish; after a block: back on the list at once
    assert "Tu lugar en tu círculo" in to_dov and "lista de espera" in to_dov
    for text in (to_cid, to_dov):
        assert SECRET not in text and "pair" not in text.lower()
    # Nobody of the circle gets a pair's "ended" message: each gets their circle's notice.
    assert not _bodies(workspace, "ended")
    # It closed before the run that would have told Ann of Cid: its closing alone tells her.
    assert not _bodies(workspace, "circle_left")
    closed = _bodies(workspace, "circle_closed")
    assert sorted(closed) == sorted([mentor, ids["ae0"], ids["ae3"]])


def test_a_mentee_who_says_no_leaves_with_a_farewell_in_their_language(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    eli = _pair_of(workspace, ids["ae3"])
    _run(cli, workspace, "checkin", "--record", eli["id"], "--person", ids["ae3"], "--week", "2",
         "-a", "fit=no", "--today", "2026-03-10")  # fmt: skip
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    (to_eli,) = _bodies(workspace, "circle_farewell")[ids["ae3"]]  # in Portuguese
    assert "A sua participação no seu círculo" in to_eli and "lista de espera" in to_eli
    assert ids["ae3"] not in _bodies(workspace, "ended")
    assert ids["ae3"] not in _weekly_to(workspace, "2026-03-16")


@pytest.fixture
def co_led(workspace: Path, cli) -> dict:
    """One circle of four mentees led by one mentor, the other its co-mentor; introduced on
    2026-03-02, its first weekly messages on 2026-03-09."""
    doc = _introduced(workspace, cli, [*ROWS, SPARE], "  co_mentors: true\n")
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    assert len(doc["mentors"]) == 2
    return doc


def test_the_co_mentor_takes_over_when_the_lead_leaves(workspace: Path, cli, co_led: dict) -> None:
    ids = _ids(workspace)
    lead, co = co_led["mentors"]
    names = {ids["am"]: "Ann", ids["zm"]: "Zoe"}
    mentees = [ids[k] for k in ("ae0", "ae1", "ae2", "ae3")]
    before = _circle_row(cli, workspace, "2026-03-09")
    assert before["meeting_people"] == 6  # four mentees, the mentor and the co-mentor
    result = _run(cli, workspace, "withdraw", lead, "--reason", SECRET, "--today", "2026-03-10")
    assert f"Circle {co_led['id']}: its mentor left; co-mentor {co} leads it now" in result.output
    assert f"Circle {co_led['id']} closed" not in result.output
    after = {p["mentee"]: p for p in pairs(workspace).values()}
    assert {after[m]["mentor"] for m in mentees} == {co}
    assert {after[m]["status"] for m in mentees} == {"active"}
    assert all("leads the circle now" in after[m]["history"][-1]["note"] for m in mentees)
    (doc,) = table(workspace, "circles")
    assert doc["mentors"] == [co]
    (entry,) = doc["history"]
    assert (entry["lead"], entry["was"], entry["why"]) == (co, lead, "its mentor left")
    assert sorted(entry["notify"]) == sorted([lead, co, *mentees])  # the lead: a farewell
    assert SECRET not in json.dumps(doc)
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    told = _bodies(workspace, "circle_handover")
    assert sorted(told) == sorted([co, *mentees]) and all(len(v) == 1 for v in told.values())
    (to_bea,) = told[ids["ae0"]]  # in German
    assert f"{names[co]}, bisher Co-Mentor/in, leitet ihn ab jetzt" in to_bea
    assert names[lead] not in to_bea and SECRET not in to_bea
    (to_co,) = told[co]
    assert "from now on you lead the circle" in to_co
    assert not _bodies(workspace, "ended") and not _bodies(workspace, "circle_closed")
    # The circle goes on: each member gets one message a week, the new lead one for it all.
    week = [m for m in table(workspace, "messages") if m["kind"] == "weekly"]
    week = [p for m in week if m["created"].startswith("2026-03-16") for p in m["to"]]
    assert sorted(week) == sorted([co, *mentees])
    # Each day as it stood: the lead named before, the co-mentor after.
    assert _circle_row(cli, workspace, "2026-03-09") == before
    row = _circle_row(cli, workspace, "2026-03-16")
    assert row["status"] == "running" and row["running"] == 4 and row["meeting_people"] == 5
    assert names[co] in row["mentor"] and names[lead] not in row["mentor"]
    shown = {
        day: json.loads(_run(cli, workspace, "pairs", "show", co_led["id"], "--json", "--today",
                             day).stdout)
        for day in ("2026-03-09", "2026-03-16")
    }  # fmt: skip
    assert [m["id"] for m in shown["2026-03-09"]["mentors"]] == [lead, co]
    assert [m["id"] for m in shown["2026-03-16"]["mentors"]] == [co]
    assert "taken over" in [h["event"] for h in shown["2026-03-16"]["history"]]
    member = _pair_of(workspace, ids["ae0"])["id"]
    meeting = json.loads(_run(cli, workspace, "pairs", "show", member, "--json", "--today",
                              "2026-03-09").stdout)["circle_meeting"]  # fmt: skip
    assert (meeting["accepted"], meeting["people"]) == (0, 6)
    # Forgetting the lead who left leaves no trace of them in the circle; past days count alike.
    address = f"{'am' if lead == ids['am'] else 'zm'}@example.org"
    _run(cli, workspace, "forget", address, "--yes", "--today", "2026-03-17")
    (doc,) = table(workspace, "circles")
    assert lead not in json.dumps(doc) and doc["history"][0]["was"] == "forgotten"
    assert _circle_row(cli, workspace, "2026-03-09")["meeting_people"] == 6


def test_a_co_mentor_who_leaves_is_out_of_the_circle_and_no_heir(
    workspace: Path, cli, co_led: dict
) -> None:
    ids = _ids(workspace)
    lead, co = co_led["mentors"]
    mentees = [ids[k] for k in ("ae0", "ae1", "ae2", "ae3")]
    result = _run(cli, workspace, "withdraw", co, "--today", "2026-03-10")
    assert "Circle" not in result.output  # the circle goes on with its lead, untouched
    (doc,) = table(workspace, "circles")
    assert [(e["co_left"], e["at"][:10]) for e in doc["history"]] == [(co, "2026-03-10")]
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    assert sorted(_weekly_to(workspace, "2026-03-16")) == sorted([lead, *mentees])
    assert _circle_row(cli, workspace, "2026-03-09")["meeting_people"] == 6
    assert _circle_row(cli, workspace, "2026-03-16")["meeting_people"] == 5
    # Its lead leaving now closes it: the co-mentor who left takes nothing over.
    result = _run(cli, workspace, "withdraw", lead, "--today", "2026-03-17")
    assert f"Circle {co_led['id']} closed: its mentor left" in result.output


def test_forget_settles_the_circle_and_leaves_no_id_in_it(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    cid, dov = ids["ae1"], ids["ae2"]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    drawn = {"2026-03-09": _circle_row(cli, workspace, "2026-03-09")}
    # Cid is forgotten while in the circle: he leaves it at once; three stay, it goes on.
    result = _run(cli, workspace, "forget", "ae1@example.org", "--yes", "--today", "2026-03-10")
    assert "Circle" not in result.output
    _run(cli, workspace, "checkin", "--today", "2026-03-10")  # Ann is told, while it goes on
    (left,) = _bodies(workspace, "circle_left")[mentor]  # names nobody
    assert "One of the mentees has left your circle" in left and "your partner" not in left
    assert "goes on with 3 mentees" in left
    drawn["2026-03-10"] = _circle_row(cli, workspace, "2026-03-10")
    assert drawn["2026-03-10"]["running"] == 3
    # Then Dov: two stay, fewer than three: it closes at once.
    result = _run(cli, workspace, "forget", "ae2@example.org", "--yes", "--today", "2026-03-11")
    assert f"Circle {circle['id']} closed: fewer than 3 mentees stayed" in result.output
    (doc,) = table(workspace, "circles")
    text = json.dumps(doc)
    assert cid not in text and dov not in text
    assert len(doc["mentees"]) == 4 and doc["mentees"].count("forgotten") == 2
    kinds = [e.get("left") or e.get("status") for e in doc["history"]]
    assert kinds == ["forgotten", "forgotten", "closed"]
    # Every past day's figures are what they were.
    assert {d: _circle_row(cli, workspace, d) for d in drawn} == drawn
    assert _circle_row(cli, workspace, "2026-03-11")["status"] == "closed"
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    assert not _bodies(workspace, "circle_farewell")  # nobody writes to a forgotten person
    assert mentor in _bodies(workspace, "circle_closed")


def _store(size: int, minimum: int, co: bool):
    start = "2026-03-02T09:00:00+00:00"
    people = [{"id": f"P{i}", "status": "active", "role": "mentee" if i else "mentor"}
              for i in range(size + 1)]  # fmt: skip
    people.append({"id": "PC", "status": "active", "role": "mentor"})
    docs = [
        {"id": f"M{i}", "mentee": f"P{i}", "mentor": "P0", "status": "active", "circle": "C1",
         "start_date": start[:10], "history": [{"at": start, "status": "active"}]}
        for i in range(1, size + 1)
    ]  # fmt: skip
    doc = {"id": "C1", "mentors": ["P0", "PC"] if co else ["P0"],
              "mentees": [d["mentee"] for d in docs], "pairs": [d["id"] for d in docs],
              "min_size": minimum, "created": start}  # fmt: skip
    return people, docs, doc


def _withdraw(store, pid: str, stamp: str) -> None:
    """What ``withdraw`` does to the store: the person withdrawn, their pairs ended."""
    from mentorctl.history import events
    from mentorctl.matching import circle_life
    from mentorctl.matching.pairs import change_pairs

    key, person = next((k, p) for k, p in store.documents("people").items() if p["id"] == pid)
    entry = events.entry(stamp, "withdrawn")
    store.update_many("people", {int(key): {"status": "withdrawn",
                                            "history": [*events.entries(person), entry]}})  # fmt: skip
    ended = {
        p["id"]: ({"status": "ended", "end_reason": "a person withdrew",
                   "released": [p["mentee"] if p["mentor"] == pid else p["mentor"]],
                   "notify_ended": [p["mentee"] if p["mentor"] == pid else p["mentor"]]}, "x")
        for p in store.documents("pairs").values()
        if pid in (p["mentee"], p["mentor"]) and p["status"] in circle_life.HOLDING
    }  # fmt: skip
    change_pairs(store, ended, stamp)


STEPS = st.lists(
    st.tuples(st.sampled_from(["withdraw", "not_fit", "end", "lead"]), st.integers(0, 4),
              st.booleans()),
    max_size=6,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(size=st.integers(3, 5), minimum=st.integers(2, 5), co=st.booleans(), steps=STEPS)
def test_a_circle_that_goes_on_is_led_by_a_mentor_still_there(size, minimum, co, steps) -> None:
    """Whatever ends its member pairs, its lead leaving included, in whatever order and
    with or without settling in between: a circle that has not closed holds at least its
    minimum of mentees, all with its lead, who is still there; a co-mentor takes it over at
    most once; the mentee who leaves is told unless they withdrew; settling twice changes
    nothing."""
    from mentorctl.matching import circle_life
    from mentorctl.matching.pairs import change_pairs
    from mentorctl.store.db import Store

    minimum = min(minimum, size)
    people, docs, circle_doc = _store(size, minimum, co)
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.writing(Path(folder) / "store.json", create=True, dry_run=True) as store,
    ):
        store.insert_many("people", people)
        store.insert_many("pairs", docs)
        store.insert_many("circles", [circle_doc])
        day = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
        for kind, index, settle in steps:
            stamp = day.isoformat()
            (doc,) = store.documents("circles").values()
            live = {d["id"]: d for d in store.documents("pairs").values()}
            pair = live[f"M{1 + index % size}"]
            gone = {p["id"] for p in store.documents("people").values() if p["status"] != "active"}
            if kind == "lead":
                if doc["mentors"][0] not in gone:
                    _withdraw(store, doc["mentors"][0], stamp)
            elif pair["status"] in circle_life.HOLDING:
                if kind == "withdraw":
                    _withdraw(store, pair["mentee"], stamp)
                else:
                    change_pairs(store, {pair["id"]: ({"status": kind.replace("end", "ended")
                                                       if kind == "end" else kind}, kind)}, stamp)  # fmt: skip
            if not settle:
                continue
            circle_life.settle(store, stamp=stamp)
            once = json.dumps({t: store.documents(t) for t in ("pairs", "circles")}, sort_keys=True)
            circle_life.settle(store, stamp=stamp)
            again = json.dumps(
                {t: store.documents(t) for t in ("pairs", "circles")}, sort_keys=True
            )
            assert once == again
            (doc,) = store.documents("circles").values()
            history = doc.get("history") or []
            holding = [p for p in store.documents("pairs").values()
                       if p["status"] in circle_life.HOLDING]  # fmt: skip
            gone = {p["id"] for p in store.documents("people").values() if p["status"] != "active"}
            handed = [e for e in history if "lead" in e]
            assert len(handed) <= (1 if co else 0)
            if any(e.get("status") == "closed" for e in history):
                assert holding == []
            else:
                assert len(holding) >= minimum and doc["mentors"][0] not in gone
                assert {p["mentor"] for p in holding} == {doc["mentors"][0]}
            for e in history:
                if "left" in e and e["left"] in e["notify"]:
                    assert e["left"] not in gone  # a mentee who withdrew is not written to
            for p in store.documents("pairs").values():  # a circle's notice, not "ended"
                assert not set(p.get("notify_ended") or ()) & set(doc["mentors"])
            day += dt.timedelta(days=1)


def test_a_takeover_that_would_leave_the_circle_below_its_minimum_closes_it() -> None:
    from mentorctl.matching import circle_life
    from mentorctl.matching.pairs import change_pairs
    from mentorctl.store.db import Store

    people, docs, circle_doc = _store(3, 3, True)
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.writing(Path(folder) / "store.json", create=True, dry_run=True) as store,
    ):
        store.insert_many("people", people)
        store.insert_many("pairs", docs)
        store.insert_many("circles", [circle_doc])
        stamp = "2026-03-10T09:00:00+00:00"
        change_pairs(store, {"M1": ({"status": "not_fit"}, "no")}, stamp)
        _withdraw(store, "P0", stamp)
        done = circle_life.settle(store, stamp=stamp)
        assert done.closed == [("C1", circle_life.MENTOR_LEFT)] and done.handed == []
        (doc,) = store.documents("circles").values()
        assert doc["mentors"] == ["P0", "PC"] and not any("lead" in e for e in doc["history"])
        # With every mentee still there, the same leaving hands the circle over instead.
    people, docs, circle_doc = _store(3, 3, True)
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.writing(Path(folder) / "store.json", create=True, dry_run=True) as store,
    ):
        store.insert_many("people", people)
        store.insert_many("pairs", docs)
        store.insert_many("circles", [circle_doc])
        _withdraw(store, "P0", stamp)
        done = circle_life.settle(store, stamp=stamp)
        assert done.handed == [("C1", "PC")] and done.closed == []


def test_the_meeting_count_has_a_co_mentor_who_has_not_answered() -> None:
    """ "4 of 6", not "4 of 5": the circle's people are read from the circles table."""
    from mentorctl.history.fold import fold
    from mentorctl.report import by_round

    people = [{"id": f"P{i}", "name": f"Name{i}", "role": "mentor" if i in (1, 9) else "mentee",
               "created": "2026-02-01T00:00:00+00:00"} for i in range(1, 10)]  # fmt: skip
    answered = {"P2", "P3", "P4", "P1"}
    docs = []
    for n, mentee in enumerate(("P2", "P3", "P4"), start=1):
        history = [{"at": "2026-03-02T09:00:00+00:00", "status": "active"}]
        history += [{"at": "2026-03-03T09:00:00+00:00", "meeting": "ACCEPTED", "by": who}
                    for who in (mentee, "P1") if who in answered]  # fmt: skip
        docs.append({"id": f"M{n}", "mentee": mentee, "mentor": "P1", "status": "active",
                     "circle": "C1", "start_date": "2026-03-02", "round": 1,
                     "created": "2026-03-01T09:00:00+00:00", "history": history})  # fmt: skip
    state = fold(people=people, pairs=docs, day=dt.date(2026, 3, 17), duration_weeks=8)
    (row,) = by_round.from_state(state)["circles"]
    assert (row["meeting_accepted"], row["meeting_people"]) == (4, 4)
    state.circles = {"C1": {"id": "C1", "mentors": ["P1", "P9"], "mentees": ["P2", "P3", "P4"]}}
    (row,) = by_round.from_state(state)["circles"]
    assert (row["meeting_accepted"], row["meeting_people"]) == (4, 5)


FAREWELL = {
    "en": ("has come to an end", "waiting list", "take part again"),
    "fr": ("a pris fin", "liste d'attente", "participer de nouveau"),
    "es": ("ha llegado a su fin", "lista de espera", "volver a participar"),
    "de": ("ist zu Ende gegangen", "Warteliste", "wieder mitmachen"),
    "pt": ("chegou ao fim", "lista de espera", "voltar a participar"),
}


@pytest.mark.parametrize("language", ["en", "fr", "es", "de", "pt"])
def test_the_farewell_and_the_handover_render_in_every_language(
    tmp_path: Path, language: str
) -> None:
    """Every built-in template's two notices, in each language: in the language only, naming
    the recipient and (the handover) the new lead, never the mentor who left."""
    from test_circle_lifecycle import CIRCLE_CODE
    from test_languages import _leftover_english

    from mentorctl.mail import languages, messages
    from mentorctl.programs.catalogue import init_program, list_templates
    from mentorctl.programs.program import load_program

    people = {
        pid: messages.person_context({"id": pid, "name": name, "email": f"{pid}@example.org"})
        for pid, name in (("P1", "Marc Dubois"), ("P2", "Inès Moreau"), ("P3", "Ana Lima"),
                          ("P5", "Kai Berg"))
    }  # fmt: skip
    circle = {"id": "C1", "members": [people["P5"], people["P2"], people["P3"]],
              "mentors": [people["P5"]], "mentees": [people["P2"], people["P3"]]}  # fmt: skip
    ended, back, again = FAREWELL[language]
    for info in list_templates():
        init_program("Cercle", info.key, root=tmp_path / info.key, today=dt.date(2026, 2, 20),
                     language=language)  # fmt: skip
        program = load_program(tmp_path / info.key / "cercle" / "program.yaml")
        templates = languages.Templates(program, program.dir / "messages")
        texts = {}
        for name, kind, to, extra in [
            ("back", "circle_farewell", "P2", {"back_waiting": True}),
            ("not back", "circle_farewell", "P2", {"back_waiting": False}),
            ("withdrew", "circle_farewell", "P2", {"back_waiting": False, "withdrew": True}),
            ("handover", "circle_handover", "P3", {"as_mentor": False}),
            ("new lead", "circle_handover", "P5", {"as_mentor": True}),
            ("forgotten", "circle_left", "P5", {"as_mentor": True, "member": None}),
        ]:
            context = templates.contexts.make(
                kind=kind, week=0, pair={"id": "M3"}, start=dt.date(2026, 3, 2),
                mentee=people[to], mentor=people["P1"], recipient=people[to],
                today=dt.date(2026, 3, 16),
            )  # fmt: skip
            context.update(circle=circle, mentor_left=False, lead=people["P5"], **extra)
            context.setdefault("as_mentor", False)
            rendered = templates.render(kind, context, pair_id="M3")
            text = " ".join(rendered.text.split())
            where = (info.key, language, name)
            assert "{{" not in text and rendered.subject and "\n" not in rendered.subject, where
            assert rendered.text.endswith(CIRCLE_CODE[language] + "\n"), where
            first = people[to]["first_name"]
            assert first in text.split(",")[0] or first in text.split(":")[0], where
            assert "Marc" not in text, where  # the mentor who left is never named
            if language != "en":
                data = ("Marc", "Inès", "Ana", "Kai", "Cercle")
                assert not _leftover_english(rendered.subject + " " + text, data), where
            texts[name] = text
        assert ended in texts["back"] and back in texts["back"], info.key
        assert back not in texts["not back"] and again in texts["not back"], info.key
        assert back not in texts["withdrew"] and ended not in texts["withdrew"], info.key
        assert texts["withdrew"] not in (texts["back"], texts["not back"]), info.key
        assert "Kai" in texts["handover"] and texts["handover"] != texts["new lead"], info.key
        assert "None" not in texts["forgotten"], info.key
