"""Every figure and status as of a day, folded from the dated history.

A program is run day by day through the CLI (import, pair, introduce, a daily check-in,
answers recorded by hand, one of them late, a pause, a withdrawal, a concern raised and
resolved, a block); ``report --json``, ``pairs --json`` and ``people --json`` are saved each
day. At the end every past day is drawn again with ``--today``: the output must be the same,
byte for byte. Then the fold itself: pauses, the week of an ended pair, the due pairs of a
week and answers known from the day they arrived.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer import testing as typer_testing
from typer.testing import CliRunner

from mentorctl.cli.app import app
from mentorctl.history import events
from mentorctl.history.fold import fold
from mentorctl.report import figures

START = dt.date(2026, 3, 2)
# Each mentee wants what exactly one mentor offers, so the pairs are known in advance.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity
meg@example.org,Meg Okafor,Mentor,50,,Networking,English,UTC,1
raj@example.org,Raj Lindqvist,Mentor,45,,Interview preparation,English,UTC,1
sue@example.org,Sue Park,Mentor,41,,Public speaking,English,UTC,1
ann@example.org,Ann Brenner,Mentee,30,Networking,,English,UTC,
bo@example.org,Bo Castell,Mentee,28,Interview preparation,,English,UTC,
cy@example.org,Cy Dunmore,Mentee,33,Public speaking,,English,UTC,
di@example.org,Di Evers,Mentee,35,Networking,,English,UTC,
"""
SAVED = (("report", "--json"), ("pairs", "--json"), ("people", "--json"))
# Drawn on the middle day of each week, and as many formats as a committee may be shown.
WEEKLY = (
    ("people", "show", "P5", "--json"),
    ("pairs", "show", "M1", "--json"),
    ("people", "--csv"),
    ("pairs", "--status", "paused"),
    ("report", "--format", "md"),
    ("report", "--format", "html", "--anonymous"),
)


def on(week: int, offset: int = 0) -> dt.date:
    return START + dt.timedelta(days=7 * (week - 1) + offset)


class Admin:
    """The CLI, run in-process on a chosen day (as cron and an admin would run it)."""

    def __init__(self, workspace: Path) -> None:
        self.ws = workspace
        self.runner = CliRunner()

    def __call__(self, day: dt.date, *args: str | Path) -> str:
        result = self.runner.invoke(
            app, [str(a) for a in args] + ["-w", str(self.ws)], env={"MENTORCTL_TODAY": str(day)}
        )
        assert result.exit_code == 0, (day, args, result.output)
        return result.stdout

    def drawn(self, day: dt.date, args: tuple[str, ...]) -> str:
        return self(day, *args, "--today", str(day))


def _events_of(day: dt.date) -> list[tuple[str, ...]]:
    """What the admin and the people do on ``day`` (besides the daily check-in run)."""
    todo: list[tuple[str, ...]] = []
    for week in range(1, 9):
        if day == on(week, 1) and week != 3:  # M1's mentee answers each week the next day
            todo.append(("checkin", "--record", "M1", "--person", "P4", "--week", str(week),
                         "--answer", "met=yes", "--answer", f"note=week {week} went well"))  # fmt: skip
        if day == on(week, 2) and week <= 2:  # M2's mentee answers weeks 1 and 2 only
            todo.append(("checkin", "--record", "M2", "--person", "P5", "--week", str(week),
                         "--answer", "met=no"))  # fmt: skip
    if day == on(5, 3):  # the reply for week 3 arrives in week 5
        todo.append(("checkin", "--record", "M1", "--person", "P4", "--week", "3",
                     "--answer", "met=yes", "--answer", "note=late but here"))  # fmt: skip
    if day == on(2, 3):
        todo.append(("pause", "P5", "--until", str(on(4, 0))))  # Bo is away weeks 2-3
    if day == on(3, 1):
        todo.append(("concern", "M1", "--reason", "missed calls"))
    if day == on(3, 3):
        todo.append(("concern", "--resolve", "C1", "--outcome", "continue"))
    if day == on(4, 2):
        todo.append(("withdraw", "P6"))  # Cy leaves; M3 ends
    if day == on(5, 0):
        todo.append(("block", "P7", "P2", "--reason", "asked"))
    return todo


@pytest.fixture(scope="module")
def program_run(tmp_path_factory: pytest.TempPathFactory):
    # Typer builds the click command on every invoke; built once, the run takes a third of
    # the time and runs the same code.
    command = typer_testing._get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer_testing, "_get_command", lambda _app: command)
        yield _run_program(tmp_path_factory)


