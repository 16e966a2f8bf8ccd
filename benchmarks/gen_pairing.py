"""Generate realistic people for benchmarking matching: mentees, mentors and "both".

People are dicts as mentorctl stores them (id, email, name, role, goals, expertise,
languages, timezone, capacity, organisation, extra, status). The spreads follow a career
program: goals and expertise from the career template's topics with uneven popularity (some
topics are wanted far more than they are offered), languages mostly English with Spanish,
German, French, Hindi, Portuguese..., time zones from Europe, the Americas and Asia written
as forms get them ("UTC+1", "Europe/Berlin", "GMT-5", ...), capacities 1-5, two dozen
organisations (a third of people answer none), and the ``industry`` extra answer.

About 5 % of the mentors are role "both" and are also counted among the mentees, so the
numbers of mentees and mentors are exactly as asked.

Deterministic for a given seed and sizes. Usage::

    python benchmarks/gen_pairing.py out.json --mentees 5000 --mentors 1000 --seed 1

or, from another script::

    from gen_pairing import generate
    people, config, today = generate(5000, 1000, seed=1)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 3, 2)
TOPICS = [
    ("Career change", 14),
    ("Job search and applications", 12),
    ("CV and LinkedIn profile", 10),
    ("Interview preparation", 11),
    ("Salary and negotiation", 9),
    ("Getting promoted", 8),
    ("Moving into management", 8),
    ("Networking", 7),
    ("Visibility and personal brand", 5),
    ("Returning after a career break", 4),
    ("Starting out after education", 6),
    ("Freelancing and self-employment", 4),
]
# What mentors offer is skewed differently from what mentees want: shortages are realistic.
EXPERTISE_WEIGHTS = {
    "Career change": 6,
    "Job search and applications": 8,
    "CV and LinkedIn profile": 12,
    "Interview preparation": 12,
    "Salary and negotiation": 4,
    "Getting promoted": 9,
    "Moving into management": 14,
    "Networking": 8,
    "Visibility and personal brand": 5,
    "Returning after a career break": 2,
    "Starting out after education": 5,
    "Freelancing and self-employment": 3,
}
LANGUAGES = [
    (["English"], 45),
    (["English", "Spanish"], 10),
    (["English", "German"], 8),
    (["English", "French"], 7),
    (["Spanish"], 4),
    (["German", "English"], 4),
    (["English", "Hindi"], 4),
    (["French"], 3),
    (["Portuguese", "English", "Spanish"], 3),
    (["English", "Mandarin"], 3),
    (["English", "Arabic"], 3),
    (["Italian", "English"], 2),
    (["Portuguese"], 1),
    (["Dutch", "English", "German"], 2),
]
TIME_ZONES = [
    ("UTC+1", 12),
    ("UTC", 6),
    ("Europe/Berlin", 8),
    ("Europe/London", 8),
    ("America/New_York", 9),
    ("America/Los_Angeles", 5),
    ("GMT-5", 5),
    ("GMT+2", 4),
    ("UTC+5:30", 4),
    ("Asia/Kolkata", 3),
    ("Asia/Singapore", 2),
    ("Australia/Sydney", 2),
    ("CET", 3),
    ("EST", 3),
    ("(GMT+01:00) Amsterdam", 2),
    ("Africa/Lagos", 2),
    ("America/Sao_Paulo", 2),
    ("UTC-3", 2),
    ("Europe/Madrid", 3),
    ("Central European Time", 1),  # not recognised: scores as "time zone unknown"
]
COMPANIES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Pied Piper",
    "Vandelay Industries",
    "Cyberdyne",
    "Soylent",
    "Wonka Foods",
    "Tyrell",
    "Massive Dynamic",
    "Aperture Labs",
    "City Council",
    "NHS",
    "University of Leeds",
    "Oscorp",
    "Monarch Retail",
]
INDUSTRIES = [
    "Technology",
    "Finance",
    "Healthcare",
    "Education",
    "Retail",
    "Public sector",
    "Consulting",
    "Manufacturing",
    "Media and publishing",
    "Non-profit",
    "Energy",
    "Legal",
]
# The career template's matching section (templates/career/program.yaml), validated form.
CONFIG: dict[str, Any] = {
    "min_score": 0.25,
    "criteria": [
        {
            "kind": "topics",
            "name": None,
            "weight": 5,
            "field": None,
            "mode": None,
            "max_hours": 6,
            "scale": None,
        },
        {
            "kind": "extra",
            "name": None,
            "weight": 2,
            "field": "industry",
            "mode": "same",
            "max_hours": 6,
            "scale": None,
        },
        {
            "kind": "timezone",
            "name": None,
            "weight": 1,
            "field": None,
            "mode": None,
            "max_hours": 8,
            "scale": None,
        },
        {
            "kind": "languages",
            "name": None,
            "weight": 1,
            "field": None,
            "mode": None,
            "max_hours": 6,
            "scale": None,
        },
    ],
    "rules": {"shared_language": True, "different_organisation": True},
}


def _pick(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _sample(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    names = list(weights)
    chosen: list[str] = []
    while len(chosen) < k:
        name = rng.choices(names, [weights[x] for x in names])[0]
        if name not in chosen:
            chosen.append(name)
    return chosen


def generate(
    mentees: int, mentors: int, seed: int = 1, both_share: float = 0.05
) -> tuple[list[dict[str, Any]], dict[str, Any], dt.date]:
    """(people, matching config, today) with exactly ``mentees`` mentees and ``mentors`` mentors."""
    rng = random.Random(f"pairing:{seed}:{mentees}:{mentors}")
    goal_weights = dict(TOPICS)
    both = min(mentees, int(mentors * both_share))
    people: list[dict[str, Any]] = []
    for k in range(mentees + mentors - both):
        if k < mentees - both:
            role = "mentee"
        elif k < mentees:
            role = "both"
        else:
            role = "mentor"
        person: dict[str, Any] = {
            "id": f"P{k + 1}",
            "email": f"person{k + 1}@example.org",
            "name": f"Person {k + 1}",
            "role": role,
            "age": rng.randint(18, 70),
            "goals": [],
            "expertise": [],
            "languages": list(_pick(rng, LANGUAGES)),
            "timezone": _pick(rng, TIME_ZONES),
            "capacity": None,
            "organisation": rng.choice(COMPANIES) if rng.random() < 0.65 else None,
            "bio": None,
            "extra": {"industry": rng.choice(INDUSTRIES)} if rng.random() < 0.9 else {},
            "status": "active",
        }
        if role in ("mentee", "both"):
            person["goals"] = _sample(rng, goal_weights, rng.choice([1, 1, 2, 2, 2, 3]))
        if role in ("mentor", "both"):
            person["expertise"] = _sample(rng, EXPERTISE_WEIGHTS, rng.randint(1, 4))
            person["capacity"] = rng.choice([1, 1, 2, 2, 3, 3, 4, 5])
        people.append(person)
    rng.shuffle(people)
    return people, json.loads(json.dumps(CONFIG)), TODAY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="JSON file to write: {people, matching, today}")
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    people, config, today = generate(args.mentees, args.mentors, args.seed)
    args.out.write_text(
        json.dumps({"people": people, "matching": config, "today": today.isoformat()}),
        encoding="utf-8",
    )
    slots = sum(p["capacity"] or 0 for p in people if p["role"] != "mentee")
    print(f"{len(people)} people, {slots} mentor slots -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
