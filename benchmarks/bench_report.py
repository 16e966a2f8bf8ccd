"""Time the whole ``mentorctl report --json`` (or ``people``/``pairs --json``) process on a
large running program.

A workspace from the ``career`` template gets, written straight into its store (not timed):
the people of ``gen_pairing.generate`` (ids ``P1``...), pairs ``M1``... (mostly active, some
quiet, completed or ended) that started ``--started`` (8) weeks before ``--today``, each
week's check-in message written to the outbox, and ``--weeks`` (12) weeks of check-in answers
for about 60 % of the pair-weeks. Then, in the same run and interleaved, best of N:

- ``mentorctl report --json -w WS --today DATE`` as a subprocess (start-up, loading the
  store, folding its history as of the day, computing the figures, the JSON output); with
  ``--command people`` or ``--command pairs``, that command's ``--json`` list instead;
- baseline: ``python -c`` with the same interpreter (mentorctl's #! line) that only
  ``orjson.loads`` the store file: the floor any report has to read through.

Target: the report takes at most 2x the baseline.

Exit status: 0 if the target holds, 1 if not, 2 if the benchmark could not run.

Usage::

    python benchmarks/bench_report.py                          # 100,000 people, 50,000 pairs
    python benchmarks/bench_report.py --people 10000 --pairs 5000 --repeat 1 --json
    python benchmarks/bench_report.py --command people     # the people list, 100,000 people
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import BenchmarkError, find_mentorctl, interpreter_of  # noqa: E402

TARGET_RATIO = 2.0
TODAY = dt.date(2026, 3, 2)
# Pair statuses with their weights: mostly active, a few gone quiet or finished.
STATUSES = [("active", 80), ("quiet", 10), ("completed", 5), ("ended", 5)]
ANSWER_SHARE = 0.6


def build_people(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` people from gen_pairing (two mentees per mentor), ids P1..."""
    from gen_pairing import generate

    mentors = max(1, count // 3)
    mentees = count - mentors
    # About 5 % of mentors are "both" and counted in both groups: add them back.
    both = min(mentees, int(mentors * 0.05))
    people, _, _ = generate(mentees + both, mentors, seed=seed)
    for k, person in enumerate(people, start=1):
        person["id"] = f"P{k}"
    return people


def build_pairs(
    people: list[dict[str, Any]], count: int, start: dt.date, seed: int
) -> list[dict[str, Any]]:
    rng = random.Random(f"report-pairs:{seed}:{count}")
    mentees = [p["id"] for p in people if p["role"] in ("mentee", "both")]
    mentors = [p["id"] for p in people if p["role"] in ("mentor", "both")]
    if not mentees or not mentors:
        raise BenchmarkError("generated people have no mentees or no mentors")
    statuses = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES], k=count)
    start_iso = start.isoformat()
    quiet_iso = (start + dt.timedelta(weeks=5)).isoformat()
    pairs = []
    for k in range(count):
        status = statuses[k]
        pair: dict[str, Any] = {
            "id": f"M{k + 1}",
            "mentee": mentees[k % len(mentees)],
            "mentor": mentors[k % len(mentors)],
            "status": status,
            "score": round(rng.random(), 4),
            "start_date": start_iso,
            "history": [],
        }
        if status == "quiet":
            pair["quiet_since"] = quiet_iso
        pairs.append(pair)
    return pairs


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T09:00:00+00:00"


def build_answers(
    pairs: list[dict[str, Any]], weeks: int, seed: int, today: dt.date
) -> list[dict[str, Any]]:
    """About 60 % of the pair-weeks answered, each recorded two days into its week (by
    ``today`` at the latest, so that the report as of ``today`` knows them all)."""
    rng = random.Random(f"report-answers:{seed}:{len(pairs)}:{weeks}")
    draw = rng.random
    answers = []
    for pair in pairs:
        pid, mentee = pair["id"], pair["mentee"]
        start = dt.date.fromisoformat(pair["start_date"])
        for week in range(1, weeks + 1):
            if draw() < ANSWER_SHARE:
                at = _stamp(min(today, start + dt.timedelta(days=7 * (week - 1) + 2)))
                answers.append(
                    {"pair": pid, "person": mentee, "week": week, "answers": {"met": "yes"},
                     "at": at, "updated": at}
                )  # fmt: skip
    return answers


