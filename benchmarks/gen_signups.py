"""Generate a realistic Google-Forms-like sign-up CSV export for benchmarking mentorctl.

The file looks like what "Download responses (.csv)" gives for a career-mentoring sign-up
form: a header row of the form's questions, then one row per response, UTF-8, comma
separated, CRLF line ends, cells quoted only when they hold a comma, quote or line break.

Columns: Timestamp, Email Address, Full name, Role, Age, Goals, Expertise, Languages,
Time zone, How many mentees can you take?, Company, Industry, Tell us about yourself,
How did you hear about the program?

- Role answers are the form's three choices ("Mentee <en dash> I'm looking for a mentor", ...
- Goals (mentees, both) and Expertise (mentors, both) are checkbox answers joined with ", ",
  taken from the career template's ``signup.topics`` (read from templates/career/program.yaml
  when it is there, otherwise from a built-in copy of that list).
- Age mixes numbers ("34") and ranges ("25-34", "65+"); time zones mix offsets ("UTC+1",
  "GMT-5"), IANA names ("Europe/Berlin") and a few abbreviations or unrecognisable answers.
- Emails are unique. A small share of rows (``--invalid-rate``, default 0.2 %) is deliberately
  unusable (bad email, under-age, missing name) so the importer's reject path is exercised;
  :func:`generate` returns how many, so a benchmark can check the importer's counts.

The output is deterministic for a given ``--seed`` and row count, and is about 240 bytes per
row (100,000 rows is about 24 MB).

Usage::

    python benchmarks/gen_signups.py out.csv --rows 100000 --seed 1

or, from another script::

    from gen_signups import generate
    stats = generate(path, rows=100_000, seed=1)   # {'rows', 'bytes', 'invalid', ...}
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

HEADERS = [
    "Timestamp",
    "Email Address",
    "Full name",
    "Role",
    "Age",
    "Goals",
    "Expertise",
    "Languages",
    "Time zone",
    "How many mentees can you take?",
    "Company",
    "Industry",
    "Tell us about yourself",
    "How did you hear about the program?",
]

# A copy of templates/career/program.yaml signup.topics, used when the template is not found.
FALLBACK_TOPICS = [
    "Career change",
    "Job search and applications",
    "CV and LinkedIn profile",
    "Interview preparation",
    "Salary and negotiation",
    "Getting promoted",
    "Moving into management",
    "Networking",
    "Visibility and personal brand",
    "Returning after a career break",
    "Starting out after education",
    "Freelancing and self-employment",
]

CAREER_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "career" / "program.yaml"

ROLES = [
    ("Mentee – I'm looking for a mentor", 60),
    ("Mentor – I'd like to mentor someone", 30),
    ("Both", 10),
]
ROLE_KIND = {
    "Mentee – I'm looking for a mentor": "mentee",
    "Mentor – I'd like to mentor someone": "mentor",
    "Both": "both",
}

# (as written in the name, as written in an email address)
FIRST_NAMES = [
    ("Maria", "maria"),
    ("James", "james"),
    ("Aisha", "aisha"),
    ("Wei", "wei"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Siobhán", "siobhan"),
    ("Priya", "priya"),
    ("Ahmed", "ahmed"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Olivia", "olivia"),
    ("Liam", "liam"),
    ("Fatima", "fatima"),
    ("Hiroshi", "hiroshi"),
    ("Chloé", "chloe"),
    ("Mateo", "mateo"),
    ("Sofia", "sofia"),
    ("Lucas", "lucas"),
    ("Amara", "amara"),
    ("Kwame", "kwame"),
    ("Ingrid", "ingrid"),
    ("Björn", "bjorn"),
    ("Ana", "ana"),
    ("David", "david"),
    ("Sarah", "sarah"),
    ("Michael", "michael"),
    ("Nadia", "nadia"),
    ("Omar", "omar"),
    ("Elena", "elena"),
    ("Tom", "tom"),
    ("Grace", "grace"),
    ("Daniel", "daniel"),
    ("Yuki", "yuki"),
    ("Ravi", "ravi"),
    ("Leila", "leila"),
    ("Pedro", "pedro"),
    ("Hannah", "hannah"),
    ("Jonas", "jonas"),
    ("Chiara", "chiara"),
    ("Mehmet", "mehmet"),
    ("Anya", "anya"),
    ("Samuel", "samuel"),
    ("Nguyễn", "nguyen"),
    ("Isabel", "isabel"),
    ("Kofi", "kofi"),
    ("Lena", "lena"),
]
LAST_NAMES = [
    ("García", "garcia"),
    ("Smith", "smith"),
    ("Müller", "muller"),
    ("Chen", "chen"),
    ("Okafor", "okafor"),
    ("Kowalski", "kowalski"),
    ("O'Brien", "obrien"),
    ("Patel", "patel"),
    ("Haddad", "haddad"),
    ("Johnson", "johnson"),
    ("Rossi", "rossi"),
    ("Tanaka", "tanaka"),
    ("Dubois", "dubois"),
    ("Silva", "silva"),
    ("Nielsen", "nielsen"),
    ("Mensah", "mensah"),
    ("Andersson", "andersson"),
    ("Fernández", "fernandez"),
    ("Brown", "brown"),
    ("Kaya", "kaya"),
    ("Ivanova", "ivanova"),
    ("Williams", "williams"),
    ("Khan", "khan"),
    ("Martin", "martin"),
    ("Schmidt", "schmidt"),
    ("Nowak", "nowak"),
    ("Lee", "lee"),
    ("van der Berg", "vanderberg"),
    ("Costa", "costa"),
    ("Murphy", "murphy"),
    ("Singh", "singh"),
    ("Jones", "jones"),
    ("Yılmaz", "yilmaz"),
    ("Wang", "wang"),
    ("Sato", "sato"),
    ("Moreau", "moreau"),
    ("Ali", "ali"),
    ("Taylor", "taylor"),
]
DOMAINS = [
    ("gmail.com", 40),
    ("outlook.com", 12),
    ("yahoo.com", 8),
    ("hotmail.com", 6),
    ("icloud.com", 5),
    ("proton.me", 3),
    ("example.org", 6),
    ("acme-corp.com", 5),
    ("globex.io", 4),
    ("initech.co.uk", 3),
    ("web.de", 3),
    ("mail.example.net", 5),
]

AGE_RANGES = ["18-24", "25-34", "25-34", "35-44", "35-44", "45-54", "55-64", "65+"]

LANGUAGES = [
    ("English", 45),
    ("English, Spanish", 10),
    ("English, German", 8),
    ("English, French", 7),
    ("Spanish", 4),
    ("German, English", 4),
    ("English, Hindi", 4),
    ("French", 3),
    ("Portuguese, English, Spanish", 3),
    ("English, Mandarin", 3),
    ("English, Arabic", 3),
    ("Italian, English", 2),
    ("english", 2),
    ("Dutch, English, German", 2),
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
    ("GMT", 2),
    ("Europe/Madrid", 3),
    ("Central European Time", 1),  # unrecognised: the importer warns, the row still goes in
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
    "Freelance",
    "Self-employed",
    "City Council",
    "NHS",
    "University of Leeds",
    "Oscorp",
    "Gringotts Bank",
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
    "Marketing and advertising",
    "Hospitality",
]
JOBS = [
    "Software engineer",
    "Product manager",
    "Data analyst",
    "Nurse",
    "Teacher",
    "Accountant",
    "UX designer",
    "Marketing lead",
    "Project manager",
    "Consultant",
    "HR partner",
    "Sales manager",
    "Researcher",
    "Operations lead",
]
AMBITIONS = [
    "move into management",
    "change careers",
    "negotiate better",
    "grow my network",
    "get promoted",
    "give back",
    "find my next role",
    "build confidence",
    "go freelance",
    "help someone starting out",
]
HEARD_FROM = [
    ("LinkedIn", 30),
    ("A colleague", 20),
    ("Newsletter", 15),
    ("", 15),
    ("A friend", 10),
    ("Company intranet", 5),
    ("Twitter / X", 3),
    ("Meetup, then the website", 2),
]


def read_topics(template: Path = CAREER_TEMPLATE) -> tuple[list[str], str]:
    """The career template's ``signup.topics`` (a stdlib-only reading of the YAML list)."""
    try:
        lines = template.read_text(encoding="utf-8").splitlines()
    except OSError:
        return list(FALLBACK_TOPICS), "built-in copy"
    topics: list[str] = []
    in_signup = in_topics = False
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if indent == 0 and stripped:
            in_signup = stripped == "signup:"
            in_topics = False
        elif in_signup and stripped == "topics:":
            in_topics = True
        elif in_topics:
            if stripped.startswith("- "):
                topics.append(stripped[2:].strip().strip("\"'"))
            elif stripped:
                in_topics = False
    if not topics:
        return list(FALLBACK_TOPICS), "built-in copy"
    return topics, str(template)


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    values = [v for v, _ in pairs]
    cumulative, total = [], 0
    for _, w in pairs:
        total += w
        cumulative.append(total)
    return values, cumulative