def _run_program(tmp_path_factory: pytest.TempPathFactory) -> tuple[Admin, dict]:
    root = tmp_path_factory.mktemp("asof")
    ws = root / "ws"
    admin = Admin(ws)
    result = admin.runner.invoke(
        app, ["init-program", "As Of", "--template", "career", "--dir", str(ws)],
        env={"MENTORCTL_TODAY": str(START)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    admin(START, "import-signups", write_csv(root / "people.csv", PEOPLE))
    admin(START, "pair", "--commit")
    admin(START, "introduce")
    saved: dict[tuple[dt.date, tuple[str, ...]], str] = {}
    day = START
    while day <= on(9, 2):
        for step in _events_of(day):
            admin(day, *step)
        admin(day, "checkin")
        for args in SAVED + (WEEKLY if day.weekday() == 3 else ()):
            saved[(day, args)] = admin.drawn(day, args)
        day += dt.timedelta(days=1)
    return admin, saved


def test_every_past_day_drawn_again_is_the_same(program_run) -> None:
    admin, saved = program_run
    last = max(day for day, _ in saved)
    for (day, args), text in saved.items():
        # Drawn on the last day (the environment's today), for the day asked.
        again = admin.runner.invoke(
            app, [*args, "-w", str(admin.ws), "--today", str(day)],
            env={"MENTORCTL_TODAY": str(last)},
        )  # fmt: skip
        assert again.exit_code == 0, again.output
        assert again.stdout == text, (day, args)


def _saved(program_run, day: dt.date, *args: str) -> dict:
    return json.loads(program_run[1][(day, args)])


def _pair(program_run, day: dt.date, pair_id: str) -> dict:
    rows = _saved(program_run, day, "pairs", "--json")["pairs"]
    return next(r for r in rows if r["id"] == pair_id)


def _person(program_run, day: dt.date, pid: str) -> dict:
    return next(p for p in _saved(program_run, day, "people", "--json")["people"] if p["id"] == pid)


def test_the_pairs_are_the_ones_planned(program_run) -> None:
    rows = _saved(program_run, START, "pairs", "--json")["pairs"]
    assert [(r["id"], r["mentee"], r["mentor"]) for r in rows] == [
        ("M1", "P4", "P1"), ("M2", "P5", "P2"), ("M3", "P6", "P3"),
    ]  # fmt: skip


def test_a_pause_shows_for_the_person_and_the_pair_only_while_it_lasts(program_run) -> None:
    before, during, after = on(2, 2), on(2, 3), on(4, 0)
    assert _person(program_run, before, "P5")["status"] == "active"
    bo = _person(program_run, during, "P5")
    assert (bo["status"], bo["status_label"], bo["paused_until"]) == (
        "paused", f"Paused until {on(4, 0)}", str(on(4, 0)),
    )  # fmt: skip
    assert _pair(program_run, during, "M2")["status"] == "paused"
    assert _pair(program_run, before, "M2")["status"] == "active"
    assert _person(program_run, after, "P5")["status"] == "active"
    assert _pair(program_run, after, "M2")["status"] in ("active", "quiet")
    shown = _saved(program_run, on(2, 3), "people", "show", "P5", "--json")
    assert shown["status"] == "paused" and shown["events"][-1]["event"] == "paused"
    report = _saved(program_run, during, "report", "--json")
    assert report["pairs_by_status"]["paused"] == 1 and report["headline"]["paused_pairs"] == 1


def test_a_concern_is_open_then_resolved_on_its_days(program_run) -> None:
    raised, resolved = on(3, 1), on(3, 3)
    assert _saved(program_run, on(3, 0), "report", "--json")["concerns"]["details"] == []
    assert _pair(program_run, raised, "M1")["status"] == "paused"
    details = _saved(program_run, on(3, 2), "report", "--json")["concerns"]["details"]
    assert [c["status"] for c in details] == ["open"]
    details = _saved(program_run, resolved, "report", "--json")["concerns"]["details"]
    assert [c["status"] for c in details] == ["resolved"]
    assert _pair(program_run, resolved, "M1")["status"] == "active"


def test_an_ended_pair_stays_in_the_week_it_ended(program_run) -> None:
    ended = on(4, 2)
    assert _pair(program_run, on(4, 1), "M3")["status"] in ("active", "quiet")
    for day in (ended, on(7, 0), on(9, 2)):
        m3 = _pair(program_run, day, "M3")
        assert (m3["status"], m3["week"]) == ("ended", 4), day
    assert _person(program_run, on(4, 1), "P6")["status"] == "active"
    assert _person(program_run, ended, "P6")["status"] == "withdrawn"
    for week in range(5, 9):
        report = _saved(program_run, on(week, 6), "report", "--json")
        row = next(r for r in report["answer_rate"] if r["week"] == week)
        assert row["pairs"] <= 2, (week, row)  # M3 ended in week 4


def test_a_late_answer_is_known_from_the_day_it_arrived(program_run) -> None:
    def week3(day: dt.date) -> dict:
        report = _saved(program_run, day, "report", "--json")
        return next(r for r in report["answer_rate"] if r["week"] == 3)

    assert week3(on(5, 2))["answered"] == 0
    assert week3(on(5, 3))["answered"] == 1
    notes = _saved(program_run, on(5, 2), "report", "--json")["notes"]
    assert "late but here" not in json.dumps(notes)
    for day in (on(2, 0), on(4, 4), on(6, 0)):
        last = _pair(program_run, day, "M1")["last_answer"]
        assert last is not None and last <= str(day)
        report = _saved(program_run, day, "report", "--json")
        assert all(n["date"] <= str(day) for n in report["notes"])


def test_one_answer_rate_for_a_week_everywhere(program_run) -> None:
    for week in range(1, 9):
        day = on(week, 4)
        report = _saved(program_run, day, "report", "--json")
        row = next(r for r in report["answer_rate"] if r["week"] == week)
        head = report["headline"]
        assert (head["answered_this_week"], head["due_this_week"]) == (
            row["answered"], row["pairs"],
        ), week  # fmt: skip
        outcome = next(r for r in report["outcomes"]["by_week"] if r["week"] == week)
        assert (outcome["answered"], outcome["pairs"]) == (row["answered"], row["pairs"])
        assert row["answered"] <= row["pairs"]


def test_a_block_counts_from_its_day(program_run) -> None:
    admin, _ = program_run
    di = json.loads(admin.drawn(on(5, 0), ("people", "show", "P7", "--json")))
    assert [b["other"] for b in di["blocks"]] == ["P2"]
    before = json.loads(admin.drawn(on(4, 6), ("people", "show", "P7", "--json")))
    assert before["blocks"] == []


# -- the fold itself ------------------------------------------------------------------------


def _doc_people(**extra: dict) -> list[dict]:
    base = [
        {"id": "P1", "name": "Meg", "role": "mentor", "status": "active",
         "created": "2026-03-02T09:00:00+00:00"},
        {"id": "P2", "name": "Ann", "role": "mentee", "status": "active",
         "created": "2026-03-02T09:00:00+00:00"},
        {"id": "P3", "name": "Raj", "role": "mentor", "status": "active",
         "created": "2026-03-02T09:00:00+00:00"},
        {"id": "P4", "name": "Bo", "role": "mentee", "status": "active",
         "created": "2026-03-02T09:00:00+00:00"},
    ]  # fmt: skip
    return [{**p, **extra.get(p["id"], {})} for p in base]


def _doc_pair(pid: str, mentee: str, mentor: str, *changes: tuple[str, str]) -> dict:
    history = [{"at": f"{at}T09:00:00+00:00", "status": status} for at, status in changes]
    return {"id": pid, "mentee": mentee, "mentor": mentor, "status": history[-1]["status"],
            "start_date": "2026-03-02", "score": 0.5, "history": history}  # fmt: skip


def _weekly(pair: str, person: str, weeks: range) -> list[dict]:
    out = []
    for week in weeks:
        at = f"{on(week, 0)}T09:00:00+00:00"
        out.append({"id": f"E-{pair}-{week}", "pair": pair, "kind": "weekly", "week": week,
                    "to": [person], "created": at,
                    "delivery": {person: {"status": "written", "at": at}}})  # fmt: skip
    return out


TWO_PAIRS = [
    _doc_pair("M1", "P2", "P1", ("2026-03-02", "proposed"), ("2026-03-02", "active")),
    _doc_pair("M2", "P4", "P3", ("2026-03-02", "proposed"), ("2026-03-02", "active"),
              ("2026-03-18", "ended")),
]  # fmt: skip
MESSAGES = _weekly("M1", "P2", range(1, 9)) + _weekly("M2", "P4", range(1, 4))


def _fold(day: dt.date, **docs):
    docs.setdefault("people", _doc_people())
    docs.setdefault("pairs", TWO_PAIRS)
    docs.setdefault("messages", MESSAGES)
    return fold(day=day, duration_weeks=8, **docs)


def test_fold_pause_pauses_the_person_and_their_pair_and_takes_it_out_of_due() -> None:
    away = events.entry("2026-03-10T09:00:00+00:00", "paused", until="2026-03-24",
                        reason="surgery")  # fmt: skip
    people = _doc_people(P2={"history": [away]})
    before = _fold(on(2, 0), people=people)
    assert before.people["P2"].status == "active" and before.pairs["M1"].status == "active"
    during = _fold(on(2, 3), people=people)
    ann = during.people["P2"]
    assert (ann.status, ann.pause.until, ann.pause.reason) == ("paused", on(4, 1), "surgery")
    assert during.pairs["M1"].status == "paused" and during.pairs["M1"].paused_by == ("P2",)
    assert during.pairs["M1"].recorded == "active"
    assert "M1" not in during.due[2]  # paused that day, no answer
    later = _fold(on(4, 2), people=people)
    assert later.pairs["M1"].status == "active"
    assert "M1" not in later.due[2] and "M1" not in later.due[3]  # paused at those weeks' ends
    assert "M1" in later.due[4]
    resumed = events.entry("2026-03-12T09:00:00+00:00", "resumed")
    early = _fold(on(4, 2), people=_doc_people(P2={"history": [away, resumed]}))
    assert "M1" in early.due[3] and early.people["P2"].status == "active"


def test_fold_an_ended_pair_shows_the_week_it_ended_in_and_is_not_due_after() -> None:
    state = _fold(on(8, 2))
    m2 = state.pairs["M2"]
    assert (m2.status, m2.week, m2.ended) == ("ended", 3, dt.date(2026, 3, 18))
    assert "M2" in state.due[3]  # it ended during week 3: that week's message reached it
    assert all("M2" not in state.due.get(w, set()) for w in range(4, 9))
    assert _fold(on(2, 0)).pairs["M2"].week == 2  # before it ended: the week in course
    assert "M2" not in _fold(on(1, 0), pairs=TWO_PAIRS[:1]).pairs  # one not yet made


def test_fold_due_pairs_are_the_denominator_of_every_rate() -> None:
    answers = [
        {"pair": "M1", "person": "P2", "week": 3, "answers": {"met": "yes"},
         "at": f"{on(3, 2)}T09:00:00+00:00"},
        {"pair": "M2", "person": "P4", "week": 3, "answers": {"met": "no"},
         "at": f"{on(3, 1)}T09:00:00+00:00"},
    ]  # fmt: skip
    state = _fold(on(4, 1), answers=answers)
    assert state.due == {1: {"M1", "M2"}, 2: {"M1", "M2"}, 3: {"M1", "M2"}, 4: {"M1"}}
    data = figures.from_state(state)
    assert [(r["week"], r["answered"], r["pairs"]) for r in data["answer_rate"]] == [
        (1, 0, 2), (2, 0, 2), (3, 2, 2), (4, 0, 1),
    ]  # fmt: skip
    assert [(r["week"], r["answered"], r["pairs"]) for r in data["outcomes"]["by_week"]] == [
        (1, 0, 2), (2, 0, 2), (3, 2, 2), (4, 0, 1),
    ]  # fmt: skip
    head = data["headline"]
    assert (head["answered_this_week"], head["due_this_week"]) == (0, 1)
    # A week's message not yet delivered that day: the pair is not due for that week.
    pending = [dict(m, delivery={"P2": {"status": "failed", "at": m["created"]}})
               for m in MESSAGES if m["week"] == 4]  # fmt: skip
    others = [m for m in MESSAGES if m["week"] != 4]
    assert 4 not in _fold(on(4, 1), messages=others + pending).due


def test_fold_an_answer_is_known_from_the_day_it_was_recorded() -> None:
    late = {"pair": "M1", "person": "P2", "week": 3, "answers": {"note": "sorry, late"},
            "at": f"{on(5, 3)}T09:00:00+00:00", "updated": f"{on(6, 0)}T09:00:00+00:00"}  # fmt: skip
    before = _fold(on(5, 2), answers=[late])
    assert before.answers == [] and 3 not in before.answered
    assert before.pairs["M1"].last_answer is None
    arrived = _fold(on(5, 3), answers=[late])
    assert arrived.answered[3] == {"M1"} and arrived.pairs["M1"].last_answer == str(on(5, 3))
    assert arrived.answers[0]["updated"] == late["at"]  # its later change is not known yet
    assert _fold(on(6, 0), answers=[late]).pairs["M1"].last_answer == str(on(6, 0))


def test_fold_concerns_messages_and_unknown_statuses_as_of_the_day() -> None:
    concern = {"id": "C1", "pairs": {"M1": "active"}, "status": "resolved", "reason": "x",
               "raised": f"{on(2, 0)}T09:00:00+00:00", "resolved": f"{on(2, 3)}T09:00:00+00:00",
               "outcome": "continue"}  # fmt: skip
    assert _fold(on(1, 6), concerns=[concern]).concerns == []
    open_ = _fold(on(2, 1), concerns=[concern])
    assert open_.concerns[0]["status"] == "open" and "outcome" not in open_.concerns[0]
    assert open_.pairs["M1"].status == "paused" and open_.pairs["M1"].paused_by == ("C1",)
    assert _fold(on(2, 3), concerns=[concern]).pairs["M1"].status == "active"
    sent = {"P2": {"status": "sent", "at": f"{on(1, 2)}T09:00"}}
    late = [dict(MESSAGES[0], delivery=sent, status="sent")]
    assert _fold(on(1, 1), messages=late).messages[0]["status"] == "pending"
    assert _fold(on(1, 2), messages=late).messages[0]["status"] == "sent"
    odd = [_doc_pair("M1", "P2", "P1", ("2026-03-02", "active"), ("2026-03-09", "on_hold"))]
    state = _fold(on(3, 0), pairs=odd)
    data = figures.from_state(state)
    assert data["pairs"][0]["status_label"] == "On hold" and data["pairs_by_status"]["on_hold"] == 1


def test_fold_undeliverable_and_withdrawn_people() -> None:
    bounced = events.entry("2026-03-05T09:00:00+00:00", "undeliverable", address="ann@x.org",
                           reason="550 no such user")  # fmt: skip
    left = events.entry("2026-03-20T09:00:00+00:00", "withdrawn", reason="moved")
    people = _doc_people(P2={"history": [bounced]}, P4={"history": [left], "status": "withdrawn"})
    early = _fold(on(1, 1), people=people)
    assert early.people["P2"].undeliverable is None and early.people["P4"].status == "active"
    later = _fold(on(3, 5), people=people)
    assert later.people["P2"].undeliverable["reason"] == "550 no such user"
    assert later.people["P4"].status == "withdrawn"
    data = figures.from_state(later)
    assert [u["person"] for u in data["undeliverable"]] == ["P2"]
    assert data["headline"]["undeliverable"] == 1


# -- what happens later never changes a past day -------------------------------------------

DAYS = [START + dt.timedelta(days=n) for n in range(0, 70)]


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T09:00:00+00:00"


@st.composite
def programs(draw):
    """Documents of a small program whose every dated thing happened on one of DAYS."""
    n = draw(st.integers(1, 4))
    people, pairs, messages, answers, concerns = [], [], [], [], []
    for i in range(1, n + 1):
        for pid, role in ((f"P{2 * i - 1}", "mentor"), (f"P{2 * i}", "mentee")):
            people.append({"id": pid, "name": pid, "role": role, "status": "active",
                           "created": _stamp(START), "history": []})  # fmt: skip
        start = draw(st.sampled_from(DAYS[:14]))
        history = [{"at": _stamp(START), "status": "proposed"},
                   {"at": _stamp(start), "status": "active"}]  # fmt: skip
        pairs.append({"id": f"M{i}", "mentor": f"P{2 * i - 1}", "mentee": f"P{2 * i}",
                      "status": "active", "start_date": start.isoformat(), "score": 0.5,
                      "history": history})  # fmt: skip
        for week in range(1, 9):
            sent = start + dt.timedelta(days=7 * (week - 1))
            status = draw(st.sampled_from(["written", "sent", "failed"]))
            messages.append({"id": f"E{i}-{week}", "pair": f"M{i}", "kind": "weekly",
                             "week": week, "to": [f"P{2 * i}"], "created": _stamp(sent),
                             "status": status, "delivery": {f"P{2 * i}": {
                                 "status": status, "at": _stamp(sent)}}})  # fmt: skip
            if draw(st.booleans()):
                at = sent + dt.timedelta(days=draw(st.integers(0, 20)))
                answers.append({"pair": f"M{i}", "person": f"P{2 * i}", "week": week,
                                "answers": {"met": "yes", "note": f"w{week}"},
                                "at": _stamp(at), "updated": _stamp(at)})  # fmt: skip
    return {"people": people, "pairs": pairs, "messages": messages, "answers": answers,
            "concerns": concerns}  # fmt: skip


@st.composite
def later_events(draw, docs):
    """What may happen after a day: pauses, withdrawals, refusals, status changes, concerns."""
    out = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["pause", "withdraw", "refuse", "end", "quiet", "concern"]))
        at = draw(st.sampled_from(DAYS))
        person = draw(st.sampled_from(docs["people"]))["id"]
        pair = draw(st.sampled_from(docs["pairs"]))["id"]
        until = at + dt.timedelta(days=draw(st.integers(1, 20)))
        resolved = at + dt.timedelta(days=draw(st.integers(0, 10)))
        out.append((at, kind, person, pair, until, resolved))
    return out


