"""Random programs run through their days: what happens to people and pairs over the weeks.

A Hypothesis state machine drives one program at a time through the commands an admin and
cron use: ``checkin`` on random days (any cadence, with gaps), answers recorded, replies by
email read with ``checkin --replies MAILDIR`` (answers, a note, an out-of-office reply, a
late reply for an earlier week, a stranger's reply, a bounce), ``pause`` and ``pause --end``,
``withdraw``, ``block``, ``concern`` raised and resolved, ``forget``, and late sign-ups with
``pair --commit`` and ``introduce``. Half the programs send every run by SMTP (``--send``) to
a server on localhost that refuses one mentee's address for good (550). After every step it
checks:

- at most one scheduled message per person per pair in any program week, and one final;
- nothing scheduled goes to a pair that had ended, was paused by a concern, or one of whose
  people was on pause that day; nothing is made for, or tried again to, an address marked
  undeliverable, and the refused address is marked in the run that met the 550;
- a reply that is not an answer (automatic, a stranger's, a bounce) records nothing and
  leaves the pair's status as it was; an answer to a running pair is recorded; a bounce
  marks its person undeliverable; every reply read before is remembered, not listed again;
- every week's answered count is at most its due pairs, and the headline's rate, answered
  and due are the chart's row for the current week;
- the partners of people who left (withdrew, were blocked, forgotten, or ended by a concern)
  are waiting: in the next round of ``pair``;

and at the end, after the program has run its course, that every introduced pair that stayed
on got week 1 and the last step, then its wrap-up or lapsed message, that every person told
of an early end got the ``ended`` notice, and that ``report``, ``pairs`` and ``people``
(``--json``) saved at the end of every day are what ``--today DAY`` shows for it now.

The example count is kept small for the suite (profile ``lifecycle``; ``LIFECYCLE_NO_SHRINK``
skips shrinking); ``benchmarks/simulate_lifecycle.py`` runs it longer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import simulation_support as sim
from helpers import read_store
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from typer.testing import CliRunner

from mentorctl.checkins.schedule import week_of
from mentorctl.cli.app import app
from mentorctl.history import events
from mentorctl.report.asof import load

START = dt.date(2026, 3, 2)
PROGRAM = "life"
DURATION = 8
SCHEDULED = ("weekly", "wrapup", "lapsed")
HEADER = "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company"

settings.register_profile(
    "lifecycle",
    max_examples=int(os.environ.get("LIFECYCLE_EXAMPLES", "5")),
    stateful_step_count=int(os.environ.get("LIFECYCLE_STEPS", "16")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([] if os.environ.get("LIFECYCLE_NO_SHRINK") else [Phase.shrink]),
)

_RUNNER = CliRunner()
_PRISTINE: Path | None = None


def _row(n: int, role: str) -> str:
    if role == "mentee":
        return f"tee{n}@example.org,Tee{n} Mentee,Mentee,30,Networking,,English,UTC,,Org{n}"
    return f"tor{n}@example.org,Tor{n} Mentor,Mentor,50,,Networking,English,UTC,2,Big{n}"


def _pristine() -> Path:
    """One program with four mentees and three mentors, made once per session."""
    global _PRISTINE
    if _PRISTINE is None:
        root = Path(tempfile.mkdtemp(prefix="lifecycle-")) / "ws"
        args = ["init-program", "Life", "--slug", PROGRAM, "--template", "career", "--dir"]
        _cli(root, START, *args, str(root), workspace=False)
        csv = root.parent / "first.csv"
        rows = [_row(n, "mentee") for n in range(1, 5)] + [_row(n, "mentor") for n in (1, 2, 3)]
        csv.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        _cli(root, START, "import-signups", str(csv))
        _PRISTINE = root
    return _PRISTINE


def _cli(root: Path, day: dt.date, *args: str, workspace: bool = True) -> Any:
    extra = ["-w", str(root)] if workspace else []
    result = _RUNNER.invoke(app, [*args, *extra], env={"MENTORCTL_TODAY": day.isoformat()})
    return result


class Lifecycle(RuleBasedStateMachine):
    """One program; ``today`` moves forward; every command runs on ``today``."""

    @initialize(intro_offset=st.integers(-3, 3), smtp=st.booleans(), refused=st.integers(1, 4))
    def setup(self, intro_offset: int, smtp: bool, refused: int) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="lifecycle-run-"))
        self.root = self.dir / "ws"
        shutil.copytree(_pristine(), self.root)
        self.today = START + dt.timedelta(days=intro_offset)
        self.signups = 4
        self.left: set[str] = set()  # people whose partner left: they must be waiting
        self.maildir = self.dir / "Maildir"
        self.replies_sent = 0
        self.saved: dict[dt.date, dict[str, Any]] = {}  # each day's JSON, as it was that day
        self.gone: dict[str, tuple[dt.date, set[str]]] = {}  # forgotten: day, how shown
        # With SMTP, every run sends (--send) to a server on localhost that refuses one
        # mentee's address for good (550); without, runs write to the outbox.
        self.send = smtp
        self.refused = f"tee{refused}@example.org"
        if smtp:
            handler, port = sim.smtp_server()
            handler.refuse = {self.refused}
            sim.use_smtp(self.root / PROGRAM / "program.yaml", port)
        self.ok("pair", "--commit")
        self.introduce()

    def teardown(self) -> None:
        if hasattr(self, "dir"):
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------

    def run(self, *args: str) -> Any:
        return _cli(self.root, self.today, *args)

    def ok(self, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
        result = self.run(*args, "--json")
        assert result.exit_code in codes, (args, result.output)
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def sending(self) -> tuple[str, ...]:
        return ("--send",) if self.send else ()

    def introduce(self) -> None:
        # a refused address fails its introduction (exit 4) and is marked undeliverable
        self.ok("introduce", *self.sending(), codes=(0, 4))

    def store(self) -> dict[str, Any]:
        return read_store(self.root / PROGRAM / "data" / "store.json")

    def people(self, store: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in (store or self.store())["people"].values()}

    def pairs(self, store: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        return {p["id"]: p for p in (store or self.store())["pairs"].values()}

    def current(self, statuses: tuple[str, ...] = ("active", "quiet")) -> list[dict[str, Any]]:
        return sorted(
            (p for p in self.pairs().values() if p["status"] in statuses), key=lambda p: p["id"]
        )

    def _partners_of(self, pid: str) -> set[str]:
        return {
            p[other]
            for p in self.pairs().values()
            if p["status"] in ("active", "quiet", "paused")
            for role, other in (("mentee", "mentor"), ("mentor", "mentee"))
            if p[role] == pid
        }

    # -- the days --------------------------------------------------------------------------

    @rule(days=st.integers(1, 9), run=st.booleans())
    def days_pass(self, days: int, run: bool) -> None:
        self.today += dt.timedelta(days=days)
        if run:
            self.checkin()

    @rule()
    def checkin(self) -> None:
        before = self.store()
        got = self.ok("checkin", *self.sending(), codes=(0, 4))
        after = self.store()
        self._check_run(before, after)
        self._check_refusals(before, after, got)

    def _check_run(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Nothing scheduled goes to a pair that had ended, was paused, or whose person is
        away; only the partner of a person on pause is told, and only then."""
        old = {m["key"]: m for m in before["messages"].values()}
        pairs, people = self.pairs(before), self.people(before)
        marked = {pid for pid, p in people.items() if events.undeliverable_on(p, self.today)}
        for doc in after["messages"].values():
            # nothing more is tried for an address marked undeliverable
            was = old.get(doc["key"], {}).get("delivery", {})
            for pid in marked & set(doc.get("delivery", {})):
                attempts = doc["delivery"][pid].get("attempts", 0)
                assert attempts == was.get(pid, {}).get("attempts", 0), (doc["key"], pid)
            if doc["key"] in old:
                continue
            assert not marked & set(doc["to"]), (doc["key"], marked)
            pair = pairs.get(doc["pair"])
            if doc["kind"] in SCHEDULED:
                assert pair is not None and pair["status"] in ("active", "quiet"), doc["key"]
                for pid in (pair["mentee"], pair["mentor"]):
                    assert events.pause_on(people[pid], self.today) is None, doc["key"]
            elif doc["kind"] == "paused":
                assert pair is not None and pair["status"] in ("active", "quiet")
                away = pair["mentor"] if doc["to"] == [pair["mentee"]] else pair["mentee"]
                assert events.pause_on(people[away], self.today) is not None
            elif doc["kind"] == "ended":
                # (a pair held by a refused address ends in the run that tells the partner)
                pair = self.pairs(after).get(doc["pair"])
                assert pair is not None and pair["status"] in ("ended", "not_fit")
                assert doc["to"][0] in (pair.get("notify_ended") or [])

    def _check_refusals(self, before: dict[str, Any], after: dict[str, Any], got: Any) -> None:
        """A 550 for the refused address marks its person undeliverable in that run."""
        if not self.send:
            return
        people = self.people(after)
        for doc in after["messages"].values():
            for pid, d in doc.get("delivery", {}).items():
                person = people.get(pid)
                if person is None or person.get("email") != self.refused:
                    continue
                if d.get("attempts", 0):
                    assert d["status"] != "sent", doc["key"]
                    assert events.undeliverable_on(person, self.today), (doc["key"], got)

    # -- what people do --------------------------------------------------------------------

    @rule(data=st.data())
    def answer(self, data: st.DataObject) -> None:
        store = self.store()
        on = [p for p in self.current() if p.get("start_date")]
        if not on:
            return
        pair = data.draw(st.sampled_from(on))
        weeks = [
            m["week"]
            for m in store["messages"].values()
            if m["pair"] == pair["id"] and m["kind"] == "weekly"
        ]
        if not weeks:
            return
        person = data.draw(st.sampled_from([pair["mentee"], pair["mentor"]]))
        self.run("checkin", "--record", pair["id"], "--person", person,
                 "--week", str(max(weeks)), "--answer", "met=yes")  # fmt: skip

    @rule(data=st.data(), days=st.integers(1, 20))
    def pause(self, data: st.DataObject, days: int) -> None:
        people = [p for p in self.people().values() if p.get("status", "active") == "active"]
        if not people:
            return
        person = data.draw(st.sampled_from(sorted(p["id"] for p in people)))
        until = (self.today + dt.timedelta(days=days)).isoformat()
        self.run("pause", person, "--until", until, "--reason", "away")

    @rule(data=st.data())
    def end_pause(self, data: st.DataObject) -> None:
        away = [p["id"] for p in self.people().values() if events.pause_on(p, self.today)]
        if away:
            self.ok("pause", data.draw(st.sampled_from(sorted(away))), "--end")

    def _leaves(self, pid: str) -> None:
        self.left |= self._partners_of(pid)

    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        people = [p["id"] for p in self.people().values() if p.get("status") != "withdrawn"]
        if people:
            pid = data.draw(st.sampled_from(sorted(people)))
            self._leaves(pid)
            self.ok("withdraw", pid, "--reason", "moved")

    @rule(data=st.data())
    def block(self, data: st.DataObject) -> None:
        on = self.current(("active", "quiet", "paused"))
        if on:
            pair = data.draw(st.sampled_from(on))
            self.left |= {pair["mentee"], pair["mentor"]}
            self.ok("block", pair["mentee"], pair["mentor"], "--reason", "asked")

    @rule(data=st.data())
    def concern(self, data: st.DataObject) -> None:
        on = self.current()
        if on:
            self.ok("concern", data.draw(st.sampled_from(on))["id"], "--reason", "worried")

    @rule(data=st.data(), outcome=st.sampled_from(["continue", "end", "block"]))
    def resolve(self, data: st.DataObject, outcome: str) -> None:
        open_ = [c for c in self.store().get("concerns", {}).values() if c["status"] == "open"]
        if not open_:
            return
        concern = data.draw(st.sampled_from(sorted(c["id"] for c in open_)))
        if outcome != "continue":
            pairs = self.pairs()
            doc = next(c for c in open_ if c["id"] == concern)
            for pair_id in doc["pairs"]:
                if pairs[pair_id]["status"] == "paused":
                    self.left |= {pairs[pair_id]["mentee"], pairs[pair_id]["mentor"]}
        self.ok("concern", "--resolve", concern, "--outcome", outcome)

    @precondition(lambda self: len(self.store()["people"]) > 2)
    @rule(data=st.data())
    def forget(self, data: st.DataObject) -> None:
        people = self.people()
        pid = data.draw(st.sampled_from(sorted(people)))
        self._leaves(pid)
        self.left.discard(pid)
        p = people[pid]
        self.gone[pid] = (self.today, {pid, p["email"], p["name"], p["name"].split()[0]})
        self.ok("forget", people[pid]["email"], "--yes")

    @rule(mentees=st.integers(0, 2), mentors=st.integers(0, 1), introduce=st.booleans())
    def late_signups(self, mentees: int, mentors: int, introduce: bool) -> None:
        rows = []
        for _ in range(mentees):
            self.signups += 1
            rows.append(_row(self.signups, "mentee"))
        for _ in range(mentors):
            self.signups += 1
            rows.append(_row(self.signups, "mentor"))
        if rows:
            csv = self.dir / f"late-{self.signups}.csv"
            csv.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
            self.ok("import-signups", str(csv))
        committed = self.ok("pair", "--commit")
        for pair_id in committed.get("committed", {}).get("pairs", []):
            doc = self.pairs()[pair_id]
            self.left -= {doc["mentee"], doc["mentor"]}
        if introduce:
            self.introduce()

    @rule(
        data=st.data(),
        kind=st.sampled_from(["answer", "note", "auto", "late", "stranger", "bounce"]),
    )
    def reply_by_email(self, data: st.DataObject, kind: str) -> None:
        """A reply to a weekly message, written to the Maildir and read with --replies."""
        before = self.store()
        pairs, people = self.pairs(before), self.people(before)
        sent = sorted(
            (
                (m, pid)
                for m in before["messages"].values()
                if m["kind"] == "weekly" and m.get("message_id") and m["pair"] in pairs
                for pid in m["to"]
                if pid in people
            ),
            key=lambda x: (x[0]["key"], x[1]),
        )
        if kind == "late":  # an earlier week than the pair's latest
            latest: dict[str, int] = {}
            for m, _ in sent:
                latest[m["pair"]] = max(latest.get(m["pair"], 0), m["week"])
            sent = [(m, pid) for m, pid in sent if m["week"] < latest[m["pair"]]]
        if not sent:
            return
        msg, pid = data.draw(st.sampled_from(sent))
        person = people[pid]
        self.replies_sent += 1
        subject = f"Life, week {msg['week']}"
        if kind == "bounce":
            mail = sim.bounce(person["email"], msg["message_id"])
        else:
            sender = "Stranger <stranger@example.net>" if kind == "stranger" else person["email"]
            mail = sim.reply(
                kind, sender, msg["message_id"], subject, self.today, self.replies_sent
            )
        sim.add_to_maildir(self.maildir, mail)
        got = self.ok("checkin", "--replies", str(self.maildir))
        after = self.store()
        # every reply read before is remembered: only this one may be listed
        assert all(x["pair"] in (msg["pair"], "", None) for x in got["listed"]), got
        # (a second bounce for one message has the first one's Message-ID: seen before)
        fresh = got["messages"] - got["seen_before"] - got["already"]
        assert fresh == 1 or (kind == "bounce" and fresh == 0), got
        slot = (msg["pair"], pid, msg["week"])
        answers = {
            (a["pair"], a["person"], a["week"]): a for a in before.get("answers", {}).values()
        }
        now = {(a["pair"], a["person"], a["week"]): a for a in after.get("answers", {}).values()}
        pair = pairs[msg["pair"]]
        if kind in ("auto", "stranger", "bounce"):
            # never an answer: nothing recorded, the pair's quiet spell as it was
            assert now == answers, (kind, got)
            assert self.pairs(after)[pair["id"]]["status"] == pair["status"], (kind, got)
        elif pair["status"] in ("ended", "not_fit"):
            # refused, unless written (08:30 today) before the pair ended (09:00 today)
            ended = max((h["at"] for h in pair["history"] if h.get("status") == pair["status"]),
                        default="")  # fmt: skip
            if ended[:10] < self.today.isoformat():
                assert now == answers, (kind, got)
        elif pair["status"] in ("active", "quiet"):
            assert slot in now, (kind, slot, got)
            assert "note" in now[slot]["answers"], (kind, slot, got)
            if kind != "note":
                assert self.pairs(after)[pair["id"]]["status"] == "active", (kind, got)
        if kind == "bounce":
            assert events.undeliverable_on(self.people(after)[pid], self.today), got

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def one_scheduled_message_a_week(self) -> None:
        if not hasattr(self, "root"):
            return
        store = self.store()
        pairs = self.pairs(store)
        made: dict[tuple[str, str], list[int]] = {}
        finals: dict[tuple[str, str], int] = {}
        for doc in store["messages"].values():
            if doc["kind"] not in SCHEDULED or doc["pair"] not in pairs:
                continue
            start = dt.date.fromisoformat(pairs[doc["pair"]]["start_date"])
            for person in doc["to"]:
                if doc["kind"] == "weekly":
                    week = week_of(start, dt.date.fromisoformat(doc["created"][:10]))
                    made.setdefault((doc["pair"], person), []).append(week)
                else:
                    finals[(doc["pair"], person)] = finals.get((doc["pair"], person), 0) + 1
        for key, weeks in made.items():
            assert len(weeks) == len(set(weeks)), (key, weeks)
        assert all(n == 1 for n in finals.values()), finals

    @invariant()
    def the_day_is_saved_and_its_rates_count_due_pairs(self) -> None:
        if not hasattr(self, "root"):
            return
        self.save()
        report = self.saved[self.today]["report"]
        for row in report["answer_rate"]:
            assert 0 <= row["answered"] <= row["pairs"], row
        head = report["headline"]
        week = report["calendar"]["current_week"]
        assert head["week"] == (week or None), (head, report["calendar"])
        assert 0 <= head["answered_this_week"] <= head["due_this_week"], head
        # One answer rate for a week: the headline is the chart's row for the current week.
        row = next((r for r in report["answer_rate"] if r["week"] == week), None)
        if row is None:
            assert (head["answered_this_week"], head["due_this_week"]) == (0, 0), head
            assert head["answer_rate_this_week"] is None, head
        else:
            assert head["answered_this_week"] == row["answered"], (head, row)
            assert head["due_this_week"] == row["pairs"], (head, row)
            assert head["answer_rate_this_week"] == row["rate"], (head, row)
        # An ended pair is due only in the weeks that began before the day it ended.
        state = load(self.root / PROGRAM / "data" / "store.json", today=self.today,
                     duration_weeks=DURATION)  # fmt: skip
        for week, due in state.due.items():
            for pid in due:
                pair = state.pairs[pid]
                if pair.ended is not None and pair.start is not None:
                    began = pair.start + dt.timedelta(days=7 * (week - 1 + pair.offset))
                    assert began < pair.ended, (pid, week, pair.ended)

    def save(self) -> None:
        """The day's report, pairs and people as JSON, as they are at the end of its steps."""
        self.saved[self.today] = self.shown()

    def shown(self, day: dt.date | None = None) -> dict[str, Any]:
        extra = ("--today", day.isoformat()) if day else ()
        return {name: self.ok(name, *extra) for name in ("report", "pairs", "people")}

    def check_past_days(self) -> None:
        """Every saved day, regenerated now with --today, is what was shown that day: every
        figure, status and week; people forgotten since show only as [forgotten] (their
        sign-up answers erased)."""
        for day, was in sorted(self.saved.items()):
            gone = {pid: shown for pid, (when, shown) in self.gone.items() if when >= day}
            now = sim.forget_in(self.shown(day), gone)
            then = sim.forget_in(was, gone)
            diff = sim.first_difference(then, now)
            assert diff is None, (day.isoformat(), self.today.isoformat(), diff)

    @invariant()
    def partners_of_people_who_left_are_waiting(self) -> None:
        if not hasattr(self, "root"):
            return
        from mentorctl.matching.pairs import snapshot
        from mentorctl.matching.rounds import HOLDING, out_of_round
        from mentorctl.store.db import Store

        with Store.reading(self.root / PROGRAM / "data" / "store.json") as store:
            snap = snapshot(store)
        out = {p["id"] for p in out_of_round(snap)}
        holding = {p[r] for p in snap.pairs if p["status"] in HOLDING for r in ("mentee", "mentor")}
        present = {p["id"]: p for p in snap.people}
        for pid in self.left:
            person = present.get(pid)
            if person is None or person.get("status", "active") != "active" or pid in holding:
                continue
            assert pid not in out, pid

    # -- the end ---------------------------------------------------------------------------

    def check_the_end(self) -> None:
        """Resolve what is open, run weekly to long past the end, and check every pair."""
        for concern in self.store().get("concerns", {}).values():
            if concern["status"] == "open":
                self.ok("concern", "--resolve", concern["id"], "--outcome", "continue")
        self.introduce()
        self.save()
        for _ in range(DURATION + 6):
            self.today += dt.timedelta(days=7)
            self.checkin()
            self.save()
            if not self.current(("proposed", "active", "quiet", "paused")):
                break
        store = self.store()
        got: dict[tuple[str, str], set[tuple[str, int]]] = {}
        for doc in store["messages"].values():
            for person in doc["to"]:
                got.setdefault((doc["pair"], person), set()).add((doc["kind"], doc["week"]))
        everyone, end = self.people(store), self.today
        for pair in self.pairs(store).values():
            # nothing can reach an address refused for good, nor a person forgotten
            reachable = [pid for pid, p in everyone.items() if not events.undeliverable_on(p, end)]
            people = [p for p in (pair["mentee"], pair["mentor"]) if p in reachable]
            if pair["status"] in ("completed", "lapsed"):
                final = "wrapup" if pair["status"] == "completed" else "lapsed"
                for pid in people:
                    mine = got.get((pair["id"], pid), set())
                    assert {("weekly", 1), ("weekly", DURATION), (final, DURATION)} <= mine
            else:
                # a pair never introduced because an address was refused for good ends too,
                # and its partner is back in the round; a pair nothing could reach ended
                # completed or lapsed above, like every other
                assert pair["status"] in ("ended", "not_fit"), pair
                if str(pair.get("end_reason")).startswith("introduction undeliverable"):
                    assert not pair.get("start_date"), pair
            for pid in pair.get("notify_ended") or []:
                if pid in reachable:
                    assert ("ended", 0) in got.get((pair["id"], pid), set()), (pair["id"], pid)