def build_messages(pairs: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Each pair's weekly check-in of every week begun by ``today`` (to the mentee: one
    message per pair-week keeps the store's size near a real one's half), written to the
    outbox on the week's first day: what makes a pair due for a week."""
    messages = []
    for pair in pairs:
        pid, mentee = pair["id"], pair["mentee"]
        start = dt.date.fromisoformat(pair["start_date"])
        weeks = min(8, (today - start).days // 7 + 1)
        for week in range(1, weeks + 1):
            at = _stamp(start + dt.timedelta(days=7 * (week - 1)))
            messages.append(
                {"id": f"E{len(messages) + 1}", "key": f"{pid}/weekly/{week}/{mentee}",
                 "pair": pid, "kind": "weekly", "week": week, "part": mentee, "to": [mentee],
                 "file": f"outbox/{pid}-weekly-w{week:02d}-{mentee}.eml",
                 "delivery": {mentee: {"status": "written", "attempts": 0, "error": None,
                                       "at": at}},
                 "status": "written", "created": at}
            )  # fmt: skip
    return messages


def build_workspace(
    root: Path,
    mentorctl: Path,
    people_n: int,
    pairs_n: int,
    weeks: int,
    today: dt.date,
    seed: int,
    started_weeks_ago: int,
) -> dict[str, int]:
    done = subprocess.run(
        [str(mentorctl), "init-program", "Bench", "--template", "career", "--dir", str(root)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"init-program failed: {done.stderr.decode()[-400:]}")
    store_path = root / "bench" / "data" / "store.json"
    if not store_path.is_file():
        raise BenchmarkError(f"init-program made no store at {store_path}")
    try:
        from mentorctl.store.db import Store
    except ImportError as exc:
        raise BenchmarkError(
            f"cannot import mentorctl ({exc}); run with the project's venv"
        ) from exc

    start = today - dt.timedelta(weeks=started_weeks_ago)
    people = build_people(people_n, seed)
    pairs = build_pairs(people, pairs_n, start, seed)
    answers = build_answers(pairs, weeks, seed, today)
    messages = build_messages(pairs, today)
    sizes = {
        "people": len(people), "pairs": len(pairs), "answers": len(answers),
        "messages": len(messages),
    }  # fmt: skip
    with Store.writing(store_path) as store:
        store.next_ids("person", "P", len(people))
        store.next_ids("pair", "M", len(pairs))
        store.next_ids("message", "E", len(messages))
        store.insert_many("people", people)
        store.insert_many("pairs", pairs)
        store.insert_many("answers", answers)
        store.insert_many("messages", messages)
    sizes["store_bytes"] = store_path.stat().st_size
    return sizes


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchmarkError(f"{' '.join(cmd[:3])} failed: {done.stderr.decode()[-400:]}")
    return elapsed, done.stdout


def check(output: bytes, sizes: dict[str, int], command: str = "report") -> dict[str, Any]:
    try:
        data = json.loads(output)
    except ValueError as exc:
        raise BenchmarkError(f"{command} --json printed no JSON: {exc}") from exc
    if command != "report":
        if data.get("count") != sizes[command]:
            raise BenchmarkError(f"{command} lists {data.get('count')}, expected {sizes[command]}")
        return data
    if data.get("people") != sizes["people"] or len(data.get("pairs") or []) != sizes["pairs"]:
        raise BenchmarkError(
            f"report counts {data.get('people')} people and {len(data.get('pairs') or [])} "
            f"pairs, expected {sizes['people']} and {sizes['pairs']}"
        )
    answered = sum(row["answered"] for row in data.get("answer_rate") or [])
    if answered == 0 and sizes["answers"]:
        raise BenchmarkError("report counts no answered check-ins")
    return data


def run(args: argparse.Namespace) -> dict[str, Any]:
    mentorctl = find_mentorctl(args.mentorctl)
    python = interpreter_of(mentorctl)
    today = dt.date.fromisoformat(args.today)
    env = {**os.environ, "MENTORCTL_TODAY": args.today}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("MENTORCTL_WORKSPACE", None)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        root = Path(tmp) / "ws"
        started = time.perf_counter()
        sizes = build_workspace(
            root, mentorctl, args.people, args.pairs, args.weeks, today, args.seed, args.started
        )
        build_s = time.perf_counter() - started
        store_path = root / "bench" / "data" / "store.json"
        report = [str(mentorctl), args.command, "--json", "-w", str(root), "--today", args.today]
        baseline = [
            python,
            "-c",
            "import sys, orjson\nwith open(sys.argv[1], 'rb') as f: orjson.loads(f.read())",
            str(store_path),
        ]
        timed(report, env)  # warm-up: fills the bytecode and page caches
        timed(baseline, env)
        best_report = best_base = float("inf")
        data: dict[str, Any] = {}
        for _ in range(args.repeat):
            elapsed, out = timed(report, env)
            best_report = min(best_report, elapsed)
            data = check(out, sizes, args.command)
            best_base = min(best_base, timed(baseline, env)[0])
    ratio = best_report / best_base if best_base > 0 else float("inf")
    return {
        "command": args.command,
        "people": sizes["people"],
        "pairs": sizes["pairs"],
        "answers": sizes["answers"],
        "messages": sizes["messages"],
        "weeks": args.weeks,
        "started_weeks_ago": args.started,
        "store_mib": round(sizes["store_bytes"] / 2**20, 1),
        "build_s": round(build_s, 2),
        "repeat": args.repeat,
        "report_s": round(best_report, 4),
        "baseline_s": round(best_base, 4),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "passed": ratio <= TARGET_RATIO,
        "answer_rate_weeks": len(data.get("answer_rate") or []),
        "python": python,
        "mentorctl": str(mentorctl),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 target holds, 1 target missed, 2 benchmark failed.",
    )
    parser.add_argument("--people", type=int, default=100_000, help="people (default 100000)")
    parser.add_argument("--pairs", type=int, default=50_000, help="pairs (default 50000)")
    parser.add_argument("--weeks", type=int, default=12, help="weeks of check-ins (default 12)")
    parser.add_argument(
        "--started", type=int, default=8, help="pairs started N weeks before --today (default 8)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument(
        "--command",
        choices=("report", "people", "pairs"),
        default="report",
        help="the command timed, with --json (default report)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default=TODAY.isoformat(), help="report date (YYYY-MM-DD)")
    parser.add_argument("--mentorctl", help="path to the mentorctl script to time")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.people < 2 or args.pairs < 1 or args.weeks < 1 or args.repeat < 1 or args.started < 0:
        parser.error("--people must be >= 2; --pairs, --weeks, --repeat >= 1; --started >= 0")
    try:
        dt.date.fromisoformat(args.today)
    except ValueError:
        parser.error(f"--today {args.today}: not a YYYY-MM-DD date")
    try:
        result = run(args)
    except (BenchmarkError, OSError) as exc:
        print(f"bench_report: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['people']} people, {result['pairs']} pairs, {result['answers']} answers "
            f"over {result['weeks']} weeks, {result['messages']} messages (store "
            f"{result['store_mib']} MiB, built in {result['build_s']:.1f} s)\n"
            f"mentorctl {args.command} --json: best {result['report_s']:.3f} s "
            f"(of {result['repeat']})\n"
            f"orjson.loads baseline:   best {result['baseline_s']:.3f} s\n"
            f"ratio {result['ratio']:.2f}x; target <= {TARGET_RATIO:g}x: "
            f"{'PASS' if result['passed'] else 'FAIL'}"
        )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
