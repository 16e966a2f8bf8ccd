"""The current date and time, injectable so that schedules can be tested without waiting.

``--today``/``--now`` options win, then the ``MENTORCTL_TODAY``/``MENTORCTL_NOW``
environment variables, then the system clock.
"""

from __future__ import annotations

import datetime as dt
import os

from mentorctl.errors import UsageError

ENV_TODAY = "MENTORCTL_TODAY"
ENV_NOW = "MENTORCTL_NOW"
# The days a command may be told it is: a program's weeks, a person's age and a pause's end
# are counted from the day, and near year 1 or 9999 those sums leave the calendar.
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def parse_date(text: str, source: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{source} '{text}': expected a date such as 2026-03-01") from None
    _check_range(day, text, source)
    return day


def parse_datetime(text: str, source: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{source} '{text}': expected a time such as 2026-03-01T09:00") from None
    _check_range(value.date(), text, source)
    try:
        return value if value.tzinfo is not None else value.astimezone()
    except (OverflowError, ValueError, OSError):
        raise UsageError(f"{source} '{text}': not a time this computer can place") from None


def _check_range(day: dt.date, text: str, source: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"{source} '{text}': expected a day between {FIRST_DAY} and {LAST_DAY}")


def now(option: str | None = None, *, today: str | None = None) -> dt.datetime:
    """``today``: a command's ``--today``, so that what it records (a pair's history, a
    message's Date) is stamped on that day, as with ``MENTORCTL_TODAY``."""
    if option:
        return parse_datetime(option, "--now")
    if os.environ.get(ENV_NOW):
        return parse_datetime(os.environ[ENV_NOW], ENV_NOW)
    if today or os.environ.get(ENV_TODAY):
        source = "--today" if today else ENV_TODAY
        day = parse_date(today or os.environ[ENV_TODAY], source)
        return dt.datetime(day.year, day.month, day.day, 9, 0).astimezone()
    return dt.datetime.now().astimezone()


def today(option: str | None = None) -> dt.date:
    if option:
        return parse_date(option, "--today")
    if os.environ.get(ENV_TODAY):
        return parse_date(os.environ[ENV_TODAY], ENV_TODAY)
    return now().date()
