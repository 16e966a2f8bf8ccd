"""Benchmark mentorctl's start-up: ``mentorctl --help`` against ``python -c "import typer"``.

A command-line tool is started far more often than it works hard, so ``--help`` (stdout
piped, as in scripts and CI) must cost little more than importing Typer itself, which any
Typer CLI pays. Both are run with the same interpreter (the one in mentorctl's #! line),
interleaved, best (minimum) of ``--repeat`` runs each, and compared as a ratio because the
machine is shared and noisy.

Target: ``mentorctl --help`` (piped) <= 2x ``python -c "import typer"``.

Informational, no target:
- ``python -c pass``: the interpreter's own start-up, the floor for any Python CLI;
- ``mentorctl --version``;
- ``mentorctl --help`` under a pseudo-terminal (``pty``), where Rich formats the help;
  the table says whether ANSI styling was seen, to show the Rich path was taken.

When the target is missed, the slowest imports of ``mentorctl --help`` (``python -X importtime``)
are listed to show where the time goes.

Exit code: 0 when the target holds, 1 when it does not, 2 when the benchmark itself fails.

Examples::

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --repeat 20 --json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import BenchmarkError, find_mentorctl, interpreter_of  # noqa: E402


def bench_env(pycache: Path | None) -> dict[str, str]:
    """The environment of every command run.

    With ``pycache``, bytecode is cached in that folder (``PYTHONPYCACHEPREFIX``) even when the
    caller sets ``PYTHONDONTWRITEBYTECODE``, so both sides start from .pyc files as an installed
    mentorctl and Typer do; the warm-up run fills it, and nothing is written into the source tree.
    """
    env = dict(os.environ)
    for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_TODAY", "MENTORCTL_NOW"):
        env.pop(name, None)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def run_piped(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of ``cmd`` with stdout and stderr piped (not a terminal)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(cmd)} failed with exit code {proc.returncode}: "
            f"{proc.stderr.decode('utf-8', 'replace').strip()[-1000:]}"
        )
    return seconds, proc.stdout.decode("utf-8", "replace")


def run_pty(
    cmd: list[str], env: dict[str, str], columns: int = 100, lines: int = 40
) -> tuple[float, str]:
    """Wall time of ``cmd`` with stdin, stdout and stderr on a pseudo-terminal."""
    import fcntl
    import pty
    import struct
    import termios

    env = dict(env)
    env.pop("NO_COLOR", None)
    env["TERM"] = env.get("TERM") if env.get("TERM") not in (None, "", "dumb") else "xterm-256color"
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    chunks: list[bytes] = []
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        slave = -1
        while True:  # drain the terminal, or a long help text would block the child
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                proc.kill()
                raise BenchmarkError(f"{' '.join(cmd)} produced nothing for 30 s under a pty")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait()
        seconds = time.perf_counter() - start
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    if code != 0:
        raise BenchmarkError(f"{' '.join(cmd)} under a pty failed with exit code {code}")
    return seconds, b"".join(chunks).decode("utf-8", "replace")


def slowest_imports(
    python: str, mentorctl: Path, env: dict[str, str], top: int
) -> list[dict[str, Any]]:
    """The modules with the largest cumulative import time for ``mentorctl --help``."""
    proc = subprocess.run(
        [python, "-X", "importtime", str(mentorctl), "--help"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
    )
    found = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if match:
            found.append(
                {
                    "module": match.group(4),
                    "self_ms": int(match.group(1)) / 1000,
                    "cumulative_ms": int(match.group(2)) / 1000,
                    "depth": (len(match.group(3)) - 1) // 2,
                }
            )
    # Any depth: "mentorctl.cli.app" alone says little; what it pulls in (typer, rich, ...) says more.
    return sorted(found, key=lambda m: -m["cumulative_ms"])[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time 'mentorctl --help' (stdout piped) against 'python -c \"import typer\"' "
        "with the same interpreter, as a ratio of the best of N runs; also report --version "
        "and --help under a pseudo-terminal (Rich formatting).",
        epilog="Exit code 0: the target holds; 1: it is missed; 2: the benchmark failed.",
    )
    parser.add_argument(
        "--repeat", type=int, default=10, help="runs of each command, best kept (default: 10)"
    )
    parser.add_argument(
        "--target",
        type=float,
        default=2.0,
        help="max (mentorctl --help) / (import typer) ratio (default: 2.0)",
    )
    parser.add_argument(
        "--mentorctl",
        help="mentorctl executable (default: next to this Python, the project's .venv, or PATH)",
    )
    parser.add_argument(
        "--no-pycache",
        action="store_true",
        help="run commands with the caller's bytecode settings (default: cache .pyc files in a "
        "temporary folder, as an installed mentorctl has them)",
    )
    parser.add_argument(
        "--no-pty", action="store_true", help="skip the pseudo-terminal measurement"
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    pycache = None if args.no_pycache else Path(tempfile.mkdtemp(prefix="mentorctl-bench-pyc-"))
    try:
        report = measure(args, pycache)
    except BenchmarkError as exc:
        print(f"bench_startup: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0 if report["ok"] else 1


def measure(args: argparse.Namespace, pycache: Path | None) -> dict[str, Any]:
    mentorctl = find_mentorctl(args.mentorctl)
    python = interpreter_of(mentorctl)
    env = bench_env(pycache)
    commands: dict[str, tuple[list[str], str]] = {
        "python -c pass": ([python, "-c", "pass"], "piped"),
        'python -c "import typer"': ([python, "-c", "import typer"], "piped"),
        "mentorctl --help": ([str(mentorctl), "--help"], "piped"),
        "mentorctl --version": ([str(mentorctl), "--version"], "piped"),
    }
    if not args.no_pty:
        commands["mentorctl --help (pty, Rich)"] = ([str(mentorctl), "--help"], "pty")

    outputs: dict[str, str] = {}
    for name, (cmd, mode) in commands.items():  # warm-up: .pyc files and the page cache
        runner = run_pty if mode == "pty" else run_piped
        outputs[name] = runner(cmd, env)[1]
    if "import-signups" not in outputs["mentorctl --help"]:
        raise BenchmarkError("'mentorctl --help' does not list import-signups; is this mentorctl?")

    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved, so load bursts hit every command alike
        for name, (cmd, mode) in commands.items():
            runner = run_pty if mode == "pty" else run_piped
            times[name].append(runner(cmd, env)[0])

    base = min(times['python -c "import typer"'])
    help_best = min(times["mentorctl --help"])
    ok = help_best / base <= args.target
    pty_output = outputs.get("mentorctl --help (pty, Rich)", "")
    rows = []
    for name, (_, mode) in commands.items():
        best = min(times[name])
        row: dict[str, Any] = {
            "name": name,
            "mode": mode,
            "seconds": best,
            "median_seconds": sorted(times[name])[len(times[name]) // 2],
            "ratio": best / base,
            "target": args.target if name == "mentorctl --help" else None,
            "ok": ok if name == "mentorctl --help" else None,
        }
        rows.append(row)
    report: dict[str, Any] = {
        "benchmark": "startup",
        "python": python,
        "mentorctl": str(mentorctl),
        "bytecode": "cached in a temporary folder" if pycache else "caller's settings",
        "repeat": args.repeat,
        "baseline": 'python -c "import typer"',
        "baseline_seconds": base,
        "results": rows,
        "version_output": outputs["mentorctl --version"].strip(),
        "pty_styled": ("\x1b[" in pty_output) if pty_output else None,
        "ok": ok,
    }
    if not ok:
        report["slowest_imports"] = slowest_imports(python, mentorctl, env, 12)
    return report


def print_report(report: dict[str, Any]) -> None:
    print(f"start-up benchmark: best of {report['repeat']} runs each, interleaved")
    print(f"python: {report['python']}; bytecode: {report['bytecode']}\n")
    header = ["command", "output", "best (ms)", "median (ms)", "ratio", "target", "result"]
    table = []
    for row in report["results"]:
        if row["target"] is not None:
            target, result = f"<= {row['target']:g}x", "PASS" if row["ok"] else "FAIL"
        else:
            target, result = "", "baseline" if row["name"] == report["baseline"] else "info"
        table.append(
            [
                row["name"],
                row["mode"],
                f"{row['seconds'] * 1000:.1f}",
                f"{row['median_seconds'] * 1000:.1f}",
                f"{row['ratio']:.2f}x",
                target,
                result,
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    for n, row in enumerate([header, *table]):
        print(
            "  ".join(
                str(v).ljust(w) if i < 2 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(
        f"\nratios are against {report['baseline']}; --version printed {report['version_output']!r}"
    )
    if report["pty_styled"] is not None:
        print(
            "help under a pty was "
            + (
                "styled by Rich (ANSI codes seen)"
                if report["pty_styled"]
                else "NOT styled (no ANSI codes seen)"
            )
        )
    if "slowest_imports" in report:
        print("\nslowest imports of 'mentorctl --help' (python -X importtime; cumulative, self):")
        for m in report["slowest_imports"]:
            print(
                f"  {m['cumulative_ms']:8.1f} ms {m['self_ms']:7.1f} ms  "
                f"{'  ' * m['depth']}{m['module']}"
            )
    print(f"\nresult: {'target holds' if report['ok'] else 'TARGET MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
