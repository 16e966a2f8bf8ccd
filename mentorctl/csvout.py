"""Writing CSV files that people open in spreadsheets: inert and private.

Every cell that a spreadsheet would run as a formula (it starts with = + - @, a tab, CR or LF)
gets a leading single quote, as OWASP advises against CSV injection: a sign-up named
``=HYPERLINK(...)`` must never become a live link in an admin's spreadsheet. Files are written
atomically with mode 0600, since they hold personal data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mentorctl.fileio import atomic_write_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell: Any) -> Any:
    """The cell made inert for spreadsheets; numbers and empty cells pass unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def to_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the CSV atomically, readable by its owner only; raises OSError."""
    atomic_write_text(path, to_text(header, rows))
