"""Telling mentees still waiting after ``pair --commit`` that they are on the list.

Each gets one ``waiting`` message (the program's ``messages/waiting.txt.j2``, else the default
shipped with mentorctl), once ever: it is recorded in the ``messages`` table like every other
message, under no pair (pair id ""), and written to the outbox; ``checkin --send`` delivers
those not sent yet over SMTP, as it does the other messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from mentorctl.checkins.plan import Outgoing, RunResult, State, message_key, waiting_pair
from mentorctl.checkins.record import settle_interrupted
from mentorctl.checkins.run import _commit, _execute, _open_run

if TYPE_CHECKING:
    from mentorctl.programs.program import Program
    from mentorctl.store.workspace import ProgramPaths


def notify_waiting(
    program: Program,
    paths: ProgramPaths,
    mentees: Iterable[str],
    *,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
) -> RunResult:
    """Write one ``waiting`` message to each of ``mentees`` not told before."""
    result = RunResult("pair", today, False, dry_run)
    opened, journal = _open_run(paths, dry_run)
    with opened as store:
        # The commit below drops the SMTP journal: settle a killed run's deliveries first, or
        # the next check-in would send them again.
        result.recovered = settle_interrupted(
            store, journal.read(), now.isoformat(timespec="seconds")
        )
        state = State(store)
        outgoing = []
        for person in dict.fromkeys(mentees):
            if (
                person not in state.people
                or message_key("", "waiting", 0, person) in state.messages
            ):
                continue
            pair = waiting_pair(person)
            outgoing.append(Outgoing(pair, "waiting", 0, person, [person], [person], None))
        _execute(
            store, program, paths, state, outgoing, {}, result,
            now=now, by="pair", progress=None, sender_factory=None,
        )  # fmt: skip
        _commit(store, journal, dry_run)
    return result


__all__ = ["notify_waiting"]
