"""Small helpers shared by the tests (import as ``from helpers import ...``)."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-03-02"
PROGRAM = "test-program"


def read_store(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def people(path: Path) -> list[dict]:
    return list(read_store(path).get("people", {}).values())


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
