"""Benchmark the whole ``mentorctl checkin`` against the bare stdlib cost of the same messages.

The machine this runs on is shared and noisy, so the target is a ratio to a baseline measured
in the same run, and the best (minimum) of several interleaved repetitions is kept on both
sides. Everything happens in a temporary folder:

1. a workspace from the ``career`` template holds ``--pairs`` (10,000) active pairs of
   generated people (names with accents and non-Latin scripts, goals, bios...), introduced
   one week ago, with their introduction and week-1 messages already recorded, so the store
   is the size it has in the middle of a program (the store is written directly, not timed);
2. **mentorctl**: ``mentorctl checkin --workspace WS`` on week 2's first day: plans, renders
   ``weekly.txt.j2`` and the subject for each person of every pair (the week's message goes
   to each on their own), builds each ``EmailMessage``, writes 20,000 ``.eml`` files into the
   outbox, and records 20,000 messages in the store (one commit). The store and outbox are restored before each repetition, outside the timing;
3. **baseline**: a Python process that imports jinja2 and email, makes the same people and
   pairs in memory (no store, no files), and for each person of each pair renders the same two
   templates and builds the same message (From, To, Reply-To, Subject, Date, Message-ID,
   Auto-Submitted, text/plain) with the standard library's ``EmailMessage`` and
   ``as_bytes()``. Python's start-up and the imports are on both sides.

Target: mentorctl <= 1.5x baseline (``--target``). Also reported, from inside the baseline
process: the time per message of the Jinja render and of building and serialising the
EmailMessage, and the per-message cost. The run's output is checked every time (the
summary line must count exactly two weekly messages per pair, and the outbox must hold as
many files); a mismatch stops the benchmark with exit code 2.

Exit code: 0 when the target holds, 1 when it does not, 2 when the benchmark itself fails.

Examples::

    python benchmarks/bench_checkin.py                      # 10,000 pairs, best of 3
    python benchmarks/bench_checkin.py --pairs 1000 --repeat 1
    python benchmarks/bench_checkin.py --json > checkin.json
    python benchmarks/bench_checkin.py --profile            # also print cProfile hotspots
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import (  # noqa: E402
    BenchmarkError,
    find_mentorctl,
    interpreter_of,
    print_runs,
    report_and_exit_code,
    tool_vs_baseline_parser,
)

TODAY = dt.date(2026, 3, 9)  # the first day of week 2 for pairs that started on START
START = dt.date(2026, 3, 2)
SLUG = "bench"
NOW = "2026-03-09T09:00:00+00:00"

FIRST = ["Ann", "José", "Zoë", "Łukasz", "Nguyễn", "Aylin", "Mohammed", "Priya", "Chen", "Olu",
         "Sofia", "Liam", "Amara", "Kenji", "Fatima", "Mateo", "Ingrid", "Ravi", "Léa", "Tomás"]  # fmt: skip
LAST = ["Bello", "García", "Müller", "Kowalski", "Văn An", "Yılmaz", "O'Brien", "Sharma", "王",
        "Okafor", "Rossi", "Smith", "Diallo", "Tanaka", "Haddad", "López", "Berg", "Iyer"]  # fmt: skip
TOPICS = ["Career change", "Job search and applications", "CV and LinkedIn profile",
          "Interview preparation", "Salary and negotiation", "Getting promoted",
          "Moving into management", "Networking", "Visibility and personal brand"]  # fmt: skip
ZONES = ["UTC", "UTC+1", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "GMT-5"]
BIO = [
    "I have worked in logistics for twelve years, mostly in planning, and I want a change.",
    "Back at work after two years at home with the kids, keen to grow again.",
    "Product designer, curious about management, happy to share what I learnt.",
    "Engineer turned team lead; I enjoy helping people find their next step.",
]


# -- the data: the same on both sides -----------------------------------------------------


def make_people(pairs: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``pairs`` mentees and as many mentors as people documents, and the pairs between them."""
    rng = random.Random(seed)
    people = []
    for n in range(2 * pairs):
        mentor = n % 2 == 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        topics = rng.sample(TOPICS, rng.randint(1, 4))
        people.append(
            {
                "id": f"P{n + 1}",
                "email": f"{'mentor' if mentor else 'mentee'}{n + 1}@example.org",
                "name": f"{first} {last}",
                "role": "mentor" if mentor else "mentee",
                "age": rng.randint(20, 65),
                "age_confirmed": False,
                "birth_date": None,
                "goals": [] if mentor else topics,
                "expertise": topics if mentor else [],
                "languages": rng.choice(
                    [["English"], ["English", "Spanish"], ["German", "English"]]
                ),
                "timezone": rng.choice(ZONES),
                "capacity": 1 if mentor else None,
                "organisation": rng.choice([None, "Acme", "Globex", "Initech"]),
                "bio": rng.choice(BIO),
                "extra": {"industry": rng.choice(["Finance", "Health", "Tech"])},
                "status": "active",
                "created": "2026-02-01T09:00:00+00:00",
                "updated": "2026-02-01T09:00:00+00:00",
            }
        )
    pair_docs = []
    for n in range(pairs):
        mentee, mentor = people[2 * n], people[2 * n + 1]
        shared = [t for t in mentee["goals"] if t in mentor["expertise"]]
        reasons = [f"both: {', '.join(shared)}"] if shared else []
        pair_docs.append(
            {
                "id": f"M{n + 1}",
                "mentee": mentee["id"],
                "mentor": mentor["id"],
                "status": "active",
                "score": round(rng.random(), 4),
                "reasons": [*reasons, "mentor speaks English"],
                "parts": [],
                "method": "optimal",
                "locked": False,
                "start_date": START.isoformat(),
                "introduced": START.isoformat(),
                "created": "2026-02-20T09:00:00+00:00",
                "updated": "2026-03-02T09:00:00+00:00",
                "history": [
                    {"at": "2026-02-20T09:00:00+00:00", "status": "proposed", "by": "optimal"}
                ],
            }
        )
    return people, pair_docs


