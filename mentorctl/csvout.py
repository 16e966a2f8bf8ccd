"""Writing CSV files that people open in spreadsheets: inert and private.

Every cell that a spreadsheet would run as a formula (it starts with = + - @, a tab, CR or LF,
or their full-width forms, also behind spaces, no-break or zero-width spaces and byte-order
marks) gets a leading single quote, as OWASP advises against CSV injection: a sign-up named
``=HYPERLINK(...)`` must never become a live link in an admin's spreadsheet. Files are written
atomically with mode 0600, since they hold personal data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from mentorctl.fileio import atomic_write_chunks

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Spreadsheets skip these before looking for a formula, or read them as the ASCII signs:
# full-width forms of = + - @, spaces (also no-break and zero-width ones) and byte-order marks.
_FULL_WIDTH = str.maketrans("\uff1d\uff0b\uff0d\uff20", "=+-@")
_SKIPPED = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\x0b\x0c"


def neutralise(cell: Any) -> Any:
    """The cell made inert for spreadsheets; numbers and empty cells pass unchanged."""
    if isinstance(cell, str) and _looks_like_formula(cell):
        return "'" + cell
    return cell


def _looks_like_formula(cell: str) -> bool:
    if cell.startswith(FORMULA_PREFIXES):
        return True
    start = cell[:64].lstrip(_SKIPPED).translate(_FULL_WIDTH)
    return start.startswith(FORMULA_PREFIXES)


def to_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    return "".join(_pieces(header, rows))


def _pieces(header: Sequence[str], rows: Iterable[Sequence[Any]], per: int = 5000) -> Iterator[str]:
    """The CSV text in pieces of ``per`` rows, so that a long file is never whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for number, row in enumerate(rows, 1):
        writer.writerow([neutralise(cell) for cell in row])
        if number % per == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write the CSV atomically, readable by its owner only; raises OSError.

    ``rows`` are consumed one by one as the file is written.
    """
    atomic_write_chunks(path, (piece.encode("utf-8") for piece in _pieces(header, rows)))
