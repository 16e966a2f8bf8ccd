"""Who a run leaves out, and why: undeliverable addresses and introductions only in the outbox.

**Undeliverable.** A server's permanent refusal (a 5xx to RCPT or DATA, see
:func:`mentorctl.mail.delivery.is_permanent`) adds an ``undeliverable`` entry (``address``,
``reason``) to the person's history, in the run's own commit. From then on no run sends that
person anything: their part of every message is left out, without a word (the run that met
the refusal named it once). A ``deliverable`` entry (a new address from a later import) or a
changed address ends it.

A pair whose introduction is held so (its pair stays ``proposed``; a pair not yet introduced
is not introduced to the other person either) is shown as held, with whose address was
refused. The refused introduction is tried again only once a new address clears it; when
``checkin.quiet_after_weeks`` weeks pass after the refusal without one (or the program is
over), ``checkin`` ends the pair ("introduction undeliverable: the mentor's address
refused"): the other person goes back to waiting at once and, if the introduction reached
them, gets the ``ended`` notice. A person whose address is refused is not offered by ``pair`` until a new
address clears it. A running pair whose two addresses are both refused gets nothing more and
ends as completed or lapsed when its last week is over, like every other pair.

**Introductions only in the outbox.** A pair introduced by a run that only wrote the outbox
(``introduce`` without ``--send``) has not been introduced by SMTP: a ``checkin --send`` holds
back its messages and says so, until ``introduce --send`` sends the introductions, or the admin
says the outbox was delivered by hand (``checkin --send --outbox-delivered``, which records the
written introductions as delivered by hand).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.checkins.plan import (
    MESSAGES,
    PEOPLE,
    Outgoing,
    RunResult,
    State,
    ended_notices,
    pair_number,
)
from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.programs.program import Program
    from mentorctl.store.db import Store


def undeliverable(state: State, today: dt.date) -> dict[str, dict[str, Any]]:
    """``{person id: their undeliverable entry}`` for the people no run may send to on
    ``today`` (an entry for an address they no longer have does not count)."""
    found = {}
    for pid, person in state.people.items():
        history = person.get("history")
        # Most people have never been refused: skip the fold for them.
        if not isinstance(history, list) or not any(
            isinstance(e, dict) and e.get("event") == "undeliverable" for e in history
        ):
            continue
        got = events.undeliverable_on(person, today)
        address = str((got or {}).get("address") or "").lower()
        if got is not None and (not address or address == str(person.get("email", "")).lower()):
            found[pid] = got
    return found


def leave_out(outgoing: list[Outgoing], people: dict[str, Any] | set[str]) -> list[Outgoing]:
    """``outgoing`` without ``people`` among the recipients to deliver to (a message left with
    nobody is dropped: a new one is then not created at all)."""
    if not people:
        return outgoing
    kept = []
    for o in outgoing:
        if any(p in people for p in o.pending):
            o.pending = [p for p in o.pending if p not in people]
            if not o.pending:
                continue
        kept.append(o)
    return kept


def introductions(
    state: State, outgoing: list[Outgoing], result: RunResult, today: dt.date
) -> list[Outgoing]:
    """The introductions of a run without undeliverable people: a pair not yet introduced
    one of whose people is undeliverable is held whole (said in a warning)."""
    refused = undeliverable(state, today)
    outgoing, kept_back = hold_new_introductions(outgoing, refused)
    if kept_back:
        result.warnings.append(
            f"{len(kept_back)} pair(s) not introduced, a person's address was refused for "
            f"good: {', '.join(kept_back)}; they are held until an import brings a new address"
        )
    return leave_out(outgoing, refused)


def hold_new_introductions(
    outgoing: list[Outgoing], refused: dict[str, Any]
) -> tuple[list[Outgoing], list[str]]:
    """A pair not yet introduced, one of whose people has an address refused for good, is
    not introduced to the other either: returns (the rest, the pairs held)."""
    held = sorted(
        {
            o.pair["id"]
            for o in outgoing
            if o.kind == "intro"
            and o.doc_id is None
            and any(o.pair.get(r) in refused for r in ("mentee", "mentor"))
        },
        key=pair_number,
    )
    return [o for o in outgoing if o.pair["id"] not in held], held


def record_refusals(
    store: Store, state: State, outgoing: list[Outgoing], stamp: str
) -> list[dict[str, str]]:
    """An ``undeliverable`` entry for each person whose delivery a server refused for good in
    this run; returns ``[{"person", "reason"}]`` (the reason holds no address)."""
    from mentorctl.mail.delivery import is_permanent

    refused: dict[str, str] = {}
    for o in outgoing:
        for pid, (status, error) in o.results.items():
            if status == "failed" and is_permanent(error) and pid in state.people:
                refused.setdefault(pid, str(error))
    if not refused:
        return []
    doc_ids = {doc.get("id"): int(i) for i, doc in store.documents(PEOPLE).items()}
    changes = {}
    for pid, reason in refused.items():
        person = state.people[pid]
        entry = events.entry(
            stamp, "undeliverable", address=str(person.get("email", "")), reason=reason
        )
        changes[doc_ids[pid]] = {"history": events.appended(person, entry)}
    store.update_many(PEOPLE, changes)
    return [{"person": p, "reason": r} for p, r in sorted(refused.items())]


def refusal_warning(refused: list[dict[str, str]]) -> str:
    who = ", ".join(f"{r['person']} ({r['reason']})" for r in refused)
    return (
        f"{len(refused)} address(es) refused for good by the SMTP server, now undeliverable: "
        f"{who}; nothing more is sent to them until an import brings a new address"
    )


def apply(
    state: State,
    plan: Any,
    result: RunResult,
    today: dt.date,
    program: Program | None = None,
    only: Iterable[str] = (),
) -> None:
    """Leave out of a planned run what may not go: undeliverable people, and in a run that
    sends, pairs introduced only in the outbox (said in a warning). With ``program``, end
    the pairs held by a refusal for long enough (:func:`release`)."""
    refused = undeliverable(state, today)
    if program is not None:
        release(state, plan, result, today, program, refused, only)
    plan.outgoing = leave_out(plan.outgoing, refused)
    if result.send:
        plan.outgoing, result.held = hold_outbox_pairs(state, plan.outgoing)
        if result.held:
            result.warnings.append(held_warning(result.held))


def record(
    store: Store, state: State, outgoing: list[Outgoing], result: RunResult, stamp: str
) -> None:
    """After a run that sent: record the people a server refused for good, named once."""
    if result.send and not result.dry_run:
        result.undeliverable = record_refusals(store, state, outgoing, stamp)
        if result.undeliverable:
            result.warnings.append(refusal_warning(result.undeliverable))


# -- introductions only in the outbox --------------------------------------------------------


def outbox_only(state: State) -> set[str]:
    """Pairs whose introduction reached someone only as an outbox file (status ``written``)."""
    found = set()
    for pid, docs in state.by_pair.items():
        for doc in docs:
            if doc.get("kind") not in ("intro", "circle_intro"):
                continue
            if any(d.get("status") == "written" for d in (doc.get("delivery") or {}).values()):
                found.add(pid)
    # a circle's introduction is recorded on its first pair and stands for all its pairs
    circles = {state.pair_by_id[p].get("circle") for p in found if p in state.pair_by_id}
    circles.discard(None)
    found |= {p["id"] for p in state.pairs if p.get("circle") in circles}
    return found


def hold_outbox_pairs(state: State, outgoing: list[Outgoing]) -> tuple[list[Outgoing], list[str]]:
    """In a run that sends: the messages of pairs introduced only in the outbox held back;
    returns (the rest, the pairs held)."""
    pending = outbox_only(state)
    held = sorted({o.pair["id"] for o in outgoing if o.pair["id"] in pending}, key=pair_number)
    return [o for o in outgoing if o.pair["id"] not in pending], held


def held_warning(held: list[str]) -> str:
    return (
        f"held back the messages of {len(held)} pair(s) whose introduction was only written to "
        f"the outbox, not sent: {', '.join(held)}; run 'mentorctl introduce --send' to send the "
        "introductions, or add --outbox-delivered if the outbox was delivered by hand"
    )


def mark_outbox_delivered(store: Store, stamp: str, asked: bool = True) -> list[str]:
    """When ``asked``: record every introduction written to the outbox as delivered by hand
    (the admin says so); returns the pairs concerned."""
    from mentorctl.checkins.record import overall

    if not asked:
        return []
    changes: dict[int, dict[str, Any]] = {}
    pairs = set()
    for doc_id, doc in store.documents(MESSAGES).items():
        if doc.get("kind") not in ("intro", "circle_intro"):
            continue
        delivery = {p: dict(d) for p, d in (doc.get("delivery") or {}).items()}
        hand = [d for d in delivery.values() if d.get("status") == "written"]
        if not hand:
            continue
        for d in hand:
            d.update(status="sent", by_hand=True, at=stamp, error=None)
        changes[int(doc_id)] = {"delivery": delivery, "status": overall(delivery), "updated": stamp}
        pairs.add(str(doc.get("pair")))
    store.update_many(MESSAGES, changes)
    return sorted(pairs, key=pair_number)


# -- pairs held by a refused address ----------------------------------------------------------


def program_end(state: State, program: Program) -> dt.date | None:
    """The first day after the program's last week: from program.yaml's ``start_date``, else
    from the earliest introduced pair's."""
    start = schedule.parse_day(program.data.get("start_date"))
    if start is None:
        starts = [d for p in state.pairs if (d := schedule.parse_day(p.get("start_date")))]
        start = min(starts, default=None)
    return start + dt.timedelta(days=7 * int(program.data["duration_weeks"])) if start else None