def _apply(docs: dict, happened: list, upto: dt.date) -> dict:
    """The documents as a store would hold them once everything up to ``upto`` happened."""
    docs = json.loads(json.dumps(docs))
    people = {p["id"]: p for p in docs["people"]}
    pairs = {p["id"]: p for p in docs["pairs"]}
    docs["answers"] = [a for a in docs["answers"] if a["at"][:10] <= str(upto)]
    for m in docs["messages"]:
        if m["created"][:10] > str(upto):
            m["status"] = "pending"
            m["delivery"] = {p: {"status": "pending", "at": None} for p in m["to"]}
    for n, (at, kind, person, pair, until, resolved) in enumerate(
        sorted(happened, key=lambda e: e[0])
    ):
        if at > upto:
            continue
        stamp = _stamp(at)
        if kind == "pause":
            people[person]["history"].append(
                events.entry(stamp, "paused", until=until.isoformat(), reason="away")
            )
        elif kind == "withdraw":
            people[person]["history"].append(events.entry(stamp, "withdrawn", reason="left"))
            people[person]["status"] = "withdrawn"
        elif kind == "refuse":
            people[person]["history"].append(
                events.entry(stamp, "undeliverable", address="x@example.org", reason="550")
            )
        elif kind in ("end", "quiet"):
            status = "ended" if kind == "end" else "quiet"
            if pairs[pair]["status"] in ("active", "quiet") and at >= dt.date.fromisoformat(
                pairs[pair]["start_date"]
            ):
                pairs[pair]["history"].append({"at": stamp, "status": status})
                pairs[pair]["status"] = status
        else:
            concern = {"id": f"C{n}", "pairs": {pair: "active"}, "status": "open",
                       "raised": stamp, "reason": "r"}  # fmt: skip
            if resolved <= upto:
                concern.update(status="resolved", resolved=_stamp(resolved), outcome="continue")
            docs["concerns"].append(concern)
    return docs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_happens_after_a_day_never_changes_that_day(data) -> None:
    docs = data.draw(programs())
    happened = data.draw(later_events(docs))
    day = data.draw(st.sampled_from(DAYS))
    later = data.draw(st.sampled_from([d for d in DAYS if d >= day]))
    then = figures.from_state(fold(**_apply(docs, happened, day), day=day, duration_weeks=8))
    again = figures.from_state(fold(**_apply(docs, happened, later), day=day, duration_weeks=8))
    assert then == again
    for row in then["answer_rate"]:
        assert row["answered"] <= row["pairs"]
    head = then["headline"]
    assert head["answered_this_week"] <= head["due_this_week"]