def _timestamp(moment: dt.datetime) -> str:
    """Google Forms style, e.g. '2026/01/05 9:03:12 AM GMT+1'."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%Y/%m/%d} {hour}:{moment:%M:%S} {half} GMT+1"


def generate(
    path: str | Path,
    rows: int = 100_000,
    seed: int = 1,
    *,
    invalid_rate: float = 0.002,
    topics: list[str] | None = None,
) -> dict[str, object]:
    """Write ``rows`` responses to ``path``; return facts about the file.

    The result holds ``rows``, ``bytes``, ``invalid`` (rows written to be rejected by an
    importer: bad email, under 18, or no name), ``invalid_by_field``, ``roles`` (count per
    mentee/mentor/both), ``seed`` and ``topics_source``.
    """
    rng = random.Random(seed)
    choice, choices, randint, rnd = rng.choice, rng.choices, rng.randint, rng.random
    if topics is None:
        topics, topics_source = read_topics()
    else:
        topics_source = "given"
    role_values, role_cum = _weighted(ROLES)
    domain_values, domain_cum = _weighted(DOMAINS)
    lang_values, lang_cum = _weighted(LANGUAGES)
    zone_values, zone_cum = _weighted(TIME_ZONES)
    heard_values, heard_cum = _weighted(HEARD_FROM)

    moment = dt.datetime(2026, 1, 5, 8, 0, 0)
    invalid_by_field = {"email": 0, "age": 0, "name": 0}
    roles = {"mentee": 0, "mentor": 0, "both": 0}
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # excel dialect: CRLF, minimal quoting, like Google's export
        writer.writerow(HEADERS)
        for index in range(rows):
            moment += dt.timedelta(seconds=randint(1, 40))
            (first, first_ascii), (last, last_ascii) = choice(FIRST_NAMES), choice(LAST_NAMES)
            domain = choices(domain_values, cum_weights=domain_cum)[0]
            style = rnd()
            if style < 0.6:
                local = f"{first_ascii}.{last_ascii}{index}"
            elif style < 0.85:
                local = f"{first_ascii[0]}{last_ascii}{index}"
            else:
                local = f"{first_ascii.capitalize()}.{last_ascii.capitalize()}{index}"
            email = f"{local}@{domain}"
            if rnd() < 0.03:
                email = f" {email} "  # stray spaces from copy-pasting
            name = f"{first} {last}"
            role = choices(role_values, cum_weights=role_cum)[0]
            kind = ROLE_KIND[role]
            roles[kind] += 1
            age = str(randint(18, 72)) if rnd() < 0.6 else choice(AGE_RANGES)

            if rnd() < invalid_rate:
                broken = choice(("email", "age", "name"))
                invalid_by_field[broken] += 1
                if broken == "email":
                    email = choice(("n/a", f"{local} at {domain}", f"{local}@", "-"))
                elif broken == "age":
                    age = choice(("16", "17", "under 18", "15-17"))
                else:
                    name = ""

            goals = (
                ", ".join(rng.sample(topics, choices((1, 2, 3), (60, 32, 8))[0]))
                if kind != "mentor"
                else ""
            )
            expertise = (
                ", ".join(rng.sample(topics, choices((1, 2, 3), (45, 40, 15))[0]))
                if kind != "mentee"
                else ""
            )
            capacity = str(randint(1, 5)) if kind != "mentee" else ""
            industry = choice(INDUSTRIES)
            company = choice(COMPANIES)
            years = randint(1, 30)
            bio = f"{choice(JOBS)}, {years} years in."
            if rnd() < 0.25:
                separator = "\n" if rnd() < 0.1 else " "
                bio += f"{separator}I'd like to {choice(AMBITIONS)}."
            writer.writerow(
                [
                    _timestamp(moment),
                    email,
                    name,
                    role,
                    age,
                    goals,
                    expertise,
                    choices(lang_values, cum_weights=lang_cum)[0],
                    choices(zone_values, cum_weights=zone_cum)[0],
                    capacity,
                    company,
                    industry,
                    bio,
                    choices(heard_values, cum_weights=heard_cum)[0],
                ]
            )
    return {
        "path": str(path),
        "rows": rows,
        "bytes": path.stat().st_size,
        "invalid": sum(invalid_by_field.values()),
        "invalid_by_field": invalid_by_field,
        "roles": roles,
        "seed": seed,
        "topics_source": topics_source,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a deterministic, realistic Google-Forms-like sign-up CSV export "
        "for benchmarking 'mentorctl import-signups'.",
    )
    parser.add_argument("output", type=Path, help="CSV file to write (replaced if it exists)")
    parser.add_argument(
        "--rows", type=int, default=100_000, help="responses to write (default: 100000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--invalid-rate",
        type=float,
        default=0.002,
        help="share of rows made unusable on purpose (default: 0.002)",
    )
    parser.add_argument("--json", action="store_true", help="print the facts as JSON")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if not 0 <= args.invalid_rate <= 1:
        parser.error("--invalid-rate must be between 0 and 1")

    start = time.perf_counter()
    stats = generate(args.output, args.rows, args.seed, invalid_rate=args.invalid_rate)
    stats["seconds"] = round(time.perf_counter() - start, 3)
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    rows = [
        ("file", stats["path"]),
        ("rows", f"{stats['rows']:,}"),
        ("size", f"{stats['bytes']:,} bytes ({stats['bytes'] / stats['rows']:.0f} bytes/row)"),
        ("roles", ", ".join(f"{k} {v:,}" for k, v in stats["roles"].items())),
        (
            "invalid rows",
            f"{stats['invalid']} ("
            + ", ".join(f"{k} {v}" for k, v in stats["invalid_by_field"].items())
            + ")",
        ),
        ("topics from", stats["topics_source"]),
        ("seed", str(stats["seed"])),
        ("generated in", f"{stats['seconds']:.2f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