def ending(
    state: State,
    pair: dict[str, Any],
    refused: dict[str, dict[str, Any]],
    today: dt.date,
    quiet_after: int,
    end: dt.date | None,
) -> dict[str, Any] | None:
    """The end of a pair not introduced and held because a person's address was refused,
    once ``quiet_after`` weeks have passed since the refusal with no new address (or the
    program is over): the partner goes back to waiting, told if the introduction reached
    them. None while the pair is still held, or not held for that."""
    people = (pair["mentee"], pair["mentor"])
    held = [p for p in people if p in refused]
    if pair.get("status") != "proposed" or not held:
        return None
    since = max(events.parse_day(refused[p].get("at")) or today for p in held)
    if today < since + dt.timedelta(days=7 * quiet_after) and (end is None or today < end):
        return None
    partners = [p for p in people if p not in refused and p in state.people]
    roles = [role for role, p in zip(("mentee", "mentor"), people, strict=True) if p in refused]
    whose = "both addresses" if len(roles) > 1 else f"the {roles[0]}'s address"
    reached: set[str] = set()
    for doc in state.by_pair.get(pair["id"], ()):
        if doc["kind"] == "intro":
            delivery = doc.get("delivery") or {}
            reached |= {p for p, d in delivery.items() if d.get("status") in ("sent", "written")}
    return {
        "status": "ended",
        "end_reason": f"introduction undeliverable: {whose} refused",
        "released": partners,
        "notify_ended": [p for p in partners if p in reached],
    }


def release(
    state: State,
    plan: Any,
    result: RunResult,
    today: dt.date,
    program: Program,
    refused: dict[str, dict[str, Any]],
    only: Iterable[str] = (),
) -> None:
    """End the pairs held by a refused address for long enough (:func:`ending`), each with
    its ``ended`` notice in the same run; named in ``result.released`` and a warning."""
    if not refused:
        return
    wanted = {state.pair(ref)["id"] for ref in only}
    quiet_after = int(program.data["checkin"]["quiet_after_weeks"])
    end = program_end(state, program)
    for pair in state.pairs:
        if wanted and pair["id"] not in wanted:
            continue
        fields = ending(state, pair, refused, today, quiet_after, end)
        if fields is None:
            continue
        plan.changes[pair["id"]] = (fields, f"ended: {fields['end_reason']}")
        plan.outgoing.extend(ended_notices(state, dict(pair, **fields), send=result.send))
        result.released.append(pair["id"])
    if result.released:
        result.warnings.append(
            f"{len(result.released)} pair(s) ended, their introduction undeliverable for "
            f"{quiet_after} week(s) or to the program's end: {', '.join(result.released)}; "
            "the other person goes back to waiting"
        )
