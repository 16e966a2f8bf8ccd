"""Two members leave a circle before one ``checkin`` run and it closes: each person gets one
notice, the right one; nobody is told the circle "goes on" with mentees who left."""

from __future__ import annotations

from pathlib import Path

import test_circle_ends
from helpers import PROGRAM
from messages_fixtures import messages
from test_circle_lifecycle import _bodies, _ids, _run

from mentorctl.checkins import circle_notices, circle_weekly
from mentorctl.checkins.outgoing import Outgoing, State
from mentorctl.store.db import Store

_pair_of = test_circle_ends._pair_of
circle = test_circle_ends.circle  # the fixtures: one circle of four, and a co-led one
co_led = test_circle_ends.co_led

NOTICES = ("circle_left", "circle_closed", "circle_farewell", "circle_handover", "ended")


def _told_on(workspace: Path, day: str) -> dict[str, list[str]]:
    """Each person's circle notices (and pair's ``ended``) made on ``day``, by kind."""
    out: dict[str, list[str]] = {}
    for m in messages(workspace):
        if m["kind"] in NOTICES and m["created"].startswith(day):
            for pid in m["to"]:
                out.setdefault(pid, []).append(m["kind"])
    return out


def test_two_mentees_leave_the_same_day_and_the_mentor_is_told_once_it_closed(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    for key in ("ae0", "ae1"):
        _run(cli, workspace, "withdraw", ids[key], "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-10")  # cron again: nothing twice
    assert _told_on(workspace, "2026-03-10") == {
        mentor: ["circle_closed"],
        ids["ae0"]: ["circle_farewell"],
        ids["ae1"]: ["circle_farewell"],
        ids["ae2"]: ["circle_closed"],
        ids["ae3"]: ["circle_closed"],
    }
    for texts in _bodies(workspace, "circle_closed").values():
        assert all("goes on" not in t for t in texts)
    # Any notice of the closed circle names as its mentees only those it closed with.
    with Store.reading(workspace / PROGRAM / "data" / "store.json") as store:
        state = State(store)
        left = _pair_of(workspace, ids["ae0"])
        o = Outgoing(left, circle_notices.LEFT, 0, mentor, [mentor], [mentor], None)
        context: dict = {}
        circle_weekly.context(state, o, context, "en")
    assert sorted(m["id"] for m in context["circle"]["mentees"]) == [ids["ae2"], ids["ae3"]]
    assert [m["id"] for m in context["circle"]["mentors"]] == [mentor]


def test_after_a_takeover_two_withdrawals_close_the_circle_with_one_notice_each(
    workspace: Path, cli, co_led: dict
) -> None:
    ids = _ids(workspace)
    lead, co = co_led["mentors"]
    _run(cli, workspace, "withdraw", lead, "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-10")
    for key in ("ae0", "ae1"):
        _run(cli, workspace, "withdraw", ids[key], "--today", "2026-03-11")
    _run(cli, workspace, "checkin", "--today", "2026-03-11")
    assert _told_on(workspace, "2026-03-11") == {
        co: ["circle_closed"],
        ids["ae0"]: ["circle_farewell"],
        ids["ae1"]: ["circle_farewell"],
        ids["ae2"]: ["circle_closed"],
        ids["ae3"]: ["circle_closed"],
    }
    assert not _bodies(workspace, "circle_left")
    assert not _bodies(workspace, "ended")


def test_one_mentee_leaves_the_circle_goes_on_naming_only_those_who_stay(
    workspace: Path, cli, circle: dict
) -> None:
    ids = _ids(workspace)
    mentor = circle["mentors"][0]
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "withdraw", ids["ae3"], "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-10")
    assert _told_on(workspace, "2026-03-10") == {
        mentor: ["circle_left"],
        ids["ae3"]: ["circle_farewell"],
    }
    (text,) = _bodies(workspace, "circle_left")[mentor]
    assert "Eli has left your circle" in text
    assert "goes on with 3 mentees: Bea, Cid and Dov." in text
