"""A circle's life per member, through the CLI over weeks with --today: members who withdraw,
pause or are not a fit leave the circle, which goes on while it keeps its minimum and closes
below it, with one kind notice to each person still in it, in their own language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PROGRAM, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from messages_fixtures import messages, pairs, parse_eml, table

HEADER = (
    "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Preferred language\n"
)
# A mentor and four mentees who read four languages; a second mentor, free, for later.
ROWS = [
    ("am", "Ann Mentor", "Mentor", "English", "4"),
    ("ae0", "Bea Mentee", "Mentee", "German", ""),
    ("ae1", "Cid Mentee", "Mentee", "French", ""),
    ("ae2", "Dov Mentee", "Mentee", "Spanish", ""),
    ("ae3", "Eli Mentee", "Mentee", "Portuguese", ""),
]
SPARE = ("zm", "Zoe Mentor", "Mentor", "English", "4")
LATE = ("ae4", "Fay Mentee", "Mentee", "English", "")
SECRET = "moving house after a hard divorce"


def _csv(rows) -> str:
    out = HEADER
    for key, name, role, language, capacity in rows:
        goals, expertise = ("Networking", "") if role == "Mentee" else ("", "Networking")
        age = 30 if role == "Mentee" else 50
        out += (
            f"{key}@example.org,{name},{role},{age},{goals},{expertise},English,Europe/London,"
            f"{capacity},Org {key},{language}\n"
        )
    return out


@pytest.fixture
def circle(workspace: Path, cli) -> dict:
    """One circle of Ann and four mentees, introduced on 2026-03-02."""
    program = workspace / PROGRAM / "program.yaml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text + "format: circles\ncircles:\n  size: [3, 5]\n", encoding="utf-8")
    result = cli("import-signups", write_csv(workspace / "c.csv", _csv(ROWS)), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    result = cli("introduce", "-w", workspace, "--today", "2026-03-02")
    assert result.exit_code == 0, result.output
    (doc,) = table(workspace, "circles")
    assert len(doc["mentees"]) == 4 and doc["min_size"] == 3
    return doc


def _ids(workspace: Path) -> dict[str, str]:
    return {p["email"].split("@")[0]: p["id"] for p in table(workspace, "people")}


def _run(cli, workspace: Path, *args: str) -> object:
    result = cli(*args, "-w", workspace)
    assert result.exit_code == 0, result.output
    return result


def _bodies(workspace: Path, kind: str) -> dict[str, list[str]]:
    """Each recipient's subject and body of the ``kind`` messages, from the outbox files."""
    out: dict[str, list[str]] = {}
    for m in messages(workspace):
        if m["kind"] != kind:
            continue
        path = workspace / PROGRAM / m["file"]
        msg = parse_eml(path.read_bytes())
        body = msg.get_body(("plain",)).get_content()
        for pid in m["to"]:
            # words as written, whatever the wrapping
            out.setdefault(pid, []).append(" ".join(f"{msg['Subject']}\n{body}".split()))
    return out


def _weekly_to(workspace: Path, day: str) -> set[str]:
    """Who got a weekly message made on ``day``."""
    made = [m for m in messages(workspace) if m["kind"] == "weekly"]
    return {p for m in made if m["created"].startswith(day) for p in m["to"]}


def _circle_row(cli, workspace: Path, day: str) -> dict:
    result = _run(cli, workspace, "report", "--json", "--today", day)
    (row,) = json.loads(result.stdout)["circles"]
    return row


