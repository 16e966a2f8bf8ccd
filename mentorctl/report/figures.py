"""Program health figures, computed from the store's documents (pure: no printing).

``compute`` takes plain documents (people, pairs, answers, concerns) and returns a plain
dict. With ``anonymous`` the dict holds aggregates only: no names, emails, person or pair
ids, no list of pairs, no notes and no concern details, so it can be shown outside the
admins' circle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mentorctl.checkins.schedule import parse_day, week_of
from mentorctl.matching.rounds import waiting_mentees
from mentorctl.report import outcomes
from mentorctl.report.labels import day, status_label

HOLDING = frozenset({"proposed", "active", "quiet", "paused"})
PAIR_STATUSES = ("proposed", "active", "quiet", "paused", "completed", "lapsed", "ended", "not_fit")
STARTED = frozenset({"active", "quiet", "paused", "completed", "lapsed", "not_fit", "ended"})
ROLES = ("mentee", "mentor", "both")
BUCKETS = 5  # 0-0.2, 0.2-0.4, ... 0.8-1.0
# An anonymous report counts answers that are not one of the program's topics under this.
OTHER_TOPIC = "other"


def status_on(pair: dict[str, Any], day: dt.date) -> str | None:
    """The pair's status as it stood at the end of ``day``, from its dated history; None
    when the pair did not exist yet. On or after its last change: its status now."""
    changes = [
        (str(h.get("at") or "")[:10], h["status"])
        for h in pair.get("history") or ()
        if isinstance(h, dict) and h.get("status")
    ]
    iso = day.isoformat()
    if not changes or iso >= max(at for at, _ in changes):
        return pair.get("status")
    standing = None
    for at, status in changes:  # history is kept in order
        if at <= iso:
            standing = status
    return standing


def as_of(pairs: Iterable[dict[str, Any]], day: dt.date) -> list[dict[str, Any]]:
    """The pairs as they stood on ``day``: later pairs left out, statuses of that day."""
    out = []
    for pair in pairs:
        status = status_on(pair, day)
        if status is not None:
            out.append(pair if status == pair.get("status") else dict(pair, status=status))
    return out


def bucket_labels() -> list[str]:
    step = 1 / BUCKETS
    return [f"{i * step:.1f}-{(i + 1) * step:.1f}" for i in range(BUCKETS)]


def compute(
    *,
    people: Iterable[dict[str, Any]],
    pairs: Iterable[dict[str, Any]],
    answers: Iterable[dict[str, Any]] = (),
    concerns: Iterable[dict[str, Any]] = (),
    today: dt.date,
    duration_weeks: int,
    program_name: str = "",
    default_capacity: int = 2,
    anonymous: bool = False,
    topics: Iterable[str] = (),
    start_date: Any = None,
) -> dict[str, Any]:
    """The report's figures. ``topics`` are program.yaml's ``signup.topics``: an anonymous
    report names those only, since a free-text answer may name a person."""
    people = [p for p in people if isinstance(p, dict)]
    pairs = sorted(as_of((p for p in pairs if isinstance(p, dict)), today), key=_pair_key)
    answers = list(answers)
    concerns = list(concerns)
    by_id = {str(p.get("id")): p for p in people}

    # Sign-ups by role and status.
    signups: dict[str, dict[str, int]] = {}
    for person in people:
        role = str(person.get("role") or "unknown")
        status = str(person.get("status") or "unknown")
        signups.setdefault(role, {})
        signups[role][status] = signups[role].get(status, 0) + 1

    holding = [p for p in pairs if p.get("status") in HOLDING]
    waiting = waiting_mentees(people, pairs, today)

    status_counts = Counter(str(p.get("status")) for p in pairs)
    pairs_by_status = {s: status_counts.get(s, 0) for s in PAIR_STATUSES}
    for status, count in status_counts.items():
        pairs_by_status.setdefault(status, count)

    # Mentor capacity: slots used by holding pairs over the capacity of active mentors.
    used = Counter(p.get("mentor") for p in holding)
    mentors = [
        p
        for p in people
        if p.get("role") in ("mentor", "both") and p.get("status", "active") == "active"
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

    # Match-score distribution over pairs that count (not dropped proposals).
    scores = [0] * BUCKETS
    for pair in pairs:
        score = pair.get("score")
        if isinstance(score, int | float):
            index = min(BUCKETS - 1, max(0, int(float(score) * BUCKETS)))
            scores[index] += 1
    distribution = [
        {"bucket": label, "pairs": n} for label, n in zip(bucket_labels(), scores, strict=True)
    ]

    # Calendar, from the program's start_date when it is set, else the earliest pair's start.
    starts = [d for d in (parse_day(p.get("start_date")) for p in pairs) if d]
    earliest = parse_day(start_date) or (min(starts) if starts else None)
    current = None
    if earliest is not None:
        current = max(0, min(duration_weeks, week_of(earliest, today)))
    calendar = {
        "weeks": duration_weeks,
        "start": earliest.isoformat() if earliest else None,
        "current_week": current,
        "weeks_left": (duration_weeks - current) if current is not None else duration_weeks,
        "today": today.isoformat(),
    }

    # Answer rate by program week: answered pairs / started pairs that reached that week.
    answered: dict[int, set[str]] = {}
    for answer in answers:
        week = answer.get("week")
        if isinstance(week, int):
            answered.setdefault(week, set()).add(str(answer.get("pair")))
    reached: dict[int, set[str]] = {}
    for pair in pairs:
        start = parse_day(pair.get("start_date"))
        # Any status but proposed has started, including ones this module does not know yet.
        if start is None or pair.get("status") == "proposed":
            continue
        last = min(duration_weeks, week_of(start, today))
        ended = parse_day(pair.get("ended"))
        if ended is not None:  # a pair that ended is not counted in the weeks after
            last = min(last, week_of(start, ended))
        for week in range(1, last + 1):
            reached.setdefault(week, set()).add(str(pair.get("id")))
    answer_rate = []
    for week in sorted(reached):
        in_week = reached[week]
        n = len(in_week & answered.get(week, set()))
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
        if pair.get("status") != "quiet":
            continue
        since = pair.get("quiet_since")
        # Kept as the program week it turned quiet in (older stores: a date).
        since_text = f"week {since}" if isinstance(since, int) else day(since)
        row: dict[str, Any] = {"since": since_text}
        if not anonymous:
            row = {"pair": pair.get("id"), **row}
            row["mentee"] = _name(by_id, pair.get("mentee"))
            row["mentor"] = _name(by_id, pair.get("mentor"))
            row["mentee_id"], row["mentor_id"] = pair.get("mentee"), pair.get("mentor")
        quiet.append(row)

    pair_by_id = {str(p.get("id")): p for p in pairs}
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
                        _name(by_id, pair_by_id.get(pid, {}).get(k)) for k in ("mentee", "mentor")
                    ]
                    for pid in sorted(c.get("pairs") or {})
                },
                "raised": day(c.get("raised")),
                "reason": c.get("reason"),
            }
            for c in sorted(concerns, key=lambda c: _pair_key({"id": c.get("id")}))
        ]

    # The list of pairs is for the admins only: even without names, pair ids and start dates
    # let someone who knows the people tell which pair is whose.
    pair_rows = [] if anonymous else _pair_rows(pairs, answers, by_id, today, duration_weeks)

    report: dict[str, Any] = {
        "program": program_name,
        "anonymous": anonymous,
        "calendar": calendar,
        "signups": {role: dict(sorted(v.items())) for role, v in sorted(signups.items())},
        "people": len(people),
        "waiting_mentees": len(waiting),
        "recruitment_gap": gap,
        "pairs_by_status": pairs_by_status,
        "capacity": capacity,
        "score_distribution": distribution,
        "answer_rate": answer_rate,
        "quiet_pairs": quiet,
        "concerns": concern_block,
        "pairs": pair_rows,
        "headline": outcomes.headline(
            people=people,
            pairs=pairs,
            answers=answers,
            open_concerns=concern_block["open"],
            waiting=len(waiting),
            today=today,
            duration_weeks=duration_weeks,
        ),
        "outcomes": {
            "by_week": outcomes.by_week(pairs=pairs, answers=answers, reached=reached),
            "endings": outcomes.endings(pairs),
        },
    }
    if not anonymous:
        report["notes"] = outcomes.notes(answers, lambda pid: _name(by_id, pid))
    return report


def _pair_rows(
    pairs: list[dict[str, Any]],
    answers: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
    today: dt.date,
    duration_weeks: int,
) -> list[dict[str, Any]]:
    last: dict[str, str] = {}
    for answer in answers:
        when = str(answer.get("updated") or answer.get("at") or "")
        key = str(answer.get("pair"))
        if when and when > last.get(key, ""):
            last[key] = when
    rows = []
    for pair in pairs:
        start = parse_day(pair.get("start_date"))
        week = None
        if start is not None and pair.get("status") != "proposed":
            ended = parse_day(pair.get("ended"))
            week = max(1, min(duration_weeks, week_of(start, min(today, ended or today))))
        mentee = by_id.get(str(pair.get("mentee"))) or {}
        mentor = by_id.get(str(pair.get("mentor"))) or {}
        rows.append(
            {
                "pair": pair.get("id"),
                "status": pair.get("status"),
                "status_label": status_label(pair.get("status")),
                "score": pair.get("score"),
                "start_date": day(pair.get("start_date")) if pair.get("start_date") else None,
                "week": week,
                "last_answer": day(last[str(pair.get("id"))])
                if str(pair.get("id")) in last
                else None,
                "end_reason": pair.get("end_reason"),
                "mentee_id": pair.get("mentee"),
                "mentee": _name(by_id, pair.get("mentee")),
                "mentee_email": mentee.get("email"),
                "mentor_id": pair.get("mentor"),
                "mentor": _name(by_id, pair.get("mentor")),
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


def _name(by_id: dict[str, dict[str, Any]], pid: Any) -> str:
    person = by_id.get(str(pid))
    if person is None:
        return str(pid) if pid == "forgotten" else "(unknown)"
    return str(person.get("name") or person.get("id") or "")


def _pair_key(pair: dict[str, Any]) -> tuple[int, str]:
    ident = str(pair.get("id") or "")
    digits = "".join(ch for ch in ident if ch.isdigit())
    return (int(digits) if digits else 0, ident)


def from_store(
    store_path: Path,
    *,
    today: dt.date,
    duration_weeks: int,
    program_name: str = "",
    default_capacity: int = 2,
    anonymous: bool = False,
    topics: Iterable[str] = (),
    start_date: Any = None,
) -> dict[str, Any]:
    """Read the store once and compute the report."""
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        return compute(
            people=list(store.documents("people").values()),
            pairs=list(store.documents("pairs").values()),
            answers=list(store.documents("answers").values()),
            concerns=list(store.documents("concerns").values()),
            today=today,
            duration_weeks=duration_weeks,
            program_name=program_name,
            default_capacity=default_capacity,
            anonymous=anonymous,
            topics=topics,
            start_date=start_date,
        )