class _Run(Lifecycle):
    def teardown(self) -> None:
        try:
            if hasattr(self, "root"):
                self.check_the_end()
                self.check_past_days()
        finally:
            super().teardown()


TestLifecycle = _Run.TestCase
TestLifecycle.settings = settings.get_profile("lifecycle")


def test_a_past_day_shows_the_end_reason_of_a_pair_whose_person_was_forgotten_since() -> None:
    """Forgetting a person of a pair that had already ended redacts its end reason (shown as
    [forgotten]) rather than erasing it: a past day still shows the pair ended for a reason."""
    m = Lifecycle()
    try:
        m.setup(0, False, 1)
        m.ok("withdraw", "P3", "--reason", "moved")
        then = {p["id"]: p for p in m.ok("pairs")["pairs"]}
        assert then["M3"]["end_reason"] == "a person withdrew"
        m.today += dt.timedelta(days=6)
        m.ok("forget", m.people()["P6"]["email"], "--yes")
        now = {p["id"]: p for p in m.ok("pairs", "--today", START.isoformat())["pairs"]}
        assert now["M3"]["status"] == "ended"
        assert now["M3"]["end_reason"] == sim.FORGOTTEN
    finally:
        m.teardown()


def test_a_pair_whose_people_were_both_forgotten_keeps_the_weeks_it_had() -> None:
    """Week 1 made after the introduction: the pair's weeks count from it, and still do on a
    past day after both its people are forgotten (their messages erased)."""
    m = Lifecycle()
    try:
        m.setup(0, False, 1)
        m.today += dt.timedelta(days=8)
        m.checkin()
        day = m.today.isoformat()
        assert {p["id"]: p["week"] for p in m.ok("pairs")["pairs"]}["M1"] == 1
        m.ok("forget", "tee1@example.org", "--yes")
        m.today += dt.timedelta(days=7)
        m.ok("forget", m.people()["P5"]["email"], "--yes")
        again = {p["id"]: p for p in m.ok("pairs", "--today", day)["pairs"]}
        assert (again["M1"]["mentee"], again["M1"]["mentor"]) == ("forgotten", "forgotten")
        assert again["M1"]["week"] == 1
    finally:
        m.teardown()


