"""Reading CSV exports of online forms, whatever spreadsheet or form service made them.

Google Forms, Microsoft Forms and Typeform export UTF-8 with commas; Excel's "CSV UTF-8"
adds a byte-order mark; European Excel writes Windows-1252 with semicolons; Excel's
"Unicode text" is UTF-16 with tabs. Cells may hold line breaks. This module turns any of
these into a header row and records, or one :class:`InputError` that says what is wrong.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from mentorctl.errors import InputError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# A spreadsheet numbers the header as row 1, so the first answer is row 2.
FIRST_DATA_ROW = 2


@dataclass
class FormTable:
    path: Path
    headers: list[str]
    records: list[list[str]]
    encoding: str
    delimiter: str

    def row_number(self, index: int) -> int:
        return index + FIRST_DATA_ROW


def normalise_header(text: str) -> str:
    """Headers compare without case, surrounding spaces, repeated spaces or a required-mark."""
    text = " ".join(text.replace("\ufeff", "").split()).casefold()
    return text.rstrip(" *:")


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was read with."""
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is a spreadsheet workbook, not CSV",
            file=path,
            hint="export it from your spreadsheet as 'CSV UTF-8 (comma delimited)'",
        )
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; Latin-1 reads every byte.
        encoding = "latin-1"
        text = raw.decode(encoding)
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate seen most often outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in counts:
                counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        clean = " ".join(header.replace("\ufeff", "").split())
        key = clean.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(clean if seen[key] == 1 else f"{clean} ({seen[key]})")
    return out


def read_form_csv(path: Path) -> FormTable:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a CSV file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=path) from None
    if not raw.strip():
        raise InputError("the file is empty", file=path)
    text, encoding = decode(raw, path)
    if "\x00" in text:
        raise InputError("not a CSV file (it holds binary data)", file=path)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        headers = next(reader, None)
        if headers is None or not any(h.strip() for h in headers):
            raise InputError("the file has no header row", file=path, row=1)
        headers = _unique_headers(headers)
        width = len(headers)
        for record in reader:
            if len(record) != width:
                if not any(cell.strip() for cell in record):
                    continue
                # Short rows are padded; cells past the last header (a trailing delimiter) are dropped.
                record = (record + [""] * width)[:width]
            elif not any(record):
                continue
            records.append(record)
    except csv.Error as exc:
        raise InputError(
            f"not readable as CSV: {exc}", file=path, row=len(records) + FIRST_DATA_ROW
        ) from None
    if not records:
        raise InputError("the file has a header row but no answers", file=path)
    return FormTable(path, headers, records, encoding, delimiter)
