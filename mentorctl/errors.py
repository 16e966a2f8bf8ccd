"""The one exception family of mentorctl.

Domain code raises these with as much context as it has (file, row, field);
only the CLI edge turns them into a one-line message on stderr and an exit code.
Messages never carry personal data: name people by their person id.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: cron may simply try again later


class MentorctlError(Exception):
    """An error the user can act on."""

    exit_code = EXIT_ERROR

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        self.hint = hint

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class UsageError(MentorctlError):
    """The command was asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class ConfigError(MentorctlError):
    """program.yaml or a template is invalid."""


class InputError(MentorctlError):
    """An input file (CSV export, answers) cannot be used."""


class RejectedRowsError(MentorctlError):
    """Rows were rejected and the command was asked to be strict about it."""

    exit_code = EXIT_REJECTED


class StoreError(MentorctlError):
    """The store is missing, unreadable or in an unexpected shape."""


class StoreLockedError(StoreError):
    """Another mentorctl process is writing to the same store."""

    exit_code = EXIT_LOCKED
