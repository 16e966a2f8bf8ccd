"""Program health figures as of a day, computed from the fold of the store's dated history
(:mod:`mentorctl.history.fold`; pure: no printing).

``from_state`` takes the fold of one day and returns a plain dict (:mod:`.by_round` draws
one round of it); ``compute`` folds plain documents (people, pairs, answers, messages,
concerns, blocks) first. Every rate counts the
week's due pairs of the fold. With ``anonymous`` the dict holds aggregates only: no names,
emails, person or pair ids, no list of pairs, no notes, no concern details and no list of
undeliverable addresses, so it can be shown outside the admins' circle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from mentorctl.checkins.meeting_replies import accepted_by_both
from mentorctl.checkins.schedule import parse_day, week_of
from mentorctl.history.fold import HOLDING, RUNNING, PairOn, State, fold, id_key
from mentorctl.report import asof, outcomes
from mentorctl.report.circles import rows as circle_rows
from mentorctl.report.labels import day, pair_status_label, who

PAIR_STATUSES = asof.PAIR_STATUSES
BUCKETS = 5  # 0-0.2, 0.2-0.4, ... 0.8-1.0
# An anonymous report counts answers that are not one of the program's topics under this.
OTHER_TOPIC = "other"


def bucket_labels() -> list[str]:
    step = 1 / BUCKETS
    return [f"{i * step:.1f}-{(i + 1) * step:.1f}" for i in range(BUCKETS)]


def compute(
    *,
    people: Iterable[dict[str, Any]],
    pairs: Iterable[dict[str, Any]],
    answers: Iterable[dict[str, Any]] = (),
    concerns: Iterable[dict[str, Any]] = (),
    messages: Iterable[dict[str, Any]] = (),
    blocks: Iterable[dict[str, Any]] = (),
    today: dt.date,
    duration_weeks: int,
    **options: Any,
) -> dict[str, Any]:
    """The report's figures from the store's documents, as of the end of ``today``."""
    state = fold(
        people=people, pairs=pairs, answers=answers, messages=messages, concerns=concerns,
        blocks=blocks, day=today, duration_weeks=duration_weeks,
    )  # fmt: skip
    return from_state(state, **options)


def from_state(
    state: State,
    *,
    program_name: str = "",
    default_capacity: int = 2,
    anonymous: bool = False,
    topics: Iterable[str] = (),
    start_date: Any = None,
) -> dict[str, Any]:
    """The report's figures from the fold of one day. ``topics`` are program.yaml's
    ``signup.topics``: an anonymous report names those only, since a free-text answer may
    name a person."""
    pairs = [state.pairs[k] for k in sorted(state.pairs, key=id_key)]
    by_id = {pid: p.doc for pid, p in state.people.items()}
    # A forgotten person is counted on the days before the forget, named on none.
    by_id.update({pid: _GONE for pid in state.forgotten})

    # Sign-ups by role and by their status that day.
    signups: dict[str, dict[str, int]] = {}
    for person in state.people.values():
        role = str(person.doc.get("role") or "unknown")
        of_role = signups.setdefault(role, {})
        of_role[person.status] = of_role.get(person.status, 0) + 1

    waiting = asof.waiting(state)

    status_counts = Counter(p.status for p in pairs)
    pairs_by_status = {s: status_counts.get(s, 0) for s in PAIR_STATUSES}
    for status, count in status_counts.items():
        pairs_by_status.setdefault(status, count)

    # Mentor capacity: slots used by holding pairs over the capacity of mentors still in
    # (a mentor away keeps the pairs they hold).
    used = Counter(p.doc.get("mentor") for p in pairs if p.recorded in HOLDING)
    mentors = [
        p.doc
        for p in state.people.values()
        if p.doc.get("role") in ("mentor", "both") and p.status in ("active", "paused")
    ]
    total_slots = sum(int(m.get("capacity") or default_capacity) for m in mentors)
    used_slots = sum(used.get(m.get("id"), 0) for m in mentors)
    capacity = {
        "mentors": len(mentors),
        "used": used_slots,
        "total": total_slots,
        "rate": round(used_slots / total_slots, 4) if total_slots else None,
    }

    gap = recruitment_gap(
        waiting, mentors, used, default_capacity, topics=list(topics) if anonymous else None
    )

    scores = [0] * BUCKETS
    for pair in pairs:
        score = pair.doc.get("score")
        if isinstance(score, int | float):
            index = min(BUCKETS - 1, max(0, int(float(score) * BUCKETS)))
            scores[index] += 1
    distribution = [
        {"bucket": label, "pairs": n} for label, n in zip(bucket_labels(), scores, strict=True)
    ]

    calendar = calendar_of(state, pairs, start_date)
    current = calendar["current_week"]

    # Answer rate by program week: of the week's due pairs, those that answered it.
    answer_rate = []
    for week in sorted(state.due):
        in_week = state.due[week]
        n = len(in_week & state.answered.get(week, set()))
        answer_rate.append(
            {
                "week": week,
                "answered": n,
                "pairs": len(in_week),
                "rate": round(n / len(in_week), 4) if in_week else None,
            }
        )

    quiet = []
    for pair in pairs:
        if pair.status != "quiet":
            continue
        since = pair.quiet_since
        # Kept as the program week it turned quiet in (older stores: a date).
        since_text = f"week {since}" if isinstance(since, int) else day(since)
        row: dict[str, Any] = {"since": since_text}
        if not anonymous:
            row = {"pair": pair.doc.get("id"), **row}
            row["mentee"] = _name(by_id, pair.doc.get("mentee"))
            row["mentor"] = _name(by_id, pair.doc.get("mentor"))
            row["mentee_id"] = _shown(by_id, pair.doc.get("mentee"))
            row["mentor_id"] = _shown(by_id, pair.doc.get("mentor"))
            if pair.doc.get("circle"):  # a circle's member, quiet on their own
                row["circle"] = pair.doc["circle"]
        quiet.append(row)

    concerns = state.concerns
    concern_counts = Counter(str(c.get("status") or "open") for c in concerns)
    concern_block: dict[str, Any] = {
        "open": concern_counts.get("open", 0),
        "resolved": concern_counts.get("resolved", 0),
    }
    if not anonymous:
        concern_block["details"] = [
            {
                "id": c.get("id"),
                "status": c.get("status"),
                "pairs": sorted(c.get("pairs") or {}),
                "pair_names": {
                    pid: [
                        _name(by_id, (state.pairs[pid].doc if pid in state.pairs else {}).get(k))
                        for k in ("mentee", "mentor")
                    ]
                    for pid in sorted(c.get("pairs") or {})
                },
                "raised": day(c.get("raised")),
                "reason": c.get("reason"),
            }
            for c in sorted(concerns, key=lambda c: id_key(c.get("id")))
        ]

    away = [(pid, p) for pid, p in state.people.items() if p.undeliverable is not None]
    # The list of pairs is for the admins only: even without names, pair ids and start dates
    # let someone who knows the people tell which pair is whose.
    pair_rows = [] if anonymous else _pair_rows(state, pairs, by_id)

    report: dict[str, Any] = {
        "program": program_name,
        "anonymous": anonymous,
        "calendar": calendar,
        "signups": {role: dict(sorted(v.items())) for role, v in sorted(signups.items())},
        "people": len(state.people),
        "waiting_mentees": len(waiting),
        "recruitment_gap": gap,
        "pairs_by_status": pairs_by_status,
        "capacity": capacity,
        "score_distribution": distribution,
        "answer_rate": answer_rate,
        "quiet_pairs": quiet,
        "concerns": concern_block,
        "pairs": pair_rows,
        "headline": _headline(
            state, pairs, len(state.people), concern_block["open"], len(waiting), current
        ),
        "outcomes": {
            "by_week": outcomes.by_week(answers=state.answers, due=state.due),
            "endings": outcomes.endings(p.status for p in pairs),
        },
    }
    report["circles"] = circle_rows(
        state, lambda pid: who(_name(by_id, pid), _shown(by_id, pid)), anonymous=anonymous
    )
    report["headline"]["undeliverable"] = len(away)
    if not anonymous:
        # Each with the pairs still on that it holds back: "held" when not introduced yet.
        held: dict[str, list[str]] = {}
        for pair in pairs:
            for pid in asof.refused(state, pair).values():
                mark = " (held)" if pair.recorded == "proposed" else ""
                held.setdefault(pid, []).append(f"{pair.doc.get('id')}{mark}")
        report["undeliverable"] = [
            {
                "person": _shown(by_id, pid),
                "name": _name(by_id, pid),
                **asof.undeliverable_row(p.undeliverable),
                "pairs": held.get(pid, []),
            }
            for pid, p in sorted(away, key=lambda kv: id_key(kv[0]))
        ]
        report["notes"] = outcomes.notes(
            state.answers, lambda pid: _name(by_id, pid), lambda pid: _shown(by_id, pid)
        )
    return report


def calendar_of(state: State, pairs: Iterable[PairOn], start_date: Any = None) -> dict[str, Any]:
    """The calendar of ``pairs`` (a program's, or a round's): its weeks count from
    ``start_date`` when it is set, else from the earliest start of one of the pairs."""
    pairs = list(pairs)
    today, duration_weeks = state.day, state.duration_weeks
    starts = [p.start for p in pairs if p.start is not None]
    earliest = parse_day(start_date) or (min(starts) if starts else None)
    current = None
    if earliest is not None:
        current = max(0, min(duration_weeks, week_of(earliest, today)))
        # Pairs whose week 1 came late count their weeks from it: the calendar follows them.
        running = [w for p in pairs if (w := state.current_week(p)) is not None]
        if running:
            current = max(running)
    return {
        "weeks": duration_weeks,
        "start": earliest.isoformat() if earliest else None,
        "current_week": current,
        "weeks_left": (duration_weeks - current) if current is not None else duration_weeks,
        "today": today.isoformat(),
    }


def _headline(
    state: State,
    pairs: list[PairOn],
    people: int,
    open_concerns: int,
    waiting: int,
    week: int | None,
) -> dict[str, Any]:
    """People, running pairs, this week's and last week's answer rates, quiet pairs, open
    concerns, waiting mentees. "This week" is the calendar's current week (``week``), and its
    figures are the chart's row for that week: the pairs due in it and those of them that
    answered it. A weekly cron run reads replies and starts a new week at once, so this
    week's rate is about nothing yet; last week's (the chart's row before) is the one that
    says how the pairs are doing."""

    def rate(of: int | None) -> tuple[float | None, int, int]:
        due_pairs = state.due.get(of, set()) if of else set()
        done = len(due_pairs & state.answered.get(of, set())) if due_pairs else 0
        return (round(done / len(due_pairs), 4) if due_pairs else None), done, len(due_pairs)

    now, done, due = rate(week)
    before = week - 1 if week and week > 1 else None
    then, done_before, due_before = rate(before)
    return {
        "people": people,
        "active_pairs": sum(1 for p in pairs if p.status in RUNNING),
        # pairs on whose two people both accepted the meeting invitation: a live pair
        "meeting_accepted": sum(
            1
            for p in pairs
            if p.status in RUNNING and accepted_by_both(p.doc, state.day.isoformat())
        ),
        "paused_pairs": sum(1 for p in pairs if p.status == "paused"),
        "week": week or None,
        "answer_rate_this_week": now,
        "answered_this_week": done,
        "due_this_week": due,
        "last_week": before,
        "answer_rate_last_week": then,
        "answered_last_week": done_before,
        "due_last_week": due_before,
        "quiet_pairs": sum(1 for p in pairs if p.status == "quiet"),
        "open_concerns": open_concerns,
        "waiting_mentees": waiting,
    }


def _pair_rows(
    state: State, pairs: list[PairOn], by_id: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for pair in pairs:
        doc = pair.doc
        mentee = by_id.get(str(doc.get("mentee"))) or {}
        mentor = by_id.get(str(doc.get("mentor"))) or {}
        refused = asof.refused(state, pair)
        rows.append(
            {
                "pair": doc.get("id"),
                "status": pair.status,
                "status_label": pair_status_label(pair.status, list(refused), pair.recorded),
                "undeliverable": [_shown(by_id, p) for p in refused.values()],
                "score": doc.get("score"),
                "start_date": day(doc.get("start_date"))
                if pair.start and doc.get("start_date")
                else None,
                "week": pair.week,
                "last_answer": pair.last_answer,
                "end_reason": doc.get("end_reason") if pair.recorded not in HOLDING else None,
                "mentee_id": _shown(by_id, doc.get("mentee")),
                "mentee": _name(by_id, doc.get("mentee")),
                "mentee_email": mentee.get("email"),
                "mentor_id": _shown(by_id, doc.get("mentor")),
                "mentor": _name(by_id, doc.get("mentor")),
                "mentor_email": mentor.get("email"),
            }
        )
    return rows


def recruitment_gap(
    waiting: list[dict[str, Any]],
    mentors: list[dict[str, Any]],
    used: Counter[Any],
    default_capacity: int,
    lines: int = 5,
    *,
    topics: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The topics waiting mentees want most beyond what free mentor slots offer (aggregates).

    With ``topics`` (an anonymous report), an answer that is not one of them is counted as
    "other": free text such as "meet Ana Lopez (ana@example.org)" must not be shown.
    """
    known = None if topics is None else {str(t).strip().casefold(): str(t) for t in topics}

    def label(answer: Any) -> str:
        text = str(answer)
        return text if known is None else known.get(text.strip().casefold(), OTHER_TOPIC)

    wanted: Counter[str] = Counter()
    names: dict[str, str] = {}
    for mentee in waiting:
        for goal in mentee.get("goals") or []:
            name = label(goal)
            wanted[name.casefold()] += 1
            names.setdefault(name.casefold(), name)
    offered: Counter[str] = Counter()
    for mentor in mentors:
        free = int(mentor.get("capacity") or default_capacity) - used.get(mentor.get("id"), 0)
        if free > 0:
            for topic in mentor.get("expertise") or []:
                offered[label(topic).casefold()] += free
    short = sorted(
        (key for key in wanted if wanted[key] > offered[key]),
        key=lambda key: (offered[key] - wanted[key], names[key]),
    )
    return [
        {
            "topic": names[key],
            "waiting": wanted[key],
            "free_slots": offered[key],
            "text": f"{wanted[key]} waiting mentee(s) want '{names[key]}'; "
            f"{offered[key] or 'no'} free mentor slot(s) offer it",
        }
        for key in short[:lines]
    ]


# How a forgotten person shows: their id as ``forgotten``, name and address as [forgotten].
_GONE = {"id": "forgotten", "name": "[forgotten]", "email": "[forgotten]"}


def _name(by_id: dict[str, dict[str, Any]], pid: Any) -> str:
    person = by_id.get(str(pid))
    if person is None:
        return "[forgotten]" if pid == "forgotten" else "(unknown)"
    return str(person.get("name") or person.get("id") or "")


def _shown(by_id: dict[str, dict[str, Any]], pid: Any) -> Any:
    """A person's id as shown: ``forgotten`` for a forgotten person."""
    return "forgotten" if by_id.get(str(pid)) is _GONE else pid
