"""Matching circles: a mentor with a few mentees who meet together (pure: no I/O).

A program with ``format: circles`` places waiting mentees in circles led by one mentor.

Who may be in a circle. A mentee may join a mentor's circle only if the pair is acceptable as
in pairs programs (the same hard rules: blocks, earlier pairs, ``shared_language``,
``different_organisation``, ``min_score``; see :mod:`.match`), and moreover:

- the circle's mentees all share at least one goal (the circle's *topic*);
- the circle has a common meeting window of at least one hour, every day, inside every
  member's hours, the mentor's included. A person's hours are ``circles.hours`` in their own
  time zone (default 08:00-21:00), or the hours they gave on the form when
  ``circles.hours_field`` names that answer ("18-21", "18:00-21:30", "mornings, evenings").
  Someone whose time zone is unknown does not restrict the window (their explanation says so).
- the circle has ``circles.size[0]`` to ``circles.size[1]`` mentees.

A mentor leads ``ceil(capacity / max size)`` circles (one, unless the capacity says more); a
capacity of 0 pauses them. Circles already saved (pairs of a holding status carrying a
``circle``) use up one each, and their mentees are not placed again.

Objective (exact, in integer units of 1/10000 of a score point)::

    maximise  BIG * placed  +  sum of pair units (mentee-mentor score, as in pairs)
              +  W * sum over circles, over topics, of C(n, 2)

where ``n`` is the number of the circle's mentees who list that topic among their goals
(every two co-members who share a topic add ``W`` per topic they share), ``W`` is
``circles.topic_weight`` (default 0.05 score points) and ``BIG`` is one more than any total
the other two terms can reach, so the number placed comes first.

This module holds the problem and the answer; :func:`.circle_match.solve` runs it all. The
solver and how good its answer is are in :mod:`.circles_milp` and :mod:`.circles_fixed`;
explanations in :mod:`.circles_explain`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mentorctl.matching.score import UNITS, Profile, read_criteria
from mentorctl.timezones import utc_offset

# Quarter hours: availability is kept as a bit mask of the UTC week, Monday 00:00 first.
DAY = 96
SLOTS = 7 * DAY
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WINDOW_SLOTS = 4  # one hour
# Meeting windows start on the hour or the half hour (UTC).
WINDOW_STEP = 2
DEFAULT_HOURS = (8.0, 21.0)
DEFAULT_TOPIC_WEIGHT = 0.05
# A reported window is at most this many quarter hours long (the middle of the common hours).
REPORTED_SLOTS = 8
ACTIVE_STATUSES = frozenset({"proposed", "active", "quiet", "paused"})


@dataclass(frozen=True)
class CircleSettings:
    """The validated ``circles:`` section of program.yaml."""

    min_size: int = 3
    max_size: int = 5
    topic_weight: float = DEFAULT_TOPIC_WEIGHT
    hours: tuple[float, float] = DEFAULT_HOURS
    hours_field: str | None = None
    time_limit: float = 45.0
    co_mentors: bool = False
    weeks: int = 8  # the program's weeks: a circle's window must hold in each of them

    @classmethod
    def read(cls, data: Mapping[str, Any] | None, weeks: int = 8) -> CircleSettings:
        data = data or {}
        size = data.get("size") or [3, 5]
        hours = data.get("hours") or list(DEFAULT_HOURS)
        return cls(
            min_size=int(size[0]),
            max_size=int(size[1]),
            topic_weight=float(data.get("topic_weight", DEFAULT_TOPIC_WEIGHT)),
            hours=(float(hours[0]), float(hours[1])),
            hours_field=data.get("hours_field") or None,
            time_limit=float(data.get("time_limit", 45.0)),
            co_mentors=bool(data.get("co_mentors", False)),
            weeks=int(weeks),
        )


# -- hours and windows ---------------------------------------------------------------------

ALL_DAYS = frozenset(range(7))

Span = tuple[frozenset[int], float, float]  # local weekdays (Monday 0), from hour, to hour


def parse_hours(answer: Any) -> list[Span]:
    """Local times from a form answer, read as the meetings in calendars read them
    (:func:`mentorctl.availability.windows`: "Tuesdays 6:30pm to 8:30pm", "weekday evenings",
    "18-21"); a day named without hours takes ``DEFAULT_HOURS``."""
    from mentorctl.availability import DAY_MINUTES, windows

    if answer is None:
        return []
    text = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
    found = windows(text) or frozenset()
    out: list[Span] = []
    for day, start, end in sorted(found):
        hours = DEFAULT_HOURS if (start, end) == (0, DAY_MINUTES) else (start / 60, end / 60)
        out.append((frozenset({day}), *hours))
    return out


def local_mask(spans: Iterable[Span | tuple[float, float]], offset: float | None) -> int:
    """The UTC quarter hours of the week (bits 0..671) inside local ``spans`` at UTC
    ``offset``; a span may cross midnight (22-2: into the next day). A span without days is
    every day. Unknown offset: every quarter hour."""
    if offset is None:
        return (1 << SLOTS) - 1
    shift = round(offset * 4)
    mask = 0
    for span in spans:
        days, start, end = span if len(span) == 3 else (ALL_DAYS, *span)  # type: ignore[misc]
        first, last = math.ceil(start * 4 - 1e-9), math.floor(end * 4 + 1e-9)
        if last <= first:
            last += DAY
        for day in days:
            for q in range(day * DAY + first, day * DAY + last):
                mask |= 1 << ((q - shift) % SLOTS)
    return mask


@lru_cache(maxsize=4096)
def window_starts(mask: int) -> int:
    """Bits of the UTC half-hour starts ``s`` (index s // 2) whose one-hour window is in ``mask``."""
    out = 0
    for s in range(0, SLOTS, WINDOW_STEP):
        if all(mask >> ((s + k) % SLOTS) & 1 for k in range(WINDOW_SLOTS)):
            out |= 1 << (s // WINDOW_STEP)
    return out


def daily(mask: int) -> bool:
    """Whether ``mask`` is the same every day of the week."""
    day = mask & ((1 << DAY) - 1)
    return all(mask >> (d * DAY) & ((1 << DAY) - 1) == day for d in range(1, 7))


def common_window(masks: Sequence[int]) -> tuple[int, int] | None:
    """The reported window (first slot of the week, slots) of the common hours of ``masks``:
    the middle (at most :data:`REPORTED_SLOTS`) of the longest run of at least an hour; the
    earliest in the UTC week on ties. None when there is no common hour."""
    common = (1 << SLOTS) - 1
    for m in masks:
        common &= m
    if common == (1 << SLOTS) - 1:
        return (18 * 4, REPORTED_SLOTS)  # nobody restricts it: 18:00 UTC
    runs = []
    for s in range(SLOTS):
        if common >> s & 1 and not common >> ((s - 1) % SLOTS) & 1:
            length = 0
            while length < SLOTS and common >> ((s + length) % SLOTS) & 1:
                length += 1
            runs.append((length, s))
    best = max((r for r in runs if r[0] >= WINDOW_SLOTS), key=lambda r: (r[0], -r[1]), default=None)
    if best is None:
        return None
    length, start = best
    size = min(length, REPORTED_SLOTS)
    # Centre the window in the run, on a half hour.
    first = start + ((length - size) // 2 // WINDOW_STEP) * WINDOW_STEP
    # The same every day: any day will do, Monday's stands for all.
    return (first % (DAY if daily(common) else SLOTS), size)


def slot_time(slot: int) -> str:
    slot %= DAY
    return f"{slot // 4:02d}:{slot % 4 * 15:02d}"


def slot_day(slot: int) -> str:
    return DAYS[(slot % SLOTS) // DAY]


# -- the problem ---------------------------------------------------------------------------


@dataclass
class Node:
    """One circle a mentor may lead."""

    mentor: int  # index into ``Problem.mentors``
    number: int  # 0 for a mentor's first circle


@dataclass
class Problem:
    """What the solver works on: people, their hours, circles, acceptable pairs and units."""

    settings: CircleSettings
    mentees: list[Profile]
    mentors: list[Profile]
    nodes: list[Node]
    masks: dict[str, int]  # person id -> UTC quarter hours
    starts: dict[str, int]  # person id -> window start bits
    # Every acceptable mentee-circle pair: (mentee index, node index) -> units
    feasible: dict[tuple[int, int], int]
    topics: list[str]  # folded topic keys, in a fixed order
    goals: list[frozenset[int]]  # per mentee: indices into ``topics``
    notes: list[str] = field(default_factory=list)
    # Mentees (indices) who may not share a circle: one of them blocked the other.
    apart: set[tuple[int, int]] = field(default_factory=set)
    blocked: set[frozenset[str]] = field(default_factory=set)  # person ids, as given

    def conflicts(self, i: int, members: Iterable[int]) -> bool:
        return any((min(i, k), max(i, k)) in self.apart for k in members)

    def big(self) -> int:
        """More than the two secondary terms of the objective can ever add up to."""
        best: dict[int, int] = {}
        for (i, _), units in self.feasible.items():
            best[i] = max(best.get(i, 0), units)
        w = self.weight_units()
        pairs = sum(len(g) for g in self.goals) * (self.settings.max_size - 1)
        return sum(best.values()) + w * pairs + 1

    def weight_units(self) -> int:
        return round(self.settings.topic_weight * UNITS)


def person_mask(
    person: Mapping[str, Any], prof: Profile, settings: CircleSettings, today: dt.date
) -> int:
    """The UTC quarter hours the person can meet in every week of the program: their hours
    at each of the offsets their zone has over the weeks (a clock change moves them)."""
    spans: list[Any] = []
    if settings.hours_field:
        spans = parse_hours((person.get("extra") or {}).get(settings.hours_field))
    offsets = {prof.offset}
    if prof.zone:
        for week in range(1, max(1, settings.weeks) + 1):
            offsets.add(utc_offset(prof.zone, today + dt.timedelta(weeks=week)))
    mask = (1 << SLOTS) - 1
    for offset in offsets:
        mask &= local_mask(spans or [settings.hours], offset)
    return mask


def build(
    people: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    settings: CircleSettings,
    *,
    today: dt.date,
    existing: Iterable[tuple[str, str, str, str | None]] = (),
    blocked: Iterable[frozenset[str]] = (),
    seed: int = 0,
    co_led: Iterable[tuple[str, Sequence[str], bool]] = (),
) -> Problem:
    """The problem for the people waiting. ``existing``: (mentee, mentor, status, circle) of
    every pair; ``co_led``: (co-mentor, the circle's mentees, whether it still meets) of every
    circle saved with a co-mentor: it uses one of their circles while it meets, and they are
    never put with those mentees again, as after a pair."""
    import numpy as np

    from mentorctl.matching.blocks import BlockScorer
    from mentorctl.matching.order import sides

    crit = read_criteria(config)
    notes: list[str] = []
    pairs_in = list(existing)
    blocked = {frozenset(b) for b in blocked}
    holding = {x for x, _, s, _ in pairs_in if s in ACTIVE_STATUSES}
    led: dict[str, set[str]] = defaultdict(set)
    loose = Counter()
    for _, y, s, c in pairs_in:
        if s in ACTIVE_STATUSES:
            if c:
                led[y].add(c)
            else:
                loose[y] += 1
    never: dict[str, set[str]] = defaultdict(set)
    for x, y, _, _ in pairs_in:
        never[x].add(y)
        never[y].add(x)
    for co, circle_mentees, meets in co_led:
        for x in circle_mentees:
            never[x].add(co)
            never[co].add(x)
        if meets:
            led[co].add(f"co:{len(led[co])}")
    for pair in blocked:
        ids = list(pair)
        if len(ids) == 2:
            never[ids[0]].add(ids[1])
            never[ids[1]].add(ids[0])
    mentee_people, mentor_people, mentees, mentors = sides(people, holding, crit, today, seed)
    masks, starts = {}, {}
    for person, prof in zip([*mentee_people, *mentor_people], [*mentees, *mentors], strict=True):
        masks[prof.id] = person_mask(person, prof, settings, today)
        starts[prof.id] = window_starts(masks[prof.id])
    nodes: list[Node] = []
    for j, p in enumerate(mentors):
        if p.capacity is None:
            notes.append(f"{p.id} has no capacity; counted as 0 (paused)")
        capacity = p.capacity or 0
        if capacity <= 0:
            continue
        count = max(1, math.ceil(capacity / settings.max_size))
        count -= len(led.get(p.id, ())) + math.ceil(loose.get(p.id, 0) / settings.max_size)
        if not starts[p.id]:
            notes.append(f"{p.id} has no hour free in the day for a circle")
            continue
        nodes.extend(Node(j, k) for k in range(max(0, count)))
    topic_at: dict[str, int] = {}
    goals = []
    for p in mentees:
        goals.append(frozenset(topic_at.setdefault(k, len(topic_at)) for k in p.goals))
    topics = list(topic_at)
    mentor_at = {p.id: j for j, p in enumerate(mentors)}
    exclude = {
        i: {mentor_at[o] for o in never.get(p.id, ()) if o in mentor_at}
        for i, p in enumerate(mentees)
    }
    selves = {i: mentor_at[p.id] for i, p in enumerate(mentees) if p.id in mentor_at}
    feasible: dict[tuple[int, int], int] = {}
    if mentees and nodes:
        scorer = BlockScorer(
            crit, mentees, mentors, {i: js for i, js in exclude.items() if js}, selves
        )
        by_mentor: dict[int, list[int]] = defaultdict(list)
        for c, node in enumerate(nodes):
            by_mentor[node.mentor].append(c)
        step = scorer.block_rows()
        for first in range(0, len(mentees), step):
            rows = np.arange(first, min(len(mentees), first + step))
            units, _, allowed = scorer.score(rows)
            ok = allowed & (units >= crit.min_units)
            for r, j in zip(*np.nonzero(ok), strict=True):
                i = int(rows[r])
                if not goals[i] or not starts[mentees[i].id] & starts[mentors[j].id]:
                    continue
                for c in by_mentor.get(int(j), ()):
                    feasible[(i, c)] = int(units[r, j])
    no_goals = sum(1 for g in goals if not g)
    if no_goals:
        notes.append(f"{no_goals} mentee(s) listed no goals: a circle shares a topic")
    mentee_at = {p.id: i for i, p in enumerate(mentees)}
    apart = set()
    for pair in blocked:
        ids = sorted(mentee_at[x] for x in pair if x in mentee_at)
        if len(ids) == 2:
            apart.add((ids[0], ids[1]))
    return Problem(
        settings, mentees, mentors, nodes, masks, starts, feasible, topics, goals, notes,
        apart, blocked,
    )  # fmt: skip


# -- the answer ----------------------------------------------------------------------------


@dataclass
class Member:
    """A mentee in a proposed circle, with why they are there and what counts against."""

    mentee_id: str
    score: float  # the mentee-mentor pair score
    reasons: list[str]
    against: list[str]
    shares: list[str]  # one line per topic shared with co-members
    local_window: str  # the window in the member's own time zone


@dataclass
class Circle:
    label: str  # C1, C2... in the order of the proposals (saved ids may differ)
    mentor_id: str
    members: list[Member]
    topics: list[str]  # topics every mentee of the circle lists
    window: str  # "every day 18:00-20:00 UTC", "Tuesdays 18:00-20:00 UTC"
    window_slots: tuple[int, int]  # (first quarter hour of the UTC week, quarter hours)
    mentor_window: str
    score: float  # pair units + the shared-topic term, in score points
    explanation: str
    co_mentor_id: str | None = None  # with circles.co_mentors: a second mentor
    every_day: bool = True  # the common hours are the same every day of the week


@dataclass
class Quality:
    """How good the answer is: its objective, the proven bound and what they say."""

    objective: int  # units
    bound: int | None  # a proven upper bound on the objective over all circle plans
    optimal: bool
    solver: str
    seconds: float
    note: str = ""
    big: int = 0  # the objective's weight of one mentee placed

    @property
    def score(self) -> float:
        """The objective without its ``BIG * placed`` term, in score points."""
        return (self.objective % self.big if self.big else self.objective) / UNITS

    @property
    def gap(self) -> float | None:
        """Bound minus objective, in score points (0 when proven optimal)."""
        if self.bound is None:
            return None
        return max(0, self.bound - self.objective) / UNITS


@dataclass
class CircleResult:
    circles: list[Circle]
    waiting: list[tuple[str, str]]  # mentee id, why
    placed: int
    mentees: int
    quality: Quality
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        import dataclasses

        out = dataclasses.asdict(self)
        out["quality"]["gap"] = self.quality.gap
        return out


Assignment = dict[int, list[int]]  # circle (node) index -> mentee indices


def placed(assignment: Assignment) -> int:
    return sum(len(v) for v in assignment.values())


def objective(problem: Problem, assignment: Assignment, big: int | None = None) -> int:
    """The objective of an assignment, in units, computed from its circles (not the solver)."""
    big = problem.big() if big is None else big
    w = problem.weight_units()
    total = 0
    for c, members in assignment.items():
        for i in members:
            total += big + problem.feasible[(i, c)]
        counts: dict[int, int] = defaultdict(int)
        for i in members:
            for t in problem.goals[i]:
                counts[t] += 1
        total += w * sum(n * (n - 1) // 2 for n in counts.values())
    return total