def test_a_circle_loses_one_member_goes_on_loses_another_and_closes(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    drawn = {"2026-03-09": _circle_row(cli, workspace, "2026-03-09")}
    # Cid withdraws: three mentees stay, the circle goes on.
    result = _run(cli, workspace, "withdraw", ids["ae1"], "--reason", SECRET, "--today",
                  "2026-03-10")  # fmt: skip
    assert f"Circle {circle['id']} closed" not in result.output
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    drawn["2026-03-16"] = _circle_row(cli, workspace, "2026-03-16")
    left = _bodies(workspace, "circle_left")
    assert list(left) == [mentor] and len(left[mentor]) == 1
    (note,) = left[mentor]
    assert "Cid has left your circle" in note and SECRET not in note
    assert "goes on with 3 mentees: Bea, Dov and Eli" in note, note
    # The mentor gets the circle's notice, not a pair's "ended" one; the others nothing.
    ended = _bodies(workspace, "ended")
    assert mentor not in ended and not {ids["ae0"], ids["ae2"], ids["ae3"]} & set(ended)
    (doc,) = table(workspace, "circles")
    (entry,) = doc["history"]
    assert entry["left"] == ids["ae1"] and entry["why"] == "withdrew"
    assert entry["at"].startswith("2026-03-10") and SECRET not in json.dumps(doc)
    running = _circle_row(cli, workspace, "2026-03-16")
    assert running["status"] == "running" and running["running"] == 3

    # Eli answers "not a fit": two mentees stay, fewer than three: the circle closes.
    eli = next(p for p in pairs(workspace).values() if p["mentee"] == ids["ae3"])
    said = _run(cli, workspace, "checkin", "--record", eli["id"], "--person", ids["ae3"],
                "--week", "3", "-a", "fit=no", "--today", "2026-03-17")  # fmt: skip
    assert f"circle {circle['id']} closed (fewer than 3 mentees stayed)" in said.output
    drawn["2026-03-17"] = _circle_row(cli, workspace, "2026-03-17")
    store = workspace / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    dry = _run(cli, workspace, "checkin", "--dry-run", "--today", "2026-03-23")
    assert "3 circle closed" in dry.output and store.read_bytes() == before
    _run(cli, workspace, "checkin", "--today", "2026-03-23")
    _run(cli, workspace, "checkin", "--today", "2026-03-23")  # cron again: nothing twice
    drawn["2026-03-23"] = _circle_row(cli, workspace, "2026-03-23")
    _run(cli, workspace, "checkin", "--today", "2026-03-30")
    closed = _bodies(workspace, "circle_closed")
    assert sorted(closed) == sorted([mentor, ids["ae0"], ids["ae2"]])
    assert all(len(v) == 1 for v in closed.values()), closed
    (to_mentor,) = closed[mentor]
    assert "Thank you for the time and care" in to_mentor and "waiting list" not in to_mentor
    (to_bea,) = closed[ids["ae0"]]  # in German
    assert "dein Kreis ist beendet" in to_bea and "wieder auf unserer Warteliste" in to_bea
    (to_dov,) = closed[ids["ae2"]]  # in Spanish
    assert "tu círculo ha terminado" in to_dov and "lista de espera" in to_dov
    for text in (to_mentor, to_bea, to_dov):
        assert SECRET not in text and "Eli" not in text and "Cid" not in text
    # Nobody of the closed circle gets a weekly message any more.
    late = [m for m in messages(workspace) if m["kind"] == "weekly" and m["week"] >= 4]
    assert late == []
    # The pairs ended kindly, and the mentees wait again.
    after = {p["mentee"]: p for p in pairs(workspace).values()}
    for key in ("ae0", "ae2"):
        pair = after[ids[key]]
        assert pair["status"] == "ended" and pair["end_reason"] == "the circle closed"
    waiting = json.loads(
        _run(cli, workspace, "people", "--waiting", "--json", "--today", "2026-03-30").stdout
    )
    assert {ids["ae0"], ids["ae2"]} <= {p["id"] for p in waiting["people"]}
    (doc,) = table(workspace, "circles")
    assert [e.get("status") for e in doc["history"]][-1] == "closed"
    assert sum(1 for e in doc["history"] if e.get("status") == "closed") == 1
    # As of a past day the circle still ran; as of today it is closed.
    assert _circle_row(cli, workspace, "2026-03-16")["status"] == "running"
    assert _circle_row(cli, workspace, "2026-03-23")["status"] == "closed"
    shown = json.loads(_run(cli, workspace, "pairs", "show", circle["id"], "--json",
                            "--today", "2026-03-16").stdout)  # fmt: skip
    assert shown["status"] == "running"
    assert {m["mentee"]: m["status"] for m in shown["members"]}[ids["ae1"]] == "ended"
    table_text = _run(cli, workspace, "pairs", "show", circle["id"], "--today", "2026-03-30")
    assert f"Circle {circle['id']}: mentor Ann Mentor" in table_text.output
    assert (
        "Status: Closed" in table_text.output and "fewer than 3 mentees stayed" in table_text.output
    )
    person = json.loads(_run(cli, workspace, "people", "show", ids["ae0"], "--json", "--today",
                             "2026-03-16").stdout)  # fmt: skip
    assert person["circles"] == [circle["id"]]
    # Each day's report, drawn again at the end, is the same: the circle as it stood then.
    assert {day: _circle_row(cli, workspace, day) for day in drawn} == drawn
    assert [r["status"] for r in drawn.values()] == ["running", "running", "closed", "closed"]
    # The next pair run places them again, with another mentor and a new mentee.
    more = _csv([*ROWS, SPARE, LATE])
    _run(cli, workspace, "import-signups", write_csv(workspace / "d.csv", more))
    _run(cli, workspace, "pair", "--commit", "--today", "2026-03-31")
    ids = _ids(workspace)
    circles = {c["id"]: c for c in table(workspace, "circles")}
    (new,) = [c for c in circles.values() if c["id"] != circle["id"]]
    assert {ids["ae0"], ids["ae2"]} <= set(new["mentees"]) and new["mentors"] == [ids["zm"]]


def test_a_paused_member_is_away_then_back_in_the_circle(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "pause", ids["ae1"], "--until", "2026-03-24", "--reason", SECRET,
         "--today", "2026-03-10")  # fmt: skip
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-17")
    away = _bodies(workspace, "circle_away")
    assert list(away) == [mentor] and len(away[mentor]) == 1
    assert "Cid is away from your circle" in away[mentor][0] and SECRET not in away[mentor][0]
    assert not _bodies(workspace, "paused") and not _bodies(workspace, "circle_left")
    cid = ids["ae1"]
    week = _weekly_to(workspace, "2026-03-16")
    assert cid not in week and {ids["ae0"], ids["ae2"], mentor} <= week
    shown = json.loads(_run(cli, workspace, "pairs", "show", circle["id"], "--json",
                            "--today", "2026-03-17").stdout)  # fmt: skip
    assert shown["status"] == "running"
    assert {m["mentee"]: m["status"] for m in shown["members"]}[cid] == "paused"
    # Back on the 24th: the circle still runs, and Cid is in it again.
    _run(cli, workspace, "checkin", "--today", "2026-03-30")
    assert cid in _weekly_to(workspace, "2026-03-30")
    (doc,) = table(workspace, "circles")
    assert not doc.get("history")  # a pause is no leaving
    assert _circle_row(cli, workspace, "2026-03-30")["running"] == 4


def test_the_mentor_leaving_closes_the_circle_at_once(workspace: Path, cli, circle: dict) -> None:
    ids = _ids(workspace)
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    result = _run(cli, workspace, "withdraw", circle["mentors"][0], "--reason", SECRET,
                  "--today", "2026-03-10")  # fmt: skip
    assert f"Circle {circle['id']} closed: its mentor left" in result.output
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-23")
    closed = _bodies(workspace, "circle_closed")
    mentees = [ids[k] for k in ("ae0", "ae1", "ae2", "ae3")]
    assert sorted(closed) == sorted(mentees) and all(len(v) == 1 for v in closed.values())
    (to_cid,) = closed[ids["ae1"]]  # in French
    assert "son mentor ou sa mentore ne peut plus y participer" in to_cid
    assert "liste d'attente" in to_cid and SECRET not in to_cid
    assert not _bodies(workspace, "ended")  # the circle's notice, not four "pair ended"
    waiting = json.loads(_run(cli, workspace, "people", "--waiting", "--json", "--today",
                              "2026-03-23").stdout)  # fmt: skip
    assert set(mentees) <= {p["id"] for p in waiting["people"]}


def _weeks(cli, workspace: Path, answering: list[str]) -> None:
    """Ten weekly runs from 2026-03-09; ``answering`` mentees answer every week."""
    import datetime as dt

    day = dt.date(2026, 3, 9)
    for _ in range(10):
        _run(cli, workspace, "checkin", "--today", day.isoformat())
        for pid in answering:
            pair = next(p for p in pairs(workspace).values() if p["mentee"] == pid)
            if pair["status"] in ("active", "quiet"):
                _run(cli, workspace, "checkin", "--record", pair["id"], "--person", pid,
                     "-a", "met=yes", "--today", (day + dt.timedelta(days=1)).isoformat())  # fmt: skip
        day += dt.timedelta(days=7)


def test_a_quiet_circle_and_its_mentors_one_final_message(
    workspace: Path, cli, circle: dict
) -> None:
    """Nobody answers: the circle is quiet as a whole, each member pair lapses, and the
    mentor gets one lapsed message for the circle, not one per member."""
    mentor = circle["mentors"][0]
    _weeks(cli, workspace, [])
    assert _circle_row(cli, workspace, "2026-03-31")["status"] == "quiet"
    quiet = json.loads(_run(cli, workspace, "pairs", "--quiet", "--json", "--today",
                            "2026-03-31").stdout)  # fmt: skip
    assert {r["circle"] for r in quiet["pairs"]} == {circle["id"]} and quiet["count"] == 4
    report = json.loads(_run(cli, workspace, "report", "--json", "--today", "2026-03-31").stdout)
    assert [q["circle"] for q in report["quiet_pairs"]] == [circle["id"]] * 4
    finals = [m for m in messages(workspace) if m["kind"] in ("wrapup", "lapsed")]
    to_mentor = [m for m in finals if mentor in m["to"]]
    assert len(to_mentor) == 1 and to_mentor[0]["kind"] == "lapsed"
    assert len(finals) == 5


def test_a_circle_one_member_keeps_alive_is_not_quiet(workspace: Path, cli, circle: dict) -> None:
    """Eli answers every week: the circle is not quiet (its silent members are, each on
    their own), and its mentor's one final message is the wrap-up."""
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _weeks(cli, workspace, [ids["ae3"]])
    assert _circle_row(cli, workspace, "2026-03-31")["status"] == "running"
    quiet = json.loads(_run(cli, workspace, "pairs", "--quiet", "--json", "--today",
                            "2026-03-31").stdout)  # fmt: skip
    assert ids["ae3"] not in {r["mentee"] for r in quiet["pairs"]} and quiet["count"] == 3
    to_mentor = [m for m in messages(workspace)
                 if m["kind"] in ("wrapup", "lapsed") and mentor in m["to"]]  # fmt: skip
    assert [m["kind"] for m in to_mentor] == ["wrapup"]
    final = _circle_row(cli, workspace, "2026-05-18")
    assert final["status"] == "finished" and final["completed"] == 1 and final["lapsed"] == 3


EVENTS = st.lists(
    st.tuples(st.sampled_from(["withdraw", "not_fit", "end", "mentor"]), st.integers(0, 4)),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(3, 5), minimum=st.integers(2, 5), steps=EVENTS)
def test_settling_keeps_a_circle_at_its_minimum_or_closed(size, minimum, steps) -> None:
    """Whatever ends its member pairs, in whatever order: a circle that has not closed holds
    at least its minimum of mentees and its mentor; a closed one holds nobody; each member
    leaves once, it closes once, and a second settling changes nothing."""
    import datetime as dt
    import tempfile

    from mentorctl.history import events
    from mentorctl.matching import circle_life
    from mentorctl.matching.pairs import change_pairs
    from mentorctl.store.db import Store

    minimum = min(minimum, size)
    start = "2026-03-02T09:00:00+00:00"
    people = [{"id": f"P{i}", "status": "active", "role": "mentee" if i else "mentor"}
              for i in range(size + 1)]  # fmt: skip
    docs = [
        {"id": f"M{i}", "mentee": f"P{i}", "mentor": "P0", "status": "active", "circle": "C1",
         "start_date": start[:10], "history": [{"at": start, "status": "active"}]}
        for i in range(1, size + 1)
    ]  # fmt: skip
    circle = {"id": "C1", "mentors": ["P0"], "mentees": [d["mentee"] for d in docs],
              "pairs": [d["id"] for d in docs], "min_size": minimum, "created": start}  # fmt: skip
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.writing(Path(folder) / "store.json", create=True, dry_run=True) as store,
    ):
        store.insert_many("people", people)
        store.insert_many("pairs", docs)
        store.insert_many("circles", [circle])
        day = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
        for step, (kind, index) in enumerate(steps):
            stamp = day.isoformat()
            live = {d["id"]: d for d in store.documents("pairs").values()}
            pair = live[f"M{1 + index % size}"]
            if kind == "mentor":
                key = next(k for k, p in store.documents("people").items() if p["id"] == "P0")
                mentor = store.documents("people")[key]
                entry = events.entry(stamp, "withdrawn")
                store.update_many("people", {int(key): {"status": "withdrawn",
                                                        "history": [*events.entries(mentor), entry]}})  # fmt: skip
                ended = {p["id"]: ({"status": "ended", "end_reason": "a person withdrew",
                                    "released": [p["mentee"]], "notify_ended": [p["mentee"]]}, "x")
                         for p in live.values() if p["status"] in circle_life.HOLDING}  # fmt: skip
                change_pairs(store, ended, stamp)
            elif pair["status"] in circle_life.HOLDING:
                fields = {"status": "not_fit" if kind == "not_fit" else "ended"}
                if kind == "withdraw":
                    fields.update(end_reason="a person withdrew", released=["P0"])
                change_pairs(store, {pair["id"]: (fields, kind)}, stamp)
            circle_life.settle(store, stamp=stamp)
            once = json.dumps({t: store.documents(t) for t in ("pairs", "circles")}, sort_keys=True)
            circle_life.settle(store, stamp=stamp)
            again = json.dumps(
                {t: store.documents(t) for t in ("pairs", "circles")}, sort_keys=True
            )
            assert once == again
            (doc,) = store.documents("circles").values()
            pairs_now = list(store.documents("pairs").values())
            holding = [p for p in pairs_now if p["status"] in circle_life.HOLDING]
            history = doc.get("history") or []
            closings = [e for e in history if e.get("status") == "closed"]
            left = [e["pair"] for e in history if "left" in e]
            assert len(closings) <= 1 and len(left) == len(set(left))
            mentor_gone = any(k == "mentor" for k, _ in steps[: step + 1])
            if closings:
                assert holding == []
                assert all(p.get("end_reason") != circle_life.CLOSED_REASON or
                           set(p["released"]) == {p["mentee"], "P0"} for p in pairs_now)  # fmt: skip
            else:
                assert len(holding) >= minimum and not mentor_gone
            for p in pairs_now:  # the circle's notice replaces a pair's "ended" to its mentor
                assert "P0" not in (p.get("notify_ended") or ())
            told = [m for e in closings for m in e["notify"]]
            assert len(told) == len(set(told))
            if closings and closings[0]["why"] == circle_life.MENTOR_LEFT:
                # the mentees still in it, and the mentor who left, in a farewell of their own
                assert set(told) == {*closings[0]["mentees"], "P0"}
            day += dt.timedelta(days=1)


