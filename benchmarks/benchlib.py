"""What the benchmark scripts share: finding mentorctl and the Python it runs with."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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