def fill_store(store: Path, people: list[dict], pairs: list[dict]) -> None:
    """Write people, pairs and the messages of the first week straight into the store."""
    data = json.loads(store.read_text(encoding="utf-8"))
    data["people"] = {str(i): p for i, p in enumerate(people, 1)}
    data["pairs"] = {str(i): p for i, p in enumerate(pairs, 1)}
    stamp = "2026-03-02T09:00:00+00:00"
    messages = {}
    for pair in pairs:
        for kind, week in (("intro", 0), ("weekly", 1)):
            n = len(messages) + 1
            to = [pair["mentee"], pair["mentor"]]
            name = f"{pair['id']}-{kind}" + ("-w01" if kind == "weekly" else "")
            messages[str(n)] = {
                "id": f"E{n}",
                "key": f"{pair['id']}/{kind}/{week}/all",
                "pair": pair["id"],
                "kind": kind,
                "week": week,
                "part": "all",
                "to": to,
                "message_id": f"<x.{pair['id']}.{kind}{week}.all@example.org>",
                "file": f"outbox/{name}.eml",
                "delivery": {
                    p: {"status": "written", "attempts": 0, "error": None, "at": stamp} for p in to
                },
                "status": "written",
                "created": stamp,
                "updated": stamp,
                "sent_at": None,
            }
    data["messages"] = messages
    counters = data["_meta"]["1"].setdefault("counters", {})
    counters.update(person=len(people), pair=len(pairs), message=len(messages))
    store.write_text(json.dumps(data), encoding="utf-8")


# -- the baseline process ------------------------------------------------------------------