def test_fold_a_message_written_then_sent_later_reached_them_on_the_first_day() -> None:
    from mentorctl.checkins.record import _entry

    written = _entry({}, "written", None, _stamp(on(1, 0)), False)
    sent = _entry(written, "sent", None, _stamp(on(1, 3)), True)  # the admin switched to SMTP
    assert (sent["reached"], sent["reached_as"]) == (_stamp(on(1, 0)), "written")
    again = _entry(sent, "sent", None, _stamp(on(1, 5)), True)
    assert again["reached"] == _stamp(on(1, 0))
    doc = dict(MESSAGES[0], delivery={"P2": sent}, status="sent")
    day1 = _fold(on(1, 1), messages=[doc])
    assert day1.due == {1: {"M1"}}
    assert day1.messages[0]["status"] == "written"
    assert day1.messages[0]["delivery"]["P2"]["at"] == _stamp(on(1, 0))
    assert _fold(on(1, 3), messages=[doc]).messages[0]["status"] == "sent"


def test_fold_counts_weeks_from_a_week_1_that_came_late() -> None:
    # M1's week 1 went out a week after its introduction (a weekly cron): its weeks, its due
    # weeks and the calendar count from that day, as the schedule does.
    late = [{**m, "week": m["week"] - 1} for m in _weekly("M1", "P2", range(2, 10))]
    pairs = TWO_PAIRS[:1]
    state = _fold(on(2, 0), pairs=pairs, messages=late)
    assert state.pairs["M1"].week == 1 and state.current_week(state.pairs["M1"]) == 1
    assert state.due == {1: {"M1"}}
    state = _fold(on(4, 3), pairs=pairs, messages=late)
    assert state.pairs["M1"].week == 3
    assert figures.from_state(state)["calendar"]["current_week"] == 3


