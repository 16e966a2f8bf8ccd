"""Time the whole ``mentorctl pair --json`` process on a generated program.

A workspace from the ``career`` template gets the people of ``gen_pairing.generate`` written
straight into its store (not timed). Then, in the same run and interleaved, best of N:

- ``mentorctl pair --json`` as a subprocess: start-up, loading the store, scoring, the
  optimal assignment, the JSON output; its peak memory (ru_maxrss of the child);
- ``python -c "import typer"`` with the same interpreter, as a reference for start-up.

Targets (issue: pair): 5,000 x 1,000 in at most 2 s and under 1 GiB; 50,000 x 10,000 in
under 60 s. The JSON is checked: no mentee twice, no mentor over capacity.

Usage::

    python benchmarks/bench_pair_cli.py                       # 5000x1000, best of 3
    python benchmarks/bench_pair_cli.py --sizes 5000x1000,50000x10000 --repeat 1
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_pairing import generate  # noqa: E402

LIMITS = {"5000x1000": (2.0, 1024), "50000x10000": (60.0, None)}


def mentorctl_path() -> Path:
    local = Path(sys.executable).with_name("mentorctl")
    return local if local.exists() else HERE.parent / ".venv" / "bin" / "mentorctl"


def build_workspace(root: Path, mentees: int, mentors: int, seed: int) -> None:
    subprocess.run(
        [
            str(mentorctl_path()),
            "init-program",
            "Bench",
            "--template",
            "career",
            "--dir",
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    people, _, _ = generate(mentees, mentors, seed=seed)
    from mentorctl.store.db import Store

    with Store.writing(root / "bench" / "data" / "store.json") as store:
        ids = store.next_ids("person", "P", len(people))
        for person, person_id in zip(people, ids, strict=True):
            person["id"] = person_id
        store.insert_many("people", people)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bench_pair_cli: {' '.join(cmd[:3])} failed: {done.stderr.decode()[-400:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, done.stdout


def check(output: bytes, mentors: dict[str, int]) -> dict:
    data = json.loads(output)
    mentees = [p["mentee"] for p in data["pairs"]]
    assert len(mentees) == len(set(mentees)), "a mentee is paired twice"
    load = collections.Counter(p["mentor"] for p in data["pairs"])
    over = [m for m, n in load.items() if n > mentors.get(m, 0)]
    assert not over, f"mentors over capacity: {over[:5]}"
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000x1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    env = {**os.environ, "MENTORCTL_TODAY": "2026-03-02"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for size in args.sizes.split(","):
            mentees, mentors = (int(n) for n in size.split("x"))
            root = Path(tmp) / size
            build_workspace(root, mentees, mentors, args.seed)
            store = json.loads((root / "bench" / "data" / "store.json").read_bytes())
            capacity = {
                p["id"]: p.get("capacity") or 0
                for p in store["people"].values()
                if p["role"] in ("mentor", "both")
            }
            pair = [str(mentorctl_path()), "pair", "--json", "-w", str(root)]
            typer_only = [sys.executable, "-c", "import typer"]
            timed(pair, env)  # warm-up: fills the bytecode cache
            best, peak, ref = float("inf"), 0.0, float("inf")
            data: dict = {}
            for _ in range(args.repeat):
                elapsed, rss, out = timed(pair, env)
                best, peak = min(best, elapsed), max(peak, rss)
                data = check(out, capacity)
                ref = min(ref, timed(typer_only, env)[0])
            limit_s, limit_mb = LIMITS.get(size, (None, None))
            target = f"<= {limit_s:g} s" if limit_s else "-"
            if limit_mb:
                target += f", < {limit_mb} MiB"
            held = (limit_s is None or best <= limit_s) and (limit_mb is None or peak < limit_mb)
            ok &= held
            totals = data["totals"]
            print(
                f"{size}: mentorctl pair --json best {best:.2f} s (of {args.repeat}), peak "
                f"{peak:.0f} MiB; import typer {ref * 1000:.0f} ms; matched {totals['matched']}, "
                f"unmatched {totals['unmatched']}, total score {totals['total_score']:.2f}, "
                f"proven optimal {data['optimal_proven']}; target {target}: "
                f"{'PASS' if held else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