def baseline_worker(messages_dir: Path, pairs: int, seed: int) -> None:
    """Render and build every message with jinja2 and the stdlib only; print timings as JSON."""
    import email.policy
    import email.utils
    from email.headerregistry import Address
    from email.message import EmailMessage

    import jinja2
    import yaml

    program = yaml.safe_load((messages_dir.parent / "program.yaml").read_text(encoding="utf-8"))
    people, pair_docs = make_people(pairs, seed)
    by_id = {p["id"]: p for p in people}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(messages_dir)),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    body = env.get_template(program["messages"]["weekly"]["file"])
    subject = env.from_string(program["messages"]["weekly"]["subject"])
    guide = program["guide"]
    questions = [
        {k: q[k] for k in ("key", "text", "kind")} for q in program["checkin"]["questions"]
    ]
    sender = program["sender"]
    prog = {
        "name": program["name"],
        "slug": program["slug"],
        "title": program.get("title"),
        "description": program["description"],
        "duration_weeks": program["duration_weeks"],
        "sender": {"name": sender["name"], "email": sender["email"]},
    }
    date = email.utils.format_datetime(dt.datetime.fromisoformat(NOW))
    week = 2
    render_s = build_s = 0.0
    size = 0
    for pair, role in ((p, r) for p in pair_docs for r in ("mentee", "mentor")):
        t0 = time.perf_counter()
        mentee, mentor = by_id[pair["mentee"]], by_id[pair["mentor"]]
        mentee = {**mentee, "first_name": mentee["name"].split()[0]}
        mentor = {**mentor, "first_name": mentor["name"].split()[0]}
        recipient, partner = (mentee, mentor) if role == "mentee" else (mentor, mentee)
        context = {
            "program": prog,
            "mentee": mentee,
            "mentor": mentor,
            "recipient": recipient,
            "partner": partner,
            "nudge": False,
            "pair": {
                "id": pair["id"],
                "score": pair["score"],
                "reasons": pair["reasons"],
                "shared_topics": [t for t in mentee["goals"] if t in mentor["expertise"]],
                "start_date": START,
            },
            "week": week,
            "weeks_left": program["duration_weeks"] - week,
            "step": guide[week - 1],
            "next_step": guide[week],
            "questions": questions,
            "fit_question": None,
        }
        text = body.render(context)
        subject_text = subject.render(context)
        t1 = time.perf_counter()
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = Address(sender["name"], addr_spec=sender["email"])
        msg["To"] = Address(recipient["name"], addr_spec=recipient["email"])
        msg["Reply-To"] = Address(sender["name"], addr_spec=sender["email"])
        msg["Subject"] = subject_text
        msg["Date"] = date
        msg["Message-ID"] = f"<x.{pair['id']}.weekly{week}.{recipient['id']}@example.org>"
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(text)
        size += len(msg.as_bytes())
        render_s += t1 - t0
        build_s += time.perf_counter() - t1
    print(
        json.dumps(
            {
                "messages": 2 * len(pair_docs),
                "render_s": render_s,
                "build_s": build_s,
                "bytes": size,
            }
        )
    )


# -- running and measuring ----------------------------------------------------------------


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one child process (stdout and stderr piped), and its stdout."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(cmd[:4])}... failed with exit code {proc.returncode}: "
            f"{proc.stderr.decode('utf-8', 'replace').strip()[-1500:]}"
        )
    return seconds, proc.stdout.decode("utf-8", "replace")