CIRCLE_CODE = {"en": "Circle code: C1", "fr": "Code du cercle\u00a0: C1", "es": "Código del círculo: C1",
               "de": "Kreis-Code: C1", "pt": "Código do círculo: C1"}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fr", "es", "de", "pt"])
def test_every_circle_notice_renders_in_every_language(tmp_path: Path, language: str) -> None:
    """Every built-in template's circle notices, in each language: kind, in the language,
    naming the members still in the circle and never the words of another language."""
    import datetime as dt

    from test_languages import _leftover_english

    from mentorctl.mail import languages, messages
    from mentorctl.programs.catalogue import init_program, list_templates
    from mentorctl.programs.program import load_program

    people = {
        pid: messages.person_context({"id": pid, "name": name, "email": f"{pid}@example.org"})
        for pid, name in (("P1", "Marc Dubois"), ("P2", "Inès Moreau"), ("P3", "Ana Lima"),
                          ("P4", "Kai Berg"))
    }  # fmt: skip
    circle = {"id": "C1", "members": list(people.values()), "mentors": [people["P1"]],
              "mentees": [people["P2"], people["P3"]]}  # fmt: skip
    cases = [
        ("circle_left", "P1", {"member": people["P4"]}),
        ("circle_away", "P1", {"member": people["P4"]}),
        ("circle_closed", "P1", {"as_mentor": True}),
        ("circle_closed", "P2", {"as_mentor": False}),
        ("circle_closed", "P3", {"as_mentor": False, "mentor_left": True}),
    ]
    for info in list_templates():
        init_program("Cercle", info.key, root=tmp_path / info.key, today=dt.date(2026, 2, 20),
                     language=language)  # fmt: skip
        program = load_program(tmp_path / info.key / "cercle" / "program.yaml")
        templates = languages.Templates(program, program.dir / "messages")
        texts = []
        for kind, to, extra in cases:
            context = templates.contexts.make(
                kind=kind, week=0, pair={"id": "M3"}, start=dt.date(2026, 3, 2),
                mentee=people["P2"], mentor=people["P1"], recipient=people[to],
                today=dt.date(2026, 3, 16),
            )  # fmt: skip
            context.update(circle=circle, as_mentor=to == "P1", mentor_left=False)
            context.update(until=dt.date(2026, 3, 24), **extra)
            rendered = templates.render(kind, context, pair_id="M3")
            text = " ".join(rendered.text.split())
            where = (info.key, language, kind, to)
            assert "{{" not in text and rendered.subject and "\n" not in rendered.subject, where
            assert rendered.text.endswith(CIRCLE_CODE[language] + "\n"), where
            name = people[to]["first_name"]
            assert name in text.split(",")[0] or name in text.split(":")[0], where
            if language != "en":
                data = ("Marc", "Inès", "Ana", "Kai", "Cercle")
                assert not _leftover_english(rendered.subject + " " + text, data), where
            texts.append(text)
        left, away, to_mentor, to_mentee, mentor_gone = texts
        assert "Kai" in left and "Inès" in left and "Ana" in left  # who left, who stays
        assert "Kai" in away and ("24" in away)
        assert to_mentor != to_mentee and to_mentee != mentor_gone
