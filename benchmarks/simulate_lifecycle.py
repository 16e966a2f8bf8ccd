"""Run the lifecycle simulation (tests/test_lifecycle_simulation.py) longer than the suite does.

Random programs driven through their days: cron runs at random cadences with gaps, answers,
replies by email (notes, out-of-office replies, late replies, strangers, bounces), runs by
SMTP with one address refused for good, pause and its early end, withdraw, block, concerns,
forget, late sign-ups; the invariants are checked after every step, and every past day's
report, pairs and people are regenerated at the end and compared with what that day showed. The suite runs a handful of short examples; this
runs as many as asked:

    python benchmarks/simulate_lifecycle.py --examples 200 --steps 40 [--seed N] [--no-shrink]

It exits with pytest's code: 0 when every example kept every invariant.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="programs to run (100)")
    parser.add_argument("--steps", type=int, default=40, help="steps in each program (40)")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed")
    parser.add_argument(
        "--no-shrink", action="store_true", help="report a failure as found, unshrunk (faster)"
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "LIFECYCLE_EXAMPLES": str(args.examples),
        "LIFECYCLE_STEPS": str(args.steps),
        **({"LIFECYCLE_NO_SHRINK": "1"} if args.no_shrink else {}),
    }
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
        str(ROOT / "tests" / "test_lifecycle_simulation.py"), "-k", "TestLifecycle",
    ]  # fmt: skip
    if args.seed is not None:
        command.append(f"--hypothesis-seed={args.seed}")
    began = time.perf_counter()
    code = subprocess.call(command, cwd=ROOT, env=env)
    took = time.perf_counter() - began
    print(f"{args.examples} program(s) of up to {args.steps} steps: {took:.1f} s, exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