def prepare(
    root: Path, mentorctl: Path, python: str, env: dict[str, str], pairs: int, seed: int
) -> Path:
    workspace = root / "ws"
    subprocess.run(
        [
            python,
            str(mentorctl),
            "init-program",
            "Bench",
            "--template",
            "career",
            "--slug",
            SLUG,
            "--dir",
            str(workspace),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    people, pair_docs = make_people(pairs, seed)
    store = workspace / SLUG / "data" / "store.json"
    fill_store(store, people, pair_docs)
    shutil.copy2(store, root / "store.prepared.json")
    return workspace


def reset(root: Path, workspace: Path) -> None:
    shutil.copy2(root / "store.prepared.json", workspace / SLUG / "data" / "store.json")
    shutil.rmtree(workspace / SLUG / "outbox", ignore_errors=True)


def check_run(stdout: str, workspace: Path, pairs: int) -> None:
    messages = 2 * pairs  # the week's message goes to each person of a pair on their own
    expected = (
        f"checkin {TODAY.isoformat()} (outbox): {messages} message(s) ({messages} weekly) written"
    )
    if stdout.strip() != expected:
        raise BenchmarkError(
            f"unexpected summary: {stdout.strip()[:300]!r} (expected {expected!r})"
        )
    files = sum(1 for p in (workspace / SLUG / "outbox").glob("*-weekly-w02-*.eml"))
    if files != messages:
        raise BenchmarkError(f"the outbox holds {files} files, expected {messages}")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    mentorctl = find_mentorctl(args.mentorctl)
    python = interpreter_of(mentorctl)
    root = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    env = dict(os.environ)
    for name in (
        "MENTORCTL_WORKSPACE",
        "MENTORCTL_TODAY",
        "MENTORCTL_NOW",
        "PYTHONDONTWRITEBYTECODE",
    ):
        env.pop(name, None)
    env.update(PYTHONPYCACHEPREFIX=str(root / "pycache"), MENTORCTL_NOW=NOW, NO_COLOR="1")
    try:
        say(f"Preparing {args.pairs:,} active pairs in {root} ...", args)
        workspace = prepare(root, mentorctl, python, env, args.pairs, args.seed)
        tool_cmd = [
            python,
            str(mentorctl),
            "checkin",
            "--workspace",
            str(workspace),
            "--today",
            TODAY.isoformat(),
        ]
        base_cmd = [python, str(Path(__file__).resolve()), "--baseline-worker",
                    str(workspace / SLUG / "messages"), "--pairs", str(args.pairs), "--seed", str(args.seed)]  # fmt: skip
        reset(root, workspace)
        check_run(run(tool_cmd, env)[1], workspace, args.pairs)  # warm-up: fills the bytecode cache
        run(base_cmd, env)
        tool_runs: list[float] = []
        base_runs: list[float] = []
        inner: list[dict[str, Any]] = []
        for rep in range(max(args.repeat, args.repeat_baseline)):
            if rep < args.repeat_baseline:
                seconds, out = run(base_cmd, env)
                base_runs.append(seconds)
                inner.append(json.loads(out))
                say(f"  baseline   {seconds:7.2f} s", args)
            if rep < args.repeat:
                reset(root, workspace)
                seconds, out = run(tool_cmd, env)
                check_run(out, workspace, args.pairs)
                tool_runs.append(seconds)
                say(f"  mentorctl  {seconds:7.2f} s", args)
        best_inner = min(inner, key=lambda x: x["render_s"] + x["build_s"])
        profile = None
        if args.profile:
            reset(root, workspace)
            prof = root / "checkin.prof"
            run([python, "-m", "cProfile", "-o", str(prof), *tool_cmd[1:]], env)
            profile = hotspots(prof)
        store_size = (workspace / SLUG / "data" / "store.json").stat().st_size
        return {
            "pairs": args.pairs,
            "mentorctl_s": min(tool_runs),
            "baseline_s": min(base_runs),
            "ratio": min(tool_runs) / min(base_runs),
            "target": args.target,
            "mentorctl_runs": tool_runs,
            "baseline_runs": base_runs,
            "render_us": best_inner["render_s"] / args.pairs * 1e6,
            "build_us": best_inner["build_s"] / args.pairs * 1e6,
            "message_bytes": best_inner["bytes"] / args.pairs,
            "mentorctl_us_per_message": min(tool_runs) / args.pairs * 1e6,
            "store_bytes_after": store_size,
            "python": python,
            "profile": profile,
        }
    finally:
        if args.keep:
            say(f"Kept {root}", args)
        else:
            shutil.rmtree(root, ignore_errors=True)


def hotspots(prof: Path, top: int = 15) -> str:
    import io
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buffer)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def say(text: str, args: argparse.Namespace) -> None:
    del args  # progress always goes to stderr, so --json output stays clean
    print(text, file=sys.stderr, flush=True)


def print_report(report: dict[str, Any]) -> None:
    verdict = "ok" if report["ratio"] <= report["target"] else "MISSED"
    rows = [
        ("baseline (jinja2 + EmailMessage.as_bytes)", f"{report['baseline_s']:.2f} s", ""),
        ("mentorctl checkin", f"{report['mentorctl_s']:.2f} s",
         f"{report['ratio']:.2f}x baseline (target <= {report['target']}x: {verdict})"),
        ("  per message, mentorctl", f"{report['mentorctl_us_per_message']:.0f} us", ""),
        ("  per message, Jinja render (baseline)", f"{report['render_us']:.0f} us", ""),
        ("  per message, EmailMessage + as_bytes (baseline)", f"{report['build_us']:.0f} us", ""),
        ("  message size", f"{report['message_bytes']:.0f} bytes", ""),
        ("  store after the run", f"{report['store_bytes_after'] / 1e6:.1f} MB", ""),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"mentorctl checkin, {report['pairs']:,} active pairs (best of each side)")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value:>12}  {note}".rstrip())
    print_runs(report)


def main(argv: list[str] | None = None) -> int:
    parser = tool_vs_baseline_parser(
        __doc__, pairs_help="active pairs (default 10,000)", target=1.5
    )
    args = parser.parse_args(argv)
    if args.baseline_worker:
        baseline_worker(args.baseline_worker, args.pairs, args.seed)
        return 0
    return report_and_exit_code(
        "bench_checkin", lambda: measure(args), print_report, as_json=args.json, target=args.target
    )


if __name__ == "__main__":
    sys.exit(main())
