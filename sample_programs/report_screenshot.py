"""Make the README's report screenshot and terminal excerpt from the bundled sample program.

Usage (from the repository root, with mentorctl importable and Chromium on PATH):

    python sample_programs/report_screenshot.py [--keep DIR]

Runs the career-circle sample through five program weeks in a temporary workspace: imports
the sign-ups, pairs and introduces everyone on 2026-03-02, runs each week's check-in, records
check-in answers for most pairs (the same ones every time: the choice is a hash of the pair and
the week), raises one concern, then writes the HTML report as of week 5 and has headless
Chromium take ``sample_programs/career-circle/report-html.png``. The terminal report is
printed, for the README's excerpt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_programs" / "career-circle"
START = dt.date(2026, 3, 2)
WEEKS = 5
NOTES = [
    "We set a goal for the promotion case",
    "Moved our call to Thursdays",
    "Practised the salary conversation",
]


def run(ws: Path, today: dt.date, *args: str) -> str:
    env = dict(os.environ, MENTORCTL_TODAY=today.isoformat(), NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "mentorctl", *args]
        + ([] if args[0] == "init-program" else ["-w", str(ws)]),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"mentorctl {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def chance(*parts: object) -> float:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32


def build(ws: Path) -> dt.date:
    run(ws, START, "init-program", "Career Circle", "--template", "career", "--dir", str(ws))
    run(ws, START, "import-signups", str(SAMPLE / "signups.csv"))
    run(ws, START, "import-signups", str(SAMPLE / "signups-update.csv"))
    run(ws, START, "pair", "--commit")
    run(ws, START, "introduce", "--start", START.isoformat())
    pairs = json.loads(run(ws, START, "pairs", "--json"))["pairs"]
    today = START
    for week in range(1, WEEKS + 1):
        today = START + dt.timedelta(days=7 * (week - 1) + 1)
        run(ws, today, "checkin")
        current = {p["id"]: p for p in json.loads(run(ws, today, "pairs", "--json"))["pairs"]}
        for i, pair in enumerate(pairs):
            if current[pair["id"]]["status"] not in ("active", "quiet"):
                continue
            # Fewer answers as the weeks go on, and a few pairs that fall silent.
            not_fit = i == 7 and week == 1  # one pair says the match does not work
            silent = chance(pair["id"]) < 0.12 or chance(pair["id"], week) > 0.95 - 0.06 * week
            if silent and not not_fit:
                continue
            answers = ["met=" + ("yes" if chance(pair["id"], week, "met") < 0.8 else "no")]
            answers.append(f"progress={2 + int(chance(pair['id'], week, 'p') * 4)}")
            if week == 1:
                answers.append("fit=" + ("no" if not_fit else "yes"))
            if chance(pair["id"], week, "note") < 0.08:
                answers.append("note=" + NOTES[i % len(NOTES)])
            args = ["--record", pair["id"], "--person", pair["mentee"], "--week", str(week)]
            for answer in answers:
                args += ["--answer", answer]
            run(ws, today, "checkin", *args)
        if week == 3:
            run(ws, today, "concern", pairs[4]["id"], "--reason", "missed two meetings")
    return today + dt.timedelta(days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("report_screenshot: no chromium on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        ws = args.keep or Path(tmp) / "ws"
        today = build(ws)
        page = Path(tmp) / "report.html"
        run(ws, today, "report", "--format", "html", "--out", str(page))
        print(run(ws, today, "report"))
        shot = SAMPLE / "report-html.png"
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--disable-background-networking", "--no-first-run",
                f"--user-data-dir={Path(tmp) / 'profile'}", f"--screenshot={shot}",
                "--window-size=1000,1500", page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        print(f"wrote {shot.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
