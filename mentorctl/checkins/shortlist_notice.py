"""``pair --shortlist K``: each waiting mentee is offered their K best mentors by email.

The mentors are those ``pair`` would consider (:mod:`mentorctl.matching.shortlist`): with a
free place, none blocked, none paired with the mentee before, within the program's rules and
``min_score``, best score first. The message (kind ``shortlist``: the program's
``messages/shortlist.txt.j2``, else the default shipped with mentorctl, in the mentee's
language) numbers the mentors, each with their first name, one line of their ``bio`` (their
surname and organisation left out) and the reasons that fit: never a surname, an address,
an organisation or another answer. The mentee replies with a number or a first name (read by
``checkin --replies``, :mod:`.choice_replies`).

Like the ``waiting`` notice, it belongs to no pair (pair id ""); its ``week`` is the
shortlist's number for that mentee (1, 2...). It is recorded in the ``messages`` table
(keyed Message-ID, delivery per recipient), written to the outbox and, with ``send``,
delivered over SMTP. What was offered is a ``shortlisted`` entry in the mentee's ``history``
(``mentors``: their ids in the order shown; ``number``). A mentee gets a new shortlist only
when theirs changed (other mentors, or another order), and not while a choice they made
since their latest one can still be honoured (one of the mentors they chose is still
acceptable and has a free place: ``pair`` will place them); with ``send``, one written earlier and
not yet delivered goes again while it is still their current one (``checkin --send`` does the
same: :mod:`.unpaired`). Run from cron, it repeats nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import unpaired
from mentorctl.checkins.outgoing import Outgoing, RunResult, State, message_key, unsent
from mentorctl.errors import UsageError
from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.programs.program import Program
    from mentorctl.store.workspace import ProgramPaths

KIND = "shortlist"
EVENT = unpaired.SHORTLISTED
MAX_K = 10


@dataclass
class Offered:
    """One mentee's shortlist in this run: ``status`` new | unchanged | sent_again."""

    mentee: str
    number: int
    mentors: list[dict[str, Any]]  # {id, name, score}
    status: str


@dataclass
class ShortlistRun:
    run: RunResult
    k: int
    offered: list[Offered] = field(default_factory=list)
    none: list[str] = field(default_factory=list)  # waiting mentees with no mentor to offer
    kept: list[str] = field(default_factory=list)  # mentees whose choice can still be honoured


latest = unpaired.latest_shortlist


def offer(
    program: Program,
    paths: ProgramPaths,
    k: int,
    *,
    today: dt.date,
    now: dt.datetime,
    send: bool = False,
    dry_run: bool = False,
    seed: int = 0,
    sender_factory: Any = None,
) -> ShortlistRun:
    """Write (with ``send``: deliver) a shortlist to every waiting mentee whose shortlist
    changed since the last one they were sent."""
    from mentorctl.checkins.record import settle_interrupted
    from mentorctl.checkins.run import _commit, _execute, _open_run
    from mentorctl.matching import shortlist
    from mentorctl.matching.pairs import asked_and_declined, snapshot
    from mentorctl.matching.proposals import in_store
    from mentorctl.matching.rounds import for_matching

    if not 1 <= k <= MAX_K:
        raise UsageError(f"--shortlist {k}: expected a number of mentors from 1 to {MAX_K}")
    if program.data.get("format") == "circles":
        raise UsageError("--shortlist offers mentors to mentees: not for a circles program")
    result = ShortlistRun(RunResult(f"pair --shortlist {k}", today, send, dry_run), k)
    opened, journal = _open_run(paths, dry_run)
    with opened as store:
        result.run.recovered = settle_interrupted(
            store, journal.read(), now.isoformat(timespec="seconds")
        )
        snap = snapshot(store)
        people, _ = for_matching(snap, today)
        asks = asked_and_declined(in_store(store), snap.people)  # held, or declined them
        found = shortlist.Field(
            people, program.data["matching"], today=today, existing=snap.existing() + asks,
            blocked=snap.blocked, seed=seed,
        )  # fmt: skip
        offers = shortlist.best_mentors(found, k)
        state = State(store)
        outgoing: list[Outgoing] = []
        new: dict[str, Offered] = {}
        for mentee in sorted((p.id for p in found.mentees), key=_natural):
            mine = offers.get(mentee)
            if not mine:
                result.none.append(mentee)
                continue
            ids = [o.mentor_id for o in mine]
            shown = [
                {"id": o.mentor_id, "name": state.people[o.mentor_id].get("name"),
                 "score": o.score, "reasons": list(o.reasons)}
                for o in mine
            ]  # fmt: skip
            person = state.people[mentee]
            last = latest(person)
            if _choice_open(found, mentee, person, last):
                result.kept.append(mentee)
                continue
            pair = {"id": "", "mentee": mentee, "mentor": None, KIND: shown}
            if last is not None and [str(m) for m in last.get("mentors") or ()] == ids:
                number = int(last.get("number") or 1)
                doc = state.messages.get(message_key("", KIND, number, mentee))
                pending = unsent(doc[1]) if doc is not None and send else []
                status = "sent_again" if pending else "unchanged"
                result.offered.append(Offered(mentee, number, shown, status))
                if pending and doc is not None:
                    outgoing.append(Outgoing(pair, KIND, number, mentee, [mentee], pending,
                                             None, doc_id=doc[0]))  # fmt: skip
                continue
            number = sum(1 for e in events.entries(person) if e["event"] == EVENT) + 1
            new[mentee] = Offered(mentee, number, shown, "new")
            outgoing.append(Outgoing(pair, KIND, number, mentee, [mentee], [mentee], None))
        _execute(
            store, program, paths, state, outgoing, {}, result.run,
            now=now, by="pair", progress=None, sender_factory=sender_factory,
        )  # fmt: skip
        written = {o.part for o in outgoing}  # those rendered (an unusable address is not)
        updates = {}
        docs = {d.get("id"): int(k) for k, d in store.documents("people").items()}
        for mentee, item in new.items():
            if mentee not in written:
                continue
            result.offered.append(item)
            entry = events.entry(now, EVENT, mentors=[m["id"] for m in item.mentors],
                                 number=item.number)  # fmt: skip
            updates[docs[mentee]] = {"history": events.appended(state.people[mentee], entry)}
        if updates and not dry_run:
            store.update_many("people", updates)
        _commit(store, journal, dry_run)
    result.offered.sort(key=lambda o: _natural(o.mentee))
    return result


def _choice_open(
    found: Any, mentee: str, person: dict[str, Any], last: dict[str, Any] | None
) -> bool:
    """Whether the mentee chose since their latest shortlist and one of the mentors they
    chose can still take them: offering a new list then would only ask them again."""
    import numpy as np

    from mentorctl.matching.choices import CHOSE, from_people

    chosen = from_people([person]).get(mentee)
    if not chosen or last is None:
        return False
    made = max(
        (str(e.get("at")) for e in events.entries(person) if e["event"] == CHOSE), default=""
    )
    if made < str(last.get("at") or ""):
        return False
    i = found.mentee_at.get(mentee)
    if i is None:
        return False
    _, ok = found.acceptable(np.array([i]))
    return any((j := found.mentor_at.get(m)) is not None and bool(ok[0, j]) for m in chosen)


def _natural(pid: str) -> tuple[Any, ...]:
    from mentorctl.matching.order import natural

    return natural(pid)


__all__ = ["EVENT", "KIND", "Offered", "ShortlistRun", "latest", "offer"]
