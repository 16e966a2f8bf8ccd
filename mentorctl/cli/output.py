"""Everything mentorctl prints: tables, JSON, messages, errors and progress.

Data goes to stdout, everything else (progress, warnings, errors) to stderr. Styling
depends on whether the stream is a terminal; the data never does. Rich is imported only
when a table or progress bar is actually drawn, to keep start-up fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO


def is_terminal(stream: TextIO) -> bool:
    """Whether to style output: a TTY, and neither NO_COLOR nor TERM=dumb set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def emit_json(data: Any) -> None:
    """``data`` as indented JSON on stdout; what JSON has no type for is written as text.

    orjson writes the same text as ``json.dumps(indent=2, ensure_ascii=False)`` several times
    faster (a report of 50,000 pairs); the standard library takes what orjson refuses (an
    integer beyond 64 bits)."""
    import orjson

    options = (
        orjson.OPT_INDENT_2
        | orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_SUBCLASS
    )
    try:
        text = orjson.dumps(data, default=str, option=options).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write(text + "\n")


def info(text: str) -> None:
    """A line of human output on stdout."""
    sys.stdout.write(text + "\n")


def note(text: str) -> None:
    """A remark for the person at the terminal (stderr, so pipes carry data only)."""
    sys.stderr.write(text + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def error(message: str, hint: str | None = None) -> None:
    line = f"mentorctl: error: {message}"
    if hint:
        line += f" (hint: {hint})"
    sys.stderr.write(line + "\n")


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table on stdout: drawn with rich on a terminal, aligned plain text when piped."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if is_terminal(sys.stdout):
        from rich.console import Console
        from rich.table import Table

        rich_table = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            rich_table.add_column(column, overflow="fold")
        for row in cells:
            rich_table.add_row(*row)
        Console().print(rich_table)
        return
    if title:
        info(title)
    widths = [len(c) for c in columns]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    for row in [list(columns), *cells]:
        info("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@contextmanager
def progress(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for long work; nothing at all when stderr is not a terminal."""
    if not is_terminal(sys.stderr):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        # No refresh thread: bulk work may fork a helper process, which threads make unsafe.
        auto_refresh=False,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, refresh=True)

        yield update
