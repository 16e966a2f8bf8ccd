"""Benchmark ``mentorctl import-signups`` against a bare ``csv`` parse of the same file.

The machine this runs on is shared and noisy, so absolute seconds mean little; every figure
is compared with a baseline measured in the same run, and the best (minimum) of several
repetitions is kept on both sides. Everything happens in a temporary folder:

1. a Google-Forms-like sign-up export is generated (``gen_signups.generate``; 100,000 rows
   by default, about 24 MB) unless ``--csv`` names an existing one;
2. baseline: ``python -c`` that opens the file (utf-8, newline='') and iterates
   ``csv.DictReader`` over every row, run as a subprocess so Python's start-up is on both
   sides (the in-process parse time is reported too, for reference);
3. first import: ``mentorctl import-signups FILE --workspace WS --json`` into an empty store,
   with a fresh workspace per repetition (``mentorctl init-program`` is not timed);
4. re-import: the unchanged file again into the filled store, which must report imported 0,
   updated 0, unchanged == rows - rejected.

Targets: first import <= 3x baseline, re-import <= 3x baseline. Also reported: peak RSS of
the import process (per child, from ``os.wait4``), CPU time, and the store's size on disk.
The import's JSON counts are checked every time; a mismatch stops the benchmark with exit 2.

Exit code: 0 when all targets hold, 1 when one does not, 2 when the benchmark itself fails.

Examples::

    python benchmarks/bench_import.py                  # full size, 3 and 5 repetitions
    python benchmarks/bench_import.py --rows 10000 --repeat 1 --repeat-baseline 1
    python benchmarks/bench_import.py --json > import.json
    python benchmarks/bench_import.py --profile        # also print cProfile hotspots
    python benchmarks/bench_import.py --keep           # keep the CSV and last workspace
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import BenchmarkError, find_mentorctl, interpreter_of  # noqa: E402
from gen_signups import generate  # noqa: E402

BASELINE_CODE = """\
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    count = sum(1 for _ in csv.DictReader(handle))
print(count)
"""
TODAY = "2026-03-02"
PROGRAM_SLUG = "bench"


# -- running commands ---------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float | None
    max_rss_kib: int | None
    returncode: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)


def _rss_kib(ru_maxrss: int) -> int:
    """ru_maxrss is KiB on Linux and bytes on macOS."""
    return ru_maxrss // 1024 if sys.platform == "darwin" else ru_maxrss


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    """Run ``cmd`` to completion; wall time, the child's own CPU time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd
        )
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            rss = _rss_kib(usage.ru_maxrss)
        else:  # pragma: no cover - mentorctl itself needs a POSIX system
            proc.wait()
            seconds = time.perf_counter() - start
            cpu, rss = None, None
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            cpu,
            rss,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def check_ok(result: Run, what: str) -> None:
    if result.returncode != 0:
        raise BenchmarkError(
            f"{what} failed with exit code {result.returncode}:\n{result.stderr.strip()[-2000:]}"
        )