def test_a_past_day_before_a_pair_s_introduction_shows_no_start_date() -> None:
    """A pair committed one day and introduced the next has no start date on the first day,
    in pairs and in the report, whenever that day is shown."""
    m = Lifecycle()
    try:
        m.setup(0, False, 1)
        m.late_signups(1, 1, False)
        day = m.today.isoformat()
        late = [p["id"] for p in m.ok("pairs")["pairs"] if p["start_date"] is None]
        assert late
        m.today += dt.timedelta(days=1)
        m.introduce()
        pairs = {p["id"]: p for p in m.ok("pairs", "--today", day)["pairs"]}
        rows = {p["pair"]: p for p in m.ok("report", "--today", day)["pairs"]}
        for pair_id in late:
            assert pairs[pair_id]["start_date"] is None
            assert rows[pair_id]["start_date"] is None
    finally:
        m.teardown()


def test_a_past_day_drawn_after_a_forget_shows_no_note_of_the_forgotten_person() -> None:
    """What a person forgotten since wrote in a note is not shown on a past day (their
    partner's notes are), and the past-day check allows for it as for their other records."""
    m = Lifecycle()
    try:
        m.setup(0, False, 1)
        m.today += dt.timedelta(days=8)
        m.checkin()
        pair = m.pairs()["M1"]
        for person, text in ((pair["mentee"], "mentee's note"), (pair["mentor"], "mentor's")):
            m.ok("checkin", "--record", "M1", "--person", person, "--week", "1",
                 "--answer", "met=yes", "--answer", f"note={text}")  # fmt: skip
        m.save()
        day = m.today
        assert {n["text"] for n in m.saved[day]["report"]["notes"]} >= {"mentee's note", "mentor's"}
        m.today += dt.timedelta(days=1)
        gone = m.people()[pair["mentee"]]
        m.gone[gone["id"]] = (m.today, {gone["id"], gone["email"], gone["name"]})
        m.ok("forget", gone["email"], "--yes")
        notes = m.ok("report", "--today", day.isoformat())["notes"]
        assert "mentee's note" not in {n["text"] for n in notes}
        assert "mentor's" in {n["text"] for n in notes}
        m.check_past_days()
    finally:
        m.teardown()