def _introduced(tmp_path: Path, name: str) -> Admin:
    """A new program with the people above, paired and introduced on START."""
    ws = tmp_path / "ws"
    admin = Admin(ws)
    result = admin.runner.invoke(
        app, ["init-program", name, "--template", "career", "--dir", str(ws)],
        env={"MENTORCTL_TODAY": str(START)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    admin(START, "import-signups", write_csv(tmp_path / "people.csv", PEOPLE))
    admin(START, "pair", "--commit")
    admin(START, "introduce")
    return admin


def test_a_weekly_cron_shows_the_week_its_message_said(tmp_path: Path) -> None:
    admin = _introduced(tmp_path, "Weekly")
    for week in (1, 2, 3):
        day = on(week + 1, 0)  # each Monday from the one after the introduction
        admin(day, "checkin")
        pairs = json.loads(admin.drawn(day, ("pairs", "--json")))["pairs"]
        assert {p["week"] for p in pairs} == {week}, (day, pairs)
        report = json.loads(admin.drawn(day, ("report", "--json")))
        assert report["calendar"]["current_week"] == week
        assert [r["week"] for r in report["answer_rate"]] == list(range(1, week + 1))


def test_a_changed_answer_shows_what_it_said_on_each_day(tmp_path: Path) -> None:
    admin = _introduced(tmp_path, "Changes")
    admin(on(1, 1), "checkin")
    record = ("checkin", "--record", "M1", "--person", "P4", "--week", "1")
    admin(on(1, 2), *record, "--answer", "met=no")
    admin(on(1, 4), *record, "--answer", "met=yes", "--answer", "note=we met after all")
    admin(on(2, 0), *record, "--answer", "progress=4")

    def said(day: dt.date) -> dict:
        shown = json.loads(admin.drawn(day, ("pairs", "show", "M1", "--json")))
        return {k: v for a in shown["answers"] for k, v in a["answers"].items()}

    assert said(on(1, 3)) == {"met": "no"}
    assert said(on(1, 5)) == {"met": "yes", "note": "we met after all"}
    assert said(on(2, 1)) == {"met": "yes", "note": "we met after all", "progress": 4}
    weeks = json.loads(admin.drawn(on(1, 3), ("report", "--json")))["outcomes"]["by_week"]
    assert weeks[0]["week"] == 1 and weeks[0]["met"] == 0


def test_an_import_with_today_is_dated_that_day(tmp_path: Path) -> None:
    """``import-signups --today`` dates the sign-ups on that day, not on the computer's."""
    ws = tmp_path / "ws"
    runner = CliRunner()
    unset = {"MENTORCTL_TODAY": None, "MENTORCTL_NOW": None}

    def run(*args: str | Path) -> str:
        result = runner.invoke(app, [*map(str, args), "-w", str(ws)], env=unset)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    result = runner.invoke(
        app, ["init-program", "Dated", "--template", "career", "--dir", str(ws)], env=unset
    )
    assert result.exit_code == 0, result.output
    run("import-signups", write_csv(tmp_path / "people.csv", PEOPLE), "--today", str(START))
    shown = json.loads(run("people", "--json", "--today", str(on(1, 3))))["people"]
    assert len(shown) == 7
    assert {p["signed_up"] for p in shown} == {str(START)}, shown
