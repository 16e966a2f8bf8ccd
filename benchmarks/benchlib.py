"""What the benchmark scripts share: finding mentorctl and the Python it runs with, and the
options, output and exit codes of the scripts that time a mentorctl run against a baseline."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class BenchmarkError(Exception):
    """The benchmark could not measure what it set out to (not a missed target)."""


def find_mentorctl(explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise BenchmarkError(f"--mentorctl {explicit}: no such file")
        return path
    candidates = [
        Path(sys.executable).parent / "mentorctl",
        HERE.parent / ".venv" / "bin" / "mentorctl",
    ]
    found = shutil.which("mentorctl")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BenchmarkError(
        "mentorctl not found; install the project (pip install -e .) or pass --mentorctl PATH"
    )


def interpreter_of(script: Path) -> str:
    """The Python a console script runs with (its #! line), so both sides use the same one."""
    try:
        with script.open("rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and Path(parts[0]).is_file() and "python" in Path(parts[0]).name:
            return parts[0]
    return sys.executable


def tool_vs_baseline_parser(doc: str, *, pairs_help: str, target: float) -> argparse.ArgumentParser:
    """The options of a benchmark that times mentorctl against a baseline worker."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000, help=pairs_help)
    parser.add_argument("--repeat", type=int, default=3, help="mentorctl repetitions (best kept)")
    parser.add_argument("--repeat-baseline", type=int, default=3, help="baseline repetitions")
    parser.add_argument(
        "--target", type=float, default=target, help="maximum ratio to the baseline"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mentorctl", help="the mentorctl executable to measure")
    parser.add_argument("--profile", action="store_true", help="also run once under cProfile")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--baseline-worker", type=Path, help=argparse.SUPPRESS)
    return parser


def report_and_exit_code(
    name: str,
    measure: Callable[[], dict[str, Any]],
    show: Callable[[dict[str, Any]], None],
    *,
    as_json: bool,
    target: float,
) -> int:
    """Measure, print (JSON or ``show``), and say whether the target holds: 0 when it does,
    1 when it does not, 2 when the benchmark itself failed."""
    try:
        report = measure()
    except (BenchmarkError, subprocess.CalledProcessError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0 if report["ratio"] <= target else 1


def print_runs(report: dict[str, Any]) -> None:
    """The individual timings of both sides, and the profile when one was taken."""
    print(
        "runs: mentorctl "
        + ", ".join(f"{s:.2f}" for s in report["mentorctl_runs"])
        + " | baseline "
        + ", ".join(f"{s:.2f}" for s in report["baseline_runs"])
    )
    if report["profile"]:
        print(report["profile"])
