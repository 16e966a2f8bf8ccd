"""Who a matching run considers, and in which order (pure): the documented tie-break rule
(a seeded hash of each person's id), ids in natural order (P2 before P10), and the people on
each side with their profiles, for pairs (:mod:`.match`) and circles (:mod:`.circles`) alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from mentorctl.history.fold import HOLDING
from mentorctl.matching.score import profile


def seeded_order(seed: int, person_id: str) -> bytes:
    """The sort key of the documented tie-break rule."""
    return hashlib.blake2b(f"{seed}:{person_id}".encode(), digest_size=8).digest()


def natural(person_id: str) -> tuple[Any, ...]:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", person_id))


def eligible(person: Mapping[str, Any]) -> bool:
    """Whether a person takes part in a run: active, with an id."""
    return (person.get("status") or "active") == "active" and bool(person.get("id"))


def sides(
    people: Iterable[Mapping[str, Any]],
    holding: set[str],
    crit: Any,
    today: dt.date,
    seed: int,
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], list[Any], list[Any]]:
    """The people a run matches, in the seed's order: mentees not held by a pair, mentors,
    and their profiles (for pairs and for circles alike)."""
    everyone = [p for p in people if eligible(p)]
    mentee_people = [
        p for p in everyone if p.get("role") in ("mentee", "both") and str(p["id"]) not in holding
    ]
    mentor_people = [p for p in everyone if p.get("role") in ("mentor", "both")]
    mentee_people.sort(key=lambda p: seeded_order(seed, str(p["id"])))
    mentor_people.sort(key=lambda p: seeded_order(seed, str(p["id"])))
    mentees = [profile(p, crit, today) for p in mentee_people]
    mentors = [profile(p, crit, today) for p in mentor_people]
    return mentee_people, mentor_people, mentees, mentors


def taken(
    existing: Iterable[tuple[str, str, str]], blocked: Iterable[frozenset[str]]
) -> tuple[set[str], Counter[str], dict[str, set[str]]]:
    """From the pairs so far (mentee, mentor, status) and the blocks: the mentees a pair
    holds, each mentor's places in use, and who may never be paired with whom (an earlier
    pair of any status, or a block)."""
    pairs = list(existing)
    holding = {x for x, _, s in pairs if s in HOLDING}
    used = Counter(y for _, y, s in pairs if s in HOLDING)
    never: dict[str, set[str]] = defaultdict(set)
    for x, y, _ in pairs:
        never[x].add(y)
        never[y].add(x)
    for pair in blocked:
        ids = list(pair)
        if len(ids) == 2:
            never[ids[0]].add(ids[1])
            never[ids[1]].add(ids[0])
    return holding, used, never
