"""Killed sends, at length: how many deliveries a SIGKILL loses or repeats.

Runs tests/test_delivery_crash.py (``introduce --send`` and ``checkin --send`` killed at random
moments, then run to completion) with many more kills than the test suite uses, against both
of its SMTP servers: one that answers at once, and one that answers a message's data 50 ms
late and drops the message when the client is gone first. Targets: no delivery lost with
either server, and at most 1 duplicate per 100 kills with the server that answers at once
(a duplicate keeps its Message-ID, which mail stores take as the same message).

    .venv/bin/python benchmarks/bench_delivery_crash.py              # 200 kills per server
    .venv/bin/python benchmarks/bench_delivery_crash.py --kills 50   # 100 kills per server
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = re.compile(r'crash figures ([\w-]+): (\{"kills".*\})')


def measure(kills: int, python: str) -> dict[str, dict[str, int]]:
    env = {**os.environ, "MENTORCTL_CRASH_KILLS": str(kills)}
    done = subprocess.run(
        [
            *(python, "-m", "pytest", "-q", "-s", "-n", "0", "-p", "no:cacheprovider"),
            "tests/test_delivery_crash.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    found = {m.group(1): json.loads(m.group(2)) for m in FIGURES.finditer(done.stdout)}
    if len(found) != 2:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-2000:])
        raise RuntimeError("the crash test did not report both servers")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kills", type=int, default=100, help="kills per command and server (two commands)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--python", default=sys.executable, help="the Python with mentorctl")
    args = parser.parse_args()
    try:
        figures = measure(args.kills, args.python)
    except (RuntimeError, OSError) as exc:
        print(f"bench_delivery_crash: {exc}", file=sys.stderr)
        return 2
    fast = figures["at-once"]
    checks = {
        "lost (answers at once) = 0": fast["lost"] == 0,
        "lost (slow, drops) = 0": figures["slow-dropping"]["lost"] == 0,
        # A rate over fewer than 100 kills is read as over 100.
        "duplicates (answers at once) <= 1 per 100 kills": 100 * fast["duplicates"]
        <= max(fast["kills"], 100),
    }
    if args.json:
        print(json.dumps({"servers": figures, "targets": checks}, indent=2))
    else:
        print(f"{'server':<15} {'kills':>6} {'mid-send':>9} {'lost':>5} {'duplicates':>11}")
        for name, f in figures.items():
            print(
                f"{name:<15} {f['kills']:>6} {f['mid_send']:>9} {f['lost']:>5} "
                f"{f['duplicates']:>11}"
            )
        for what, ok in checks.items():
            print(f"{'ok    ' if ok else 'MISSED'} {what}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