def python_version(python: str) -> str:
    if python == sys.executable:
        return platform.python_version()
    try:
        return subprocess.run(
            [python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def bench_env(today: str, pycache: Path | None) -> dict[str, str]:
    """The environment of every command run: no workspace or clock of the caller's.

    With ``pycache``, bytecode is cached in that folder (``PYTHONPYCACHEPREFIX``) even when the
    caller sets ``PYTHONDONTWRITEBYTECODE``, as an installed mentorctl has its .pyc files; the
    warm-up run fills it, and nothing is written into the source tree.
    """
    env = dict(os.environ)
    for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_NOW", "MENTORCTL_LOCK_TIMEOUT"):
        env.pop(name, None)
    env["MENTORCTL_TODAY"] = today
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


# -- the benchmark ------------------------------------------------------------------------


def parse_in_process(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.DictReader(handle))
    return time.perf_counter() - start, count


def init_workspace(mentorctl: Path, root: Path, env: dict[str, str]) -> Path:
    result = run(
        [
            str(mentorctl),
            "init-program",
            "Bench",
            "--template",
            "career",
            "--dir",
            str(root),
            "--json",
        ],
        env,
    )
    check_ok(result, "mentorctl init-program")
    store = root / PROGRAM_SLUG / "data" / "store.json"
    if not store.is_file():
        raise BenchmarkError(f"init-program made no store at {store}")
    return store


def import_cmd(mentorctl: Path, csv_path: Path, workspace: Path) -> list[str]:
    return [
        str(mentorctl),
        "import-signups",
        str(csv_path),
        "--workspace",
        str(workspace),
        "--json",
    ]


def parse_counts(result: Run, what: str) -> dict[str, Any]:
    check_ok(result, what)
    try:
        data = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise BenchmarkError(
            f"{what}: output is not JSON ({exc}): {result.stdout[:300]!r}"
        ) from None
    for key in ("rows", "imported", "updated", "unchanged", "rejected"):
        if not isinstance(data.get(key), int):
            raise BenchmarkError(f"{what}: JSON has no integer '{key}': {sorted(data)}")
    return data


def verify_first(data: dict[str, Any], rows: int, invalid: int | None) -> None:
    """Check a first import's counts.

    ``invalid`` is None for a CSV the generator did not write (``--csv``): its emails may repeat
    and blank rows may be skipped, so only the counts that hold for any file are checked.
    """
    generated = invalid is not None
    problems = []
    if data["updated"] or data["unchanged"]:
        problems.append(
            f"an empty store reported updated {data['updated']}, unchanged {data['unchanged']}"
        )
    if generated:
        if data["rows"] != rows:
            problems.append(f"rows {data['rows']} != {rows} written")
        if data["imported"] + data["rejected"] != rows:
            problems.append(
                f"imported {data['imported']} + rejected {data['rejected']} != {rows} rows "
                "(the generator writes unique emails, so no row should be merged)"
            )
        if data["rejected"] != invalid:
            problems.append(
                f"rejected {data['rejected']} != {invalid} rows generated invalid on purpose"
            )
    elif data["imported"] + data["rejected"] > data["rows"]:
        problems.append(
            f"imported {data['imported']} + rejected {data['rejected']} > {data['rows']} rows"
        )
    if len(data.get("rejects", [])) != data["rejected"]:
        problems.append(
            f"{len(data.get('rejects', []))} rejects listed for rejected {data['rejected']}"
        )
    if problems:
        raise BenchmarkError("first import counts are wrong: " + "; ".join(problems))


def verify_reimport(data: dict[str, Any], first: dict[str, Any], generated: bool) -> None:
    """Check the counts of re-importing the unchanged file: nothing new, nothing updated."""
    # Every generated email is unique, so everyone not rejected is unchanged; in another file
    # repeated emails count once, as the people the first import created.
    expected = data["rows"] - data["rejected"] if generated else first["imported"]
    problems = []
    if data["imported"] != 0:
        problems.append(f"imported {data['imported']} (expected 0)")
    if data["updated"] != 0:
        problems.append(
            f"updated {data['updated']} (expected 0; changed: {data.get('changed_fields')})"
        )
    if data["unchanged"] != expected:
        what = "rows - rejected" if generated else "people imported the first time"
        problems.append(f"unchanged {data['unchanged']} != {what} = {expected}")
    if data["rejected"] != first["rejected"] or data["rows"] != first["rows"]:
        problems.append("rows/rejected differ from the first import")
    if problems:
        raise BenchmarkError("re-import of the unchanged file: " + "; ".join(problems))


def profile_import(
    mentorctl: Path, python: str, csv_path: Path, work: Path, env: dict[str, str], top: int
) -> str:
    """A first import and a re-import under cProfile; hotspots by cumulative and own time."""
    import pstats
    from io import StringIO

    ws = work / "ws-profile"
    init_workspace(mentorctl, ws, env)
    text = StringIO()
    for what in ("first import", "re-import"):
        out = work / f"{what.replace(' ', '-')}.prof"
        cmd = [
            python,
            "-m",
            "cProfile",
            "-o",
            str(out),
            "-m",
            "mentorctl",
            "import-signups",
            str(csv_path),
            "--workspace",
            str(ws),
            "--json",
        ]
        check_ok(run(cmd, env), f"profiled {what}")
        stats = pstats.Stats(str(out), stream=text)
        stats.strip_dirs()
        text.write(f"==== {what}: by cumulative time, top {top} ====\n")
        stats.sort_stats("cumulative").print_stats(top)
        text.write(f"==== {what}: by own time, top {top} ====\n")
        stats.sort_stats("tottime").print_stats(top)
    shutil.rmtree(ws, ignore_errors=True)
    return text.getvalue()


def best(values: list[float]) -> float:
    return min(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time 'mentorctl import-signups' (first import and re-import) against a bare "
        "csv.DictReader parse of the same file, as ratios of the best of N runs.",
        epilog="Exit code 0: all targets hold; 1: a target missed; 2: the benchmark failed.",
    )
    parser.add_argument(
        "--rows", type=int, default=100_000, help="rows to generate (default: 100000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--csv", type=Path, help="use this CSV export instead of generating one")
    parser.add_argument(
        "--repeat", type=int, default=3, help="repetitions of each import, best kept (default: 3)"
    )
    parser.add_argument(
        "--repeat-baseline",
        type=int,
        default=5,
        help="repetitions of the baseline parse, best kept (default: 5)",
    )
    parser.add_argument(
        "--target", type=float, default=3.0, help="max first-import / baseline ratio (default: 3.0)"
    )
    parser.add_argument(
        "--reimport-target",
        type=float,
        default=3.0,
        help="max re-import / baseline ratio (default: 3.0)",
    )
    parser.add_argument(
        "--mentorctl",
        help="mentorctl executable (default: next to this Python, the project's .venv, or PATH)",
    )
    parser.add_argument(
        "--today", default=TODAY, help=f"MENTORCTL_TODAY for the runs (default: {TODAY})"
    )
    parser.add_argument(
        "--no-pycache",
        action="store_true",
        help="run commands with the caller's bytecode settings (default: cache .pyc files in "
        "the temporary folder, as an installed mentorctl has them)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder and print its path"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one import and one re-import (cProfile) and print the hotspots",
    )
    parser.add_argument(
        "--profile-top", type=int, default=25, help="lines of profile to print (default: 25)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1 or args.repeat_baseline < 1:
        parser.error("--rows, --repeat and --repeat-baseline must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="mentorctl-bench-import-"))
    try:
        report = measure(args, work)
    except BenchmarkError as exc:
        print(f"bench_import: error: {exc}", file=sys.stderr)
        if args.keep:
            print(f"bench_import: files kept in {work}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
        if args.keep:
            print(f"\nfiles kept in {work}")
    return 0 if report["ok"] else 1


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    mentorctl = find_mentorctl(args.mentorctl)
    python = interpreter_of(mentorctl)
    env = bench_env(args.today, None if args.no_pycache else work / "pycache")
    log = (lambda *a: None) if args.json else (lambda msg: print(msg, file=sys.stderr, flush=True))

    if args.csv:
        csv_path = args.csv.resolve()
        if not csv_path.is_file():
            raise BenchmarkError(f"--csv {args.csv}: no such file")
        _, rows = parse_in_process(csv_path)
        gen = {"rows": rows, "bytes": csv_path.stat().st_size, "invalid": None, "seconds": None}
    else:
        csv_path = work / "signups.csv"
        log(f"generating {args.rows:,} rows ...")
        start = time.perf_counter()
        gen = generate(csv_path, args.rows, args.seed)
        gen["seconds"] = round(time.perf_counter() - start, 3)
    rows = int(gen["rows"])

    # Warm-up, not timed: the page cache, .pyc files, and a first check that all runs.
    log("warming up ...")
    check_ok(run([python, "-c", BASELINE_CODE, str(csv_path)], env), "baseline parse")
    parse_in_process(csv_path)
    in_process: list[float] = []

    baseline: list[Run] = []
    first: list[Run] = []
    again: list[Run] = []
    first_data: dict[str, Any] = {}
    again_data: dict[str, Any] = {}
    store_bytes = 0
    previous_ws: Path | None = None
    for index in range(max(args.repeat, args.repeat_baseline)):
        # Interleaved, so a burst of load on the shared machine hits both sides alike.
        if index < args.repeat_baseline:
            result = run([python, "-c", BASELINE_CODE, str(csv_path)], env)
            check_ok(result, "baseline parse")
            if result.stdout.strip() != str(rows):
                raise BenchmarkError(
                    f"baseline counted {result.stdout.strip()} rows, expected {rows}"
                )
            baseline.append(result)
            in_process.append(parse_in_process(csv_path)[0])
            log(f"  baseline   #{index + 1}: {result.seconds:.3f} s")
        if index < args.repeat:
            ws = work / f"ws-{index}"
            store = init_workspace(mentorctl, ws, env)
            result = run(import_cmd(mentorctl, csv_path, ws), env)
            first_data = parse_counts(result, "first import")
            verify_first(first_data, rows, gen["invalid"])
            first.append(result)
            log(
                f"  import     #{index + 1}: {result.seconds:.3f} s  "
                f"(imported {first_data['imported']:,}, rejected {first_data['rejected']})"
            )
            store_bytes = store.stat().st_size
            result = run(import_cmd(mentorctl, csv_path, ws), env)
            again_data = parse_counts(result, "re-import")
            verify_reimport(again_data, first_data, gen["invalid"] is not None)
            again.append(result)
            log(
                f"  re-import  #{index + 1}: {result.seconds:.3f} s  "
                f"(unchanged {again_data['unchanged']:,})"
            )
            if store.stat().st_size != store_bytes:
                raise BenchmarkError("the re-import of an unchanged file changed the store's size")
            if previous_ws is not None:
                shutil.rmtree(previous_ws, ignore_errors=True)
            previous_ws = ws

    base = best([r.seconds for r in baseline])
    first_best = best([r.seconds for r in first])
    again_best = best([r.seconds for r in again])
    checks = [
        {
            "name": "first import",
            "seconds": first_best,
            "ratio": first_best / base,
            "target": args.target,
            "ok": first_best / base <= args.target,
        },
        {
            "name": "re-import (unchanged)",
            "seconds": again_best,
            "ratio": again_best / base,
            "target": args.reimport_target,
            "ok": again_best / base <= args.reimport_target,
        },
    ]
    report: dict[str, Any] = {
        "benchmark": "import-signups",
        "python": python,
        "python_version": python_version(python),
        "mentorctl": str(mentorctl),
        "bytecode": "caller's settings" if args.no_pycache else "cached in the temporary folder",
        "file": {
            "rows": rows,
            "bytes": gen["bytes"],
            "invalid_rows": gen["invalid"],
            "generated_seconds": gen["seconds"],
            "seed": None if args.csv else args.seed,
        },
        "repeat": {"imports": args.repeat, "baseline": args.repeat_baseline},
        "baseline": {
            "seconds": base,
            "runs": [r.seconds for r in baseline],
            "cpu_seconds": min(r.cpu_seconds or 0 for r in baseline),
            "max_rss_kib": max(r.max_rss_kib or 0 for r in baseline),
            "in_process_seconds": best(in_process),
        },
        "first_import": {
            "seconds": first_best,
            "runs": [r.seconds for r in first],
            "cpu_seconds": min(r.cpu_seconds or 0 for r in first),
            "max_rss_kib": max(r.max_rss_kib or 0 for r in first),
            "counts": {
                k: first_data[k] for k in ("rows", "imported", "updated", "unchanged", "rejected")
            },
            "warnings": len(first_data.get("warnings", [])),
        },
        "reimport": {
            "seconds": again_best,
            "runs": [r.seconds for r in again],
            "cpu_seconds": min(r.cpu_seconds or 0 for r in again),
            "max_rss_kib": max(r.max_rss_kib or 0 for r in again),
            "counts": {
                k: again_data[k] for k in ("rows", "imported", "updated", "unchanged", "rejected")
            },
        },
        "store_bytes": store_bytes,
        "checks": checks,
        "ok": all(c["ok"] for c in checks),
    }
    if previous_ws is not None and not args.keep:
        shutil.rmtree(previous_ws, ignore_errors=True)
    if args.profile:
        log("profiling one import ...")
        report["profile"] = profile_import(mentorctl, python, csv_path, work, env, args.profile_top)
    return report


def _mib(kib: int | None) -> str:
    return f"{kib / 1024:,.0f} MiB" if kib else "n/a"


def print_report(report: dict[str, Any]) -> None:
    f = report["file"]
    b, fi, re_ = report["baseline"], report["first_import"], report["reimport"]
    print(
        f"\nimport-signups benchmark: {f['rows']:,} rows, {f['bytes'] / 1e6:.1f} MB "
        f"({f['bytes'] / f['rows']:.0f} bytes/row); best of {report['repeat']['imports']} "
        f"imports / {report['repeat']['baseline']} baseline runs"
    )
    print(
        f"python: {report['python']} ({report['python_version']}); bytecode: {report['bytecode']}\n"
    )
    header = ["measurement", "best (s)", "cpu (s)", "peak RSS", "ratio", "target", "result"]
    table = [
        [
            "baseline: csv.DictReader (subprocess)",
            f"{b['seconds']:.3f}",
            f"{b['cpu_seconds']:.3f}",
            _mib(b["max_rss_kib"]),
            "1.00x",
            "",
            "",
        ],
        [
            "baseline: csv.DictReader (in-process)",
            f"{b['in_process_seconds']:.3f}",
            "",
            "",
            "",
            "",
            "info",
        ],
    ]
    for check, data in zip(report["checks"], (fi, re_), strict=True):
        table.append(
            [
                check["name"],
                f"{check['seconds']:.3f}",
                f"{data['cpu_seconds']:.3f}",
                _mib(data["max_rss_kib"]),
                f"{check['ratio']:.2f}x",
                f"<= {check['target']:g}x",
                "PASS" if check["ok"] else "FAIL",
            ]
        )
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for n, row in enumerate([header, *table]):
        print(
            "  ".join(
                str(v).ljust(w) if i == 0 else str(v).rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))
    invalid = "n/a" if f["invalid_rows"] is None else f["invalid_rows"]
    c1, c2 = fi["counts"], re_["counts"]
    print(
        f"\nfirst import: imported {c1['imported']:,}, rejected {c1['rejected']:,} "
        f"(generated invalid: {invalid}), {fi['warnings']} warning(s)"
    )
    print(
        f"re-import:    imported {c2['imported']}, updated {c2['updated']}, "
        f"unchanged {c2['unchanged']:,}, rejected {c2['rejected']:,}"
    )
    print(
        f"store file:   {report['store_bytes'] / 1e6:.1f} MB "
        f"({report['store_bytes'] / max(c1['imported'], 1):.0f} bytes/person)"
    )
    print(
        "runs (s):     baseline "
        + ", ".join(f"{s:.3f}" for s in b["runs"])
        + " | import "
        + ", ".join(f"{s:.3f}" for s in fi["runs"])
        + " | re-import "
        + ", ".join(f"{s:.3f}" for s in re_["runs"])
    )
    print(f"\nresult: {'all targets hold' if report['ok'] else 'TARGET MISSED'}")
    if "profile" in report:
        print("\n" + report["profile"])


if __name__ == "__main__":
    sys.exit(main())
