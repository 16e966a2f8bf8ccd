"""A generated circles program for the tests: 40 mentees and 10 mentors as a sign-up CSV."""

from __future__ import annotations

import csv
import io
import random

TOPICS = ["Career change", "Networking", "Getting promoted", "Interview preparation"]
# IANA names only, so that the tests can check every window with zoneinfo.
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "Asia/Kolkata",
    "Australia/Sydney",
]
INDUSTRIES = ["Technology", "Finance", "Healthcare"]
COMPANIES = ["Acme", "Globex", "Initech", "Hooli", "Umbrella", "Stark", "Wayne", "Soylent"]


def signups(mentees: int = 40, mentors: int = 10, seed: int = 7) -> str:
    """The CSV text; mentors come first (m0..), then mentees (e0..)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["Email", "Name", "Role", "Age", "Goals", "Expertise", "Languages", "Time zone"]
    writer.writerow([*header, "Capacity", "Company", "Industry"])
    for k in range(mentors):
        expertise = rng.sample(TOPICS, 3)
        languages = "English, Spanish" if k % 4 == 0 else "English"
        zone = ZONES[k % 5]  # mentors in Europe and the Americas
        writer.writerow(
            [f"m{k}@example.org", f"Mentor {k}", "Mentor", 45, "", ", ".join(expertise),
             languages, zone, 5, rng.choice(COMPANIES), rng.choice(INDUSTRIES)]
        )  # fmt: skip
    for k in range(mentees):
        goals = rng.sample(TOPICS, rng.choice([1, 2, 2, 3]))
        languages = "Spanish" if k % 13 == 5 else "English"
        zone = rng.choice(ZONES)
        writer.writerow(
            [f"e{k}@example.org", f"Mentee {k}", "Mentee", 30, ", ".join(goals), "", languages,
             zone, "", rng.choice(COMPANIES), rng.choice(INDUSTRIES)]
        )  # fmt: skip
    return out.getvalue()
