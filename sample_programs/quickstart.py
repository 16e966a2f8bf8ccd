"""Set up mentorctl and run the whole flow on the bundled sample program.

Usage (from the repository root, with only Python 3.11+ installed):

    python3 sample_programs/quickstart.py

It creates ``.venv`` (once), installs mentorctl into it, then builds a fresh workspace in
``demo/`` from the ``career-circle`` sample: creates the program, imports the sign-up form's
export, imports a later export to show that re-imports only apply what changed, then
proposes pairs of mentees and mentors and saves them, introduces each pair and runs the
first weekly check-in the next day (messages go to the program's outbox as .eml files), and shows the
program's health report.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_programs" / "career-circle"
DEMO = ROOT / "demo"
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def step(title: str) -> None:
    print(f"\n=== {title}", flush=True)


def run(*args: str) -> None:
    command = [str(BIN / "mentorctl"), *args]
    print("$ mentorctl " + " ".join(args), flush=True)
    result = subprocess.run(command, cwd=DEMO if DEMO.exists() else ROOT)
    if result.returncode != 0:
        sys.exit(f"quickstart: 'mentorctl {args[0]}' failed with exit code {result.returncode}")


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - the one check that must run on older Pythons
        sys.exit("quickstart: mentorctl needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        step(f"Creating a virtual environment in {VENV.name}/")
        venv.create(VENV, with_pip=True)
    step("Installing mentorctl into it")
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            str(ROOT),
        ],
        check=True,
    )


def fresh_demo() -> None:
    if DEMO.exists():
        if not (DEMO / ".mentorctl").is_dir():
            sys.exit(f"quickstart: {DEMO} exists and is not a demo workspace; move it away first")
        shutil.rmtree(DEMO)
    DEMO.mkdir()
    for name in ("signups.csv", "signups-update.csv"):
        shutil.copy(SAMPLE / name, DEMO / name)


def main() -> None:
    setup()
    fresh_demo()
    step("1. Create the program from the 'career' template")
    run("init-program", "Career Circle", "--template", "career", "--dir", str(DEMO))
    step("2. Import the sign-up form's export (three rows are rejected on purpose)")
    run("import-signups", "signups.csv", "--write-rejects")
    step("3. Import a later export: only new and changed people are applied")
    run("import-signups", "signups-update.csv")
    step("4. Propose pairs: scores, reasons, who waits and why, the recruitment gap")
    run("pair")
    step("5. Save the proposals as pairs")
    run("pair", "--commit")
    step("6. Introduce each pair: one message to both, written to the outbox")
    run("introduce")
    step(
        "7. The weekly check-in, as cron would run it the next day: week 1's step and questions,"
        " to each person"
    )
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    run("checkin", "--today", tomorrow)
    step("8. Program health at a glance")
    run("report", "--today", tomorrow)
    outbox = sorted((DEMO / "career-circle" / "outbox").glob("*.eml"))
    print(f"\n{len(outbox)} messages are in {DEMO / 'career-circle' / 'outbox'}, e.g.:")
    if outbox:
        print(outbox[0].read_text(encoding="utf-8")[:1200])
    step("Done")
    print(f"The demo workspace is in {DEMO}. Try, from there:")
    print(f"  {BIN / 'mentorctl'} import-signups signups.csv --json")


if __name__ == "__main__":
    main()
