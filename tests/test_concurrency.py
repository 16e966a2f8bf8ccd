"""Several mentorctl processes at once: writers serialise, readers never see a torn file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import PROGRAM, write_csv


def _csv(path: Path, prefix: str, rows: int) -> Path:
    lines = "".join(f"{prefix}{i}@example.org,Person {prefix}{i},Mentee,30\n" for i in range(rows))
    return write_csv(path, "Email,Name,Role,Age\n" + lines)


def test_concurrent_imports_never_corrupt_the_store(workspace: Path) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    files = [_csv(workspace / f"batch{n}.csv", f"w{n}-", 400) for n in range(4)]
    env = {**os.environ, "MENTORCTL_LOCK_TIMEOUT": "60"}
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mentorctl",
                "import-signups",
                str(f),
                "-w",
                str(workspace),
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for f in files
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        # A reader racing the writers must always see a complete JSON document.
        json.loads(store.read_bytes())
        reads += 1
    outcomes = [w.communicate() for w in writers]
    for writer, (out, err) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0, err
        assert json.loads(out)["imported"] == 400
    data = json.loads(store.read_bytes())
    assert len(data["people"]) == 1600
    ids = {p["id"] for p in data["people"].values()}
    assert len(ids) == 1600, "person ids must stay unique across concurrent writers"
    assert reads > 0


def test_a_writer_that_cannot_get_the_lock_exits_75_and_changes_nothing(workspace: Path) -> None:
    store = workspace / PROGRAM / "data" / "store.json"
    csv_file = _csv(workspace / "late.csv", "late", 3)
    hold = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from mentorctl.store.db import Store\n"
        "with Store.writing(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(10)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        before = store.read_bytes()
        late = subprocess.run(
            [
                sys.executable,
                "-m",
                "mentorctl",
                "import-signups",
                str(csv_file),
                "-w",
                str(workspace),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "MENTORCTL_LOCK_TIMEOUT": "0.5"},
        )
        assert late.returncode == 75, late.stderr
        assert "another mentorctl command is writing" in late.stderr
        assert len(late.stderr.strip().splitlines()) == 1
        assert store.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
