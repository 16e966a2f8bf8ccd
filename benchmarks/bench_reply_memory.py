"""Benchmark the peak memory of ``mentorctl checkin --replies`` on replies with big attachments.

A reply's attachments are passed over without being decoded or held, so reading a Maildir
that holds a reply with a large attachment (and a stranger's file larger than mentorctl reads
at all) should take about the memory of reading an empty one. Everything happens in a
temporary folder:

1. a workspace from the ``career`` template with ``--pairs`` (10) active pairs and their
   week-1 messages (as ``bench_checkin.py`` makes them);
2. **empty**: ``mentorctl checkin --replies MAILDIR --json --dry-run`` on an empty Maildir;
3. **attachment**: the same on a Maildir holding one reply to week 1 with a ``--mb`` (50) MB
   attachment (base64, as mail clients send it) and a stranger's 300 MB file (sparse: it
   costs no disk).

Each side runs in a child process; its peak resident memory (``ru_maxrss``) is read by a
small Python parent that runs nothing else. Target: attachment <= 2x empty (``--target``).
The run's output is checked: the reply recorded (``--dry-run`` writes nothing), the big file
listed as unreadable ("too large").

Exit code: 0 when the target holds, 1 when it does not, 2 when the benchmark itself fails.

Examples::

    python benchmarks/bench_reply_memory.py
    python benchmarks/bench_reply_memory.py --mb 100 --json
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_checkin import TODAY, make_people, prepare, say  # noqa: E402
from benchlib import BenchmarkError, find_mentorctl, interpreter_of  # noqa: E402

NOW = "2026-03-09T09:00:00+00:00"
# Runs one command and prints its peak RSS in KiB (Linux reports ru_maxrss in KiB).
PEAK = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)\n"
    "sys.stderr.write(done.stderr.decode('utf-8', 'replace')[-1500:])\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stdout.write(done.stdout.decode('utf-8', 'replace'))\n"
)


def reply_with_attachment(sender: str, in_reply_to: str, megabytes: int) -> bytes:
    head = (
        f"From: {sender}\nTo: mentoring@example.org\nSubject: Re: week 1\n"
        f"Message-ID: <memory-1@example.net>\nIn-Reply-To: {in_reply_to}\n"
        f"References: {in_reply_to}\nDate: Mon, 09 Mar 2026 08:00:00 +0000\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\n1. yes\n2. 4\n3. Photos attached.\n"
        "--b\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="photos.jpg"\n\n'
    ).encode()
    data = base64.encodebytes(os.urandom(1024 * 1024) * megabytes)
    return head + data + b"--b--\n"


def maildir(path: Path) -> Path:
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def peak(python: str, cmd: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """Peak resident KiB of ``cmd`` in a child, and its JSON output."""
    proc = subprocess.run(
        [python, "-c", PEAK, *cmd], capture_output=True, env=env, stdin=subprocess.DEVNULL
    )
    first, _, rest = proc.stdout.decode("utf-8", "replace").partition("\n")
    code, kib = (int(x) for x in first.split())
    if code != 0:
        raise BenchmarkError(f"mentorctl failed with exit code {code}: {proc.stderr.decode()}")
    return kib, json.loads(rest)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    mentorctl = find_mentorctl(args.mentorctl)
    python = interpreter_of(mentorctl)
    root = Path(tempfile.mkdtemp(prefix="bench-reply-memory-"))
    env = dict(os.environ)
    for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_TODAY", "MENTORCTL_NOW"):
        env.pop(name, None)
    env.update(PYTHONPYCACHEPREFIX=str(root / "pycache"), MENTORCTL_NOW=NOW, NO_COLOR="1")
    try:
        say(f"Preparing {args.pairs} pairs in {root} ...", args)
        workspace = prepare(root, mentorctl, python, env, args.pairs, args.seed)
        people, pairs = make_people(args.pairs, args.seed)
        sender = next(p["email"] for p in people if p["id"] == pairs[0]["mentee"])
        to = f"<x.{pairs[0]['id']}.weekly1.all@example.org>"
        empty = maildir(root / "Empty")
        full = maildir(root / "Full")
        (full / "new" / "1773000000.M1P1.bench").write_bytes(
            reply_with_attachment(sender, to, args.mb)
        )
        with (full / "new" / "1773000001.M2P1.stranger").open("wb") as f:
            f.write(b"From: stranger@example.net\n\n")
            f.truncate(300 * 1024 * 1024)  # sparse

        def command(box: Path) -> list[str]:
            return [python, str(mentorctl), "checkin", "--workspace", str(workspace),
                    "--today", TODAY.isoformat(), "--replies", str(box), "--json",
                    "--dry-run"]  # fmt: skip

        peak(python, command(empty), env)  # warm-up: fills the bytecode cache
        empties, fulls = [], []
        for _ in range(args.repeat):
            kib, _out = peak(python, command(empty), env)
            empties.append(kib)
            kib, out = peak(python, command(full), env)
            if out.get("recorded") != 1 or [x["reason"] for x in out["unreadable"]] != [
                "too large"
            ]:
                raise BenchmarkError(f"unexpected result: {json.dumps(out)[:500]}")
            fulls.append(kib)
            say(f"  empty {empties[-1] / 1024:7.1f} MiB   attachment {kib / 1024:7.1f} MiB", args)
        return {
            "attachment_mb": args.mb,
            "empty_peak_mib": min(empties) / 1024,
            "attachment_peak_mib": min(fulls) / 1024,
            "ratio": min(fulls) / min(empties),
            "target": args.target,
            "python": python,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10, help="active pairs (default 10)")
    parser.add_argument("--mb", type=int, default=50, help="attachment size in MB (50)")
    parser.add_argument("--repeat", type=int, default=2, help="repetitions (best kept)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--target", type=float, default=2.0, help="max ratio (2.0)")
    parser.add_argument("--mentorctl", help="the mentorctl script to run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        report = measure(args)
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    ok = report["ratio"] <= report["target"]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"peak RSS, empty Maildir          {report['empty_peak_mib']:8.1f} MiB")
        print(f"peak RSS, {args.mb} MB attachment      {report['attachment_peak_mib']:8.1f} MiB")
        print(
            f"ratio {report['ratio']:.2f} (target <= {report['target']:.1f}): "
            + ("ok" if ok else "MISSED")
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
